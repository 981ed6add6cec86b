# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The eviction manager's pure decisions: thresholds, pressure conditions, ranking and
upstream's eviction message."""
from __future__ import annotations

from fractions import Fraction

import pytest

from kybernetes.kubelet.eviction import (DEFAULT_EVICTION_HARD, EvictionManager, Observation,
                                         PodUsage, ThresholdError, evicted_status,
                                         eviction_message, parse_duration, parse_grace_periods,
                                         parse_thresholds, pressure_rejection, rank_for_eviction,
                                         thresholds_met)
from kybernetes.kubelet.node import machine_allocatable, node_conditions

Mi = 1024 * 1024


def pod(name: str, memory_request: str | None = None, priority: int = 0, annotations=None) -> dict:
    resources = {"requests": {"memory": memory_request}} if memory_request else {}
    return {"metadata": {"name": name, "namespace": "default", "uid": f"uid-{name}",
                         "annotations": annotations or {}},
            "spec": {"priority": priority, "containers": [{"name": "c", "resources": resources}]},
            "status": {"phase": "Running", "qosClass": "Burstable" if memory_request else "BestEffort"}}


def test_default_hard_thresholds_parse_as_upstream():
    thresholds = {t.signal: t for t in parse_thresholds(DEFAULT_EVICTION_HARD)}
    assert thresholds["memory.available"].quantity == 100 * Mi
    assert thresholds["nodefs.available"].percentage == Fraction(1, 10)
    assert thresholds["nodefs.inodesFree"].percentage == Fraction(5, 100)
    assert thresholds["imagefs.available"].percentage == Fraction(15, 100)
    assert thresholds["nodefs.available"].value(1000) == 100
    assert thresholds["memory.available"].text(0) == "100Mi"


@pytest.mark.parametrize("text, message", [
    ("memory.available>1Gi", "expected SIGNAL<QUANTITY"),
    ("cpu.available<1", "unsupported eviction signal cpu.available"),
    ("memory.available<1Gi,memory.available<2Gi", "duplicate eviction threshold"),
    ("nodefs.available<150%", "must be > 0% and <= 100%"),
    ("memory.available<lots", "invalid quantity"),
])
def test_bad_thresholds_are_refused_clearly(text, message):
    with pytest.raises(ThresholdError, match=message):
        parse_thresholds(text)


def test_soft_thresholds_need_a_grace_period():
    with pytest.raises(ThresholdError, match="no grace period"):
        parse_thresholds("memory.available<1Gi", hard=False, grace_periods={})
    periods = parse_grace_periods("memory.available=1m30s")
    [soft] = parse_thresholds("memory.available<1Gi", hard=False, grace_periods=periods)
    assert soft.grace_period == 90 and not soft.hard
    assert parse_duration("5m0s") == 300 and parse_duration("500ms") == 0.5
    with pytest.raises(ThresholdError):
        parse_duration("5 minutes")


def test_thresholds_met_compares_available_to_the_threshold_of_capacity():
    thresholds = parse_thresholds("memory.available<100Mi,nodefs.available<10%")
    observed = {"memory.available": Observation(50 * Mi, 1000 * Mi),
                "nodefs.available": Observation(200, 1000)}
    assert [t.signal for t in thresholds_met(thresholds, observed)] == ["memory.available"]
    observed["nodefs.available"] = Observation(99, 1000)
    assert len(thresholds_met(thresholds, observed)) == 2


def test_ranking_usage_over_requests_then_priority_then_excess():
    pods = [pod("guaranteed-ish", "200Mi"), pod("besteffort"), pod("important", priority=1000),
            pod("hog", "10Mi")]
    usage = {"uid-guaranteed-ish": PodUsage(100 * Mi), "uid-besteffort": PodUsage(5 * Mi),
             "uid-important": PodUsage(500 * Mi), "uid-hog": PodUsage(300 * Mi)}
    ranked = [p["metadata"]["name"] for p in rank_for_eviction(pods, usage, "memory")]
    # over their requests: hog, besteffort (priority 0, hog exceeds by more), then important
    # (priority 1000); within requests last
    assert ranked == ["hog", "besteffort", "important", "guaranteed-ish"]


def test_without_usage_besteffort_goes_first_and_critical_pods_never():
    pods = [pod("burstable", "64Mi"), pod("besteffort"),
            pod("static", annotations={"kubernetes.io/config.mirror": "x"}),
            pod("critical", priority=2_000_001_000)]
    ranked = [p["metadata"]["name"] for p in rank_for_eviction(pods, {}, "memory")]
    assert ranked == ["besteffort", "burstable"]


def test_eviction_message_is_upstreams():
    [threshold] = parse_thresholds("memory.available<100Mi")
    victim = pod("x-pod")
    victim["spec"]["containers"][0]["name"] = "x"
    message = eviction_message("memory", threshold, Observation(50 * Mi, 1000 * Mi), victim,
                               PodUsage(80 * Mi, {"x": 80 * Mi}))
    assert message == ("The node was low on resource: memory. Threshold quantity: 100Mi, available: "
                       "50Mi. Container x was using 80Mi, request is 0, has larger consumption of "
                       "memory. ")
    within = pod("y", "100Mi")
    assert "Container" not in eviction_message("memory", threshold, Observation(50 * Mi, 1000 * Mi),
                                               within, PodUsage(80 * Mi, {"c": 80 * Mi}))


def observing(values: dict):
    return lambda: {signal: Observation(*pair) for signal, pair in values.items()}


def test_manager_reports_pressure_and_picks_one_victim():
    state = {"memory.available": (50 * Mi, 1000 * Mi)}
    manager = EvictionManager(parse_thresholds("memory.available<100Mi"), observing(state),
                              transition_period=300)
    decision = manager.decide(1000.0, [pod("a", "10Mi"), pod("b")], {})
    assert decision.conditions == {"MemoryPressure"}
    assert decision.victim["metadata"]["name"] == "b"
    assert decision.message.startswith("The node was low on resource: memory. Threshold quantity: "
                                       "100Mi, available: 50Mi.")
    # relieved: the condition holds for the transition period, then clears; nobody is evicted
    state["memory.available"] = (500 * Mi, 1000 * Mi)
    decision = manager.decide(1100.0, [pod("a", "10Mi")], {})
    assert decision.conditions == {"MemoryPressure"} and decision.victim is None
    assert manager.decide(1301.0, [pod("a", "10Mi")], {}).conditions == set()


def test_soft_threshold_acts_only_after_its_grace_period():
    state = {"memory.available": (50 * Mi, 1000 * Mi), "pid.available": (10, 32768)}
    thresholds = parse_thresholds("memory.available<100Mi", hard=False,
                                  grace_periods={"memory.available": 60})
    thresholds += parse_thresholds("pid.available<5")
    manager = EvictionManager(thresholds, observing(state), transition_period=0)
    first = manager.decide(0.0, [pod("a")], {})
    assert first.conditions == {"MemoryPressure"} and first.victim is None
    assert manager.decide(61.0, [pod("a")], {}).victim is not None
    state["pid.available"] = (1, 32768)
    pid = manager.decide(62.0, [pod("a")], {})
    assert pid.conditions == {"MemoryPressure", "PIDPressure"}


def test_node_conditions_under_pressure_keep_upstream_reasons():
    conditions = {c["type"]: c for c in node_conditions(10.0, None, {"MemoryPressure", "DiskPressure"})}
    assert conditions["MemoryPressure"]["status"] == "True"
    assert conditions["MemoryPressure"]["reason"] == "KubeletHasInsufficientMemory"
    assert conditions["MemoryPressure"]["message"] == "kubelet has insufficient memory available"
    assert conditions["DiskPressure"]["reason"] == "KubeletHasDiskPressure"
    assert conditions["PIDPressure"]["status"] == "False"
    assert conditions["Ready"]["status"] == "True"
    later = {c["type"]: c for c in node_conditions(20.0, list(conditions.values()), set())}
    assert later["MemoryPressure"]["status"] == "False"
    assert later["MemoryPressure"]["lastTransitionTime"] != conditions["MemoryPressure"]["lastTransitionTime"]
    assert later["Ready"]["lastTransitionTime"] == conditions["Ready"]["lastTransitionTime"]


def test_allocatable_subtracts_the_hard_thresholds():
    capacity = {"cpu": "2", "memory": "1Gi", "ephemeral-storage": "1000", "pods": "110"}
    assert machine_allocatable(capacity)["memory"] == f"{(1024 - 100) * 1024}Ki"
    assert machine_allocatable(capacity)["ephemeral-storage"] == "900"
    custom = machine_allocatable(capacity, parse_thresholds("memory.available<200Mi"))
    assert custom["memory"] == f"{(1024 - 200) * 1024}Ki" and custom["ephemeral-storage"] == "1000"


def test_evicted_status():
    status = evicted_status(pod("a"), "The node was low on resource: memory. ", "2026-01-01T00:00:00Z")
    assert status["phase"] == "Failed" and status["reason"] == "Evicted"
    assert status["qosClass"] == "BestEffort"
    [condition] = status["conditions"]
    assert condition["type"] == "DisruptionTarget" and condition["reason"] == "TerminationByKubelet"


def test_admission_under_pressure_as_upstream():
    besteffort, burstable = pod("be"), pod("bu", "10Mi")
    assert pressure_rejection(besteffort, set()) is None
    assert pressure_rejection(besteffort, {"MemoryPressure"}) == (
        "Evicted", "The node had condition: [MemoryPressure]. ")
    assert pressure_rejection(burstable, {"MemoryPressure"}) is None
    tolerant = pod("t")
    tolerant["spec"]["tolerations"] = [{"key": "node.kubernetes.io/memory-pressure",
                                        "operator": "Exists", "effect": "NoSchedule"}]
    assert pressure_rejection(tolerant, {"MemoryPressure"}) is None
    assert pressure_rejection(burstable, {"DiskPressure", "MemoryPressure"}) == (
        "Evicted", "The node had condition: [MemoryPressure DiskPressure]. ")
    assert pressure_rejection(pod("c", priority=2_000_001_000), {"PIDPressure"}) is None


def test_pod_cgroup_follows_qos():
    from kybernetes.kubelet.stats import pod_cgroup
    guaranteed = pod("g")
    guaranteed["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "1", "memory": "1Gi"}}
    guaranteed["status"] = {}
    assert pod_cgroup(guaranteed) == "kubepods/poduid-g"
    assert pod_cgroup(pod("b", "1Mi")) == "kubepods/burstable/poduid-b"
    assert pod_cgroup(pod("e")) == "kubepods/besteffort/poduid-e"


def test_condition_events_name_each_transition():
    from kybernetes.kubelet.eviction import condition_events
    assert condition_events(set(), {"MemoryPressure"}) == ["NodeHasInsufficientMemory"]
    assert condition_events({"MemoryPressure"}, {"DiskPressure"}) == [
        "NodeHasSufficientMemory", "NodeHasDiskPressure"]
    assert condition_events({"PIDPressure"}, {"PIDPressure"}) == []


def test_disk_pressure_ranks_by_storage_not_memory():
    state = {"nodefs.available": (5, 1000), "memory.available": (900 * Mi, 1000 * Mi)}
    manager = EvictionManager(parse_thresholds(DEFAULT_EVICTION_HARD), observing(state))
    memory = {"uid-a": PodUsage(500 * Mi), "uid-b": PodUsage(0)}
    storage = {"uid-a": PodUsage(0), "uid-b": PodUsage(50 * Mi)}
    decision = manager.decide(0.0, [pod("a"), pod("b")], memory, storage)
    assert decision.conditions == {"DiskPressure"} and decision.resource == "ephemeral-storage"
    assert decision.victim["metadata"]["name"] == "b"
    assert decision.message.startswith("The node was low on resource: ephemeral-storage. "
                                       "Threshold quantity: 100, available: 5.")
