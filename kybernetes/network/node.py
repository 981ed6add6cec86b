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
    parser.add_argument("--flannel-backend", default="host-gw", choices=("host-gw", "none"),
                        help="host-gw: route other nodes' pod CIDRs via their InternalIPs; "
                             "none: leave routing to a third-party network plugin (k3s's flag)")


def check_node_network_flags(args: argparse.Namespace) -> str | None:
    """A one-line error for a bad flag, or None."""
    proxy_kubeconfig = getattr(args, "proxy_kubeconfig", None)
    if proxy_kubeconfig is not None and not Path(proxy_kubeconfig).is_file():
        return f"--proxy-kubeconfig: {proxy_kubeconfig} does not exist"
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
                       node_kubeconfig: Path, server_url: str = "") -> tuple[list[asyncio.Task], list]:
    """The proxy and host-gw tasks for this node, and the clients to close after them."""
    from kybernetes.client.rest import Client
    from kybernetes.network.hostgw import HostGateway, available
    from kybernetes.proxy.iptables import iptables_available
    from kybernetes.proxy.proxier import Proxier
    from kybernetes.proxy.rules import ProxyConfig
    tasks: list[asyncio.Task] = []
    clients: list = []
    if not has_pod_network(runtime_name):
        return tasks, clients

    def node_client(user_agent: str) -> Client:
        client = Client.from_kubeconfig(node_kubeconfig, user_agent=user_agent)
        if server_url:
            client.base_url = server_url.rstrip("/")
        clients.append(client)
        return client

    if not getattr(args, "disable_kube_proxy", False):
        if iptables_available():
            if getattr(args, "proxy_kubeconfig", None) is not None:
                proxy_client = Client.from_kubeconfig(args.proxy_kubeconfig, user_agent="kube-proxy")
                clients.append(proxy_client)
            else:
                proxy_client = node_client("kube-proxy")
            config = ProxyConfig(node_name=node_name, cluster_cidr=args.cluster_cidr,
                                 nodeport_addresses=[c for c in args.nodeport_addresses.split(",") if c],
                                 pod_egress_masquerade=True)
            tasks.append(asyncio.create_task(Proxier(proxy_client, config, "iptables").run(),
                                             name="kube-proxy"))
            if not getattr(args, "disable_network_policy", False):
                from kybernetes.netpol.controller import network_policy_controller
                policy = network_policy_controller(proxy_client, node_name)
                if policy is not None:
                    tasks.append(asyncio.create_task(policy.run(), name="network-policy"))
        else:
            log.warning("iptables not found: this node serves no Services (install iptables)")
    if getattr(args, "flannel_backend", "host-gw") == "host-gw":
        if available():
            tasks.append(asyncio.create_task(HostGateway(node_client("kybernetes-hostgw"), node_name).run(),
                                             name="host-gw"))
        else:
            log.warning("`ip` not found: no routes to other nodes' pods (install iproute2)")
    return tasks, clients
