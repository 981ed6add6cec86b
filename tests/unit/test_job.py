# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The Job controller's decisions, without a server."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from kybernetes.controllers.job import ttl_remaining
from kybernetes.controllers.job_util import (COMPLETION_INDEX, INDEX_FAILURE_COUNT, TRACKING_FINALIZER,
                                             backoff_remaining, format_indexes, format_time,
                                             indexes_to_create, parse_indexes, plan_job,
                                             pod_for_job, wanted_active)

NOW = datetime(2025, 5, 1, 12, 0, tzinfo=timezone.utc)


def make_job(**spec) -> dict:
    base = {"parallelism": 1, "completions": 1, "backoffLimit": 6, "completionMode": "NonIndexed",
            "podReplacementPolicy": "TerminatingOrFailed",
            "template": {"metadata": {"labels": {"app": "x"}},
                         "spec": {"restartPolicy": "Never",
                                  "containers": [{"name": "c", "image": "busybox"}]}}}
    base.update(spec)
    return {"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": "pi", "namespace": "ns", "uid": "job-uid", "resourceVersion": "5"},
            "spec": base, "status": {}}


_counter = 0


def make_pod(phase="Pending", finalizer=True, index=None, deleted=False, finished=None,
             failure_count=None) -> dict:
    global _counter
    _counter += 1
    meta = {"name": f"pi-{_counter}", "namespace": "ns", "uid": f"pod-{_counter}",
            "creationTimestamp": format_time(NOW - timedelta(minutes=10) + timedelta(seconds=_counter)),
            "ownerReferences": [{"kind": "Job", "apiVersion": "batch/v1", "name": "pi",
                                 "uid": "job-uid", "controller": True}],
            "finalizers": [TRACKING_FINALIZER] if finalizer else [], "annotations": {}}
    if index is not None:
        meta["annotations"][COMPLETION_INDEX] = str(index)
    if failure_count is not None:
        meta["annotations"][INDEX_FAILURE_COUNT] = str(failure_count)
    if deleted:
        meta["deletionTimestamp"] = format_time(NOW)
    status = {"phase": phase}
    if finished is not None:
        status["containerStatuses"] = [{"name": "c", "state": {"terminated": {
            "exitCode": 0 if phase == "Succeeded" else 1, "finishedAt": format_time(finished)}}}]
    return {"metadata": meta, "spec": {}, "status": status}


def test_indexes_round_trip():
    assert parse_indexes("0-2,5,7,8") == {0, 1, 2, 5, 7, 8}
    assert format_indexes({0, 1, 2, 5, 7, 8}) == "0-2,5,7,8"
    assert format_indexes({3, 4}) == "3,4"
    assert format_indexes(set()) == ""
    assert parse_indexes("0-9", completions=3) == {0, 1, 2}


def test_wanted_active():
    assert wanted_active(2, 3, 0, 0) == 2
    assert wanted_active(2, 3, 2, 1) == 1  # only one completion left
    assert wanted_active(2, 3, 3, 0) == 0
    assert wanted_active(3, None, 0, 0) == 3  # work queue
    assert wanted_active(3, None, 1, 2) == 2  # one succeeded: no new pods


def test_new_job_creates_parallelism_pods_with_labels_and_finalizer():
    job = make_job(completions=3, parallelism=2)
    plan = plan_job(job, [], NOW)
    assert len(plan.create) == 2
    pod = plan.create[0]
    assert pod["metadata"]["generateName"] == "pi-"
    assert pod["metadata"]["finalizers"] == [TRACKING_FINALIZER]
    labels = pod["metadata"]["labels"]
    assert labels["batch.kubernetes.io/controller-uid"] == "job-uid" == labels["controller-uid"]
    assert labels["batch.kubernetes.io/job-name"] == "pi" == labels["job-name"]
    assert labels["app"] == "x"
    assert pod["metadata"]["ownerReferences"][0]["controller"] is True
    assert plan.status["active"] == 2 and plan.status["startTime"] == format_time(NOW)
    assert plan.status["uncountedTerminatedPods"] == {}


def test_finished_pod_is_recorded_then_released_then_counted():
    job = make_job(completions=3, parallelism=2)
    done = make_pod("Succeeded", finished=NOW)
    running = make_pod("Running")
    plan = plan_job(job, [done, running], NOW)
    assert plan.status["uncountedTerminatedPods"] == {"succeeded": [done["metadata"]["uid"]]}
    assert plan.release == [done]
    assert len(plan.create) == 1  # 3 - 1 succeeded = 2 wanted, 1 running
    assert "succeeded" not in plan.status
    # after the finalizer is gone, the uid moves into the counter
    job["status"] = plan.status
    done["metadata"]["finalizers"] = []
    plan = plan_job(job, [done, running, make_pod("Running")], NOW)
    assert plan.status["succeeded"] == 1 and plan.status["uncountedTerminatedPods"] == {}
    assert plan.create == [] and plan.release == []


def test_completion_goes_through_success_criteria_met():
    job = make_job(completions=2, parallelism=2)
    job["status"] = {"succeeded": 1, "startTime": format_time(NOW), "uncountedTerminatedPods": {}}
    done = make_pod("Succeeded", finished=NOW)
    plan = plan_job(job, [done], NOW)
    types = [c["type"] for c in plan.status["conditions"]]
    assert types == ["SuccessCriteriaMet"]
    assert plan.status["conditions"][0]["reason"] == "CompletionsReached"
    job["status"] = plan.status
    done["metadata"]["finalizers"] = []
    plan = plan_job(job, [done], NOW)
    assert [c["type"] for c in plan.status["conditions"]] == ["SuccessCriteriaMet", "Complete"]
    assert plan.status["succeeded"] == 2 and plan.status["completionTime"] == format_time(NOW)
    assert ("Normal", "Completed", "Job completed") in plan.events


def test_backoff_limit_exceeded():
    job = make_job(backoffLimit=1)
    job["status"] = {"failed": 1, "startTime": format_time(NOW), "uncountedTerminatedPods": {}}
    failed = make_pod("Failed", finished=NOW)
    plan = plan_job(job, [failed], NOW)
    cond = plan.status["conditions"][0]
    assert (cond["type"], cond["reason"], cond["message"]) == (
        "FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit")
    assert plan.create == []
    job["status"] = plan.status
    failed["metadata"]["finalizers"] = []
    plan = plan_job(job, [failed], NOW)
    assert [c["type"] for c in plan.status["conditions"]] == ["FailureTarget", "Failed"]
    assert plan.status["failed"] == 2 and "completionTime" not in plan.status
    assert ("Warning", "BackoffLimitExceeded", "Job has reached the specified backoff limit") in plan.events


def test_exponential_backoff_delays_replacements():
    job = make_job()
    one = [make_pod("Failed", finalizer=False, finished=NOW - timedelta(seconds=4))]
    assert backoff_remaining(one, job, NOW) == 6
    two = one + [make_pod("Failed", finalizer=False, finished=NOW - timedelta(seconds=5))]
    assert backoff_remaining(two, job, NOW) == 16  # 20 s from the latest failure, 4 s ago
    many = [make_pod("Failed", finalizer=False, finished=NOW) for _ in range(12)]
    assert backoff_remaining(many, job, NOW) == 600  # capped at 10 minutes
    # a success after the failures resets the count
    reset = one + [make_pod("Succeeded", finalizer=False, finished=NOW - timedelta(seconds=1))]
    assert backoff_remaining(reset, job, NOW) == 0
    job["status"] = {"failed": 1, "startTime": format_time(NOW), "uncountedTerminatedPods": {}}
    plan = plan_job(job, one, NOW)
    assert plan.create == [] and plan.requeue_after == 6


def test_active_deadline_exceeded_deletes_active_pods():
    job = make_job(activeDeadlineSeconds=30, parallelism=2, completions=4)
    job["status"] = {"startTime": format_time(NOW - timedelta(seconds=31)), "uncountedTerminatedPods": {}}
    running = [make_pod("Running"), make_pod("Running")]
    plan = plan_job(job, running, NOW)
    assert plan.status["conditions"][0]["reason"] == "DeadlineExceeded"
    assert plan.delete == running
    # not yet past the deadline: look again when it is
    job["status"]["startTime"] = format_time(NOW - timedelta(seconds=10))
    plan = plan_job(job, running, NOW)
    assert plan.delete == [] and plan.requeue_after == 20


def test_parallelism_decrease_deletes_least_valuable():
    job = make_job(completions=None, parallelism=1)
    job["status"] = {"startTime": format_time(NOW), "uncountedTerminatedPods": {}}
    scheduled = make_pod("Running")
    scheduled["spec"]["nodeName"] = "n1"
    pending = make_pod("Pending")
    plan = plan_job(job, [scheduled, pending], NOW)
    assert plan.delete == [pending]


def test_suspend_and_resume():
    job = make_job(suspend=True, parallelism=2, completions=2)
    job["status"] = {"startTime": format_time(NOW), "uncountedTerminatedPods": {}}
    running = [make_pod("Running")]
    plan = plan_job(job, running, NOW)
    assert plan.delete == running and plan.create == []
    assert plan.status["conditions"][0]["type"] == "Suspended"
    job["status"] = plan.status
    job["spec"]["suspend"] = False
    later = NOW + timedelta(minutes=5)
    plan = plan_job(job, [], later)
    assert plan.status["conditions"][0]["status"] == "False"
    assert plan.status["conditions"][0]["reason"] == "JobResumed"
    assert plan.status["startTime"] == format_time(later) and len(plan.create) == 2


def test_indexed_job_pods_and_completed_indexes():
    assert indexes_to_create(5, 2, {0}, set(), {1}) == [2]
    assert indexes_to_create(5, 3, {0, 2}, set(), set()) == [1, 3, 4]
    job = make_job(completionMode="Indexed", completions=3, parallelism=3)
    plan = plan_job(job, [], NOW)
    assert [p["metadata"]["annotations"][COMPLETION_INDEX] for p in plan.create] == ["0", "1", "2"]
    pod = plan.create[2]
    assert pod["metadata"]["generateName"] == "pi-2-"
    assert pod["spec"]["hostname"] == "pi-2"
    env = pod["spec"]["containers"][0]["env"]
    assert env[0]["name"] == "JOB_COMPLETION_INDEX"
    assert "job-completion-index" in env[0]["valueFrom"]["fieldRef"]["fieldPath"]
    # index 0 and 2 done, 1 still running
    pods = [make_pod("Succeeded", index=0, finished=NOW), make_pod("Running", index=1),
            make_pod("Succeeded", index=2, finished=NOW)]
    plan = plan_job(job, pods, NOW)
    assert plan.status["completedIndexes"] == "0,2" and plan.status["succeeded"] == 2
    assert plan.create == []
    # a duplicate pod for a done index is deleted
    dup = make_pod("Running", index=0)
    plan = plan_job(job, pods + [dup], NOW)
    assert plan.delete == [dup]


def test_backoff_limit_per_index():
    job = make_job(completionMode="Indexed", completions=2, parallelism=2, backoffLimitPerIndex=1,
                   backoffLimit=2147483647)
    job["status"] = {"startTime": format_time(NOW), "uncountedTerminatedPods": {}}
    # index 0 failed once (allowed: recreate with count 1), index 1 failed twice (index failed)
    first = make_pod("Failed", index=0, finished=NOW - timedelta(seconds=20), failure_count=0)
    second = make_pod("Failed", index=1, finished=NOW - timedelta(seconds=20), failure_count=1)
    plan = plan_job(job, [first, second], NOW)
    assert plan.status["failedIndexes"] == "1"
    assert [(p["metadata"]["annotations"][COMPLETION_INDEX],
             p["metadata"]["annotations"][INDEX_FAILURE_COUNT]) for p in plan.create] == [("0", "1")]


def test_ttl_remaining():
    job = make_job(ttlSecondsAfterFinished=30)
    assert ttl_remaining(job, NOW) is None  # not finished
    job["status"] = {"conditions": [{"type": "Complete", "status": "True",
                                     "lastTransitionTime": format_time(NOW - timedelta(seconds=10))}]}
    assert ttl_remaining(job, NOW) == 20
    assert ttl_remaining(job, NOW + timedelta(seconds=40)) == -20


def test_pod_for_job_keeps_template_env():
    job = make_job(completionMode="Indexed", completions=1)
    job["spec"]["template"]["spec"]["containers"][0]["env"] = [{"name": "JOB_COMPLETION_INDEX", "value": "x"}]
    pod = pod_for_job(job, 0)
    assert pod["spec"]["containers"][0]["env"] == [{"name": "JOB_COMPLETION_INDEX", "value": "x"}]
    assert job["spec"]["template"]["spec"]["containers"][0]["env"] == [
        {"name": "JOB_COMPLETION_INDEX", "value": "x"}]  # the template is not changed
