# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
