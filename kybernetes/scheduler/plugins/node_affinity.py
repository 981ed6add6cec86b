# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""NodeAffinity: spec.nodeSelector and required node affinity filter nodes; preferred
node affinity terms add their weights to the nodes they match."""
from __future__ import annotations

from kybernetes.scheduler.framework import MAX_NODE_SCORE, SKIPPED, Plugin, unresolvable
from kybernetes.scheduler.labels import compile_node_selector, compile_node_selector_term

REASON = "node(s) didn't match Pod's node affinity/selector"


def required_node_matcher(pod_spec: dict):
    """(labels, node name) -> bool for nodeSelector AND required node affinity, or None
    when the pod has neither."""
    selector = pod_spec.get("nodeSelector") or {}
    required = compile_node_selector(
        (((pod_spec.get("affinity") or {}).get("nodeAffinity") or {})
         .get("requiredDuringSchedulingIgnoredDuringExecution")))
    if not selector and required is None:
        return None
    items = tuple(selector.items())

    def matches(labels, name) -> bool:
        for key, value in items:
            if labels.get(key) != value:
                return False
        return required is None or required(labels, name)
    return matches


class NodeAffinity(Plugin):
    name = "NodeAffinity"

    def pre_filter(self, state, pod, snapshot):
        matcher = required_node_matcher(pod.pod.get("spec") or {})
        if matcher is None:
            return SKIPPED
        state["node_affinity"] = matcher
        return None

    def filter(self, state, pod, node):
        if state["node_affinity"](node.labels, node.name):
            return None
        return unresolvable(REASON, plugin=self.name)

    def pre_score(self, state, pod, nodes, snapshot):
        preferred = (((pod.pod.get("spec") or {}).get("affinity") or {}).get("nodeAffinity") or {}).get(
            "preferredDuringSchedulingIgnoredDuringExecution") or []
        terms = [(compile_node_selector_term(p.get("preference") or {}), p.get("weight") or 0)
                 for p in preferred if p.get("weight")]
        if not terms:
            return SKIPPED
        state["preferred_node_terms"] = terms
        return None

    def score(self, state, pod, node):
        return sum(weight for term, weight in state["preferred_node_terms"]
                   if term(node.labels, node.name))

    def normalize_score(self, state, pod, scores):
        highest = max(scores) if scores else 0
        if highest > 0:
            for index, value in enumerate(scores):
                scores[index] = value * MAX_NODE_SCORE // highest
