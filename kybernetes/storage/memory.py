# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""An in-memory Store (for unit tests and throwaway servers) and the in-process watch
fan-out that every local backend shares.

`WatchFanout` hands committed events to `StoreWatch` iterators. A watch that starts in
the past first replays history from its backend, then switches to the live events it has
buffered since it was registered; the switch-over point is the fan-out's revision at
registration, so nothing is missed or delivered twice.
"""
from __future__ import annotations

import asyncio
import bisect
from collections import deque
from typing import AsyncIterator, Awaitable, Callable

from kybernetes.storage.interface import (
    CompactedError, Event, KeyExistsError, KeyNotFoundError, KeyValue,
    RevisionMismatchError, StorageError, Store,
)

REPLAY_PAGE = 1000

# replay(prefix, from_revision, to_revision, limit) -> events with from <= revision <= to,
# oldest first, at most `limit`; raises CompactedError if from_revision was compacted.
Replay = Callable[[str, int, int, int], Awaitable[list[Event]]]


def prefix_end(prefix: str) -> str | None:
    """The smallest string greater than every string starting with `prefix` (None: no bound)."""
    while prefix:
        last = ord(prefix[-1])
        if last < 0x10FFFF:
            return prefix[:-1] + chr(last + 1)
        prefix = prefix[:-1]
    return None


class WatchFanout:
    """Delivers committed events, in revision order, to the registered watches.
    `revision` is the newest revision published: every event at or below it has been
    offered to every watch registered at the time."""

    def __init__(self, revision: int) -> None:
        self.revision = revision
        self._watches: set[StoreWatch] = set()

    def publish(self, events: list[Event]) -> None:
        if not events:
            return
        for watch in list(self._watches):
            watch._offer(events)
        self.revision = events[-1].revision

    def watch(self, prefix: str, start_revision: int, replay: Replay) -> StoreWatch:
        watch = StoreWatch(self, prefix, start_revision, replay)
        self._watches.add(watch)
        return watch

    def close_all(self) -> None:
        for watch in list(self._watches):
            watch.close()


class StoreWatch:
    """The async iterator `Store.watch` returns. Besides the interface it offers
    `progress_revision`: every event under the prefix at or below it has been yielded
    (the watch cache uses it to know it is fresh when other prefixes are written)."""

    def __init__(self, fanout: WatchFanout, prefix: str, start_revision: int,
                 replay: Replay) -> None:
        self._fanout = fanout
        self._prefix = prefix
        self._replay = replay
        # Events up to the fan-out's revision at registration come from the backend's
        # history; later ones arrive live.
        self._replay_to = fanout.revision
        self._replay_from: int | None = (
            start_revision if 0 < start_revision <= self._replay_to else None)
        self._min_live = max(start_revision, self._replay_to + 1)
        self._replayed: deque[Event] = deque()
        self._live: deque[Event] = deque()
        self._waiter: asyncio.Future | None = None
        self._closed = False
        self._last_yielded = (start_revision - 1) if start_revision > 0 else self._replay_to

    def _offer(self, events: list[Event]) -> None:
        prefix, min_live, live = self._prefix, self._min_live, self._live
        for event in events:
            if event.kv.key.startswith(prefix) and event.kv.mod_revision >= min_live:
                live.append(event)
        if live and self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    @property
    def progress_revision(self) -> int:
        if self._replay_from is None and not self._replayed and not self._live:
            return max(self._fanout.revision, self._last_yielded)
        return self._last_yielded

    def __aiter__(self) -> StoreWatch:
        return self

    async def __anext__(self) -> Event:
        while True:
            if self._closed:
                raise StopAsyncIteration
            if self._replayed:
                event = self._replayed.popleft()
            elif self._replay_from is not None:
                page = await self._replay(self._prefix, self._replay_from, self._replay_to,
                                          REPLAY_PAGE)
                if len(page) < REPLAY_PAGE:
                    self._replay_from = None
                else:
                    self._replay_from = page[-1].kv.mod_revision + 1
                self._replayed.extend(page)
                continue
            elif self._live:
                event = self._live.popleft()
            else:
                self._waiter = asyncio.get_running_loop().create_future()
                try:
                    await self._waiter
                finally:
                    self._waiter = None
                continue
            self._last_yielded = event.kv.mod_revision
            return event

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._fanout._watches.discard(self)
        self._live.clear()
        self._replayed.clear()
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def aclose(self) -> None:
        self.close()


class MemoryStore(Store):
    """Keeps the latest state in a dict (plus a sorted key list for ranges) and the
    history since the last compaction as a list of events. Nothing survives the process."""

    def __init__(self) -> None:
        self._revision = 0
        self._compacted = 0
        self._latest: dict[str, KeyValue] = {}
        self._sorted_keys: list[str] = []
        self._history: list[Event] = []
        self._fanout = WatchFanout(0)
        self._closed = False

    async def current_revision(self) -> int:
        return self._revision

    async def compacted_revision(self) -> int:
        return self._compacted

    async def get(self, key: str) -> KeyValue | None:
        return self._latest.get(key)

    def _keys_under(self, prefix: str, start_after: str = "") -> tuple[int, int]:
        keys = self._sorted_keys
        low = bisect.bisect_left(keys, prefix)
        if start_after:
            low = max(low, bisect.bisect_right(keys, start_after))
        end = prefix_end(prefix)
        high = len(keys) if end is None else bisect.bisect_left(keys, end)
        return low, high

    async def range(self, prefix: str, limit: int = 0,
                    start_after: str = "") -> tuple[list[KeyValue], int]:
        low, high = self._keys_under(prefix, start_after)
        if limit > 0:
            high = min(high, low + limit)
        return [self._latest[k] for k in self._sorted_keys[low:high]], self._revision

    async def count(self, prefix: str) -> int:
        low, high = self._keys_under(prefix)
        return max(0, high - low)

    def _commit(self, event: Event) -> int:
        self._revision = event.kv.mod_revision
        key = event.kv.key
        if event.type == "DELETE":
            del self._latest[key]
            del self._sorted_keys[bisect.bisect_left(self._sorted_keys, key)]
        else:
            if key not in self._latest:
                bisect.insort(self._sorted_keys, key)
            self._latest[key] = event.kv
        self._history.append(event)
        self._fanout.publish([event])
        return self._revision

    def _check_open(self) -> None:
        if self._closed:
            raise StorageError("store is closed")

    async def create(self, key: str, value: bytes) -> int:
        self._check_open()
        if key in self._latest:
            raise KeyExistsError(key)
        revision = self._revision + 1
        return self._commit(Event("PUT", KeyValue(key, bytes(value), revision, revision), None))

    def _current(self, key: str, expected_mod_revision: int) -> KeyValue:
        current = self._latest.get(key)
        if current is None:
            raise KeyNotFoundError(key)
        if expected_mod_revision and current.mod_revision != expected_mod_revision:
            raise RevisionMismatchError(key, current)
        return current

    async def update(self, key: str, value: bytes, expected_mod_revision: int) -> int:
        self._check_open()
        current = self._current(key, expected_mod_revision)
        if current.mod_revision != expected_mod_revision:
            raise RevisionMismatchError(key, current)
        revision = self._revision + 1
        kv = KeyValue(key, bytes(value), current.create_revision, revision)
        return self._commit(Event("PUT", kv, current))

    async def delete(self, key: str, expected_mod_revision: int = 0) -> int:
        self._check_open()
        current = self._current(key, expected_mod_revision)
        revision = self._revision + 1
        kv = KeyValue(key, current.value, current.create_revision, revision)
        return self._commit(Event("DELETE", kv, current))

    async def _replay(self, prefix: str, from_revision: int, to_revision: int,
                      limit: int) -> list[Event]:
        if from_revision < self._compacted:
            raise CompactedError(from_revision, self._compacted)
        history = self._history
        start = bisect.bisect_left(history, from_revision, key=lambda e: e.kv.mod_revision)
        found: list[Event] = []
        for event in history[start:]:
            if event.kv.mod_revision > to_revision or len(found) >= limit:
                break
            if event.kv.key.startswith(prefix):
                found.append(event)
        return found

    def watch(self, prefix: str, start_revision: int) -> AsyncIterator[Event]:
        self._check_open()
        return self._fanout.watch(prefix, start_revision, self._replay)

    async def compact(self, revision: int) -> None:
        self._check_open()
        if revision > self._revision:
            raise StorageError(
                f"cannot compact to revision {revision}: newer than current {self._revision}")
        if revision <= self._compacted:
            return
        start = bisect.bisect_left(self._history, revision, key=lambda e: e.kv.mod_revision)
        del self._history[:start]
        self._compacted = revision

    async def close(self) -> None:
        self._closed = True
        self._fanout.close_all()
