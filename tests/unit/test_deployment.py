# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The Deployment controller's decisions, without a server: surge and unavailability
arithmetic, the pod-template hash, rollout steps, proportional scaling, revisions,
status conditions and history cleanup."""
from __future__ import annotations

import pytest

from kybernetes.controllers import deployment_rollout as rollout
from kybernetes.controllers import deployment_util as du
from kybernetes.controllers.deployment import old_pods_running

NOW = 1_800_000_000.0


def deployment(replicas=3, surge=1, unavailable=1, strategy="RollingUpdate", generation=1,
               status=None, deadline=600, history=10) -> dict:
    spec = {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
            "strategy": {"type": strategy}, "revisionHistoryLimit": history,
            "progressDeadlineSeconds": deadline,
            "template": {"metadata": {"labels": {"app": "web"}},
                         "spec": {"containers": [{"name": "web", "image": "web:v1"}]}}}
    if strategy == "RollingUpdate":
        spec["strategy"]["rollingUpdate"] = {"maxSurge": surge, "maxUnavailable": unavailable}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "ns", "uid": "d-uid", "generation": generation},
            "spec": spec, "status": status or {}}


def rs(name, replicas, available=None, created="2026-01-01T00:00:00Z", revision=None,
       ready=None, status_replicas=None, annotations=None) -> dict:
    notes = dict(annotations or {})
    if revision is not None:
        notes[du.REVISION] = str(revision)
    available = replicas if available is None else available
    return {"metadata": {"name": name, "namespace": "ns", "uid": f"{name}-uid",
                         "creationTimestamp": created, "annotations": notes, "generation": 1},
            "spec": {"replicas": replicas},
            "status": {"replicas": replicas if status_replicas is None else status_replicas,
                       "availableReplicas": available,
                       "readyReplicas": available if ready is None else ready,
                       "observedGeneration": 1}}


# ------------------------------------------------------------------ fenceposts
@pytest.mark.parametrize("surge, unavailable, replicas, expected", [
    ("25%", "25%", 10, (3, 2)),      # surge rounds up, unavailable down
    ("25%", "25%", 1, (1, 0)),
    ("25%", "25%", 3, (1, 0)),
    ("0%", "0%", 3, (0, 1)),         # both zero: one may be unavailable
    (0, "10%", 5, (0, 1)),           # 10% of 5 rounds down to 0, then becomes 1
    (2, 1, 3, (2, 1)),
    ("50%", "50%", 5, (3, 2)),
    (None, None, 4, (0, 1)),
])
def test_resolve_fenceposts(surge, unavailable, replicas, expected):
    assert du.resolve_fenceposts(surge, unavailable, replicas) == expected


def test_max_unavailable_capped_and_zero_cases():
    assert du.max_unavailable(deployment(replicas=2, surge=0, unavailable=5)) == 2
    assert du.max_unavailable(deployment(replicas=0)) == 0
    assert du.max_unavailable(deployment(strategy="Recreate")) == 0
    assert du.max_surge(deployment(strategy="Recreate")) == 0
    assert du.max_surge(deployment(replicas=10, surge="25%", unavailable="25%")) == 3


def test_scaled_value_rejects_garbage():
    with pytest.raises(ValueError):
        du.scaled_value("abc", 10, True)
    assert du.scaled_value("7", 10, True) == 7


# ------------------------------------------------------------------ hash
def test_fnv_and_safe_encoding():
    assert du.fnv32a(b"") == 0x811C9DC5
    assert du.fnv32a(b"a") == 0xE40C292C
    assert du.safe_encode("123") == "567"
    assert du.safe_encode("0") == "4"


def test_hash_is_stable_and_follows_the_template():
    template = deployment()["spec"]["template"]
    first = du.compute_hash(template)
    assert first == du.compute_hash(du.copy_object(template))
    assert set(first) <= set(du.SAFE_ALPHABET) and 1 <= len(first) <= 10
    reordered = {"spec": template["spec"], "metadata": {"labels": {"app": "web"}, "annotations": {}}}
    assert du.compute_hash(reordered) == first  # key order and empty maps do not matter
    changed = du.copy_object(template)
    changed["spec"]["containers"][0]["image"] = "web:v2"
    assert du.compute_hash(changed) != first
    assert du.compute_hash(template, 1) != first
    assert du.compute_hash(template, 0) != du.compute_hash(template, 1)


def test_new_replica_set_shape():
    d = deployment(replicas=3, surge=1, unavailable=1)
    made = rollout.new_replica_set(d, [])
    pod_hash = made["metadata"]["labels"]["pod-template-hash"]
    assert made["metadata"]["name"] == f"web-{pod_hash}"
    assert made["spec"]["selector"]["matchLabels"] == {"app": "web", "pod-template-hash": pod_hash}
    assert made["spec"]["template"]["metadata"]["labels"]["pod-template-hash"] == pod_hash
    assert made["spec"]["replicas"] == 3  # nothing else exists: all of them at once
    ref = made["metadata"]["ownerReferences"][0]
    assert ref == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "d-uid",
                   "controller": True, "blockOwnerDeletion": True}
    notes = made["metadata"]["annotations"]
    assert (notes[du.REVISION], notes[du.DESIRED_REPLICAS], notes[du.MAX_REPLICAS]) == ("1", "3", "4")
    assert du.equal_ignore_hash(made["spec"]["template"], d["spec"]["template"])
    assert du.find_new_replica_set(d, [made]) is made


# ------------------------------------------------------------------ rollout steps
def test_new_rs_scales_up_only_within_surge():
    d = deployment(replicas=3, surge=1, unavailable=1)
    old, new = rs("old", 3), rs("new", 0)
    assert rollout.new_rs_replicas(d, [old, new], new) == 1
    old, new = rs("old", 2), rs("new", 1)
    assert rollout.new_rs_replicas(d, [old, new], new) == 2
    old, new = rs("old", 3), rs("new", 1)  # at replicas + surge: wait
    assert rollout.new_rs_replicas(d, [old, new], new) == 1
    recreate = deployment(strategy="Recreate")
    assert rollout.new_rs_replicas(recreate, [rs("old", 3), new], new) == 3


def test_old_scale_down_keeps_minimum_available():
    d = deployment(replicas=3, surge=1, unavailable=1)  # at least 2 available
    # new has 1 pod, not ready: one old pod may go
    plan = rollout.old_scale_down_plan(d, rs("new", 1, available=0), [rs("old", 3)])
    assert plan == {"old": 2}
    # new has 2 pods, none ready, old at 2: nothing may go (2 available is the floor)
    assert rollout.old_scale_down_plan(d, rs("new", 2, available=0), [rs("old", 2)]) == {}
    # new has 2 ready: old 2 -> 0 would leave 2 available
    assert rollout.old_scale_down_plan(d, rs("new", 2), [rs("old", 2)]) == {"old": 0}


def test_old_scale_down_removes_unhealthy_first_and_oldest_first():
    d = deployment(replicas=4, surge=0, unavailable=1)  # floor 3
    older = rs("older", 2, available=0, created="2026-01-01T00:00:00Z")
    newer = rs("newer", 2, available=2, created="2026-01-02T00:00:00Z")
    new = rs("new", 0)
    # the unhealthy pods of `older` go first even though nothing else may
    assert rollout.old_scale_down_plan(d, new, [newer, older]) == {"older": 1}


def test_old_scale_down_does_not_trust_pods_being_deleted():
    d = deployment(replicas=3, surge=1, unavailable=1)
    # old was scaled 3 -> 2 but still reports 3 available: only 2 count
    plan = rollout.old_scale_down_plan(d, rs("new", 2, available=1), [rs("old", 2, available=3)])
    assert plan == {"old": 1}


# ------------------------------------------------------------------ scaling events
def test_scaling_event_detection():
    d = deployment(replicas=5)
    assert rollout.is_scaling_event(d, [rs("a", 3, annotations={du.DESIRED_REPLICAS: "3"})])
    assert not rollout.is_scaling_event(d, [rs("a", 5, annotations={du.DESIRED_REPLICAS: "5"})])
    assert not rollout.is_scaling_event(d, [rs("a", 0, annotations={du.DESIRED_REPLICAS: "3"})])


def test_single_active_replica_set_takes_the_whole_size():
    d = deployment(replicas=5)
    sizes, proportional = rollout.scale_plan(d, rs("new", 3), [rs("old", 0)])
    assert (sizes, proportional) == ({"new": 5}, False)


def test_proportional_scaling_mid_rollout():
    d = deployment(replicas=20, surge="25%", unavailable="25%")  # was 10: max 13, now 25
    notes = {du.MAX_REPLICAS: "13", du.DESIRED_REPLICAS: "10"}
    old = rs("old", 8, created="2026-01-01T00:00:00Z", annotations=notes)
    new = rs("new", 5, available=0, created="2026-01-02T00:00:00Z", annotations=notes)
    sizes, proportional = rollout.scale_plan(d, new, [old])
    assert proportional and sizes == {"old": 15, "new": 10}
    down = deployment(replicas=5, surge="25%", unavailable="25%")  # max 7
    sizes, _ = rollout.scale_plan(down, new, [old])
    assert sum(sizes.values()) == 7 and sizes == {"old": 4, "new": 3}


def test_saturated_new_replica_set_scales_old_to_zero():
    d = deployment(replicas=3)
    new = rs("new", 3, annotations={du.DESIRED_REPLICAS: "3"})
    sizes, _ = rollout.scale_plan(d, new, [rs("old", 1)])
    assert sizes == {"old": 0}


# ------------------------------------------------------------------ revisions
def test_revision_annotations_on_rollback():
    d = deployment()
    d["metadata"]["annotations"] = {"team": "a", du.LAST_APPLIED: "{}", du.REVISION: "2"}
    back = rs("v1", 0, revision=1)
    assert du.set_new_replica_set_annotations(d, back, 3, exists=True)
    notes = back["metadata"]["annotations"]
    assert notes[du.REVISION] == "3" and notes[du.REVISION_HISTORY] == "1"
    assert notes["team"] == "a" and du.LAST_APPLIED not in notes
    assert du.DESIRED_REPLICAS not in notes  # only set on creation
    assert not du.set_new_replica_set_annotations(d, back, 3, exists=True)
    du.set_new_replica_set_annotations(d, back, 5, exists=True)
    assert back["metadata"]["annotations"][du.REVISION_HISTORY] == "1,3"


def test_cleanup_respects_history_limit():
    d = deployment(history=1)
    olds = [rs("r1", 0, revision=1), rs("r2", 0, revision=2), rs("r3", 1, revision=3)]
    assert [x["metadata"]["name"] for x in du.cleanup_candidates(d, olds)] == ["r1", "r2"]
    d = deployment(history=0)
    olds = [rs("r1", 0, revision=1, status_replicas=1)]  # still has a pod
    assert du.cleanup_candidates(d, olds) == []


# ------------------------------------------------------------------ status
def test_calculate_status_and_available_condition():
    d = deployment(replicas=3, surge=1, unavailable=1)
    new = rs("new", 2, available=1)
    old = rs("old", 2, available=2)
    status = du.calculate_status(d, [old, new], new, "2026-01-01T00:00:00Z")
    assert status["replicas"] == 4 and status["updatedReplicas"] == 2
    assert status["availableReplicas"] == 3 and status["unavailableReplicas"] == 1
    assert status["observedGeneration"] == 1
    available = du.condition(status, "Available")
    assert (available["status"], available["reason"]) == ("True", "MinimumReplicasAvailable")
    status = du.calculate_status(d, [rs("new", 3, available=1)], None, "2026-01-01T00:00:00Z")
    assert du.condition(status, "Available")["reason"] == "MinimumReplicasUnavailable"


def test_progressing_condition_through_a_rollout():
    d = deployment(replicas=2, deadline=10, status={"replicas": 2, "updatedReplicas": 1})
    new = rs("web-abc", 2, available=1)
    status = du.rollout_status(d, [new], new, NOW)
    progressing = du.condition(status, "Progressing")
    assert (progressing["reason"], progressing["message"]) == (
        "ReplicaSetUpdated", 'ReplicaSet "web-abc" is progressing.')
    done = rs("web-abc", 2, available=2)
    status = du.rollout_status(d, [done], done, NOW)
    progressing = du.condition(status, "Progressing")
    assert (progressing["reason"], progressing["message"]) == (
        "NewReplicaSetAvailable", 'ReplicaSet "web-abc" has successfully progressed.')


def test_progress_deadline_exceeded():
    stale = du.rfc3339(NOW - 30)
    d = deployment(replicas=2, deadline=10, status={
        "replicas": 2, "updatedReplicas": 2, "conditions": [du.new_condition(
            "Progressing", "True", du.NEW_RS_CREATED, 'Created new replica set "web-abc"', stale)]})
    stuck = rs("web-abc", 2, available=0)
    status = du.rollout_status(d, [stuck], stuck, NOW)
    progressing = du.condition(status, "Progressing")
    assert (progressing["status"], progressing["reason"]) == ("False", "ProgressDeadlineExceeded")
    assert progressing["message"] == 'ReplicaSet "web-abc" has timed out progressing.'
    fresh = deployment(replicas=2, deadline=10, status={"conditions": [du.new_condition(
        "Progressing", "True", du.NEW_RS_CREATED, "x", du.rfc3339(NOW - 4))]})
    assert du.seconds_until_deadline(fresh, fresh["status"], NOW) == pytest.approx(6, abs=1)


def test_paused_and_resumed_conditions():
    d = deployment()
    d["spec"]["paused"] = True
    assert du.paused_condition_change(d, "t")["reason"] == "DeploymentPaused"
    d["status"] = {"conditions": [du.paused_condition_change(d, "t")]}
    assert du.paused_condition_change(d, "t") is None
    d["spec"]["paused"] = False
    resumed = du.paused_condition_change(d, "t")
    assert (resumed["status"], resumed["reason"], resumed["message"]) == (
        "Unknown", "DeploymentResumed", "Deployment is resumed")


def test_set_condition_keeps_transition_time_for_same_status():
    status = {"conditions": [du.new_condition("Progressing", "True", "A", "a", "t1")]}
    du.set_condition(status, du.new_condition("Progressing", "True", "B", "b", "t2"))
    (only,) = status["conditions"]
    assert (only["reason"], only["lastTransitionTime"], only["lastUpdateTime"]) == ("B", "t1", "t2")


def test_recreate_waits_for_old_pods():
    new = rs("new", 0)
    running = {"old-uid": [{"status": {"phase": "Running"}}]}
    finished = {"old-uid": [{"status": {"phase": "Succeeded"}}]}
    assert old_pods_running(new, [rs("old", 0, status_replicas=0)], running)
    assert not old_pods_running(new, [rs("old", 0, status_replicas=0)], finished)
    assert old_pods_running(new, [rs("old", 0, status_replicas=1)], {})
