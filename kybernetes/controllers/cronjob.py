# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The CronJob controller: starts a Job from spec.jobTemplate at each time spec.schedule
names (in spec.timeZone), honouring concurrencyPolicy, startingDeadlineSeconds and
suspend; keeps status.active, lastScheduleTime and lastSuccessfulTime; deletes
finished Jobs beyond the history limits.

As upstream, a Job is named `<cronjob>-<scheduled time in minutes since the epoch>`,
so the name itself guards against starting the same scheduled run twice, and only the
most recent missed time is started (more than 100 missed ones also gets a warning).
The decisions are `plan_cronjob` and the schedule arithmetic below it.
"""
from __future__ import annotations

import copy
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo

from kybernetes.apiserver.errors import ApiError
from kybernetes.client.informer import split_key
from kybernetes.client.rest import resource
from kybernetes.controllers.base import Controller, owner_keys
from kybernetes.controllers.cron import CronError, Schedule, load_zone, parse_schedule
from kybernetes.controllers.job_util import condition, format_time, is_finished, parse_time

CRONJOBS = resource("cronjobs.batch")
JOBS = resource("jobs.batch")
SCHEDULED_TIMESTAMP = "batch.kubernetes.io/cronjob-scheduled-timestamp"
TOO_MANY_MISSED = 100
NEXT_SCHEDULE_DELTA = 0.1  # seconds past the scheduled time to wake up, as upstream
TOO_MANY_MISSED_MESSAGE = ("too many missed start times. Set or decrease "
                           ".spec.startingDeadlineSeconds or check clock skew")


@dataclass
class CronJobPlan:
    status: dict
    create: dict | None = None  # the Job to create
    scheduled: datetime | None = None
    delete: list[dict] = field(default_factory=list)  # Jobs to delete (Replace)
    events: list[tuple[str, str, str]] = field(default_factory=list)
    requeue_after: float | None = None


# ---------------------------------------------------------------- schedule arithmetic
def job_name(cronjob: dict, scheduled: datetime) -> str:
    return f"{cronjob['metadata']['name']}-{int(scheduled.timestamp()) // 60}"


def most_recent_schedule(cronjob: dict, now: datetime, schedule: Schedule, zone: tzinfo,
                         with_deadline: bool) -> tuple[datetime, datetime | None, int]:
    """(the earliest time considered, the latest scheduled time in (earliest, now] or
    None, roughly how many scheduled times were missed). Raises ValueError for a
    schedule whose activations are less than a second apart or never come."""
    status = cronjob.get("status") or {}
    earliest = parse_time(status.get("lastScheduleTime")) or \
        parse_time(cronjob["metadata"].get("creationTimestamp")) or now
    deadline = (cronjob.get("spec") or {}).get("startingDeadlineSeconds")
    if with_deadline and deadline is not None:
        earliest = max(earliest, now - timedelta(seconds=deadline))
    first = schedule.next(earliest, zone)
    if first is None or now < first:
        return earliest, None, 0
    second = schedule.next(first, zone)
    if second is None or now < second:
        return earliest, first, 1
    interval = round((second - first).total_seconds())
    if interval < 1:
        raise ValueError("time difference between two schedules is less than 1 second")
    missed = int((now - first).total_seconds()) // interval + 1
    # jump close to `now` by whole intervals, then walk the real schedule (irregular
    # ones such as `30 6-16/4 * * 1-5` need the walk)
    latest = None
    candidate = schedule.next(first + timedelta(seconds=(missed - 2) * interval), zone)
    while candidate is not None and candidate <= now:
        latest = candidate
        candidate = schedule.next(candidate, zone)
    return earliest, latest, missed


def next_schedule_time(cronjob: dict, now: datetime, schedule: Schedule,
                       zone: tzinfo) -> tuple[datetime | None, bool]:
    """The scheduled time to start now (None: nothing due) and whether too many were missed."""
    _, latest, missed = most_recent_schedule(cronjob, now, schedule, zone, with_deadline=True)
    if latest is None or latest > now:
        return None, False
    return latest, missed > TOO_MANY_MISSED


def requeue_delay(cronjob: dict, now: datetime, schedule: Schedule, zone: tzinfo) -> float | None:
    """Seconds until the controller should look at the CronJob again."""
    try:
        earliest, latest, missed = most_recent_schedule(cronjob, now, schedule, zone, with_deadline=False)
        base = latest or (earliest if missed == 0 else now)
    except ValueError:
        base = now
    following = schedule.next(base, zone)
    if following is None:
        return None
    return (following - now).total_seconds() + NEXT_SCHEDULE_DELTA


# ---------------------------------------------------------------- Jobs
def job_from_template(cronjob: dict, scheduled: datetime, zone_name: str | None) -> dict:
    template = (cronjob.get("spec") or {}).get("jobTemplate") or {}
    template_meta = template.get("metadata") or {}
    meta = cronjob["metadata"]
    # the annotation is written in spec.timeZone (UTC when unset), as upstream
    zone: tzinfo = zoneinfo.ZoneInfo(zone_name) if zone_name else timezone.utc
    annotations = dict(template_meta.get("annotations") or {})
    annotations[SCHEDULED_TIMESTAMP] = scheduled.astimezone(zone).isoformat().replace("+00:00", "Z")
    job_meta = {"name": job_name(cronjob, scheduled), "namespace": meta.get("namespace"),
                "annotations": annotations,
                "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob",
                                     "name": meta["name"], "uid": meta["uid"],
                                     "controller": True, "blockOwnerDeletion": True}]}
    if template_meta.get("labels"):
        job_meta["labels"] = dict(template_meta["labels"])
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": job_meta,
            "spec": copy.deepcopy(template.get("spec") or {})}


def job_reference(job: dict) -> dict:
    meta = job["metadata"]
    return {"kind": "Job", "namespace": meta.get("namespace"), "name": meta["name"],
            "uid": meta.get("uid"), "apiVersion": "batch/v1",
            "resourceVersion": meta.get("resourceVersion")}


def finished_type(job: dict) -> str:
    return "Complete" if condition(job, "Complete") is not None else "Failed"


def history_to_delete(cronjob: dict, jobs: list[dict]) -> list[dict]:
    """Finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit, oldest first."""
    spec = cronjob.get("spec") or {}
    out: list[dict] = []
    for kind, limit in (("Complete", spec.get("successfulJobsHistoryLimit")),
                        ("Failed", spec.get("failedJobsHistoryLimit"))):
        if limit is None:
            continue
        done = [j for j in jobs if is_finished(j) and finished_type(j) == kind
                and not j["metadata"].get("deletionTimestamp")]
        done.sort(key=_start_order)
        out.extend(done[:max(0, len(done) - limit)])
    return out


def _start_order(job: dict) -> tuple:
    start = parse_time((job.get("status") or {}).get("startTime"))
    return (start is None, start or datetime.min.replace(tzinfo=timezone.utc), job["metadata"]["name"])


# ---------------------------------------------------------------- the decision
def plan_cronjob(cronjob: dict, jobs: list[dict], now: datetime,
                 gone: set[str] = frozenset()) -> CronJobPlan:
    """What to do for `cronjob` given the Jobs it owns; `gone` holds the uids of Jobs in
    status.active that the server no longer has."""
    spec = cronjob.get("spec") or {}
    status = copy.deepcopy(cronjob.get("status") or {})
    plan = CronJobPlan(status=status)
    active = status.get("active") or []
    active_uids = {ref.get("uid") for ref in active}

    for job in jobs:
        uid = job["metadata"].get("uid")
        if uid not in active_uids and not is_finished(job):
            plan.events.append(("Warning", "UnexpectedJob",
                                f"Saw a job that the controller did not create or forgot: "
                                f"{job['metadata']['name']}"))
        elif uid in active_uids and is_finished(job):
            active = [ref for ref in active if ref.get("uid") != uid]
            plan.events.append(("Normal", "SawCompletedJob",
                                f"Saw completed job: {job['metadata']['name']}, "
                                f"condition: {finished_type(job)}"))
        if condition(job, "Complete") is not None:
            completed = parse_time((job.get("status") or {}).get("completionTime"))
            last = parse_time(status.get("lastSuccessfulTime"))
            if completed and (last is None or completed > last):
                status["lastSuccessfulTime"] = format_time(completed)
    for ref in list(active):
        if ref.get("uid") in gone:
            active = [r for r in active if r is not ref]
            plan.events.append(("Normal", "MissingJob", f"Active job went missing: {ref.get('name')}"))
    _set_active(status, active)

    if cronjob["metadata"].get("deletionTimestamp"):
        return plan
    try:
        zone = load_zone(spec.get("timeZone"))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        plan.events.append(("Warning", "UnknownTimeZone",
                            f"invalid timeZone: {spec.get('timeZone')!r}: {exc}"))
        return plan
    if spec.get("suspend"):
        return plan
    try:
        schedule = parse_schedule(spec.get("schedule") or "")
    except CronError as exc:
        plan.events.append(("Warning", "UnparseableSchedule",
                            f"unparseable schedule: {spec.get('schedule')!r} : {exc}"))
        return plan
    try:
        scheduled, too_many = next_schedule_time(cronjob, now, schedule, zone)
    except ValueError as exc:
        plan.events.append(("Warning", "InvalidSchedule",
                            f"invalid schedule: {spec.get('schedule')} : {exc}"))
        return plan
    if too_many:
        plan.events.append(("Warning", "TooManyMissedTimes", TOO_MANY_MISSED_MESSAGE))
    plan.requeue_after = requeue_delay(cronjob, now, schedule, zone)
    if scheduled is None:
        return plan
    deadline = spec.get("startingDeadlineSeconds")
    if deadline is not None and scheduled + timedelta(seconds=deadline) < now:
        plan.events.append(("Warning", "MissSchedule", "Missed scheduled time to start a job: "
                            + scheduled.astimezone(timezone.utc).strftime("%a, %d %b %Y %H:%M:%S +0000")))
        return plan
    name = job_name(cronjob, scheduled)
    if any(ref.get("name") == name for ref in active) or \
            parse_time(status.get("lastScheduleTime")) == scheduled:
        return plan  # this scheduled time is already taken care of
    policy = spec.get("concurrencyPolicy") or "Allow"
    if policy == "Forbid" and active:
        plan.events.append(("Normal", "JobAlreadyActive", "Not starting job because prior "
                            "execution is running and concurrency policy is Forbid"))
        return plan
    if policy == "Replace":
        by_uid = {j["metadata"].get("uid"): j for j in jobs}
        plan.delete = [by_uid[ref.get("uid")] for ref in active if ref.get("uid") in by_uid]
    plan.create = job_from_template(cronjob, scheduled, spec.get("timeZone"))
    plan.scheduled = scheduled
    return plan


def _set_active(status: dict, active: list[dict]) -> None:
    if active:
        status["active"] = active
    else:
        status.pop("active", None)


# ---------------------------------------------------------------- the controller
class CronJobController(Controller):
    name = "cronjob"
    workers = 2

    def setup(self) -> None:
        self.cronjobs = self.informer(CRONJOBS)
        self.jobs = self.informer(JOBS)
        self.enqueue_on_change(self.cronjobs)
        self.enqueue_on_change(self.jobs, owner_keys("CronJob", "batch/"))

    def owned_jobs(self, cronjob: dict) -> list[dict]:
        uid = cronjob["metadata"]["uid"]
        return [j for j in self.jobs.list(cronjob["metadata"].get("namespace"))
                if any(ref.get("uid") == uid and ref.get("controller")
                       for ref in j["metadata"].get("ownerReferences") or [])]

    async def reconcile(self, key: str) -> None:
        namespace, name = split_key(key)
        cronjob = self.cronjobs.get(key)
        if cronjob is None:
            return
        jobs = self.owned_jobs(cronjob)
        known = {j["metadata"].get("uid") for j in jobs}
        gone: set[str] = set()
        for ref in (cronjob.get("status") or {}).get("active") or []:
            if ref.get("uid") not in known:  # the cache may lag: ask the server
                live = await self.client.get_or_none(JOBS, ref.get("name", ""), namespace)
                if live is None or live["metadata"].get("uid") != ref.get("uid"):
                    gone.add(ref.get("uid"))
        plan = plan_cronjob(cronjob, jobs, datetime.now(timezone.utc), gone)
        for event_type, reason, message in plan.events:
            self.recorder.event(cronjob, event_type, reason, message)
        active = list(plan.status.get("active") or [])
        for job in plan.delete:
            if await self._delete_job(cronjob, job):
                active = [ref for ref in active if ref.get("uid") != job["metadata"].get("uid")]
        if plan.create is not None:
            created = await self._create_job(cronjob, plan.create)
            if created is not None:
                if not any(ref.get("uid") == created["metadata"].get("uid") for ref in active):
                    active.append(job_reference(created))
                plan.status["lastScheduleTime"] = format_time(plan.scheduled)
        _set_active(plan.status, active)
        if plan.status != (cronjob.get("status") or {}):
            fresh = dict(cronjob)
            fresh["status"] = plan.status
            await self.client.update_status(CRONJOBS, fresh)
        # finished Jobs beyond the history limits (those just seen included)
        for job in history_to_delete(cronjob, jobs):
            await self._delete_job(cronjob, job)
        if plan.requeue_after is not None:
            self.queue.add_after(key, max(plan.requeue_after, 0.05))

    async def _create_job(self, cronjob: dict, manifest: dict) -> dict | None:
        namespace = cronjob["metadata"].get("namespace")
        try:
            created = await self.client.create(JOBS, manifest, namespace)
        except ApiError as exc:
            if exc.code != 409:
                self.recorder.event(cronjob, "Warning", "FailedCreate", f"Error creating job: {exc.message}")
                raise
            # someone (or we, before a restart) made it already: adopt it only if ours
            existing = await self.client.get_or_none(JOBS, manifest["metadata"]["name"], namespace)
            if existing is None or not any(
                    ref.get("uid") == cronjob["metadata"]["uid"] and ref.get("controller")
                    for ref in existing["metadata"].get("ownerReferences") or []):
                return None
            return existing
        self.recorder.event(cronjob, "Normal", "SuccessfulCreate",
                            f"Created job {created['metadata']['name']}")
        return created

    async def _delete_job(self, cronjob: dict, job: dict) -> bool:
        meta = job["metadata"]
        try:
            await self.client.delete(JOBS, meta["name"], meta.get("namespace"),
                                     propagation="Background", uid=meta.get("uid"))
        except ApiError as exc:
            if exc.code != 404:
                self.recorder.event(cronjob, "Warning", "FailedDelete",
                                    f"Deleted job: {exc.message}")
                return False
        self.recorder.event(cronjob, "Normal", "SuccessfulDelete", f"Deleted job {meta['name']}")
        return True


CONTROLLERS = [CronJobController]
