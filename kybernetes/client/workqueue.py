# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""A work queue of keys as client-go's: a key queued many times is processed once, never
by two workers at once, and failures come back with per-key exponential back-off."""
from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable

log = logging.getLogger("kybernetes.workqueue")


class WorkQueue:
    def __init__(self, name: str = "", base_delay: float = 0.005, max_delay: float = 1000.0) -> None:
        self.name = name
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._dirty: set[str] = set()  # queued, not yet taken
        self._processing: set[str] = set()
        self._again: set[str] = set()  # added while processing: requeue when done
        self._failures: dict[str, int] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._shutting_down = False

    def add(self, key: str) -> None:
        if self._shutting_down:
            return
        if key in self._processing:
            self._again.add(key)
            return
        if key not in self._dirty:
            self._dirty.add(key)
            self._queue.put_nowait(key)

    def add_after(self, key: str, delay: float) -> None:
        """Queue `key` after `delay` seconds (an earlier pending timer for it wins)."""
        if delay <= 0:
            self.add(key)
            return
        loop = asyncio.get_running_loop()
        existing = self._timers.get(key)
        if existing is not None and existing.when() <= loop.time() + delay:
            return
        if existing is not None:
            existing.cancel()
        self._timers[key] = loop.call_later(delay, self._fire, key)

    def _fire(self, key: str) -> None:
        self._timers.pop(key, None)
        self.add(key)

    def add_rate_limited(self, key: str) -> None:
        failures = self._failures.get(key, 0)
        self._failures[key] = failures + 1
        self.add_after(key, min(self.base_delay * (2 ** failures), self.max_delay))

    def forget(self, key: str) -> None:
        self._failures.pop(key, None)

    def retries(self, key: str) -> int:
        return self._failures.get(key, 0)

    async def get(self) -> str:
        key = await self._queue.get()
        self._dirty.discard(key)
        self._processing.add(key)
        return key

    def done(self, key: str) -> None:
        self._processing.discard(key)
        if key in self._again:
            self._again.discard(key)
            self.add(key)

    def __len__(self) -> int:
        return self._queue.qsize()

    def shutdown(self) -> None:
        self._shutting_down = True
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()


async def run_workers(queue: WorkQueue, reconcile: Callable[[str], Awaitable[None]],
                      workers: int = 1, name: str = "") -> None:
    """Take keys and reconcile them until cancelled; a failing key is retried with
    back-off, a succeeding one forgotten."""

    async def worker() -> None:
        while True:
            key = await queue.get()
            try:
                await reconcile(key)
                queue.forget(key)
            except asyncio.CancelledError:
                queue.done(key)
                raise
            except Exception as exc:
                from kybernetes.apiserver.errors import ApiError
                if isinstance(exc, ApiError) and exc.code == 409:
                    log.debug("%s %s: conflict, retrying", name or queue.name, key)
                else:
                    log.warning("%s %s: %s", name or queue.name, key, exc, exc_info=not isinstance(exc, ApiError))
                queue.add_rate_limited(key)
            finally:
                queue.done(key)

    await asyncio.gather(*(worker() for _ in range(workers)))
