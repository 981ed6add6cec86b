# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""kube-proxy: Services made real on a node with iptables (or a userspace fallback)."""
