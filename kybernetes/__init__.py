# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""kybernetes: Kubernetes, rewritten in Python."""

KUBERNETES_VERSION = "v1.32.4"
__version__ = "0.1.0"
