# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The API server's watch cache: one per resource type, so list and watch never query the
store.

It lists the type's prefix once, then follows the store's watch. Every object is kept
decoded (with metadata.resourceVersion set) and encoded (`raw`, computed once per write) so
responses are spliced from bytes. The last `history_size` changes are kept in a ring so a
watch can resume from a recent resourceVersion; older ones get TooOldError (HTTP 410).
"""
from __future__ import annotations

import asyncio
import bisect
import logging
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Literal

import orjson

from kybernetes.storage.interface import Event, Store
from kybernetes.storage.memory import prefix_end

log = logging.getLogger(__name__)

Indexer = Callable[[dict], list[str]]
Predicate = Callable[[dict], bool]


class CachedObject:
    """One object as the cache holds it. `obj` is shared: treat it as read-only."""
    __slots__ = ("key", "namespace", "name", "obj", "raw", "revision")

    def __init__(self, key: str, namespace: str, name: str, obj: dict, raw: bytes,
                 revision: int) -> None:
        self.key = key
        self.namespace = namespace
        self.name = name
        self.obj = obj
        self.raw = raw
        self.revision = revision

    def __repr__(self) -> str:
        return f"CachedObject({self.key!r}, revision={self.revision})"


@dataclass(slots=True)
class WatchEvent:
    type: Literal["ADDED", "MODIFIED", "DELETED"]
    obj: CachedObject

    @property
    def revision(self) -> int:
        return self.obj.revision


class TooOldError(Exception):
    """The requested resourceVersion is older than the history kept (HTTP 410 Expired)."""

    def __init__(self, requested: int, oldest: int) -> None:
        super().__init__(f"too old resource version: {requested} ({oldest})")
        self.requested = requested
        self.oldest = oldest


class _Change:
    """One applied store event. For a delete, `obj` is the last state with the delete's
    revision; `prev` is the state before the change (None on create)."""
    __slots__ = ("revision", "deleted", "obj", "prev")

    def __init__(self, revision: int, deleted: bool, obj: CachedObject,
                 prev: CachedObject | None) -> None:
        self.revision = revision
        self.deleted = deleted
        self.obj = obj
        self.prev = prev


class CacheWatcher:
    """An async iterator of WatchEvents. `await next(timeout)` returns None on timeout;
    both raise TooOldError once the watcher fell too far behind and was dropped, and end
    (StopAsyncIteration) after close() or when the cache stops."""

    def __init__(self, cache: WatchCache, position: int, namespace: str | None,
                 predicate: Predicate | None, index: tuple[str, str] | None,
                 queue_size: int) -> None:
        self._cache = cache
        self._namespace = namespace
        self._predicate = predicate
        self._index = index
        self._queue_size = queue_size
        self._backlog: deque[WatchEvent] = deque()  # initial events: not bounded
        self._queue: deque[WatchEvent] = deque()
        self._start_revision = position
        self._position = position  # revision of the newest event taken by the reader
        self._backlog_position = position
        self._waiter: asyncio.Future | None = None
        self._error: Exception | None = None
        self._closed = False

    def matches(self, cached: CachedObject) -> bool:
        if self._namespace is not None and cached.namespace != self._namespace:
            return False
        if self._index is not None:
            name, value = self._index
            if value not in self._cache._values_of(cached.obj, name):
                return False
        if self._predicate is not None:
            try:
                return bool(self._predicate(cached.obj))
            except Exception:  # a selector on a field the object lacks: no match
                return False
        return True

    def _event_for(self, change: _Change) -> WatchEvent | None:
        was = change.prev is not None and self.matches(change.prev)
        if change.deleted:
            return WatchEvent("DELETED", change.obj) if was else None
        now = self.matches(change.obj)
        if now:
            return WatchEvent("MODIFIED" if was else "ADDED", change.obj)
        return WatchEvent("DELETED", change.obj) if was else None

    def _deliver(self, change: _Change) -> None:
        if change.revision <= self._start_revision:
            return
        event = self._event_for(change)
        if event is None:
            return
        if len(self._queue) >= self._queue_size:
            self._fail(TooOldError(self._position, self._cache._oldest))
            return
        self._queue.append(event)
        self._wake()

    def _fail(self, error: Exception) -> None:
        self._error = error
        self._backlog.clear()
        self._queue.clear()
        self._cache._unregister(self)
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    @property
    def bookmark_revision(self) -> int:
        """A revision every event up to which this reader has received."""
        if not self._backlog and not self._queue and self._error is None:
            return max(self._cache.revision, self._position)
        return self._position

    @property
    def closed(self) -> bool:
        return self._closed

    def _take(self) -> WatchEvent | None:
        if self._backlog:
            event = self._backlog.popleft()
            if not self._backlog:
                self._position = max(self._position, self._backlog_position)
            return event
        if self._queue:
            event = self._queue.popleft()
            self._position = event.obj.revision
            return event
        if self._error is not None:
            raise self._error
        if self._closed:
            raise StopAsyncIteration
        return None

    async def next(self, timeout: float | None = None) -> WatchEvent | None:
        """The next event, or None if none came within `timeout` seconds."""
        event = self._take()
        if event is not None:
            return event
        loop = asyncio.get_running_loop()
        self._waiter = waiter = loop.create_future()
        timer = None
        if timeout is not None:
            timer = loop.call_later(timeout, lambda: waiter.done() or waiter.set_result(None))
        try:
            await waiter
        finally:
            self._waiter = None
            if timer is not None:
                timer.cancel()
        return self._take()

    def __aiter__(self) -> CacheWatcher:
        return self

    async def __anext__(self) -> WatchEvent:
        while True:
            event = await self.next()
            if event is not None:
                return event

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._backlog.clear()
        self._queue.clear()
        self._cache._unregister(self)
        self._wake()

    async def __aenter__(self) -> CacheWatcher:
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        self.close()


class WatchCache:
    """The objects under one prefix (one resource type), kept current from the store.
    Use it from the event loop that started it; everything but start/stop/wait_fresh is
    synchronous and never touches the store."""

    def __init__(self, store: Store, prefix: str, *, decode: Callable[[bytes], Any] = orjson.loads,
                 history_size: int = 10000, indexers: dict[str, Indexer] | None = None) -> None:
        self.store = store
        self.prefix = prefix if prefix.endswith("/") else prefix + "/"
        self.revision = 0
        self._decode = decode
        self._history: deque[_Change] = deque(maxlen=max(1, history_size))
        self._oldest = 0  # a watch may start at any revision >= this
        self._indexers = dict(indexers or {})
        self._objects: dict[str, CachedObject] = {}
        self._keys: list[str] = []  # sorted; a namespace's keys are contiguous
        self._indexed: dict[str, dict[str, list[str]]] = {}  # key -> indexer -> values
        self._indexes: dict[str, dict[str, set[str]]] = {name: {} for name in self._indexers}
        self._watchers: set[CacheWatcher] = set()
        self._watchers_by_namespace: dict[str, set[CacheWatcher]] = {}
        self._watchers_by_index: dict[tuple[str, str], set[CacheWatcher]] = {}
        self._fresh_waiters: list[tuple[int, asyncio.Future]] = []
        self._stream = None
        self._task: asyncio.Task | None = None

    # ---- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        """List the prefix, then follow the store in a background task."""
        ready = asyncio.get_running_loop().create_future()
        self._task = asyncio.create_task(self._follow(ready), name=f"watchcache {self.prefix}")
        await ready

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        self._close_stream()
        for watcher in self._all_watchers():
            watcher.close()
        for _, waiter in self._fresh_waiters:
            if not waiter.done():
                waiter.cancel()
        self._fresh_waiters.clear()

    def _close_stream(self) -> None:
        if self._stream is not None and hasattr(self._stream, "close"):
            self._stream.close()
        self._stream = None

    async def _follow(self, ready: asyncio.Future) -> None:
        while True:
            try:
                items, revision = await self.store.range(self.prefix)
                self._replace(items, revision)
                if not ready.done():
                    ready.set_result(None)
                self._stream = self.store.watch(self.prefix, revision + 1)
                async for event in self._stream:
                    self._apply(event)
                    self._note_progress()
                return  # the store closed the watch
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if not ready.done():
                    ready.set_exception(error)
                    return
                log.warning("watch cache %s: %s; listing again", self.prefix, error)
                self._close_stream()
                await asyncio.sleep(0.5)

    # ---- state -----------------------------------------------------------------------

    def _split_key(self, key: str) -> tuple[str, str]:
        rest = key[len(self.prefix):]
        namespace, _, name = rest.rpartition("/")
        return namespace, name

    def _cached(self, key: str, obj: dict, revision: int) -> CachedObject:
        metadata = obj.get("metadata")
        if not isinstance(metadata, dict):
            metadata = obj["metadata"] = {}
        metadata["resourceVersion"] = str(revision)
        namespace, name = self._split_key(key)
        raw = orjson.dumps(obj)
        if "managedFields" in metadata:
            # managedFields are in `raw` (what get, list and watch send); the parsed copy,
            # read by selectors and printers, leaves their many small dicts out: they are
            # a third or more of an object's memory
            obj = dict(obj, metadata={k: v for k, v in metadata.items() if k != "managedFields"})
        return CachedObject(key, namespace, name, obj, raw, revision)

    def _put(self, cached: CachedObject) -> None:
        key = cached.key
        if key in self._objects:
            self._unindex(key)
        else:
            bisect.insort(self._keys, key)
        self._objects[key] = cached
        values_by_indexer = {}
        for name, function in self._indexers.items():
            try:
                values = list(function(cached.obj))
            except Exception:
                values = []
            values_by_indexer[name] = values
            index = self._indexes[name]
            for value in values:
                index.setdefault(value, set()).add(key)
        self._indexed[key] = values_by_indexer

    def _unindex(self, key: str) -> None:
        for name, values in self._indexed.pop(key, {}).items():
            index = self._indexes[name]
            for value in values:
                keys = index.get(value)
                if keys is not None:
                    keys.discard(key)
                    if not keys:
                        del index[value]

    def _remove(self, key: str) -> None:
        if self._objects.pop(key, None) is None:
            return
        self._unindex(key)
        del self._keys[bisect.bisect_left(self._keys, key)]

    def _replace(self, items: list, revision: int) -> None:
        """Start over from a fresh list (at start, or after losing the store's watch)."""
        for watcher in self._all_watchers():
            watcher._fail(TooOldError(watcher._position, revision))
        self._objects.clear()
        self._keys.clear()
        self._indexed.clear()
        for index in self._indexes.values():
            index.clear()
        for kv in items:
            self._put(self._cached(kv.key, self._decode(kv.value), kv.mod_revision))
        self._history.clear()
        self._oldest = revision
        self._set_revision(revision)

    def _apply(self, event: Event) -> None:
        key, revision = event.kv.key, event.kv.mod_revision
        previous = self._objects.get(key)
        if event.type == "DELETE":
            base = previous.obj if previous is not None else self._decode(event.kv.value)
            obj = {**base, "metadata": dict(base.get("metadata") or {})}
            cached = self._cached(key, obj, revision)
            self._remove(key)
        else:
            cached = self._cached(key, self._decode(event.kv.value), revision)
            self._put(cached)
        change = _Change(revision, event.type == "DELETE", cached, previous)
        history = self._history
        if len(history) == history.maxlen:
            self._oldest = history[0].revision
        history.append(change)
        self.revision = max(self.revision, revision)
        for watcher in self._watchers_for(change):
            watcher._deliver(change)
        self._wake_fresh()

    # ---- freshness -------------------------------------------------------------------

    def _set_revision(self, revision: int) -> None:
        if revision > self.revision:
            self.revision = revision
            self._wake_fresh()

    def _note_progress(self) -> None:
        # Our store backends say up to which revision the watch has delivered everything
        # under our prefix; that lets the cache's revision follow writes to other types.
        progress = getattr(self._stream, "progress_revision", None)
        if progress is not None:
            self._set_revision(progress)

    def _wake_fresh(self) -> None:
        if not self._fresh_waiters:
            return
        still = []
        for revision, waiter in self._fresh_waiters:
            if self.revision >= revision:
                if not waiter.done():
                    waiter.set_result(None)
            elif not waiter.done():
                still.append((revision, waiter))
        self._fresh_waiters = still

    async def wait_fresh(self, revision: int) -> None:
        """Return once the cache has applied everything up to `revision`."""
        self._note_progress()
        if self.revision >= revision:
            return
        if self._stream is not None and not hasattr(self._stream, "progress_revision"):
            await self._wait_fresh_without_progress(revision)
            return
        waiter = asyncio.get_running_loop().create_future()
        self._fresh_waiters.append((revision, waiter))
        # Events under our prefix wake the waiter; a write under another prefix only moves
        # the stream's progress, which a remote backend (etcd) reports after the write
        # returned: look at it again shortly until it covers `revision`.
        while not waiter.done():
            await asyncio.wait([waiter], timeout=0.005)
            self._note_progress()
        await waiter

    async def _wait_fresh_without_progress(self, revision: int) -> None:
        # A backend that cannot report progress: once the store itself is at `revision`,
        # give the watch a moment to deliver anything pending, then count it as seen.
        while self.revision < revision:
            current = await self.store.current_revision()
            await asyncio.sleep(0.05)
            if current >= revision:
                self._set_revision(current)

    async def wait_consistent(self) -> int:
        """Wait until the cache holds everything the store has acknowledged; returns the
        cache's revision (what a consistent list reports)."""
        await self.wait_fresh(await self.store.current_revision())
        return self.revision

    # ---- reads -----------------------------------------------------------------------

    @property
    def oldest_revision(self) -> int:
        """The oldest revision a watch (or a continued list) may start from."""
        return self._oldest

    def __len__(self) -> int:
        return len(self._objects)

    def get(self, key: str) -> CachedObject | None:
        return self._objects.get(key)

    def list(self, namespace: str | None = None, index: tuple[str, str] | None = None,
             predicate: Predicate | None = None) -> tuple[list[CachedObject], int]:
        """Objects sorted by key, filtered, and the revision they are current at."""
        objects = self._objects
        if index is not None:
            name, value = index
            if name not in self._indexes:
                raise KeyError(f"no index {name!r}")
            found = [objects[key] for key in sorted(self._indexes[name].get(value, ()))]
            if namespace is not None:
                found = [o for o in found if o.namespace == namespace]
        elif namespace:
            start = self.prefix + namespace + "/"
            low = bisect.bisect_left(self._keys, start)
            high = bisect.bisect_left(self._keys, prefix_end(start))
            found = [objects[key] for key in self._keys[low:high]]
        elif namespace == "":
            found = [objects[key] for key in self._keys if objects[key].namespace == ""]
        else:
            found = [objects[key] for key in self._keys]
        if predicate is not None:
            found = [o for o in found if _safe_match(predicate, o.obj)]
        return found, self.revision

    # ---- watch -----------------------------------------------------------------------

    def watch(self, start_revision: int, predicate: Predicate | None = None,
              namespace: str | None = None, queue_size: int = 1000,
              index: tuple[str, str] | None = None) -> CacheWatcher:
        """Changes after `start_revision` (0: ADDED for every current object first).
        `index` narrows the watch like list's (and lets the cache skip this watcher for
        unrelated changes). TooOldError if history no longer reaches `start_revision`."""
        if index is not None and index[0] not in self._indexes:
            raise KeyError(f"no index {index[0]!r}")
        if start_revision > 0 and start_revision < self._oldest:
            raise TooOldError(start_revision, self._oldest)
        start_revision = max(start_revision, 0)
        watcher = CacheWatcher(self, start_revision or self.revision, namespace, predicate,
                               index, queue_size)
        if start_revision == 0:
            current, _ = self.list(namespace=namespace, index=index)
            for cached in current:
                if watcher.matches(cached):
                    watcher._backlog.append(WatchEvent("ADDED", cached))
            watcher._backlog_position = self.revision
        else:
            replay = []
            for change in reversed(self._history):
                if change.revision <= start_revision:
                    break
                replay.append(change)
            for change in reversed(replay):
                event = watcher._event_for(change)
                if event is not None:
                    watcher._backlog.append(event)
            watcher._backlog_position = max(start_revision, self.revision)
        self._register(watcher)
        return watcher

    def _register(self, watcher: CacheWatcher) -> None:
        if watcher._index is not None:
            self._watchers_by_index.setdefault(watcher._index, set()).add(watcher)
        elif watcher._namespace is not None:
            self._watchers_by_namespace.setdefault(watcher._namespace, set()).add(watcher)
        else:
            self._watchers.add(watcher)

    def _all_watchers(self) -> list[CacheWatcher]:
        found = list(self._watchers)
        for group in (self._watchers_by_namespace, self._watchers_by_index):
            for watchers in group.values():
                found.extend(watchers)
        return found

    def _unregister(self, watcher: CacheWatcher) -> None:
        self._watchers.discard(watcher)
        for group, key in ((self._watchers_by_index, watcher._index),
                           (self._watchers_by_namespace, watcher._namespace)):
            watchers = group.get(key)
            if watchers is not None:
                watchers.discard(watcher)
                if not watchers:
                    del group[key]

    def _watchers_for(self, change: _Change) -> list[CacheWatcher]:
        found = list(self._watchers)
        by_namespace = self._watchers_by_namespace.get(change.obj.namespace)
        if by_namespace:
            found.extend(by_namespace)
        if self._watchers_by_index:
            seen: set[CacheWatcher] = set()
            for name in self._indexers:
                values = set(self._values_of(change.obj.obj, name))
                if change.prev is not None:
                    values.update(self._values_of(change.prev.obj, name))
                for value in values:
                    for watcher in self._watchers_by_index.get((name, value), ()):
                        if watcher not in seen:
                            seen.add(watcher)
                            found.append(watcher)
        return found

    def _values_of(self, obj: dict, indexer: str) -> list[str]:
        try:
            return list(self._indexers[indexer](obj))
        except Exception:
            return []


def _safe_match(predicate: Predicate, obj: dict) -> bool:
    try:
        return bool(predicate(obj))
    except Exception:
        return False
