# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The Deployment controller's rollout decisions, all pure: the ReplicaSet a Deployment
makes for its template, how far a rolling update may scale the new ReplicaSet up and the
old ones down in one step, and how a scaling event (or a paused Deployment) resizes the
ReplicaSets, proportionally when a rollout is under way (upstream's rolling.go, sync.go
and the scaling helpers of deployment/util)."""
from __future__ import annotations

import functools
import math

from kybernetes.controllers.deployment_util import (
    DESIRED_REPLICAS, MAX_REPLICAS, active, annotations_of, creation_order_key, compute_hash,
    is_rolling_update, max_revision, max_surge, max_unavailable, replicas,
    set_new_replica_set_annotations, status_of, total_replicas)
from kybernetes.controllers.podcontrol import POD_TEMPLATE_HASH_LABEL, controller_ref, copy_object


def new_replica_set(deployment: dict, old_replica_sets: list[dict]) -> dict:
    """The ReplicaSet a Deployment makes for its current template: named
    `<deployment>-<hash>`, the hash as label and in the selector, scaled as far as the
    strategy allows."""
    meta, spec = deployment["metadata"], deployment["spec"]
    template = copy_object(spec.get("template") or {})
    collisions = (deployment.get("status") or {}).get("collisionCount")
    pod_hash = compute_hash(spec.get("template") or {}, collisions)
    template.setdefault("metadata", {})
    template["metadata"]["labels"] = dict(template["metadata"].get("labels") or {},
                                          **{POD_TEMPLATE_HASH_LABEL: pod_hash})
    selector = copy_object(spec.get("selector") or {})
    selector["matchLabels"] = dict(selector.get("matchLabels") or {}, **{POD_TEMPLATE_HASH_LABEL: pod_hash})
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
          "metadata": {"name": f"{meta['name']}-{pod_hash}", "namespace": meta.get("namespace"),
                       "labels": dict(template["metadata"]["labels"]),
                       "ownerReferences": [controller_ref(deployment)]},
          "spec": {"replicas": 0, "minReadySeconds": spec.get("minReadySeconds") or 0,
                   "selector": selector, "template": template}}
    rs["spec"]["replicas"] = new_rs_replicas(deployment, old_replica_sets + [rs], rs)
    set_new_replica_set_annotations(deployment, rs, max_revision(old_replica_sets) + 1, exists=False)
    return rs


# ------------------------------------------------------------------ rolling update steps
def new_rs_replicas(deployment: dict, all_replica_sets: list[dict], new_rs: dict) -> int:
    """How big the new ReplicaSet may be now (NewRSNewReplicas): for a rolling update, up
    to replicas + maxSurge pods in all; for Recreate, all of them."""
    desired = replicas(deployment)
    if not is_rolling_update(deployment):
        return desired
    current = total_replicas(all_replica_sets)
    ceiling = desired + max_surge(deployment)
    if current >= ceiling:
        return replicas(new_rs)
    step = min(ceiling - current, desired - replicas(new_rs))
    return replicas(new_rs) + step


def old_scale_down_plan(deployment: dict, new_rs: dict | None,
                        old_replica_sets: list[dict]) -> dict[str, int]:
    """How to scale old ReplicaSets down in one rolling-update step (upstream's
    reconcileOldReplicaSets): name -> new size. First unhealthy pods go (as many as keep
    replicas - maxUnavailable pods and do not count the new set's unavailable ones), then
    available ones, oldest ReplicaSet first, while more than the minimum are available."""
    old_replica_sets = sorted(old_replica_sets, key=creation_order_key)
    if total_replicas(old_replica_sets) == 0:
        return {}
    everything = old_replica_sets + ([new_rs] if new_rs is not None else [])
    min_available = replicas(deployment) - max_unavailable(deployment)
    new_unavailable = replicas(new_rs) - status_of(new_rs, "availableReplicas") if new_rs else 0
    max_scaled_down = total_replicas(everything) - min_available - new_unavailable
    if max_scaled_down <= 0:
        return {}
    sizes = {rs["metadata"]["name"]: replicas(rs) for rs in old_replica_sets}
    plan: dict[str, int] = {}
    cleaned = 0
    for rs in old_replica_sets:  # cleanupUnhealthyReplicas
        name = rs["metadata"]["name"]
        if cleaned >= max_scaled_down:
            break
        unhealthy = sizes[name] - status_of(rs, "availableReplicas")
        if sizes[name] == 0 or unhealthy <= 0:
            continue
        step = min(max_scaled_down - cleaned, unhealthy)
        sizes[name] -= step
        plan[name] = sizes[name]
        cleaned += step
    # A ReplicaSet just scaled down may still report the pods it is deleting as
    # available: count no more than it will keep, so the floor holds (upstream counts
    # the reported number and relies on graceful termination to cover the gap).
    available = sum(min(status_of(rs, "availableReplicas"), replicas(rs)) for rs in everything)
    if available > min_available:  # scaleDownOldReplicaSetsForRollingUpdate
        budget = available - min_available
        scaled = 0
        for rs in old_replica_sets:
            name = rs["metadata"]["name"]
            if scaled >= budget:
                break
            if sizes[name] == 0:
                continue
            step = min(sizes[name], budget - scaled)
            sizes[name] -= step
            plan[name] = sizes[name]
            scaled += step
    return plan


# ------------------------------------------------------------------ scaling events
def desired_annotation(rs: dict) -> int | None:
    try:
        return int(annotations_of(rs)[DESIRED_REPLICAS])
    except (KeyError, ValueError):
        return None


def is_scaling_event(deployment: dict, replica_sets: list[dict]) -> bool:
    """An active ReplicaSet recorded a different desired size than the Deployment has."""
    for rs in active(replica_sets):
        desired = desired_annotation(rs)
        if desired is not None and desired != replicas(deployment):
            return True
    return False


def is_saturated(deployment: dict, rs: dict | None) -> bool:
    if rs is None:
        return False
    desired = desired_annotation(rs)
    size = replicas(deployment)
    return replicas(rs) == size and desired == size and status_of(rs, "availableReplicas") == size


def _round_half_away(value: float) -> int:
    return int(math.floor(value + 0.5)) if value >= 0 else -int(math.floor(-value + 0.5))


def _fraction(rs: dict, deployment: dict) -> int:
    if replicas(deployment) == 0:
        return -replicas(rs)
    ceiling = replicas(deployment) + max_surge(deployment)
    try:
        before = int(annotations_of(rs)[MAX_REPLICAS])
    except (KeyError, ValueError):
        before = 0
    if before == 0:
        before = status_of(deployment, "replicas")
    if before == 0:
        return 0
    return _round_half_away(replicas(rs) * ceiling / before) - replicas(rs)


def proportion(rs: dict, deployment: dict, to_add: int, added: int) -> int:
    """This ReplicaSet's share of `to_add` (GetProportion), never past what is left."""
    if replicas(rs) == 0 or to_add == 0 or to_add == added:
        return 0
    fraction = _fraction(rs, deployment)
    allowed = to_add - added
    return min(fraction, allowed) if to_add > 0 else max(fraction, allowed)


def find_active_or_latest(new_rs: dict | None, old_replica_sets: list[dict]) -> dict | None:
    if new_rs is None and not old_replica_sets:
        return None
    newest_first = sorted(old_replica_sets, key=creation_order_key, reverse=True)
    actives = active(newest_first + [new_rs])
    if not actives:
        return new_rs if new_rs is not None else newest_first[0]
    return actives[0] if len(actives) == 1 else None


def scale_plan(deployment: dict, new_rs: dict | None, old_replica_sets: list[dict]
               ) -> tuple[dict[str, int], bool]:
    """What a scaling event (or a paused Deployment) does (upstream's scale()): name ->
    new size, and whether it is a proportional scaling (which also refreshes the replica
    annotations of ReplicaSets keeping their size). One active ReplicaSet takes the whole
    size; a saturated new one means old ones go to 0; otherwise a rolling update shares
    the change among active ReplicaSets in proportion to their size."""
    desired = replicas(deployment)
    only = find_active_or_latest(new_rs, old_replica_sets)
    if only is not None:
        return ({} if replicas(only) == desired else {only["metadata"]["name"]: desired}), False
    if is_saturated(deployment, new_rs):
        return {rs["metadata"]["name"]: 0 for rs in active(old_replica_sets)}, False
    if not is_rolling_update(deployment):
        return {}, False
    actives = active(old_replica_sets + [new_rs])
    allowed = desired + max_surge(deployment) if desired > 0 else 0
    to_add = allowed - total_replicas(actives)
    if to_add > 0:  # bigger first; of equal size, the newer first
        actives = _newer_first_ties(actives)
    elif to_add < 0:  # bigger first; of equal size, the older first
        actives.sort(key=lambda rs: (-replicas(rs), creation_order_key(rs)))
    sizes: dict[str, int] = {}
    added = 0
    for rs in actives:
        share = proportion(rs, deployment, to_add, added) if to_add else 0
        sizes[rs["metadata"]["name"]] = replicas(rs) + share
        added += share
    if actives and to_add:
        first = actives[0]["metadata"]["name"]
        sizes[first] = max(sizes[first] + to_add - added, 0)
    return sizes, True


def _newer_first_ties(replica_sets: list[dict]) -> list[dict]:
    """Bigger first; among equal sizes the newest first (ReplicaSetsBySizeNewer)."""

    def compare(a: dict, b: dict) -> int:
        if replicas(a) != replicas(b):
            return -1 if replicas(a) > replicas(b) else 1
        ka, kb = creation_order_key(a), creation_order_key(b)
        return -1 if ka > kb else (1 if ka < kb else 0)
    return sorted(replica_sets, key=functools.cmp_to_key(compare))
