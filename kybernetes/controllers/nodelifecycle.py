# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Node lifecycle, as upstream's node-lifecycle-controller and taint-eviction-controller.

Node health: a kubelet proves it is alive by renewing its Lease in `kube-node-lease`
and by posting its Ready condition. A node heard from neither for
`--node-monitor-grace-period` (50 s in 1.32) gets its conditions set to Unknown
("Kubelet stopped posting node status."), its pods marked not ready, and taints:
`node.kubernetes.io/unreachable` (or `not-ready` for Ready=False) with NoSchedule and
NoExecute. The taints follow the conditions, so they go when the node is Ready again.
As upstream, NoExecute tainting is held back when a whole zone looks down (most
likely the control plane lost the network, not every node at once), and is paced per
zone (`--node-eviction-rate`, 0.1 nodes/s).

Taint-based eviction: a pod on a node with NoExecute taints it does not tolerate is
deleted; if its tolerations carry `tolerationSeconds`, it is deleted that long after
the taint was added. Before deleting, the pod gets the DisruptionTarget condition.
"""
from __future__ import annotations

import asyncio
import copy
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from kybernetes.apiserver.errors import ApiError
from kybernetes.client.events import EventRecorder
from kybernetes.client.rest import resource
from kybernetes.controllers.base import Controller

NODES = resource("nodes")
PODS = resource("pods")
LEASES = resource("leases.coordination.k8s.io")
NODE_LEASE_NAMESPACE = "kube-node-lease"

NOT_READY = "node.kubernetes.io/not-ready"
UNREACHABLE = "node.kubernetes.io/unreachable"
UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
# condition type -> {status: taint key}: the NoSchedule taints a condition implies
CONDITION_TAINTS = {
    "Ready": {"False": NOT_READY, "Unknown": UNREACHABLE},
    "MemoryPressure": {"True": "node.kubernetes.io/memory-pressure"},
    "DiskPressure": {"True": "node.kubernetes.io/disk-pressure"},
    "NetworkUnavailable": {"True": "node.kubernetes.io/network-unavailable"},
    "PIDPressure": {"True": "node.kubernetes.io/pid-pressure"},
}
NO_SCHEDULE_KEYS = {key for by_status in CONDITION_TAINTS.values() for key in by_status.values()} | {
    UNSCHEDULABLE}
NO_EXECUTE_KEYS = {NOT_READY, UNREACHABLE}
KUBELET_CONDITIONS = ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure")

NODE_STARTUP_GRACE_PERIOD = 60.0  # --node-startup-grace-period
EVICTION_RATE = 0.1  # --node-eviction-rate, nodes per second per zone
SECONDARY_EVICTION_RATE = 0.01  # --secondary-node-eviction-rate
UNHEALTHY_ZONE_THRESHOLD = 0.55  # --unhealthy-zone-threshold
LARGE_CLUSTER_SIZE_THRESHOLD = 50  # --large-cluster-size-threshold

ZONE_NORMAL, ZONE_PARTIAL, ZONE_FULL = "Normal", "PartialDisruption", "FullDisruption"


# ------------------------------------------------------------------ time helpers
def seconds(text: str | None) -> float | None:
    """Epoch seconds of an RFC 3339 time, or None."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def rfc3339(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ------------------------------------------------------------------ node health
def condition(obj: dict, kind: str) -> dict | None:
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type") == kind:
            return cond
    return None


def ready_status(node: dict) -> str:
    """"True", "False" or "Unknown" (a node that never reported counts as Unknown)."""
    ready = condition(node, "Ready")
    return (ready or {}).get("status", "Unknown")


def last_heard(node: dict, lease: dict | None) -> float | None:
    """The newest sign of life: the Lease's renewTime or the Ready heartbeat."""
    stamps = [seconds((condition(node, "Ready") or {}).get("lastHeartbeatTime"))]
    if lease is not None:
        stamps.append(seconds((lease.get("spec") or {}).get("renewTime")))
    stamps = [s for s in stamps if s is not None]
    return max(stamps) if stamps else None


def stale_conditions(node: dict, lease: dict | None, now: float, grace_period: float,
                     startup_grace_period: float = NODE_STARTUP_GRACE_PERIOD) -> list[dict] | None:
    """The node's conditions set to Unknown when its kubelet has been silent too long,
    or None when nothing should change."""
    ever_reported = condition(node, "Ready") is not None
    heard = last_heard(node, lease)
    created = seconds(node["metadata"].get("creationTimestamp")) or now
    since = max(heard or created, created)
    grace = grace_period if ever_reported else startup_grace_period
    if now - since <= grace:
        return None
    stamp = rfc3339(now)
    conditions = copy.deepcopy((node.get("status") or {}).get("conditions") or [])
    changed = False
    for kind in KUBELET_CONDITIONS:
        current = next((c for c in conditions if c.get("type") == kind), None)
        if current is None:
            conditions.append({"type": kind, "status": "Unknown", "reason": "NodeStatusNeverUpdated",
                               "message": "Kubelet never posted node status.",
                               "lastHeartbeatTime": node["metadata"].get("creationTimestamp"),
                               "lastTransitionTime": stamp})
            changed = True
        elif current.get("status") != "Unknown":
            current.update(status="Unknown", reason="NodeStatusUnknown",
                           message="Kubelet stopped posting node status.", lastTransitionTime=stamp)
            changed = True
    return conditions if changed else None


def zone_of(node: dict) -> str:
    labels = node["metadata"].get("labels") or {}
    region = labels.get("topology.kubernetes.io/region") or \
        labels.get("failure-domain.beta.kubernetes.io/region", "")
    zone = labels.get("topology.kubernetes.io/zone") or \
        labels.get("failure-domain.beta.kubernetes.io/zone", "")
    return f"{region}:\x00:{zone}" if region or zone else ""


def zone_state(ready_statuses: list[str]) -> str:
    """Normal, PartialDisruption (more than 2 and at least 55 % of nodes not ready) or
    FullDisruption (none ready)."""
    not_ready = sum(1 for status in ready_statuses if status != "True")
    ready = len(ready_statuses) - not_ready
    if ready == 0 and not_ready > 0:
        return ZONE_FULL
    if not_ready > 2 and not_ready / len(ready_statuses) >= UNHEALTHY_ZONE_THRESHOLD:
        return ZONE_PARTIAL
    return ZONE_NORMAL


def zone_eviction_rate(state: str, zone_size: int, all_fully_disrupted: bool) -> float:
    """Nodes per second that may get NoExecute taints in a zone; 0 holds them back."""
    if all_fully_disrupted:
        return 0.0
    if state == ZONE_PARTIAL:
        return SECONDARY_EVICTION_RATE if zone_size > LARGE_CLUSTER_SIZE_THRESHOLD else 0.0
    return EVICTION_RATE


def condition_taints(node: dict) -> list[dict]:
    """The NoSchedule taints the node's conditions and spec.unschedulable imply."""
    wanted = []
    for cond in (node.get("status") or {}).get("conditions") or []:
        key = CONDITION_TAINTS.get(cond.get("type"), {}).get(cond.get("status"))
        if key:
            wanted.append({"key": key, "effect": "NoSchedule"})
    if (node.get("spec") or {}).get("unschedulable"):
        wanted.append({"key": UNSCHEDULABLE, "effect": "NoSchedule"})
    return wanted


def no_execute_taint(node: dict) -> dict | None:
    """The NoExecute taint the Ready condition implies (not-ready or unreachable)."""
    key = {"False": NOT_READY, "Unknown": UNREACHABLE}.get(ready_status(node))
    return {"key": key, "effect": "NoExecute"} if key else None


def managed(taint: dict) -> bool:
    effect, key = taint.get("effect"), taint.get("key")
    return (effect == "NoSchedule" and key in NO_SCHEDULE_KEYS) or \
        (effect == "NoExecute" and key in NO_EXECUTE_KEYS)


def desired_taints(node: dict, now: float, *, may_add_no_execute: bool,
                   keep_no_execute: bool = True) -> list[dict]:
    """The node's taints after this controller's pass: its own taints follow the
    conditions (new ones stamped with timeAdded), others are left alone. A NoExecute
    taint is only added when `may_add_no_execute`; an existing one that still applies
    stays unless `keep_no_execute` is False (every zone down: stop evicting)."""
    current = (node.get("spec") or {}).get("taints") or []
    existing = {(t.get("key"), t.get("effect")): t for t in current}
    wanted = condition_taints(node)
    execute = no_execute_taint(node)
    if execute is not None:
        present = (execute["key"], "NoExecute") in existing
        if (present and keep_no_execute) or (not present and may_add_no_execute):
            wanted.append(execute)
    out = [t for t in current if not managed(t)]
    for taint in wanted:
        kept = existing.get((taint["key"], taint["effect"]))
        out.append(kept if kept is not None else {**taint, "timeAdded": rfc3339(now)})
    return out


def taints_differ(a: list[dict], b: list[dict]) -> bool:
    def keys(taints):
        return sorted((t.get("key", ""), t.get("effect", ""), t.get("value", "")) for t in taints)
    return keys(a) != keys(b)


class PacedZones:
    """Per-zone pacing of NoExecute tainting (a token bucket with burst 1)."""

    def __init__(self) -> None:
        self.last: dict[str, float] = {}

    def allow(self, zone: str, rate: float, now: float) -> bool:
        if rate <= 0:
            return False
        if now - self.last.get(zone, float("-inf")) < 1.0 / rate:
            return False
        self.last[zone] = now
        return True


def pods_to_mark_not_ready(pods: list[dict]) -> list[dict]:
    """Pods whose Ready condition is not yet False (terminal pods are left alone)."""
    out = []
    for pod in pods:
        if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            continue
        ready = condition(pod, "Ready")
        if ready is not None and ready.get("status") != "False":
            out.append(pod)
    return out


# ------------------------------------------------------------------ taint eviction
def tolerates(toleration: dict, taint: dict) -> bool:
    """Whether one toleration tolerates one taint (upstream's ToleratesTaint)."""
    if toleration.get("effect") and toleration["effect"] != taint.get("effect"):
        return False
    if toleration.get("key") and toleration["key"] != taint.get("key"):
        return False
    operator = toleration.get("operator") or "Equal"
    if operator == "Exists":
        return True
    if operator == "Equal":
        return (toleration.get("value") or "") == (taint.get("value") or "")
    return False


@dataclass
class EvictionPlan:
    """`at` is when to delete the pod (epoch seconds), None for never."""
    at: float | None


def eviction_plan(pod: dict, taints: list[dict], now: float) -> EvictionPlan:
    """When a pod on a node with these taints must go: now if some NoExecute taint is
    not tolerated, else the shortest tolerationSeconds after the taints appeared,
    never if every toleration used is unbounded."""
    no_execute = [t for t in taints if t.get("effect") == "NoExecute"]
    if not no_execute:
        return EvictionPlan(None)
    tolerations = (pod.get("spec") or {}).get("tolerations") or []
    bound: float | None = None
    for taint in no_execute:
        matching = [t for t in tolerations if tolerates(t, taint)]
        if not matching:
            return EvictionPlan(now)
        for toleration in matching:
            limit = toleration.get("tolerationSeconds")
            if limit is not None:
                bound = max(float(limit), 0.0) if bound is None else min(bound, max(float(limit), 0.0))
    if bound is None:
        return EvictionPlan(None)
    added = [seconds(t.get("timeAdded")) for t in no_execute]
    start = min([a for a in added if a is not None], default=now)
    return EvictionPlan(start + bound)


DISRUPTION_CONDITION = {"type": "DisruptionTarget", "status": "True",
                        "reason": "DeletionByTaintManager",
                        "message": "Taint manager: deleting due to NoExecute taint"}


def by_node(pod: dict) -> list[str]:
    name = (pod.get("spec") or {}).get("nodeName")
    return [name] if name else []


def _ensure_pods_by_node(controller: Controller):
    return controller.informer(PODS, indexers={"spec.nodeName": by_node})


# ------------------------------------------------------------------ controllers
class NodeLifecycleController(Controller):
    """Marks silent nodes Unknown and keeps the condition taints current."""

    name = "nodelifecycle"
    workers = 2

    def setup(self) -> None:
        self.nodes = self.informer(NODES)
        self.leases = self.informer(LEASES, namespace=NODE_LEASE_NAMESPACE)
        self.pods = _ensure_pods_by_node(self)
        self.node_events = EventRecorder(self.client, "node-controller")
        self.zone_rates: dict[str, float] = {}
        self.all_fully_disrupted = False
        self.paced = PacedZones()
        self.enqueue_on_change(self.nodes)

    async def run(self) -> None:
        self.update_zones()  # before the first reconcile decides on NoExecute taints
        await asyncio.gather(super().run(), self._monitor())

    async def _monitor(self) -> None:
        """Every node-monitor-period: recompute zone states and look at every node."""
        while True:
            self.update_zones()
            for node in self.nodes.list():
                self.queue.add(node["metadata"]["name"])
            await asyncio.sleep(self.options.node_monitor_period)

    def update_zones(self) -> None:
        zones: dict[str, list[str]] = {}
        for node in self.nodes.list():
            zones.setdefault(zone_of(node), []).append(ready_status(node))
        states = {zone: zone_state(statuses) for zone, statuses in zones.items()}
        self.all_fully_disrupted = bool(states) and all(s == ZONE_FULL for s in states.values())
        self.zone_rates = {zone: zone_eviction_rate(state, len(zones[zone]), self.all_fully_disrupted)
                           for zone, state in states.items()}

    async def reconcile(self, key: str) -> None:
        node = self.nodes.get(key)
        if node is None:
            return
        now = time.time()
        was_ready = ready_status(node)
        conditions = stale_conditions(node, self.leases.get_by(NODE_LEASE_NAMESPACE, key), now,
                                      self.options.node_monitor_grace_period)
        if conditions is not None:
            node = copy.deepcopy(node)
            node.setdefault("status", {})["conditions"] = conditions
            node = await self.client.update_status(NODES, node)
            if was_ready == "True":
                self.node_events.event(node, "Normal", "NodeNotReady",
                                       f"Node {key} status is now: NodeNotReady")
        if ready_status(node) == "Unknown":
            await self._mark_pods_not_ready(key)
        await self._taint(node, now)

    async def _taint(self, node: dict, now: float) -> None:
        zone = zone_of(node)
        current = (node.get("spec") or {}).get("taints") or []
        execute = no_execute_taint(node)
        needs_new = execute is not None and not any(
            t.get("key") == execute["key"] and t.get("effect") == "NoExecute" for t in current)
        may_add = needs_new and self.paced.allow(zone, self.zone_rates.get(zone, EVICTION_RATE), now)
        wanted = desired_taints(node, now, may_add_no_execute=may_add,
                                keep_no_execute=not self.all_fully_disrupted)
        if not taints_differ(current, wanted):
            return
        # only the taints, guarded by the resourceVersion they were computed from
        patch = {"metadata": {"resourceVersion": node["metadata"]["resourceVersion"]},
                 "spec": {"taints": wanted}}
        try:
            await self.client.patch(NODES, node["metadata"]["name"], patch)
        except ApiError as exc:
            if exc.code != 404:
                raise

    async def _mark_pods_not_ready(self, node_name: str) -> None:
        for pod in pods_to_mark_not_ready(self.pods.by_index("spec.nodeName", node_name)):
            fresh = copy.deepcopy(pod)
            for cond in fresh["status"]["conditions"]:
                if cond.get("type") == "Ready":
                    cond["status"] = "False"
                    cond["lastTransitionTime"] = rfc3339(time.time())
            try:
                await self.client.update_status(PODS, fresh)
                self.node_events.event(pod, "Warning", "NodeNotReady", "Node is not ready")
            except ApiError as exc:
                if exc.code not in (404, 409):
                    raise


class TaintEvictionController(Controller):
    """Deletes pods that do not tolerate their node's NoExecute taints (in time)."""

    name = "taint-eviction-controller"
    workers = 2

    def setup(self) -> None:
        self.nodes = self.informer(NODES)
        self.pods = _ensure_pods_by_node(self)
        self.eviction_events = EventRecorder(self.client, "taint-eviction-controller")
        self.enqueue_on_change(self.pods, lambda pod: [_pod_key(pod)] if by_node(pod) else [])
        self.nodes.add_handler(self._on_node)

    def _on_node(self, kind: str, old: dict | None, new: dict | None) -> None:
        if new is None:
            return
        old_taints = ((old or {}).get("spec") or {}).get("taints") or []
        new_taints = (new.get("spec") or {}).get("taints") or []
        if old is not None and not taints_differ(
                [t for t in old_taints if t.get("effect") == "NoExecute"],
                [t for t in new_taints if t.get("effect") == "NoExecute"]):
            return
        for pod in self.pods.by_index("spec.nodeName", new["metadata"]["name"]):
            self.queue.add(_pod_key(pod))

    async def reconcile(self, key: str) -> None:
        namespace, _, name = key.partition("/")
        pod = self.pods.get_by(namespace, name)
        if pod is None or pod["metadata"].get("deletionTimestamp") or not by_node(pod):
            return
        node = self.nodes.get(pod["spec"]["nodeName"])
        if node is None:
            return
        now = time.time()
        plan = eviction_plan(pod, (node.get("spec") or {}).get("taints") or [], now)
        if plan.at is None:
            return
        if plan.at > now:
            self.queue.add_after(key, plan.at - now + 0.05)
            return
        self.eviction_events.event(pod, "Normal", "TaintManagerEviction",
                                   f"Marking for deletion Pod {key}")
        await self._add_disruption_condition(pod)
        try:
            await self.client.delete(PODS, name, namespace, uid=pod["metadata"].get("uid"))
        except ApiError as exc:
            if exc.code not in (404, 409):
                raise

    async def _add_disruption_condition(self, pod: dict) -> None:
        if condition(pod, "DisruptionTarget") is not None:
            return
        fresh = copy.deepcopy(pod)
        status = fresh.setdefault("status", {})
        status["conditions"] = [*(status.get("conditions") or []),
                                {**DISRUPTION_CONDITION, "lastTransitionTime": rfc3339(time.time())}]
        try:
            await self.client.update_status(PODS, fresh)
        except ApiError as exc:
            if exc.code not in (404, 409):
                raise


def _pod_key(pod: dict) -> str:
    return f"{pod['metadata']['namespace']}/{pod['metadata']['name']}"


CONTROLLERS = [NodeLifecycleController, TaintEvictionController]
