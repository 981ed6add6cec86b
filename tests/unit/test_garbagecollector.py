# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The garbage collector's and pod GC's decisions on hand-built objects (no server)."""
from __future__ import annotations

from kybernetes.controllers.gc_graph import (
    DANGLING, SOLID, WAITING, CheckDependents, DeleteObject, RemoveFinalizer,
    SetOwnerReferences, decide_for_dependent, decide_for_owner, graph_relevant_change,
    owner_state)
from kybernetes.controllers.podgc import (
    orphan_status_patch, orphaned_pods, out_of_service_terminating_pods,
    terminated_pods_to_delete, unscheduled_terminating_pods)


def obj(name, uid, owners=(), finalizers=(), deleting=False, kind="ConfigMap"):
    meta = {"name": name, "namespace": "ns", "uid": uid, "resourceVersion": "1"}
    if owners:
        meta["ownerReferences"] = list(owners)
    if finalizers:
        meta["finalizers"] = list(finalizers)
    if deleting:
        meta["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    return {"apiVersion": "v1", "kind": kind, "metadata": meta}


def ref(name, uid, block=False, kind="ConfigMap"):
    out = {"apiVersion": "v1", "kind": kind, "name": name, "uid": uid}
    if block:
        out["blockOwnerDeletion"] = True
    return out


# ------------------------------------------------------------------ owner states
def test_owner_state_absent_or_other_uid_is_dangling():
    assert owner_state(None, ref("o", "u1")) == DANGLING
    assert owner_state(obj("o", "u2"), ref("o", "u1")) == DANGLING  # recreated under that name


def test_owner_state_foreground_deleting_is_waiting_else_solid():
    assert owner_state(obj("o", "u1"), ref("o", "u1")) == SOLID
    assert owner_state(obj("o", "u1", deleting=True), ref("o", "u1")) == SOLID  # background
    assert owner_state(obj("o", "u1", finalizers=["foregroundDeletion"], deleting=True),
                       ref("o", "u1")) == WAITING


# ------------------------------------------------------------------ background
def test_background_dependent_of_gone_owner_is_deleted():
    dependent = obj("d", "d1", owners=[ref("o", "u1")])
    assert decide_for_dependent(dependent, {"u1": DANGLING}, False) == [DeleteObject("Background")]


def test_dependent_with_a_solid_owner_stays_but_loses_dangling_reference():
    dependent = obj("d", "d1", owners=[ref("a", "u1"), ref("b", "u2")])
    actions = decide_for_dependent(dependent, {"u1": SOLID, "u2": DANGLING}, False)
    assert actions == [SetOwnerReferences("", (ref("a", "u1"),))]
    assert decide_for_dependent(dependent, {"u1": SOLID, "u2": SOLID}, False) == []


def test_dependent_with_unknown_owner_state_waits():
    dependent = obj("d", "d1", owners=[ref("a", "u1"), ref("b", "u2")])
    assert decide_for_dependent(dependent, {"u1": DANGLING}, False) == []


def test_dependent_being_deleted_is_left_alone():
    dependent = obj("d", "d1", owners=[ref("o", "u1")], deleting=True)
    assert decide_for_dependent(dependent, {"u1": DANGLING}, False) == []


# ------------------------------------------------------------------ foreground
def test_foreground_owner_checks_dependents_until_blocking_ones_are_gone():
    owner = obj("o", "u1", finalizers=["foregroundDeletion"], deleting=True)
    blocking = obj("d1", "x1", owners=[ref("o", "u1", block=True)])
    other = obj("d2", "x2", owners=[ref("o", "u1")])
    actions = decide_for_owner(owner, [("id1", blocking), ("id2", other)])
    assert actions == [CheckDependents(("id1", "id2"))]
    # a blocking dependent already terminating: just wait
    terminating = obj("d1", "x1", owners=[ref("o", "u1", block=True)], deleting=True)
    assert decide_for_owner(owner, [("id1", terminating)]) == []
    # only non-blocking dependents left: the owner may go
    assert decide_for_owner(owner, [("id2", other)]) == [RemoveFinalizer("foregroundDeletion")]
    assert decide_for_owner(owner, []) == [RemoveFinalizer("foregroundDeletion")]


def test_dependent_of_waiting_owner_is_deleted_foreground_when_it_has_dependents():
    dependent = obj("d", "d1", owners=[ref("o", "u1", block=True)])
    assert decide_for_dependent(dependent, {"u1": WAITING}, True) == [DeleteObject("Foreground")]
    assert decide_for_dependent(dependent, {"u1": WAITING}, False) == [DeleteObject("Background")]


def test_dependent_with_solid_and_waiting_owners_drops_the_waiting_reference():
    dependent = obj("d", "d1", owners=[ref("a", "u1"), ref("b", "u2", block=True)])
    actions = decide_for_dependent(dependent, {"u1": SOLID, "u2": WAITING}, False)
    assert actions == [SetOwnerReferences("", (ref("a", "u1"),))]


# ------------------------------------------------------------------ orphan
def test_orphan_owner_removes_its_reference_from_dependents_then_its_finalizer():
    owner = obj("o", "u1", finalizers=["orphan"], deleting=True)
    only = obj("d1", "x1", owners=[ref("o", "u1", block=True)])
    shared = obj("d2", "x2", owners=[ref("o", "u1"), ref("p", "u9")])
    actions = decide_for_owner(owner, [("id1", only), ("id2", shared)])
    assert actions == [SetOwnerReferences("id1", ()),
                       SetOwnerReferences("id2", (ref("p", "u9"),)),
                       RemoveFinalizer("orphan")]


def test_owner_not_being_deleted_needs_nothing():
    assert decide_for_owner(obj("o", "u1"), [("id1", obj("d", "x", owners=[ref("o", "u1")]))]) == []
    assert decide_for_owner(obj("o", "u1", deleting=True), []) == []


def test_only_graph_changes_matter():
    a = obj("d", "d1", owners=[ref("o", "u1")])
    b = dict(a, data={"k": "v"})
    assert not graph_relevant_change(a, b)
    assert graph_relevant_change(a, obj("d", "d1"))
    assert graph_relevant_change(a, obj("d", "d1", owners=[ref("o", "u1")], deleting=True))
    assert graph_relevant_change(None, a) and graph_relevant_change(a, None)


# ------------------------------------------------------------------ pod GC
def pod(name, phase="Running", node="n1", created="2026-01-01T00:00:00Z", deleting=False,
        reason=None):
    p = {"metadata": {"name": name, "namespace": "ns", "uid": name, "creationTimestamp": created},
         "spec": {"nodeName": node} if node else {}, "status": {"phase": phase}}
    if deleting:
        p["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    if reason:
        p["status"]["reason"] = reason
    return p


def test_terminated_pods_beyond_threshold_oldest_and_evicted_first():
    pods = [pod("a", "Succeeded", created="2026-01-01T00:00:03Z"),
            pod("b", "Failed", created="2026-01-01T00:00:01Z"),
            pod("c", "Failed", created="2026-01-01T00:00:05Z", reason="Evicted"),
            pod("d", "Running", created="2026-01-01T00:00:00Z")]
    assert [p["metadata"]["name"] for p in terminated_pods_to_delete(pods, 1)] == ["c", "b"]
    assert terminated_pods_to_delete(pods, 3) == []
    assert terminated_pods_to_delete(pods, 0) == []


def test_orphaned_and_unscheduled_terminating_pods():
    pods = [pod("a", node="gone"), pod("b", node="n1"), pod("c", node=None, deleting=True),
            pod("d", node=None)]
    assert [p["metadata"]["name"] for p in orphaned_pods(pods, {"n1"})] == ["a"]
    assert [p["metadata"]["name"] for p in unscheduled_terminating_pods(pods)] == ["c"]
    patch = orphan_status_patch(pods[0], "2026-01-01T00:00:09Z")
    assert patch["status"]["phase"] == "Failed"
    assert patch["status"]["conditions"][-1]["reason"] == "DeletionByPodGC"


def test_terminating_pods_only_collected_on_out_of_service_not_ready_nodes():
    not_ready = {"status": {"conditions": [{"type": "Ready", "status": "Unknown"}]}}
    tainted = dict(not_ready, spec={"taints": [{"key": "node.kubernetes.io/out-of-service",
                                                "effect": "NoExecute"}]})
    pods = [pod("a", node="down", deleting=True), pod("b", node="oos", deleting=True),
            pod("c", node="oos")]
    chosen = out_of_service_terminating_pods(pods, {"down": not_ready, "oos": tainted})
    assert [p["metadata"]["name"] for p in chosen] == ["b"]
