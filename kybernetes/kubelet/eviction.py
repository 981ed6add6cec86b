# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Node-pressure eviction as upstream's eviction manager does it: eviction signals
observed every 10 s, hard and soft thresholds (`--eviction-hard`, `--eviction-soft`,
`--eviction-soft-grace-period`), the MemoryPressure/DiskPressure/PIDPressure node
conditions held for `--eviction-pressure-transition-period`, and one pod evicted per
monitoring interval, ranked as upstream ranks them.

Everything but `observe_node` is pure: the signal source is a function given to
`EvictionManager`, so tests feed it observations.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Callable

from kybernetes.api.quantity import BINARY_SI, format_quantity, parse_quantity
from kybernetes.kubelet.pods import pod_requests

MONITORING_INTERVAL = 10.0
DEFAULT_PRESSURE_TRANSITION_PERIOD = 300.0
DEFAULT_EVICTION_HARD = ("memory.available<100Mi,nodefs.available<10%,"
                         "nodefs.inodesFree<5%,imagefs.available<15%")
log = logging.getLogger("kybernetes.kubelet.eviction")
IMMEDIATE_GRACE_SECONDS = 1
CRITICAL_PRIORITY = 2_000_000_000  # system-cluster-critical and above are never evicted

MEMORY_AVAILABLE, NODEFS_AVAILABLE, NODEFS_INODES_FREE = "memory.available", "nodefs.available", "nodefs.inodesFree"
IMAGEFS_AVAILABLE, IMAGEFS_INODES_FREE, PID_AVAILABLE = "imagefs.available", "imagefs.inodesFree", "pid.available"
# signal -> (starved resource as the message names it, node condition)
SIGNALS = {
    MEMORY_AVAILABLE: ("memory", "MemoryPressure"),
    NODEFS_AVAILABLE: ("ephemeral-storage", "DiskPressure"),
    NODEFS_INODES_FREE: ("inodes", "DiskPressure"),
    IMAGEFS_AVAILABLE: ("ephemeral-storage", "DiskPressure"),
    IMAGEFS_INODES_FREE: ("inodes", "DiskPressure"),
    PID_AVAILABLE: ("pids", "PIDPressure"),
}
_THRESHOLD = re.compile(r"^\s*([A-Za-z.]+)\s*<\s*(\S+?)\s*$")


class ThresholdError(ValueError):
    pass


@dataclass(frozen=True)
class Threshold:
    signal: str
    quantity: int | None = None      # an absolute amount (bytes, inodes, pids)
    percentage: Fraction | None = None  # or a share of capacity
    grace_period: float = 0.0        # soft thresholds only
    hard: bool = True

    def value(self, capacity: int) -> int:
        """The amount below which this threshold is met, for `capacity`."""
        if self.quantity is not None:
            return self.quantity
        return int(Fraction(capacity) * (self.percentage or 0))

    def text(self, capacity: int) -> str:
        return quantity_text(self.value(capacity), self.signal)


def quantity_text(amount: int, signal: str) -> str:
    """How upstream prints an amount of this signal: bytes in binary SI, counts plainly."""
    if signal in (MEMORY_AVAILABLE, NODEFS_AVAILABLE, IMAGEFS_AVAILABLE):
        return format_quantity(Fraction(amount), BINARY_SI)
    return str(amount)


def parse_thresholds(text: str, *, hard: bool = True,
                     grace_periods: dict[str, float] | None = None) -> list[Threshold]:
    """`memory.available<100Mi,nodefs.available<10%` as upstream parses --eviction-hard."""
    thresholds: dict[str, Threshold] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        match = _THRESHOLD.match(item)
        if not match:
            raise ThresholdError(f"invalid eviction threshold {item!r}: expected SIGNAL<QUANTITY")
        signal, amount = match.groups()
        if signal not in SIGNALS:
            raise ThresholdError(f"unsupported eviction signal {signal}")
        if signal in thresholds:
            raise ThresholdError(f"found duplicate eviction threshold for signal {signal}")
        grace = 0.0
        if not hard:
            if grace_periods is None or signal not in grace_periods:
                raise ThresholdError(f"no grace period specified for soft eviction threshold {signal}")
            grace = grace_periods[signal]
        if amount.endswith("%"):
            try:
                percent = Fraction(amount[:-1])
            except ValueError:
                raise ThresholdError(f"invalid percentage {amount!r} for {signal}") from None
            if not 0 < percent <= 100:
                raise ThresholdError(f"eviction percentage threshold {signal} must be > 0% and <= 100%: {amount}")
            thresholds[signal] = Threshold(signal, percentage=percent / 100, grace_period=grace, hard=hard)
        else:
            try:
                value = parse_quantity(amount)
            except ValueError:
                raise ThresholdError(f"invalid quantity {amount!r} for {signal}") from None
            if value < 0:
                raise ThresholdError(f"eviction threshold {signal} cannot be negative: {amount}")
            thresholds[signal] = Threshold(signal, quantity=int(value), grace_period=grace, hard=hard)
    return list(thresholds.values())


def parse_grace_periods(text: str) -> dict[str, float]:
    """`memory.available=1m30s,nodefs.available=2m` (--eviction-soft-grace-period)."""
    periods = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        signal, sep, duration = item.partition("=")
        if not sep or signal.strip() not in SIGNALS:
            raise ThresholdError(f"invalid eviction grace period {item!r}: expected SIGNAL=DURATION")
        periods[signal.strip()] = parse_duration(duration.strip())
    return periods


def parse_duration(text: str) -> float:
    """A Go duration (`5m`, `1m30s`, `0s`, `500ms`) in seconds."""
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", text)
    if not text or "".join(n + u for n, u in parts) != text:
        if text == "0":
            return 0.0
        raise ThresholdError(f"invalid duration {text!r}")
    scale = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    return sum(float(number) * scale[unit] for number, unit in parts)


@dataclass(frozen=True)
class Observation:
    available: int
    capacity: int


Observations = dict[str, Observation]


def thresholds_met(thresholds: list[Threshold], observations: Observations) -> list[Threshold]:
    return [t for t in thresholds if t.signal in observations and
            observations[t.signal].available < t.value(observations[t.signal].capacity)]


# ---------------------------------------------------------------- ranking
@dataclass(frozen=True)
class PodUsage:
    """What a pod uses of the starved resource (0 where the runtime cannot tell), and per
    container, for the eviction message."""
    total: int = 0
    containers: dict[str, int] = field(default_factory=dict)


def pod_priority(pod: dict) -> int:
    return int((pod.get("spec") or {}).get("priority") or 0)


def is_critical(pod: dict) -> bool:
    """Static/mirror pods and system-critical priority are never evicted, as upstream."""
    annotations = pod["metadata"].get("annotations") or {}
    return pod_priority(pod) >= CRITICAL_PRIORITY or "kubernetes.io/config.mirror" in annotations


def rank_for_eviction(pods: list[dict], usage: dict[str, PodUsage], resource: str) -> list[dict]:
    """Pods in the order upstream evicts them: usage above requests first, then lower
    priority, then usage minus requests, largest first (uid keys `usage`)."""
    def key(pod: dict):
        used = usage.get(pod["metadata"]["uid"], PodUsage()).total
        requested = pod_requests(pod).get(resource, 0) if resource in ("memory", "ephemeral-storage") else 0
        return (0 if used > requested else 1, pod_priority(pod), -(used - requested))
    return sorted((p for p in pods if not is_critical(p)), key=key)


def eviction_message(resource: str, threshold: Threshold, observation: Observation,
                     pod: dict, usage: PodUsage) -> str:
    """Upstream's message, naming each container using more than it asked for."""
    message = (f"The node was low on resource: {resource}. Threshold quantity: "
               f"{threshold.text(observation.capacity)}, available: "
               f"{quantity_text(observation.available, threshold.signal)}. ")
    if resource not in ("memory", "ephemeral-storage"):
        return message
    for container in (pod.get("spec") or {}).get("containers") or []:
        name = container.get("name", "")
        used = usage.containers.get(name)
        if used is None:
            continue
        request_text = ((container.get("resources") or {}).get("requests") or {}).get(resource)
        requested = int(parse_quantity(request_text)) if request_text else 0
        if used > requested:
            used_text = quantity_text(used, MEMORY_AVAILABLE)
            message += (f"Container {name} was using {used_text}, request is {request_text or 0}, "
                        f"has larger consumption of {resource}. ")
    return message


# ---------------------------------------------------------------- the manager
@dataclass
class Decision:
    """What one monitoring round concluded."""
    conditions: set[str]         # node conditions under pressure now
    victim: dict | None = None   # the pod to evict this round
    message: str = ""
    resource: str = ""


class EvictionManager:
    def __init__(self, thresholds: list[Threshold], observe: Callable[[], Observations], *,
                 transition_period: float = DEFAULT_PRESSURE_TRANSITION_PERIOD) -> None:
        self.thresholds = thresholds
        self.observe = observe
        self.transition_period = transition_period
        self.first_met: dict[Threshold, float] = {}    # soft thresholds: since when
        self.last_pressure: dict[str, float] = {}      # condition -> last time observed
        self.observations: Observations = {}

    def conditions(self, now: float) -> set[str]:
        """Conditions observed within the transition period (they do not flap)."""
        return {kind for kind, seen in self.last_pressure.items() if now - seen < self.transition_period
                or seen == now}

    def decide(self, now: float, pods: list[dict], usage: dict[str, PodUsage],
               storage_usage: dict[str, PodUsage] | None = None) -> Decision:
        """Observe, update the conditions and pick at most one pod to evict; `usage` is
        each pod's memory, `storage_usage` its ephemeral storage (by uid)."""
        self.observations = observations = self.observe()
        met_now = thresholds_met(self.thresholds, observations)
        for threshold in list(self.first_met):
            if threshold not in met_now:
                del self.first_met[threshold]
        for threshold in met_now:
            self.first_met.setdefault(threshold, now)
        # a soft threshold counts once met for its whole grace period
        acting = [t for t in met_now if t.hard or now - self.first_met[t] >= t.grace_period]
        for threshold in met_now:
            self.last_pressure[SIGNALS[threshold.signal][1]] = now
        decision = Decision(self.conditions(now))
        if not acting:
            return decision
        # memory first, as upstream orders the starved resources
        acting.sort(key=lambda t: list(SIGNALS).index(t.signal))
        threshold = acting[0]
        resource = SIGNALS[threshold.signal][0]
        # pids and inodes per pod are not measured: those rank by priority alone
        usage = usage if resource == "memory" else (storage_usage or {}) \
            if resource == "ephemeral-storage" else {}
        ranked = rank_for_eviction(pods, usage, resource)
        if not ranked:
            return decision
        victim = ranked[0]
        decision.victim, decision.resource = victim, resource
        decision.message = eviction_message(resource, threshold, observations[threshold.signal],
                                            victim, usage.get(victim["metadata"]["uid"], PodUsage()))
        return decision


def _tolerates_memory_pressure(pod: dict) -> bool:
    for toleration in (pod.get("spec") or {}).get("tolerations") or []:
        key, effect = toleration.get("key", ""), toleration.get("effect", "")
        operator = toleration.get("operator") or "Equal"
        if effect not in ("", "NoSchedule"):
            continue
        if (key == "" and operator == "Exists") or (key == "node.kubernetes.io/memory-pressure" and (
                operator == "Exists" or not toleration.get("value"))):
            return True
    return False


def pressure_rejection(pod: dict, pressures: set[str]) -> tuple[str, str] | None:
    """Upstream's admission under node pressure: with memory pressure alone only
    BestEffort pods (not tolerating it) are refused; any other pressure refuses all but
    critical pods."""
    if not pressures or is_critical(pod):
        return None
    if pressures == {"MemoryPressure"}:
        from kybernetes.kubelet.containerconfig import qos_class
        if qos_class(pod) != "BestEffort" or _tolerates_memory_pressure(pod):
            return None
    order = ["MemoryPressure", "DiskPressure", "PIDPressure"]
    names = " ".join(sorted(pressures, key=lambda c: order.index(c) if c in order else 9))
    return "Evicted", f"The node had condition: [{names}]. "


def evicted_status(pod: dict, message: str, now: str) -> dict:
    """The status of an evicted pod: Failed, reason Evicted, and a DisruptionTarget
    condition as upstream adds (reason TerminationByKubelet)."""
    status = {"phase": "Failed", "reason": "Evicted", "message": message}
    old = pod.get("status") or {}
    for key in ("qosClass", "startTime", "hostIP", "hostIPs", "podIP", "podIPs"):
        if old.get(key):
            status[key] = old[key]
    conditions = [c for c in old.get("conditions") or [] if c.get("type") != "DisruptionTarget"]
    conditions.append({"type": "DisruptionTarget", "status": "True", "lastProbeTime": None,
                       "lastTransitionTime": now, "reason": "TerminationByKubelet",
                       "message": message})
    status["conditions"] = conditions
    return status


# ---------------------------------------------------------------- this machine's signals
def read_meminfo(text: str) -> dict[str, int]:
    """/proc/meminfo in bytes."""
    values = {}
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            values[name] = int(parts[0]) * (1024 if len(parts) > 1 and parts[1] == "kB" else 1)
    return values


def observe_node(root_dir: Path, images_dir: Path | None = None,
                 memory_available: Callable[[], tuple[int, int]] | None = None) -> Observations:
    """The eviction signals of this machine: memory from the root cgroup's working set
    (capacity - working set, as upstream) or MemAvailable, the filesystems of the
    kubelet's root (and image) directory, and pids from /proc."""
    from kybernetes.kubelet import stats
    observations: Observations = {}
    capacity, available = (memory_available or stats.node_memory_available)()
    observations[MEMORY_AVAILABLE] = Observation(available, capacity)
    for prefix, path in (("nodefs", root_dir), ("imagefs", images_dir or root_dir)):
        fs = stats.filesystem(path)
        if fs is None:
            continue
        observations[f"{prefix}.available"] = Observation(fs["availableBytes"], fs["capacityBytes"])
        observations[f"{prefix}.inodesFree"] = Observation(fs["inodesFree"], fs["inodes"])
    limit = stats.rlimit()
    if limit["maxpid"]:
        observations[PID_AVAILABLE] = Observation(limit["maxpid"] - limit["curproc"], limit["maxpid"])
    return observations


def existing_dir(path: Path) -> Path:
    """The nearest existing ancestor (statvfs needs a path that exists)."""
    path = Path(path)
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


# ---------------------------------------------------------------- the kubelet's side
def memory_usage(builder, inputs) -> dict[str, PodUsage]:
    """Each pod's memory working set from its cgroup, per container by name (pods
    without cgroups use nothing as far as the kubelet can tell)."""
    usage = {}
    for item in inputs:
        pod_memory, by_id = builder.pod_memory(item.pod)
        containers = {}
        for name, container_id, _ in item.containers:
            memory = by_id.get(container_id.split("://")[-1])
            containers[name] = memory["workingSetBytes"] if memory else 0
        usage[item.pod["metadata"]["uid"]] = PodUsage(
            pod_memory["workingSetBytes"] if pod_memory else 0, containers)
    return usage


def storage_usage(inputs) -> dict[str, PodUsage]:
    """Each pod's ephemeral storage the kubelet can measure: its containers' logs."""
    from kybernetes.kubelet import stats
    usage = {}
    for item in inputs:
        containers = {name: stats.directory_usage(path)["usedBytes"] for name, path in item.log_dirs.items()}
        usage[item.pod["metadata"]["uid"]] = PodUsage(sum(containers.values()), containers)
    return usage


async def eviction_round(kubelet) -> None:
    """One monitoring interval: observe, post the node conditions when they change, and
    evict at most one pod."""
    from kybernetes.kubelet import stats
    from kybernetes.kubelet.pods import TERMINAL_PHASES
    manager: EvictionManager = kubelet.eviction
    inputs = [item for item in await stats.running_pod_inputs(kubelet)
              if item.pod["metadata"]["uid"] not in kubelet.finished
              and not item.pod["metadata"].get("deletionTimestamp")
              and (item.pod.get("status") or {}).get("phase") not in TERMINAL_PHASES]
    now = kubelet.clock()
    decision = manager.decide(now, [item.pod for item in inputs], memory_usage(kubelet.stats, inputs),
                              storage_usage(inputs))
    if decision.conditions != kubelet.pressures:
        before, kubelet.pressures = kubelet.pressures, decision.conditions
        try:
            await kubelet.check_node_status(force=True)
        except Exception:
            kubelet.pressures = before  # the next round posts them again
            raise
        record_condition_events(kubelet, before, decision.conditions)
    if decision.victim is not None:
        await evict(kubelet, decision.victim, decision.message)


# condition -> (event reason when it turns True, when it clears), as upstream's kubelet
_CONDITION_EVENTS = {"MemoryPressure": ("NodeHasInsufficientMemory", "NodeHasSufficientMemory"),
                     "DiskPressure": ("NodeHasDiskPressure", "NodeHasNoDiskPressure"),
                     "PIDPressure": ("NodeHasInsufficientPID", "NodeHasSufficientPID")}


def condition_events(before: set[str], after: set[str]) -> list[str]:
    """The node event reasons for pressure conditions that changed."""
    return [_CONDITION_EVENTS[c][0 if c in after else 1] for c in _CONDITION_EVENTS
            if (c in before) != (c in after)]


def record_condition_events(kubelet, before: set[str], after: set[str]) -> None:
    if kubelet.recorder is None:
        return
    node = {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": kubelet.node_name, "uid": kubelet.node_uid or kubelet.node_name}}
    for reason in condition_events(before, after):
        kubelet.recorder.event(node, "Normal", reason, f"Node {kubelet.node_name} status is now: {reason}")


async def evict(kubelet, pod: dict, message: str) -> None:
    """Kill the pod's containers at once (upstream's immediate eviction grace period of
    1 s) and fail it with reason Evicted, as upstream."""
    from kybernetes.kubelet.pods import build_pod_status, rfc3339
    meta = pod["metadata"]
    log.warning("evicting pod %s/%s: %s", meta.get("namespace"), meta["name"], message)
    kubelet._finish(meta["uid"])  # no sync restarts it meanwhile
    if kubelet.recorder is not None:
        kubelet.recorder.event(pod, "Warning", "Evicted", message)
    await kubelet.runtime.stop_pod(pod, IMMEDIATE_GRACE_SECONDS)
    status = evicted_status(pod, message, rfc3339(kubelet.clock()))
    runtime_status = await kubelet.runtime.pod_status(pod)
    if runtime_status is not None:
        final = build_pod_status(pod, runtime_status, kubelet.host_ips, kubelet.clock(), stopping=True)
        for key in ("containerStatuses", "initContainerStatuses"):
            if final.get(key):
                status[key] = final[key]
    await kubelet._post_status(pod, status)


__all__ = ["EvictionManager", "Threshold", "Observation", "PodUsage", "parse_thresholds",
           "parse_grace_periods", "parse_duration", "rank_for_eviction", "eviction_message",
           "evicted_status", "observe_node", "DEFAULT_EVICTION_HARD"]
