# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Watch: a chunked stream of `{"type": ..., "object": ...}` lines, one per event,
served from the watch cache, with bookmarks, initial events and timeouts as upstream."""
from __future__ import annotations

import asyncio
import random
import time
from typing import TYPE_CHECKING, Callable

import orjson
from aiohttp import web

from kybernetes.api.resources import ResourceType
from kybernetes.apiserver import codec, errors
from kybernetes.apiserver.conversion import storage_type
from kybernetes.apiserver.requestinfo import RequestInfo
from kybernetes.storage.watchcache import TooOldError

if TYPE_CHECKING:
    from kybernetes.apiserver.server import APIServer

BOOKMARK_INTERVAL = 10.0  # upstream sends them about once a minute; sooner is harmless


def _event_line(kind: str, raw: bytes) -> bytes:
    return b'{"type":"' + kind.encode() + b'","object":' + raw + b"}\n"


def _too_old_line(requested: int, current: int) -> bytes:
    status = errors.gone(f"too old resource version: {requested} ({current})").status()
    return orjson.dumps({"type": "ERROR", "object": status}) + b"\n"


async def serve_watch(server: "APIServer", request: web.Request, info: RequestInfo,
                      rt: ResourceType, predicate: Callable[[dict], bool] | None) -> web.StreamResponse:
    query = request.query
    rv_text = query.get("resourceVersion", "")
    send_initial = query.get("sendInitialEvents")
    match = query.get("resourceVersionMatch", "")
    if send_initial is not None and send_initial not in ("true", "false"):
        raise errors.bad_request(f'sendInitialEvents: Invalid value: "{send_initial}"')
    if send_initial and match != "NotOlderThan":
        raise errors.ApiError(422, "Invalid", 'ListOptions.meta.k8s.io "" is invalid: '
                              'resourceVersionMatch: Forbidden: sendInitialEvents requires setting '
                              'resourceVersionMatch to NotOlderThan',
                              causes=[{"reason": "FieldValueForbidden", "field": "resourceVersionMatch",
                                       "message": "Forbidden: sendInitialEvents requires setting "
                                                  "resourceVersionMatch to NotOlderThan"}])
    if match and not send_initial:
        raise errors.ApiError(422, "Invalid", 'ListOptions.meta.k8s.io "" is invalid: '
                              'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch '
                              'unless sendInitialEvents is provided',
                              causes=[{"reason": "FieldValueForbidden", "field": "resourceVersionMatch",
                                       "message": "Forbidden: resourceVersionMatch is forbidden for "
                                                  "watch unless sendInitialEvents is provided"}])
    try:
        timeout = float(query["timeoutSeconds"]) if "timeoutSeconds" in query else \
            random.uniform(1800, 3600)
    except ValueError:
        raise errors.bad_request("timeoutSeconds must be an integer") from None
    bookmarks = query.get("allowWatchBookmarks") in ("true", "1")
    objects = server.objects
    cache = objects.cache(rt)
    namespace = info.namespace if rt.namespaced else None
    # initial events: RV unset or "0" (or sendInitialEvents=true) means "current state first"
    if send_initial == "true" or (rv_text in ("", "0") and send_initial is None):
        initial = True
        if rv_text == "":
            await cache.wait_fresh(await server.store.current_revision())
        elif rv_text != "0":
            from kybernetes.apiserver.objects import parse_rv
            await cache.wait_fresh(parse_rv(rv_text))
        start = None
    else:
        initial = False
        from kybernetes.apiserver.objects import parse_rv
        start = parse_rv(rv_text) if rv_text else None

    converted = storage_type(server.registry, rt) is not rt
    as_table = codec.wants_table(request.headers.get("Accept", ""))
    printer = server.table_printer(rt) if as_table else None
    include = query.get("includeObject", "Metadata")
    first_table = [True]

    def encode(kind: str, cached) -> bytes:
        if printer is not None:
            obj = objects.view(rt, cached)
            table = printer.table([obj], include, with_columns=first_table[0])
            first_table[0] = False
            return _event_line(kind, orjson.dumps(table))
        raw = orjson.dumps(objects.view(rt, cached)) if converted else cached.raw
        return _event_line(kind, raw)

    response = web.StreamResponse(status=200, headers={
        "Content-Type": codec.TABLE_MEDIA if as_table else "application/json",
        "Cache-Control": "no-cache, private"})
    response.enable_chunked_encoding()

    if initial:
        items, revision = cache.list(namespace=namespace, predicate=predicate)
        start = revision
    else:
        items = []
        if start is None:
            start = cache.revision
    try:
        watcher = cache.watch(start, predicate=predicate, namespace=namespace)
    except TooOldError:
        await response.prepare(request)
        await response.write(_too_old_line(start, cache.revision))
        return response
    server.metrics.watchers_add(rt, 1)
    try:
        await response.prepare(request)
        if items:
            await response.write(b"".join(encode("ADDED", item) for item in items))
        if send_initial == "true" and bookmarks:
            await response.write(_bookmark(rt, start, initial_end=True))
        deadline = time.monotonic() + timeout
        last_bookmark = time.monotonic()
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            wait = min(remaining, BOOKMARK_INTERVAL) if bookmarks else remaining
            try:
                event = await watcher.next(wait)
            except TooOldError:
                await response.write(_too_old_line(start, cache.revision))
                break
            except StopAsyncIteration:  # the cache stopped: the server is shutting down
                break
            if event is None:
                if bookmarks and time.monotonic() - last_bookmark >= BOOKMARK_INTERVAL - 0.01:
                    await response.write(_bookmark(rt, watcher.bookmark_revision))
                    last_bookmark = time.monotonic()
                continue
            chunk = [encode(event.type, event.obj)]
            # drain what is already queued into one write
            for _ in range(256):
                more = watcher.next_nowait() if hasattr(watcher, "next_nowait") else None
                if more is None:
                    break
                chunk.append(encode(more.type, more.obj))
            await response.write(b"".join(chunk))
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        server.metrics.watchers_add(rt, -1)
        watcher.close()
    return response


def _bookmark(rt: ResourceType, revision: int, initial_end: bool = False) -> bytes:
    meta: dict = {"resourceVersion": str(revision)}
    if initial_end:
        meta["annotations"] = {"k8s.io/initial-events-end": "true"}
    return orjson.dumps({"type": "BOOKMARK", "object": {
        "kind": rt.kind, "apiVersion": rt.api_version, "metadata": meta}}) + b"\n"
