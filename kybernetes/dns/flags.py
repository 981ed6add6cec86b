# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""`kybernetes dns` flags, apart from the server so building the CLI imports nothing heavy."""
from __future__ import annotations

import argparse
from pathlib import Path


def add_dns_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kubeconfig", type=Path, required=True,
                        help="kubeconfig of an identity that may list and watch services, "
                             "endpointslices and namespaces")
    parser.add_argument("--bind-address", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=53)
    parser.add_argument("--cluster-domain", default="cluster.local")
    parser.add_argument("--upstream-resolv", default="/etc/resolv.conf",
                        help="resolv.conf whose nameservers get every name outside the cluster")
    parser.add_argument("--service-cluster-ip-range", dest="service_cidr", default="",
                        help="also write the kube-dns Service (clusterIP: the range's .10) and "
                             "an EndpointSlice pointing at this server")
    parser.add_argument("--advertise-address", default="",
                        help="address written in the kube-dns EndpointSlice (default: --bind-address)")
    parser.add_argument("-v", "--v", dest="verbosity", type=int, default=0)
