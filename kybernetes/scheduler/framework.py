# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The scheduling framework: plugin interfaces by extension point, and one scheduling
attempt (`Framework.schedule`): PreFilter, Filter over a sample of nodes, PostFilter when
none fits, PreScore/Score/NormalizeScore, then the host with the best total (ties broken
at random, as upstream). Plugins return `None` for success and a `Status` otherwise."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

from kybernetes.scheduler.nodeinfo import NodeInfo, PodInfo

if TYPE_CHECKING:
    from kybernetes.scheduler.snapshot import Snapshot

MAX_NODE_SCORE = 100
MIN_FEASIBLE_NODES_TO_FIND = 100
MIN_FEASIBLE_NODES_PERCENTAGE = 5
DEFAULT_PERCENTAGE_OF_NODES_TO_SCORE = 0  # 0: adaptive, as upstream

# status codes
ERROR = 1
UNSCHEDULABLE = 2
UNRESOLVABLE = 3  # UnschedulableAndUnresolvable: preemption cannot help
SKIP = 4


class Status:
    __slots__ = ("code", "reasons", "plugin")

    def __init__(self, code: int, *reasons: str, plugin: str = "") -> None:
        self.code = code
        self.reasons = list(reasons)
        self.plugin = plugin

    @property
    def message(self) -> str:
        return ", ".join(self.reasons)

    def __repr__(self) -> str:
        return f"Status({self.code}, {self.reasons}, {self.plugin})"


def unschedulable(*reasons: str, plugin: str = "") -> Status:
    return Status(UNSCHEDULABLE, *reasons, plugin=plugin)


def unresolvable(*reasons: str, plugin: str = "") -> Status:
    return Status(UNRESOLVABLE, *reasons, plugin=plugin)


SKIPPED = Status(SKIP)


class CycleState(dict):
    """Per-attempt data plugins hand from PreFilter to Filter and PreScore to Score."""


class Plugin:
    """A plugin implements the extension points it has methods for. `name` is the
    upstream plugin name used in configuration."""
    name = ""

    def __init__(self, args: Mapping | None = None, handle: "Handle | None" = None) -> None:
        self.args = dict(args or {})
        self.handle = handle

    # Signatures (defined by subclasses that take part in a point):
    #   pre_filter(state, pod, snapshot) -> Status | None       (SKIPPED: leave Filter out)
    #   filter(state, pod, node_info) -> Status | None
    #   post_filter(state, pod, snapshot, node_statuses) -> (node_name | None, Status)
    #   pre_score(state, pod, nodes, snapshot) -> Status | None  (SKIPPED: leave Score out)
    #   score(state, pod, node_info) -> int
    #   normalize_score(state, pod, scores: list[int]) -> None  (in place)
    #   reserve(state, pod, node_name) / unreserve(state, pod, node_name)
    #   async pre_bind(state, pod, node_name) -> Status | None


@dataclass
class Handle:
    """What plugins may use beyond their arguments: the live lookups (claims, volumes,
    classes, namespaces, PDBs, owner selectors) the scheduler keeps from informers."""
    lookups: object = None
    client: object = None
    scheduler_name: str = "default-scheduler"
    framework: object = None  # the profile's Framework, for preemption's what-if filtering


@dataclass
class ScheduleResult:
    node: str | None = None
    evaluated: int = 0
    feasible: int = 0
    node_statuses: dict[str, Status] = field(default_factory=dict)
    pre_filter_status: Status | None = None
    post_filter_message: str = ""
    nominated_node: str | None = None
    total_nodes: int = 0

    def failure_message(self) -> str:
        return fit_error_message(self.total_nodes, self.node_statuses, self.pre_filter_status,
                                 self.post_filter_message)


def fit_error_message(total: int, statuses: Mapping[str, Status], pre_filter: Status | None,
                      post_filter_message: str) -> str:
    """The upstream wording: "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had
    untolerated taint {...}. preemption: ..." (reasons counted, then sorted as text)."""
    if pre_filter is not None and pre_filter.reasons:
        message = f"0/{total} nodes are available: {pre_filter.message}."
    else:
        message = f"0/{total} nodes are available: {histogram(statuses.values())}."
    if post_filter_message:
        message += " " + post_filter_message
    return message


def histogram(statuses) -> str:
    counts: dict[str, int] = {}
    for status in statuses:
        for reason in status.reasons:
            counts[reason] = counts.get(reason, 0) + 1
    return ", ".join(sorted(f"{count} {reason}" for reason, count in counts.items()))


def num_feasible_nodes_to_find(total: int, percentage: int = 0) -> int:
    """Upstream's sampling: all nodes under 100; else an adaptive share (50% less one
    point per 125 nodes, never under 5%) and never fewer than 100 nodes."""
    if total < MIN_FEASIBLE_NODES_TO_FIND:
        return total
    if percentage <= 0:
        percentage = max(50 - total // 125, MIN_FEASIBLE_NODES_PERCENTAGE)
    if percentage >= 100:
        return total
    return max(total * percentage // 100, MIN_FEASIBLE_NODES_TO_FIND)


class Framework:
    """One profile: the plugins enabled at each point, with score weights."""

    def __init__(self, scheduler_name: str, pre_filter: list, filter: list, post_filter: list,
                 pre_score: list, score: list[tuple[Plugin, int]], reserve: list, pre_bind: list,
                 percentage_of_nodes_to_score: int = 0, handle: Handle | None = None) -> None:
        self.scheduler_name = scheduler_name
        self.pre_filter_plugins = pre_filter
        self.filter_plugins = filter
        self.post_filter_plugins = post_filter
        self.pre_score_plugins = pre_score
        self.score_plugins = score
        self.reserve_plugins = reserve
        self.pre_bind_plugins = pre_bind
        self.percentage_of_nodes_to_score = percentage_of_nodes_to_score
        self.handle = handle or Handle(scheduler_name=scheduler_name)
        self.handle.framework = self
        self.next_start_index = 0
        self.random = random.Random()

    # ---------------------------------------------------------------- filtering
    def run_pre_filter(self, state: CycleState, pod: PodInfo, snapshot: "Snapshot") -> Status | None:
        skipped = set()
        for plugin in self.pre_filter_plugins:
            status = plugin.pre_filter(state, pod, snapshot)
            if status is None:
                continue
            if status.code == SKIP:
                skipped.add(plugin.name)
                continue
            status.plugin = status.plugin or plugin.name
            return status
        state["filters"] = [p.filter for p in self.filter_plugins if p.name not in skipped]
        return None

    def run_filters(self, state: CycleState, pod: PodInfo, node: NodeInfo) -> Status | None:
        for function in state["filters"]:
            status = function(state, pod, node)
            if status is not None:
                return status
        return None

    def filter_with_nominated(self, state: CycleState, pod: PodInfo, node: NodeInfo,
                              nominated: Mapping[str, list[PodInfo]]) -> Status | None:
        """Filters, first with the pods nominated to this node of equal or higher
        priority counted in (so a preemptor's room is kept), as upstream."""
        others = nominated.get(node.name) if nominated else None
        if others:
            extra = [p for p in others if p.uid != pod.uid and p.priority >= pod.priority]
            if extra:
                twin = node.clone()
                for info in extra:
                    twin.add_pod(info)
                status = self.run_filters(state, pod, twin)
                if status is not None:
                    return status
        return self.run_filters(state, pod, node)

    def find_feasible(self, state: CycleState, pod: PodInfo, nodes: list[NodeInfo],
                      result: ScheduleResult, nominated: Mapping[str, list[PodInfo]]) -> list[NodeInfo]:
        total = len(nodes)
        wanted = num_feasible_nodes_to_find(total, self.percentage_of_nodes_to_score)
        feasible: list[NodeInfo] = []
        statuses = result.node_statuses
        start = self.next_start_index % total if total else 0
        run_filters = self.run_filters
        checked = 0
        for offset in range(total):
            node = nodes[(start + offset) % total]
            checked += 1
            if nominated:
                status = self.filter_with_nominated(state, pod, node, nominated)
            else:
                status = run_filters(state, pod, node)
            if status is None:
                feasible.append(node)
                if len(feasible) >= wanted:
                    break
            else:
                statuses[node.name] = status
        self.next_start_index = (start + checked) % total if total else 0
        result.evaluated = checked
        return feasible

    # ---------------------------------------------------------------- scoring
    def score(self, state: CycleState, pod: PodInfo, nodes: list[NodeInfo],
              snapshot: "Snapshot") -> list[int]:
        totals = [0] * len(nodes)
        for plugin, weight in self.score_plugins:
            pre_score = getattr(plugin, "pre_score", None)
            if pre_score is not None and pre_score(state, pod, nodes, snapshot) is SKIPPED:
                continue
            function = plugin.score
            scores = [function(state, pod, node) for node in nodes]
            if hasattr(plugin, "normalize_score"):
                plugin.normalize_score(state, pod, scores)
            if weight == 1:
                totals = [a + b for a, b in zip(totals, scores)]
            else:
                totals = [a + b * weight for a, b in zip(totals, scores)]
        return totals

    def select_host(self, nodes: list[NodeInfo], totals: list[int]) -> NodeInfo:
        """The highest total; among equals each has the same chance (reservoir sampling)."""
        best = max(totals)
        chosen, seen = None, 0
        for node, total in zip(nodes, totals):
            if total == best:
                seen += 1
                if seen == 1 or self.random.randrange(seen) == 0:
                    chosen = node
        return chosen

    # ---------------------------------------------------------------- one attempt
    def schedule(self, pod: PodInfo, snapshot: "Snapshot",
                 nominated: Mapping[str, list[PodInfo]] | None = None,
                 state: CycleState | None = None, preempt: bool = True) -> ScheduleResult:
        state = state if state is not None else CycleState()
        nodes = snapshot.node_list
        result = ScheduleResult(total_nodes=len(nodes))
        if not nodes:
            result.pre_filter_status = unschedulable("no nodes available to schedule pods")
            return result
        status = self.run_pre_filter(state, pod, snapshot)
        if status is not None:
            result.pre_filter_status = status
            for node in nodes:
                result.node_statuses[node.name] = status
        else:
            feasible = self.find_feasible(state, pod, nodes, result, nominated or {})
            result.feasible = len(feasible)
            if feasible:
                if len(feasible) == 1:
                    result.node = feasible[0].name
                else:
                    totals = self.score(state, pod, feasible, snapshot)
                    result.node = self.select_host(feasible, totals).name
                return result
        if preempt:
            for plugin in self.post_filter_plugins:
                nominated_node, post_status = plugin.post_filter(
                    state, pod, snapshot, result.node_statuses)
                if post_status is not None and post_status.reasons:
                    result.post_filter_message = post_status.message
                if nominated_node:
                    result.nominated_node = nominated_node
                    break
        return result

    # ---------------------------------------------------------------- reserve
    def reserve(self, state: CycleState, pod: PodInfo, node: str) -> Status | None:
        for index, plugin in enumerate(self.reserve_plugins):
            status = plugin.reserve(state, pod, node)
            if status is not None:
                for undo in reversed(self.reserve_plugins[:index + 1]):
                    undo.unreserve(state, pod, node)
                return status
        return None

    def unreserve(self, state: CycleState, pod: PodInfo, node: str) -> None:
        for plugin in reversed(self.reserve_plugins):
            plugin.unreserve(state, pod, node)

    async def pre_bind(self, state: CycleState, pod: PodInfo, node: str) -> Status | None:
        for plugin in self.pre_bind_plugins:
            status = await plugin.pre_bind(state, pod, node)
            if status is not None:
                return status
        return None
