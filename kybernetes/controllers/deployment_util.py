# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The Deployment controller's arithmetic, all pure (objects in, numbers and objects
out), as upstream's pkg/controller/deployment/util: surge and unavailability fenceposts,
the pod-template hash, revisions and the annotations ReplicaSets carry, the status and
conditions a Deployment reports, and which old ReplicaSets history cleanup removes.
The rollout steps built on these are in deployment_rollout."""
from __future__ import annotations

import math
from typing import Iterable

import orjson

from kybernetes.controllers.podcontrol import POD_TEMPLATE_HASH_LABEL, copy_object, parse_time, rfc3339

REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
ROLLBACK_TO = "deprecated.deployment.rollback.to"
# Annotations a Deployment does not copy to its ReplicaSets (and a rollback keeps).
ANNOTATIONS_NOT_COPIED = frozenset({LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS,
                                    MAX_REPLICAS, ROLLBACK_TO})
MAX_REVISION_HISTORY_CHARS = 2000
NO_PROGRESS_DEADLINE = 2147483647

# condition reasons
REPLICA_SET_UPDATED = "ReplicaSetUpdated"
FAILED_RS_CREATE = "ReplicaSetCreateError"
NEW_RS_CREATED = "NewReplicaSetCreated"
FOUND_NEW_RS = "FoundNewReplicaSet"
NEW_RS_AVAILABLE = "NewReplicaSetAvailable"
TIMED_OUT = "ProgressDeadlineExceeded"
PAUSED = "DeploymentPaused"
RESUMED = "DeploymentResumed"
MINIMUM_AVAILABLE = "MinimumReplicasAvailable"
MINIMUM_UNAVAILABLE = "MinimumReplicasUnavailable"

SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


# ------------------------------------------------------------------ small accessors
def replicas(obj: dict | None) -> int:
    """spec.replicas (0 for a missing ReplicaSet)."""
    if obj is None:
        return 0
    value = (obj.get("spec") or {}).get("replicas")
    return 1 if value is None else int(value)


def status_of(obj: dict | None, field: str) -> int:
    return int(((obj or {}).get("status") or {}).get(field) or 0)


def annotations_of(obj: dict) -> dict:
    return (obj.get("metadata") or {}).get("annotations") or {}


def is_rolling_update(deployment: dict) -> bool:
    return ((deployment["spec"].get("strategy") or {}).get("type") or "RollingUpdate") == "RollingUpdate"


def has_progress_deadline(deployment: dict) -> bool:
    deadline = deployment["spec"].get("progressDeadlineSeconds")
    return deadline is not None and deadline != NO_PROGRESS_DEADLINE


def creation_order_key(rs: dict) -> tuple:
    """ReplicaSetsByCreationTimestamp: oldest first, then by name."""
    meta = rs["metadata"]
    return (parse_time(meta.get("creationTimestamp")) or 0.0, meta.get("name", ""))


def active(replica_sets: Iterable[dict | None]) -> list[dict]:
    """ReplicaSets asked for at least one pod (FilterActiveReplicaSets)."""
    return [rs for rs in replica_sets if rs is not None and replicas(rs) > 0]


def total_replicas(replica_sets: Iterable[dict | None]) -> int:
    return sum(replicas(rs) for rs in replica_sets if rs is not None)


def total_status(replica_sets: Iterable[dict | None], field: str) -> int:
    return sum(status_of(rs, field) for rs in replica_sets if rs is not None)


# ------------------------------------------------------------------ surge and unavailability
def scaled_value(value: int | str | None, total: int, round_up: bool) -> int:
    """An int-or-percent against `total` (GetScaledValueFromIntOrPercent): "25%" of 10 is
    3 rounded up, 2 rounded down."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    text = str(value)
    if not text.endswith("%"):
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"invalid value for IntOrString: invalid value {text!r}") from None
    percent = int(text[:-1])
    exact = percent * total / 100
    return math.ceil(exact) if round_up else math.floor(exact)


def resolve_fenceposts(max_surge: int | str | None, max_unavailable: int | str | None,
                       desired: int) -> tuple[int, int]:
    """(surge, unavailable) for `desired` replicas: surge rounds up, unavailable down; if
    both come to 0, unavailable is 1 so that a rollout can always make progress."""
    surge = scaled_value(max_surge if max_surge is not None else 0, desired, True)
    unavailable = scaled_value(max_unavailable if max_unavailable is not None else 0, desired, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def _rolling(deployment: dict) -> dict:
    return (deployment["spec"].get("strategy") or {}).get("rollingUpdate") or {}


def max_surge(deployment: dict) -> int:
    if not is_rolling_update(deployment):
        return 0
    rolling = _rolling(deployment)
    surge, _ = resolve_fenceposts(rolling.get("maxSurge"), rolling.get("maxUnavailable"),
                                  replicas(deployment))
    return surge


def max_unavailable(deployment: dict) -> int:
    desired = replicas(deployment)
    if not is_rolling_update(deployment) or desired == 0:
        return 0
    rolling = _rolling(deployment)
    _, unavailable = resolve_fenceposts(rolling.get("maxSurge"), rolling.get("maxUnavailable"), desired)
    return min(unavailable, desired)


# ------------------------------------------------------------------ the pod-template hash
def _normalized(value: object) -> object:
    """Drop nulls and empty maps and lists, as Go's semantic equality ignores nil-vs-empty."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            item = _normalized(item)
            if item is None or item == {} or item == []:
                continue
            out[key] = item
        return out
    if isinstance(value, list):
        return [_normalized(item) for item in value]
    return value


def fnv32a(data: bytes) -> int:
    digest = 0x811C9DC5
    for byte in data:
        digest ^= byte
        digest = (digest * 0x01000193) & 0xFFFFFFFF
    return digest


def safe_encode(text: str) -> str:
    """Upstream's SafeEncodeString: every character mapped into an alphabet without vowels
    (so no words) and without look-alike characters."""
    return "".join(SAFE_ALPHABET[ord(ch) % len(SAFE_ALPHABET)] for ch in text)


def compute_hash(template: dict, collision_count: int | None = None) -> str:
    """The pod-template-hash of a template: FNV-32a of the template (its canonical JSON:
    sorted keys, empty fields left out) followed by the collision count as 8 little-endian
    bytes, its decimal form safe-encoded (as upstream's ComputeHash)."""
    data = orjson.dumps(_normalized(template), option=orjson.OPT_SORT_KEYS)
    if collision_count is not None:
        data += (collision_count & 0xFFFFFFFF).to_bytes(4, "little") + b"\0\0\0\0"
    return safe_encode(str(fnv32a(data)))


def without_hash(template: dict | None) -> object:
    template = copy_object(template or {})
    labels = (template.get("metadata") or {}).get("labels")
    if labels:
        labels.pop(POD_TEMPLATE_HASH_LABEL, None)
    return _normalized(template)


def equal_ignore_hash(a: dict | None, b: dict | None) -> bool:
    """Templates equal but for the pod-template-hash label (EqualIgnoreHash)."""
    return without_hash(a) == without_hash(b)


def find_new_replica_set(deployment: dict, replica_sets: list[dict]) -> dict | None:
    """The oldest ReplicaSet whose template is the Deployment's."""
    for rs in sorted(replica_sets, key=creation_order_key):
        if equal_ignore_hash((rs.get("spec") or {}).get("template"), deployment["spec"].get("template")):
            return rs
    return None


# ------------------------------------------------------------------ revisions and annotations
def revision(obj: dict | None) -> int:
    if obj is None:
        return 0
    try:
        return int(annotations_of(obj).get(REVISION, "0"))
    except ValueError:
        return 0


def max_revision(replica_sets: Iterable[dict]) -> int:
    return max((revision(rs) for rs in replica_sets), default=0)


def replicas_annotations_need_update(rs: dict, desired: int, max_replicas: int) -> bool:
    current = annotations_of(rs)
    return current.get(DESIRED_REPLICAS) != str(desired) or current.get(MAX_REPLICAS) != str(max_replicas)


def set_replicas_annotations(rs: dict, desired: int, max_replicas: int) -> bool:
    if not replicas_annotations_need_update(rs, desired, max_replicas):
        return False
    notes = rs["metadata"].setdefault("annotations", {})
    notes[DESIRED_REPLICAS] = str(desired)
    notes[MAX_REPLICAS] = str(max_replicas)
    return True


def set_new_replica_set_annotations(deployment: dict, rs: dict, new_revision: int,
                                    exists: bool) -> bool:
    """Copy the Deployment's annotations to its new ReplicaSet, raise its revision (keeping
    the old one in revision-history when a rollback brings it back) and, on creation,
    record desired and max replicas. True when `rs` changed."""
    notes = rs["metadata"].setdefault("annotations", {})
    changed = False
    for key, value in annotations_of(deployment).items():
        if key in ANNOTATIONS_NOT_COPIED or notes.get(key) == value:
            continue
        notes[key] = value
        changed = True
    old_text = notes.get(REVISION)
    try:
        old_revision = int(old_text) if old_text else 0
    except ValueError:
        return changed
    if old_revision < new_revision:
        notes[REVISION] = str(new_revision)
        changed = True
        if old_text is not None:
            history = notes.get(REVISION_HISTORY, "")
            parts = history.split(",") if history else []
            total = len(history) + len(old_text) + 1
            while parts and total > MAX_REVISION_HISTORY_CHARS:
                total -= len(parts.pop(0)) + 1
            if total <= MAX_REVISION_HISTORY_CHARS:
                notes[REVISION_HISTORY] = ",".join(parts + [old_text])
    if not exists and set_replicas_annotations(rs, replicas(deployment),
                                               replicas(deployment) + max_surge(deployment)):
        changed = True
    return changed


# ------------------------------------------------------------------ status and conditions
def condition(status: dict, kind: str) -> dict | None:
    for item in status.get("conditions") or []:
        if item.get("type") == kind:
            return item
    return None


def new_condition(kind: str, state: str, reason: str, message: str, now: str) -> dict:
    return {"type": kind, "status": state, "lastUpdateTime": now, "lastTransitionTime": now,
            "reason": reason, "message": message}


def set_condition(status: dict, new: dict) -> None:
    """Add or replace a condition; the same status and reason is left alone, the same
    status keeps its lastTransitionTime (SetDeploymentCondition)."""
    current = condition(status, new["type"])
    if current is not None and (current.get("status"), current.get("reason")) == (new["status"], new["reason"]):
        return
    if current is not None and current.get("status") == new["status"]:
        new = dict(new, lastTransitionTime=current.get("lastTransitionTime"))
    status["conditions"] = [c for c in status.get("conditions") or [] if c.get("type") != new["type"]] + [new]


def remove_condition(status: dict, kind: str) -> None:
    remaining = [c for c in status.get("conditions") or [] if c.get("type") != kind]
    if remaining:
        status["conditions"] = remaining
    else:
        status.pop("conditions", None)


def calculate_status(deployment: dict, all_replica_sets: list[dict], new_rs: dict | None,
                     now: str | None = None) -> dict:
    """The Deployment's status from its ReplicaSets (calculateStatus), with the Available
    condition: True while at least replicas - maxUnavailable pods are available."""
    now = now or rfc3339()
    sets = [rs for rs in all_replica_sets if rs is not None]
    available = total_status(sets, "availableReplicas")
    unavailable = max(total_replicas(sets) - available, 0)
    old = deployment.get("status") or {}
    status: dict = {"observedGeneration": deployment["metadata"].get("generation", 0),
                    "replicas": total_status(sets, "replicas"),
                    "updatedReplicas": status_of(new_rs, "replicas"),
                    "readyReplicas": total_status(sets, "readyReplicas"),
                    "availableReplicas": available,
                    "unavailableReplicas": unavailable}
    if old.get("collisionCount") is not None:
        status["collisionCount"] = old["collisionCount"]
    status["conditions"] = copy_object(old.get("conditions") or [])
    if available >= replicas(deployment) - max_unavailable(deployment):
        set_condition(status, new_condition("Available", "True", MINIMUM_AVAILABLE,
                                            "Deployment has minimum availability.", now))
    else:
        set_condition(status, new_condition("Available", "False", MINIMUM_UNAVAILABLE,
                                            "Deployment does not have minimum availability.", now))
    return compact_status(status)


def compact_status(status: dict) -> dict:
    """Leave out zero counts and empty lists as the API's omitempty does, so a status
    computed here compares equal to the one read back."""
    return {k: v for k, v in status.items() if v not in (0, None, [])
            or k == "observedGeneration" and v is not None}


def deployment_complete(deployment: dict, status: dict) -> bool:
    desired = replicas(deployment)
    return (status.get("updatedReplicas", 0) == desired and status.get("replicas", 0) == desired
            and status.get("availableReplicas", 0) == desired
            and status.get("observedGeneration", 0) >= deployment["metadata"].get("generation", 0))


def deployment_progressing(deployment: dict, status: dict) -> bool:
    old = deployment.get("status") or {}
    old_old = old.get("replicas", 0) - old.get("updatedReplicas", 0)
    new_old = status.get("replicas", 0) - status.get("updatedReplicas", 0)
    return (status.get("updatedReplicas", 0) > old.get("updatedReplicas", 0) or new_old < old_old
            or status.get("readyReplicas", 0) > old.get("readyReplicas", 0)
            or status.get("availableReplicas", 0) > old.get("availableReplicas", 0))


def deployment_timed_out(deployment: dict, status: dict, now: float) -> bool:
    if not has_progress_deadline(deployment):
        return False
    progressing = condition(status, "Progressing")
    if progressing is None or progressing.get("reason") == NEW_RS_AVAILABLE:
        return False
    if progressing.get("reason") == TIMED_OUT:
        return True
    since = parse_time(progressing.get("lastUpdateTime"))
    return since is not None and since + deployment["spec"]["progressDeadlineSeconds"] < now


def rollout_status(deployment: dict, all_replica_sets: list[dict], new_rs: dict | None,
                   now: float) -> dict:
    """The status a rollout step writes (syncRolloutStatus): calculateStatus plus the
    Progressing condition: NewReplicaSetAvailable once complete, ReplicaSetUpdated while
    it moves, ProgressDeadlineExceeded when it has not moved for progressDeadlineSeconds."""
    stamp = rfc3339(now)
    status = calculate_status(deployment, all_replica_sets, new_rs, stamp)
    if not has_progress_deadline(deployment):
        remove_condition(status, "Progressing")
    current = condition(deployment.get("status") or {}, "Progressing")
    complete_before = (status.get("replicas", 0) == status.get("updatedReplicas", 0)
                       and current is not None and current.get("reason") == NEW_RS_AVAILABLE)
    subject = f'ReplicaSet "{new_rs["metadata"]["name"]}"' if new_rs is not None else \
        f'Deployment "{deployment["metadata"]["name"]}"'
    if has_progress_deadline(deployment) and not complete_before:
        if deployment_complete(deployment, status):
            set_condition(status, new_condition("Progressing", "True", NEW_RS_AVAILABLE,
                                                f"{subject} has successfully progressed.", stamp))
        elif deployment_progressing(deployment, status):
            fresh = new_condition("Progressing", "True", REPLICA_SET_UPDATED,
                                  f"{subject} is progressing.", stamp)
            if current is not None:
                if current.get("status") == "True":
                    fresh["lastTransitionTime"] = current.get("lastTransitionTime")
                remove_condition(status, "Progressing")
            status.setdefault("conditions", []).append(fresh)
        elif deployment_timed_out(deployment, status, now):
            set_condition(status, new_condition("Progressing", "False", TIMED_OUT,
                                                f"{subject} has timed out progressing.", stamp))
    failures = [c for rs in all_replica_sets if rs is not None
                for c in (rs.get("status") or {}).get("conditions") or []
                if c.get("type") == "ReplicaFailure" and c.get("status") == "True"]
    if failures:
        failure = failures[0]
        set_condition(status, {"type": "ReplicaFailure", "status": "True",
                               "lastUpdateTime": failure.get("lastTransitionTime"),
                               "lastTransitionTime": failure.get("lastTransitionTime"),
                               "reason": failure.get("reason"), "message": failure.get("message")})
    else:
        remove_condition(status, "ReplicaFailure")
    return status


def seconds_until_deadline(deployment: dict, status: dict, now: float) -> float | None:
    """When to look again for a stalled rollout (requeueStuckDeployment), or None."""
    progressing = condition(status, "Progressing")
    if (not has_progress_deadline(deployment) or progressing is None
            or progressing.get("reason") in (NEW_RS_AVAILABLE, TIMED_OUT)
            or deployment_complete(deployment, status)):
        return None
    since = parse_time(progressing.get("lastUpdateTime"))
    if since is None:
        return None
    return max(since + deployment["spec"]["progressDeadlineSeconds"] - now, 0.0)


def paused_condition_change(deployment: dict, now: str) -> dict | None:
    """The Progressing condition pausing or resuming sets (checkPausedConditions), if any."""
    if not has_progress_deadline(deployment):
        return None
    current = condition(deployment.get("status") or {}, "Progressing")
    if current is not None and current.get("reason") == TIMED_OUT:
        return None
    paused_recorded = current is not None and current.get("reason") == PAUSED
    if deployment["spec"].get("paused") and not paused_recorded:
        return new_condition("Progressing", "Unknown", PAUSED, "Deployment is paused", now)
    if not deployment["spec"].get("paused") and paused_recorded:
        return new_condition("Progressing", "Unknown", RESUMED, "Deployment is resumed", now)
    return None


def cleanup_candidates(deployment: dict, old_replica_sets: list[dict]) -> list[dict]:
    """Old ReplicaSets beyond revisionHistoryLimit that may be deleted: lowest revision
    first, only those scaled to 0 with no pods and an observed spec."""
    limit = deployment["spec"].get("revisionHistoryLimit")
    if limit is None:
        return []
    alive = [rs for rs in old_replica_sets if not rs["metadata"].get("deletionTimestamp")]
    surplus = len(alive) - limit
    if surplus <= 0:
        return []
    alive.sort(key=lambda rs: (revision(rs), creation_order_key(rs)))
    return [rs for rs in alive[:surplus]
            if status_of(rs, "replicas") == 0 and replicas(rs) == 0
            and rs["metadata"].get("generation", 0) <= status_of(rs, "observedGeneration")]
