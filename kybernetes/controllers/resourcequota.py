# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The resource-quota controller: keeps every ResourceQuota's status (hard echoed from
spec, used recomputed from what is stored in its namespace) current when the quota or
an object it counts changes, and on a periodic full resync (upstream: 5 minutes; here
30 s) that corrects what admission charged for writes the store then refused."""
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
# kinds watched so their changes update quotas at once; others are listed on resync
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
        self.enqueue_on_change(self.quotas)
        self.watched: dict[tuple[str, str], object] = {}
        for name in WATCHED:
            rt = resource(name)
            informer = self.informer(rt)
            self.watched[(rt.group, rt.plural)] = informer
            informer.add_handler(self._replenish((rt.group, rt.plural)))

    def _replenish(self, kind: tuple[str, str]):
        """Queue the quotas of the object's namespace that count its kind, when what
        the object costs may have changed."""

        def handler(event: str, old: dict | None, new: dict | None) -> None:
            obj = new or old
            if obj is None:
                return
            if event == "MODIFIED" and old is not None and new is not None and \
                    quota.same_amounts(quota.usage(*kind, old), quota.usage(*kind, new)):
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
        informer = self.watched.get(kind)
        if informer is not None:
            return informer.list(namespace)  # type: ignore[attr-defined]
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
        current = self.quotas.get(key)
        if current is None:
            return
        namespace = current["metadata"]["namespace"]
        objects_by_kind: dict[tuple[str, str], list[dict]] = {}
        for kind in quota.counted_kinds((current.get("spec") or {}).get("hard") or {}):
            objects = await self._objects(kind, namespace)
            if objects is not None:
                objects_by_kind[kind] = objects
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
