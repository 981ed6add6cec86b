# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""What NetworkPolicies mean for concrete pods, without iptables (pure).

Pods become `PodEndpoint`s (address, labels, named container ports); a policy's peers
become pods and CIDRs; its ports become (protocol, port range) pairs resolved, for
named ports, against the pod that owns the port (the policed pod for ingress, the
destination pod for egress), as upstream's NetworkPolicy semantics say."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from kybernetes.api.selectors import LabelSelector, SelectorError, selector_from_label_selector_object

INGRESS, EGRESS = "Ingress", "Egress"
# pods whose containers have all exited have given their address back to IPAM
FINISHED_PHASES = ("Succeeded", "Failed")


@dataclass(frozen=True)
class PodEndpoint:
    namespace: str
    name: str
    labels: Mapping[str, str]
    ips: tuple[str, ...]  # IPv4 addresses only: the filter table here is iptables, not ip6tables
    node_name: str
    # (port name, container port, protocol) of every named container port
    named_ports: tuple[tuple[str, int, str], ...] = ()

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    def named_port(self, name: str, protocol: str) -> int | None:
        for port_name, number, port_protocol in self.named_ports:
            if port_name == name and port_protocol == protocol:
                return number
        return None


def pod_endpoint(pod: dict) -> PodEndpoint | None:
    """The pod as policies see it; None when policies do not apply to it (host network)
    or it holds no address (not started yet, or finished)."""
    meta = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    if spec.get("hostNetwork") or status.get("phase") in FINISHED_PHASES:
        return None
    addresses = [entry.get("ip", "") for entry in status.get("podIPs") or ()] or [status.get("podIP", "")]
    ips = tuple(dict.fromkeys(ip for ip in addresses if _is_ipv4(ip)))
    if not ips:
        return None
    named = []
    for container in list(spec.get("initContainers") or ()) + list(spec.get("containers") or ()):
        for port in container.get("ports") or ():
            if port.get("name") and port.get("containerPort"):
                named.append((port["name"], int(port["containerPort"]), port.get("protocol") or "TCP"))
    return PodEndpoint(meta.get("namespace", ""), meta.get("name", ""), dict(meta.get("labels") or {}),
                       ips, spec.get("nodeName") or "", tuple(named))


def _is_ipv4(text: str) -> bool:
    try:
        return ipaddress.ip_address(text).version == 4
    except ValueError:
        return False


def selector(obj: Mapping | None) -> LabelSelector:
    """A policy's label selector; one the API should have refused selects nothing."""
    try:
        return selector_from_label_selector_object(obj)
    except SelectorError:
        return LabelSelector.nothing()


def policy_types(policy: dict) -> tuple[str, ...]:
    """spec.policyTypes, or the API's default when a client bypassed defaulting."""
    spec = policy.get("spec") or {}
    types = spec.get("policyTypes")
    if types:
        return tuple(t for t in types if t in (INGRESS, EGRESS))
    return (INGRESS, EGRESS) if spec.get("egress") else (INGRESS,)


def ip_block_networks(block: Mapping) -> list[ipaddress.IPv4Network]:
    """ipBlock.cidr minus every ipBlock.except, as the list of CIDRs that remain (what
    an iptables `-s`/`-d` can match without a chain per block)."""
    try:
        whole = ipaddress.ip_network(block.get("cidr", ""), strict=False)
    except ValueError:
        return []
    if whole.version != 4:
        return []
    remaining = [whole]
    for text in block.get("except") or ():
        try:
            hole = ipaddress.ip_network(text, strict=False)
        except ValueError:
            continue
        if hole.version != 4:
            continue
        kept = []
        for network in remaining:
            if hole.subnet_of(network):
                kept.extend(network.address_exclude(hole))
            elif not network.subnet_of(hole):
                kept.append(network)
        remaining = kept
    return sorted(remaining)


@dataclass
class Peers:
    """Who a rule's from/to admits: everyone, or these pods and these CIDRs."""
    anyone: bool = False
    pods: list[PodEndpoint] = field(default_factory=list)
    networks: list[ipaddress.IPv4Network] = field(default_factory=list)

    def addresses(self) -> list[str]:
        """iptables address operands, pods first, each once."""
        out = [f"{ip}/32" for pod in self.pods for ip in pod.ips]
        out += [str(network) for network in self.networks]
        return list(dict.fromkeys(out))

    def admits(self, pod: PodEndpoint) -> bool:
        if self.anyone or any(p.key == pod.key for p in self.pods):
            return True
        return any(ipaddress.ip_address(ip) in network for ip in pod.ips for network in self.networks)


class Cluster:
    """The pods and namespaces policies are resolved against, indexed by namespace."""

    def __init__(self, pods: Iterable[PodEndpoint],
                 namespace_labels: Mapping[str, Mapping[str, str]]) -> None:
        self.pods = list(pods)
        self.namespace_labels = namespace_labels
        self.by_namespace: dict[str, list[PodEndpoint]] = {}
        for pod in self.pods:
            self.by_namespace.setdefault(pod.namespace, []).append(pod)

    def selected_pods(self, policy: dict) -> list[PodEndpoint]:
        """The pods a policy applies to: its namespace's pods matching spec.podSelector."""
        meta = policy.get("metadata") or {}
        chosen = selector((policy.get("spec") or {}).get("podSelector") or {})
        return [pod for pod in self.by_namespace.get(meta.get("namespace", ""), ())
                if chosen.matches(pod.labels)]

    def peers(self, policy_namespace: str, peer_list: list | None) -> Peers:
        """An ingress rule's `from` or an egress rule's `to`; empty or absent: anyone."""
        if not peer_list:
            return Peers(anyone=True)
        result = Peers()
        seen: set[str] = set()
        for peer in peer_list:
            if peer.get("ipBlock") is not None:
                result.networks.extend(ip_block_networks(peer["ipBlock"]))
                continue
            pods_chosen = selector(peer["podSelector"]) if peer.get("podSelector") is not None else None
            if peer.get("namespaceSelector") is not None:
                namespaces_chosen = selector(peer["namespaceSelector"])
                namespaces = [name for name, labels in sorted(self.namespace_labels.items())
                              if namespaces_chosen.matches(labels)]
            else:  # podSelector alone: the policy's own namespace
                namespaces = [policy_namespace]
            for namespace in namespaces:
                for pod in self.by_namespace.get(namespace, ()):
                    if pod.key not in seen and (pods_chosen is None or pods_chosen.matches(pod.labels)):
                        seen.add(pod.key)
                        result.pods.append(pod)
        return result


@dataclass(frozen=True)
class PortMatch:
    """One protocol and, unless every port, a port or a `first:last` range."""
    protocol: str
    ports: str | None = None


def numeric_ports(ports: list | None) -> list[PortMatch] | None:
    """The rule's numeric and protocol-only ports; None when the rule has no `ports`
    (every port of every protocol). Named ports are left to `named_ports`."""
    if not ports:
        return None
    out = []
    for port in ports:
        protocol = port.get("protocol") or "TCP"
        value = port.get("port")
        if value is None:
            out.append(PortMatch(protocol))
        elif isinstance(value, int):
            end = port.get("endPort")
            out.append(PortMatch(protocol, f"{value}:{end}" if end and end > value else str(value)))
    return out


def named_ports(ports: list | None) -> list[tuple[str, str]]:
    """(protocol, port name) of the rule's named ports."""
    return [(port.get("protocol") or "TCP", port["port"]) for port in ports or ()
            if isinstance(port.get("port"), str)]


def resolve_named(named: list[tuple[str, str]], pod: PodEndpoint) -> list[PortMatch]:
    """Named ports as numbers on one pod; a name the pod does not have matches nothing."""
    out = []
    for protocol, name in named:
        number = pod.named_port(name, protocol)
        if number is not None:
            out.append(PortMatch(protocol, str(number)))
    return out
