# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Recording core/v1 Events about objects, aggregated as client-go's recorder does: the
same (object, reason, message) again bumps `count` and `lastTimestamp` instead of
making a new Event."""
from __future__ import annotations

import asyncio
import hashlib
import logging
import socket
from datetime import datetime, timezone

from kybernetes.apiserver.errors import ApiError
from kybernetes.client.rest import Client, resource

log = logging.getLogger("kybernetes.events")
EVENTS = resource("events")


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def object_reference(obj: dict) -> dict:
    meta = obj.get("metadata") or {}
    ref = {"kind": obj.get("kind", ""), "apiVersion": obj.get("apiVersion", ""),
           "name": meta.get("name", ""), "uid": meta.get("uid", ""),
           "resourceVersion": meta.get("resourceVersion", "")}
    if meta.get("namespace"):
        ref["namespace"] = meta["namespace"]
    return ref


class EventRecorder:
    def __init__(self, client: Client, component: str, host: str | None = None) -> None:
        self.client = client
        self.component = component
        self.host = host or socket.gethostname()
        self._seen: dict[str, tuple[str, int]] = {}  # aggregation key -> (event name, count)
        self._pending: set[asyncio.Task] = set()

    def event(self, obj: dict, event_type: str, reason: str, message: str) -> None:
        """Record without waiting (recording never blocks or fails the caller)."""
        task = asyncio.get_running_loop().create_task(self.record(obj, event_type, reason, message))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def record(self, obj: dict, event_type: str, reason: str, message: str) -> None:
        ref = object_reference(obj)
        namespace = ref.get("namespace") or "default"
        key = "|".join((ref["kind"], namespace, ref["name"], ref["uid"], reason, message, event_type))
        now = _now()
        try:
            seen = self._seen.get(key)
            if seen is not None:
                name, count = seen
                try:
                    await self.client.patch(EVENTS, name, {"count": count + 1, "lastTimestamp": now},
                                            namespace)
                    self._seen[key] = (name, count + 1)
                    return
                except ApiError as exc:
                    if exc.code != 404:
                        raise
            digest = hashlib.sha1(key.encode()).hexdigest()[:8]
            name = f"{ref['name']}.{digest}{int(datetime.now().timestamp() * 1000) % 100000:05d}"
            event = {"apiVersion": "v1", "kind": "Event",
                     "metadata": {"name": name, "namespace": namespace},
                     "involvedObject": ref, "reason": reason, "message": message[:1024],
                     "type": event_type, "count": 1, "firstTimestamp": now, "lastTimestamp": now,
                     "source": {"component": self.component, "host": self.host},
                     "reportingComponent": self.component, "reportingInstance": self.host}
            await self.client.create(EVENTS, event, namespace)
            self._seen[key] = (name, 1)
            if len(self._seen) > 4096:
                self._seen.pop(next(iter(self._seen)))
        except Exception as exc:  # events are best effort, as upstream
            log.debug("event %s on %s/%s not recorded: %s", reason, namespace, ref["name"], exc)

    async def flush(self) -> None:
        if self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)
