# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The scheduler loop: informers feed the cache (nodes, bound pods) and the queue
(pending pods whose schedulerName is one of our profiles); one pod at a time is popped,
tried against a snapshot, assumed on the chosen node and bound through the
pods/binding subresource in the background, so the next pod need not wait.

A pod that fits nowhere gets PodScheduled=False (reason Unschedulable) with upstream's
message and a FailedScheduling event; if preemption found room, the victims are deleted
(with the DisruptionTarget condition) and the pod is nominated to the node. Only the
holder of the kube-system/kube-scheduler Lease schedules."""
from __future__ import annotations

import asyncio
import logging
import time

from kybernetes.apiserver.errors import ApiError
from kybernetes.client.events import EventRecorder
from kybernetes.client.informer import InformerFactory
from kybernetes.client.leaderelection import LeaderElector
from kybernetes.client.rest import Client, resource
from kybernetes.scheduler.cache import Cache
from kybernetes.scheduler.config import SchedulerConfig, build_framework
from kybernetes.scheduler.framework import CycleState, Framework, Handle
from kybernetes.scheduler.nodeinfo import PodInfo
from kybernetes.scheduler.queue import QueuedPod, SchedulingQueue
from kybernetes.scheduler.snapshot import Lookups

log = logging.getLogger("kybernetes.scheduler")
PODS = resource("pods")
NODES = resource("nodes")


def now_rfc3339() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def is_terminal(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def spec_changed(old: dict | None, new: dict) -> bool:
    """Whether a pending pod's update may change where it fits (not a status write)."""
    if old is None:
        return True
    old_meta, new_meta = old.get("metadata") or {}, new.get("metadata") or {}
    return (old.get("spec") != new.get("spec") or old_meta.get("labels") != new_meta.get("labels")
            or old_meta.get("annotations") != new_meta.get("annotations"))


def node_changed(old: dict | None, new: dict) -> bool:
    """Whether a node update may make a parked pod fit (heartbeats do not)."""
    if old is None:
        return True
    return ((old.get("metadata") or {}).get("labels") != (new.get("metadata") or {}).get("labels")
            or old.get("spec") != new.get("spec")
            or (old.get("status") or {}).get("allocatable") != (new.get("status") or {}).get("allocatable"))


def unschedulable_condition(message: str) -> dict:
    return {"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
            "message": message, "lastProbeTime": None, "lastTransitionTime": now_rfc3339()}


class InformerLookups(Lookups):
    """Lookups read straight from the informers' stores (no copies)."""

    def __init__(self, informers: dict) -> None:  # pylint: disable=super-init-not-called
        self.informers = informers

    def _store(self, name: str) -> dict:
        informer = self.informers.get(name)
        return informer.store if informer is not None else {}

    @property
    def claims(self):
        return self._store("pvc")

    @property
    def volumes(self):
        return self._store("pv")

    @property
    def storage_classes(self):
        return self._store("sc")

    @property
    def disruption_budgets(self):
        return list(self._store("pdb").values())

    @property
    def services(self):
        return list(self._store("svc").values())

    @property
    def namespace_labels(self):
        return {name: (ns.get("metadata") or {}).get("labels") or {}
                for name, ns in self._store("ns").items()}

    @property
    def owners(self):
        out = {}
        for kind, name in (("ReplicaSet", "rs"), ("StatefulSet", "sts"),
                           ("ReplicationController", "rc")):
            for key, obj in self._store(name).items():
                namespace, _, object_name = key.partition("/")
                out[(kind, namespace, object_name)] = obj
        return out


class Scheduler:
    def __init__(self, client: Client, config: SchedulerConfig | None = None, *,
                 identity: str | None = None) -> None:
        self.client = client
        self.config = config or SchedulerConfig()
        self.cache = Cache()
        self.queue = SchedulingQueue()
        self.informers = InformerFactory(client)
        self.named_informers: dict = {}
        self.cache.lookups = InformerLookups(self.named_informers)
        self.profiles: dict[str, Framework] = {}
        self.recorders: dict[str, EventRecorder] = {}
        for profile in self.config.profiles:
            handle = Handle(lookups=self.cache.lookups, client=client)
            self.profiles[profile.scheduler_name] = build_framework(
                profile, handle, self.config.percentage_of_nodes_to_score)
            self.recorders[profile.scheduler_name] = EventRecorder(client, profile.scheduler_name)
        self.elector = LeaderElector(
            client, self.config.lease_name, self.config.lease_namespace, identity=identity,
            lease_duration=self.config.lease_duration, renew_deadline=self.config.renew_deadline,
            retry_period=self.config.retry_period) if self.config.leader_elect else None
        self._tasks: set[asyncio.Task] = set()
        self.scheduled = 0

    # ---------------------------------------------------------------- informers
    def setup(self) -> None:
        named = self.named_informers
        named["pods"] = self.informers.informer(PODS)
        named["nodes"] = self.informers.informer(NODES)
        for name, plural in (("pvc", "persistentvolumeclaims"), ("pv", "persistentvolumes"),
                             ("sc", "storageclasses.storage.k8s.io"),
                             ("pdb", "poddisruptionbudgets.policy"), ("svc", "services"),
                             ("rs", "replicasets.apps"), ("sts", "statefulsets.apps"),
                             ("rc", "replicationcontrollers"), ("ns", "namespaces")):
            named[name] = self.informers.informer(resource(plural))
        named["pods"].add_handler(self.on_pod)
        named["nodes"].add_handler(self.on_node)
        for name in ("pvc", "pv", "sc"):
            named[name].add_handler(self.on_volume_change)

    def responsible_for(self, pod: dict) -> bool:
        return ((pod.get("spec") or {}).get("schedulerName") or "default-scheduler") in self.profiles

    def on_pod(self, kind: str, old: dict | None, new: dict | None) -> None:
        pod = new if new is not None else old
        uid = (pod.get("metadata") or {}).get("uid")
        assigned = bool((pod.get("spec") or {}).get("nodeName"))
        if kind == "DELETED" or (assigned and is_terminal(pod)):
            if uid in self.cache.pods:
                self.cache.remove_pod(pod)
                self.queue.move_all_to_active_or_backoff("AssignedPodDelete")
            self.queue.delete(uid)
            return
        if assigned:
            self.queue.delete(uid)
            first_seen = uid not in self.cache.pods or self.cache.is_assumed(uid)
            self.cache.add_pod(pod)
            if first_seen and self.queue.unschedulable:
                self.queue.move_all_to_active_or_backoff("AssignedPodAdd")
            return
        if not self.responsible_for(pod) or self.cache.is_assumed(uid):
            return
        if (pod.get("metadata") or {}).get("deletionTimestamp"):
            self.queue.delete(uid)
            return
        info = PodInfo(pod)
        if kind == "ADDED" and uid not in self.queue:
            self.queue.add(info)
        else:
            self.queue.update(info, may_help=spec_changed(old, pod))

    def on_node(self, kind: str, old: dict | None, new: dict | None) -> None:
        if kind == "DELETED":
            self.cache.remove_node((old or new)["metadata"]["name"])
            return
        self.cache.add_node(new)
        if kind == "ADDED" or node_changed(old, new):
            self.queue.move_all_to_active_or_backoff("NodeAdd" if kind == "ADDED" else "NodeUpdate")

    def on_volume_change(self, kind: str, old: dict | None, new: dict | None) -> None:
        self.queue.move_all_to_active_or_backoff("VolumeChange")

    # ---------------------------------------------------------------- running
    async def run(self) -> None:
        try:
            if self.elector is None:
                await self._lead()
            else:
                await self.elector.run(self._lead)
        finally:
            for task in list(self._tasks):
                task.cancel()
            await self.informers.stop()
            for recorder in self.recorders.values():
                await recorder.flush()

    async def _lead(self) -> None:
        self.setup()
        self.informers.start()
        await self.informers.wait_synced()
        log.info("scheduler running with profiles: %s", ", ".join(self.profiles))
        housekeeping = asyncio.create_task(self._housekeeping())
        try:
            while True:
                qp = await self.queue.pop()
                try:
                    self.schedule_one(qp)
                except Exception:  # one pod's bug must not stop scheduling
                    log.exception("scheduling %s failed", qp.info.key)
                    self.queue.requeue_after_error(qp)
                await asyncio.sleep(0)  # let watch events in between attempts
        finally:
            housekeeping.cancel()

    async def _housekeeping(self) -> None:
        ticks = 0
        while True:
            await asyncio.sleep(1.0)
            ticks += 1
            self.queue.flush_backoff()
            if ticks % 5 == 0:
                self.cache.cleanup_expired()
            if ticks % 30 == 0:
                self.queue.flush_unschedulable_leftover()

    def _spawn(self, coroutine) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ---------------------------------------------------------------- one pod
    def schedule_one(self, qp: QueuedPod) -> None:
        cycle = self.queue.scheduling_cycle
        info = qp.info
        current = self.named_informers["pods"].get(info.key)
        if current is None or (current.get("spec") or {}).get("nodeName") or \
                (current.get("metadata") or {}).get("deletionTimestamp") or \
                (current.get("metadata") or {}).get("uid") != info.uid or self.cache.is_assumed(info.uid):
            self.queue.done(info.uid)
            return
        if current is not info.pod:
            info = qp.info = PodInfo(current)
        framework = self.profiles.get((current.get("spec") or {}).get("schedulerName") or "default-scheduler")
        if framework is None:
            self.queue.done(info.uid)
            return
        snapshot = self.cache.snapshot()
        state = CycleState()
        result = framework.schedule(info, snapshot, self.queue.nominated, state)
        if result.node is None:
            nominated = result.nominated_node
            if nominated:
                self.prepare_preemption(framework, info, state["preemption"])
                self.queue.update_nomination(info, nominated)
            self.handle_failure(framework, qp, info, result.failure_message(), cycle, nominated or "")
            return
        node = result.node
        status = framework.reserve(state, info, node)
        if status is not None:
            self.handle_failure(framework, qp, info, status.message, cycle)
            return
        state["node_info_for_bind"] = snapshot.get(node)
        self.cache.assume(info, node)
        self.queue.remove_nomination(info.uid)
        self._spawn(self.bind(framework, state, qp, info, node, cycle))

    async def bind(self, framework: Framework, state: CycleState, qp: QueuedPod, info: PodInfo,
                   node: str, cycle: int) -> None:
        try:
            status = await framework.pre_bind(state, info, node)
            if status is not None:
                raise RuntimeError(status.message)
            await self.client.create(PODS, {
                "apiVersion": "v1", "kind": "Binding",
                "metadata": {"name": info.name, "namespace": info.namespace, "uid": info.uid},
                "target": {"apiVersion": "v1", "kind": "Node", "name": node}},
                info.namespace, subresource="binding", name=info.name)
        except Exception as exc:
            self.cache.forget(info.uid)
            framework.unreserve(state, info, node)
            self.queue.move_all_to_active_or_backoff("AssignedPodDelete")
            if isinstance(exc, ApiError) and exc.code in (404, 409):
                self.queue.done(info.uid)  # deleted meanwhile, or bound by someone else
                return
            message = f"Binding rejected: {exc.message if isinstance(exc, ApiError) else exc}"
            log.info("binding %s to %s failed: %s", info.key, node, message)
            self.handle_failure(framework, qp, info, message, cycle, error=True)
            return
        self.cache.finish_binding(info.uid)
        self.queue.done(info.uid)
        self.scheduled += 1
        self.recorders[framework.scheduler_name].event(
            info.pod, "Normal", "Scheduled", f"Successfully assigned {info.key} to {node}")

    # ---------------------------------------------------------------- failures
    def handle_failure(self, framework: Framework, qp: QueuedPod, info: PodInfo, message: str,
                       cycle: int, nominated: str = "", error: bool = False) -> None:
        current = self.named_informers["pods"].get(info.key)
        if current is None or (current.get("metadata") or {}).get("uid") != info.uid or \
                (current.get("spec") or {}).get("nodeName"):
            self.queue.done(info.uid)
            return
        self.queue.add_unschedulable(qp, cycle, unschedulable=not error)
        self.recorders[framework.scheduler_name].event(current, "Warning", "FailedScheduling", message)
        status = current.get("status") or {}
        condition = next((c for c in status.get("conditions") or [] if c.get("type") == "PodScheduled"), None)
        same = condition is not None and condition.get("status") == "False" and \
            condition.get("reason") == "Unschedulable" and condition.get("message") == message
        if same and (status.get("nominatedNodeName") or "") == nominated:
            return
        patch: dict = {"status": {"conditions": [unschedulable_condition(message)]}}
        if same:
            patch["status"]["conditions"][0]["lastTransitionTime"] = condition.get("lastTransitionTime")
        if nominated or status.get("nominatedNodeName"):
            patch["status"]["nominatedNodeName"] = nominated or None
        self._spawn(self._patch_status(info, patch))

    async def _patch_status(self, info: PodInfo, patch: dict) -> None:
        try:
            await self.client.patch(PODS, info.name, patch, info.namespace,
                                    patch_type="strategic", subresource="status")
        except ApiError as exc:
            if exc.code != 404:
                log.info("updating the status of %s: %s", info.key, exc.message)

    # ---------------------------------------------------------------- preemption
    def prepare_preemption(self, framework: Framework, preemptor: PodInfo, candidate) -> None:
        """Delete the victims (marking why first) and un-nominate lower-priority pods
        nominated to the same node, as upstream's prepareCandidate."""
        recorder = self.recorders[framework.scheduler_name]
        for victim in candidate.victims:
            recorder.event(victim.pod, "Normal", "Preempted",
                           f"Preempted by pod {preemptor.uid} on node {candidate.node}")
            self._spawn(self._evict_victim(framework.scheduler_name, victim))
        for other in list(self.queue.nominated.get(candidate.node, [])):
            if other.priority < preemptor.priority and other.uid != preemptor.uid:
                self.queue.remove_nomination(other.uid)
                self._spawn(self._patch_status(other, {"status": {"nominatedNodeName": None}}))

    async def _evict_victim(self, scheduler_name: str, victim: PodInfo) -> None:
        condition = {"type": "DisruptionTarget", "status": "True", "reason": "PreemptionByScheduler",
                     "message": f"{scheduler_name}: preempting to accommodate a higher priority pod",
                     "lastTransitionTime": now_rfc3339()}
        try:
            if not victim.terminating:
                await self.client.patch(PODS, victim.name, {"status": {"conditions": [condition]}},
                                        victim.namespace, patch_type="strategic", subresource="status")
            await self.client.delete(PODS, victim.name, victim.namespace, uid=victim.uid)
        except ApiError as exc:
            if exc.code not in (404, 409):
                log.info("preempting %s: %s", victim.key, exc.message)
