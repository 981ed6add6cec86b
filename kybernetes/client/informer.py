# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Informers: a local, always-current copy of one resource, kept by list + watch, with
change handlers, as client-go's shared informers."""
from __future__ import annotations

import asyncio
import logging
import random
from typing import Awaitable, Callable

from kybernetes.api.resources import ResourceType
from kybernetes.apiserver.errors import ApiError
from kybernetes.client.rest import Client

log = logging.getLogger("kybernetes.informer")

Handler = Callable[[str, dict | None, dict | None], Awaitable[None] | None]


def object_key(obj: dict) -> str:
    """`namespace/name`, or `name` for cluster-scoped objects (client-go's MetaNamespaceKey)."""
    meta = obj.get("metadata") or {}
    namespace = meta.get("namespace")
    return f"{namespace}/{meta['name']}" if namespace else meta["name"]


def split_key(key: str) -> tuple[str | None, str]:
    namespace, _, name = key.rpartition("/")
    return (namespace or None), name


class Informer:
    """Keeps `store` (key -> object) current. Handlers get ("ADDED"|"MODIFIED"|"DELETED",
    old, new) for every change, including a synthetic replay after each relist.
    Objects in the store are shared: treat them as read-only and copy before changing."""

    def __init__(self, client: Client, rt: ResourceType, namespace: str | None = None, *,
                 label_selector: str = "", field_selector: str = "",
                 indexers: dict[str, Callable[[dict], list[str]]] | None = None) -> None:
        self.client = client
        self.rt = rt
        self.namespace = namespace
        self.label_selector = label_selector
        self.field_selector = field_selector
        self.store: dict[str, dict] = {}
        self.indexers = indexers or {}
        self.indices: dict[str, dict[str, set[str]]] = {name: {} for name in self.indexers}
        self.handlers: list[Handler] = []
        self.resource_version = ""
        self.synced = asyncio.Event()
        self._task: asyncio.Task | None = None

    def add_handler(self, handler: Handler) -> None:
        self.handlers.append(handler)

    # ---------------------------------------------------------------- reads
    def get(self, key: str) -> dict | None:
        return self.store.get(key)

    def get_by(self, namespace: str | None, name: str) -> dict | None:
        return self.store.get(f"{namespace}/{name}" if namespace else name)

    def list(self, namespace: str | None = None) -> list[dict]:
        if namespace is None:
            return list(self.store.values())
        prefix = namespace + "/"
        return [obj for key, obj in self.store.items() if key.startswith(prefix)]

    def by_index(self, index: str, value: str) -> list[dict]:
        return [self.store[key] for key in self.indices[index].get(value, ()) if key in self.store]

    # ---------------------------------------------------------------- running
    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"informer-{self.rt.plural}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
            self._task = None

    async def wait_synced(self, timeout: float | None = None) -> None:
        await asyncio.wait_for(self.synced.wait(), timeout)

    async def _run(self) -> None:
        backoff = 0.2
        while True:
            try:
                await self._relist()
                backoff = 0.2
                while True:
                    await self._watch()
            except asyncio.CancelledError:
                raise
            except ApiError as exc:
                if exc.code != 410:
                    log.warning("%s informer: %s", self.rt.plural, exc.message)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 5)
            except Exception as exc:  # connection lost, server restarting: list again
                log.debug("%s informer restarting: %r", self.rt.plural, exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5)

    async def _relist(self) -> None:
        items, rv = await self.client.list(self.rt, self.namespace,
                                           label_selector=self.label_selector,
                                           field_selector=self.field_selector)
        fresh = {object_key(obj): obj for obj in items}
        old_store = self.store
        self.store = {}
        self.indices = {name: {} for name in self.indexers}
        for key, obj in fresh.items():
            self._index(key, obj)
            self.store[key] = obj
        self.resource_version = rv
        for key, obj in fresh.items():
            previous = old_store.get(key)
            if previous is None:
                await self._notify("ADDED", None, obj)
            elif previous.get("metadata", {}).get("resourceVersion") != obj["metadata"].get("resourceVersion"):
                await self._notify("MODIFIED", previous, obj)
        for key, obj in old_store.items():
            if key not in fresh:
                await self._notify("DELETED", obj, None)
        self.synced.set()

    async def _watch(self) -> None:
        timeout = random.randint(300, 600)
        async for kind, obj in self.client.watch(
                self.rt, self.namespace, resource_version=self.resource_version,
                label_selector=self.label_selector, field_selector=self.field_selector,
                timeout_seconds=timeout):
            rv = (obj.get("metadata") or {}).get("resourceVersion")
            if kind == "BOOKMARK":
                self.resource_version = rv or self.resource_version
                continue
            key = object_key(obj)
            old = self.store.get(key)
            if kind == "DELETED":
                self.store.pop(key, None)
                self._unindex(key, old)
                await self._notify("DELETED", old, obj)
            else:
                self._unindex(key, old)
                self._index(key, obj)
                self.store[key] = obj
                await self._notify("ADDED" if old is None else "MODIFIED", old, obj)
            if rv:
                self.resource_version = rv

    def _index(self, key: str, obj: dict) -> None:
        for name, function in self.indexers.items():
            for value in function(obj):
                self.indices[name].setdefault(value, set()).add(key)

    def _unindex(self, key: str, obj: dict | None) -> None:
        if obj is None:
            return
        for name, function in self.indexers.items():
            for value in function(obj):
                bucket = self.indices[name].get(value)
                if bucket is not None:
                    bucket.discard(key)

    async def _notify(self, kind: str, old: dict | None, new: dict | None) -> None:
        for handler in self.handlers:
            try:
                result = handler(kind, old, new)
                if asyncio.iscoroutine(result):
                    await result
            except Exception:  # a handler bug must not stop the informer
                log.exception("%s informer handler failed", self.rt.plural)


class InformerFactory:
    """One informer per resource, shared by every controller in a process."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.informers: dict[tuple, Informer] = {}

    def informer(self, rt: ResourceType, namespace: str | None = None,
                 indexers: dict[str, Callable[[dict], list[str]]] | None = None, *,
                 label_selector: str = "", field_selector: str = "") -> Informer:
        key = (rt.group, rt.version, rt.plural, namespace, label_selector, field_selector)
        informer = self.informers.get(key)
        if informer is None:
            informer = Informer(self.client, rt, namespace, indexers=indexers,
                                label_selector=label_selector, field_selector=field_selector)
            self.informers[key] = informer
        elif indexers:
            for name, function in indexers.items():
                if name not in informer.indexers:
                    informer.indexers[name] = function
                    informer.indices[name] = {}
                    for obj_key, obj in informer.store.items():
                        for value in function(obj):
                            informer.indices[name].setdefault(value, set()).add(obj_key)
        return informer

    def start(self) -> None:
        for informer in self.informers.values():
            informer.start()

    async def wait_synced(self, timeout: float | None = None) -> None:
        await asyncio.gather(*(i.wait_synced(timeout) for i in self.informers.values()))

    async def stop(self) -> None:
        await asyncio.gather(*(i.stop() for i in self.informers.values()))
