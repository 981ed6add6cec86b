# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""What the workload controllers share about the objects they own, as upstream's
pkg/controller/controller_utils.go and controller_ref_manager.go: pods made from a
template, controller references, adoption and release by selector, the expectations
that keep a controller from acting twice on a stale cache, pod readiness and
availability, and the order in which surplus pods are deleted."""
from __future__ import annotations

import asyncio
import math
import time
from functools import cmp_to_key
from datetime import datetime, timezone
from typing import Awaitable, Callable, Iterable

import orjson

from kybernetes.api.selectors import LabelSelector

POD_TEMPLATE_HASH_LABEL = "pod-template-hash"
POD_DELETION_COST_ANNOTATION = "controller.kubernetes.io/pod-deletion-cost"
# upstream's burstReplicas and SlowStartInitialBatchSize
BURST_REPLICAS = 500
SLOW_START_INITIAL_BATCH = 1
EXPECTATIONS_TTL_SECONDS = 300.0

_PHASE_ORDINAL = {"Pending": 0, "Unknown": 1, "Running": 2}


def copy_object(obj: dict) -> dict:
    """A private deep copy of a (shared, read-only) informer object."""
    return orjson.loads(orjson.dumps(obj))


def parse_time(text: str | None) -> float | None:
    """An RFC 3339 timestamp as epoch seconds (None when absent or unreadable)."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def rfc3339(epoch: float | None = None) -> str:
    moment = datetime.fromtimestamp(time.time() if epoch is None else epoch, timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# ------------------------------------------------------------------ owner references
def controller_ref(owner: dict) -> dict:
    """The ownerReference a controller puts on what it makes (NewControllerRef)."""
    meta = owner["metadata"]
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": meta["name"],
            "uid": meta["uid"], "controller": True, "blockOwnerDeletion": True}


def controller_ref_of(obj: dict) -> dict | None:
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return ref
    return None


def is_controlled_by(obj: dict, owner: dict) -> bool:
    ref = controller_ref_of(obj)
    return ref is not None and ref.get("uid") == owner["metadata"].get("uid")


def adoption_patch(owner: dict, obj: dict) -> dict:
    """Strategic merge patch adding `owner` as controller; the uid guards against a
    recreated object of the same name (as upstream's ownerRefControllerPatch)."""
    return {"metadata": {"ownerReferences": [controller_ref(owner)], "uid": obj["metadata"]["uid"]}}


def release_patch(owner: dict, obj: dict) -> dict:
    """Strategic merge patch removing `owner`'s reference (upstream's deleteOwnerRefStrategicMergePatch)."""
    return {"metadata": {"ownerReferences": [{"$patch": "delete", "uid": owner["metadata"]["uid"]}],
                         "uid": obj["metadata"]["uid"]}}


def claim(owner: dict, selector: LabelSelector, candidates: Iterable[dict]
          ) -> tuple[list[dict], list[dict], list[dict]]:
    """Upstream's ClaimObject over many objects: (owned and matching, orphans to adopt,
    owned but no longer matching to release). Objects other controllers own are left out."""
    owner_uid = owner["metadata"]["uid"]
    owner_deleting = bool(owner["metadata"].get("deletionTimestamp"))
    kept, adopt, release = [], [], []
    for obj in candidates:
        meta = obj.get("metadata") or {}
        ref = controller_ref_of(obj)
        matches = selector.matches(meta.get("labels") or {})
        if ref is not None:
            if ref.get("uid") != owner_uid:
                continue
            if matches:
                kept.append(obj)
            elif not owner_deleting:
                release.append(obj)
            continue
        if owner_deleting or not matches or meta.get("deletionTimestamp"):
            continue
        adopt.append(obj)
    return kept, adopt, release


# ------------------------------------------------------------------ pods from templates
def pod_from_template(template: dict, owner: dict, namespace: str) -> dict:
    """A pod for `owner` made from its pod template (GetPodFromTemplate): the template's
    labels, annotations and finalizers, generateName `<owner>-`, a controller reference."""
    template_meta = template.get("metadata") or {}
    metadata: dict = {"generateName": owner["metadata"]["name"] + "-", "namespace": namespace,
                      "ownerReferences": [controller_ref(owner)]}
    for field in ("labels", "annotations", "finalizers"):
        if template_meta.get(field):
            metadata[field] = copy_object(template_meta[field])
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata,
            "spec": copy_object(template.get("spec") or {})}


# ------------------------------------------------------------------ pod state
def is_pod_active(pod: dict) -> bool:
    """Neither finished nor being deleted (upstream's IsPodActive)."""
    phase = (pod.get("status") or {}).get("phase")
    return phase not in ("Succeeded", "Failed") and not pod["metadata"].get("deletionTimestamp")


def ready_condition(pod: dict) -> dict | None:
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready":
            return condition
    return None


def is_pod_ready(pod: dict) -> bool:
    condition = ready_condition(pod)
    return condition is not None and condition.get("status") == "True"


def is_pod_available(pod: dict, min_ready_seconds: int, now: float) -> bool:
    """Ready for at least minReadySeconds (upstream's IsPodAvailable)."""
    if not is_pod_ready(pod):
        return False
    if not min_ready_seconds:
        return True
    since = parse_time((ready_condition(pod) or {}).get("lastTransitionTime"))
    return since is not None and since + min_ready_seconds < now


def seconds_until_available(pod: dict, min_ready_seconds: int, now: float) -> float | None:
    """For a ready pod not yet available: how long until it is."""
    if not min_ready_seconds or not is_pod_ready(pod):
        return None
    since = parse_time((ready_condition(pod) or {}).get("lastTransitionTime"))
    if since is None:
        return None
    remaining = since + min_ready_seconds - now
    return remaining if remaining >= 0 else None


# ------------------------------------------------------------------ which pods go first
def _max_restarts(pod: dict) -> tuple[int, int]:
    """(largest restart count of regular containers, of sidecar init containers)."""
    status = pod.get("status") or {}
    regular = max((c.get("restartCount", 0) for c in status.get("containerStatuses") or []),
                  default=0)
    sidecar_names = {c.get("name") for c in (pod.get("spec") or {}).get("initContainers") or []
                     if c.get("restartPolicy") == "Always"}
    sidecar = max((c.get("restartCount", 0) for c in status.get("initContainerStatuses") or []
                   if c.get("name") in sidecar_names), default=0)
    return regular, sidecar


def _deletion_cost(pod: dict) -> int:
    value = ((pod["metadata"].get("annotations") or {}).get(POD_DELETION_COST_ANNOTATION))
    try:
        return int(value) if value is not None else 0
    except ValueError:
        return 0


def _log_bucket(moment: float, now: float) -> int:
    """Upstream's logarithmic scale-down: ages (in nanoseconds) fall in power-of-two
    buckets, so pods of about the same age count as equals."""
    age_ns = (now - moment) * 1e9
    return int(math.log2(age_ns)) if age_ns > 0 else -1


def _compare_times(first: float | None, second: float | None, now: float,
                   uids: tuple[str, str]) -> int | None:
    """Later (younger) first; an unknown time before any known one; same age bucket
    decided by uid. None when the times are the same."""
    if first == second:
        return None
    if first is None or second is None:
        return -1 if first is None else 1
    diff = _log_bucket(first, now) - _log_bucket(second, now)
    if diff == 0:
        return -1 if uids[0] < uids[1] else (1 if uids[0] > uids[1] else 0)
    return -1 if diff < 0 else 1


def compare_for_deletion(a: dict, b: dict, rank_a: int, rank_b: int, now: float) -> int:
    """Negative when `a` should be deleted before `b` (upstream's ActivePodsWithRanks.Less
    with PodDeletionCost and LogarithmicScaleDown on, as in 1.32): unscheduled before
    scheduled; Pending < Unknown < Running; not ready before ready; lower deletion cost;
    more pods of the same owner on its node; ready for less time; more restarts; newer."""
    node_a = (a.get("spec") or {}).get("nodeName") or ""
    node_b = (b.get("spec") or {}).get("nodeName") or ""
    if node_a != node_b and (not node_a or not node_b):
        return -1 if not node_a else 1
    phase_a = _PHASE_ORDINAL.get((a.get("status") or {}).get("phase"), 0)
    phase_b = _PHASE_ORDINAL.get((b.get("status") or {}).get("phase"), 0)
    if phase_a != phase_b:
        return -1 if phase_a < phase_b else 1
    ready_a, ready_b = is_pod_ready(a), is_pod_ready(b)
    if ready_a != ready_b:
        return -1 if not ready_a else 1
    cost_a, cost_b = _deletion_cost(a), _deletion_cost(b)
    if cost_a != cost_b:
        return -1 if cost_a < cost_b else 1
    if rank_a != rank_b:
        return -1 if rank_a > rank_b else 1
    uids = (a["metadata"].get("uid", ""), b["metadata"].get("uid", ""))
    if ready_a and ready_b:
        result = _compare_times(parse_time(ready_condition(a).get("lastTransitionTime")),
                                parse_time(ready_condition(b).get("lastTransitionTime")), now, uids)
        if result is not None:
            return result
    restarts_a, restarts_b = _max_restarts(a), _max_restarts(b)
    if restarts_a != restarts_b:
        return -1 if restarts_a > restarts_b else 1
    result = _compare_times(parse_time(a["metadata"].get("creationTimestamp")),
                            parse_time(b["metadata"].get("creationTimestamp")), now, uids)
    return result or 0


def pods_to_delete(pods: list[dict], related: list[dict], count: int,
                   now: float | None = None) -> list[dict]:
    """The `count` least valuable of `pods`. `related` are the active pods of every
    ReplicaSet of the same owner: a pod sharing its node with more of them goes first."""
    if count >= len(pods):
        return list(pods)
    now = time.time() if now is None else now
    per_node: dict[str, int] = {}
    for pod in related:
        if is_pod_active(pod):
            node = (pod.get("spec") or {}).get("nodeName", "")
            per_node[node] = per_node.get(node, 0) + 1
    def rank(pod: dict) -> int:
        return per_node.get((pod.get("spec") or {}).get("nodeName", ""), 0)

    ranked = sorted(pods, key=cmp_to_key(lambda a, b: compare_for_deletion(a, b, rank(a), rank(b), now)))
    return ranked[:count]


# ------------------------------------------------------------------ expectations
class Expectations:
    """Creations and deletions a controller has asked for but not yet seen in its
    informer (upstream's UIDTrackingControllerExpectations): until they are seen, or five
    minutes pass, the controller does not count pods again."""

    def __init__(self, ttl: float = EXPECTATIONS_TTL_SECONDS) -> None:
        self.ttl = ttl
        self._adds: dict[str, int] = {}
        self._deletes: dict[str, set[str]] = {}
        self._since: dict[str, float] = {}

    def expect_creations(self, key: str, count: int) -> None:
        self._adds[key] = count
        self._deletes.setdefault(key, set())
        self._since[key] = time.monotonic()

    def expect_deletions(self, key: str, pod_keys: Iterable[str]) -> None:
        self._deletes[key] = set(pod_keys)
        self._adds.setdefault(key, 0)
        self._since[key] = time.monotonic()

    def creation_observed(self, key: str) -> None:
        if key in self._adds:
            self._adds[key] -= 1

    def deletion_observed(self, key: str, pod_key: str) -> None:
        pending = self._deletes.get(key)
        if pending is not None:
            pending.discard(pod_key)

    def satisfied(self, key: str) -> bool:
        if key not in self._since:
            return True
        if self._adds.get(key, 0) <= 0 and not self._deletes.get(key):
            return True
        return time.monotonic() - self._since[key] > self.ttl

    def forget(self, key: str) -> None:
        for table in (self._adds, self._deletes, self._since):
            table.pop(key, None)


async def slow_start_batch(count: int, action: Callable[[], Awaitable[None]],
                           initial_batch: int = SLOW_START_INITIAL_BATCH
                           ) -> tuple[int, Exception | None]:
    """Run `action` `count` times in batches of 1, 2, 4, ... stopping after the first
    batch with a failure, so a quota or webhook refusal costs one call, not hundreds.
    Returns (successes, the first error)."""
    done = 0
    remaining = count
    batch = min(remaining, initial_batch)
    while batch > 0:
        results = await asyncio.gather(*(action() for _ in range(batch)), return_exceptions=True)
        errors = [r for r in results if isinstance(r, Exception)]
        done += batch - len(errors)
        if errors:
            return done, errors[0]
        remaining -= batch
        batch = min(2 * batch, remaining)
    return done, None
