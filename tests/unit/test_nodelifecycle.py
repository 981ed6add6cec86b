# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Node lifecycle decisions without a server: lease age -> conditions and taints, zone
disruption, toleration matching and eviction timing, pod CIDR allocation, and the
admission defaults for tolerations and node taints."""
from __future__ import annotations

import pytest

from kybernetes.apiserver.admission_plugins.pods_tolerations import (with_default_tolerations,
                                                                       with_not_ready_taint)
from kybernetes.controllers import nodelifecycle as nl
from kybernetes.controllers.nodeipam import CIDRSet, CIDRsExhausted

T0 = 1_800_000_000.0  # an arbitrary "now"


def node(name="n1", ready="True", heartbeat=T0, created=T0 - 3600, taints=None, labels=None,
         unschedulable=False):
    conditions = [] if ready is None else [
        {"type": "Ready", "status": ready, "reason": "KubeletReady", "message": "ok",
         "lastHeartbeatTime": nl.rfc3339(heartbeat), "lastTransitionTime": nl.rfc3339(created)}]
    return {"metadata": {"name": name, "creationTimestamp": nl.rfc3339(created),
                         "labels": labels or {}},
            "spec": {"taints": taints or [], "unschedulable": unschedulable},
            "status": {"conditions": conditions}}


def lease(renewed):
    return {"spec": {"renewTime": nl.rfc3339(renewed)}}


def test_fresh_lease_keeps_node_as_it_is():
    stale_status = node(heartbeat=T0 - 600)
    assert nl.stale_conditions(stale_status, lease(T0 - 10), T0, 50) is None


def test_silent_node_goes_unknown_after_grace_period():
    n = node(heartbeat=T0 - 600)
    assert nl.stale_conditions(n, lease(T0 - 49), T0, 50) is None
    conditions = nl.stale_conditions(n, lease(T0 - 51), T0, 50)
    ready = next(c for c in conditions if c["type"] == "Ready")
    assert ready["status"] == "Unknown" and ready["reason"] == "NodeStatusUnknown"
    assert ready["message"] == "Kubelet stopped posting node status."
    assert ready["lastHeartbeatTime"] == nl.rfc3339(T0 - 600)  # the heartbeat is kept
    never = next(c for c in conditions if c["type"] == "MemoryPressure")
    assert never["reason"] == "NodeStatusNeverUpdated"
    already = {**n, "status": {"conditions": conditions}}
    assert nl.stale_conditions(already, lease(T0 - 51), T0 + 5, 50) is None  # no rewrite


def test_new_node_gets_grace_from_creation_and_startup_grace_without_status():
    young = node(heartbeat=T0 - 600, created=T0 - 30)
    assert nl.stale_conditions(young, None, T0, 50) is None
    silent = node(ready=None, created=T0 - 55)
    assert nl.stale_conditions(silent, None, T0, 50) is None  # startup grace is 60 s
    conditions = nl.stale_conditions(silent, None, T0 + 10, 50)
    assert {c["type"]: c["status"] for c in conditions}["Ready"] == "Unknown"


def test_taints_follow_conditions():
    unknown = node(ready="Unknown", taints=[{"key": "dedicated", "value": "x", "effect": "NoSchedule"}])
    taints = nl.desired_taints(unknown, T0, may_add_no_execute=True)
    keys = {(t["key"], t["effect"]) for t in taints}
    assert keys == {("dedicated", "NoSchedule"), (nl.UNREACHABLE, "NoSchedule"),
                    (nl.UNREACHABLE, "NoExecute")}
    assert all(t["timeAdded"] == nl.rfc3339(T0) for t in taints if t["key"] == nl.UNREACHABLE)
    # not ready swaps unreachable for not-ready; ready again removes them
    not_ready = {**unknown, "spec": {"taints": taints}, "status": node(ready="False")["status"]}
    swapped = nl.desired_taints(not_ready, T0 + 1, may_add_no_execute=True)
    assert {(t["key"], t["effect"]) for t in swapped} == {
        ("dedicated", "NoSchedule"), (nl.NOT_READY, "NoSchedule"), (nl.NOT_READY, "NoExecute")}
    ready = {**unknown, "spec": {"taints": swapped}, "status": node(ready="True")["status"]}
    assert nl.desired_taints(ready, T0 + 2, may_add_no_execute=True) == [
        {"key": "dedicated", "value": "x", "effect": "NoSchedule"}]


def test_existing_taint_keeps_its_time_and_held_back_no_execute():
    first = nl.desired_taints(node(ready="Unknown"), T0, may_add_no_execute=False)
    assert [(t["key"], t["effect"]) for t in first] == [(nl.UNREACHABLE, "NoSchedule")]
    later = nl.desired_taints({**node(ready="Unknown"), "spec": {"taints": first}}, T0 + 30,
                              may_add_no_execute=True)
    times = {t["effect"]: t["timeAdded"] for t in later}
    assert times == {"NoSchedule": nl.rfc3339(T0), "NoExecute": nl.rfc3339(T0 + 30)}
    # every zone down: existing NoExecute taints are lifted, as upstream
    lifted = nl.desired_taints({**node(ready="Unknown"), "spec": {"taints": later}}, T0 + 40,
                               may_add_no_execute=False, keep_no_execute=False)
    assert [t["effect"] for t in lifted] == ["NoSchedule"]


def test_unschedulable_and_pressure_taints():
    n = node(unschedulable=True)
    n["status"]["conditions"].append({"type": "DiskPressure", "status": "True"})
    keys = {t["key"] for t in nl.desired_taints(n, T0, may_add_no_execute=True)}
    assert keys == {nl.UNSCHEDULABLE, "node.kubernetes.io/disk-pressure"}


def test_zone_states_and_rates():
    assert nl.zone_state(["True", "Unknown"]) == nl.ZONE_NORMAL
    assert nl.zone_state(["Unknown", "False"]) == nl.ZONE_FULL
    assert nl.zone_state(["True", "Unknown", "Unknown", "Unknown"]) == nl.ZONE_PARTIAL
    assert nl.zone_state(["True", "True", "Unknown", "Unknown", "Unknown"]) == nl.ZONE_PARTIAL
    assert nl.zone_eviction_rate(nl.ZONE_PARTIAL, 10, False) == 0.0
    assert nl.zone_eviction_rate(nl.ZONE_PARTIAL, 100, False) == nl.SECONDARY_EVICTION_RATE
    assert nl.zone_eviction_rate(nl.ZONE_FULL, 3, False) == nl.EVICTION_RATE
    assert nl.zone_eviction_rate(nl.ZONE_FULL, 3, True) == 0.0
    paced = nl.PacedZones()
    assert paced.allow("z", 0.1, T0) and not paced.allow("z", 0.1, T0 + 5)
    assert paced.allow("other", 0.1, T0 + 5) and paced.allow("z", 0.1, T0 + 10)
    labelled = node(labels={"topology.kubernetes.io/region": "r", "topology.kubernetes.io/zone": "a"})
    assert nl.zone_of(labelled) != nl.zone_of(node())


@pytest.mark.parametrize("toleration,taint,expected", [
    ({"key": "k", "operator": "Equal", "value": "v", "effect": "NoExecute"},
     {"key": "k", "value": "v", "effect": "NoExecute"}, True),
    ({"key": "k", "value": "v"}, {"key": "k", "value": "w", "effect": "NoExecute"}, False),
    ({"key": "k", "operator": "Exists"}, {"key": "k", "value": "w", "effect": "NoSchedule"}, True),
    ({"operator": "Exists"}, {"key": "anything", "effect": "NoExecute"}, True),
    ({"key": "k", "operator": "Exists", "effect": "NoSchedule"}, {"key": "k", "effect": "NoExecute"}, False),
    ({"key": "other", "operator": "Exists"}, {"key": "k", "effect": "NoExecute"}, False),
])
def test_toleration_matching(toleration, taint, expected):
    assert nl.tolerates(toleration, taint) is expected


def pod(tolerations):
    return {"metadata": {"name": "p", "namespace": "d"}, "spec": {"nodeName": "n1",
                                                                  "tolerations": tolerations}}


UNREACHABLE_EXECUTE = {"key": nl.UNREACHABLE, "effect": "NoExecute", "timeAdded": nl.rfc3339(T0)}


def test_eviction_timing():
    assert nl.eviction_plan(pod([]), [UNREACHABLE_EXECUTE], T0 + 1).at == T0 + 1  # untolerated: now
    defaults = with_default_tolerations([])
    assert nl.eviction_plan(pod(defaults), [UNREACHABLE_EXECUTE], T0 + 1).at == T0 + 300
    short = [{"key": nl.UNREACHABLE, "operator": "Exists", "effect": "NoExecute",
              "tolerationSeconds": 5}, *defaults]
    assert nl.eviction_plan(pod(short), [UNREACHABLE_EXECUTE], T0 + 1).at == T0 + 5
    forever = [{"operator": "Exists"}]
    assert nl.eviction_plan(pod(forever), [UNREACHABLE_EXECUTE], T0 + 1).at is None
    negative = [{"key": nl.UNREACHABLE, "operator": "Exists", "tolerationSeconds": -3}]
    assert nl.eviction_plan(pod(negative), [UNREACHABLE_EXECUTE], T0 + 1).at == T0
    no_schedule_only = [{"key": "x", "effect": "NoSchedule"}]
    assert nl.eviction_plan(pod([]), no_schedule_only, T0).at is None
    second = {"key": "custom", "effect": "NoExecute", "timeAdded": nl.rfc3339(T0)}
    assert nl.eviction_plan(pod(short), [UNREACHABLE_EXECUTE, second], T0 + 1).at == T0 + 1


def test_pods_to_mark_not_ready():
    ready = {"metadata": {"name": "a"}, "status": {"phase": "Running",
                                                   "conditions": [{"type": "Ready", "status": "True"}]}}
    done = {"metadata": {"name": "b"}, "status": {"phase": "Succeeded",
                                                  "conditions": [{"type": "Ready", "status": "True"}]}}
    already = {"metadata": {"name": "c"}, "status": {"conditions": [{"type": "Ready", "status": "False"}]}}
    assert nl.pods_to_mark_not_ready([ready, done, already]) == [ready]


def test_default_tolerations_admission():
    added = with_default_tolerations([])
    assert {(t["key"], t["effect"], t["tolerationSeconds"]) for t in added} == {
        (nl.NOT_READY, "NoExecute", 300), (nl.UNREACHABLE, "NoExecute", 300)}
    own = [{"key": nl.UNREACHABLE, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 5}]
    assert [t["key"] for t in with_default_tolerations(own)] == [nl.UNREACHABLE, nl.NOT_READY]
    assert with_default_tolerations([{"operator": "Exists"}]) == [{"operator": "Exists"}]
    assert with_not_ready_taint([]) == [{"key": nl.NOT_READY, "effect": "NoSchedule"}]


def test_cidr_allocation_without_overlap_and_reuse():
    cidrs = CIDRSet("10.244.0.0/22", 24)
    assert cidrs.occupy("10.244.1.0/24")
    assert not cidrs.occupy("192.168.0.0/24") and not cidrs.occupy("10.244.0.0/25")
    got = [cidrs.allocate() for _ in range(3)]
    assert got == ["10.244.0.0/24", "10.244.2.0/24", "10.244.3.0/24"]
    with pytest.raises(CIDRsExhausted):
        cidrs.allocate()
    cidrs.release("10.244.2.0/24")
    assert cidrs.allocate() == "10.244.2.0/24"
    v6 = CIDRSet("fd00:10::/56", 64)
    assert v6.allocate() == "fd00:10::/64" and v6.allocate() == "fd00:10:0:1::/64"
