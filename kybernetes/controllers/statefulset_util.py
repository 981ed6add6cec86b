# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The StatefulSet controller's decisions, as plain functions: pod identity and storage
(`<set>-<ordinal>`, hostname, subdomain, one PVC per claim template and ordinal), which
pod to create, delete or replace next for each pod management policy and update
strategy, PVC owner references for the retention policy, and the status to report."""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from kybernetes.controllers.history import POD_REVISION_LABEL, controller_ref, template_from_revision

POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"
_ORDINAL_RE = re.compile(r"^(.*)-([0-9]+)$")


# ---------------------------------------------------------------- identity
def parent_and_ordinal(pod: dict) -> tuple[str, int]:
    """(`web`, 2) for `web-2`; ("", -1) for a name that is not a StatefulSet pod's."""
    match = _ORDINAL_RE.match(pod["metadata"]["name"])
    if not match:
        return "", -1
    return match.group(1), int(match.group(2))


def ordinal_of(pod: dict) -> int:
    return parent_and_ordinal(pod)[1]


def pod_name(sts: dict, ordinal: int) -> str:
    return f"{sts['metadata']['name']}-{ordinal}"


def claim_name(template: dict, sts: dict, ordinal: int) -> str:
    return f"{template['metadata']['name']}-{sts['metadata']['name']}-{ordinal}"


def start_ordinal(sts: dict) -> int:
    return ((sts["spec"].get("ordinals") or {}).get("start") or 0)


def replica_count(sts: dict) -> int:
    replicas = sts["spec"].get("replicas")
    return 1 if replicas is None else replicas


def in_ordinal_range(sts: dict, ordinal: int) -> bool:
    start = start_ordinal(sts)
    return start <= ordinal < start + replica_count(sts)


def is_member(sts: dict, pod: dict) -> bool:
    return parent_and_ordinal(pod)[0] == sts["metadata"]["name"]


def pod_revision(pod: dict) -> str:
    return (pod["metadata"].get("labels") or {}).get(POD_REVISION_LABEL, "")


def stateful_set_ref(sts: dict) -> dict:
    return controller_ref({**sts, "kind": "StatefulSet", "apiVersion": "apps/v1"})


def claims_for(sts: dict, ordinal: int) -> list[dict]:
    """The PVCs ordinal `ordinal` mounts, one per volumeClaimTemplate (not yet stored)."""
    selector_labels = (sts["spec"].get("selector") or {}).get("matchLabels") or {}
    claims = []
    for template in sts["spec"].get("volumeClaimTemplates") or []:
        claim = copy.deepcopy(template)
        claim.pop("status", None)
        meta = claim.setdefault("metadata", {})
        meta["name"] = claim_name(template, sts, ordinal)
        meta["namespace"] = sts["metadata"]["namespace"]
        meta["labels"] = {**(meta.get("labels") or {}), **selector_labels}
        for key in ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields"):
            meta.pop(key, None)
        claim["apiVersion"], claim["kind"] = "v1", "PersistentVolumeClaim"
        claims.append(claim)
    return claims


def new_pod(sts: dict, template: dict, ordinal: int, revision_name: str) -> dict:
    """The pod for `ordinal` from `template` (the set's, or an older revision's)."""
    name = pod_name(sts, ordinal)
    template_meta = template.get("metadata") or {}
    labels = dict(template_meta.get("labels") or {})
    labels[POD_NAME_LABEL] = name
    labels[POD_INDEX_LABEL] = str(ordinal)
    labels[POD_REVISION_LABEL] = revision_name
    meta: dict = {"name": name, "generateName": f"{sts['metadata']['name']}-",
                  "namespace": sts["metadata"]["namespace"], "labels": labels,
                  "ownerReferences": [stateful_set_ref(sts)]}
    if template_meta.get("annotations"):
        meta["annotations"] = dict(template_meta["annotations"])
    if template_meta.get("finalizers"):
        meta["finalizers"] = list(template_meta["finalizers"])
    spec = copy.deepcopy(template.get("spec") or {})
    spec["hostname"] = name
    if sts["spec"].get("serviceName"):
        spec["subdomain"] = sts["spec"]["serviceName"]
    claim_volumes = [{"name": t["metadata"]["name"],
                      "persistentVolumeClaim": {"claimName": claim_name(t, sts, ordinal)}}
                     for t in sts["spec"].get("volumeClaimTemplates") or []]
    if claim_volumes:
        taken = {v["name"] for v in claim_volumes}
        spec["volumes"] = claim_volumes + [v for v in spec.get("volumes") or []
                                           if v.get("name") not in taken]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}


def identity_labels_match(sts: dict, pod: dict) -> bool:
    labels = pod["metadata"].get("labels") or {}
    ordinal = ordinal_of(pod)
    return (is_member(sts, pod) and labels.get(POD_NAME_LABEL) == pod["metadata"]["name"]
            and labels.get(POD_INDEX_LABEL) == str(ordinal))


# ---------------------------------------------------------------- pod state
def _parse_time(value: str) -> datetime:
    return datetime.strptime(value[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)


def ready_condition(pod: dict) -> dict | None:
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready":
            return condition
    return None


def is_ready(pod: dict) -> bool:
    condition = ready_condition(pod)
    return condition is not None and condition.get("status") == "True"


def is_available(pod: dict, min_ready_seconds: int, now: datetime) -> bool:
    """Ready for at least minReadySeconds (podutil.IsPodAvailable)."""
    if not is_ready(pod):
        return False
    if not min_ready_seconds:
        return True
    since = ready_condition(pod).get("lastTransitionTime")
    return bool(since) and (now - _parse_time(since)).total_seconds() >= min_ready_seconds


def phase(pod: dict) -> str:
    return (pod.get("status") or {}).get("phase", "")


def is_terminating(pod: dict) -> bool:
    return bool(pod["metadata"].get("deletionTimestamp"))


def is_running_and_ready(pod: dict) -> bool:
    return phase(pod) == "Running" and is_ready(pod)


def is_running_and_available(pod: dict, min_ready_seconds: int, now: datetime) -> bool:
    return phase(pod) == "Running" and is_available(pod, min_ready_seconds, now)


def is_healthy(pod: dict) -> bool:
    return is_running_and_ready(pod) and not is_terminating(pod)


# ---------------------------------------------------------------- the sync plan
@dataclass
class Action:
    """One write: `create` a pod (and its claims), `delete` a pod, or `relabel` a pod
    whose identity labels drifted. `reason` says why, for logs and events."""
    verb: str
    pod: dict
    ordinal: int
    reason: str = ""


@dataclass
class SyncPlan:
    actions: list[Action] = field(default_factory=list)
    status: dict = field(default_factory=dict)


def plan_sync(sts: dict, pods: list[dict], current_revision: dict, update_revision: dict,
              collision_count: int, now: datetime) -> SyncPlan:
    """What one sync of upstream's StatefulSet control loop does, given the set's pods
    (already claimed), its current and update revisions. OrderedReady (monotonic) stops
    at the first action or the first pod not yet Running and Ready; Parallel acts on
    every ordinal at once. Scaling comes before updating; updates go highest ordinal
    first, one at a time, down to the partition."""
    spec = sts["spec"]
    min_ready = spec.get("minReadySeconds") or 0
    monotonic = spec.get("podManagementPolicy", "OrderedReady") != "Parallel"
    start, count = start_ordinal(sts), replica_count(sts)
    strategy = spec.get("updateStrategy") or {"type": "RollingUpdate"}
    rolling = strategy.get("type", "RollingUpdate") == "RollingUpdate"
    partition = ((strategy.get("rollingUpdate") or {}).get("partition") or 0) if rolling else 0

    slots: list[dict | None] = [None] * count
    condemned: list[dict] = []
    for pod in pods:
        ordinal = ordinal_of(pod)
        if start <= ordinal < start + count:
            slots[ordinal - start] = pod
        elif ordinal >= 0:
            condemned.append(pod)
    condemned.sort(key=ordinal_of, reverse=True)
    existing = [p for p in slots if p is not None] + condemned
    plan = SyncPlan(status=compute_status(sts, existing, current_revision, update_revision,
                                          collision_count, now))
    if sts["metadata"].get("deletionTimestamp"):
        return plan

    current_template = template_from_revision(current_revision)
    update_template = sts["spec"].get("template") or {}

    def versioned(ordinal: int) -> dict:
        # ordinals below the partition keep the current revision, as upstream
        if rolling and ordinal < start + partition:
            return new_pod(sts, current_template, ordinal, current_revision["metadata"]["name"])
        return new_pod(sts, update_template, ordinal, update_revision["metadata"]["name"])

    first_unhealthy = None
    for pod in [p for p in slots] + condemned:
        if pod is None or not is_healthy(pod):
            first_unhealthy = pod if pod is not None else "missing"
            break

    actions = plan.actions
    blocked = False
    for index, pod in enumerate(slots):
        ordinal = start + index
        if pod is not None and phase(pod) in ("Failed", "Succeeded"):
            if not is_terminating(pod):
                actions.append(Action("delete", pod, ordinal, "recreate-" + phase(pod).lower()))
            blocked = True
            if monotonic:
                break
            continue
        if pod is None:
            actions.append(Action("create", versioned(ordinal), ordinal))
            if monotonic:
                blocked = True
                break
            continue
        if monotonic and (is_terminating(pod) or not is_running_and_available(pod, min_ready, now)):
            blocked = True
            break
        if not identity_labels_match(sts, pod):
            actions.append(Action("relabel", pod, ordinal))
    if blocked:
        return plan

    for pod in condemned:
        if is_terminating(pod):
            if monotonic:
                return plan
            continue
        if monotonic and pod is not first_unhealthy and \
                not is_running_and_available(pod, min_ready, now):
            return plan
        actions.append(Action("delete", pod, ordinal_of(pod), "scale-down"))
        if monotonic:
            return plan

    if not rolling:
        return plan  # OnDelete: pods take the new revision when someone deletes them
    update_name = update_revision["metadata"]["name"]
    for index in range(count - 1, partition - 1, -1):
        pod = slots[index]
        if pod is None:
            return plan  # being created this sync (Parallel): not healthy yet
        if pod_revision(pod) != update_name and not is_terminating(pod):
            actions.append(Action("delete", pod, start + index, "update"))
            plan.status["currentReplicas"] = max(plan.status.get("currentReplicas", 0) - 1, 0)
            return plan
        if not is_healthy(pod) or not is_running_and_available(pod, min_ready, now):
            return plan
    return plan


def compute_status(sts: dict, pods: list[dict], current_revision: dict, update_revision: dict,
                   collision_count: int, now: datetime) -> dict:
    """status as upstream counts it over the set's pods (condemned ones included)."""
    min_ready = sts["spec"].get("minReadySeconds") or 0
    current_name = current_revision["metadata"]["name"]
    update_name = update_revision["metadata"]["name"]
    status = {"observedGeneration": sts["metadata"].get("generation", 1), "replicas": 0,
              "readyReplicas": 0, "availableReplicas": 0, "currentReplicas": 0,
              "updatedReplicas": 0, "currentRevision": current_name,
              "updateRevision": update_name, "collisionCount": collision_count}
    for pod in pods:
        status["replicas"] += 1
        if is_running_and_ready(pod):
            status["readyReplicas"] += 1
            if is_running_and_available(pod, min_ready, now):
                status["availableReplicas"] += 1
        if not is_terminating(pod):
            revision = pod_revision(pod)
            if revision == current_name:
                status["currentReplicas"] += 1
            if revision == update_name:
                status["updatedReplicas"] += 1
    strategy_type = (sts["spec"].get("updateStrategy") or {}).get("type", "RollingUpdate")
    if strategy_type == "RollingUpdate" and status["updatedReplicas"] == status["replicas"] \
            and status["readyReplicas"] == status["replicas"]:
        # the rollout is complete: the update revision becomes the current one
        status["currentReplicas"] = status["updatedReplicas"]
        status["currentRevision"] = update_name
    return status


# ---------------------------------------------------------------- PVC retention
def wanted_claim_owners(sts: dict, ordinal: int, pod: dict | None) -> list[dict]:
    """The owner references persistentVolumeClaimRetentionPolicy asks for on a claim of
    `ordinal`: the set when whenDeleted=Delete (while the ordinal is in range), the pod
    when whenScaled=Delete and the ordinal is scaled away."""
    policy = sts["spec"].get("persistentVolumeClaimRetentionPolicy") or {}
    when_deleted = policy.get("whenDeleted", "Retain")
    when_scaled = policy.get("whenScaled", "Retain")
    scaled_down = not in_ordinal_range(sts, ordinal)
    if when_scaled == "Delete" and scaled_down:
        if pod is None:
            return []
        return [{"apiVersion": "v1", "kind": "Pod", "name": pod["metadata"]["name"],
                 "uid": pod["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}]
    if when_deleted == "Delete":
        return [stateful_set_ref(sts)]
    return []


def claim_owner_refs(claim: dict, sts: dict, ordinal: int, pod: dict | None) -> list[dict] | None:
    """The claim's new ownerReferences, or None when they already match the policy.
    References to other owners are kept as they are."""
    ours = {sts["metadata"]["uid"]} | ({pod["metadata"]["uid"]} if pod else set())
    refs = claim["metadata"].get("ownerReferences") or []
    others = [r for r in refs if r.get("uid") not in ours]
    if any(r.get("controller") for r in others):
        return None  # someone else controls it: leave it alone
    wanted = others + wanted_claim_owners(sts, ordinal, pod)
    key = lambda r: (r.get("uid"), bool(r.get("controller")))  # noqa: E731
    if sorted(map(key, refs)) == sorted(map(key, wanted)):
        return None
    return wanted
