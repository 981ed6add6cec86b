# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""NetworkPolicy enforcement with iptables (kube-router's and Calico's iptables mode):
`model` resolves policies to addresses and ports, `rules` turns them into the filter
table's KUBE-NWPLCY chains, `iptables` applies them, `controller` watches the API."""
