# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""TaintToleration: NoSchedule and NoExecute taints must be tolerated; nodes with fewer
untolerated PreferNoSchedule taints score higher."""
from __future__ import annotations

from kybernetes.scheduler.framework import MAX_NODE_SCORE, Plugin, unresolvable
from kybernetes.scheduler.labels import first_untolerated, tolerates

HARD_EFFECTS = ("NoSchedule", "NoExecute")


def untolerated_reason(taint: dict) -> str:
    return f"node(s) had untolerated taint {{{taint.get('key', '')}: {taint.get('value', '')}}}"


class TaintToleration(Plugin):
    name = "TaintToleration"

    def filter(self, state, pod, node):
        if not node.taints:
            return None
        tolerations = (pod.pod.get("spec") or {}).get("tolerations") or []
        taint = first_untolerated(node.taints, tolerations, HARD_EFFECTS)
        if taint is None:
            return None
        return unresolvable(untolerated_reason(taint), plugin=self.name)

    def pre_score(self, state, pod, nodes, snapshot):
        tolerations = (pod.pod.get("spec") or {}).get("tolerations") or []
        state["prefer_tolerations"] = [t for t in tolerations
                                       if not t.get("effect") or t.get("effect") == "PreferNoSchedule"]
        return None

    def score(self, state, pod, node):
        if not node.taints:
            return 0
        tolerations = state["prefer_tolerations"]
        return sum(1 for taint in node.taints if taint.get("effect") == "PreferNoSchedule"
                   and not tolerates(tolerations, taint))

    def normalize_score(self, state, pod, scores):
        # fewer intolerable taints is better: reverse the scale
        highest = max(scores) if scores else 0
        for index, value in enumerate(scores):
            scores[index] = MAX_NODE_SCORE if highest == 0 else \
                MAX_NODE_SCORE - value * MAX_NODE_SCORE // highest
