# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The Job controller's decisions, as plain functions: given a Job, its pods and the
time, what status to write, which pods to create, delete and release (remove the
job-tracking finalizer from), which events to record and when to look again.

Bookkeeping follows upstream 1.32's finalizer tracking: every pod is created with the
`batch.kubernetes.io/job-tracking` finalizer; a pod that finished is first recorded by
uid in status.uncountedTerminatedPods, then released, then moved into the
succeeded/failed counters once its finalizer is gone, so no pod is counted twice or
lost if the controller stops half way. Success and failure go through the interim
conditions SuccessCriteriaMet/FailureTarget; Complete/Failed follow once no pod is
active or terminating.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timezone

TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking"
LABEL_CONTROLLER_UID = "batch.kubernetes.io/controller-uid"
LABEL_JOB_NAME = "batch.kubernetes.io/job-name"
LEGACY_CONTROLLER_UID = "controller-uid"
LEGACY_JOB_NAME = "job-name"
COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index"  # annotation and label
INDEX_FAILURE_COUNT = "batch.kubernetes.io/job-index-failure-count"
COMPLETION_INDEX_ENV = "JOB_COMPLETION_INDEX"

POD_FAILURE_BACKOFF = 10.0  # seconds, doubled per failure since the last success
MAX_POD_FAILURE_BACKOFF = 600.0  # 1.32's cap is 10 minutes (the docs still say 6)
MAX_POD_CHANGES_PER_SYNC = 500

BACKOFF_MESSAGE = "Job has reached the specified backoff limit"
DEADLINE_MESSAGE = "Job was active longer than specified deadline"
COMPLETIONS_MESSAGE = "Reached expected number of succeeded pods"
MAX_FAILED_INDEXES_MESSAGE = "Job has exceeded the specified maximal number of failed indexes"
FAILED_INDEXES_MESSAGE = "Job has failed indexes"


@dataclass
class JobPlan:
    status: dict
    create: list[dict] = field(default_factory=list)  # pod manifests
    delete: list[dict] = field(default_factory=list)  # pods
    release: list[dict] = field(default_factory=list)  # pods whose finalizer goes
    events: list[tuple[str, str, str]] = field(default_factory=list)  # (type, reason, message)
    requeue_after: float | None = None


# ---------------------------------------------------------------- time
def format_time(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# ---------------------------------------------------------------- indexes
def parse_indexes(text: str | None, completions: int | None = None) -> set[int]:
    """`"0-2,5"` -> {0, 1, 2, 5}; indexes at or beyond `completions` are dropped."""
    found: set[int] = set()
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        first, _, last = part.partition("-")
        try:
            found.update(range(int(first), int(last or first) + 1))
        except ValueError:
            continue
    if completions is not None:
        found = {i for i in found if 0 <= i < completions}
    return found


def format_indexes(indexes: set[int]) -> str:
    """{0, 1, 2, 5, 7, 8} -> "0-2,5,7,8" (a run of two is written as a pair, as upstream)."""
    parts: list[str] = []
    ordered = sorted(indexes)
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        first, last = ordered[i], ordered[j]
        parts.append(str(first) if first == last else
                     f"{first},{last}" if last == first + 1 else f"{first}-{last}")
        i = j + 1
    return ",".join(parts)


def pod_index(pod: dict) -> int | None:
    meta = pod.get("metadata") or {}
    text = (meta.get("annotations") or {}).get(COMPLETION_INDEX) or \
        (meta.get("labels") or {}).get(COMPLETION_INDEX)
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


# ---------------------------------------------------------------- pod states
def has_finalizer(pod: dict) -> bool:
    return TRACKING_FINALIZER in (pod["metadata"].get("finalizers") or [])


def phase(pod: dict) -> str:
    return (pod.get("status") or {}).get("phase") or "Pending"


def is_active(pod: dict) -> bool:
    return phase(pod) not in ("Succeeded", "Failed") and not pod["metadata"].get("deletionTimestamp")


def is_terminating(pod: dict) -> bool:
    return phase(pod) not in ("Succeeded", "Failed") and bool(pod["metadata"].get("deletionTimestamp"))


def is_succeeded(pod: dict) -> bool:
    return phase(pod) == "Succeeded"


def is_failed(pod: dict, job: dict) -> bool:
    """Failed, or deleted before succeeding (an orphan never reaches Failed) unless the
    Job replaces only Failed pods."""
    if phase(pod) == "Failed":
        return True
    spec = job.get("spec") or {}
    if spec.get("podFailurePolicy") is not None or spec.get("podReplacementPolicy") == "Failed":
        return False
    return bool(pod["metadata"].get("deletionTimestamp")) and phase(pod) != "Succeeded"


def is_ready(pod: dict) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions") or [])


def finish_time(pod: dict) -> datetime | None:
    """When a pod finished: its last container's finishedAt, else its deletion time."""
    status = pod.get("status") or {}
    latest: datetime | None = None
    for cs in (status.get("containerStatuses") or []) + (status.get("initContainerStatuses") or []):
        when = parse_time(((cs.get("state") or {}).get("terminated") or {}).get("finishedAt"))
        if when and (latest is None or when > latest):
            latest = when
    if latest is None:
        latest = parse_time(pod["metadata"].get("deletionTimestamp"))
    if latest is None:
        for condition in status.get("conditions") or []:
            when = parse_time(condition.get("lastTransitionTime"))
            if when and (latest is None or when > latest):
                latest = when
    return latest or parse_time(pod["metadata"].get("creationTimestamp"))


def deletion_rank(pod: dict) -> tuple:
    """Sorts active pods cheapest-to-lose first: unscheduled, pending, not ready, newest."""
    phase_rank = {"Pending": 0, "Unknown": 1, "Running": 2}.get(phase(pod), 0)
    created = parse_time(pod["metadata"].get("creationTimestamp"))
    return (bool((pod.get("spec") or {}).get("nodeName")), phase_rank, is_ready(pod),
            -(created.timestamp() if created else float("inf")))


def backoff_remaining(pods: list[dict], job: dict, now: datetime,
                      base: float = POD_FAILURE_BACKOFF, cap: float = MAX_POD_FAILURE_BACKOFF) -> float:
    """Seconds to wait before creating replacement pods: `base` doubled for every failure
    since the last success, capped, counted from the last failure."""
    last_success: datetime | None = None
    for pod in pods:
        if is_succeeded(pod):
            when = finish_time(pod)
            if when and (last_success is None or when > last_success):
                last_success = when
    failures = [finish_time(pod) for pod in pods if is_failed(pod, job)]
    failures = [t for t in failures if t and (last_success is None or t > last_success)]
    if not failures:
        return 0.0
    delay = min(base * 2 ** (len(failures) - 1), cap)
    elapsed = (now - max(failures)).total_seconds()
    return max(0.0, delay - elapsed)


def past_backoff_limit_on_failure(job: dict, active: list[dict]) -> bool:
    """With restartPolicy OnFailure, container restarts count against backoffLimit."""
    spec = job.get("spec") or {}
    if ((spec.get("template") or {}).get("spec") or {}).get("restartPolicy") != "OnFailure":
        return False
    restarts = sum(cs.get("restartCount") or 0 for pod in active if phase(pod) in ("Pending", "Running")
                   for cs in ((pod.get("status") or {}).get("containerStatuses") or []) +
                   ((pod.get("status") or {}).get("initContainerStatuses") or []))
    limit = spec.get("backoffLimit", 6)
    return restarts > 0 if limit == 0 else restarts >= limit


# ---------------------------------------------------------------- conditions
def condition(job: dict, kind: str) -> dict | None:
    for cond in (job.get("status") or {}).get("conditions") or []:
        if cond.get("type") == kind and cond.get("status") == "True":
            return cond
    return None


def is_finished(job: dict) -> bool:
    return condition(job, "Complete") is not None or condition(job, "Failed") is not None


def new_condition(kind: str, reason: str, message: str, now: datetime, status: str = "True") -> dict:
    stamp = format_time(now)
    return {"type": kind, "status": status, "lastProbeTime": stamp, "lastTransitionTime": stamp,
            "reason": reason, "message": message}


def set_condition(conditions: list[dict], new: dict) -> bool:
    """Add or change a condition; False when it was already so."""
    for i, old in enumerate(conditions):
        if old.get("type") == new["type"]:
            if old.get("status") == new["status"] and old.get("reason") == new["reason"]:
                return False
            conditions[i] = new
            return True
    if new["status"] != "True":
        return False  # going from nothing to False says nothing
    conditions.append(new)
    return True


# ---------------------------------------------------------------- pods to create
def pod_for_job(job: dict, index: int | None = None, failure_count: int | None = None) -> dict:
    """A pod from the Job's template: labels tying it to the Job, an owner reference,
    the tracking finalizer and, for Indexed Jobs, its index (annotation, label,
    JOB_COMPLETION_INDEX and the hostname `<job>-<index>`)."""
    meta = job["metadata"]
    name, uid = meta["name"], meta["uid"]
    template = copy.deepcopy((job.get("spec") or {}).get("template") or {})
    template_meta = template.get("metadata") or {}
    labels = dict(template_meta.get("labels") or {})
    for key, value in ((LABEL_CONTROLLER_UID, uid), (LEGACY_CONTROLLER_UID, uid),
                       (LABEL_JOB_NAME, name), (LEGACY_JOB_NAME, name)):
        labels.setdefault(key, value)
    annotations = dict(template_meta.get("annotations") or {})
    spec = template.get("spec") or {}
    prefix = name[:57] + "-"
    if index is not None:
        annotations[COMPLETION_INDEX] = str(index)
        labels[COMPLETION_INDEX] = str(index)
        if failure_count is not None:
            annotations[INDEX_FAILURE_COUNT] = str(failure_count)
        if not spec.get("hostname"):
            spec["hostname"] = f"{name}-{index}"[:63].rstrip("-.")
        env_var = {"name": COMPLETION_INDEX_ENV, "valueFrom": {"fieldRef": {
            "apiVersion": "v1", "fieldPath": f"metadata.annotations['{COMPLETION_INDEX}']"}}}
        for container in (spec.get("containers") or []) + (spec.get("initContainers") or []):
            env = container.setdefault("env", [])
            if not any(e.get("name") == COMPLETION_INDEX_ENV for e in env):
                env.append(copy.deepcopy(env_var))
        prefix = f"{name[:50]}-{index}-"
    pod_meta = {"generateName": prefix, "namespace": meta.get("namespace"), "labels": labels,
                "finalizers": list(template_meta.get("finalizers") or []) + [TRACKING_FINALIZER],
                "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": name,
                                     "uid": uid, "controller": True, "blockOwnerDeletion": True}]}
    if annotations:
        pod_meta["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Pod", "metadata": pod_meta, "spec": spec}


# ---------------------------------------------------------------- the decision
def plan_job(job: dict, pods: list[dict], now: datetime) -> JobPlan:
    """Everything the controller should do for `job` given its (owned) `pods`."""
    spec = job.get("spec") or {}
    status = copy.deepcopy(job.get("status") or {})
    plan = JobPlan(status=status)
    indexed = spec.get("completionMode") == "Indexed"
    completions = spec.get("completions")
    per_index_limit = spec.get("backoffLimitPerIndex") if indexed else None
    conditions = status.setdefault("conditions", [])
    finished = is_finished(job)

    # 1. count: uncounted pods whose finalizer is gone move into the counters
    uncounted = status.get("uncountedTerminatedPods") or {}
    new_succeeded = list(uncounted.get("succeeded") or [])
    new_failed = list(uncounted.get("failed") or [])
    by_uid = {pod["metadata"].get("uid"): pod for pod in pods}
    succeeded, failed = status.get("succeeded") or 0, status.get("failed") or 0
    for uid in list(new_succeeded):
        if uid not in by_uid or not has_finalizer(by_uid[uid]):
            new_succeeded.remove(uid)
            succeeded += 1
    for uid in list(new_failed):
        if uid not in by_uid or not has_finalizer(by_uid[uid]):
            new_failed.remove(uid)
            failed += 1
    completed = parse_indexes(status.get("completedIndexes"), completions) if indexed else set()
    failed_indexes = parse_indexes(status.get("failedIndexes"), completions) \
        if per_index_limit is not None else set()

    # 2. pods that finished since: record their uids (written before they are released)
    recorded = set(new_succeeded) | set(new_failed)
    for pod in pods:
        if not has_finalizer(pod):
            continue
        uid = pod["metadata"].get("uid")
        if uid in recorded:
            plan.release.append(pod)
        elif finished or job["metadata"].get("deletionTimestamp"):
            plan.release.append(pod)  # the Job is done or going: let every pod go
        elif is_succeeded(pod):
            index = pod_index(pod)
            if indexed and index is not None and 0 <= index < (completions or 0) \
                    and index not in failed_indexes:
                completed.add(index)
            new_succeeded.append(uid)
            plan.release.append(pod)
        elif is_failed(pod, job):
            index = pod_index(pod)
            if per_index_limit is not None and index is not None and index not in completed:
                count = int((pod["metadata"].get("annotations") or {}).get(INDEX_FAILURE_COUNT) or 0) + 1
                if count > per_index_limit and 0 <= index < (completions or 0):
                    failed_indexes.add(index)
            new_failed.append(uid)
            plan.release.append(pod)

    status["uncountedTerminatedPods"] = {k: v for k, v in (("succeeded", new_succeeded),
                                                           ("failed", new_failed)) if v}
    succeeded_total = len(completed) if indexed else succeeded + len(new_succeeded)
    failed_total = failed + len(new_failed)
    _set_count(status, "succeeded", len(completed) if indexed else succeeded)
    _set_count(status, "failed", failed)
    if indexed:
        _set_text(status, "completedIndexes", format_indexes(completed))
    if per_index_limit is not None:
        status["failedIndexes"] = format_indexes(failed_indexes)

    active = [p for p in pods if is_active(p)]
    terminating = [p for p in pods if is_terminating(p)]
    if finished or job["metadata"].get("deletionTimestamp"):
        _set_pod_counts(status, active, terminating)
        if not status.get("conditions"):
            status.pop("conditions")
        return plan

    suspended = bool(spec.get("suspend"))
    if not suspended and not status.get("startTime"):
        status["startTime"] = format_time(now)

    # 3. has the Job succeeded or failed? (the interim condition, then the final one)
    interim = condition(job, "SuccessCriteriaMet") or condition(job, "FailureTarget")
    if interim is None:
        interim = _failure(job, spec, active, failed_total, failed_indexes, completed, now, suspended)
        if interim is None and _succeeded(spec, indexed, completions, succeeded_total, completed, active):
            interim = new_condition("SuccessCriteriaMet", "CompletionsReached", COMPLETIONS_MESSAGE, now)
        if interim is not None:
            conditions.append(interim)
    if interim is not None:
        plan.delete = [p for p in active]
        remaining_work = active or terminating or new_succeeded or new_failed or \
            any(has_finalizer(p) for p in pods)
        if not remaining_work:
            final_type = "Complete" if interim["type"] == "SuccessCriteriaMet" else "Failed"
            conditions.append(new_condition(final_type, interim.get("reason", ""),
                                            interim.get("message", ""), now))
            if final_type == "Complete":
                status["completionTime"] = format_time(now)
                plan.events.append(("Normal", "Completed", "Job completed"))
            else:
                plan.events.append(("Warning", interim.get("reason", ""), interim.get("message", "")))
        _set_pod_counts(status, [], terminating + active)
        return plan

    # 4. suspended: no pods; resumed: the clock starts again
    if suspended:
        plan.delete = sorted(active, key=deletion_rank)
        if set_condition(conditions, new_condition("Suspended", "JobSuspended", "Job suspended", now)):
            plan.events.append(("Normal", "Suspended", "Job suspended"))
        _set_pod_counts(status, [], terminating + active)
        if not conditions:
            status.pop("conditions")
        return plan
    if condition(job, "Suspended") is not None:
        set_condition(conditions, new_condition("Suspended", "JobResumed", "Job resumed", now, "False"))
        status["startTime"] = format_time(now)
        plan.events.append(("Normal", "Resumed", "Job resumed"))

    # 5. make the active pods what they should be
    if indexed:
        _manage_indexed(plan, job, pods, active, completed, failed_indexes, per_index_limit, now)
    else:
        _manage_non_indexed(plan, job, pods, active, terminating, succeeded_total, now)

    deadline = spec.get("activeDeadlineSeconds")
    start = parse_time(status.get("startTime"))
    if deadline is not None and start is not None:
        left = (start - now).total_seconds() + deadline
        plan.requeue_after = left if plan.requeue_after is None else min(plan.requeue_after, left)

    deleted = {p["metadata"].get("uid") for p in plan.delete}
    still_active = [p for p in active if p["metadata"].get("uid") not in deleted]
    _set_pod_counts(status, still_active, terminating + [p for p in active if p not in still_active],
                    created=len(plan.create))
    if not conditions:
        status.pop("conditions")
    return plan


def _failure(job: dict, spec: dict, active: list[dict], failed_total: int, failed_indexes: set[int],
             completed: set[int], now: datetime, suspended: bool) -> dict | None:
    if failed_total > spec.get("backoffLimit", 6) or past_backoff_limit_on_failure(job, active):
        return new_condition("FailureTarget", "BackoffLimitExceeded", BACKOFF_MESSAGE, now)
    max_failed = spec.get("maxFailedIndexes")
    if max_failed is not None and len(failed_indexes) > max_failed:
        return new_condition("FailureTarget", "MaxFailedIndexesExceeded", MAX_FAILED_INDEXES_MESSAGE, now)
    deadline = spec.get("activeDeadlineSeconds")
    start = parse_time((job.get("status") or {}).get("startTime"))
    if deadline is not None and start is not None and not suspended and \
            (now - start).total_seconds() >= deadline:
        return new_condition("FailureTarget", "DeadlineExceeded", DEADLINE_MESSAGE, now)
    completions = spec.get("completions")
    if failed_indexes and completions is not None and \
            len(failed_indexes | completed) >= completions and not active:
        return new_condition("FailureTarget", "FailedIndexes", FAILED_INDEXES_MESSAGE, now)
    return None


def _succeeded(spec: dict, indexed: bool, completions: int | None, succeeded_total: int,
               completed: set[int], active: list[dict]) -> bool:
    if completions is None:
        return succeeded_total > 0 and not active
    if indexed:
        return len(completed) >= completions
    return succeeded_total >= completions


def wanted_active(parallelism: int, completions: int | None, succeeded: int, active: int) -> int:
    """How many pods a non-indexed Job should have running now."""
    if completions is None:
        # a work queue: once one pod has succeeded no new ones start
        return active if succeeded > 0 else parallelism
    return max(0, min(parallelism, completions - succeeded))


def _manage_non_indexed(plan: JobPlan, job: dict, pods: list[dict], active: list[dict],
                        terminating: list[dict], succeeded_total: int, now: datetime) -> None:
    spec = job.get("spec") or {}
    want = wanted_active(spec.get("parallelism", 1), spec.get("completions"),
                         succeeded_total, len(active))
    if len(active) > want:
        plan.delete = sorted(active, key=deletion_rank)[:len(active) - want]
        return
    missing = min(want - len(active), MAX_POD_CHANGES_PER_SYNC)
    if missing <= 0:
        return
    if spec.get("podReplacementPolicy") == "Failed" and terminating:
        return  # replacements wait until the old pods are gone
    wait = backoff_remaining(pods, job, now)
    if wait > 0:
        plan.requeue_after = wait
        return
    plan.create = [pod_for_job(job) for _ in range(missing)]


def indexes_to_create(completions: int, parallelism: int, completed: set[int], failed: set[int],
                      active_indexes: set[int]) -> list[int]:
    """The lowest indexes that are neither done, failed nor running, up to parallelism."""
    room = parallelism - len(active_indexes)
    if room <= 0:
        return []
    pending = (i for i in range(completions)
               if i not in completed and i not in failed and i not in active_indexes)
    out = []
    for index in pending:
        if len(out) >= min(room, MAX_POD_CHANGES_PER_SYNC):
            break
        out.append(index)
    return out


def _manage_indexed(plan: JobPlan, job: dict, pods: list[dict], active: list[dict],
                    completed: set[int], failed_indexes: set[int], per_index_limit: int | None,
                    now: datetime) -> None:
    spec = job.get("spec") or {}
    completions = spec.get("completions") or 0
    parallelism = spec.get("parallelism", 1)
    # keep one active pod per live index; the rest (duplicates, done, out of range) go
    keep: dict[int, dict] = {}
    extra: list[dict] = []
    for pod in sorted(active, key=deletion_rank, reverse=True):
        index = pod_index(pod)
        if index is None or not 0 <= index < completions or index in completed or \
                index in failed_indexes or index in keep:
            extra.append(pod)
        else:
            keep[index] = pod
    if len(keep) > parallelism:
        for index in sorted(keep)[parallelism:]:
            extra.append(keep.pop(index))
    plan.delete = extra
    candidates = indexes_to_create(completions, parallelism, completed, failed_indexes, set(keep))
    if not candidates:
        return
    if per_index_limit is None:
        wait = backoff_remaining(pods, job, now)
        if wait > 0:
            plan.requeue_after = wait
            return
    for index in candidates:
        of_index = [p for p in pods if pod_index(p) == index]
        failure_count = None
        if per_index_limit is not None:
            wait = backoff_remaining(of_index, job, now)
            if wait > 0:
                plan.requeue_after = wait if plan.requeue_after is None else min(plan.requeue_after, wait)
                continue
            failure_count = max((int((p["metadata"].get("annotations") or {}).get(INDEX_FAILURE_COUNT) or 0) + 1
                                 for p in of_index if is_failed(p, job)), default=0)
        plan.create.append(pod_for_job(job, index, failure_count))


def _set_count(status: dict, key: str, value: int) -> None:
    if value:
        status[key] = value
    else:
        status.pop(key, None)


def _set_text(status: dict, key: str, value: str) -> None:
    if value:
        status[key] = value
    else:
        status.pop(key, None)


def _set_pod_counts(status: dict, active: list[dict], terminating: list[dict], created: int = 0) -> None:
    _set_count(status, "active", len(active) + created)
    status["ready"] = sum(1 for p in active if is_ready(p))
    status["terminating"] = len(terminating)
