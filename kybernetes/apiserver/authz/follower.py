# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Keeping an authorizer's index current from the API server's watch cache.

Authorizers index the objects they decide by (bindings by subject, pods by node). They
drain their cache watchers synchronously before each decision instead of in a
background task, so a request that follows a write (a new RoleBinding, a pod bound to
a node) is decided on that write, not on an index one event-loop turn behind.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Callable

from kybernetes.storage.watchcache import TooOldError

if TYPE_CHECKING:
    from kybernetes.storage.watchcache import CachedObject, WatchCache

log = logging.getLogger("kybernetes.authz")

Handler = Callable[[str, "CachedObject"], None]  # ("ADDED"|"MODIFIED"|"DELETED", object)


class CacheFollower:
    def __init__(self, cache: "WatchCache", handler: Handler,
                 reset: Callable[[], None]) -> None:
        self.cache = cache
        self.handler = handler
        self.reset = reset
        self.watcher = None
        self._start()

    def _start(self) -> None:
        self.reset()
        # a large queue: events wait only until the next decision drains them
        self.watcher = self.cache.watch(0, queue_size=100_000)
        self.drain()

    def drain(self) -> None:
        watcher = self.watcher
        if watcher is None:
            return
        while True:
            try:
                event = watcher._take()  # synchronous: never waits
            except TooOldError:
                log.warning("authorization index for %s fell behind; rebuilding",
                            self.cache.prefix)
                self._start()
                return
            except StopAsyncIteration:
                self.watcher = None
                return
            if event is None:
                return
            self.handler(event.type, event.obj)

    def close(self) -> None:
        if self.watcher is not None:
            self.watcher.close()
            self.watcher = None
