# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Pod garbage collection, every 20 s as upstream: terminated pods beyond
--terminated-pod-gc-threshold (oldest first), pods bound to a node that no longer exists
(after a 40 s quarantine and a live check), terminating pods that were never scheduled,
and terminating pods on a NotReady node tainted out-of-service. Orphaned pods are marked
Failed with a DisruptionTarget condition before they are force-deleted. Terminating pods
on merely unreachable nodes belong to node lifecycle, not here."""
from __future__ import annotations

import asyncio
import time

from kybernetes.apiserver.errors import ApiError
from kybernetes.client.rest import resource
from kybernetes.controllers.base import Controller

PODS = resource("pods")
NODES = resource("nodes")
GC_CHECK_PERIOD = 20.0
QUARANTINE_SECONDS = 40.0
OUT_OF_SERVICE_TAINT = "node.kubernetes.io/out-of-service"


def terminated(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def terminated_pods_to_delete(pods: list[dict], threshold: int) -> list[dict]:
    """The oldest terminated pods beyond `threshold` (0 or less turns this off); evicted
    pods go first, as upstream orders them."""
    if threshold <= 0:
        return []
    done = [p for p in pods if terminated(p) and not p["metadata"].get("deletionTimestamp")]
    excess = len(done) - threshold
    if excess <= 0:
        return []
    done.sort(key=lambda p: ((p.get("status") or {}).get("reason") != "Evicted",
                             p["metadata"].get("creationTimestamp", ""), p["metadata"]["name"]))
    return done[:excess]


def orphaned_pods(pods: list[dict], node_names: set[str]) -> list[dict]:
    """Pods bound to a node that the node informer does not know."""
    return [p for p in pods if (p.get("spec") or {}).get("nodeName")
            and p["spec"]["nodeName"] not in node_names]


def unscheduled_terminating_pods(pods: list[dict]) -> list[dict]:
    return [p for p in pods if p["metadata"].get("deletionTimestamp")
            and not (p.get("spec") or {}).get("nodeName")]


def node_ready(node: dict) -> bool:
    for condition in (node.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready":
            return condition.get("status") == "True"
    return False


def out_of_service_terminating_pods(pods: list[dict], nodes: dict[str, dict]) -> list[dict]:
    """Terminating pods on NotReady nodes that carry the out-of-service taint."""
    gone = {name for name, node in nodes.items() if not node_ready(node) and any(
        t.get("key") == OUT_OF_SERVICE_TAINT for t in (node.get("spec") or {}).get("taints") or [])}
    return [p for p in pods if p["metadata"].get("deletionTimestamp")
            and (p.get("spec") or {}).get("nodeName") in gone]


def orphan_status_patch(pod: dict, now: str) -> dict:
    """Failed, with the DisruptionTarget condition upstream adds before deleting."""
    conditions = [c for c in (pod.get("status") or {}).get("conditions") or []
                  if c.get("type") != "DisruptionTarget"]
    conditions.append({"type": "DisruptionTarget", "status": "True", "lastTransitionTime": now,
                       "reason": "DeletionByPodGC", "message": "PodGC: node no longer exists"})
    status: dict = {"conditions": conditions}
    if not terminated(pod):
        status["phase"] = "Failed"
    return {"status": status}


class PodGCController(Controller):
    name = "podgc"

    def setup(self) -> None:
        self.pods = self.informer(PODS)
        self.nodes = self.informer(NODES)
        self.missing_since: dict[str, float] = {}  # node name -> first seen missing

    async def reconcile(self, key: str) -> None:  # periodic, not queue-driven
        return None

    async def run(self) -> None:
        while True:
            await asyncio.sleep(GC_CHECK_PERIOD)
            try:
                await self.collect()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.log.warning("pod garbage collection: %s", exc)

    async def collect(self) -> None:
        pods = self.pods.list()
        for pod in terminated_pods_to_delete(pods, self.options.terminated_pod_gc_threshold):
            await self.force_delete(pod)
        await self.collect_orphans(pods)
        for pod in unscheduled_terminating_pods(pods):
            await self.force_delete(pod)
        for pod in out_of_service_terminating_pods(pods, self.nodes.store):
            await self.force_delete(pod)

    async def collect_orphans(self, pods: list[dict]) -> None:
        now = time.monotonic()
        known = set(self.nodes.store)
        orphans = orphaned_pods(pods, known)
        missing = {p["spec"]["nodeName"] for p in orphans}
        for name in list(self.missing_since):
            if name not in missing:
                del self.missing_since[name]
        deleted_nodes = set()
        for name in missing:
            first = self.missing_since.setdefault(name, now)
            if now - first < QUARANTINE_SECONDS:
                continue
            if await self.client.get_or_none(NODES, name) is None:
                deleted_nodes.add(name)
        from kybernetes.apiserver.objects import now_rfc3339
        for pod in orphans:
            if pod["spec"]["nodeName"] not in deleted_nodes:
                continue
            meta = pod["metadata"]
            self.log.info("deleting pod %s/%s bound to missing node %s",
                          meta.get("namespace"), meta["name"], pod["spec"]["nodeName"])
            try:
                await self.client.patch(PODS, meta["name"], orphan_status_patch(pod, now_rfc3339()),
                                        meta.get("namespace"), subresource="status")
            except ApiError as exc:
                if exc.code == 404:
                    continue
            await self.force_delete(pod)

    async def force_delete(self, pod: dict) -> None:
        meta = pod["metadata"]
        try:
            await self.client.delete(PODS, meta["name"], meta.get("namespace"), grace_period=0,
                                     uid=meta.get("uid"))
        except ApiError as exc:
            if exc.code not in (404, 409):
                self.log.warning("deleting pod %s/%s: %s", meta.get("namespace"), meta["name"],
                                 exc.message)


CONTROLLERS = [PodGCController]
