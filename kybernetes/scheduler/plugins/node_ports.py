# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""NodePorts: a pod's hostPorts must be free on the node (same protocol and port, and
the same address or either side on 0.0.0.0)."""
from __future__ import annotations

from kybernetes.scheduler.framework import SKIPPED, Plugin, unschedulable

REASON = "node(s) didn't have free ports for the requested pod ports"
ANY = "0.0.0.0"


def ports_conflict(wanted: list[tuple[str, str, int]], used: dict[tuple[str, int], list[str]]) -> bool:
    for protocol, ip, port in wanted:
        taken = used.get((protocol, port))
        if taken and (ip == ANY or ANY in taken or ip in taken):
            return True
    return False


class NodePorts(Plugin):
    name = "NodePorts"

    def pre_filter(self, state, pod, snapshot):
        return None if pod.host_ports else SKIPPED

    def filter(self, state, pod, node):
        if pod.host_ports and ports_conflict(pod.host_ports, node.used_ports):
            return unschedulable(REASON, plugin=self.name)
        return None
