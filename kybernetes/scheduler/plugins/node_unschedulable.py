# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods that tolerate
the node.kubernetes.io/unschedulable:NoSchedule taint."""
from __future__ import annotations

from kybernetes.scheduler.framework import Plugin, unresolvable
from kybernetes.scheduler.labels import tolerates

REASON = "node(s) were unschedulable"
UNSCHEDULABLE_TAINT = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}


class NodeUnschedulable(Plugin):
    name = "NodeUnschedulable"

    def filter(self, state, pod, node):
        if not node.unschedulable:
            return None
        if tolerates((pod.pod.get("spec") or {}).get("tolerations") or [], UNSCHEDULABLE_TAINT):
            return None
        return unresolvable(REASON, plugin=self.name)
