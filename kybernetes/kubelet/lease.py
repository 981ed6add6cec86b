# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Node liveness through a Lease in kube-node-lease, renewed every 10 s and valid for
40 s (upstream's defaults), owned by the Node so it goes when the Node goes.

`PeriodicScheduler` runs the periodic work of many kubelets (lease renewals, status
checks) from one timer heap and one task, with a bound on requests in flight, so a
thousand simulated nodes cost a thousand heap entries instead of a thousand tasks.
"""
from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from datetime import datetime, timezone
from typing import Awaitable, Callable

from kybernetes.client.rest import resource

log = logging.getLogger("kybernetes.kubelet.lease")
LEASES = resource("leases.coordination.k8s.io")
LEASE_NAMESPACE = "kube-node-lease"
LEASE_DURATION_SECONDS = 40
RENEW_INTERVAL = 10.0  # a quarter of the duration, as upstream


def micro_time(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def lease_body(node_name: str, node_uid: str, now: float) -> dict:
    return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": {"name": node_name, "namespace": LEASE_NAMESPACE,
                         "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": node_name,
                                              "uid": node_uid}]},
            "spec": {"holderIdentity": node_name, "leaseDurationSeconds": LEASE_DURATION_SECONDS,
                     "renewTime": micro_time(now)}}


def renew_patch(now: float) -> dict:
    return {"spec": {"renewTime": micro_time(now)}}


class PeriodicScheduler:
    """Calls each registered coroutine function every `period` seconds."""

    def __init__(self, concurrency: int = 32) -> None:
        self._heap: list[tuple[float, int, float, Callable[[], Awaitable[None]]]] = []
        self._counter = itertools.count()
        self._wake = asyncio.Event()
        self._limit = asyncio.Semaphore(concurrency)
        self._running: set[asyncio.Task] = set()

    def every(self, period: float, function: Callable[[], Awaitable[None]],
              first_in: float | None = None) -> None:
        due = asyncio.get_running_loop().time() + (period if first_in is None else first_in)
        heapq.heappush(self._heap, (due, next(self._counter), period, function))
        self._wake.set()

    def __len__(self) -> int:
        return len(self._heap)

    async def _call(self, function: Callable[[], Awaitable[None]]) -> None:
        async with self._limit:
            try:
                await function()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # periodic work is retried at its next turn
                log.warning("periodic %s failed: %s", getattr(function, "__qualname__", function), exc)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                self._wake.clear()
                if not self._heap:
                    await self._wake.wait()
                    continue
                delay = self._heap[0][0] - loop.time()
                if delay > 0:
                    try:
                        await asyncio.wait_for(self._wake.wait(), delay)
                    except asyncio.TimeoutError:
                        pass
                    continue
                now = loop.time()
                while self._heap and self._heap[0][0] <= now:
                    due, _, period, function = heapq.heappop(self._heap)
                    # the next turn counts from the due time, so renewals do not drift
                    heapq.heappush(self._heap, (max(due + period, now), next(self._counter),
                                                period, function))
                    task = asyncio.create_task(self._call(function))
                    self._running.add(task)
                    task.add_done_callback(self._running.discard)
        finally:
            for task in list(self._running):
                task.cancel()
