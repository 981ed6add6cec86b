# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The namespace controller: a namespace being deleted is emptied of every namespaced
object, then its `kubernetes` finalizer is removed through /finalize, and it is gone."""
from __future__ import annotations

from kybernetes.api.crd import resource_types
from kybernetes.api.resources import VIRTUAL_KINDS, ResourceType, builtin_registry
from kybernetes.apiserver.errors import ApiError
from kybernetes.client.rest import resource
from kybernetes.controllers.base import Controller

NAMESPACES = resource("namespaces")
CRDS = resource("customresourcedefinitions.apiextensions.k8s.io")
FINALIZER = "kubernetes"
RECHECK_SECONDS = 1.0


def namespaced_types(crds: list[dict]) -> list[ResourceType]:
    """Every namespaced resource to empty, once per stored kind (preferred versions)."""
    types = [rt for rt in builtin_registry().all()
             if rt.namespaced and rt.preferred and rt.kind not in VIRTUAL_KINDS
             and not (rt.group == "events.k8s.io")]
    for crd in crds:
        served = [rt for rt in resource_types(crd) if rt.namespaced]
        if served:
            types.append(served[0])
    return types


def remaining_conditions(remaining: dict[str, int], now: str) -> list[dict]:
    """The status conditions upstream's namespace controller reports while deleting."""
    if remaining:
        summary = ", ".join(f"{name} has {count} resource instances"
                            for name, count in sorted(remaining.items()))
        return [{"type": "NamespaceContentRemaining", "status": "True",
                 "lastTransitionTime": now, "reason": "SomeResourcesRemain",
                 "message": f"Some resources are remaining: {summary}"}]
    return [{"type": "NamespaceContentRemaining", "status": "False",
             "lastTransitionTime": now, "reason": "ContentDeleted",
             "message": "All content successfully deleted, may be waiting on finalization"}]


class NamespaceController(Controller):
    name = "namespace"
    workers = 2

    def setup(self) -> None:
        self.namespaces = self.informer(NAMESPACES)
        self.crds = self.informer(CRDS)
        self.enqueue_on_change(self.namespaces)

    async def reconcile(self, key: str) -> None:
        namespace = self.namespaces.get(key)
        if namespace is None or not namespace["metadata"].get("deletionTimestamp"):
            return
        if FINALIZER not in ((namespace.get("spec") or {}).get("finalizers") or []):
            return
        remaining: dict[str, int] = {}
        for rt in namespaced_types(self.crds.list()):
            try:
                items, _ = await self.client.list(rt, key)
            except ApiError as exc:
                if exc.code == 404:  # a CRD just removed
                    continue
                raise
            for item in items:
                remaining[rt.group_resource] = remaining.get(rt.group_resource, 0) + 1
                if not item["metadata"].get("deletionTimestamp"):
                    try:
                        await self.client.delete(rt, item["metadata"]["name"], key,
                                                 propagation="Background")
                    except ApiError as exc:
                        if exc.code != 404:
                            raise
        from kybernetes.apiserver.objects import now_rfc3339
        if remaining:
            conditions = remaining_conditions(remaining, now_rfc3339())
            current = (namespace.get("status") or {}).get("conditions") or []
            if [c.get("message") for c in current] != [c["message"] for c in conditions]:
                try:
                    # an update, as upstream's (namespace-controller may update status, not patch)
                    await self.client.update_status(NAMESPACES, {
                        **namespace, "status": {**(namespace.get("status") or {}), "conditions": conditions}})
                except ApiError:
                    pass
            self.queue.add_after(key, RECHECK_SECONDS)
            return
        fresh = await self.client.get_or_none(NAMESPACES, key)
        if fresh is None:
            return
        fresh["spec"]["finalizers"] = [f for f in fresh["spec"].get("finalizers") or []
                                       if f != FINALIZER]
        await self.client.update(NAMESPACES, fresh, subresource="finalize")


CONTROLLERS = [NamespaceController]
