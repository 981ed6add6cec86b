# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Flags of `kybernetes agent` and `kybernetes simulate` (kept free of heavy imports so
building the command line stays fast)."""
from __future__ import annotations

import argparse
from pathlib import Path


def add_agent_flags(parser: argparse.ArgumentParser) -> None:
    from kybernetes.kubelet.kubeletconfig import track_explicit_flags
    track_explicit_flags(parser)  # flags given on the command line win over --config
    parser.add_argument("--kubeconfig", type=Path, required=True, help="the kubelet's kubeconfig")
    parser.add_argument("--bootstrap-kubeconfig", type=Path, default=None,
                        help="a kubeconfig with a bootstrap token: when --kubeconfig does not exist, "
                             "get a client certificate through a CSR and write it there")
    parser.add_argument("--server", default="", help="API server URL (overrides the kubeconfig's)")
    parser.add_argument("--runtime", "--container-runtime", dest="runtime", default=None,
                        choices=("fake", "runc", "process"),
                        help="how pods run: runc (OCI containers; the default as root with runc "
                             "installed), process (host processes) or fake (none)")
    parser.add_argument("--root-dir", default="",
                        help="where pods, images and runtime state live "
                             "(default /var/lib/kybernetes/kubelet as root)")
    parser.add_argument("--disable-default-registry-endpoint", action="store_true",
                        help="pull only from the mirrors in registries.yaml (k3s's flag)")
    parser.add_argument("--cluster-dns", default="10.96.0.10",
                        help="the cluster DNS Service IP(s) pods resolve through, comma-separated")
    parser.add_argument("--cluster-domain", default="cluster.local")
    parser.add_argument("--hostname-override", default="", help="node name (default: the host name)")
    parser.add_argument("--node-ip", default="", help="the node's InternalIP (default: first host address)")
    parser.add_argument("--node-labels", default="", help="labels to register with, k=v,k2=v2")
    parser.add_argument("--register-with-taints", default="",
                        help="taints to register with, key=value:Effect,...")
    parser.add_argument("--max-pods", type=int, default=110)
    parser.add_argument("--pod-cidr", default="", help="the node's pod CIDR when no controller assigns one")
    parser.add_argument("--port", "--kubelet-port", dest="kubelet_port", type=int, default=None,
                        help="the kubelet's HTTPS port (logs, exec, port-forward); default 10250, "
                             "or a free port when 10250 is taken")
    parser.add_argument("--address", dest="kubelet_address", default="0.0.0.0",
                        help="the address the kubelet's HTTPS server listens on")
    parser.add_argument("--client-ca-file", type=Path, default=None,
                        help="CA of the client certificates the kubelet's server accepts "
                             "(default: the kubeconfig's CA)")
    add_eviction_flags(parser)
    parser.add_argument("--healthz-port", type=int, default=10248,
                        help="port of the plain-HTTP /healthz (0 turns it off)")
    parser.add_argument("--healthz-bind-address", default="127.0.0.1",
                        help="address of the plain-HTTP /healthz")
    parser.add_argument("--authorization-mode", default="Webhook", choices=("Webhook", "AlwaysAllow"),
                        help="how the kubelet's server authorizes callers: Webhook asks the API "
                             "server with a SubjectAccessReview")
    add_certificate_rotation_flags(parser)
    add_kubelet_config_flags(parser)
    from kybernetes.network.node import add_node_network_flags
    add_node_network_flags(parser)  # the in-process kube-proxy and host-gw routes
    parser.add_argument("-v", "--v", dest="verbosity", type=int, default=0)


def add_certificate_rotation_flags(parser: argparse.ArgumentParser) -> None:
    from kybernetes.kubelet.kubeletconfig import parse_flag_bool
    parser.add_argument("--rotate-certificates", type=parse_flag_bool, nargs="?", const=True,
                        default=None, metavar="BOOL",
                        help="renew the client certificate through CSRs before it expires "
                             "(default: on when the certificate came from TLS bootstrap)")
    parser.add_argument("--cert-dir", type=Path, default=None,
                        help="where the rotating client certificate lives (default <root-dir>/pki)")


def add_kubelet_config_flags(parser: argparse.ArgumentParser) -> None:
    """The upstream kubelet flags that have a field in its config file too."""
    from kybernetes.kubelet.kubeletconfig import parse_flag_bool
    boolean = dict(type=parse_flag_bool, nargs="?", const=True, metavar="BOOL")
    parser.add_argument("--config", type=Path, default=None,
                        help="a KubeletConfiguration (kubelet.config.k8s.io/v1beta1) file; "
                             "flags given as well override its fields")
    parser.add_argument("--pod-manifest-path", default="",
                        help="a directory (or file) of static pod manifests the kubelet runs itself")
    parser.add_argument("--file-check-frequency", default="20s",
                        help="how often the static pod manifests are read again")
    parser.add_argument("--image-gc-high-threshold", type=int, default=85,
                        help="image filesystem usage percent at which unused images are removed")
    parser.add_argument("--image-gc-low-threshold", type=int, default=80,
                        help="image filesystem usage percent image garbage collection frees down to")
    parser.add_argument("--minimum-image-ttl-duration", default="2m",
                        help="how long an image stays before garbage collection may remove it")
    parser.add_argument("--allowed-unsafe-sysctls", default="",
                        help="unsafe sysctls (or patterns like net.core.*) pods may set, comma separated")
    parser.add_argument("--seccomp-default", default=False, **boolean,
                        help="RuntimeDefault seccomp for containers that name no profile")
    parser.add_argument("--image-gc-period", default="5m",
                        help="how often image garbage collection runs (kybernetes; upstream's is a fixed 5m)")
    parser.add_argument("--anonymous-auth", default=False, **boolean,
                        help="let requests without credentials reach the kubelet's server as "
                             "system:anonymous (then authorized like anyone)")
    parser.add_argument("--authentication-token-webhook", default=False, **boolean,
                        help="authenticate bearer tokens to the kubelet's server with a TokenReview")
    parser.add_argument("--tls-cert-file", default="",
                        help="the kubelet server's certificate (default: one made at start)")
    parser.add_argument("--tls-private-key-file", default="", help="the key of --tls-cert-file")
    parser.add_argument("--runtime-request-timeout", default="2m",
                        help="accepted for compatibility: runtime calls here are local")
    parser.add_argument("--register-node", default=True, **boolean,
                        help="create this Node in the API (false: wait for an admin to create it)")
    parser.add_argument("--fail-swap-on", default=True, **boolean,
                        help="accepted for compatibility")


def add_eviction_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--eviction-hard", default=None,
                        help="hard eviction thresholds, e.g. memory.available<100Mi,nodefs.available<10%% "
                             "(default memory.available<100Mi,nodefs.available<10%%,"
                             "nodefs.inodesFree<5%%,imagefs.available<15%%)")
    parser.add_argument("--eviction-soft", default="", help="soft eviction thresholds, same form")
    parser.add_argument("--eviction-soft-grace-period", default="",
                        help="how long each soft threshold must hold, e.g. memory.available=1m30s")
    parser.add_argument("--eviction-pressure-transition-period", default="5m0s",
                        help="how long a pressure condition stays after its threshold clears")


def add_simulate_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--nodes", type=int, required=True, help="how many nodes to simulate")
    parser.add_argument("--kubeconfig", type=Path, default=None, help="default: $KUBECONFIG")
    parser.add_argument("--cpu", default="8", help="each node's cpu capacity")
    parser.add_argument("--memory", default="32Gi", help="each node's memory capacity")
    parser.add_argument("--pods", default="110", help="each node's pod capacity")
    parser.add_argument("--ephemeral-storage", default="100Gi")
    parser.add_argument("--name-prefix", default="sim")
    parser.add_argument("--node-labels", default="", help="extra labels, k=v,k2=v2")
    parser.add_argument("--run-seconds", type=float, default=1.0,
                        help="how long containers of finishing pods (restartPolicy Never/OnFailure) run")
    parser.add_argument("--workers", type=int, default=16, help="pod sync workers shared by all nodes")
    parser.add_argument("--delete-nodes-on-exit", action="store_true",
                        help="delete the simulated Nodes when stopped")
    parser.add_argument("-v", "--v", dest="verbosity", type=int, default=0)

