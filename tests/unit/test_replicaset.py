# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""ReplicaSet decisions without a server: which pods go first, claiming by selector,
status counts, pods made from templates, expectations and slow-start batches."""
from __future__ import annotations

import asyncio

from kybernetes.api.selectors import selector_from_label_selector_object
from kybernetes.controllers.podcontrol import (Expectations, adoption_patch, claim, pod_from_template,
                                               pods_to_delete, release_patch, rfc3339, slow_start_batch)
from kybernetes.controllers.replicaset import (next_availability_check, replica_count_change,
                                               replica_set_status)

NOW = 1_800_000_000.0


def pod(name, node="n1", phase="Running", ready=True, ready_for=3600.0, age=7200.0,
        restarts=0, labels=None, owner_uid=None, cost=None) -> dict:
    meta = {"name": name, "namespace": "ns", "uid": f"uid-{name}",
            "creationTimestamp": rfc3339(NOW - age), "labels": labels or {"app": "web"}}
    if owner_uid:
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web",
                                    "uid": owner_uid, "controller": True}]
    if cost is not None:
        meta["annotations"] = {"controller.kubernetes.io/pod-deletion-cost": str(cost)}
    conditions = [{"type": "Ready", "status": "True" if ready else "False",
                   "lastTransitionTime": rfc3339(NOW - ready_for)}]
    return {"metadata": meta, "spec": {"nodeName": node} if node else {},
            "status": {"phase": phase, "conditions": conditions,
                       "containerStatuses": [{"name": "c", "restartCount": restarts}]}}


def first_to_go(*pods: dict) -> str:
    return pods_to_delete(list(pods), list(pods), 1, now=NOW)[0]["metadata"]["name"]


def test_deletion_ranking_follows_upstream_order():
    assert first_to_go(pod("scheduled"), pod("unscheduled", node="")) == "unscheduled"
    assert first_to_go(pod("running"), pod("pending", phase="Pending", ready=False)) == "pending"
    assert first_to_go(pod("running"), pod("unknown", phase="Unknown")) == "unknown"
    assert first_to_go(pod("ready"), pod("notready", ready=False)) == "notready"
    assert first_to_go(pod("costly", cost=100), pod("cheap", cost=-5)) == "cheap"
    # ready for seconds rather than for an hour (different power-of-two buckets)
    assert first_to_go(pod("long", ready_for=3600), pod("short", ready_for=2)) == "short"
    assert first_to_go(pod("steady", restarts=0), pod("crashy", restarts=4)) == "crashy"
    assert first_to_go(pod("old", age=86400), pod("young", age=10)) == "young"


def test_deletion_ranking_prefers_doubled_up_nodes():
    lonely = pod("lonely", node="a")
    crowded = pod("crowded", node="b")
    sibling = pod("sibling", node="b")  # a pod of a related ReplicaSet on node b
    victims = pods_to_delete([lonely, crowded], [lonely, crowded, sibling], 1, now=NOW)
    assert victims[0]["metadata"]["name"] == "crowded"


def test_pods_to_delete_takes_all_when_asked_for_more():
    pods = [pod("a"), pod("b")]
    assert pods_to_delete(pods, pods, 5, now=NOW) == pods


def test_claim_adopts_orphans_and_releases_strays():
    owner = {"metadata": {"name": "web", "uid": "rs-uid"}, "apiVersion": "apps/v1", "kind": "ReplicaSet"}
    selector = selector_from_label_selector_object({"matchLabels": {"app": "web"}})
    mine = pod("mine", owner_uid="rs-uid")
    orphan = pod("orphan")
    stray = pod("stray", owner_uid="rs-uid", labels={"app": "other"})
    foreign = pod("foreign", owner_uid="other-uid")
    deleting = pod("deleting")
    deleting["metadata"]["deletionTimestamp"] = rfc3339(NOW)
    kept, adopt, release = claim(owner, selector, [mine, orphan, stray, foreign, deleting])
    assert [p["metadata"]["name"] for p in kept] == ["mine"]
    assert [p["metadata"]["name"] for p in adopt] == ["orphan"]
    assert [p["metadata"]["name"] for p in release] == ["stray"]
    patch = adoption_patch(owner, orphan)
    assert patch["metadata"]["uid"] == "uid-orphan"
    assert patch["metadata"]["ownerReferences"][0] == {
        "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": "rs-uid",
        "controller": True, "blockOwnerDeletion": True}
    released = release_patch(owner, stray)["metadata"]["ownerReferences"]
    assert released == [{"$patch": "delete", "uid": "rs-uid"}]
    owner["metadata"]["deletionTimestamp"] = rfc3339(NOW)
    kept, adopt, release = claim(owner, selector, [mine, orphan, stray])
    assert (len(kept), adopt, release) == (1, [], [])


def test_pod_from_template():
    owner = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web-abc", "uid": "u"}}
    template = {"metadata": {"labels": {"app": "web", "pod-template-hash": "abc"},
                             "annotations": {"a": "b"}},
                "spec": {"containers": [{"name": "c", "image": "i"}]}}
    made = pod_from_template(template, owner, "ns")
    assert made["metadata"]["generateName"] == "web-abc-"
    assert made["metadata"]["labels"] == {"app": "web", "pod-template-hash": "abc"}
    assert made["metadata"]["annotations"] == {"a": "b"}
    assert made["metadata"]["ownerReferences"][0]["uid"] == "u"
    assert made["spec"] == template["spec"] and made["spec"] is not template["spec"]


def test_status_counts_and_min_ready_seconds():
    owner = {"metadata": {"name": "web", "generation": 4},
             "spec": {"replicas": 3, "minReadySeconds": 10,
                      "template": {"metadata": {"labels": {"app": "web", "tier": "fe"}}}}}
    pods = [pod("a", labels={"app": "web", "tier": "fe"}, ready_for=60),
            pod("b", labels={"app": "web", "tier": "fe"}, ready_for=3),
            pod("c", ready=False)]
    status = replica_set_status(owner, pods, None, "", NOW)
    assert status == {"replicas": 3, "fullyLabeledReplicas": 2, "readyReplicas": 2,
                      "availableReplicas": 1, "observedGeneration": 4}
    assert 7 <= next_availability_check(owner, pods, NOW) <= 8
    failed = replica_set_status(owner, [], "quota exceeded", "FailedCreate", NOW)
    condition = failed["conditions"][0]
    assert (condition["type"], condition["reason"], condition["message"]) == (
        "ReplicaFailure", "FailedCreate", "quota exceeded")
    assert failed["replicas"] == 0 and "readyReplicas" not in failed
    owner["status"] = failed
    assert "conditions" not in replica_set_status(owner, [], None, "", NOW)


def test_replica_count_change_is_bounded_by_burst():
    assert replica_count_change(3, 1) == 2
    assert replica_count_change(1, 3) == -2
    assert replica_count_change(10_000, 0) == 500
    assert replica_count_change(0, 10_000) == -500


def test_expectations():
    expectations = Expectations()
    assert expectations.satisfied("ns/web")
    expectations.expect_creations("ns/web", 2)
    assert not expectations.satisfied("ns/web")
    expectations.creation_observed("ns/web")
    expectations.creation_observed("ns/web")
    assert expectations.satisfied("ns/web")
    expectations.expect_deletions("ns/web", ["ns/a", "ns/b"])
    expectations.deletion_observed("ns/web", "ns/a")
    assert not expectations.satisfied("ns/web")
    expectations.deletion_observed("ns/web", "ns/b")
    assert expectations.satisfied("ns/web")
    expired = Expectations(ttl=-1)
    expired.expect_creations("k", 5)
    assert expired.satisfied("k")


def test_slow_start_batches_double_and_stop_at_a_failure():
    batches: list[int] = []
    in_flight = 0
    calls = 0

    async def action() -> None:
        nonlocal in_flight, calls
        calls += 1
        number = calls
        in_flight += 1
        await asyncio.sleep(0)
        batches.append(in_flight)
        in_flight -= 1
        if number > 5:
            raise RuntimeError("quota")

    done, error = asyncio.run(slow_start_batch(20, action))
    # batches of 1, 2, 4: the third holds calls 4..7, of which 6 and 7 fail
    assert calls == 7 and done == 5 and str(error) == "quota"
    assert max(batches) == 4  # the third batch ran its four at once
    done, error = asyncio.run(slow_start_batch(0, action))
    assert (done, error) == (0, None)
