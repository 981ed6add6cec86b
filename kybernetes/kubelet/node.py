# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The Node object a kubelet registers and keeps current: capacity and allocatable,
labels, addresses, nodeInfo, conditions and the kubelet endpoint.

Upstream's rhythm: the kubelet checks its status every 10 s but writes it only when
something changed or 5 minutes have passed (nodeStatusReportFrequency); liveness comes
from the Lease (see lease.py). Everything here is pure but `machine_capacity`.
"""
from __future__ import annotations

import os
import platform
import uuid
from dataclasses import dataclass, field

from kybernetes import KUBERNETES_VERSION
from kybernetes.api.quantity import canonical_quantity
from kybernetes.kubelet.pods import rfc3339

KUBELET_PORT = 10250
STATUS_REPORT_INTERVAL = 300.0
STATUS_CHECK_INTERVAL = 10.0
_ARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "ppc64le": "ppc64le",
         "s390x": "s390x", "riscv64": "riscv64"}
_IDENTITY_NAMESPACE = uuid.UUID("6f1d3c2e-9a57-4c1e-8c2b-6b7279626572")

# (type, healthy status, reason, message) in the order upstream reports them
HEALTHY_CONDITIONS = (
    ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
)


def host_architecture() -> str:
    machine = platform.machine()
    return _ARCH.get(machine, machine.lower())


def os_image() -> str:
    try:
        with open("/etc/os-release") as handle:
            for line in handle:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return "Linux"


def machine_capacity(path: str = "/") -> dict[str, str]:
    """This machine's cpu, memory and root-disk size, as a kubelet reports them."""
    memory_kib = 0
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    memory_kib = int(line.split()[1])
    except OSError:
        pass
    try:
        stat = os.statvfs(path)
        disk = stat.f_blocks * stat.f_frsize
    except OSError:
        disk = 0
    return {"cpu": str(os.cpu_count() or 1), "memory": f"{memory_kib}Ki",
            "ephemeral-storage": f"{disk // 1024}Ki", "pods": "110"}


def machine_allocatable(capacity: dict[str, str], eviction_hard: list | None = None) -> dict[str, str]:
    """Capacity less the hard-eviction thresholds (by default memory.available<100Mi,
    nodefs.available<10%), as upstream computes allocatable with no reservations."""
    from kybernetes.api.quantity import parse_quantity
    from kybernetes.kubelet.eviction import DEFAULT_EVICTION_HARD, parse_thresholds
    thresholds = {t.signal: t for t in (parse_thresholds(DEFAULT_EVICTION_HARD)
                                        if eviction_hard is None else eviction_hard)}
    allocatable = dict(capacity)
    for name, signal in (("memory", "memory.available"), ("ephemeral-storage", "nodefs.available")):
        total = int(parse_quantity(capacity.get(name, "0")))
        reserved = thresholds[signal].value(total) if signal in thresholds else 0
        allocatable[name] = str(max(total - reserved, 0))
    allocatable["memory"] = f"{int(allocatable['memory']) // 1024}Ki"
    return allocatable


@dataclass
class NodeConfig:
    """What a kubelet says about its node at registration."""
    name: str
    capacity: dict[str, str]
    allocatable: dict[str, str] | None = None
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    taints: list[dict] = field(default_factory=list)
    internal_ip: str = ""
    runtime_version: str = "fake://0.1.0"
    architecture: str = field(default_factory=host_architecture)
    os_image: str = field(default_factory=os_image)
    kernel_version: str = field(default_factory=platform.release)
    boot_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    pod_cidr: str = ""
    kubelet_port: int = KUBELET_PORT  # where the kubelet's HTTPS server listens


def node_identity(name: str) -> dict[str, str]:
    """machineID and systemUUID: stable per node name, distinct between nodes."""
    stable = uuid.uuid5(_IDENTITY_NAMESPACE, name)
    return {"machineID": stable.hex, "systemUUID": str(uuid.uuid5(stable, "system"))}


def node_labels(config: NodeConfig) -> dict[str, str]:
    labels = {"beta.kubernetes.io/arch": config.architecture, "beta.kubernetes.io/os": "linux",
              "kubernetes.io/arch": config.architecture, "kubernetes.io/hostname": config.name,
              "kubernetes.io/os": "linux"}
    labels.update(config.labels)
    return labels


# the pressure conditions when eviction thresholds are met (kybernetes.kubelet.eviction)
PRESSURE_CONDITIONS = {
    "MemoryPressure": ("True", "KubeletHasInsufficientMemory", "kubelet has insufficient memory available"),
    "DiskPressure": ("True", "KubeletHasDiskPressure", "kubelet has disk pressure"),
    "PIDPressure": ("True", "KubeletHasInsufficientPID", "kubelet has insufficient PID available"),
}


# Ready's message while the pod network has no configuration yet (upstream's runtime
# status check, worded as containerd's CRI reports an uninitialized CNI)
NETWORK_NOT_READY = ("container runtime network not ready: NetworkReady=false "
                     "reason:NetworkPluginNotReady message:Network plugin returns error: "
                     "cni plugin not initialized")


def node_conditions(now: float, previous: list[dict] | None = None,
                    pressures: set[str] | frozenset[str] = frozenset(),
                    not_ready: str = "") -> list[dict]:
    """The four conditions, healthy but for the `pressures` the eviction manager
    observes and Ready False with `not_ready` as its message; a transition time is kept
    while the status stays the same."""
    old = {c.get("type"): c for c in previous or []}
    stamp = rfc3339(now)
    conditions = []
    for kind, status, reason, message in HEALTHY_CONDITIONS:
        if kind in pressures:
            status, reason, message = PRESSURE_CONDITIONS[kind]
        if kind == "Ready" and not_ready:
            status, reason, message = "False", "KubeletNotReady", not_ready
        before = old.get(kind)
        transition = before.get("lastTransitionTime") if before and before.get("status") == status \
            else stamp
        conditions.append({"type": kind, "status": status, "lastHeartbeatTime": stamp,
                           "lastTransitionTime": transition or stamp, "reason": reason,
                           "message": message})
    return conditions


def node_status(config: NodeConfig, now: float) -> dict:
    capacity = {name: canonical_quantity(value) for name, value in config.capacity.items()}
    capacity.setdefault("hugepages-1Gi", "0")
    capacity.setdefault("hugepages-2Mi", "0")
    allocatable = {name: canonical_quantity(value)
                   for name, value in (config.allocatable or config.capacity).items()}
    for name, value in capacity.items():
        allocatable.setdefault(name, value)
    addresses = []
    if config.internal_ip:
        addresses.append({"type": "InternalIP", "address": config.internal_ip})
    addresses.append({"type": "Hostname", "address": config.name})
    return {
        "capacity": capacity, "allocatable": allocatable,
        "conditions": node_conditions(now), "addresses": addresses,
        "daemonEndpoints": {"kubeletEndpoint": {"Port": config.kubelet_port}},
        "nodeInfo": {**node_identity(config.name), "bootID": config.boot_id,
                     "kernelVersion": config.kernel_version, "osImage": config.os_image,
                     "containerRuntimeVersion": config.runtime_version,
                     "kubeletVersion": KUBERNETES_VERSION, "kubeProxyVersion": "",
                     "operatingSystem": "linux", "architecture": config.architecture},
    }


def build_node(config: NodeConfig, now: float) -> dict:
    """The Node a kubelet creates when it registers."""
    spec: dict = {}
    if config.taints:
        spec["taints"] = config.taints
    if config.pod_cidr:
        spec["podCIDR"] = config.pod_cidr
        spec["podCIDRs"] = [config.pod_cidr]
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": config.name, "labels": node_labels(config),
                         "annotations": {"volumes.kubernetes.io/controller-managed-attach-detach": "true",
                                         **config.annotations}},
            "spec": spec, "status": node_status(config, now)}


def parse_taints(text: str) -> list[dict]:
    """`--register-with-taints key=value:Effect,key:Effect` as upstream parses them."""
    taints = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        key_value, sep, effect = item.rpartition(":")
        if not sep or effect not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
            raise ValueError(f"invalid taint {item!r}: expected key[=value]:NoSchedule|"
                             f"PreferNoSchedule|NoExecute")
        key, _, value = key_value.partition("=")
        taint = {"key": key, "effect": effect}
        if value:
            taint["value"] = value
        taints.append(taint)
    return taints


def parse_labels(text: str) -> dict[str, str]:
    """`--node-labels k=v,k2=v2`."""
    labels = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"invalid node label {item!r}: expected key=value")
        labels[key] = value
    return labels
