# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The Job controller and the TTL-after-finished controller.

`job` runs a Job's pods to completion (decisions in job_util.plan_job) and writes its
status; `ttl-after-finished` deletes a finished Job (background propagation) once
spec.ttlSecondsAfterFinished has passed since it completed or failed.

Because the informers lag behind our own writes, the Job controller keeps upstream's
"expectations": after creating, deleting or releasing pods, or writing a Job's status,
it does not decide again for that Job until the informers have shown those changes
(or a timeout passed), so it never creates a pod twice or counts one twice.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone

from kybernetes.apiserver.errors import ApiError
from kybernetes.client.informer import object_key, split_key
from kybernetes.client.rest import resource
from kybernetes.controllers.base import Controller
from kybernetes.controllers.job_util import (TRACKING_FINALIZER, has_finalizer, is_finished,
                                             parse_time, plan_job)

JOBS = resource("jobs.batch")
PODS = resource("pods")
JOB_INDEX = "job-by-name"  # pods by "<namespace>/<owning Job's name>"
EXPECTATION_TIMEOUT = 60.0  # as upstream's ExpectationsTimeout: give up waiting after this


def job_owner_keys(pod: dict) -> list[str]:
    meta = pod.get("metadata") or {}
    return [f"{meta.get('namespace')}/{ref['name']}" for ref in meta.get("ownerReferences") or []
            if ref.get("kind") == "Job" and ref.get("controller")
            and (ref.get("apiVersion") or "").startswith("batch/")]


def owned_by(pod: dict, uid: str) -> bool:
    return any(ref.get("uid") == uid and ref.get("controller")
               for ref in pod["metadata"].get("ownerReferences") or [])


class Expectations:
    """Per Job key: pod names we changed and are waiting to see changed, and the status
    resourceVersion we wrote and are waiting to see."""

    def __init__(self) -> None:
        self.pods: dict[str, dict[str, str]] = {}  # key -> pod name -> "present"|"gone"|"released"
        self.status: dict[str, str] = {}  # key -> resourceVersion written
        self.since: dict[str, float] = {}

    def expect_pod(self, key: str, name: str, what: str) -> None:
        self.pods.setdefault(key, {})[name] = what
        self.since.setdefault(key, time.monotonic())

    def expect_status(self, key: str, resource_version: str) -> None:
        self.status[key] = resource_version
        self.since.setdefault(key, time.monotonic())

    def observe_pod(self, key: str, name: str, pod: dict | None) -> None:
        waiting = self.pods.get(key)
        if not waiting or name not in waiting:
            return
        what = waiting[name]
        if pod is None or (what == "present") or \
                (what == "gone" and pod["metadata"].get("deletionTimestamp")) or \
                (what == "released" and not has_finalizer(pod)):
            del waiting[name]
            self._tidy(key)

    def observe_job(self, key: str, job: dict | None) -> None:
        if key in self.status and (job is None or
                                   job["metadata"].get("resourceVersion") == self.status[key]):
            del self.status[key]
            self._tidy(key)

    def satisfied(self, key: str) -> bool:
        if not self.pods.get(key) and key not in self.status:
            return True
        if time.monotonic() - self.since.get(key, 0) > EXPECTATION_TIMEOUT:
            self.forget(key)
            return True
        return False

    def forget(self, key: str) -> None:
        self.pods.pop(key, None)
        self.status.pop(key, None)
        self.since.pop(key, None)

    def _tidy(self, key: str) -> None:
        if not self.pods.get(key) and key not in self.status:
            self.forget(key)


class JobController(Controller):
    name = "job"
    workers = 2

    def setup(self) -> None:
        self.expectations = Expectations()
        self.jobs = self.informer(JOBS)
        self.pods = self.informer(PODS, indexers={JOB_INDEX: job_owner_keys})
        self.jobs.add_handler(self._on_job)
        self.pods.add_handler(self._on_pod)

    def _on_job(self, kind: str, old: dict | None, new: dict | None) -> None:
        obj = new or old
        key = object_key(obj)
        self.expectations.observe_job(key, None if kind == "DELETED" else new)
        self.queue.add(key)

    def _on_pod(self, kind: str, old: dict | None, new: dict | None) -> None:
        obj = new or old
        for key in job_owner_keys(obj):
            self.expectations.observe_pod(key, obj["metadata"]["name"],
                                          None if kind == "DELETED" else new)
            self.queue.add(key)

    async def reconcile(self, key: str) -> None:
        namespace, name = split_key(key)
        job = self.jobs.get(key)
        candidates = self.pods.by_index(JOB_INDEX, key)
        if job is None:
            self.expectations.forget(key)
            await self._release_orphans(candidates, None)
            return
        if not self.expectations.satisfied(key):
            self.queue.add_after(key, 1.0)  # an informer event normally comes first
            return
        uid = job["metadata"]["uid"]
        await self._release_orphans(candidates, uid)
        pods = [p for p in candidates if owned_by(p, uid)]
        now = datetime.now(timezone.utc)
        plan = plan_job(job, pods, now)

        # pods first, then the status that accounts for them, then the finalizers the
        # status now records
        failures = 0
        for manifest in plan.create:
            try:
                created = await self.client.create(PODS, manifest, namespace)
                self.expectations.expect_pod(key, created["metadata"]["name"], "present")
                self.recorder.event(job, "Normal", "SuccessfulCreate",
                                    f"Created pod: {created['metadata']['name']}")
            except ApiError as exc:
                failures += 1
                self.recorder.event(job, "Warning", "FailedCreate", f"Error creating: {exc.message}")
                if exc.code in (403, 409, 422):  # quota, terminating namespace: stop here
                    break
        if failures:
            plan.status["active"] = max(0, (plan.status.get("active") or 0) - failures) or None
            if plan.status["active"] is None:
                plan.status.pop("active")
        for pod in plan.delete:
            pod_name = pod["metadata"]["name"]
            try:
                await self.client.delete(PODS, pod_name, namespace, uid=pod["metadata"].get("uid"))
                self.expectations.expect_pod(key, pod_name, "gone")
                self.recorder.event(job, "Normal", "SuccessfulDelete", f"Deleted pod: {pod_name}")
            except ApiError as exc:
                if exc.code not in (404, 409):
                    self.recorder.event(job, "Warning", "FailedDelete",
                                        f"Error deleting: {exc.message}")
                    raise
        if plan.status != (job.get("status") or {}):
            fresh = dict(job)
            fresh["status"] = plan.status
            written = await self.client.update_status(JOBS, fresh)
            self.expectations.expect_status(key, written["metadata"]["resourceVersion"])
        for pod in plan.release:
            await self._release(key, pod)
        for event_type, reason, message in plan.events:
            self.recorder.event(job, event_type, reason, message)
        if failures:
            raise RuntimeError(f"{failures} pod(s) of job {key} could not be created")
        if plan.requeue_after is not None:
            self.queue.add_after(key, max(plan.requeue_after, 0.05))

    async def _release(self, key: str | None, pod: dict) -> None:
        meta = pod["metadata"]
        patch = {"metadata": {"$deleteFromPrimitiveList/finalizers": [TRACKING_FINALIZER],
                              "$setElementOrder/finalizers": [
                                  f for f in meta.get("finalizers") or [] if f != TRACKING_FINALIZER]}}
        if not patch["metadata"]["$setElementOrder/finalizers"]:
            del patch["metadata"]["$setElementOrder/finalizers"]
        try:
            await self.client.patch(PODS, meta["name"], patch, meta.get("namespace"),
                                    patch_type="strategic")
            if key is not None:
                self.expectations.expect_pod(key, meta["name"], "released")
        except ApiError as exc:
            if exc.code != 404:
                raise

    async def _release_orphans(self, pods: list[dict], uid: str | None) -> None:
        """Pods whose Job is gone (or is another Job of the same name) keep no finalizer."""
        for pod in pods:
            if has_finalizer(pod) and (uid is None or not owned_by(pod, uid)):
                await self._release(None, pod)


# ---------------------------------------------------------------- TTL after finished
def finished_at(job: dict) -> datetime | None:
    """When the Job reached Complete or Failed."""
    status = job.get("status") or {}
    for cond in status.get("conditions") or []:
        if cond.get("type") in ("Complete", "Failed") and cond.get("status") == "True":
            return parse_time(cond.get("lastTransitionTime")) or parse_time(status.get("completionTime"))
    return None


def ttl_remaining(job: dict, now: datetime) -> float | None:
    """Seconds until a finished Job with a TTL expires (<= 0: delete now); None when the
    Job has no TTL, is not finished or is already being deleted."""
    ttl = (job.get("spec") or {}).get("ttlSecondsAfterFinished")
    if ttl is None or job["metadata"].get("deletionTimestamp") or not is_finished(job):
        return None
    finished = finished_at(job)
    if finished is None:
        return None
    return (finished - now).total_seconds() + ttl


class TTLAfterFinishedController(Controller):
    name = "ttl-after-finished"
    workers = 1

    def setup(self) -> None:
        self.jobs = self.informer(JOBS)
        self.enqueue_on_change(self.jobs)

    async def reconcile(self, key: str) -> None:
        namespace, name = split_key(key)
        job = self.jobs.get(key)
        if job is None:
            return
        left = ttl_remaining(job, datetime.now(timezone.utc))
        if left is None:
            return
        if left > 0:
            self.queue.add_after(key, left)
            return
        # the cache may be stale: check the TTL on the live object before deleting
        fresh = await self.client.get_or_none(JOBS, name, namespace)
        if fresh is None:
            return
        left = ttl_remaining(fresh, datetime.now(timezone.utc))
        if left is None:
            return
        if left > 0:
            self.queue.add_after(key, left)
            return
        try:
            await self.client.delete(JOBS, name, namespace, propagation="Background",
                                     uid=fresh["metadata"]["uid"],
                                     resource_version=fresh["metadata"]["resourceVersion"])
        except ApiError as exc:
            if exc.code not in (404, 409):
                raise


CONTROLLERS = [JobController, TTLAfterFinishedController]
