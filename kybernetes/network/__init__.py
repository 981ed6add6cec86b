# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The pod network between nodes: host-gw routes (as flannel's host-gw backend)."""
