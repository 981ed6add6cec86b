# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""DaemonSet decisions without a server: which nodes are eligible (nodeSelector,
required node affinity, taints against tolerations), the pods each node needs, and the
rolling update's choice of pods to replace under maxUnavailable and maxSurge."""
from __future__ import annotations

from datetime import datetime, timezone

from kybernetes.controllers.daemonset import (compute_status, new_daemon_pod, node_should_run,
                                              plan_manage, plan_rolling_update, pods_by_node,
                                              tolerates)

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def make_ds(pod_spec_extra=None, rolling=None, strategy="RollingUpdate") -> dict:
    spec = {"containers": [{"name": "agent", "image": "agent:1"}], **(pod_spec_extra or {})}
    update = {"type": strategy}
    if strategy == "RollingUpdate":
        update["rollingUpdate"] = rolling or {"maxUnavailable": 1, "maxSurge": 0}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "agent", "namespace": "ns", "uid": "ds-uid", "generation": 1},
            "spec": {"selector": {"matchLabels": {"app": "agent"}}, "updateStrategy": update,
                     "template": {"metadata": {"labels": {"app": "agent"}}, "spec": spec}}}


def node(name, labels=None, taints=None) -> dict:
    return {"metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **(labels or {})}},
            "spec": {"taints": taints or []}}


def pod_on(ds, node_name, hash_, ready=True, age="2026-01-01T00:00:00Z", name=None) -> dict:
    pod = new_daemon_pod(ds, node_name, hash_)
    pod["metadata"].update({"name": name or f"agent-{node_name}-{hash_}", "uid": f"u-{node_name}-{hash_}",
                            "creationTimestamp": age})
    pod["spec"]["nodeName"] = node_name
    pod["status"] = {"phase": "Running", "conditions": [
        {"type": "Ready", "status": "True" if ready else "False",
         "lastTransitionTime": "2025-12-31T00:00:00Z"}]}
    return pod


def test_node_selector_and_required_affinity():
    ds = make_ds({"nodeSelector": {"disk": "ssd"}})
    assert node_should_run(ds, node("a", {"disk": "ssd"})) == (True, True)
    assert node_should_run(ds, node("b", {"disk": "hdd"})) == (False, False)
    ds = make_ds({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [
            {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["z1", "z2"]}]},
            {"matchExpressions": [{"key": "cores", "operator": "Gt", "values": ["8"]}]}]}}}})
    assert node_should_run(ds, node("a", {"zone": "z2"}))[0]
    assert node_should_run(ds, node("b", {"cores": "16"}))[0]
    assert not node_should_run(ds, node("c", {"cores": "4", "zone": "z3"}))[0]
    ds = make_ds({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "NotIn",
                                                "values": ["a"]}]}]}}}})
    assert not node_should_run(ds, node("a"))[0] and node_should_run(ds, node("b"))[0]


def test_taints_and_tolerations():
    no_schedule = {"key": "dedicated", "value": "db", "effect": "NoSchedule"}
    no_execute = {"key": "dedicated", "value": "db", "effect": "NoExecute"}
    ds = make_ds()
    # NoSchedule: no new pod, but one already there may stay
    assert node_should_run(ds, node("a", taints=[no_schedule])) == (False, True)
    assert node_should_run(ds, node("a", taints=[no_execute])) == (False, False)
    tolerant = make_ds({"tolerations": [{"key": "dedicated", "operator": "Equal", "value": "db"}]})
    assert node_should_run(tolerant, node("a", taints=[no_schedule, no_execute])) == (True, True)
    wrong_value = make_ds({"tolerations": [{"key": "dedicated", "value": "web", "effect": "NoSchedule"}]})
    assert node_should_run(wrong_value, node("a", taints=[no_schedule]))[0] is False
    assert tolerates({"operator": "Exists"}, no_execute)


def test_default_tolerations_cover_node_conditions():
    ds = make_ds()
    for taint in ({"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"},
                  {"key": "node.kubernetes.io/not-ready", "effect": "NoExecute"},
                  {"key": "node.kubernetes.io/memory-pressure", "effect": "NoSchedule"}):
        assert node_should_run(ds, node("a", taints=[taint])) == (True, True)
    network = {"key": "node.kubernetes.io/network-unavailable", "effect": "NoSchedule"}
    assert not node_should_run(ds, node("a", taints=[network]))[0]
    assert node_should_run(make_ds({"hostNetwork": True}), node("a", taints=[network]))[0]


def test_daemon_pod_is_pinned_to_its_node():
    ds = make_ds({"affinity": {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 1, "preference": {"matchExpressions": [{"key": "x", "operator": "Exists"}]}}]}}})
    pod = new_daemon_pod(ds, "node-1", "abc")
    affinity = pod["spec"]["affinity"]["nodeAffinity"]
    assert affinity["requiredDuringSchedulingIgnoredDuringExecution"] == {"nodeSelectorTerms": [
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node-1"]}]}]}
    assert affinity["preferredDuringSchedulingIgnoredDuringExecution"]
    assert "nodeName" not in pod["spec"]
    assert pod["metadata"]["generateName"] == "agent-"
    assert pod["metadata"]["labels"] == {"app": "agent", "controller-revision-hash": "abc",
                                         "pod-template-generation": "1"}
    keys = {(t["key"], t["effect"]) for t in pod["spec"]["tolerations"]}
    assert ("node.kubernetes.io/unreachable", "NoExecute") in keys
    assert len(pod["spec"]["tolerations"]) == 6


def test_manage_creates_on_eligible_nodes_and_removes_misplaced():
    ds = make_ds({"nodeSelector": {"role": "edge"}})
    nodes = [node("a", {"role": "edge"}), node("b", {"role": "edge"}), node("c")]
    by_node = pods_by_node([pod_on(ds, "b", "h1"), pod_on(ds, "c", "h1"),
                            pod_on(ds, "gone", "h1")])  # "gone": the pod GC's job
    create, delete = plan_manage(ds, nodes, by_node, "h1", NOW)
    assert create == ["a"]
    assert [p["spec"]["nodeName"] for p in delete] == ["c"]
    status = compute_status(ds, nodes, by_node, "h1", NOW)
    assert status["desiredNumberScheduled"] == 2 and status["currentNumberScheduled"] == 1
    assert status["numberMisscheduled"] == 1 and status["numberReady"] == 1
    assert status["updatedNumberScheduled"] == 1 and status["numberUnavailable"] == 1


def test_manage_keeps_oldest_of_duplicates_and_replaces_failed():
    ds = make_ds()
    older = pod_on(ds, "a", "h1", age="2026-01-01T00:00:00Z", name="agent-old")
    newer = pod_on(ds, "a", "h1", age="2026-01-01T00:01:00Z", name="agent-new")
    failed = pod_on(ds, "b", "h1")
    failed["status"]["phase"] = "Failed"
    create, delete = plan_manage(ds, [node("a"), node("b")],
                                 pods_by_node([newer, older, failed]), "h1", NOW)
    assert sorted(p["metadata"]["name"] for p in delete) == ["agent-b-h1", "agent-new"]
    assert create == []


def test_rolling_update_respects_max_unavailable():
    ds = make_ds(rolling={"maxUnavailable": 1, "maxSurge": 0})
    nodes = [node(n) for n in "abc"]
    by_node = pods_by_node([pod_on(ds, n, "old") for n in "abc"])
    create, delete = plan_rolling_update(ds, nodes, by_node, "new", NOW)
    assert create == [] and [p["spec"]["nodeName"] for p in delete] == ["a"]
    # a's new pod is not ready yet: nothing more may go
    by_node = pods_by_node([pod_on(ds, "a", "new", ready=False)] + [pod_on(ds, n, "old") for n in "bc"])
    assert plan_rolling_update(ds, nodes, by_node, "new", NOW) == ([], [])
    # an old pod that is unavailable anyway is replaced regardless
    by_node = pods_by_node([pod_on(ds, "a", "new", ready=False), pod_on(ds, "b", "old", ready=False),
                            pod_on(ds, "c", "old")])
    assert [p["spec"]["nodeName"] for p in plan_rolling_update(ds, nodes, by_node, "new", NOW)[1]] == ["b"]
    ds = make_ds(rolling={"maxUnavailable": "50%", "maxSurge": 0})  # 50% of 3 rounds up to 2
    by_node = pods_by_node([pod_on(ds, n, "old") for n in "abc"])
    assert len(plan_rolling_update(ds, nodes, by_node, "new", NOW)[1]) == 2


def test_rolling_update_with_surge():
    ds = make_ds(rolling={"maxUnavailable": 0, "maxSurge": 1})
    nodes = [node(n) for n in "ab"]
    by_node = pods_by_node([pod_on(ds, n, "old") for n in "ab"])
    assert plan_rolling_update(ds, nodes, by_node, "new", NOW) == (["a"], [])
    by_node = pods_by_node([pod_on(ds, "a", "old"), pod_on(ds, "a", "new", ready=False),
                            pod_on(ds, "b", "old")])
    assert plan_rolling_update(ds, nodes, by_node, "new", NOW) == ([], [])
    old_a = pod_on(ds, "a", "old")
    by_node = pods_by_node([old_a, pod_on(ds, "a", "new"), pod_on(ds, "b", "old")])
    create, delete = plan_rolling_update(ds, nodes, by_node, "new", NOW)
    # a is done (its old pod goes); b may surge now: only unavailable new pods count
    assert delete == [old_a] and create == ["b"]


def test_on_delete_strategy_has_no_rolling_step():
    ds = make_ds(strategy="OnDelete")
    nodes = [node("a")]
    by_node = pods_by_node([pod_on(ds, "a", "old")])
    assert plan_manage(ds, nodes, by_node, "new", NOW) == ([], [])
