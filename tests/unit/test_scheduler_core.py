# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The queue (order, back-off, parking), the cache (assumed pods), the failure message,
node sampling, preemption's choices, configuration and the Priority admission rules."""
from __future__ import annotations

import pytest

from kybernetes.apiserver.admission_plugins.priority import resolve
from kybernetes.scheduler.cache import Cache
from kybernetes.scheduler.config import (ConfigError, build_framework, default_framework,
                                         parse_config, plugin_sets)
from kybernetes.scheduler.framework import (UNSCHEDULABLE, CycleState, Status, fit_error_message,
                                            num_feasible_nodes_to_find, unresolvable)
from kybernetes.scheduler.nodeinfo import PodInfo
from kybernetes.scheduler.plugins.default_preemption import Candidate, pick_candidate
from kybernetes.scheduler.queue import SchedulingQueue, backoff_duration
from kybernetes.scheduler.snapshot import Lookups, Snapshot
from tests.unit.scheduler_fixtures import make_node, make_pod


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# ---------------------------------------------------------------- queue
def test_queue_pops_by_priority_then_age():
    clock = Clock()
    queue = SchedulingQueue(clock=clock)
    for name, priority in (("low", 0), ("high", 100), ("low2", 0), ("mid", 50)):
        queue.add(PodInfo(make_pod(name, priority=priority)))
        clock.now += 1
    assert [queue.pop_nowait().info.name for _ in range(4)] == ["high", "mid", "low", "low2"]
    assert queue.pop_nowait() is None


def test_backoff_doubles_to_ten_seconds():
    assert [backoff_duration(n) for n in range(1, 7)] == [1, 2, 4, 8, 10, 10]


def test_unschedulable_pods_wait_for_an_event_then_back_off():
    clock = Clock()
    queue = SchedulingQueue(clock=clock)
    queue.add(PodInfo(make_pod("p")))
    qp = queue.pop_nowait()
    queue.add_unschedulable(qp, queue.scheduling_cycle)
    assert queue.pop_nowait() is None and len(queue.unschedulable) == 1
    queue.move_all_to_active_or_backoff("NodeAdd")
    assert queue.pop_nowait() is None and len(queue.backoff) == 1  # still backing off (1 s)
    clock.now += 1.01
    assert queue.pop_nowait().info.name == "p"
    # second failure: 2 s of back-off
    queue.add_unschedulable(queue.in_flight[qp.info.uid], queue.scheduling_cycle)
    queue.move_all_to_active_or_backoff("NodeAdd")
    clock.now += 1.5
    assert queue.pop_nowait() is None
    clock.now += 0.6
    assert queue.pop_nowait() is not None


def test_a_move_during_the_attempt_sends_the_pod_to_backoff():
    clock = Clock()
    queue = SchedulingQueue(clock=clock)
    queue.add(PodInfo(make_pod("p")))
    qp = queue.pop_nowait()
    cycle = queue.scheduling_cycle
    queue.move_all_to_active_or_backoff("NodeAdd")  # a node came while we were trying
    queue.add_unschedulable(qp, cycle)
    assert not queue.unschedulable and len(queue.backoff) == 1


def test_leftover_unschedulable_pods_return_after_five_minutes():
    clock = Clock()
    queue = SchedulingQueue(clock=clock)
    queue.add(PodInfo(make_pod("p")))
    queue.add_unschedulable(queue.pop_nowait(), queue.scheduling_cycle)
    clock.now += 301
    queue.flush_unschedulable_leftover()
    assert queue.pop_nowait().info.name == "p"


def test_spec_update_unparks_a_pod():
    queue = SchedulingQueue(clock=Clock())
    pod = make_pod("p")
    queue.add(PodInfo(pod))
    queue.add_unschedulable(queue.pop_nowait(), queue.scheduling_cycle)
    queue.update(PodInfo(pod), may_help=False)
    assert len(queue.unschedulable) == 1
    queue.update(PodInfo(pod), may_help=True)
    assert not queue.unschedulable


# ---------------------------------------------------------------- cache
def test_assumed_pods_take_room_until_forgotten_or_expired():
    clock = Clock()
    cache = Cache(assumed_ttl=30, clock=clock)
    cache.add_node(make_node("n", cpu="1"))
    framework = default_framework()
    first = PodInfo(make_pod("first", cpu="800m"))
    assert framework.schedule(first, cache.snapshot()).node == "n"
    cache.assume(first, "n")
    second = PodInfo(make_pod("second", cpu="800m"))
    assert framework.schedule(second, cache.snapshot(), preempt=False).node is None
    cache.forget(first.uid)
    assert framework.schedule(second, cache.snapshot()).node == "n"
    cache.assume(first, "n")
    cache.finish_binding(first.uid)
    clock.now += 31
    assert cache.cleanup_expired() == [first.uid]
    assert cache.nodes["n"].requested.milli_cpu == 0
    # confirmed by the informer: no longer assumed, never expires
    cache.assume(first, "n")
    cache.add_pod(dict(first.pod, spec=dict(first.pod["spec"], nodeName="n")))
    assert not cache.is_assumed(first.uid) and cache.nodes["n"].requested.milli_cpu == 800


# ---------------------------------------------------------------- failure message, sampling
def test_failure_message_counts_and_sorts_reasons():
    taint = "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"
    statuses = {"a": Status(UNSCHEDULABLE, "Insufficient cpu"), "b": unresolvable(taint),
                "c": unresolvable(taint)}
    message = fit_error_message(3, statuses, None, "preemption: 0/3 nodes are available: "
                                "3 Preemption is not helpful for scheduling.")
    assert message == ("0/3 nodes are available: 1 Insufficient cpu, 2 " + taint +
                       ". preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.")
    snapshot = Snapshot.build([make_node("a", cpu="1"),
                               make_node("b", taints=[{"key": "node-role.kubernetes.io/control-plane",
                                                       "effect": "NoSchedule"}]),
                               make_node("c", taints=[{"key": "node-role.kubernetes.io/control-plane",
                                                       "effect": "NoSchedule"}])])
    result = default_framework().schedule(PodInfo(make_pod(cpu="2")), snapshot)
    assert result.failure_message() == (
        "0/3 nodes are available: 1 Insufficient cpu, 2 " + taint + ". preemption: 0/3 nodes are "
        "available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful "
        "for scheduling.")


def test_sampling_as_upstream():
    assert num_feasible_nodes_to_find(50) == 50
    assert num_feasible_nodes_to_find(100) == 100     # 50 %, but never under 100
    assert num_feasible_nodes_to_find(1000) == 420   # 50 - 1000/125 = 42 %
    assert num_feasible_nodes_to_find(5000) == 500   # 10 %
    assert num_feasible_nodes_to_find(10000) == 500  # floor of 5 %
    assert num_feasible_nodes_to_find(1000, 100) == 1000


# ---------------------------------------------------------------- preemption
def test_preemption_takes_the_fewest_lowest_victims():
    nodes = [make_node("a", cpu="2"), make_node("b", cpu="2")]
    pods = [make_pod("a-low", cpu="1", priority=10, node="a"),
            make_pod("a-mid", cpu="1", priority=50, node="a"),
            make_pod("b-low1", cpu="1", priority=10, node="b"),
            make_pod("b-low2", cpu="1", priority=20, node="b")]
    snapshot = Snapshot.build(nodes, pods)
    framework = default_framework()
    state = CycleState()
    result = framework.schedule(PodInfo(make_pod("vip", cpu="1", priority=100)), snapshot, state=state)
    # one victim is enough on either node; on a the victim has priority 10, on b 10 too,
    # then the lower priority sum decides between {a-low} (10) and {b-low1} (10): a tie, then
    # the fewest victims: a tie; both fine, but never the mid-priority pod
    assert result.nominated_node in ("a", "b")
    victims = [v.name for v in state["preemption"].victims]
    assert victims in (["a-low"], ["b-low1"])


def test_preemption_respects_pdbs_and_priority():
    lookups = Lookups()
    lookups.disruption_budgets = [{"metadata": {"namespace": "default"},
                                   "spec": {"selector": {"matchLabels": {"app": "guarded"}}},
                                   "status": {"disruptionsAllowed": 0}}]
    nodes = [make_node("a", cpu="1"), make_node("b", cpu="1")]
    pods = [make_pod("guarded", cpu="1", priority=1, node="a", labels={"app": "guarded"}),
            make_pod("free", cpu="1", priority=5, node="b")]
    snapshot = Snapshot.build(nodes, pods, lookups)
    state = CycleState()
    result = default_framework().schedule(PodInfo(make_pod(cpu="1", priority=10)), snapshot, state=state)
    assert result.nominated_node == "b"
    # nothing of lower priority: no victims
    state = CycleState()
    result = default_framework().schedule(PodInfo(make_pod(cpu="1", priority=1)), snapshot, state=state)
    assert result.nominated_node is None
    assert "No preemption victims found for incoming pod" in result.failure_message()
    never = make_pod(cpu="1", priority=10, preemptionPolicy="Never")
    result = default_framework().schedule(PodInfo(never), snapshot)
    assert result.nominated_node is None
    assert result.failure_message().endswith("not eligible due to preemptionPolicy=Never.")


def test_pick_candidate_order():
    def victims(*priorities):
        return [PodInfo(make_pod(priority=p)) for p in priorities]
    assert pick_candidate([Candidate("x", victims(1), 1), Candidate("y", victims(5, 5), 0)]).node == "y"
    assert pick_candidate([Candidate("x", victims(9)), Candidate("y", victims(3, 3))]).node == "y"
    assert pick_candidate([Candidate("x", victims(3, 3)), Candidate("y", victims(3, 1))]).node == "y"
    assert pick_candidate([Candidate("x", victims(3, 1, 1)), Candidate("y", victims(3, 2))]).node == "y"


# ---------------------------------------------------------------- configuration
def test_config_profiles_plugins_and_weights():
    config = parse_config({
        "apiVersion": "kubescheduler.config.k8s.io/v1", "kind": "KubeSchedulerConfiguration",
        "clientConnection": {"kubeconfig": "/var/lib/kubernetes/kube-scheduler.kubeconfig"},
        "leaderElection": {"leaderElect": False},
        "profiles": [
            {"schedulerName": "default-scheduler",
             "plugins": {"score": {"disabled": [{"name": "NodeResourcesBalancedAllocation"}],
                                   "enabled": [{"name": "NodeAffinity", "weight": 7}]}},
             "pluginConfig": [{"name": "NodeResourcesFit", "args": {
                 "scoringStrategy": {"type": "MostAllocated"}}}]},
            {"schedulerName": "no-scoring", "plugins": {"multiPoint": {"disabled": [{"name": "*"}],
                                                        "enabled": [{"name": "NodeResourcesFit"}]}}}]})
    assert config.kubeconfig == "/var/lib/kubernetes/kube-scheduler.kubeconfig"
    assert config.leader_elect is False
    sets = plugin_sets(config.profiles[0])
    scores = dict(sets["score"])
    assert "NodeResourcesBalancedAllocation" not in scores and scores["NodeAffinity"] == 7
    assert scores["TaintToleration"] == 3
    framework = build_framework(config.profiles[0])
    fit = next(p for p in framework.filter_plugins if p.name == "NodeResourcesFit")
    assert fit.scorer.__name__ == "most_allocated"
    bare = plugin_sets(config.profiles[1])
    assert [n for n, _ in bare["filter"]] == ["NodeResourcesFit"]


def test_config_refuses_old_versions_and_unknown_plugins():
    with pytest.raises(ConfigError) as error:
        parse_config({"apiVersion": "componentconfig/v1alpha1", "kind": "KubeSchedulerConfiguration",
                      "clientConnection": {"kubeconfig": "x"}})
    assert "componentconfig/v1alpha1" in str(error.value)
    assert "kubescheduler.config.k8s.io/v1" in str(error.value)
    with pytest.raises(ConfigError, match='plugin "Nope" does not exist'):
        parse_config({"apiVersion": "kubescheduler.config.k8s.io/v1", "kind": "KubeSchedulerConfiguration",
                      "profiles": [{"plugins": {"filter": {"enabled": [{"name": "Nope"}]}}}]})
    with pytest.raises(ConfigError, match="Duplicate"):
        parse_config({"apiVersion": "kubescheduler.config.k8s.io/v1", "kind": "KubeSchedulerConfiguration",
                      "profiles": [{"schedulerName": "a"}, {"schedulerName": "a"}]})


# ---------------------------------------------------------------- Priority admission
def test_priority_resolution():
    classes = [{"metadata": {"name": "high"}, "value": 1000},
               {"metadata": {"name": "base"}, "value": 10, "globalDefault": True,
                "preemptionPolicy": "Never"},
               {"metadata": {"name": "base2"}, "value": 20, "globalDefault": True}]
    assert resolve({"spec": {"priorityClassName": "high"}}, classes) == (1000, "PreemptLowerPriority", None)
    assert resolve({"spec": {}}, classes) == (10, "Never", None)  # the lowest default
    assert resolve({"spec": {}}, []) == (0, "PreemptLowerPriority", None)
    _, _, problem = resolve({"spec": {"priorityClassName": "nope"}}, classes)
    assert problem == "no PriorityClass with name nope was found"
    _, _, problem = resolve({"spec": {"priorityClassName": "high", "priority": 5}}, classes)
    assert problem.startswith("the integer value of priority (5) must not be provided in pod spec")
