# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The scheduling queue, as upstream's: pods waiting to be tried (active, highest
priority first, then the longest waiting), pods backing off after a failed attempt
(1 s doubling to 10 s), and unschedulable pods parked until a cluster event (a node
added or changed, a pod deleted, a volume or claim changed) may help them, or 5
minutes pass. It also remembers nominated nodes (preemptors waiting for their room)."""
from __future__ import annotations

import asyncio
import heapq
import itertools
import time

from kybernetes.scheduler.nodeinfo import PodInfo

INITIAL_BACKOFF = 1.0
MAX_BACKOFF = 10.0
MAX_UNSCHEDULABLE_DURATION = 300.0


class QueuedPod:
    __slots__ = ("info", "timestamp", "attempts", "initial_attempt", "last_failure", "seq")

    def __init__(self, info: PodInfo, timestamp: float) -> None:
        self.info = info
        self.timestamp = timestamp
        self.attempts = 0
        self.initial_attempt = 0.0
        self.last_failure = 0.0
        self.seq = 0

    def __repr__(self) -> str:
        return f"QueuedPod({self.info.key}, priority={self.info.priority}, attempts={self.attempts})"


def backoff_duration(attempts: int, initial: float = INITIAL_BACKOFF, maximum: float = MAX_BACKOFF) -> float:
    duration = initial
    for _ in range(1, attempts):
        if duration > maximum - duration:
            return maximum
        duration += duration
    return min(duration, maximum)


class SchedulingQueue:
    def __init__(self, clock=time.monotonic, initial_backoff: float = INITIAL_BACKOFF,
                 max_backoff: float = MAX_BACKOFF,
                 max_unschedulable: float = MAX_UNSCHEDULABLE_DURATION) -> None:
        self.clock = clock
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff
        self.max_unschedulable = max_unschedulable
        self.active: dict[str, QueuedPod] = {}
        self._active_heap: list = []
        self.backoff: dict[str, QueuedPod] = {}
        self._backoff_heap: list = []
        self.unschedulable: dict[str, QueuedPod] = {}
        self.in_flight: dict[str, QueuedPod] = {}
        self.scheduling_cycle = 0
        self.move_request_cycle = -1
        self._seq = itertools.count()
        self._wakeup: asyncio.Event | None = None
        self.nominated: dict[str, list[PodInfo]] = {}
        self._nominated_node: dict[str, str] = {}

    # ---------------------------------------------------------------- internals
    def _push_active(self, qp: QueuedPod) -> None:
        qp.seq = next(self._seq)
        self.active[qp.info.uid] = qp
        heapq.heappush(self._active_heap, (-qp.info.priority, qp.timestamp, qp.seq, qp))
        if self._wakeup is not None:
            self._wakeup.set()

    def _push_backoff(self, qp: QueuedPod) -> None:
        qp.seq = next(self._seq)
        self.backoff[qp.info.uid] = qp
        heapq.heappush(self._backoff_heap, (self.backoff_expiry(qp), qp.seq, qp))

    def _discard(self, uid: str) -> QueuedPod | None:
        return self.active.pop(uid, None) or self.backoff.pop(uid, None) or \
            self.unschedulable.pop(uid, None)

    def backoff_expiry(self, qp: QueuedPod) -> float:
        return qp.last_failure + backoff_duration(qp.attempts, self.initial_backoff, self.max_backoff)

    def _backing_off(self, qp: QueuedPod) -> bool:
        return qp.attempts > 0 and self.backoff_expiry(qp) > self.clock()

    def __len__(self) -> int:
        return len(self.active) + len(self.backoff) + len(self.unschedulable)

    def __contains__(self, uid: str) -> bool:
        return uid in self.active or uid in self.backoff or uid in self.unschedulable

    # ---------------------------------------------------------------- pod events
    def add(self, info: PodInfo) -> None:
        existing = self._discard(info.uid)
        qp = existing or QueuedPod(info, self.clock())
        qp.info = info
        self._push_active(qp)
        self.update_nomination(info)

    def update(self, info: PodInfo, may_help: bool = True) -> None:
        """A pending pod changed. A change that may make it schedulable (not just its
        status) sends it from unschedulable to back-off or active."""
        uid = info.uid
        self.update_nomination(info)
        if uid in self.in_flight:
            self.in_flight[uid].info = info
            return
        for pool in (self.active, self.backoff):
            if uid in pool:
                pool[uid].info = info
                if pool is self.active:  # its priority may have changed
                    self._push_active(pool[uid])
                return
        qp = self.unschedulable.get(uid)
        if qp is None:
            self.add(info)
            return
        qp.info = info
        if may_help:
            del self.unschedulable[uid]
            if self._backing_off(qp):
                self._push_backoff(qp)
            else:
                self._push_active(qp)

    def delete(self, uid: str) -> None:
        self._discard(uid)
        self.in_flight.pop(uid, None)
        self.remove_nomination(uid)

    # ---------------------------------------------------------------- popping
    def pop_nowait(self) -> QueuedPod | None:
        self.flush_backoff()
        while self._active_heap:
            _, _, seq, qp = heapq.heappop(self._active_heap)
            if self.active.get(qp.info.uid) is qp and qp.seq == seq:
                del self.active[qp.info.uid]
                qp.attempts += 1
                if qp.attempts == 1:
                    qp.initial_attempt = self.clock()
                self.scheduling_cycle += 1
                self.in_flight[qp.info.uid] = qp
                return qp
        return None

    async def pop(self) -> QueuedPod:
        while True:
            qp = self.pop_nowait()
            if qp is not None:
                return qp
            if self._wakeup is None:
                self._wakeup = asyncio.Event()
            self._wakeup.clear()
            timeout = None
            if self._backoff_heap:
                timeout = max(self._backoff_heap[0][0] - self.clock(), 0.01)
            try:
                await asyncio.wait_for(self._wakeup.wait(), timeout)
            except asyncio.TimeoutError:
                pass

    def done(self, uid: str) -> None:
        """The attempt for this pod ended (bound, or requeued)."""
        self.in_flight.pop(uid, None)

    # ---------------------------------------------------------------- failures
    def add_unschedulable(self, qp: QueuedPod, cycle: int, unschedulable: bool = True) -> None:
        """After a failed attempt: to unschedulable, or straight to back-off when the
        failure was an error or a move request came while the pod was being tried."""
        uid = qp.info.uid
        self.in_flight.pop(uid, None)
        if uid in self:
            return
        qp.last_failure = self.clock()
        qp.timestamp = qp.last_failure
        if not unschedulable or self.move_request_cycle >= cycle:
            self._push_backoff(qp)
        else:
            self.unschedulable[uid] = qp

    def requeue_after_error(self, qp: QueuedPod) -> None:
        self.add_unschedulable(qp, self.scheduling_cycle, unschedulable=False)

    def move_all_to_active_or_backoff(self, event: str = "") -> int:
        """A cluster event that may make parked pods schedulable."""
        moved = 0
        for uid, qp in list(self.unschedulable.items()):
            del self.unschedulable[uid]
            if self._backing_off(qp):
                self._push_backoff(qp)
            else:
                self._push_active(qp)
            moved += 1
        self.move_request_cycle = self.scheduling_cycle
        return moved

    def flush_backoff(self) -> None:
        now = self.clock()
        heap = self._backoff_heap
        while heap and heap[0][0] <= now:
            _, seq, qp = heapq.heappop(heap)
            if self.backoff.get(qp.info.uid) is qp and qp.seq == seq:
                del self.backoff[qp.info.uid]
                self._push_active(qp)

    def flush_unschedulable_leftover(self) -> None:
        now = self.clock()
        for uid, qp in list(self.unschedulable.items()):
            if now - qp.timestamp > self.max_unschedulable:
                del self.unschedulable[uid]
                if self._backing_off(qp):
                    self._push_backoff(qp)
                else:
                    self._push_active(qp)

    # ---------------------------------------------------------------- nominations
    def update_nomination(self, info: PodInfo, node: str | None = None) -> None:
        """Nominate `node`, or the pod's status.nominatedNodeName; a pod update that
        does not carry the nomination yet keeps the one made in memory."""
        if node is None:
            node = (info.pod.get("status") or {}).get("nominatedNodeName") or \
                self._nominated_node.get(info.uid, "")
        self.remove_nomination(info.uid)
        if node:
            self.nominated.setdefault(node, []).append(info)
            self._nominated_node[info.uid] = node

    def remove_nomination(self, uid: str) -> None:
        node = self._nominated_node.pop(uid, None)
        if node is not None:
            remaining = [p for p in self.nominated.get(node, []) if p.uid != uid]
            if remaining:
                self.nominated[node] = remaining
            else:
                self.nominated.pop(node, None)

    def nominated_node(self, uid: str) -> str | None:
        return self._nominated_node.get(uid)
