# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""What a pod asks for (`PodInfo`, computed once per pod version) and what a node holds
(`NodeInfo`: allocatable, the requests of its pods summed as they come and go, used host
ports, pods with affinity). Filters then compare numbers instead of walking objects."""
from __future__ import annotations

from functools import lru_cache
from math import ceil
from typing import Mapping

from kybernetes.api.quantity import parse_quantity
from kybernetes.scheduler.labels import LabelMatcher, compile_label_selector

# Requests assumed for scoring when a container names none (upstream's non-zero defaults).
DEFAULT_MILLI_CPU_REQUEST = 100
DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024
HOSTNAME_LABEL = "kubernetes.io/hostname"
ZONE_LABEL = "topology.kubernetes.io/zone"


@lru_cache(maxsize=4096)
def milli_value(text: str) -> int:
    return ceil(parse_quantity(text) * 1000)


@lru_cache(maxsize=4096)
def int_value(text: str) -> int:
    return ceil(parse_quantity(text))


class Resource:
    """Requested or allocatable amounts: cpu in millicores, bytes, pod count, and any
    extended resource by name (`scalar`)."""
    __slots__ = ("milli_cpu", "memory", "ephemeral_storage", "pods", "scalar")

    def __init__(self, milli_cpu: int = 0, memory: int = 0, ephemeral_storage: int = 0,
                 pods: int = 0, scalar: dict[str, int] | None = None) -> None:
        self.milli_cpu = milli_cpu
        self.memory = memory
        self.ephemeral_storage = ephemeral_storage
        self.pods = pods
        self.scalar = scalar or {}

    @classmethod
    def from_list(cls, resources: Mapping[str, object] | None) -> "Resource":
        out = cls()
        for name, quantity in (resources or {}).items():
            text = str(quantity)
            if name == "cpu":
                out.milli_cpu = milli_value(text)
            elif name == "memory":
                out.memory = int_value(text)
            elif name == "ephemeral-storage":
                out.ephemeral_storage = int_value(text)
            elif name == "pods":
                out.pods = int_value(text)
            elif is_extended(name):
                out.scalar[name] = int_value(text)
        return out

    def copy(self) -> "Resource":
        return Resource(self.milli_cpu, self.memory, self.ephemeral_storage, self.pods,
                        dict(self.scalar))

    def add(self, other: "Resource", sign: int = 1) -> None:
        self.milli_cpu += sign * other.milli_cpu
        self.memory += sign * other.memory
        self.ephemeral_storage += sign * other.ephemeral_storage
        for name, value in other.scalar.items():
            self.scalar[name] = self.scalar.get(name, 0) + sign * value

    def set_max(self, other: "Resource") -> None:
        self.milli_cpu = max(self.milli_cpu, other.milli_cpu)
        self.memory = max(self.memory, other.memory)
        self.ephemeral_storage = max(self.ephemeral_storage, other.ephemeral_storage)
        for name, value in other.scalar.items():
            self.scalar[name] = max(self.scalar.get(name, 0), value)

    def is_zero(self) -> bool:
        return not (self.milli_cpu or self.memory or self.ephemeral_storage or any(self.scalar.values()))

    def __repr__(self) -> str:
        return (f"Resource(cpu={self.milli_cpu}m, memory={self.memory}, "
                f"ephemeral={self.ephemeral_storage}, pods={self.pods}, {self.scalar})")


def is_extended(name: str) -> bool:
    """Extended resources (vendor.io/gpu), hugepages and attachable volumes are scalars."""
    return "/" in name and not name.startswith("kubernetes.io/") or name.startswith("hugepages-") \
        or name.startswith("attachable-volumes-")


def _container_requests(container: Mapping, non_zero: bool) -> Resource:
    requests = ((container.get("resources") or {}).get("requests")) or {}
    out = Resource.from_list(requests)
    if non_zero:
        if "cpu" not in requests:
            out.milli_cpu = DEFAULT_MILLI_CPU_REQUEST
        if "memory" not in requests:
            out.memory = DEFAULT_MEMORY_REQUEST
    return out


def pod_requests(pod: Mapping, non_zero: bool = False) -> Resource:
    """As upstream computes a pod's request: the containers summed; each restartable init
    container (sidecar) runs beside them and is added; a regular init container runs
    alone with the sidecars started before it; the larger of the two wins, per resource;
    then the pod overhead."""
    spec = pod.get("spec") or {}
    total = Resource()
    for container in spec.get("containers") or []:
        total.add(_container_requests(container, non_zero))
    sidecars = Resource()
    init_peak = Resource()
    for container in spec.get("initContainers") or []:
        requests = _container_requests(container, non_zero)
        if container.get("restartPolicy") == "Always":
            total.add(requests)
            sidecars.add(requests)
            running = sidecars.copy()
        else:
            running = requests.copy()
            running.add(sidecars)
        init_peak.set_max(running)
    total.set_max(init_peak)
    overhead = spec.get("overhead")
    if overhead:
        total.add(Resource.from_list(overhead))
    return total


class AffinityTerm:
    """A PodAffinityTerm resolved against the pod that carries it: which namespaces it
    looks in, which labels it selects, and the topology key."""
    __slots__ = ("namespaces", "namespace_selector", "selector", "topology_key", "weight")

    def __init__(self, term: Mapping, owner_namespace: str, owner_labels: Mapping[str, str],
                 weight: int = 0) -> None:
        selector = term.get("labelSelector")
        # matchLabelKeys / mismatchLabelKeys fold the owner's label values into the selector
        extra = []
        for key in term.get("matchLabelKeys") or []:
            if key in owner_labels:
                extra.append({"key": key, "operator": "In", "values": [owner_labels[key]]})
        for key in term.get("mismatchLabelKeys") or []:
            if key in owner_labels:
                extra.append({"key": key, "operator": "NotIn", "values": [owner_labels[key]]})
        if extra and selector is not None:
            selector = dict(selector, matchExpressions=list(selector.get("matchExpressions") or []) + extra)
        self.selector: LabelMatcher = compile_label_selector(selector)
        names = term.get("namespaces") or []
        ns_selector = term.get("namespaceSelector")
        self.namespaces = frozenset(names) if names or ns_selector is not None else frozenset([owner_namespace])
        self.namespace_selector: LabelMatcher | None = (
            compile_label_selector(ns_selector) if ns_selector is not None else None)
        self.topology_key = term.get("topologyKey") or ""
        self.weight = weight

    def matches(self, pod: "PodInfo", namespace_labels: Mapping[str, Mapping[str, str]]) -> bool:
        if pod.namespace not in self.namespaces:
            if self.namespace_selector is None or not self.namespace_selector(
                    namespace_labels.get(pod.namespace) or {}):
                return False
        return self.selector(pod.labels)


def _terms(affinity: Mapping | None, kind: str, namespace: str,
           labels: Mapping[str, str]) -> tuple[list[AffinityTerm], list[AffinityTerm]]:
    section = (affinity or {}).get(kind) or {}
    required = [AffinityTerm(t, namespace, labels)
                for t in section.get("requiredDuringSchedulingIgnoredDuringExecution") or []]
    preferred = [AffinityTerm(w.get("podAffinityTerm") or {}, namespace, labels, w.get("weight") or 0)
                 for w in section.get("preferredDuringSchedulingIgnoredDuringExecution") or []]
    return required, preferred


class PodInfo:
    """A pod with everything the plugins derive from it, computed once."""
    __slots__ = ("pod", "uid", "namespace", "name", "labels", "priority", "requests",
                 "non_zero_cpu", "non_zero_memory", "host_ports", "required_affinity",
                 "preferred_affinity", "required_anti_affinity", "preferred_anti_affinity",
                 "terminating", "start_time")

    def __init__(self, pod: dict) -> None:
        meta = pod.get("metadata") or {}
        spec = pod.get("spec") or {}
        self.pod = pod
        self.uid = meta.get("uid") or f"{meta.get('namespace')}/{meta.get('name')}"
        self.namespace = meta.get("namespace") or ""
        self.name = meta.get("name") or ""
        self.labels = meta.get("labels") or {}
        self.priority = spec.get("priority") or 0
        self.requests = pod_requests(pod)
        non_zero = pod_requests(pod, non_zero=True)
        self.non_zero_cpu = non_zero.milli_cpu
        self.non_zero_memory = non_zero.memory
        self.host_ports = pod_host_ports(spec)
        affinity = spec.get("affinity")
        if affinity:
            self.required_affinity, self.preferred_affinity = _terms(
                affinity, "podAffinity", self.namespace, self.labels)
            self.required_anti_affinity, self.preferred_anti_affinity = _terms(
                affinity, "podAntiAffinity", self.namespace, self.labels)
        else:
            self.required_affinity = self.preferred_affinity = []
            self.required_anti_affinity = self.preferred_anti_affinity = []
        self.terminating = bool(meta.get("deletionTimestamp"))
        self.start_time = (pod.get("status") or {}).get("startTime") or meta.get("creationTimestamp") or ""

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def has_affinity(self) -> bool:
        return bool(self.required_affinity or self.preferred_affinity or
                    self.required_anti_affinity or self.preferred_anti_affinity)


def pod_host_ports(spec: Mapping) -> list[tuple[str, str, int]]:
    """(protocol, hostIP, hostPort) the pod claims on its node."""
    ports = []
    for container in list(spec.get("containers") or []) + list(spec.get("initContainers") or []):
        for port in container.get("ports") or []:
            host_port = port.get("hostPort") or 0
            if host_port > 0:
                ports.append((port.get("protocol") or "TCP", port.get("hostIP") or "0.0.0.0", host_port))
    return ports


class NodeInfo:
    """A node and the pods on it (bound or assumed), with running totals."""
    __slots__ = ("node", "name", "labels", "taints", "unschedulable", "allocatable",
                 "requested", "non_zero_cpu", "non_zero_memory", "pods", "used_ports",
                 "pods_with_affinity", "pods_with_required_anti_affinity", "generation")

    def __init__(self, node: dict | None = None, name: str = "") -> None:
        self.pods: list[PodInfo] = []
        self.requested = Resource()
        self.non_zero_cpu = 0
        self.non_zero_memory = 0
        self.used_ports: dict[tuple[str, int], list[str]] = {}
        self.pods_with_affinity: list[PodInfo] = []
        self.pods_with_required_anti_affinity: list[PodInfo] = []
        self.generation = 0
        self.node: dict | None = None
        self.name = name
        self.labels: dict = {}
        self.taints: list = []
        self.unschedulable = False
        self.allocatable = Resource()
        if node is not None:
            self.set_node(node)

    def set_node(self, node: dict) -> None:
        meta = node.get("metadata") or {}
        spec = node.get("spec") or {}
        self.node = node
        self.name = meta.get("name") or self.name
        self.labels = meta.get("labels") or {}
        self.taints = spec.get("taints") or []
        self.unschedulable = bool(spec.get("unschedulable"))
        status = node.get("status") or {}
        self.allocatable = Resource.from_list(status.get("allocatable") or status.get("capacity"))
        self.generation += 1

    def add_pod(self, info: PodInfo) -> None:
        self.pods.append(info)
        self._account(info, 1)
        for protocol, ip, port in info.host_ports:
            self.used_ports.setdefault((protocol, port), []).append(ip)
        if info.has_affinity:
            self.pods_with_affinity.append(info)
        if info.required_anti_affinity:
            self.pods_with_required_anti_affinity.append(info)
        self.generation += 1

    def remove_pod(self, uid: str) -> PodInfo | None:
        for index, info in enumerate(self.pods):
            if info.uid == uid:
                del self.pods[index]
                break
        else:
            return None
        self._account(info, -1)
        for protocol, ip, port in info.host_ports:
            ips = self.used_ports.get((protocol, port))
            if ips and ip in ips:
                ips.remove(ip)
                if not ips:
                    del self.used_ports[(protocol, port)]
        if info.has_affinity:
            self.pods_with_affinity = [p for p in self.pods_with_affinity if p.uid != uid]
        if info.required_anti_affinity:
            self.pods_with_required_anti_affinity = [
                p for p in self.pods_with_required_anti_affinity if p.uid != uid]
        self.generation += 1
        return info

    def _account(self, info: PodInfo, sign: int) -> None:
        self.requested.add(info.requests, sign)
        self.non_zero_cpu += sign * info.non_zero_cpu
        self.non_zero_memory += sign * info.non_zero_memory

    def clone(self) -> "NodeInfo":
        """A copy whose pod list can change (preemption's what-if runs, nominated pods)."""
        twin = NodeInfo.__new__(NodeInfo)
        twin.node, twin.name, twin.labels, twin.taints = self.node, self.name, self.labels, self.taints
        twin.unschedulable, twin.allocatable = self.unschedulable, self.allocatable
        twin.requested = self.requested.copy()
        twin.non_zero_cpu, twin.non_zero_memory = self.non_zero_cpu, self.non_zero_memory
        twin.pods = list(self.pods)
        twin.used_ports = {k: list(v) for k, v in self.used_ports.items()}
        twin.pods_with_affinity = list(self.pods_with_affinity)
        twin.pods_with_required_anti_affinity = list(self.pods_with_required_anti_affinity)
        twin.generation = self.generation
        return twin

    def __repr__(self) -> str:
        return f"NodeInfo({self.name}, pods={len(self.pods)}, requested={self.requested})"
