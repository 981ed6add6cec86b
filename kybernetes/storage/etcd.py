# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The etcd v3 backend, spoken through etcd's JSON gateway (`/v3/kv/*`, `/v3/watch`) so
no gRPC stack is needed: etcd's revisions are the store's revisions, its transactions
the compare-and-swap, its watch the change feed.

One watch on the whole key space feeds every `watch()` through the same fan-out the
local backends use; since every write moves that stream, its position tells a watch
cache it is fresh. A short in-memory history of that stream serves watches that start
slightly in the past (a cache that listed at revision R watches from R+1); anything
older is refused with CompactedError and the caller lists again.
"""
from __future__ import annotations

import asyncio
import base64
import logging
import ssl
from collections import deque
from typing import AsyncIterator

import aiohttp
import orjson

from kybernetes.storage.interface import (CompactedError, Event, KeyExistsError,
                                          KeyNotFoundError, KeyValue, RevisionMismatchError,
                                          StorageError, Store)
from kybernetes.storage.memory import WatchFanout, prefix_end

log = logging.getLogger("kybernetes.storage.etcd")
HISTORY = 20000  # events of the shared stream kept for watches starting in the past
ALL_KEYS = "\x00"  # with range_end "\x00": every key


def _b64(text: str | bytes) -> str:
    data = text.encode() if isinstance(text, str) else text
    return base64.b64encode(data).decode()


def _unb64(text: str | None) -> bytes:
    return base64.b64decode(text) if text else b""


def _kv(raw: dict) -> KeyValue:
    return KeyValue(_unb64(raw.get("key")).decode(), _unb64(raw.get("value")),
                    int(raw.get("create_revision", 0)), int(raw.get("mod_revision", 0)))


def _events(result: dict) -> list[Event]:
    """The store events of one watch response."""
    events = []
    for raw in result.get("events") or []:
        kv = _kv(raw["kv"])
        prev = _kv(raw["prev_kv"]) if raw.get("prev_kv") else None
        if raw.get("type") == "DELETE":
            value = prev.value if prev else b""
            create = prev.create_revision if prev else 0
            events.append(Event("DELETE", KeyValue(kv.key, value, create, kv.mod_revision), prev))
        else:
            events.append(Event("PUT", kv, prev if kv.create_revision != kv.mod_revision else None))
    return events


class EtcdStore(Store):
    def __init__(self, endpoints: list[str], *, ca_file: str | None = None,
                 cert_file: str | None = None, key_file: str | None = None) -> None:
        if not endpoints:
            raise ValueError("etcd: at least one endpoint is needed")
        self.endpoints = [e.rstrip("/") for e in endpoints]
        self._current = 0  # index of the endpoint in use
        self._ssl: ssl.SSLContext | None = None
        if ca_file or cert_file:
            self._ssl = ssl.create_default_context(cafile=ca_file)
            if cert_file:
                self._ssl.load_cert_chain(cert_file, key_file)
        self._session: aiohttp.ClientSession | None = None
        self._fanout: WatchFanout | None = None
        self._history: deque[Event] = deque(maxlen=HISTORY)
        self._stream_task: asyncio.Task | None = None
        self._started: asyncio.Future | None = None
        self._compacted = 0
        self._latest = 0  # the newest revision an answer from etcd has shown
        self._closed = False

    # ---------------------------------------------------------------- transport
    def _session_or_new(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=self._ssl if self._ssl else None, limit=64),
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=3),
                json_serialize=lambda o: orjson.dumps(o).decode())
        return self._session

    async def _call(self, path: str, body: dict) -> dict:
        """POST to the gateway, failing over to the next endpoint when one is down.

        A read is simply sent again. A transaction is sent again only when it never
        reached a member (connection refused): once sent, a timeout or a dropped
        connection leaves it unknown whether it was applied, and a resend could apply it
        twice or answer a create that succeeded with "already exists". That is an error
        for the caller, as etcd's own client reports it."""
        mutates = path != "/v3/kv/range"
        last_error: Exception | None = None
        for attempt in range(len(self.endpoints) * 2):
            endpoint = self.endpoints[self._current]
            try:
                async with self._session_or_new().post(
                        endpoint + path, data=orjson.dumps(body),
                        timeout=aiohttp.ClientTimeout(total=10)) as response:
                    payload = await response.read()
                    data = orjson.loads(payload) if payload else {}
                    header_revision = int((data.get("header") or {}).get("revision", 0) or 0)
                    if header_revision > self._latest:
                        self._latest = header_revision
                    if response.status != 200:
                        message = data.get("message") or data.get("error") or payload.decode()
                        if "compacted" in message:
                            raise CompactedError(int(body.get("revision", 0) or 0), self._compacted)
                        raise StorageError(f"etcd {path}: {message}")
                    return data
            except (aiohttp.ClientConnectionError, asyncio.TimeoutError) as exc:
                last_error = exc
                self._current = (self._current + 1) % len(self.endpoints)
                if mutates and not isinstance(exc, aiohttp.ClientConnectorError):
                    raise StorageError(f"etcd {path}: the request's outcome is unknown "
                                       f"(the member failed after it was sent: {exc or 'timeout'})") from None
                if attempt >= len(self.endpoints) - 1:
                    await asyncio.sleep(0.2)
        raise StorageError(f"etcd unreachable ({', '.join(self.endpoints)}): {last_error}")

    # ---------------------------------------------------------------- the shared watch
    async def _start(self) -> None:
        """Open the shared watch once, before the first operation, so that a watch from
        "now" (revision 0) starts after every write this store has made."""
        if self._started is not None and self._started.done() and not self._started.exception():
            return
        if self._started is None:
            self._started = asyncio.get_running_loop().create_future()
            try:
                revision = await self._revision_now()
                self._fanout = WatchFanout(revision)
                self._stream_task = asyncio.create_task(self._follow(revision + 1))
                self._started.set_result(None)
            except Exception as exc:
                self._started.set_exception(exc)
                self._started.exception()  # read here: callers get `exc` raised below
                self._started = None
                raise
        await self._started

    async def _follow(self, start: int) -> None:
        while not self._closed:
            endpoint = self.endpoints[self._current]
            try:
                async for message in self._watch_messages(endpoint, start, progress=True):
                    start = self._on_watch_message(message, start)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a member died: go on from where we were elsewhere
                log.warning("etcd watch on %s: %r; reconnecting", endpoint, exc)
                self._current = (self._current + 1) % len(self.endpoints)
                await asyncio.sleep(0.2)

    async def _watch_messages(self, endpoint: str, start: int, progress: bool = False):
        """The JSON messages of a gateway watch on every key from revision `start`."""
        request = {"create_request": {"key": _b64(ALL_KEYS), "range_end": _b64(ALL_KEYS),
                                      "start_revision": str(start), "prev_kv": True,
                                      "progress_notify": progress}}
        async with self._session_or_new().post(endpoint + "/v3/watch",
                                               data=orjson.dumps(request)) as response:
            buffer = b""
            async for chunk in response.content.iter_any():
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    if line.strip():
                        yield orjson.loads(line)

    def _on_watch_message(self, message: dict, start: int) -> int:
        result = message.get("result") or {}
        if result.get("compact_revision"):
            # the stream fell behind a compaction: nothing can be replayed; watchers
            # registered on the fan-out must list again
            log.warning("etcd watch compacted at %s", result["compact_revision"])
            self._fanout.close_all()
            return int(result.get("header", {}).get("revision", start))
        events = _events(result)
        if events:
            self._history.extend(events)
            self._fanout.publish(events)
            return events[-1].revision + 1
        header_revision = int((result.get("header") or {}).get("revision", 0) or 0)
        if header_revision > self._fanout.revision and not result.get("created"):
            self._fanout.revision = header_revision  # progress: nothing below is pending
        return start

    async def _replay(self, prefix: str, from_revision: int, to_revision: int,
                      limit: int) -> list[Event]:
        oldest = self._history[0].revision if self._history else self._fanout.revision + 1
        out: list[Event] = []
        if from_revision < oldest and from_revision <= to_revision:
            # older than this process's stream: etcd still has it (unless compacted)
            out = await self._replay_from_etcd(prefix, from_revision,
                                               min(to_revision, oldest - 1), limit)
            if len(out) >= limit:
                return out
            from_revision = oldest
        for event in self._history:
            if from_revision <= event.revision <= to_revision and event.kv.key.startswith(prefix):
                out.append(event)
                if len(out) >= limit:
                    break
        return out

    async def _replay_from_etcd(self, prefix: str, from_revision: int, to_revision: int,
                                limit: int) -> list[Event]:
        """History older than this process's stream, read back from etcd with a watch on
        every key from `from_revision`: revisions are dense (each one is a write), so
        the watch reaches `to_revision` and stops there."""
        if to_revision <= 1 or from_revision > to_revision:
            return []
        out: list[Event] = []
        endpoint = self.endpoints[self._current]

        async def read() -> None:
            async for message in self._watch_messages(endpoint, from_revision):
                result = message.get("result") or {}
                if result.get("compact_revision"):
                    raise CompactedError(from_revision, int(result["compact_revision"]))
                for event in _events(result):
                    if event.revision > to_revision:
                        return
                    if event.kv.key.startswith(prefix):
                        out.append(event)
                        if len(out) >= limit:
                            return
                    if event.revision == to_revision:
                        return
        try:
            await asyncio.wait_for(read(), 30)
        except asyncio.TimeoutError:
            raise CompactedError(from_revision, to_revision) from None  # the caller relists
        return out

    # ---------------------------------------------------------------- Store
    async def current_revision(self) -> int:
        await self._start()
        return await self._revision_now()

    async def _revision_now(self) -> int:
        data = await self._call("/v3/kv/range", {"key": _b64(ALL_KEYS), "count_only": True,
                                                 "limit": "1"})
        return int(data["header"]["revision"])

    async def compacted_revision(self) -> int:
        return self._compacted

    async def get(self, key: str) -> KeyValue | None:
        await self._start()
        data = await self._call("/v3/kv/range", {"key": _b64(key)})
        kvs = data.get("kvs") or []
        return _kv(kvs[0]) if kvs else None

    async def range(self, prefix: str, limit: int = 0,
                    start_after: str = "") -> tuple[list[KeyValue], int]:
        await self._start()
        start = start_after + "\x00" if start_after else prefix
        end = prefix_end(prefix)
        body = {"key": _b64(start or ALL_KEYS), "range_end": _b64(end or ALL_KEYS)}
        if limit:
            body["limit"] = str(limit)
        data = await self._call("/v3/kv/range", body)
        return [_kv(raw) for raw in data.get("kvs") or []], int(data["header"]["revision"])

    async def count(self, prefix: str) -> int:
        await self._start()
        end = prefix_end(prefix)
        data = await self._call("/v3/kv/range", {"key": _b64(prefix), "range_end": _b64(end or ALL_KEYS),
                                                 "count_only": True})
        return int(data.get("count", 0) or 0)

    async def _txn(self, key: str, compare: dict, success: dict) -> dict:
        await self._start()
        return await self._call("/v3/kv/txn", {
            "compare": [dict(compare, key=_b64(key))], "success": [success],
            "failure": [{"request_range": {"key": _b64(key)}}]})

    def _current_after_failure(self, key: str, data: dict) -> KeyValue | None:
        responses = data.get("responses") or [{}]
        kvs = (responses[0].get("response_range") or {}).get("kvs") or []
        return _kv(kvs[0]) if kvs else None

    async def create(self, key: str, value: bytes) -> int:
        data = await self._txn(key, {"target": "CREATE", "result": "EQUAL", "create_revision": "0"},
                               {"request_put": {"key": _b64(key), "value": _b64(value)}})
        if not data.get("succeeded"):
            raise KeyExistsError(key)
        return int(data["header"]["revision"])

    async def update(self, key: str, value: bytes, expected_mod_revision: int) -> int:
        data = await self._txn(key, {"target": "MOD", "result": "EQUAL",
                                     "mod_revision": str(expected_mod_revision)},
                               {"request_put": {"key": _b64(key), "value": _b64(value)}})
        if data.get("succeeded"):
            return int(data["header"]["revision"])
        current = self._current_after_failure(key, data)
        if current is None:
            raise KeyNotFoundError(key)
        raise RevisionMismatchError(key, current)

    async def delete(self, key: str, expected_mod_revision: int = 0) -> int:
        if expected_mod_revision:
            compare = {"target": "MOD", "result": "EQUAL", "mod_revision": str(expected_mod_revision)}
        else:
            compare = {"target": "CREATE", "result": "GREATER", "create_revision": "0"}
        data = await self._txn(key, compare, {"request_delete_range": {"key": _b64(key)}})
        if data.get("succeeded"):
            return int(data["header"]["revision"])
        current = self._current_after_failure(key, data)
        if current is None:
            raise KeyNotFoundError(key)
        raise RevisionMismatchError(key, current)

    def watch(self, prefix: str, start_revision: int) -> AsyncIterator[Event]:
        if start_revision <= 0 and self._fanout is not None:
            # "from now on": after the shared stream's position and every revision this
            # store has seen acknowledged, whichever is newer
            start_revision = max(self._fanout.revision, self._latest) + 1
        return _LazyWatch(self, prefix, start_revision)

    async def compact(self, revision: int) -> None:
        # compact only what the shared stream has passed: compacting under a lagging
        # stream would cancel it and every watch it feeds
        await self._start()
        target = min(revision, await self._revision_now())  # a future one: etcd refuses it
        for _ in range(2000):
            if self._fanout.revision >= target:
                break
            await asyncio.sleep(0.005)
        try:
            await self._call("/v3/kv/compaction", {"revision": str(revision)})
        except CompactedError:
            pass  # someone (another API server) compacted further already
        self._compacted = max(self._compacted, revision)

    async def close(self) -> None:
        self._closed = True
        if self._stream_task is not None:
            self._stream_task.cancel()
            try:
                await self._stream_task
            except (asyncio.CancelledError, Exception):
                pass
        if self._fanout is not None:
            self._fanout.close_all()
        if self._session is not None:
            await self._session.close()

    async def member_health(self) -> list[tuple[str, bool, str]]:
        """(name, healthy, message) per endpoint, for /readyz and componentstatuses."""
        out = []
        for index, endpoint in enumerate(self.endpoints):
            try:
                async with self._session_or_new().post(
                        endpoint + "/v3/maintenance/status", data=b"{}",
                        timeout=aiohttp.ClientTimeout(total=2)) as response:
                    healthy = response.status == 200
                    out.append((f"etcd-{index}", healthy, '{"health":"true"}' if healthy
                                else f"HTTP {response.status}"))
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                out.append((f"etcd-{index}", False, f"{endpoint}: {exc!r}"))
        return out


class _LazyWatch:
    """`watch()` is synchronous in the interface; the shared stream starts on first use."""

    def __init__(self, store: EtcdStore, prefix: str, start_revision: int) -> None:
        self._store = store
        self._prefix = prefix
        self._start = start_revision
        self._inner = None
        self._closed = False

    @property
    def progress_revision(self) -> int:
        return self._inner.progress_revision if self._inner is not None else 0

    def __aiter__(self) -> "_LazyWatch":
        return self

    async def __anext__(self) -> Event:
        if self._closed:
            raise StopAsyncIteration
        if self._inner is None:
            await self._store._start()
            fanout = self._store._fanout
            if 0 < self._start < self._store._compacted:
                raise CompactedError(self._start, self._store._compacted)
            self._inner = fanout.watch(self._prefix, self._start, self._store._replay)
        return await self._inner.__anext__()

    def close(self) -> None:
        self._closed = True
        if self._inner is not None:
            self._inner.close()

    async def aclose(self) -> None:
        self.close()
