# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The kubelet: node registration, lease, pod workers, and the runtimes behind them
(`runtimes/`: fake today; runc and process to come). `simulate` runs many in one process."""
