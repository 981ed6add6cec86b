# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""PodDisruptionBudget status arithmetic, as upstream's disruption controller."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from kybernetes.controllers.disruption import matching_pods, scaled_value, sync

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)


def pod(name, ready=True, owner_uid="rs-1", labels=None, deleting=False):
    meta = {"name": name, "namespace": "ns", "labels": labels or {"app": "web"}}
    if owner_uid:
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs",
                                    "uid": owner_uid, "controller": True}]
    if deleting:
        meta["deletionTimestamp"] = "2026-01-01T11:59:00Z"
    return {"metadata": meta, "status": {"phase": "Running", "conditions": [
        {"type": "Ready", "status": "True" if ready else "False"}]}}


def pdb(generation=1, status=None, **spec):
    return {"metadata": {"name": "web", "namespace": "ns", "generation": generation},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, **spec},
            "status": status or {}}


def test_scaled_values_round_up():
    assert scaled_value(2, 10) == 2
    assert scaled_value("50%", 3) == 2
    assert scaled_value("10%", 5) == 1
    assert scaled_value("50%", 3, round_up=False) == 1


def test_min_available_int():
    pods = [pod("a"), pod("b")]
    status = sync(pdb(minAvailable=2), pods, {}, NOW).status
    assert (status["currentHealthy"], status["desiredHealthy"], status["expectedPods"],
            status["disruptionsAllowed"], status["observedGeneration"]) == (2, 2, 2, 0, 1)
    assert status["conditions"] == [{"type": "DisruptionAllowed", "status": "False",
                                     "observedGeneration": 1, "reason": "InsufficientPods",
                                     "message": "", "lastTransitionTime": "2026-01-01T12:00:00Z"}]
    more = sync(pdb(minAvailable=2), pods + [pod("c")], {}, NOW).status
    assert more["disruptionsAllowed"] == 1
    assert more["conditions"][0]["status"] == "True" and more["conditions"][0]["reason"] == "SufficientPods"


def test_unready_and_deleting_pods_are_not_healthy():
    pods = [pod("a"), pod("b", ready=False), pod("c", deleting=True)]
    status = sync(pdb(minAvailable=1), pods, {}, NOW).status
    assert status["currentHealthy"] == 1 and status["disruptionsAllowed"] == 0


def test_max_unavailable_uses_the_controllers_scale():
    pods = [pod("a"), pod("b"), pod("c", ready=False)]
    scale = {"rs-1": ("deploy-1", 4)}  # the Deployment wants 4
    status = sync(pdb(maxUnavailable="25%"), pods, scale, NOW).status
    assert (status["expectedPods"], status["desiredHealthy"], status["currentHealthy"],
            status["disruptionsAllowed"]) == (4, 3, 2, 0)
    status = sync(pdb(minAvailable="50%"), pods, scale, NOW).status
    assert (status["desiredHealthy"], status["disruptionsAllowed"]) == (2, 0)


def test_pod_without_a_found_controller_fails_safe():
    result = sync(pdb(maxUnavailable=1), [pod("a", owner_uid="gone")], {}, NOW)
    assert result.status["disruptionsAllowed"] == 0
    condition = result.status["conditions"][0]
    assert (condition["reason"], condition["message"]) == ("SyncFailed",
                                                           'found no controllers for pod "a"')
    assert result.events[0][1] == "CalculateExpectedPodCountFailed"


def test_unmanaged_pods_warn():
    result = sync(pdb(maxUnavailable=1), [pod("a", owner_uid=None)], {}, NOW)
    assert [e[1] for e in result.events] == ["UnmanagedPods"]
    assert result.status["expectedPods"] == 0 and result.status["disruptionsAllowed"] == 0


def test_recent_evictions_are_not_counted_healthy():
    recent = (NOW - timedelta(seconds=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    old = (NOW - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    budget = pdb(minAvailable=1, status={"disruptedPods": {"a": recent, "b": old}})
    result = sync(budget, [pod("a"), pod("b"), pod("c")], {}, NOW)
    assert result.status["disruptedPods"] == {"a": recent}
    assert result.status["currentHealthy"] == 2
    assert result.recheck == NOW + timedelta(seconds=90)
    assert [e[1] for e in result.events] == ["NotDeleted"]


def test_no_pods_event_and_selector_semantics():
    result = sync(pdb(minAvailable=1), [], {}, NOW)
    assert result.events == [("Normal", "NoPods", "No matching pods found")]
    everything = {"metadata": {}, "spec": {"selector": {}}}
    nothing = {"metadata": {}, "spec": {}}
    assert len(matching_pods(everything, [pod("a")])) == 1
    assert matching_pods(nothing, [pod("a")]) == []
