# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""StatefulSet decisions without a server: which ordinal is created, deleted or
replaced next for each pod management policy, update strategy and partition; pod
identity and storage; PVC owners for the retention policy; ControllerRevision naming."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from kybernetes.controllers import history
from kybernetes.controllers.statefulset_util import (claim_owner_refs, claims_for, compute_status,
                                                     new_pod, plan_sync)

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def make_set(replicas=3, policy="OrderedReady", strategy=None, image="nginx:1", claims=False,
             retention=None, min_ready=0) -> dict:
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet",
           "metadata": {"name": "web", "namespace": "ns", "uid": "set-uid", "generation": 2},
           "spec": {"replicas": replicas, "podManagementPolicy": policy, "serviceName": "nginx",
                    "minReadySeconds": min_ready,
                    "selector": {"matchLabels": {"app": "nginx"}},
                    "updateStrategy": strategy or {"type": "RollingUpdate",
                                                   "rollingUpdate": {"partition": 0}},
                    "template": {"metadata": {"labels": {"app": "nginx"}},
                                 "spec": {"containers": [{"name": "nginx", "image": image}]}}},
           "status": {}}
    if claims:
        sts["spec"]["volumeClaimTemplates"] = [{"metadata": {"name": "www"}, "spec": {
            "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]
    if retention:
        sts["spec"]["persistentVolumeClaimRetentionPolicy"] = retention
    return sts


def revision(sts: dict, number: int = 1) -> dict:
    return history.new_revision(sts, number, 0)


def running(sts: dict, ordinal: int, rev: dict, ready=True, phase="Running", deleting=False,
            ready_since: datetime = NOW - timedelta(hours=1)) -> dict:
    pod = new_pod(sts, sts["spec"]["template"], ordinal, rev["metadata"]["name"])
    pod["metadata"]["uid"] = f"pod-{ordinal}"
    pod["status"] = {"phase": phase, "conditions": [
        {"type": "Ready", "status": "True" if ready else "False",
         "lastTransitionTime": ready_since.strftime("%Y-%m-%dT%H:%M:%SZ")}]}
    if deleting:
        pod["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    return pod


def verbs(plan) -> list[tuple[str, str]]:
    return [(a.verb, a.pod["metadata"]["name"]) for a in plan.actions]


def test_ordered_ready_creates_one_ordinal_at_a_time():
    sts = make_set(3)
    rev = revision(sts)
    assert verbs(plan_sync(sts, [], rev, rev, 0, NOW)) == [("create", "web-0")]
    # web-0 exists but is not ready yet: wait
    pods = [running(sts, 0, rev, ready=False)]
    assert verbs(plan_sync(sts, pods, rev, rev, 0, NOW)) == []
    pods = [running(sts, 0, rev, phase="Pending", ready=False)]
    assert verbs(plan_sync(sts, pods, rev, rev, 0, NOW)) == []
    pods = [running(sts, 0, rev)]
    assert verbs(plan_sync(sts, pods, rev, rev, 0, NOW)) == [("create", "web-1")]
    pods = [running(sts, 0, rev), running(sts, 1, rev)]
    assert verbs(plan_sync(sts, pods, rev, rev, 0, NOW)) == [("create", "web-2")]


def test_ordered_ready_waits_for_min_ready_seconds():
    sts = make_set(2, min_ready=30)
    rev = revision(sts)
    fresh = [running(sts, 0, rev, ready_since=NOW - timedelta(seconds=5))]
    assert verbs(plan_sync(sts, fresh, rev, rev, 0, NOW)) == []
    old = [running(sts, 0, rev, ready_since=NOW - timedelta(seconds=31))]
    assert verbs(plan_sync(sts, old, rev, rev, 0, NOW)) == [("create", "web-1")]


def test_parallel_creates_and_deletes_all_at_once():
    sts = make_set(3, policy="Parallel")
    rev = revision(sts)
    assert verbs(plan_sync(sts, [], rev, rev, 0, NOW)) == [
        ("create", "web-0"), ("create", "web-1"), ("create", "web-2")]
    sts["spec"]["replicas"] = 1
    pods = [running(sts, i, rev, ready=False) for i in range(4)]
    assert verbs(plan_sync(sts, pods, rev, rev, 0, NOW)) == [
        ("delete", "web-3"), ("delete", "web-2"), ("delete", "web-1")]


def test_ordered_scale_down_highest_first_one_at_a_time():
    sts = make_set(1)
    rev = revision(sts)
    pods = [running(sts, i, rev) for i in range(3)]
    assert verbs(plan_sync(sts, pods, rev, rev, 0, NOW)) == [("delete", "web-2")]
    pods[2] = running(sts, 2, rev, deleting=True)
    assert verbs(plan_sync(sts, pods, rev, rev, 0, NOW)) == []  # wait for it to go
    pods = pods[:2]
    assert verbs(plan_sync(sts, pods, rev, rev, 0, NOW)) == [("delete", "web-1")]


def test_scale_down_waits_for_unhealthy_predecessor_but_removes_first_unhealthy():
    sts = make_set(1)
    rev = revision(sts)
    # web-1 is unhealthy and below web-2: web-2 (healthy) must wait
    pods = [running(sts, 0, rev), running(sts, 1, rev, ready=False), running(sts, 2, rev)]
    assert verbs(plan_sync(sts, pods, rev, rev, 0, NOW)) == [("delete", "web-2")]
    pods = [running(sts, 0, rev), running(sts, 1, rev), running(sts, 2, rev, ready=False)]
    assert verbs(plan_sync(sts, pods, rev, rev, 0, NOW)) == [("delete", "web-2")]
    pods = [running(sts, 0, rev), running(sts, 1, rev, ready=False), running(sts, 2, rev, ready=False)]
    # the highest unhealthy pod is the first unhealthy condemned one: it may go
    assert verbs(plan_sync(sts, pods, rev, rev, 0, NOW)) == [("delete", "web-2")]


def test_failed_pod_is_deleted_to_be_recreated():
    sts = make_set(2)
    rev = revision(sts)
    pods = [running(sts, 0, rev, phase="Failed", ready=False), running(sts, 1, rev)]
    plan = plan_sync(sts, pods, rev, rev, 0, NOW)
    assert verbs(plan) == [("delete", "web-0")] and plan.actions[0].reason == "recreate-failed"


def test_rolling_update_highest_ordinal_first_down_to_partition():
    sts = make_set(3, strategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 1}})
    old = revision(sts)
    sts["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    new = revision(sts, 2)
    assert old["metadata"]["name"] != new["metadata"]["name"]
    pods = [running(sts, i, old) for i in range(3)]
    assert verbs(plan_sync(sts, pods, old, new, 0, NOW)) == [("delete", "web-2")]
    pods[2] = running(sts, 2, new, ready=False)
    assert verbs(plan_sync(sts, pods, old, new, 0, NOW)) == []  # wait for the new web-2
    pods[2] = running(sts, 2, new)
    assert verbs(plan_sync(sts, pods, old, new, 0, NOW)) == [("delete", "web-1")]
    pods[1] = running(sts, 1, new)
    # web-0 is below the partition: untouched
    assert verbs(plan_sync(sts, pods, old, new, 0, NOW)) == []


def test_missing_pod_below_partition_keeps_current_revision():
    sts = make_set(2, strategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 1}})
    old = revision(sts)
    sts["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    new = revision(sts, 2)
    plan = plan_sync(sts, [running(sts, 1, new)], old, new, 0, NOW)
    created = plan.actions[0].pod
    assert created["metadata"]["name"] == "web-0"
    assert created["metadata"]["labels"]["controller-revision-hash"] == old["metadata"]["name"]
    assert created["spec"]["containers"][0]["image"] == "nginx:1"


def test_on_delete_never_deletes_for_update_and_recreates_at_update_revision():
    sts = make_set(2, strategy={"type": "OnDelete"})
    old = revision(sts)
    sts["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    new = revision(sts, 2)
    pods = [running(sts, i, old) for i in range(2)]
    assert verbs(plan_sync(sts, pods, old, new, 0, NOW)) == []
    plan = plan_sync(sts, pods[:1], old, new, 0, NOW)
    assert verbs(plan) == [("create", "web-1")]
    assert plan.actions[0].pod["spec"]["containers"][0]["image"] == "nginx:2"


def test_pod_identity_and_storage():
    sts = make_set(2, claims=True)
    pod = new_pod(sts, sts["spec"]["template"], 1, "web-abc")
    assert pod["metadata"]["name"] == "web-1"
    assert pod["metadata"]["labels"] == {
        "app": "nginx", "statefulset.kubernetes.io/pod-name": "web-1",
        "apps.kubernetes.io/pod-index": "1", "controller-revision-hash": "web-abc"}
    assert pod["spec"]["hostname"] == "web-1" and pod["spec"]["subdomain"] == "nginx"
    assert pod["spec"]["volumes"] == [{"name": "www", "persistentVolumeClaim": {"claimName": "www-web-1"}}]
    assert pod["metadata"]["ownerReferences"][0]["kind"] == "StatefulSet"
    [claim] = claims_for(sts, 1)
    assert claim["metadata"]["name"] == "www-web-1"
    assert claim["metadata"]["labels"] == {"app": "nginx"}


def test_claim_owners_follow_retention_policy():
    sts = make_set(1, claims=True)
    pod = running(sts, 0, revision(sts))
    claim = claims_for(sts, 0)[0]
    assert claim_owner_refs(claim, sts, 0, pod) is None  # Retain: no owners
    sts = make_set(1, claims=True, retention={"whenDeleted": "Delete", "whenScaled": "Retain"})
    refs = claim_owner_refs(claim, sts, 0, pod)
    assert [(r["kind"], r["uid"]) for r in refs] == [("StatefulSet", "set-uid")]
    sts = make_set(1, claims=True, retention={"whenDeleted": "Retain", "whenScaled": "Delete"})
    condemned = running(sts, 3, revision(sts))
    refs = claim_owner_refs(claims_for(sts, 3)[0], sts, 3, condemned)
    assert [(r["kind"], r["uid"]) for r in refs] == [("Pod", "pod-3")]


def test_status_counts_and_rollout_completion():
    sts = make_set(2)
    old = revision(sts)
    sts["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    new = revision(sts, 2)
    pods = [running(sts, 0, old), running(sts, 1, new, ready=False)]
    status = compute_status(sts, pods, old, new, 0, NOW)
    assert status["replicas"] == 2 and status["readyReplicas"] == 1
    assert status["currentReplicas"] == 1 and status["updatedReplicas"] == 1
    assert status["currentRevision"] == old["metadata"]["name"]
    assert status["observedGeneration"] == 2
    pods = [running(sts, 0, new), running(sts, 1, new)]
    status = compute_status(sts, pods, old, new, 0, NOW)
    assert status["currentRevision"] == new["metadata"]["name"] and status["currentReplicas"] == 2


def test_revision_name_hash_and_data():
    sts = make_set()
    rev = history.new_revision(sts, 1, 0)
    assert rev["metadata"]["name"].startswith("web-")
    hash_ = rev["metadata"]["name"][len("web-"):]
    assert set(hash_) <= set("bcdfghjklmnpqrstvwxz2456789")
    assert rev["metadata"]["labels"] == {"app": "nginx", "controller.kubernetes.io/hash": hash_}
    assert rev["data"]["spec"]["template"]["$patch"] == "replace"
    assert history.new_revision(sts, 5, 0)["metadata"]["name"] == rev["metadata"]["name"]
    assert history.new_revision(sts, 1, 1)["metadata"]["name"] != rev["metadata"]["name"]
    assert history.template_from_revision(rev) == sts["spec"]["template"]
    assert history.fnv32a(b"") == 0x811C9DC5 and history.fnv32a(b"a") == 0xE40C292C


def test_history_pruning_keeps_live_and_newest():
    revisions = [{"metadata": {"name": f"r{i}", "creationTimestamp": ""}, "revision": i}
                 for i in range(1, 6)]
    pruned = history.revisions_to_prune(revisions, {"r1", "r5"}, 2)
    assert [r["metadata"]["name"] for r in pruned] == ["r2"]
    assert history.next_revision_number(revisions) == 6
