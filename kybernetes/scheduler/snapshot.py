# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""A view of the cluster for one scheduling attempt: the node infos in scheduling order
(zones interleaved, as upstream's node tree) and the lookups plugins need.

The scheduling attempt runs without yielding the event loop, so the view may share the
cache's node infos: nothing changes them while an attempt runs."""
from __future__ import annotations

from typing import Mapping

from kybernetes.scheduler.nodeinfo import ZONE_LABEL, NodeInfo, PodInfo


class Lookups:
    """Objects other than pods and nodes, by key, as informers keep them. Empty by
    default so plugins run without a server (tests, the benchmark)."""

    def __init__(self) -> None:
        self.namespace_labels: dict[str, Mapping[str, str]] = {}
        self.claims: dict[str, dict] = {}          # ns/name -> PersistentVolumeClaim
        self.volumes: dict[str, dict] = {}         # name -> PersistentVolume
        self.storage_classes: dict[str, dict] = {}  # name -> StorageClass
        self.disruption_budgets: list[dict] = []
        self.services: list[dict] = []
        self.owners: dict[tuple[str, str, str], dict] = {}  # (kind, ns, name) -> ReplicaSet/...

    def owner_selectors(self, pod: PodInfo) -> list:
        """Selectors of the Services and controllers that select this pod (the default
        spreading groups pods by them)."""
        from kybernetes.scheduler.labels import compile_label_selector, selector_from_map
        selectors = []
        for service in self.services:
            if (service.get("metadata") or {}).get("namespace") != pod.namespace:
                continue
            selector = (service.get("spec") or {}).get("selector")
            if selector and all(pod.labels.get(k) == v for k, v in selector.items()):
                selectors.append(selector_from_map(selector))
        for ref in (pod.pod.get("metadata") or {}).get("ownerReferences") or []:
            owner = self.owners.get((ref.get("kind"), pod.namespace, ref.get("name")))
            if owner is None:
                continue
            selector = (owner.get("spec") or {}).get("selector")
            if ref.get("kind") == "ReplicationController":
                selectors.append(selector_from_map(selector or {}))
            elif selector is not None:
                selectors.append(compile_label_selector(selector))
        return selectors


def zone_interleaved(nodes: list[NodeInfo]) -> list[NodeInfo]:
    """Nodes ordered one zone at a time, round robin, so a sample spans zones."""
    zones: dict[str, list[NodeInfo]] = {}
    for node in nodes:
        zones.setdefault(node.labels.get(ZONE_LABEL, ""), []).append(node)
    if len(zones) <= 1:
        return list(nodes)
    out: list[NodeInfo] = []
    columns = list(zones.values())
    for index in range(max(len(c) for c in columns)):
        for column in columns:
            if index < len(column):
                out.append(column[index])
    return out


class Snapshot:
    def __init__(self, node_infos: dict[str, NodeInfo], node_list: list[NodeInfo] | None = None,
                 lookups: Lookups | None = None) -> None:
        self.node_infos = node_infos
        self.node_list = node_list if node_list is not None else zone_interleaved(
            [n for n in node_infos.values() if n.node is not None])
        self.lookups = lookups or Lookups()

    @classmethod
    def build(cls, nodes: list[dict], pods: list[dict] = (), lookups: Lookups | None = None) -> "Snapshot":
        """From plain objects (tests, the benchmark): pods with spec.nodeName are placed."""
        infos = {n["metadata"]["name"]: NodeInfo(n) for n in nodes}
        for pod in pods:
            node = (pod.get("spec") or {}).get("nodeName")
            if node in infos:
                infos[node].add_pod(PodInfo(pod))
        return cls(infos, lookups=lookups)

    def get(self, name: str) -> NodeInfo | None:
        return self.node_infos.get(name)

    def nodes_with_pods(self) -> list[NodeInfo]:
        return [n for n in self.node_list if n.pods]
