# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""NodeResourcesFit: the pod's requests (cpu, memory, ephemeral-storage, extended
resources) and one more pod must fit in what the node has left; scored by a strategy
(LeastAllocated by default, MostAllocated, RequestedToCapacityRatio).
NodeResourcesBalancedAllocation: nodes whose cpu and memory shares would stay close to
each other score higher."""
from __future__ import annotations

from kybernetes.scheduler.framework import MAX_NODE_SCORE, Plugin, unschedulable
from kybernetes.scheduler.nodeinfo import NodeInfo, PodInfo, Resource

TOO_MANY_PODS = "Too many pods"
DEFAULT_RESOURCES = [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}]


def insufficient(pod: PodInfo, node: NodeInfo, ignored: frozenset = frozenset()) -> list[str]:
    """The reasons the pod does not fit, in upstream's order (empty: it fits)."""
    reasons = []
    allocatable, used, wanted = node.allocatable, node.requested, pod.requests
    if len(node.pods) + 1 > allocatable.pods:
        reasons.append(TOO_MANY_PODS)
    if wanted.milli_cpu == 0 and wanted.memory == 0 and wanted.ephemeral_storage == 0 \
            and not wanted.scalar:
        return reasons
    if wanted.milli_cpu > 0 and wanted.milli_cpu > allocatable.milli_cpu - used.milli_cpu:
        reasons.append("Insufficient cpu")
    if wanted.memory > 0 and wanted.memory > allocatable.memory - used.memory:
        reasons.append("Insufficient memory")
    if wanted.ephemeral_storage > 0 and \
            wanted.ephemeral_storage > allocatable.ephemeral_storage - used.ephemeral_storage:
        reasons.append("Insufficient ephemeral-storage")
    for name, amount in wanted.scalar.items():
        if amount > 0 and name not in ignored and \
                amount > allocatable.scalar.get(name, 0) - used.scalar.get(name, 0):
            reasons.append(f"Insufficient {name}")
    return reasons


def _amounts(name: str, pod: PodInfo, node: NodeInfo, non_zero: bool) -> tuple[int, int]:
    """(requested on the node including the pod, allocatable) for one resource."""
    if name == "cpu":
        if non_zero:
            return node.non_zero_cpu + pod.non_zero_cpu, node.allocatable.milli_cpu
        return node.requested.milli_cpu + pod.requests.milli_cpu, node.allocatable.milli_cpu
    if name == "memory":
        if non_zero:
            return node.non_zero_memory + pod.non_zero_memory, node.allocatable.memory
        return node.requested.memory + pod.requests.memory, node.allocatable.memory
    if name == "ephemeral-storage":
        return (node.requested.ephemeral_storage + pod.requests.ephemeral_storage,
                node.allocatable.ephemeral_storage)
    return (node.requested.scalar.get(name, 0) + pod.requests.scalar.get(name, 0),
            node.allocatable.scalar.get(name, 0))


def least_allocated(requested: int, capacity: int) -> int:
    if capacity == 0 or requested > capacity:
        return 0
    return (capacity - requested) * MAX_NODE_SCORE // capacity


def most_allocated(requested: int, capacity: int) -> int:
    if capacity == 0:
        return 0
    return min(requested, capacity) * MAX_NODE_SCORE // capacity


def shape_scorer(shape: list[dict]):
    """RequestedToCapacityRatio: a piecewise-linear function of utilization (0-100) to a
    score (shape scores are 0-10, scaled to 0-100)."""
    points = sorted((p.get("utilization", 0), p.get("score", 0) * MAX_NODE_SCORE // 10) for p in shape) \
        or [(0, 0), (100, MAX_NODE_SCORE)]

    def score(requested: int, capacity: int) -> int:
        if capacity == 0:
            return points[0][1]
        utilization = min(requested * 100 // capacity, 100)
        if utilization <= points[0][0]:
            return points[0][1]
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            if utilization <= x1:
                return y0 + (y1 - y0) * (utilization - x0) // max(x1 - x0, 1)
        return points[-1][1]
    return score


class NodeResourcesFit(Plugin):
    name = "NodeResourcesFit"

    def __init__(self, args=None, handle=None) -> None:
        super().__init__(args, handle)
        strategy = self.args.get("scoringStrategy") or {}
        kind = strategy.get("type") or "LeastAllocated"
        self.resources = [(r["name"], r.get("weight") or 1)
                          for r in strategy.get("resources") or DEFAULT_RESOURCES]
        self.weight_sum = sum(w for _, w in self.resources) or 1
        self.ignored = frozenset(self.args.get("ignoredResources") or ())
        if kind == "MostAllocated":
            self.scorer = most_allocated
        elif kind == "RequestedToCapacityRatio":
            self.scorer = shape_scorer((strategy.get("requestedToCapacityRatio") or {}).get("shape") or [])
        else:
            self.scorer = least_allocated
        self.fast_default = kind == "LeastAllocated" and self.resources == [("cpu", 1), ("memory", 1)]

    def filter(self, state, pod, node):
        allocatable, used, wanted = node.allocatable, node.requested, pod.requests
        # the common case without building a list: it fits
        if len(node.pods) < allocatable.pods and not wanted.scalar \
                and wanted.milli_cpu <= allocatable.milli_cpu - used.milli_cpu \
                and wanted.memory <= allocatable.memory - used.memory \
                and wanted.ephemeral_storage <= allocatable.ephemeral_storage - used.ephemeral_storage:
            return None
        reasons = insufficient(pod, node, self.ignored)
        return unschedulable(*reasons, plugin=self.name) if reasons else None

    def score(self, state, pod, node):
        if self.fast_default:
            cpu_capacity, memory_capacity = node.allocatable.milli_cpu, node.allocatable.memory
            cpu = node.non_zero_cpu + pod.non_zero_cpu
            memory = node.non_zero_memory + pod.non_zero_memory
            cpu_score = (cpu_capacity - cpu) * 100 // cpu_capacity if 0 < cpu_capacity and cpu <= cpu_capacity else 0
            memory_score = (memory_capacity - memory) * 100 // memory_capacity \
                if 0 < memory_capacity and memory <= memory_capacity else 0
            return (cpu_score + memory_score) // 2
        total = 0
        for name, weight in self.resources:
            requested, capacity = _amounts(name, pod, node, non_zero=True)
            total += self.scorer(requested, capacity) * weight
        return total // self.weight_sum


class NodeResourcesBalancedAllocation(Plugin):
    name = "NodeResourcesBalancedAllocation"

    def __init__(self, args=None, handle=None) -> None:
        super().__init__(args, handle)
        self.resources = [r["name"] for r in self.args.get("resources") or DEFAULT_RESOURCES]

    def score(self, state, pod, node):
        fractions = []
        for name in self.resources:
            requested, capacity = _amounts(name, pod, node, non_zero=False)
            if capacity:
                fractions.append(min(requested / capacity, 1.0))
        if len(fractions) < 2:
            return MAX_NODE_SCORE
        if len(fractions) == 2:
            deviation = abs(fractions[0] - fractions[1]) / 2
        else:
            mean = sum(fractions) / len(fractions)
            deviation = (sum((f - mean) ** 2 for f in fractions) / len(fractions)) ** 0.5
        return int((1 - deviation) * MAX_NODE_SCORE)


__all__ = ["NodeResourcesFit", "NodeResourcesBalancedAllocation", "insufficient", "Resource"]
