# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The CronJob controller's decisions, without a server."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from kybernetes.controllers.cron import parse_schedule
from kybernetes.controllers.cronjob import (SCHEDULED_TIMESTAMP, history_to_delete, job_name,
                                           most_recent_schedule, plan_cronjob, requeue_delay)
from kybernetes.controllers.job_util import format_time

UTC = timezone.utc
CREATED = datetime(2025, 5, 1, 10, 0, 30, tzinfo=UTC)


def make_cronjob(schedule="*/5 * * * *", last=None, **spec) -> dict:
    base = {"schedule": schedule, "concurrencyPolicy": "Allow", "suspend": False,
            "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1,
            "jobTemplate": {"metadata": {"labels": {"app": "c"}},
                            "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": []}}}}}
    base.update(spec)
    status = {"lastScheduleTime": format_time(last)} if last else {}
    return {"apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": {"name": "cj", "namespace": "ns", "uid": "cj-uid",
                         "creationTimestamp": format_time(CREATED)},
            "spec": base, "status": status}


def make_job(name: str, finished: str | None = None, start: datetime | None = None) -> dict:
    status: dict = {}
    if start:
        status["startTime"] = format_time(start)
    if finished:
        status["conditions"] = [{"type": finished, "status": "True"}]
        if finished == "Complete":
            status["completionTime"] = format_time((start or CREATED) + timedelta(seconds=5))
    return {"metadata": {"name": name, "namespace": "ns", "uid": f"uid-{name}",
                         "ownerReferences": [{"kind": "CronJob", "uid": "cj-uid", "controller": True}]},
            "status": status}


def test_nothing_due_before_first_time():
    cj = make_cronjob()
    plan = plan_cronjob(cj, [], CREATED + timedelta(minutes=2))
    assert plan.create is None
    # wakes up just after 10:05
    assert abs(plan.requeue_after - (150 + 0.1)) < 1e-6


def test_due_time_creates_named_job():
    cj = make_cronjob()
    now = datetime(2025, 5, 1, 10, 5, 2, tzinfo=UTC)
    plan = plan_cronjob(cj, [], now)
    scheduled = datetime(2025, 5, 1, 10, 5, tzinfo=UTC)
    assert plan.scheduled == scheduled
    job = plan.create
    assert job["metadata"]["name"] == f"cj-{int(scheduled.timestamp()) // 60}" == job_name(cj, scheduled)
    assert job["metadata"]["annotations"][SCHEDULED_TIMESTAMP] == "2025-05-01T10:05:00Z"
    assert job["metadata"]["labels"] == {"app": "c"}
    assert job["metadata"]["ownerReferences"][0]["uid"] == "cj-uid"


def test_time_zone_annotation_and_schedule():
    cj = make_cronjob("0 12 * * *", timeZone="Europe/Berlin")
    cj["metadata"]["creationTimestamp"] = "2025-05-01T09:00:00Z"
    now = datetime(2025, 5, 1, 10, 0, 5, tzinfo=UTC)  # 12:00:05 in Berlin (CEST)
    plan = plan_cronjob(cj, [], now)
    assert plan.scheduled == datetime(2025, 5, 1, 10, 0, tzinfo=UTC)
    assert plan.create["metadata"]["annotations"][SCHEDULED_TIMESTAMP] == "2025-05-01T12:00:00+02:00"


def test_already_scheduled_time_is_not_run_again():
    scheduled = datetime(2025, 5, 1, 10, 5, tzinfo=UTC)
    cj = make_cronjob(last=scheduled)
    plan = plan_cronjob(cj, [], scheduled + timedelta(seconds=30))
    assert plan.create is None


def test_only_most_recent_missed_time_runs():
    cj = make_cronjob(last=datetime(2025, 5, 1, 10, 5, tzinfo=UTC))
    now = datetime(2025, 5, 1, 11, 2, tzinfo=UTC)
    plan = plan_cronjob(cj, [], now)
    assert plan.scheduled == datetime(2025, 5, 1, 11, 0, tzinfo=UTC)
    assert not [e for e in plan.events if e[1] == "TooManyMissedTimes"]


def test_too_many_missed_warns():
    cj = make_cronjob("* * * * *", last=datetime(2025, 5, 1, 8, 0, tzinfo=UTC))
    now = datetime(2025, 5, 1, 10, 0, 30, tzinfo=UTC)
    plan = plan_cronjob(cj, [], now)
    assert plan.scheduled == datetime(2025, 5, 1, 10, 0, tzinfo=UTC)
    assert ("Warning", "TooManyMissedTimes", "too many missed start times. Set or decrease "
            ".spec.startingDeadlineSeconds or check clock skew") in plan.events
    # a starting deadline limits how far back we look: no warning
    cj["spec"]["startingDeadlineSeconds"] = 200
    plan = plan_cronjob(cj, [], now)
    assert plan.scheduled == datetime(2025, 5, 1, 10, 0, tzinfo=UTC)
    assert not [e for e in plan.events if e[1] == "TooManyMissedTimes"]


def test_starting_deadline_missed():
    cj = make_cronjob("0 * * * *", last=datetime(2025, 5, 1, 9, 0, tzinfo=UTC), startingDeadlineSeconds=60)
    plan = plan_cronjob(cj, [], datetime(2025, 5, 1, 10, 2, tzinfo=UTC))
    assert plan.create is None  # 10:00 is more than 60 s ago


def test_forbid_and_replace():
    running = make_job("cj-1", start=CREATED)
    cj = make_cronjob(concurrencyPolicy="Forbid", last=datetime(2025, 5, 1, 10, 0, tzinfo=UTC))
    cj["status"]["active"] = [{"kind": "Job", "name": "cj-1", "uid": "uid-cj-1"}]
    now = datetime(2025, 5, 1, 10, 5, 1, tzinfo=UTC)
    plan = plan_cronjob(cj, [running], now)
    assert plan.create is None
    assert ("Normal", "JobAlreadyActive", "Not starting job because prior execution is running "
            "and concurrency policy is Forbid") in plan.events
    cj["spec"]["concurrencyPolicy"] = "Replace"
    plan = plan_cronjob(cj, [running], now)
    assert plan.delete == [running] and plan.create is not None
    cj["spec"]["concurrencyPolicy"] = "Allow"
    plan = plan_cronjob(cj, [running], now)
    assert plan.delete == [] and plan.create is not None


def test_completed_job_leaves_active_list():
    done = make_job("cj-1", finished="Complete", start=CREATED)
    cj = make_cronjob(last=datetime(2025, 5, 1, 10, 0, tzinfo=UTC))
    cj["status"]["active"] = [{"kind": "Job", "name": "cj-1", "uid": "uid-cj-1"}]
    plan = plan_cronjob(cj, [done], datetime(2025, 5, 1, 10, 1, tzinfo=UTC))
    assert "active" not in plan.status
    assert plan.status["lastSuccessfulTime"] == format_time(CREATED + timedelta(seconds=5))
    assert ("Normal", "SawCompletedJob", "Saw completed job: cj-1, condition: Complete") in plan.events


def test_suspended_creates_nothing():
    cj = make_cronjob(suspend=True)
    plan = plan_cronjob(cj, [], datetime(2025, 5, 1, 10, 5, 2, tzinfo=UTC))
    assert plan.create is None and plan.requeue_after is None


def test_history_limits():
    cj = make_cronjob(successfulJobsHistoryLimit=1, failedJobsHistoryLimit=0)
    jobs = [make_job(f"ok-{i}", "Complete", CREATED + timedelta(minutes=i)) for i in range(3)]
    jobs += [make_job("bad", "Failed", CREATED), make_job("running", None, CREATED)]
    doomed = [j["metadata"]["name"] for j in history_to_delete(cj, jobs)]
    assert doomed == ["ok-0", "ok-1", "bad"]


def test_missed_schedule_arithmetic_and_requeue():
    schedule = parse_schedule("30 6-16/4 * * 1-5")  # irregular gaps
    cj = make_cronjob("30 6-16/4 * * 1-5", last=datetime(2025, 4, 28, 6, 30, tzinfo=UTC))
    now = datetime(2025, 5, 1, 15, 0, tzinfo=UTC)  # Thursday
    _, latest, missed = most_recent_schedule(cj, now, schedule, UTC, with_deadline=False)
    assert latest == datetime(2025, 5, 1, 14, 30, tzinfo=UTC) and missed > 1
    assert abs(requeue_delay(cj, now, schedule, UTC) - (15.5 * 3600 + 0.1)) < 1e-6  # Friday 06:30
