# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The filter-table chains that enforce NetworkPolicies on one node (pure).

    FORWARD -> KUBE-NWPLCY-FORWARD   replies of allowed connections RETURN at once;
                                     -s <pod> jumps to the pod's egress chain,
                                     -d <pod> jumps to the pod's ingress chain
    KUBE-NWPLCY-E-<hash>             one rule per allowed (destination, ports): RETURN;
    KUBE-NWPLCY-I-<hash>             one rule per allowed (source, ports): RETURN;
                                     last rule: DROP (the pod is isolated)

A pod gets a chain for a direction only when some policy of that type selects it (a
pod no policy selects is not isolated); policies are additive because each adds
RETURN rules to the same chain. An allowed packet RETURNs to FORWARD's later rules
(kube-proxy's, the CNI's), exactly as if no policy existed. Traffic from the node
itself goes through OUTPUT, not FORWARD, so the kubelet's probes always pass, as the
NetworkPolicy documentation requires. Chains are named by a hash of the pod's
namespace/name, as kube-proxy names its KUBE-SVC-<hash> chains."""
from __future__ import annotations

import base64
import hashlib
from typing import Iterable, Mapping

from kybernetes.netpol.model import (EGRESS, INGRESS, Cluster, Peers, PodEndpoint, PortMatch,
                                     named_ports, numeric_ports, pod_endpoint, policy_types,
                                     resolve_named)

CHAIN_PREFIX = "KUBE-NWPLCY-"
FORWARD_CHAIN = "KUBE-NWPLCY-FORWARD"
INGRESS_PREFIX = "KUBE-NWPLCY-I-"
EGRESS_PREFIX = "KUBE-NWPLCY-E-"
# The jump from the built-in FORWARD chain, kept as its first rule.
JUMP_ARGS = ["-m", "comment", "--comment", "kubernetes network policy", "-j", FORWARD_CHAIN]
MULTIPORT_SLOTS = 15  # xt_multiport's limit; a range takes two
PROTOCOL_MATCH = {"TCP": "tcp", "UDP": "udp", "SCTP": "sctp"}

Chains = dict[str, list[str]]  # chain -> its rules, each the text after `-A <chain> `


def _hash(text: str) -> str:
    return base64.b32encode(hashlib.sha256(text.encode()).digest()).decode()[:12]


def pod_chain(direction: str, pod: PodEndpoint) -> str:
    return (INGRESS_PREFIX if direction == INGRESS else EGRESS_PREFIX) + _hash(pod.key)


def _comment(text: str) -> str:
    return f'-m comment --comment "{text}"'


def _port_clauses(ports: list[PortMatch] | None) -> list[str]:
    """`-p`/port matches covering `ports` (None: any protocol and port), fewest rules:
    one per protocol, multiport when several ports share one."""
    if ports is None:
        return [""]
    by_protocol: dict[str, list[str] | None] = {}
    for match in ports:
        if match.protocol not in PROTOCOL_MATCH:
            continue
        if match.ports is None:
            by_protocol[match.protocol] = None  # every port of the protocol
        elif by_protocol.get(match.protocol, []) is not None:
            wanted = by_protocol.setdefault(match.protocol, [])
            if match.ports not in wanted:
                wanted.append(match.ports)
    clauses = []
    for protocol, numbers in by_protocol.items():
        name = PROTOCOL_MATCH[protocol]
        if numbers is None:
            clauses.append(f"-p {name}")
        elif len(numbers) == 1:
            clauses.append(f"-p {name} -m {name} --dport {numbers[0]}")
        else:
            for chunk in _multiport_chunks(numbers):
                clauses.append(f"-p {name} -m multiport --dports {','.join(chunk)}")
    return clauses


def _multiport_chunks(numbers: list[str]) -> list[list[str]]:
    chunks: list[list[str]] = [[]]
    used = 0
    for number in numbers:
        size = 2 if ":" in number else 1
        if used + size > MULTIPORT_SLOTS:
            chunks.append([])
            used = 0
        chunks[-1].append(number)
        used += size
    return chunks


class _Resolver:
    """Peers and egress named-port destinations, once per policy rule for all pods."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.peers_cache: dict[tuple, Peers] = {}
        self.named_cache: dict[tuple, list[tuple[str, list[PortMatch]]]] = {}

    def peers(self, policy_key: str, namespace: str, direction: str, index: int,
              peer_list: list | None) -> Peers:
        key = (policy_key, direction, index)
        if key not in self.peers_cache:
            self.peers_cache[key] = self.cluster.peers(namespace, peer_list)
        return self.peers_cache[key]

    def named_destinations(self, policy_key: str, index: int, peers: Peers,
                           named: list[tuple[str, str]]) -> list[tuple[str, list[PortMatch]]]:
        """(address, ports) of every admitted pod that has one of the named ports."""
        key = (policy_key, index)
        if key not in self.named_cache:
            out = []
            for pod in self.cluster.pods:
                ports = resolve_named(named, pod)
                if ports and peers.admits(pod):
                    out += [(f"{ip}/32", ports) for ip in pod.ips]
            self.named_cache[key] = out
        return self.named_cache[key]


def _policy_rules(resolver: _Resolver, policy: dict, pod: PodEndpoint, direction: str) -> list[str]:
    meta = policy.get("metadata") or {}
    namespace = meta.get("namespace", "")
    policy_key = f"{namespace}/{meta.get('name', '')}"
    spec = policy.get("spec") or {}
    flag = "-s" if direction == INGRESS else "-d"
    out: list[str] = []

    def emit(comment: str, address: str | None, ports: list[PortMatch] | None) -> None:
        where = f" {flag} {address}" if address else ""
        for clause in _port_clauses(ports):
            out.append(f"{comment}{where}{' ' + clause if clause else ''} -j RETURN")

    field = "from" if direction == INGRESS else "to"
    for index, rule in enumerate(spec.get("ingress" if direction == INGRESS else "egress") or ()):
        comment = _comment(f"{policy_key} {direction.lower()} rule {index}")
        peers = resolver.peers(policy_key, namespace, direction, index, rule.get(field))
        addresses: list[str | None] = [None] if peers.anyone else peers.addresses()
        numeric = numeric_ports(rule.get("ports"))
        named = named_ports(rule.get("ports"))
        if numeric is None:  # no ports: every port
            for address in addresses:
                emit(comment, address, None)
            continue
        if direction == INGRESS:  # named ports are the policed pod's own
            ports = numeric + resolve_named(named, pod)
            for address in addresses if ports else ():
                emit(comment, address, ports)
            continue
        if numeric:
            for address in addresses:
                emit(comment, address, numeric)
        if named:  # named ports are each destination pod's
            for address, ports in resolver.named_destinations(policy_key, index, peers, named):
                emit(comment, address, ports)
    return out


def generate_chains(policies: Iterable[dict], pods: Iterable[PodEndpoint],
                    namespace_labels: Mapping[str, Mapping[str, str]], node_name: str) -> Chains:
    """Every KUBE-NWPLCY chain this node needs; empty when no pod on it is isolated."""
    cluster = Cluster(pods, namespace_labels)
    applying: dict[tuple[str, str], list[dict]] = {}
    ordered = sorted(policies, key=lambda p: ((p.get("metadata") or {}).get("namespace", ""),
                                              (p.get("metadata") or {}).get("name", "")))
    for policy in ordered:
        types = policy_types(policy)
        for pod in cluster.selected_pods(policy):
            if pod.node_name == node_name:
                for direction in types:
                    applying.setdefault((pod.key, direction), []).append(policy)
    if not applying:
        return {}
    resolver = _Resolver(cluster)
    chains: Chains = {FORWARD_CHAIN: [
        f"{_comment('replies of allowed connections')} -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN"]}
    jumps: dict[str, list[str]] = {EGRESS: [], INGRESS: []}
    for pod in sorted(cluster.pods, key=lambda p: p.key):
        if pod.node_name != node_name:
            continue
        for direction in (EGRESS, INGRESS):
            policies_here = applying.get((pod.key, direction))
            if not policies_here:
                continue
            chain = pod_chain(direction, pod)
            rules: list[str] = []
            for policy in policies_here:
                rules += _policy_rules(resolver, policy, pod, direction)
            rules.append(f"{_comment(f'{pod.key} is isolated for {direction.lower()}')} -j DROP")
            chains[chain] = list(dict.fromkeys(rules))
            flag = "-s" if direction == EGRESS else "-d"
            jumps[direction] += [f"{_comment(f'{direction.lower()} policies of {pod.key}')} "
                                 f"{flag} {ip}/32 -j {chain}" for ip in pod.ips]
    chains[FORWARD_CHAIN] += jumps[EGRESS] + jumps[INGRESS]
    return chains


def desired_chains(policies: Iterable[dict], pods: Iterable[dict], namespaces: Iterable[dict],
                   node_name: str) -> Chains:
    """`generate_chains` from API objects as the informers hold them."""
    endpoints = [e for e in (pod_endpoint(pod) for pod in pods) if e is not None]
    labels = {(ns.get("metadata") or {}).get("name", ""): (ns.get("metadata") or {}).get("labels") or {}
              for ns in namespaces}
    return generate_chains(policies, endpoints, labels, node_name)


def restore_text(desired: Chains, applied: Chains | None, existing: Iterable[str] = ()) -> str:
    """`iptables-restore --noflush` text taking the filter table from `applied` (what
    this process last wrote; None when unknown) to `desired`: only the chains whose
    rules changed are declared (which flushes them) and refilled, and chains no longer
    wanted (including `existing` ones left by an earlier run) are flushed and deleted,
    all in one atomic commit. Empty when nothing changed."""
    changed = [c for c in desired if applied is None or applied.get(c) != desired[c]]
    stale = sorted((set(applied or ()) | {c for c in existing if c.startswith(CHAIN_PREFIX)})
                   - set(desired))
    if not changed and not stale:
        return ""
    lines = ["*filter"]
    lines += [f":{chain} - [0:0]" for chain in changed + stale]
    for chain in changed:
        lines += [f"-A {chain} {rule}" for rule in desired[chain]]
    lines += [f"-X {chain}" for chain in stale]
    lines.append("COMMIT")
    return "\n".join(lines) + "\n"


def own_chains_in_save(save_text: str) -> dict[str, int]:
    """KUBE-NWPLCY chain -> rule count, from `iptables-save -t filter` output."""
    counts: dict[str, int] = {}
    for line in save_text.splitlines():
        if line.startswith(":" + CHAIN_PREFIX):
            counts.setdefault(line[1:].split()[0], 0)
        elif line.startswith("-A " + CHAIN_PREFIX):
            chain = line.split()[1]
            counts[chain] = counts.get(chain, 0) + 1
    return counts


def drifted(desired: Chains, save_text: str) -> bool:
    """Whether the kernel's chains differ from `desired` (another program flushed or
    deleted some): the chains present and each one's number of rules."""
    return own_chains_in_save(save_text) != {chain: len(rules) for chain, rules in desired.items()}
