# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""InterPodAffinity: required pod affinity and anti-affinity (the incoming pod's, and
existing pods' anti-affinity against it) per topology domain; preferred terms, and the
required affinity of existing pods (hardPodAffinityWeight), score domains.

PreFilter counts, once per attempt, matching pods per (topologyKey, value); Filter then
only looks the node's labels up in those counts."""
from __future__ import annotations

from kybernetes.scheduler.framework import MAX_NODE_SCORE, SKIPPED, Plugin, unresolvable, unschedulable

AFFINITY_REASON = "node(s) didn't match pod affinity rules"
ANTI_AFFINITY_REASON = "node(s) didn't match pod anti-affinity rules"
EXISTING_ANTI_AFFINITY_REASON = "node(s) didn't satisfy existing pods anti-affinity rules"


def _bump(counts: dict, key: str, labels: dict, by: int = 1) -> None:
    """counts[topologyKey][value] += by, for the node's value of the key."""
    if key in labels:
        values = counts.setdefault(key, {})
        value = labels[key]
        values[value] = values.get(value, 0) + by


class InterPodAffinity(Plugin):
    name = "InterPodAffinity"

    def __init__(self, args=None, handle=None) -> None:
        super().__init__(args, handle)
        self.hard_pod_affinity_weight = self.args.get("hardPodAffinityWeight", 1)

    # ---------------------------------------------------------------- filter
    def pre_filter(self, state, pod, snapshot):
        namespaces = snapshot.lookups.namespace_labels
        existing_anti: dict = {}
        for node in snapshot.node_list:
            if not node.pods_with_required_anti_affinity:
                continue
            for other in node.pods_with_required_anti_affinity:
                for term in other.required_anti_affinity:
                    if term.matches(pod, namespaces):
                        _bump(existing_anti, term.topology_key, node.labels)
        affinity_counts: dict = {}
        anti_counts: dict = {}
        if pod.required_affinity or pod.required_anti_affinity:
            for node in snapshot.node_list:
                if not node.pods:
                    continue
                for other in node.pods:
                    if pod.required_affinity and all(
                            t.matches(other, namespaces) for t in pod.required_affinity):
                        for term in pod.required_affinity:
                            _bump(affinity_counts, term.topology_key, node.labels)
                    for term in pod.required_anti_affinity:
                        if term.matches(other, namespaces):
                            _bump(anti_counts, term.topology_key, node.labels)
        if not existing_anti and not pod.required_affinity and not pod.required_anti_affinity:
            return SKIPPED
        state["ipa"] = (existing_anti, affinity_counts, anti_counts,
                        # the first pod of a group that selects itself may go anywhere
                        bool(pod.required_affinity) and not affinity_counts and all(
                            t.matches(pod, namespaces) for t in pod.required_affinity))
        return None

    def filter(self, state, pod, node):
        existing_anti, affinity_counts, anti_counts, self_match = state["ipa"]
        labels = node.labels
        # upstream's order: the pod's affinity, its anti-affinity, then existing pods'
        if pod.required_affinity:
            satisfied = all(t.topology_key in labels and affinity_counts.get(
                t.topology_key, {}).get(labels[t.topology_key], 0) > 0 for t in pod.required_affinity)
            if not satisfied:
                if not (self_match and all(t.topology_key in labels for t in pod.required_affinity)):
                    return unresolvable(AFFINITY_REASON, plugin=self.name)
        for term in pod.required_anti_affinity:
            key = term.topology_key
            if key in labels and anti_counts.get(key, {}).get(labels[key], 0) > 0:
                return unschedulable(ANTI_AFFINITY_REASON, plugin=self.name)
        for key, values in existing_anti.items():
            if key in labels and values.get(labels[key], 0) > 0:
                return unschedulable(EXISTING_ANTI_AFFINITY_REASON, plugin=self.name)
        return None

    # ---------------------------------------------------------------- score
    def pre_score(self, state, pod, nodes, snapshot):
        has_preferred = bool(pod.preferred_affinity or pod.preferred_anti_affinity)
        with_affinity = [n for n in snapshot.node_list if n.pods_with_affinity]
        if not has_preferred and not with_affinity:
            return SKIPPED
        namespaces = snapshot.lookups.namespace_labels
        scores: dict = {}
        candidates = snapshot.node_list if has_preferred else with_affinity
        for node in candidates:
            others = node.pods if has_preferred else node.pods_with_affinity
            for other in others:
                # the incoming pod's preferences about existing pods
                for term in pod.preferred_affinity:
                    if term.matches(other, namespaces):
                        _bump(scores, term.topology_key, node.labels, term.weight)
                for term in pod.preferred_anti_affinity:
                    if term.matches(other, namespaces):
                        _bump(scores, term.topology_key, node.labels, -term.weight)
                # existing pods' preferences about the incoming pod
                if self.hard_pod_affinity_weight > 0:
                    for term in other.required_affinity:
                        if term.matches(pod, namespaces):
                            _bump(scores, term.topology_key, node.labels, self.hard_pod_affinity_weight)
                for term in other.preferred_affinity:
                    if term.matches(pod, namespaces):
                        _bump(scores, term.topology_key, node.labels, term.weight)
                for term in other.preferred_anti_affinity:
                    if term.matches(pod, namespaces):
                        _bump(scores, term.topology_key, node.labels, -term.weight)
        if not scores:
            return SKIPPED
        state["ipa_scores"] = scores
        return None

    def score(self, state, pod, node):
        labels = node.labels
        return sum(values.get(labels[key], 0) for key, values in state["ipa_scores"].items()
                   if key in labels)

    def normalize_score(self, state, pod, scores):
        if not scores:
            return
        low, high = min(scores), max(scores)
        spread = high - low
        for index, value in enumerate(scores):
            scores[index] = (value - low) * MAX_NODE_SCORE // spread if spread else 0
