# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The scheduler's cache: a NodeInfo per node, with the pods bound to it and the pods the
scheduler has assumed there (chosen, binding in flight) so the next pod sees the room
they take without waiting for the binding to come back through the watch.

An assumed pod is confirmed when the informer shows it bound, dropped (`forget`) when
binding fails, and expires if its binding finished but the watch never confirmed it."""
from __future__ import annotations

import time
from dataclasses import dataclass

from kybernetes.scheduler.nodeinfo import NodeInfo, PodInfo
from kybernetes.scheduler.snapshot import Lookups, Snapshot, zone_interleaved

ASSUMED_POD_TTL = 15 * 60.0


@dataclass
class PodState:
    info: PodInfo
    node: str
    assumed: bool = False
    binding_finished: bool = False
    deadline: float = 0.0


class Cache:
    def __init__(self, assumed_ttl: float = ASSUMED_POD_TTL, clock=time.monotonic) -> None:
        self.nodes: dict[str, NodeInfo] = {}
        self.pods: dict[str, PodState] = {}  # uid -> state
        self.assumed_ttl = assumed_ttl
        self.clock = clock
        self.lookups = Lookups()
        self._node_list: list[NodeInfo] | None = None

    # ---------------------------------------------------------------- nodes
    def add_node(self, node: dict) -> NodeInfo:
        name = node["metadata"]["name"]
        info = self.nodes.get(name)
        if info is None:
            info = self.nodes[name] = NodeInfo(node)
            self._node_list = None
        else:
            zone_before = info.labels.get("topology.kubernetes.io/zone")
            had_node = info.node is not None
            info.set_node(node)
            if not had_node or zone_before != info.labels.get("topology.kubernetes.io/zone"):
                self._node_list = None
        return info

    update_node = add_node

    def remove_node(self, name: str) -> None:
        info = self.nodes.get(name)
        if info is None:
            return
        self._node_list = None
        if info.pods:  # pods still point at it: keep their accounting, drop the node
            info.node = None
        else:
            del self.nodes[name]

    # ---------------------------------------------------------------- pods
    def _place(self, info: PodInfo, node: str) -> None:
        target = self.nodes.get(node)
        if target is None:
            target = self.nodes[node] = NodeInfo(name=node)
        target.add_pod(info)

    def _unplace(self, uid: str, node: str) -> None:
        target = self.nodes.get(node)
        if target is not None:
            target.remove_pod(uid)
            if target.node is None and not target.pods:
                del self.nodes[node]

    def assume(self, info: PodInfo, node: str) -> None:
        if info.uid in self.pods:
            raise ValueError(f"pod {info.key} is already in the cache")
        self._place(info, node)
        self.pods[info.uid] = PodState(info, node, assumed=True)

    def finish_binding(self, uid: str) -> None:
        state = self.pods.get(uid)
        if state is not None and state.assumed:
            state.binding_finished = True
            state.deadline = self.clock() + self.assumed_ttl

    def forget(self, uid: str) -> None:
        state = self.pods.get(uid)
        if state is not None and state.assumed:
            self._unplace(uid, state.node)
            del self.pods[uid]

    def is_assumed(self, uid: str) -> bool:
        state = self.pods.get(uid)
        return state is not None and state.assumed

    def add_pod(self, pod: dict) -> None:
        """A bound pod seen by the informer (confirms an assumed one)."""
        info = PodInfo(pod)
        node = (pod.get("spec") or {}).get("nodeName")
        state = self.pods.get(info.uid)
        if state is not None:
            self._unplace(info.uid, state.node)
        self._place(info, node)
        self.pods[info.uid] = PodState(info, node)

    def update_pod(self, pod: dict) -> None:
        self.add_pod(pod)

    def remove_pod(self, pod: dict) -> None:
        uid = (pod.get("metadata") or {}).get("uid")
        state = self.pods.pop(uid, None)
        if state is not None:
            self._unplace(uid, state.node)

    def cleanup_expired(self) -> list[str]:
        now = self.clock()
        expired = [uid for uid, s in self.pods.items()
                   if s.assumed and s.binding_finished and s.deadline < now]
        for uid in expired:
            self.forget(uid)
        return expired

    # ---------------------------------------------------------------- views
    def node_list(self) -> list[NodeInfo]:
        if self._node_list is None:
            self._node_list = zone_interleaved([n for n in self.nodes.values() if n.node is not None])
        return self._node_list

    def snapshot(self) -> Snapshot:
        """The view for one attempt: valid until the caller next yields the event loop."""
        return Snapshot(self.nodes, self.node_list(), self.lookups)
