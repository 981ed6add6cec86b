# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""PodTopologySpread: topologySpreadConstraints. DoNotSchedule constraints filter nodes
whose domain would exceed maxSkew over the least-loaded eligible domain (taken as 0
while fewer than minDomains domains exist); ScheduleAnyway constraints, and the cluster
defaults (hostname maxSkew 3, zone maxSkew 5) for pods a Service or controller selects,
score emptier domains higher."""
from __future__ import annotations

import math

from kybernetes.scheduler.framework import MAX_NODE_SCORE, SKIPPED, Plugin, unresolvable, unschedulable
from kybernetes.scheduler.labels import compile_label_selector
from kybernetes.scheduler.nodeinfo import HOSTNAME_LABEL, ZONE_LABEL
from kybernetes.scheduler.plugins.node_affinity import required_node_matcher

SKEW_REASON = "node(s) didn't match pod topology spread constraints"
MISSING_LABEL_REASON = "node(s) didn't match pod topology spread constraints (missing required label)"
SYSTEM_DEFAULT_CONSTRAINTS = [
    {"topologyKey": HOSTNAME_LABEL, "whenUnsatisfiable": "ScheduleAnyway", "maxSkew": 3},
    {"topologyKey": ZONE_LABEL, "whenUnsatisfiable": "ScheduleAnyway", "maxSkew": 5},
]


class Constraint:
    __slots__ = ("key", "max_skew", "min_domains", "selector", "hard", "honor_affinity", "honor_taints")

    def __init__(self, key, max_skew, min_domains, selector, hard, honor_affinity, honor_taints):
        self.key, self.max_skew, self.min_domains = key, max_skew, min_domains
        self.selector, self.hard = selector, hard
        self.honor_affinity, self.honor_taints = honor_affinity, honor_taints


def pod_constraints(pod, hard: bool, defaults: list[dict], lookups) -> list[Constraint]:
    spec = pod.pod.get("spec") or {}
    wanted = "DoNotSchedule" if hard else "ScheduleAnyway"
    declared = spec.get("topologySpreadConstraints") or []
    out = []
    for item in declared:
        if (item.get("whenUnsatisfiable") or "DoNotSchedule") != wanted:
            continue
        selector = item.get("labelSelector")
        keys = [k for k in item.get("matchLabelKeys") or [] if k in pod.labels]
        if keys and selector is not None:
            selector = dict(selector, matchExpressions=list(selector.get("matchExpressions") or []) + [
                {"key": k, "operator": "In", "values": [pod.labels[k]]} for k in keys])
        out.append(Constraint(item.get("topologyKey") or "", item.get("maxSkew") or 1,
                              item.get("minDomains") or 1, compile_label_selector(selector), hard,
                              (item.get("nodeAffinityPolicy") or "Honor") == "Honor",
                              (item.get("nodeTaintsPolicy") or "Ignore") == "Honor"))
    if declared or not defaults:
        return out
    # no constraints of its own: the defaults apply, with the pod's owners' selectors
    selectors = lookups.owner_selectors(pod) if lookups is not None else []
    if not selectors:
        return out
    def combined(labels, selectors=selectors):
        return all(s(labels) for s in selectors)
    for item in defaults:
        if (item.get("whenUnsatisfiable") or "DoNotSchedule") == wanted:
            out.append(Constraint(item["topologyKey"], item.get("maxSkew") or 1, 1, combined, hard,
                                  True, False))
    return out


def _eligible(node, pod, constraints, affinity) -> bool:
    from kybernetes.scheduler.labels import first_untolerated
    labels = node.labels
    for constraint in constraints:
        if constraint.key not in labels:
            return False
    if any(c.honor_affinity for c in constraints) and affinity is not None and \
            not affinity(labels, node.name):
        return False
    if any(c.honor_taints for c in constraints) and node.taints and first_untolerated(
            node.taints, (pod.pod.get("spec") or {}).get("tolerations") or [],
            ("NoSchedule", "NoExecute")) is not None:
        return False
    return True


def _count(constraint, pod, node) -> int:
    return sum(1 for other in node.pods if other.namespace == pod.namespace and
               not other.terminating and constraint.selector(other.labels))


class PodTopologySpread(Plugin):
    name = "PodTopologySpread"

    def __init__(self, args=None, handle=None) -> None:
        super().__init__(args, handle)
        if (self.args.get("defaultingType") or "System") == "List":
            self.defaults = self.args.get("defaultConstraints") or []
        else:
            self.defaults = SYSTEM_DEFAULT_CONSTRAINTS

    # ---------------------------------------------------------------- filter
    def pre_filter(self, state, pod, snapshot):
        constraints = pod_constraints(pod, True, self.defaults, snapshot.lookups)
        if not constraints:
            return SKIPPED
        affinity = required_node_matcher(pod.pod.get("spec") or {})
        counts = [dict() for _ in constraints]
        for node in snapshot.node_list:
            if not _eligible(node, pod, constraints, affinity):
                continue
            for index, constraint in enumerate(constraints):
                value = node.labels[constraint.key]
                counts[index][value] = counts[index].get(value, 0) + _count(constraint, pod, node)
        minimums = []
        for index, constraint in enumerate(constraints):
            domains = counts[index]
            if len(domains) < constraint.min_domains or not domains:
                minimums.append(0)
            else:
                minimums.append(min(domains.values()))
        self_matches = [1 if c.selector(pod.labels) else 0 for c in constraints]
        state["pts"] = (constraints, counts, minimums, self_matches)
        return None

    def filter(self, state, pod, node):
        constraints, counts, minimums, self_matches = state["pts"]
        labels = node.labels
        for index, constraint in enumerate(constraints):
            value = labels.get(constraint.key)
            if value is None:
                return unresolvable(MISSING_LABEL_REASON, plugin=self.name)
            skew = counts[index].get(value, 0) + self_matches[index] - minimums[index]
            if skew > constraint.max_skew:
                return unschedulable(SKEW_REASON, plugin=self.name)
        return None

    # ---------------------------------------------------------------- score
    def pre_score(self, state, pod, nodes, snapshot):
        constraints = pod_constraints(pod, False, self.defaults, snapshot.lookups)
        if not constraints:
            return SKIPPED
        affinity = required_node_matcher(pod.pod.get("spec") or {})
        counts = [dict() for _ in constraints]
        feasible = {n.name for n in nodes}
        for node in snapshot.node_list:
            if not _eligible(node, pod, constraints, affinity):
                continue
            for index, constraint in enumerate(constraints):
                # per-node domains only matter on the nodes being scored
                if constraint.key == HOSTNAME_LABEL and node.name not in feasible:
                    continue
                value = node.labels[constraint.key]
                counts[index][value] = counts[index].get(value, 0) + _count(constraint, pod, node)
        weights = [math.log(len(c) + 2) for c in counts]
        state["pts_score"] = (constraints, counts, weights)
        return None

    def score(self, state, pod, node):
        constraints, counts, weights = state["pts_score"]
        total = 0.0
        for index, constraint in enumerate(constraints):
            value = node.labels.get(constraint.key)
            if value is None:
                continue
            total += counts[index].get(value, 0) * weights[index] + (constraint.max_skew - 1)
        return round(total)

    def normalize_score(self, state, pod, scores):
        if not scores:
            return
        high, low = max(scores), min(scores)
        for index, value in enumerate(scores):
            scores[index] = MAX_NODE_SCORE if high == 0 else \
                MAX_NODE_SCORE * (high + low - value) // high
