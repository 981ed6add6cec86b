# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The iptables rules of kube-proxy's iptables mode, generated from ServicePorts (pure).

`generate()` returns the `iptables-restore --noflush` text for the nat and filter
tables: every KUBE-* chain kube-proxy owns, declared (which empties it) and refilled,
and the chains that no longer belong to any service deleted. Chain names, rule shapes,
comments and the 0x4000 masquerade mark are upstream's, so `iptables-save` reads as it
does on a kubeadm node."""
from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field

from kybernetes.proxy.model import Endpoint, ServicePort

MASQ_MARK = "0x4000"
SERVICES = "KUBE-SERVICES"
EXTERNAL_SERVICES = "KUBE-EXTERNAL-SERVICES"
NODEPORTS = "KUBE-NODEPORTS"
POSTROUTING = "KUBE-POSTROUTING"
MARK_MASQ = "KUBE-MARK-MASQ"
FORWARD = "KUBE-FORWARD"
PROXY_FIREWALL = "KUBE-PROXY-FIREWALL"
FIREWALL = "KUBE-FIREWALL"
# Not upstream kube-proxy's: flannel's egress masquerade (its FLANNEL-POSTRTG) for the
# built-in pod network, whose bridge plugin no longer masquerades (pods keep their
# source address across nodes with host-gw routing).
POD_EGRESS = "KUBE-POD-EGRESS"
NAT_CHAINS = (SERVICES, NODEPORTS, POSTROUTING, MARK_MASQ, POD_EGRESS)
FILTER_CHAINS = (SERVICES, EXTERNAL_SERVICES, NODEPORTS, FORWARD, PROXY_FIREWALL, FIREWALL)
# Chains generated per service port or endpoint: what a sync may delete when stale.
PER_SERVICE_PREFIXES = ("KUBE-SVC-", "KUBE-SVL-", "KUBE-EXT-", "KUBE-FW-", "KUBE-SEP-")

# (table, hook chain, rule args): the jumps into kube-proxy's chains, installed once.
JUMPS: list[tuple[str, str, list[str]]] = [
    ("filter", "INPUT", ["-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment",
                         "kubernetes load balancer firewall", "-j", PROXY_FIREWALL]),
    ("filter", "INPUT", ["-m", "comment", "--comment", "kubernetes health check service ports",
                         "-j", NODEPORTS]),
    ("filter", "INPUT", ["-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment",
                         "kubernetes externally-visible service portals", "-j", EXTERNAL_SERVICES]),
    ("filter", "INPUT", ["-j", FIREWALL]),
    ("filter", "FORWARD", ["-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment",
                           "kubernetes load balancer firewall", "-j", PROXY_FIREWALL]),
    ("filter", "FORWARD", ["-m", "comment", "--comment", "kubernetes forwarding rules",
                           "-j", FORWARD]),
    ("filter", "FORWARD", ["-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment",
                           "kubernetes service portals", "-j", SERVICES]),
    ("filter", "FORWARD", ["-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment",
                           "kubernetes externally-visible service portals", "-j", EXTERNAL_SERVICES]),
    ("filter", "OUTPUT", ["-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment",
                          "kubernetes load balancer firewall", "-j", PROXY_FIREWALL]),
    ("filter", "OUTPUT", ["-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment",
                          "kubernetes service portals", "-j", SERVICES]),
    ("filter", "OUTPUT", ["-j", FIREWALL]),
    ("nat", "PREROUTING", ["-m", "comment", "--comment", "kubernetes service portals",
                           "-j", SERVICES]),
    ("nat", "OUTPUT", ["-m", "comment", "--comment", "kubernetes service portals", "-j", SERVICES]),
    ("nat", "POSTROUTING", ["-m", "comment", "--comment", "kubernetes postrouting rules",
                            "-j", POSTROUTING]),
    ("nat", "POSTROUTING", ["-m", "comment", "--comment", "pod traffic leaving the cluster network",
                            "-j", POD_EGRESS]),
]


def _hash(text: str) -> str:
    return base64.b32encode(hashlib.sha256(text.encode()).digest()).decode()[:16]


def port_proto_hash(port: ServicePort) -> str:
    return _hash(port.port_name_string + port.protocol.lower())


def service_chain(port: ServicePort) -> str:
    return "KUBE-SVC-" + port_proto_hash(port)


def local_chain(port: ServicePort) -> str:
    return "KUBE-SVL-" + port_proto_hash(port)


def external_chain(port: ServicePort) -> str:
    return "KUBE-EXT-" + port_proto_hash(port)


def endpoint_chain(port: ServicePort, endpoint: Endpoint) -> str:
    return "KUBE-SEP-" + _hash(port.port_name_string + port.protocol.lower() + endpoint.address)


@dataclass
class ProxyConfig:
    node_name: str
    cluster_cidr: str = "10.244.0.0/16"
    # --nodeport-addresses: CIDRs whose local addresses serve NodePorts; empty: all of them
    nodeport_addresses: list[str] = field(default_factory=list)
    # masquerade pod traffic leaving cluster_cidr (the built-in network's job, as flannel's
    # ipMasq): on where this proxy runs beside the kubelet of the built-in pod network
    pod_egress_masquerade: bool = False
    masquerade_all: bool = False  # iptables.masqueradeAll: SNAT every packet to a cluster IP
    masquerade_bit: int = 14  # iptables.masqueradeBit: the fwmark bit of KUBE-MARK-MASQ

    @property
    def masquerade_mark(self) -> str:
        return f"{1 << self.masquerade_bit:#x}"


def _quote(text: str) -> str:
    return f'"{text}"' if any(c in text for c in ' "\t') else text


def _comment(text: str) -> list[str]:
    return ["-m", "comment", "--comment", _quote(text)]


def _proto(port: ServicePort) -> list[str]:
    protocol = port.protocol.lower()
    return ["-m", protocol, "-p", protocol]


def usable(endpoints: list[Endpoint]) -> list[Endpoint]:
    """Ready endpoints; if there are none, the serving terminating ones (upstream's
    ProxyTerminatingEndpoints), so a rolling update drains instead of dropping."""
    ready = [e for e in endpoints if e.ready]
    return ready or [e for e in endpoints if e.serving and e.terminating]


class _Tables:
    def __init__(self) -> None:
        self.nat_chains: list[str] = list(NAT_CHAINS)
        self.filter_chains: list[str] = list(FILTER_CHAINS)
        self.nat: list[str] = []
        self.filter: list[str] = []

    def add(self, rules: list[str], chain: str, *args: str) -> None:
        rules.append(" ".join(["-A", chain, *args]))


def _probability(n: int) -> str:
    return f"{1.0 / n:0.10f}"


def _endpoint_jumps(t: _Tables, port: ServicePort, chain: str,
                    endpoints: list[Endpoint]) -> None:
    """The service chain's body: affinity rechecks, then a random pick among endpoints."""
    if port.session_affinity_seconds:
        for endpoint in endpoints:
            sep = endpoint_chain(port, endpoint)
            t.add(t.nat, chain, *_comment(f"{port.port_name_string} -> {endpoint.address}"),
                  "-m", "recent", "--name", sep, "--rcheck", "--seconds",
                  str(port.session_affinity_seconds), "--reap", "-j", sep)
    for index, endpoint in enumerate(endpoints):
        sep = endpoint_chain(port, endpoint)
        remaining = len(endpoints) - index
        args = _comment(f"{port.port_name_string} -> {endpoint.address}")
        if remaining > 1:
            args += ["-m", "statistic", "--mode", "random", "--probability", _probability(remaining)]
        t.add(t.nat, chain, *args, "-j", sep)


def _endpoint_chain_rules(t: _Tables, port: ServicePort, endpoint: Endpoint) -> None:
    sep = endpoint_chain(port, endpoint)
    t.nat_chains.append(sep)
    comment = _comment(port.port_name_string)
    t.add(t.nat, sep, *comment, "-s", endpoint.ip, "-j", MARK_MASQ)  # hairpin
    affinity = ["-m", "recent", "--name", sep, "--set"] if port.session_affinity_seconds else []
    t.add(t.nat, sep, *comment, *_proto(port), *affinity, "-j", "DNAT",
          "--to-destination", endpoint.address)


def _service_rules(t: _Tables, port: ServicePort, config: ProxyConfig) -> None:
    name = port.port_name_string
    endpoints = usable(port.endpoints)
    local = [e for e in endpoints if e.node_name == config.node_name]
    if not local and any(e.node_name == config.node_name for e in port.endpoints):
        local = usable([e for e in port.endpoints if e.node_name == config.node_name])
    svc, svl, ext = service_chain(port), local_chain(port), external_chain(port)
    needs_local = port.internal_policy_local or (port.external_policy_local and port.has_external)
    cluster_endpoints = local if port.internal_policy_local else endpoints
    cluster_chain = svl if port.internal_policy_local else svc
    external_endpoints = local if port.external_policy_local else endpoints
    proto = _proto(port)

    if endpoints:
        for endpoint in sorted(set(endpoints) | set(local), key=endpoints_order(endpoints)):
            _endpoint_chain_rules(t, port, endpoint)
    if endpoints and (not port.internal_policy_local or port.has_external):
        t.nat_chains.append(svc)
        for ip in port.cluster_ips[:1]:
            # upstream: every source with masqueradeAll, else those outside the pod
            # network, and none when kube-proxy does not know the pod network
            if config.masquerade_all:
                t.add(t.nat, svc, *_comment(f"{name} cluster IP"), *proto, "-d", ip,
                      "--dport", str(port.port), "-j", MARK_MASQ)
            elif config.cluster_cidr:
                t.add(t.nat, svc, *_comment(f"{name} cluster IP"), *proto, "-d", ip,
                      "--dport", str(port.port), "!", "-s", config.cluster_cidr, "-j", MARK_MASQ)
        _endpoint_jumps(t, port, svc, endpoints)
    if needs_local:
        t.nat_chains.append(svl)
        _endpoint_jumps(t, port, svl, local)

    # ClusterIP
    for ip in port.cluster_ips:
        if cluster_endpoints:
            t.add(t.nat, SERVICES, *_comment(f"{name} cluster IP"), *proto, "-d", ip,
                  "--dport", str(port.port), "-j", cluster_chain)
        else:
            reason = "has no local endpoints" if endpoints else "has no endpoints"
            target = ["-j", "DROP"] if endpoints else \
                ["-j", "REJECT", "--reject-with", "icmp-port-unreachable"]
            t.add(t.filter, SERVICES, *_comment(f"{name} {reason}"), *proto, "-d", ip,
                  "--dport", str(port.port), *target)
    if not port.has_external:
        return

    # External traffic: externalIPs, load balancer IPs and the node port, via KUBE-EXT
    if external_endpoints:
        t.nat_chains.append(ext)
        if port.external_policy_local:
            if config.cluster_cidr:
                t.add(t.nat, ext, *_comment(f"pod traffic for {name} external destinations"),
                      "-s", config.cluster_cidr, "-j", svc)
            t.add(t.nat, ext, *_comment(f"masquerade LOCAL traffic for {name} external destinations"),
                  "-m", "addrtype", "--src-type", "LOCAL", "-j", MARK_MASQ)
            t.add(t.nat, ext, *_comment(f"route LOCAL traffic for {name} external destinations"),
                  "-m", "addrtype", "--src-type", "LOCAL", "-j", svc)
            t.add(t.nat, ext, "-j", svl)
        else:
            t.add(t.nat, ext, *_comment(f"masquerade traffic for {name} external destinations"),
                  "-j", MARK_MASQ)
            t.add(t.nat, ext, "-j", svc)
    reason = "has no local endpoints" if endpoints else "has no endpoints"
    target = ["-j", "DROP"] if endpoints else \
        ["-j", "REJECT", "--reject-with", "icmp-port-unreachable"]
    for kind, ips in (("external IP", port.external_ips), ("loadbalancer IP", port.load_balancer_ips)):
        for ip in ips:
            if external_endpoints:
                t.add(t.nat, SERVICES, *_comment(f"{name} {kind}"), *proto, "-d", ip,
                      "--dport", str(port.port), "-j", ext)
            else:
                t.add(t.filter, EXTERNAL_SERVICES, *_comment(f"{name} {reason}"), *proto,
                      "-d", ip, "--dport", str(port.port), *target)
    if port.node_port:
        if external_endpoints:
            t.add(t.nat, NODEPORTS, *_comment(name), *proto, "--dport", str(port.node_port),
                  "-j", ext)
        else:
            t.add(t.filter, EXTERNAL_SERVICES, *_comment(f"{name} {reason}"),
                  "-m", "addrtype", "--dst-type", "LOCAL", *proto,
                  "--dport", str(port.node_port), *target)


def _pod_egress_rules(t: _Tables, cluster_cidr: str) -> None:
    """Pod to pod (any node) keeps its source; pod to anywhere else (except multicast)
    leaves with the node's address, as flannel's rules do."""
    t.add(t.nat, POD_EGRESS, *_comment("pod to pod: keep the source address"),
          "-s", cluster_cidr, "-d", cluster_cidr, "-j", "RETURN")
    t.add(t.nat, POD_EGRESS, *_comment("pod traffic leaving the cluster network"),
          "-s", cluster_cidr, "!", "-d", "224.0.0.0/4", "-j", "MASQUERADE", "--random-fully")


def endpoints_order(endpoints: list[Endpoint]):
    order = {e: i for i, e in enumerate(endpoints)}
    return lambda e: order.get(e, len(order))


def generate(ports: list[ServicePort], config: ProxyConfig,
             existing_nat_chains: set[str] | frozenset = frozenset()) -> str:
    """The restore text for both tables; `existing_nat_chains` (from iptables-save)
    names per-service chains to delete when no service needs them any more."""
    t = _Tables()
    mark = config.masquerade_mark
    t.add(t.nat, POSTROUTING, "-m", "mark", "!", "--mark", f"{mark}/{mark}", "-j", "RETURN")
    t.add(t.nat, POSTROUTING, "-j", "MARK", "--xor-mark", mark)
    t.add(t.nat, POSTROUTING, *_comment("kubernetes service traffic requiring SNAT"),
          "-j", "MASQUERADE", "--random-fully")
    t.add(t.nat, MARK_MASQ, "-j", "MARK", "--or-mark", mark)
    t.add(t.filter, FORWARD, "-m", "conntrack", "--ctstate", "INVALID", "-j", "DROP")
    t.add(t.filter, FORWARD, *_comment("kubernetes forwarding rules"),
          "-m", "mark", "--mark", f"{mark}/{mark}", "-j", "ACCEPT")
    t.add(t.filter, FORWARD, *_comment("kubernetes forwarding conntrack rule"),
          "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT")
    # route_localnet lets 127.0.0.1 reach NodePorts; never let outsiders use it
    t.add(t.filter, FIREWALL, *_comment("block incoming localnet connections"),
          "-d", "127.0.0.0/8", "!", "-s", "127.0.0.0/8", "-m", "conntrack", "!",
          "--ctstate", "RELATED,ESTABLISHED,DNAT", "-j", "DROP")
    if config.pod_egress_masquerade and config.cluster_cidr:
        _pod_egress_rules(t, config.cluster_cidr)
    else:  # not declared, so not emptied: a standalone proxy beside an agent leaves it be
        t.nat_chains.remove(POD_EGRESS)
    for port in ports:
        _service_rules(t, port, config)
    comment = _comment("kubernetes service nodeports; NOTE: this must be the last rule in this chain")
    if config.nodeport_addresses:
        for cidr in config.nodeport_addresses:
            t.add(t.nat, SERVICES, *comment, "-d", cidr, "-j", NODEPORTS)
    else:
        t.add(t.nat, SERVICES, *comment, "-m", "addrtype", "--dst-type", "LOCAL", "-j", NODEPORTS)

    wanted = set(t.nat_chains)
    stale = sorted(c for c in existing_nat_chains
                   if c.startswith(PER_SERVICE_PREFIXES) and c not in wanted)
    lines = ["*filter"]
    lines += [f":{chain} - [0:0]" for chain in t.filter_chains]
    lines += t.filter + ["COMMIT", "*nat"]
    lines += [f":{chain} - [0:0]" for chain in list(dict.fromkeys(t.nat_chains)) + stale]
    lines += t.nat
    lines += [f"-X {chain}" for chain in stale]
    lines.append("COMMIT")
    return "\n".join(lines) + "\n"
