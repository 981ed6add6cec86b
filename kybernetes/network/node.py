# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The node's share of the network that `kybernetes agent` runs beside its kubelet (as
k3s's agent does): kube-proxy in iptables mode, NetworkPolicy enforcement beside it and
host-gw routes, all in the network namespace the agent runs in, for nodes with the
built-in pod network (runc)."""
from __future__ import annotations

import argparse
import asyncio
import ipaddress
import logging
import os
from pathlib import Path

log = logging.getLogger("kybernetes.network")

DEFAULT_CLUSTER_CIDR = "10.244.0.0/16"


def add_node_network_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--proxy-kubeconfig", type=Path, default=None,
                        help="the in-process kube-proxy's kubeconfig (default: the node's own "
                             "credential, which the kybernetes:node-proxier binding allows)")
    parser.add_argument("--proxy-config", type=Path, default=None,
                        help="a KubeProxyConfiguration file for the in-process kube-proxy "
                             "(kube-proxy's --config; the agent's flags given win over it)")
    parser.add_argument("--cluster-cidr", default=DEFAULT_CLUSTER_CIDR,
                        help="the cluster's pod CIDR: pod traffic leaving it is masqueraded, "
                             "traffic from outside it to a ClusterIP too")
    parser.add_argument("--nodeport-addresses", default="",
                        help="CIDRs of the local addresses that serve NodePorts, comma separated "
                             "(default: every address of the node)")
    parser.add_argument("--disable-kube-proxy", action="store_true",
                        help="do not run kube-proxy in the agent (k3s's flag)")
    parser.add_argument("--disable-network-policy", action="store_true",
                        help="do not enforce NetworkPolicies on this node (k3s's flag)")
    add_pod_network_flags(parser)


def add_pod_network_flags(parser: argparse.ArgumentParser) -> None:
    """The pod network's flags, the same on `agent` and on `server` (for its own node)."""
    parser.add_argument("--flannel-backend", default="host-gw", choices=("host-gw", "none"),
                        help="host-gw: the built-in pod network (a bridge over the node's "
                             "podCIDR), routed to other nodes' pod CIDRs via their InternalIPs; "
                             "none: no built-in network, pods wait for a third-party CNI "
                             "plugin's configuration in --cni-conf-dir (k3s's flag)")
    parser.add_argument("--cni-conf-dir", type=Path, default=None,
                        help="where the pod network's CNI configuration is (containerd's "
                             "conf_dir; default: the kubelet's own dir for the built-in "
                             "network, /etc/cni/net.d with --flannel-backend=none)")
    parser.add_argument("--cni-bin-dir", default=None,
                        help="where CNI plugin binaries are searched, comma separated "
                             "(containerd's bin_dir; default /usr/lib/cni,/opt/cni/bin for the "
                             "built-in network, /opt/cni/bin with --flannel-backend=none)")


def pod_network_options(args: argparse.Namespace) -> dict:
    """make_pod_manager's network options from the flags of add_pod_network_flags."""
    bin_dirs = [d for d in (getattr(args, "cni_bin_dir", None) or "").split(",") if d]
    return {"builtin_network": getattr(args, "flannel_backend", "host-gw") != "none",
            "cni_conf_dir": getattr(args, "cni_conf_dir", None), "cni_bin_dirs": bin_dirs or None}


def check_node_network_flags(args: argparse.Namespace) -> str | None:
    """A one-line error for a bad flag, or None."""
    proxy_kubeconfig = getattr(args, "proxy_kubeconfig", None)
    if proxy_kubeconfig is not None and not Path(proxy_kubeconfig).is_file():
        return f"--proxy-kubeconfig: {proxy_kubeconfig} does not exist"
    if getattr(args, "proxy_config", None) is not None:
        from kybernetes.proxy.config import ProxyConfigError
        from kybernetes.proxy.options import agent_proxy_settings
        try:
            agent_proxy_settings(args)
        except ProxyConfigError as exc:
            return f"--proxy-config: {exc}"
    try:
        network = ipaddress.ip_network(getattr(args, "cluster_cidr", DEFAULT_CLUSTER_CIDR), strict=False)
    except ValueError:
        return f"--cluster-cidr: invalid CIDR {args.cluster_cidr!r}"
    if network.version != 4:
        return f"--cluster-cidr: {args.cluster_cidr} is not an IPv4 CIDR (only IPv4 is routed)"
    for cidr in filter(None, getattr(args, "nodeport_addresses", "").split(",")):
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            return f"--nodeport-addresses: invalid CIDR {cidr!r}"
    return None


def has_pod_network(runtime_name: str) -> bool:
    """Only runc pods sit on the node's bridge; proxying and routing need root."""
    return runtime_name == "runc" and os.geteuid() == 0


def start_node_network(args: argparse.Namespace, node_name: str, runtime_name: str,
                       server_url: str = "") -> tuple[list[asyncio.Task], list]:
    """The proxy, NetworkPolicy and host-gw tasks for this node, and the clients to close
    after them. They run as system:kube-proxy (--proxy-kubeconfig, which `kybernetes join`
    writes), never with the node's own credential: the Node authorizer keeps a node to its
    own Node and pods, while routing and policies need to see them all."""
    from kybernetes.client.rest import Client
    from kybernetes.network.hostgw import HostGateway, available
    from kybernetes.proxy.iptables import iptables_available
    from kybernetes.proxy.options import agent_proxy_settings
    from kybernetes.proxy.proxier import run_proxy
    tasks: list[asyncio.Task] = []
    clients: list = []
    want_proxy = not getattr(args, "disable_kube_proxy", False)
    want_routes = getattr(args, "flannel_backend", "host-gw") == "host-gw"
    if not has_pod_network(runtime_name) or not (want_proxy or want_routes):
        return tasks, clients
    settings = agent_proxy_settings(args)  # --proxy-config; check_node_network_flags read it
    for warning in settings.warnings:
        log.warning("%s", warning)
    if not settings.kubeconfig:  # --proxy-kubeconfig, or clientConnection.kubeconfig
        log.error("no Services, NetworkPolicies or routes to other nodes' pods on this node: they "
                  "need a system:kube-proxy credential; pass --proxy-kubeconfig (`kybernetes join` "
                  "writes one; `kybernetes kubeconfig user system:kube-proxy` prints one)")
        return tasks, clients

    def network_client(user_agent: str) -> Client:
        client = Client.from_kubeconfig(settings.kubeconfig, user_agent=user_agent)
        if server_url:  # the agent's --server wins over every kubeconfig's, as for the kubelet
            client.base_url = server_url.rstrip("/")
        clients.append(client)
        return client

    if want_proxy:
        if iptables_available():
            proxy_client = network_client("kube-proxy")
            # egress masquerade is the built-in network's (flannel's) rule, not a third party's
            masquerade = pod_network_options(args)["builtin_network"]
            tasks.append(asyncio.create_task(run_proxy(proxy_client, settings, "iptables", node_name,
                                                       pod_egress_masquerade=masquerade), name="kube-proxy"))
            if not getattr(args, "disable_network_policy", False):
                from kybernetes.netpol.controller import network_policy_controller
                policy = network_policy_controller(proxy_client, node_name)
                if policy is not None:
                    tasks.append(asyncio.create_task(policy.run(), name="network-policy"))
        else:
            log.warning("iptables not found: this node serves no Services (install iptables)")
    if want_routes:
        if available():
            tasks.append(asyncio.create_task(HostGateway(network_client("kybernetes-hostgw"), node_name).run(),
                                             name="host-gw"))
        else:
            log.warning("`ip` not found: no routes to other nodes' pods (install iproute2)")
    return tasks, clients
