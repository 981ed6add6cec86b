# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The resource-quota controller: keeps every ResourceQuota's status (hard echoed from
spec, used recomputed from what is stored in its namespace) current.

As upstream, creates and growth are charged by admission, not here: the controller
recomputes when a quota is new or its spec changed, when a counted object is deleted or
shrinks (replenishment), and on a periodic full resync (upstream: 5 minutes; here 30 s).
Recomputing on every quota status write would race admission: the watch of the counted
kind can lag the quota's, and a recount from it would hand a charged unit back."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from kybernetes.api import quota
from kybernetes.api.resources import builtin_registry, ResourceType
from kybernetes.apiserver.errors import ApiError
from kybernetes.client.informer import object_key
from kybernetes.client.rest import resource
from kybernetes.controllers.base import Controller

QUOTAS = resource("resourcequotas")
RESYNC_SECONDS = 30.0
# kinds watched so their deletions free quota at once; others are recounted on resync
WATCHED = ("pods", "services", "persistentvolumeclaims", "configmaps", "secrets",
           "replicationcontrollers", "resourcequotas", "deployments.apps",
           "replicasets.apps", "statefulsets.apps", "daemonsets.apps", "jobs.batch",
           "cronjobs.batch")


def desired_status(quota_obj: dict, objects_by_kind: dict[tuple[str, str], list[dict]],
                   now: datetime | None = None) -> dict:
    """status {hard, used} for a quota: used from the objects, kept only for hard names
    (a name no kind counts keeps its last value, as upstream)."""
    hard = quota.parse_amounts((quota_obj.get("spec") or {}).get("hard"))
    used = quota.parse_amounts((quota_obj.get("status") or {}).get("used"))
    used.update(quota.calculate_used(quota_obj, objects_by_kind, now))
    return {"hard": quota.render(hard), "used": quota.render(quota.mask(used, hard))}


def needs_recount(quota_obj: dict) -> bool:
    """A quota is recounted when new or when its spec no longer matches status.hard."""
    status = quota_obj.get("status") or {}
    if status.get("hard") is None or status.get("used") is None:
        return True
    return not quota.same_amounts(quota.parse_amounts((quota_obj.get("spec") or {}).get("hard")),
                                  quota.parse_amounts(status.get("hard")))


def status_changed(current: dict | None, wanted: dict) -> bool:
    current = current or {}
    if current.get("hard") is None or current.get("used") is None:
        return True
    return not (quota.same_amounts(quota.parse_amounts(current.get("hard")),
                                   quota.parse_amounts(wanted["hard"]))
                and quota.same_amounts(quota.parse_amounts(current.get("used")),
                                       quota.parse_amounts(wanted["used"])))


class ResourceQuotaController(Controller):
    name = "resourcequota"
    workers = 2

    def setup(self) -> None:
        self.quotas = self.informer(QUOTAS)
        self.quotas.add_handler(self._quota_changed)
        for name in WATCHED:
            rt = resource(name)
            self.informer(rt).add_handler(self._replenish((rt.group, rt.plural)))

    def _quota_changed(self, event: str, old: dict | None, new: dict | None) -> None:
        if new is not None and needs_recount(new):
            self.queue.add(object_key(new))

    def _replenish(self, kind: tuple[str, str]):
        """Queue the quotas of the object's namespace that count its kind, when the
        object is gone or now costs less."""

        def handler(event: str, old: dict | None, new: dict | None) -> None:
            obj = new or old
            if obj is None or event == "ADDED":
                return
            if event == "MODIFIED" and (old is None or new is None or not quota.shrank(
                    quota.usage(*kind, old), quota.usage(*kind, new))):
                return
            namespace = (obj.get("metadata") or {}).get("namespace")
            for q in self.quotas.list(namespace):
                if kind in quota.counted_kinds((q.get("spec") or {}).get("hard") or {}):
                    self.queue.add(object_key(q))
        return handler

    async def run(self) -> None:
        async def resync() -> None:
            while True:
                await asyncio.sleep(RESYNC_SECONDS)
                for q in self.quotas.list():
                    self.queue.add(object_key(q))
        task = asyncio.create_task(resync())
        try:
            await super().run()
        finally:
            task.cancel()

    async def _objects(self, kind: tuple[str, str], namespace: str) -> list[dict] | None:
        """A fresh list (not the informer's copy, which may lag a just-charged create)."""
        rt = _resource_type(*kind)
        if rt is None:
            return None
        try:
            items, _ = await self.client.list(rt, namespace)
        except ApiError as exc:
            if exc.code == 404:
                return None
            raise
        return items

    async def reconcile(self, key: str) -> None:
        cached = self.quotas.get(key)
        if cached is None:
            return
        namespace, name = cached["metadata"]["namespace"], cached["metadata"]["name"]
        objects_by_kind: dict[tuple[str, str], list[dict]] = {}
        for kind in quota.counted_kinds((cached.get("spec") or {}).get("hard") or {}):
            objects = await self._objects(kind, namespace)
            if objects is not None:
                objects_by_kind[kind] = objects
        # the objects are read before the quota: a charge admission makes in between is
        # then seen with its object, or refused by the update's resourceVersion
        # a list, not a get: upstream's resourcequota-controller role may list, not get
        found, _ = await self.client.list(QUOTAS, namespace, field_selector=f"metadata.name={name}")
        if not found:
            return
        current = found[0]
        wanted = desired_status(current, objects_by_kind, datetime.now(timezone.utc))
        if not status_changed(current.get("status"), wanted):
            return
        updated = dict(current, status=wanted)
        await self.client.update_status(QUOTAS, updated)


def _resource_type(group: str, plural: str) -> ResourceType | None:
    for rt in builtin_registry().all():
        if rt.group == group and rt.plural == plural and rt.preferred:
            return rt
    return None


CONTROLLERS = [ResourceQuotaController]
