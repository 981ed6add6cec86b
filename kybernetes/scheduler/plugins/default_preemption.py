# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""DefaultPreemption: when no node fits, find a node where evicting lower-priority pods
makes room, choosing victims and node as upstream does.

On each node where preemption may help (its failure was not "unresolvable"): remove
every lower-priority pod; if the pod then fits, give pods back most important first
(PDB-protected ones first) while it still fits; the rest are victims. Among such nodes
pick the one with the fewest PDB violations, then the lowest highest victim priority,
the lowest priority sum, the fewest victims, the latest start of the top victims.
The decision is `select_candidate`; the scheduler then deletes the victims (with the
DisruptionTarget condition) and nominates the node."""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from kybernetes.scheduler.framework import (UNSCHEDULABLE, Plugin, Status, histogram,
                                            unschedulable)
from kybernetes.scheduler.labels import compile_label_selector
from kybernetes.scheduler.nodeinfo import NodeInfo, PodInfo

NOT_HELPFUL = "Preemption is not helpful for scheduling"
NO_VICTIMS = "No preemption victims found for incoming pod"
MIN_CANDIDATE_NODES_PERCENTAGE = 10
MIN_CANDIDATE_NODES_ABSOLUTE = 100


@dataclass
class Candidate:
    node: str
    victims: list[PodInfo] = field(default_factory=list)
    pdb_violations: int = 0


def more_important(a: PodInfo, b: PodInfo) -> bool:
    if a.priority != b.priority:
        return a.priority > b.priority
    return (a.start_time or "") < (b.start_time or "")


def _budget_state(budgets: list[dict]) -> list[list]:
    """[namespace, selector, disruptions allowed] per PodDisruptionBudget."""
    out = []
    for budget in budgets:
        selector = (budget.get("spec") or {}).get("selector")
        out.append([(budget.get("metadata") or {}).get("namespace"),
                    compile_label_selector(selector) if selector else (lambda labels: False),
                    (budget.get("status") or {}).get("disruptionsAllowed", 0)])
    return out


def split_by_budgets(victims: list[PodInfo], budgets: list[dict]) -> tuple[list[PodInfo], list[PodInfo]]:
    """(violating, non-violating): a victim violates when a budget that selects it has no
    disruption left once the victims before it are counted."""
    state = _budget_state(budgets)
    violating, fine = [], []
    for victim in victims:
        hit = False
        for entry in state:
            namespace, selector, _ = entry
            if namespace == victim.namespace and selector(victim.labels):
                entry[2] -= 1
                if entry[2] < 0:
                    hit = True
        (violating if hit else fine).append(victim)
    return violating, fine


def pick_candidate(candidates: list[Candidate]) -> Candidate | None:
    if not candidates:
        return None

    def top_priority(c: Candidate) -> int:
        return max((v.priority for v in c.victims), default=-(1 << 31))

    def earliest_top_start(c: Candidate) -> str:
        top = top_priority(c)
        return min((v.start_time or "" for v in c.victims if v.priority == top), default="")

    for key in (lambda c: c.pdb_violations, top_priority,
                lambda c: sum(v.priority for v in c.victims), lambda c: len(c.victims)):
        best = min(key(c) for c in candidates)
        candidates = [c for c in candidates if key(c) == best]
        if len(candidates) == 1:
            return candidates[0]
    latest = max(earliest_top_start(c) for c in candidates)
    return next(c for c in candidates if earliest_top_start(c) == latest)


class DefaultPreemption(Plugin):
    name = "DefaultPreemption"

    def __init__(self, args=None, handle=None) -> None:
        super().__init__(args, handle)
        self.min_percentage = self.args.get("minCandidateNodesPercentage", MIN_CANDIDATE_NODES_PERCENTAGE)
        self.min_absolute = self.args.get("minCandidateNodesAbsolute", MIN_CANDIDATE_NODES_ABSOLUTE)
        self.random = random.Random()

    def eligible(self, pod: PodInfo, snapshot) -> str:
        """Empty when the pod may preempt; else upstream's reason."""
        spec = pod.pod.get("spec") or {}
        if spec.get("preemptionPolicy") == "Never":
            return "not eligible due to preemptionPolicy=Never."
        nominated = (pod.pod.get("status") or {}).get("nominatedNodeName")
        if nominated:
            node = snapshot.get(nominated)
            if node is not None and any(p.terminating and p.priority < pod.priority for p in node.pods):
                return "not eligible due to a terminating pod on the nominated node."
        return ""

    def post_filter(self, state, pod, snapshot, node_statuses):
        reason = self.eligible(pod, snapshot)
        if reason:
            return None, unschedulable(reason, plugin=self.name)
        framework = self.handle.framework if self.handle is not None else None
        candidates, statuses = self.find_candidates(state, pod, snapshot, node_statuses, framework)
        chosen = pick_candidate(candidates)
        if chosen is None:
            total = len(snapshot.node_list)
            return None, unschedulable(
                f"preemption: 0/{total} nodes are available: {histogram(statuses.values())}.",
                plugin=self.name)
        state["preemption"] = chosen
        return chosen.node, None

    def find_candidates(self, state, pod, snapshot, node_statuses, framework):
        statuses: dict[str, Status] = {}
        potential = []
        for node in snapshot.node_list:
            status = node_statuses.get(node.name)
            if status is not None and status.code == UNSCHEDULABLE:
                potential.append(node)
            else:
                statuses[node.name] = Status(UNSCHEDULABLE, NOT_HELPFUL)
        if not potential:
            return [], statuses
        wanted = max(len(potential) * self.min_percentage // 100, self.min_absolute)
        offset = self.random.randrange(len(potential))
        candidates = []
        budgets = snapshot.lookups.disruption_budgets
        for index in range(len(potential)):
            node = potential[(offset + index) % len(potential)]
            candidate, status = self.select_victims(state, pod, node, snapshot, budgets, framework)
            if candidate is not None:
                candidates.append(candidate)
                if len(candidates) >= wanted:
                    break
            else:
                statuses[node.name] = status
        return candidates, statuses

    def select_victims(self, state, pod: PodInfo, node: NodeInfo, snapshot, budgets, framework):
        lower = [p for p in node.pods if p.priority < pod.priority]
        if not lower:
            return None, Status(UNSCHEDULABLE, NO_VICTIMS)
        twin = node.clone()
        for victim in lower:
            twin.remove_pod(victim.uid)

        def fits() -> Status | None:
            return fits_on(framework, state, pod, twin, snapshot)

        status = fits()
        if status is not None:
            return None, status
        lower.sort(key=lambda p: (-p.priority, p.start_time or ""))
        violating, fine = split_by_budgets(lower, budgets)
        victims, violations = [], 0
        for group, counts in ((violating, True), (fine, False)):
            for candidate in group:
                twin.add_pod(candidate)
                if fits() is not None:
                    twin.remove_pod(candidate.uid)
                    victims.append(candidate)
                    violations += counts
        return Candidate(node.name, victims, violations), None


def fits_on(framework, state, pod: PodInfo, node: NodeInfo, snapshot) -> Status | None:
    """The pod's filters on a changed node. Plugins whose PreFilter counted pods
    (affinity, spreading) count again on a snapshot holding the changed node."""
    if framework is None:
        return None
    if "ipa" in state or "pts" in state:
        from kybernetes.scheduler.framework import CycleState
        from kybernetes.scheduler.snapshot import Snapshot
        infos = dict(snapshot.node_infos)
        infos[node.name] = node
        changed = Snapshot(infos, [node if n.name == node.name else n for n in snapshot.node_list],
                           snapshot.lookups)
        fresh = CycleState()
        status = framework.run_pre_filter(fresh, pod, changed)
        if status is not None:
            return status
        return framework.run_filters(fresh, pod, node)
    return framework.run_filters(state, pod, node)
