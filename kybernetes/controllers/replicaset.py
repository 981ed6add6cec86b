# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The ReplicaSet and ReplicationController controllers (one logic, as upstream's
pkg/controller/replicaset serves both): keep `spec.replicas` active pods that match the
selector, adopting orphans and releasing pods that stopped matching, creating in slow-start
batches and deleting the least valuable pods first, and report replicas,
fullyLabeledReplicas, readyReplicas, availableReplicas and observedGeneration."""
from __future__ import annotations

import asyncio
import time

from kybernetes.api.selectors import (LabelSelector, SelectorError, selector_from_label_selector_object,
                                      selector_from_set)
from kybernetes.apiserver.errors import ApiError
from kybernetes.client.events import EventRecorder
from kybernetes.client.informer import object_key
from kybernetes.client.rest import resource
from kybernetes.controllers.base import Controller
from kybernetes.controllers.podcontrol import (BURST_REPLICAS, Expectations, claim, adoption_patch,
                                               controller_ref_of, copy_object, is_pod_active,
                                               is_pod_available, is_pod_ready, pod_from_template,
                                               pods_to_delete, release_patch, rfc3339,
                                               seconds_until_available, slow_start_batch)

PODS = resource("pods")
REPLICA_SETS = resource("replicasets.apps")
REPLICATION_CONTROLLERS = resource("replicationcontrollers")
BY_CONTROLLER_UID = "controller-uid"
BY_NAMESPACE = "namespace"
NAMESPACE_TERMINATING_CAUSE = "NamespaceTerminating"


def pod_indexers() -> dict:
    def controller_uid(pod: dict) -> list[str]:
        ref = controller_ref_of(pod)
        return [ref["uid"]] if ref and ref.get("uid") else []

    def namespace(pod: dict) -> list[str]:
        return [pod["metadata"].get("namespace") or ""]
    return {BY_CONTROLLER_UID: controller_uid, BY_NAMESPACE: namespace}


# ------------------------------------------------------------------ decisions
def replica_count_change(replicas: int, active_pods: int) -> int:
    """Pods to create (positive) or delete (negative) in one pass, at most a burst."""
    diff = replicas - active_pods
    return max(min(diff, BURST_REPLICAS), -BURST_REPLICAS)


def replica_set_status(owner: dict, pods: list[dict], manage_error: str | None,
                       failure_reason: str, now: float) -> dict:
    """The status a ReplicaSet (or ReplicationController) reports for its active pods
    (upstream's calculateStatus), observedGeneration included."""
    spec = owner.get("spec") or {}
    template_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    min_ready = spec.get("minReadySeconds") or 0
    fully_labeled = sum(1 for pod in pods if all(
        (pod["metadata"].get("labels") or {}).get(k) == v for k, v in template_labels.items()))
    ready = [pod for pod in pods if is_pod_ready(pod)]
    available = sum(1 for pod in ready if is_pod_available(pod, min_ready, now))
    status: dict = {"replicas": len(pods)}
    for field, value in (("fullyLabeledReplicas", fully_labeled), ("readyReplicas", len(ready)),
                         ("availableReplicas", available)):
        if value:
            status[field] = value
    status["observedGeneration"] = owner["metadata"].get("generation", 1)
    conditions = [c for c in (owner.get("status") or {}).get("conditions") or []]
    failure = next((c for c in conditions if c.get("type") == "ReplicaFailure"), None)
    if manage_error is not None and failure is None:
        conditions.append({"type": "ReplicaFailure", "status": "True",
                           "lastTransitionTime": rfc3339(now), "reason": failure_reason,
                           "message": manage_error})
    elif manage_error is None and failure is not None:
        conditions = [c for c in conditions if c.get("type") != "ReplicaFailure"]
    if conditions:
        status["conditions"] = conditions
    return status


def next_availability_check(owner: dict, pods: list[dict], now: float) -> float | None:
    """Seconds until the next ready pod passes minReadySeconds, if one is waiting."""
    min_ready = (owner.get("spec") or {}).get("minReadySeconds") or 0
    waits = [w for w in (seconds_until_available(p, min_ready, now) for p in pods) if w is not None]
    return min(waits) + 0.5 if waits else None


# ------------------------------------------------------------------ the controller
class ReplicaSetController(Controller):
    name = "replicaset"
    workers = 5
    resource_type = REPLICA_SETS
    event_component = "replicaset-controller"

    def selector(self, owner: dict) -> LabelSelector:
        try:
            return selector_from_label_selector_object((owner.get("spec") or {}).get("selector"))
        except SelectorError:
            return LabelSelector.nothing()

    def setup(self) -> None:
        self.owners = self.informer(self.resource_type)
        self.pods = self.informer(PODS, indexers=pod_indexers())
        self.expectations = Expectations()
        self.events = EventRecorder(self.client, self.event_component)
        self.enqueue_on_change(self.owners)
        self.pods.add_handler(self.on_pod_change)

    # ---------------------------------------------------------------- pod events
    def owner_key_of(self, pod: dict) -> str | None:
        """The key of the owner of ours that controls `pod` (checked by uid), if any."""
        ref = controller_ref_of(pod)
        if ref is None or ref.get("kind") != self.resource_type.kind:
            return None
        key = f"{pod['metadata'].get('namespace')}/{ref['name']}"
        owner = self.owners.get(key)
        return key if owner is not None and owner["metadata"].get("uid") == ref.get("uid") else None

    def matching_owner_keys(self, pod: dict) -> list[str]:
        namespace = pod["metadata"].get("namespace")
        labels = pod["metadata"].get("labels") or {}
        return [object_key(owner) for owner in self.owners.list(namespace)
                if self.selector(owner).matches(labels)]

    def on_pod_change(self, kind: str, old: dict | None, new: dict | None) -> None:
        if kind == "ADDED" and new is not None:
            key = self.owner_key_of(new)
            if new["metadata"].get("deletionTimestamp"):
                if key:
                    self.expectations.deletion_observed(key, object_key(new))
                    self.queue.add(key)
                return
            if key:
                self.expectations.creation_observed(key)
                self.queue.add(key)
            elif controller_ref_of(new) is None:
                for owner_key in self.matching_owner_keys(new):
                    self.queue.add(owner_key)
            return
        if kind == "DELETED" and old is not None:
            key = self.owner_key_of(old)
            if key:
                self.expectations.deletion_observed(key, object_key(old))
                self.queue.add(key)
            return
        if old is None or new is None:
            return
        if new["metadata"].get("deletionTimestamp") and not old["metadata"].get("deletionTimestamp"):
            key = self.owner_key_of(new)
            if key:
                self.expectations.deletion_observed(key, object_key(new))
        keys = {self.owner_key_of(old), self.owner_key_of(new)}
        relabeled = old["metadata"].get("labels") != new["metadata"].get("labels")
        if controller_ref_of(new) is None and (relabeled or controller_ref_of(old) is not None):
            keys.update(self.matching_owner_keys(new))
        for key in keys:
            if key:
                self.queue.add(key)

    # ---------------------------------------------------------------- reconcile
    async def reconcile(self, key: str) -> None:
        owner = self.owners.get(key)
        if owner is None:
            self.expectations.forget(key)
            return
        namespace = owner["metadata"]["namespace"]
        needs_sync = self.expectations.satisfied(key)
        candidates = [pod for pod in self.pods.by_index(BY_NAMESPACE, namespace) if is_pod_active(pod)]
        pods = await self.claim_pods(owner, candidates)
        manage_error: str | None = None
        failure_reason = ""
        if needs_sync and not owner["metadata"].get("deletionTimestamp"):
            change = replica_count_change(int(owner["spec"].get("replicas", 1)), len(pods))
            failure_reason = "FailedCreate" if change > 0 else "FailedDelete"
            manage_error = await self.manage_replicas(key, owner, pods, change)
        now = time.time()
        await self.write_status(owner, pods, manage_error, failure_reason, now)
        wait = next_availability_check(owner, pods, now)
        if wait is not None:
            self.queue.add_after(key, wait)
        if manage_error is not None:
            raise RuntimeError(manage_error)

    async def claim_pods(self, owner: dict, candidates: list[dict]) -> list[dict]:
        kept, adopt, release = claim(owner, self.selector(owner), candidates)
        if adopt:
            # adopt only if the owner is still there and not being deleted (upstream's
            # RecheckDeletionTimestamp reads it fresh, not from the cache)
            fresh = await self.client.get_or_none(self.resource_type, owner["metadata"]["name"],
                                                  owner["metadata"]["namespace"])
            if fresh is None or fresh["metadata"].get("uid") != owner["metadata"]["uid"] \
                    or fresh["metadata"].get("deletionTimestamp"):
                adopt = []
        for pod in adopt:
            try:
                kept.append(await self.client.patch(PODS, pod["metadata"]["name"], adoption_patch(owner, pod),
                                                    pod["metadata"]["namespace"], patch_type="strategic"))
            except ApiError as exc:
                if exc.code not in (404, 422, 409):
                    raise
        for pod in release:
            try:
                await self.client.patch(PODS, pod["metadata"]["name"], release_patch(owner, pod),
                                        pod["metadata"]["namespace"], patch_type="strategic")
            except ApiError as exc:
                if exc.code not in (404, 422, 409):
                    raise
        return kept

    async def manage_replicas(self, key: str, owner: dict, pods: list[dict], change: int) -> str | None:
        """Create or delete pods; the first error's message, if any."""
        namespace = owner["metadata"]["namespace"]
        if change > 0:
            self.expectations.expect_creations(key, change)
            template = (owner.get("spec") or {}).get("template") or {}

            async def create_one() -> None:
                try:
                    created = await self.client.create(PODS, pod_from_template(template, owner, namespace),
                                                       namespace)
                except ApiError as exc:
                    if any(c.get("type") == NAMESPACE_TERMINATING_CAUSE for c in exc.causes or []):
                        return
                    self.events.event(owner, "Warning", "FailedCreate", f"Error creating: {exc.message}")
                    raise
                self.events.event(owner, "Normal", "SuccessfulCreate",
                                  f"Created pod: {created['metadata']['name']}")

            done, error = await slow_start_batch(change, create_one)
            for _ in range(change - done):
                self.expectations.creation_observed(key)
            return None if error is None else getattr(error, "message", str(error))
        if change < 0:
            victims = pods_to_delete(pods, self.related_pods(owner), -change)
            self.expectations.expect_deletions(key, [object_key(p) for p in victims])
            errors: list[str] = []

            async def delete_one(pod: dict) -> None:
                name = pod["metadata"]["name"]
                try:
                    await self.client.delete(PODS, name, namespace)
                except ApiError as exc:
                    self.expectations.deletion_observed(key, object_key(pod))
                    if exc.code != 404:
                        self.events.event(owner, "Warning", "FailedDelete", f"Error deleting: {exc.message}")
                        errors.append(exc.message)
                    return
                self.events.event(owner, "Normal", "SuccessfulDelete", f"Deleted pod: {name}")

            await asyncio.gather(*(delete_one(pod) for pod in victims))
            return errors[0] if errors else None
        return None

    def related_pods(self, owner: dict) -> list[dict]:
        """Active pods of every ReplicaSet controlled by this one's controller (its
        Deployment's other ReplicaSets), for the same-node ranking of deletions."""
        parent = controller_ref_of(owner)
        uids = {owner["metadata"]["uid"]}
        if parent is not None:
            uids |= {other["metadata"]["uid"] for other in self.owners.list(owner["metadata"]["namespace"])
                     if (controller_ref_of(other) or {}).get("uid") == parent.get("uid")}
        return [pod for uid in uids for pod in self.pods.by_index(BY_CONTROLLER_UID, uid)
                if is_pod_active(pod)]

    async def write_status(self, owner: dict, pods: list[dict], manage_error: str | None,
                           failure_reason: str, now: float) -> None:
        status = replica_set_status(owner, pods, manage_error, failure_reason, now)
        if status == (owner.get("status") or {}):
            return
        updated = copy_object(owner)
        updated["status"] = status
        try:
            await self.client.update_status(self.resource_type, updated)
        except ApiError as exc:
            if exc.code == 404:
                return
            raise


class ReplicationControllerController(ReplicaSetController):
    name = "replicationcontroller"
    resource_type = REPLICATION_CONTROLLERS
    event_component = "replication-controller"

    def selector(self, owner: dict) -> LabelSelector:
        selector = (owner.get("spec") or {}).get("selector")
        return selector_from_set(selector) if selector else LabelSelector.nothing()


CONTROLLERS = [ReplicaSetController, ReplicationControllerController]
