# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The Deployment controller, as upstream's pkg/controller/deployment: one ReplicaSet
per pod template (`<name>-<pod-template-hash>`), rolled by the RollingUpdate or Recreate
strategy, scaled proportionally when the Deployment is scaled mid-rollout, paused and
resumed, old ReplicaSets pruned to revisionHistoryLimit, and a status with the
Available and Progressing conditions that `kubectl rollout status` follows. Decisions
live in deployment_util; this module reads the informers and writes what they decide."""
from __future__ import annotations

import time

from kybernetes.api.selectors import LabelSelector, SelectorError, selector_from_label_selector_object
from kybernetes.apiserver.errors import ApiError
from kybernetes.client.events import EventRecorder
from kybernetes.client.informer import object_key
from kybernetes.client.rest import resource
from kybernetes.controllers import deployment_rollout as rollout
from kybernetes.controllers import deployment_util as du
from kybernetes.controllers.base import Controller
from kybernetes.controllers.podcontrol import (adoption_patch, claim, controller_ref_of, copy_object,
                                               is_controlled_by, release_patch, rfc3339)
from kybernetes.controllers.replicaset import BY_CONTROLLER_UID, PODS, REPLICA_SETS, pod_indexers

DEPLOYMENTS = resource("deployments.apps")


def deployment_selector(deployment: dict) -> LabelSelector:
    try:
        return selector_from_label_selector_object(deployment["spec"].get("selector"))
    except SelectorError:
        return LabelSelector.nothing()


def old_pods_running(new_rs: dict | None, old_replica_sets: list[dict],
                     pods_by_rs: dict[str, list[dict]]) -> bool:
    """Whether a Recreate rollout must still wait for old pods to go."""
    if du.total_status(old_replica_sets, "replicas") > 0:
        return True
    new_uid = new_rs["metadata"]["uid"] if new_rs is not None else None
    return any((pod.get("status") or {}).get("phase") not in ("Failed", "Succeeded")
               for uid, pods in pods_by_rs.items() if uid != new_uid for pod in pods)


class DeploymentController(Controller):
    name = "deployment"
    workers = 5

    def setup(self) -> None:
        self.deployments = self.informer(DEPLOYMENTS)
        self.replica_sets = self.informer(REPLICA_SETS)
        self.pods = self.informer(PODS, indexers=pod_indexers())
        self.events = EventRecorder(self.client, "deployment-controller")
        self.enqueue_on_change(self.deployments)
        self.replica_sets.add_handler(self.on_replica_set_change)
        self.pods.add_handler(self.on_pod_change)

    # ---------------------------------------------------------------- events in
    def deployment_key_of(self, rs: dict) -> str | None:
        ref = controller_ref_of(rs)
        if ref is None or ref.get("kind") != "Deployment":
            return None
        return f"{rs['metadata'].get('namespace')}/{ref['name']}"

    def on_replica_set_change(self, kind: str, old: dict | None, new: dict | None) -> None:
        for rs in (old, new):
            if rs is None:
                continue
            key = self.deployment_key_of(rs)
            if key is not None:
                self.queue.add(key)
            elif rs is new:  # an orphan: the Deployments that may adopt it
                labels = rs["metadata"].get("labels") or {}
                for deployment in self.deployments.list(rs["metadata"].get("namespace")):
                    if deployment_selector(deployment).matches(labels):
                        self.queue.add(object_key(deployment))

    def on_pod_change(self, kind: str, old: dict | None, new: dict | None) -> None:
        """A Recreate rollout waits for old pods to be gone: look again when one goes."""
        if kind != "DELETED" or old is None:
            return
        ref = controller_ref_of(old)
        if ref is None or ref.get("kind") != "ReplicaSet":
            return
        rs = self.replica_sets.get_by(old["metadata"].get("namespace"), ref["name"])
        key = self.deployment_key_of(rs) if rs is not None else None
        deployment = self.deployments.get(key) if key else None
        if deployment is not None and not du.is_rolling_update(deployment):
            self.queue.add(key)

    # ---------------------------------------------------------------- the sync
    async def reconcile(self, key: str) -> None:
        shared = self.deployments.get(key)
        if shared is None:
            return
        d = copy_object(shared)
        if d["spec"].get("selector") == {}:
            self.events.event(d, "Warning", "SelectingAll",
                              "This deployment is selecting all pods. A non-empty selector is required.")
            if (d.get("status") or {}).get("observedGeneration", 0) < d["metadata"].get("generation", 0):
                d.setdefault("status", {})["observedGeneration"] = d["metadata"]["generation"]
                await self.write_status(d)
            return
        replica_sets = await self.claim_replica_sets(d)
        if d["metadata"].get("deletionTimestamp"):
            new_rs, old = await self.new_and_old(d, replica_sets, create=False)
            await self.sync_status(d, old + [new_rs], new_rs)
            return
        change = du.paused_condition_change(d, rfc3339())
        if change is not None:
            du.set_condition(d.setdefault("status", {}), change)
            await self.write_status(d)
        if d["spec"].get("paused") or rollout.is_scaling_event(d, replica_sets):
            await self.sync_scale(d, replica_sets)
        elif du.is_rolling_update(d):
            await self.rollout_rolling(d, replica_sets)
        else:
            await self.rollout_recreate(d, replica_sets)

    async def claim_replica_sets(self, d: dict) -> list[dict]:
        namespace = d["metadata"]["namespace"]
        kept, adopt, release = claim(d, deployment_selector(d), self.replica_sets.list(namespace))
        if adopt:
            fresh = await self.client.get_or_none(DEPLOYMENTS, d["metadata"]["name"], namespace)
            if fresh is None or fresh["metadata"]["uid"] != d["metadata"]["uid"] \
                    or fresh["metadata"].get("deletionTimestamp"):
                adopt = []
        for rs in adopt:
            try:
                kept.append(await self.client.patch(REPLICA_SETS, rs["metadata"]["name"],
                                                    adoption_patch(d, rs), namespace,
                                                    patch_type="strategic"))
            except ApiError as exc:
                if exc.code not in (404, 409, 422):
                    raise
        for rs in release:
            try:
                await self.client.patch(REPLICA_SETS, rs["metadata"]["name"], release_patch(d, rs),
                                        namespace, patch_type="strategic")
            except ApiError as exc:
                if exc.code not in (404, 409, 422):
                    raise
        return kept

    # ---------------------------------------------------------------- writes
    async def write_status(self, d: dict) -> None:
        """Write d's status; d takes the new resourceVersion so later writes in this sync
        do not conflict with this one."""
        written = await self.client.update_status(DEPLOYMENTS, d)
        d["metadata"]["resourceVersion"] = written["metadata"]["resourceVersion"]
        d["metadata"]["generation"] = written["metadata"].get("generation", d["metadata"].get("generation"))

    async def set_revision(self, d: dict, revision: str) -> None:
        """The deployment.kubernetes.io/revision annotation on the Deployment."""
        if du.annotations_of(d).get(du.REVISION) == revision:
            return
        # an update, as upstream's (its deployment-controller role may update, not patch)
        d["metadata"]["annotations"] = {**du.annotations_of(d), du.REVISION: revision}
        written = await self.client.update(DEPLOYMENTS, d)
        d["metadata"]["resourceVersion"] = written["metadata"]["resourceVersion"]
        d["metadata"]["generation"] = written["metadata"].get("generation", d["metadata"].get("generation"))

    async def scale(self, rs: dict, size: int, d: dict, refresh_annotations: bool = False) -> dict:
        """Set a ReplicaSet's size and its desired/max-replicas annotations; record
        ScalingReplicaSet when the size changed."""
        old_size = du.replicas(rs)
        ceiling = du.replicas(d) + du.max_surge(d)
        if old_size == size and not (refresh_annotations and
                                     du.replicas_annotations_need_update(rs, du.replicas(d), ceiling)):
            return rs
        updated = copy_object(rs)
        updated["spec"]["replicas"] = size
        du.set_replicas_annotations(updated, du.replicas(d), ceiling)
        written = await self.client.update(REPLICA_SETS, updated)
        if old_size != size:
            direction = "up" if size > old_size else "down"
            self.events.event(d, "Normal", "ScalingReplicaSet", f"Scaled {direction} replica set "
                              f"{rs['metadata']['name']} from {old_size} to {size}")
        return written

    # ---------------------------------------------------------------- new and old ReplicaSets
    async def new_and_old(self, d: dict, replica_sets: list[dict], create: bool
                          ) -> tuple[dict | None, list[dict]]:
        """The new ReplicaSet (made if `create` and missing) and the old ones, with the
        revision annotations brought up to date (getAllReplicaSetsAndSyncRevision)."""
        new_rs = du.find_new_replica_set(d, replica_sets)
        old = [rs for rs in replica_sets if rs is not new_rs]
        new_revision = du.max_revision(old) + 1
        namespace = d["metadata"]["namespace"]
        if new_rs is not None:
            candidate = copy_object(new_rs)
            changed = du.set_new_replica_set_annotations(d, candidate, new_revision, exists=True)
            min_ready = d["spec"].get("minReadySeconds") or 0
            if changed or (candidate["spec"].get("minReadySeconds") or 0) != min_ready:
                candidate["spec"]["minReadySeconds"] = min_ready
                return await self.client.update(REPLICA_SETS, candidate), old
            await self.set_revision(d, du.annotations_of(new_rs).get(du.REVISION, ""))
            status = d.setdefault("status", {})
            if du.has_progress_deadline(d) and du.condition(status, "Progressing") is None:
                du.set_condition(status, du.new_condition(
                    "Progressing", "True", du.FOUND_NEW_RS,
                    f'Found new replica set "{new_rs["metadata"]["name"]}"', rfc3339()))
                await self.write_status(d)
            return new_rs, old
        if not create:
            return None, old
        wanted = rollout.new_replica_set(d, old)
        name = wanted["metadata"]["name"]
        already_existed = False
        try:
            new_rs = await self.client.create(REPLICA_SETS, wanted, namespace)
        except ApiError as exc:
            if exc.code == 409 and exc.reason == "AlreadyExists":
                existing = await self.client.get_or_none(REPLICA_SETS, name, namespace)
                if existing is not None and is_controlled_by(existing, d) and du.equal_ignore_hash(
                        existing["spec"].get("template"), d["spec"].get("template")):
                    new_rs, already_existed = existing, True
                else:  # a hash collision: try the next hash on the next sync
                    status = d.setdefault("status", {})
                    status["collisionCount"] = (status.get("collisionCount") or 0) + 1
                    await self.write_status(d)
                    raise
            elif any(c.get("type") == "NamespaceTerminating" for c in exc.causes):
                raise
            else:
                message = f'Failed to create new replica set "{name}": {exc.message}'
                if du.has_progress_deadline(d):
                    du.set_condition(d.setdefault("status", {}), du.new_condition(
                        "Progressing", "False", du.FAILED_RS_CREATE, message, rfc3339()))
                    try:
                        await self.write_status(d)
                    except ApiError:
                        pass
                self.events.event(d, "Warning", du.FAILED_RS_CREATE, message)
                raise
        if not already_existed and du.replicas(new_rs) > 0:
            self.events.event(d, "Normal", "ScalingReplicaSet",
                              f"Scaled up replica set {name} from 0 to {du.replicas(new_rs)}")
        await self.set_revision(d, str(new_revision))
        if not already_existed and du.has_progress_deadline(d):
            du.set_condition(d.setdefault("status", {}), du.new_condition(
                "Progressing", "True", du.NEW_RS_CREATED, f'Created new replica set "{name}"', rfc3339()))
            await self.write_status(d)
        return new_rs, old

    # ---------------------------------------------------------------- strategies
    async def rollout_rolling(self, d: dict, replica_sets: list[dict]) -> None:
        new_rs, old = await self.new_and_old(d, replica_sets, create=True)
        if new_rs is not None:
            if du.replicas(new_rs) > du.replicas(d):
                target = du.replicas(d)
            else:
                target = rollout.new_rs_replicas(d, old + [new_rs], new_rs)
            if target != du.replicas(new_rs):
                new_rs = await self.scale(new_rs, target, d)
                await self.sync_rollout(d, old + [new_rs], new_rs)
                return
        plan = rollout.old_scale_down_plan(d, new_rs, du.active(old))
        if plan:
            old = [await self.scale(rs, plan[rs["metadata"]["name"]], d)
                   if rs["metadata"]["name"] in plan else rs for rs in old]
            await self.sync_rollout(d, old + [new_rs], new_rs)
            return
        if du.deployment_complete(d, d.get("status") or {}):
            await self.cleanup(d, old)
        await self.sync_rollout(d, old + [new_rs], new_rs)

    async def rollout_recreate(self, d: dict, replica_sets: list[dict]) -> None:
        new_rs, old = await self.new_and_old(d, replica_sets, create=False)
        scaled = False
        for index, rs in enumerate(old):
            if du.replicas(rs) > 0:
                old[index] = await self.scale(rs, 0, d)
                scaled = True
        if scaled:
            await self.sync_rollout(d, old + [new_rs], new_rs)
            return
        pods_by_rs = {rs["metadata"]["uid"]: self.pods.by_index(BY_CONTROLLER_UID, rs["metadata"]["uid"])
                      for rs in replica_sets}
        if old_pods_running(new_rs, old, pods_by_rs):
            await self.sync_rollout(d, old + [new_rs], new_rs)
            return
        if new_rs is None:
            new_rs, old = await self.new_and_old(d, replica_sets, create=True)
        if new_rs is not None and du.replicas(new_rs) != du.replicas(d):
            new_rs = await self.scale(new_rs, du.replicas(d), d)
        if du.deployment_complete(d, d.get("status") or {}):
            await self.cleanup(d, old)
        await self.sync_rollout(d, old + [new_rs], new_rs)

    async def sync_scale(self, d: dict, replica_sets: list[dict]) -> None:
        """A scaling event, or a paused Deployment: resize without rolling (upstream's sync)."""
        new_rs, old = await self.new_and_old(d, replica_sets, create=False)
        sizes, proportional = rollout.scale_plan(d, new_rs, old)
        every = old + ([new_rs] if new_rs is not None else [])
        for index, rs in enumerate(every):
            name = rs["metadata"]["name"]
            if name in sizes:
                every[index] = await self.scale(rs, sizes[name], d, refresh_annotations=proportional)
        if new_rs is not None:
            new_rs = every[-1]
            old = every[:-1]
        else:
            old = every
        if d["spec"].get("paused"):
            await self.cleanup(d, old)
        await self.sync_status(d, old + [new_rs], new_rs)

    async def cleanup(self, d: dict, old: list[dict]) -> None:
        """Delete old ReplicaSets beyond revisionHistoryLimit."""
        for rs in du.cleanup_candidates(d, old):
            try:
                await self.client.delete(REPLICA_SETS, rs["metadata"]["name"], rs["metadata"]["namespace"],
                                         uid=rs["metadata"]["uid"])
            except ApiError as exc:
                if exc.code not in (404, 409):
                    raise

    # ---------------------------------------------------------------- status
    async def sync_status(self, d: dict, all_replica_sets: list[dict | None], new_rs: dict | None) -> None:
        status = du.calculate_status(d, [rs for rs in all_replica_sets if rs is not None], new_rs)
        if status != du.compact_status(d.get("status") or {}):
            d["status"] = status
            await self.write_status(d)

    async def sync_rollout(self, d: dict, all_replica_sets: list[dict | None], new_rs: dict | None) -> None:
        now = time.time()
        status = du.rollout_status(d, [rs for rs in all_replica_sets if rs is not None], new_rs, now)
        if status != du.compact_status(d.get("status") or {}):
            d["status"] = status
            await self.write_status(d)
        wait = du.seconds_until_deadline(d, status, now)
        if wait is not None:
            self.queue.add_after(object_key(d), max(wait, 1.0))


CONTROLLERS = [DeploymentController]
