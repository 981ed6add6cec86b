# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""NodeName: a pod naming a node in spec.nodeName fits only that node."""
from __future__ import annotations

from kybernetes.scheduler.framework import SKIPPED, Plugin, unresolvable

REASON = "node(s) didn't match the requested node name"


class NodeName(Plugin):
    name = "NodeName"

    def pre_filter(self, state, pod, snapshot):
        return None if (pod.pod.get("spec") or {}).get("nodeName") else SKIPPED

    def filter(self, state, pod, node):
        wanted = (pod.pod.get("spec") or {}).get("nodeName")
        if wanted and wanted != node.name:
            return unresolvable(REASON, plugin=self.name)
        return None
