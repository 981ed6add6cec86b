# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Jobs and CronJobs against a running `kybernetes server`, driven by the real kubectl.
No kubelet runs pods here: `finish_pods` plays one, writing pods/status as a kubelet
does when containers exit."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from tests.integration.conftest import Kubectl
from tests.support.waiting import wait_for

JOB = """
apiVersion: batch/v1
kind: Job
metadata: {{name: {name}}}
spec:
  {extra}
  template:
    spec:
      restartPolicy: Never
      containers: [{{name: c, image: busybox, command: ["true"]}}]
"""


def job_pods(k: Kubectl, ns: str, job: str) -> list[dict]:
    return k.json("get", "pods", "-n", ns, "-l", f"batch.kubernetes.io/job-name={job}")["items"]


def finish_pods(cluster_api, ns: str, pods: list[dict], phase: str) -> None:
    """What a kubelet reports when a pod's containers exit (0 or 1)."""
    from kubernetes import client
    core = client.CoreV1Api(cluster_api)
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    code = 0 if phase == "Succeeded" else 1
    for pod in pods:
        body = {"status": {"phase": phase, "containerStatuses": [{
            "name": "c", "image": "busybox", "imageID": "", "ready": False, "restartCount": 0,
            "state": {"terminated": {"exitCode": code, "reason": "Completed" if code == 0 else "Error",
                                     "startedAt": now, "finishedAt": now}}}]}}
        core.patch_namespaced_pod_status(pod["metadata"]["name"], ns, body)


def active_pods(k: Kubectl, ns: str, job: str) -> list[dict]:
    return [p for p in job_pods(k, ns, job)
            if p["status"].get("phase") not in ("Succeeded", "Failed")
            and not p["metadata"].get("deletionTimestamp")]


def condition_types(job: dict) -> list[str]:
    return [c["type"] for c in job.get("status", {}).get("conditions", []) if c["status"] == "True"]


def test_job_completions_and_parallelism(cluster_kubectl: Kubectl, cluster_namespace, cluster_api):
    k, ns = cluster_kubectl, cluster_namespace
    k.run("apply", "-n", ns, "-f", "-", input=JOB.format(name="work", extra="completions: 3\n  parallelism: 2"))
    finished = 0
    while finished < 3:
        running = wait_for(lambda: active_pods(k, ns, "work"))
        assert len(running) <= 2
        pod = running[0]
        assert "batch.kubernetes.io/job-tracking" in pod["metadata"]["finalizers"]
        assert pod["metadata"]["ownerReferences"][0]["kind"] == "Job"
        finish_pods(cluster_api, ns, [pod], "Succeeded")
        finished += 1
        wait_for(lambda: (k.json("get", "job", "work", "-n", ns)["status"].get("succeeded") or 0) >= finished)
    job = wait_for(lambda: (lambda j: j if "Complete" in condition_types(j) else None)(
        k.json("get", "job", "work", "-n", ns)))
    assert condition_types(job) == ["SuccessCriteriaMet", "Complete"]
    assert job["status"]["succeeded"] == 3 and job["status"]["completionTime"]
    assert job["status"]["uncountedTerminatedPods"] == {}
    # counted pods keep no tracking finalizer
    assert all("batch.kubernetes.io/job-tracking" not in (p["metadata"].get("finalizers") or [])
               for p in job_pods(k, ns, "work"))
    assert "3/3" in k.run("get", "job", "work", "-n", ns).stdout
    events = k.run("get", "events", "-n", ns, "--field-selector", "involvedObject.name=work").stdout
    assert "SuccessfulCreate" in events and "Completed" in events


def test_job_reaches_backoff_limit(cluster_kubectl: Kubectl, cluster_namespace, cluster_api):
    k, ns = cluster_kubectl, cluster_namespace
    k.run("apply", "-n", ns, "-f", "-", input=JOB.format(name="flaky", extra="backoffLimit: 1"))
    first = wait_for(lambda: active_pods(k, ns, "flaky"))
    finish_pods(cluster_api, ns, first, "Failed")
    # a replacement comes after the 10 s back-off
    second = wait_for(lambda: active_pods(k, ns, "flaky"), timeout=60)
    assert second[0]["metadata"]["name"] != first[0]["metadata"]["name"]
    finish_pods(cluster_api, ns, second, "Failed")
    job = wait_for(lambda: (lambda j: j if "Failed" in condition_types(j) else None)(
        k.json("get", "job", "flaky", "-n", ns)))
    failed = [c for c in job["status"]["conditions"] if c["type"] == "Failed"][0]
    assert failed["reason"] == "BackoffLimitExceeded"
    assert failed["message"] == "Job has reached the specified backoff limit"
    assert "FailureTarget" in condition_types(job)
    assert job["status"]["failed"] == 2 and "completionTime" not in job["status"]


def test_indexed_job(cluster_kubectl: Kubectl, cluster_namespace, cluster_api):
    k, ns = cluster_kubectl, cluster_namespace
    k.run("apply", "-n", ns, "-f", "-", input=JOB.format(
        name="idx", extra="completions: 3\n  parallelism: 3\n  completionMode: Indexed"))
    pods = wait_for(lambda: (lambda p: p if len(p) == 3 else None)(active_pods(k, ns, "idx")))
    by_index = {p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"]: p for p in pods}
    assert sorted(by_index) == ["0", "1", "2"]
    assert by_index["1"]["spec"]["hostname"] == "idx-1"
    env = by_index["1"]["spec"]["containers"][0]["env"]
    assert env[0]["name"] == "JOB_COMPLETION_INDEX"
    finish_pods(cluster_api, ns, [by_index["0"], by_index["2"]], "Succeeded")
    wait_for(lambda: k.json("get", "job", "idx", "-n", ns)["status"].get("completedIndexes") == "0,2")
    finish_pods(cluster_api, ns, [by_index["1"]], "Succeeded")
    job = wait_for(lambda: (lambda j: j if "Complete" in condition_types(j) else None)(
        k.json("get", "job", "idx", "-n", ns)))
    assert job["status"]["completedIndexes"] == "0-2" and job["status"]["succeeded"] == 3


def test_ttl_after_finished_deletes_job(cluster_kubectl: Kubectl, cluster_namespace, cluster_api):
    k, ns = cluster_kubectl, cluster_namespace
    k.run("apply", "-n", ns, "-f", "-", input=JOB.format(name="short", extra="ttlSecondsAfterFinished: 2"))
    pods = wait_for(lambda: active_pods(k, ns, "short"))
    finish_pods(cluster_api, ns, pods, "Succeeded")
    wait_for(lambda: k.run("get", "job", "short", "-n", ns, check=False).returncode != 0, timeout=60)


def test_cronjob_fires_and_create_job_from_cronjob(cluster_kubectl: Kubectl, cluster_namespace, cluster_api):
    k, ns = cluster_kubectl, cluster_namespace
    k.run("create", "cronjob", "tick", "-n", ns, "--image=busybox", "--schedule=* * * * *",
          "--", "true")
    # a manual run, as `kubectl create job --from` makes it (a client-side copy)
    out = k.run("create", "job", "manual", "--from=cronjob/tick", "-n", ns).stdout
    assert "job.batch/manual created" in out
    manual = k.json("get", "job", "manual", "-n", ns)
    assert manual["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"] == "manual"
    assert manual["metadata"]["ownerReferences"][0]["kind"] == "CronJob"
    wait_for(lambda: active_pods(k, ns, "manual"))

    def scheduled_job():
        jobs = k.json("get", "jobs", "-n", ns)["items"]
        return [j for j in jobs if j["metadata"]["name"] != "manual"]
    jobs = wait_for(scheduled_job, timeout=150, interval=2)
    job = jobs[0]
    minutes = int(job["metadata"]["name"].rsplit("-", 1)[1])
    stamp = job["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"]
    assert datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() == minutes * 60
    cronjob = wait_for(lambda: (lambda c: c if c.get("status", {}).get("active") else None)(
        k.json("get", "cronjob", "tick", "-n", ns)))
    assert cronjob["status"]["lastScheduleTime"]
    assert job["metadata"]["name"] in [ref["name"] for ref in cronjob["status"]["active"]]
    events = k.run("get", "events", "-n", ns, "--field-selector", "involvedObject.name=tick").stdout
    assert f"Created job {job['metadata']['name']}" in events
    # the job finishes: it leaves status.active and sets lastSuccessfulTime
    pods = wait_for(lambda: active_pods(k, ns, job["metadata"]["name"]))
    finish_pods(cluster_api, ns, pods, "Succeeded")
    cronjob = wait_for(lambda: (lambda c: c if c.get("status", {}).get("lastSuccessfulTime") else None)(
        k.json("get", "cronjob", "tick", "-n", ns)))
    k.run("patch", "cronjob", "tick", "-n", ns, "-p", json.dumps({"spec": {"suspend": True}}))
