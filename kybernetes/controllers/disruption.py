# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The disruption controller: each PodDisruptionBudget's status (expectedPods,
desiredHealthy, currentHealthy, disruptionsAllowed, disruptedPods, observedGeneration
and the DisruptionAllowed condition) from the ready pods its selector matches and, for
maxUnavailable or a percentage minAvailable, the scale of those pods' controllers; as
upstream's pkg/controller/disruption. The eviction subresource reads that status."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from kybernetes.api.selectors import SelectorError, selector_from_label_selector_object
from kybernetes.apiserver.errors import ApiError
from kybernetes.client.events import EventRecorder
from kybernetes.client.informer import object_key
from kybernetes.client.rest import resource
from kybernetes.controllers.base import Controller, controller_of

PDBS = resource("poddisruptionbudgets.policy")
PODS = resource("pods")
REPLICATION_CONTROLLERS = resource("replicationcontrollers")
REPLICA_SETS = resource("replicasets.apps")
DEPLOYMENTS = resource("deployments.apps")
STATEFUL_SETS = resource("statefulsets.apps")
# an eviction not followed by the pod's deletion within this is forgotten (upstream)
DELETION_TIMEOUT = timedelta(minutes=2)
RESYNC_SECONDS = 30.0


class SyncFailed(Exception):
    pass


def _time(text: str | None) -> datetime | None:
    try:
        return datetime.strptime(text or "", "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def _text(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def scaled_value(value: int | str, total: int, round_up: bool = True) -> int:
    """An int-or-percent against `total`, as intstr.GetScaledValueFromIntOrPercent."""
    if isinstance(value, int):
        return value
    text = str(value)
    if not text.endswith("%"):
        try:
            return int(text)
        except ValueError:
            raise SyncFailed(f"invalid value for IntOrString: invalid value {text!r}") from None
    try:
        percent = int(text[:-1])
    except ValueError:
        raise SyncFailed(f"invalid value for IntOrString: invalid value {text!r}") from None
    exact = percent * total / 100
    return math.ceil(exact) if round_up else math.floor(exact)


def is_ready(pod: dict) -> bool:
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready":
            return condition.get("status") == "True"
    return False


def matching_pods(pdb: dict, pods: list[dict]) -> list[dict]:
    """policy/v1: a missing selector matches nothing, an empty one every pod."""
    try:
        selector = selector_from_label_selector_object((pdb.get("spec") or {}).get("selector"))
    except SelectorError:
        return []
    return [p for p in pods if selector.matches((p.get("metadata") or {}).get("labels") or {})]


def expected_scale(pods: list[dict], scale_of: dict[str, tuple[str, int]]) -> tuple[int, list[str]]:
    """(sum of the replicas of the pods' controllers, names of pods without one).
    `scale_of` maps a controller reference uid to (uid, replicas) when it was found."""
    seen: dict[str, int] = {}
    unmanaged: list[str] = []
    for pod in pods:
        ref = controller_of(pod)
        if ref is None:
            unmanaged.append(pod["metadata"]["name"])
            continue
        found = scale_of.get(ref.get("uid", ""))
        if found is None:
            raise SyncFailed(f'found no controllers for pod "{pod["metadata"]["name"]}"')
        seen[found[0]] = found[1]
    return sum(seen.values()), unmanaged


def expected_counts(pdb: dict, pods: list[dict],
                    scale_of: dict[str, tuple[str, int]]) -> tuple[int, int, list[str]]:
    """(expectedPods, desiredHealthy, unmanaged pods) from minAvailable/maxUnavailable."""
    spec = pdb.get("spec") or {}
    if spec.get("maxUnavailable") is not None:
        expected, unmanaged = expected_scale(pods, scale_of)
        unavailable = scaled_value(spec["maxUnavailable"], expected, round_up=True)
        return expected, max(0, expected - unavailable), unmanaged
    minimum = spec.get("minAvailable")
    if isinstance(minimum, int):
        return len(pods), minimum, []
    if minimum is not None:
        expected, unmanaged = expected_scale(pods, scale_of)
        return expected, scaled_value(minimum, expected, round_up=True), unmanaged
    return len(pods), 0, []


def disrupted_pods(pdb: dict, pods: list[dict], now: datetime) -> tuple[dict[str, str], datetime | None, list[str]]:
    """(evictions still expected to complete, when the earliest expires, pods evicted
    long ago that are still not deleting)."""
    recorded = (pdb.get("status") or {}).get("disruptedPods") or {}
    kept: dict[str, str] = {}
    recheck: datetime | None = None
    overdue: list[str] = []
    for pod in pods:
        name = pod["metadata"]["name"]
        if pod["metadata"].get("deletionTimestamp") or name not in recorded:
            continue
        when = _time(recorded[name])
        if when is None:
            continue
        expires = when + DELETION_TIMEOUT
        if expires < now:
            overdue.append(name)
        else:
            kept[name] = recorded[name]
            recheck = expires if recheck is None or expires < recheck else recheck
    return kept, recheck, overdue


def count_healthy(pods: list[dict], disrupted: dict[str, str]) -> int:
    return sum(1 for pod in pods if not pod["metadata"].get("deletionTimestamp")
               and pod["metadata"]["name"] not in disrupted and is_ready(pod))


def set_allowed_condition(status: dict, now: datetime, *, reason: str | None = None,
                          message: str = "") -> None:
    """The DisruptionAllowed condition (metav1.Condition semantics)."""
    allowed = status.get("disruptionsAllowed", 0) > 0 and reason is None
    wanted = {"type": "DisruptionAllowed", "status": "True" if allowed else "False",
              "observedGeneration": status.get("observedGeneration", 0),
              "reason": reason or ("SufficientPods" if allowed else "InsufficientPods"),
              "message": message}
    conditions = [dict(c) for c in status.get("conditions") or []]
    for condition in conditions:
        if condition.get("type") == "DisruptionAllowed":
            if condition.get("status") != wanted["status"]:
                condition["lastTransitionTime"] = _text(now)
            condition.update(wanted)
            break
    else:
        conditions.append(dict(wanted, lastTransitionTime=_text(now)))
    status["conditions"] = conditions


def desired_status(pdb: dict, current_healthy: int, desired_healthy: int, expected: int,
                   disrupted: dict[str, str], now: datetime) -> dict:
    desired_healthy = max(0, desired_healthy)
    allowed = current_healthy - desired_healthy
    if expected <= 0 or allowed <= 0:
        allowed = 0
    status = {"observedGeneration": pdb["metadata"].get("generation", 1),
              "disruptionsAllowed": allowed, "currentHealthy": current_healthy,
              "desiredHealthy": desired_healthy, "expectedPods": expected,
              "conditions": (pdb.get("status") or {}).get("conditions") or []}
    if disrupted:
        status["disruptedPods"] = disrupted
    set_allowed_condition(status, now)
    return status


def failed_status(pdb: dict, error: str, now: datetime) -> dict:
    status = dict(pdb.get("status") or {}, disruptionsAllowed=0)
    set_allowed_condition(status, now, reason="SyncFailed", message=error)
    return status


@dataclass
class SyncResult:
    status: dict
    events: list[tuple[str, str, str]]
    recheck: datetime | None


def sync(pdb: dict, pods: list[dict], scale_of: dict[str, tuple[str, int]],
         now: datetime) -> SyncResult:
    """The status a PDB should have given the pods its selector matches."""
    events: list[tuple[str, str, str]] = []
    if not pods:
        events.append(("Normal", "NoPods", "No matching pods found"))
    try:
        expected, desired, unmanaged = expected_counts(pdb, pods, scale_of)
    except SyncFailed as exc:
        events.append(("Warning", "CalculateExpectedPodCountFailed",
                       f"Failed to calculate the number of expected pods: {exc}"))
        return SyncResult(failed_status(pdb, str(exc), now), events, None)
    if unmanaged:
        selector = (pdb.get("spec") or {}).get("selector")
        events.append(("Warning", "UnmanagedPods", (
            f"Pods selected by this PodDisruptionBudget (selector: {_selector_text(selector)}) "
            "were found to be unmanaged. As a result, the status of the PDB cannot be "
            "calculated correctly, which may result in undefined behavior. To account for "
            "these pods please set \".spec.minAvailable\" field of the PDB to an integer value.")))
    disrupted, recheck, overdue = disrupted_pods(pdb, pods, now)
    for name in overdue:
        events.append(("Warning", "NotDeleted", f"Pod was expected by PDB "
                       f"{pdb['metadata']['namespace']}/{pdb['metadata']['name']} to be deleted "
                       "but it wasn't"))
    healthy = count_healthy(pods, disrupted)
    return SyncResult(desired_status(pdb, healthy, desired, expected, disrupted, now), events, recheck)


def _selector_text(selector: dict | None) -> str:
    try:
        return str(selector_from_label_selector_object(selector))
    except SelectorError:
        return ""


def status_differs(old: dict, new: dict) -> bool:
    keys = ("observedGeneration", "disruptionsAllowed", "currentHealthy", "desiredHealthy",
            "expectedPods", "conditions")
    return any(old.get(k) != new.get(k) for k in keys) or \
        (old.get("disruptedPods") or {}) != (new.get("disruptedPods") or {})


class DisruptionController(Controller):
    name = "disruption"
    workers = 2

    def setup(self) -> None:
        self.pdbs = self.informer(PDBS)
        self.pods = self.informer(PODS)
        self.finders = {
            ("", "ReplicationController"): self.informer(REPLICATION_CONTROLLERS),
            ("apps", "ReplicaSet"): self.informer(REPLICA_SETS),
            ("apps", "Deployment"): self.informer(DEPLOYMENTS),
            ("apps", "StatefulSet"): self.informer(STATEFUL_SETS),
        }
        self.events = EventRecorder(self.client, "controllermanager")
        self.enqueue_on_change(self.pdbs)
        self.pods.add_handler(self._on_pod)

    def _on_pod(self, event: str, old: dict | None, new: dict | None) -> None:
        for pod in (old, new):
            if pod is None:
                continue
            namespace = pod["metadata"].get("namespace")
            for pdb in self.pdbs.list(namespace):
                if matching_pods(pdb, [pod]):
                    self.queue.add(object_key(pdb))

    async def stopped(self) -> None:
        await super().stopped()
        await self.events.flush()

    def _controller_scale(self, namespace: str, ref: dict) -> tuple[str, int] | None:
        """(uid, replicas) of the workload owning a pod through `ref`; a ReplicaSet
        owned by a Deployment answers with the Deployment, as upstream's finders."""
        group = ref.get("apiVersion", "").rpartition("/")[0]
        informer = self.finders.get((group, ref.get("kind", "")))
        if informer is None:
            return None
        owner = informer.get_by(namespace, ref.get("name", ""))
        if owner is None or owner["metadata"].get("uid") != ref.get("uid"):
            return None
        if ref.get("kind") == "ReplicaSet":
            parent = controller_of(owner)
            if parent is not None and parent.get("kind") == "Deployment":
                return self._controller_scale(namespace, parent)
        return owner["metadata"]["uid"], (owner.get("spec") or {}).get("replicas", 1)

    async def _scale_by_api(self, namespace: str, ref: dict) -> tuple[str, int] | None:
        """Any other kind with a scale subresource (custom resources included)."""
        from kybernetes.api.resources import builtin_registry
        rt = builtin_registry().by_api_version(ref.get("apiVersion", ""), ref.get("kind", ""))
        if rt is None or rt.subresource("scale") is None:
            return None
        try:
            scale = await self.client.get(rt, ref.get("name", ""), namespace, subresource="scale")
        except ApiError as exc:
            if exc.code == 404:
                return None
            raise
        if scale["metadata"].get("uid") != ref.get("uid"):
            return None
        return scale["metadata"]["uid"], (scale.get("spec") or {}).get("replicas", 0)

    async def reconcile(self, key: str) -> None:
        pdb = self.pdbs.get(key)
        if pdb is None or pdb["metadata"].get("deletionTimestamp"):
            return
        namespace = pdb["metadata"]["namespace"]
        pods = matching_pods(pdb, self.pods.list(namespace))
        scale_of: dict[str, tuple[str, int]] = {}
        for pod in pods:
            ref = controller_of(pod)
            if ref is None or ref.get("uid", "") in scale_of:
                continue
            found = self._controller_scale(namespace, ref) or await self._scale_by_api(namespace, ref)
            if found is not None:
                scale_of[ref.get("uid", "")] = found
        now = datetime.now(timezone.utc)
        result = sync(pdb, pods, scale_of, now)
        for event_type, reason, message in result.events:
            self.events.event(pdb, event_type, reason, message)
        if status_differs(pdb.get("status") or {}, result.status):
            await self.client.update_status(PDBS, dict(pdb, status=result.status))
        if result.recheck is not None:
            self.queue.add_after(key, max(0.1, (result.recheck - now).total_seconds()))
        self.queue.add_after(key, RESYNC_SECONDS)


CONTROLLERS = [DisruptionController]
