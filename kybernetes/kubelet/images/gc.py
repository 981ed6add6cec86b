# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The kubelet's image garbage collector, as upstream's image_gc_manager: every period,
when the image filesystem is at or above the high threshold, unused images go, least
recently used first, until the bytes freed reach what brings usage to the low
threshold. Not finding that much is an error (event FreeDiskSpaceFailed); failing twice
in a row is event ImageGCFailed on the Node.

`plan_collection` decides (pure); `ImageGarbageCollector` measures, removes and reports.
"""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Callable

log = logging.getLogger("kybernetes.kubelet.images.gc")

DEFAULT_PERIOD = 300.0  # upstream's ImageGCPeriod
DEFAULT_MINIMUM_AGE = 120.0  # upstream's imageMinimumGCAge


class ImageGCError(Exception):
    """A collection round that could not do what the policy asks (the event's text)."""

    def __init__(self, reason: str, message: str, removed: list[str] | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.removed = list(removed or [])  # what the round did remove before falling short


@dataclass(frozen=True)
class GCPolicy:
    high_threshold_percent: int = 85
    low_threshold_percent: int = 80
    minimum_age: float = DEFAULT_MINIMUM_AGE
    period: float = DEFAULT_PERIOD

    def __post_init__(self) -> None:
        for name, value in (("imageGCHighThresholdPercent", self.high_threshold_percent),
                            ("imageGCLowThresholdPercent", self.low_threshold_percent)):
            if not 0 <= value <= 100:
                raise ValueError(f"invalid {name} {value}, must be in range [0-100]")
        if self.low_threshold_percent > self.high_threshold_percent:
            raise ValueError(f"imageGCLowThresholdPercent {self.low_threshold_percent} must be less "
                             f"than imageGCHighThresholdPercent {self.high_threshold_percent}")


@dataclass(frozen=True)
class ImageRecord:
    id: str
    size: int
    last_used: float
    first_detected: float


@dataclass
class GCPlan:
    usage_percent: int
    amount_to_free: int = 0
    remove: list[str] = field(default_factory=list)
    freed: int = 0

    @property
    def enough(self) -> bool:
        return self.freed >= self.amount_to_free


def usage_percent(capacity: int, available: int) -> int:
    return 100 - int(available * 100 / capacity)


def plan_collection(capacity: int, available: int, images: list[ImageRecord], in_use: set[str],
                    policy: GCPolicy, now: float) -> GCPlan:
    """What one round removes. Raises ImageGCError for a filesystem of no capacity."""
    if capacity <= 0:
        raise ImageGCError("InvalidDiskCapacity", "invalid capacity 0 on image filesystem")
    available = min(available, capacity)
    plan = GCPlan(usage_percent(capacity, available))
    if plan.usage_percent < policy.high_threshold_percent:
        return plan
    plan.amount_to_free = capacity * (100 - policy.low_threshold_percent) // 100 - available
    for image in sorted(images, key=lambda i: (i.last_used, i.first_detected)):
        if plan.freed >= plan.amount_to_free:
            break
        if image.id in in_use or now - image.first_detected < policy.minimum_age:
            continue
        plan.remove.append(image.id)
        plan.freed += image.size
    return plan


def shortfall_message(plan: GCPlan) -> str:
    return (f"Failed to garbage collect required amount of images. Attempted to free "
            f"{plan.amount_to_free} bytes, but only found {plan.freed} bytes eligible to free.")


class ImageGarbageCollector:
    """Runs the policy against an ImageService; `in_use()` gives the refs and IDs of the
    images containers use now; events go on the Node through `recorder`."""

    def __init__(self, images, in_use: Callable[[], set[str]], *, node_name: str, recorder=None,
                 policy: GCPolicy | None = None, clock: Callable[[], float] = time.time) -> None:
        self.images = images
        self.in_use = in_use
        self.node_name = node_name
        self.recorder = recorder
        self.policy = policy or GCPolicy()
        self.clock = clock
        self.failed_before = False

    def _records(self) -> list[ImageRecord]:
        store = self.images.store
        index = store.read_index()
        last_used = getattr(self.images, "_last_used", {})
        return [ImageRecord(image_id, record.get("size", 0),
                            max(last_used.get(image_id, 0.0), record.get("last_used", 0.0)),
                            record.get("created", 0.0))
                for image_id, record in index["images"].items()]

    def _used_ids(self) -> set[str]:
        store = self.images.store
        index = store.read_index()
        return {store.resolve(index, name) or name for name in self.in_use()}

    def collect(self) -> list[str]:
        """One round (blocking: disk and store I/O). Returns the IDs removed; raises
        ImageGCError (with what it removed) when it could not free enough."""
        capacity, available = self.images.disk_usage(self.images.root)
        plan = plan_collection(capacity, available, self._records(), self._used_ids(),
                               self.policy, self.clock())
        if plan.amount_to_free <= 0 and not plan.remove:
            return []
        log.info("disk usage on image filesystem is %d%%, over the high threshold (%d%%): trying "
                 "to free %d bytes down to the low threshold (%d%%)", plan.usage_percent,
                 self.policy.high_threshold_percent, plan.amount_to_free,
                 self.policy.low_threshold_percent)
        removed = []
        for image_id in plan.remove:
            log.info("removing image %s to free bytes", image_id)
            try:
                self.images.remove(image_id)
            except LookupError:
                continue  # removed meanwhile (kubectl-less `kybernetes images rm`)
            removed.append(image_id)
        if not plan.enough:
            raise ImageGCError("FreeDiskSpaceFailed", shortfall_message(plan), removed)
        return removed

    def delete_unused(self) -> int:
        """Every unused image old enough, whatever the thresholds (upstream's
        DeleteUnusedImages, the eviction manager's disk-pressure reclaim). Returns the
        bytes freed, counted by image size."""
        used, freed = self._used_ids(), 0
        now = self.clock()
        for image in self._records():
            if image.id in used or now - image.first_detected < self.policy.minimum_age:
                continue
            try:
                self.images.remove(image.id)
            except LookupError:
                continue
            freed += image.size
        return freed

    def _event(self, reason: str, message: str) -> None:
        if self.recorder is None:
            return
        node = {"apiVersion": "v1", "kind": "Node",
                "metadata": {"name": self.node_name, "uid": self.node_name}}
        try:
            self.recorder.event(node, "Warning", reason, message)
        except RuntimeError:  # no running loop: shutting down
            pass

    async def collect_once(self) -> list[str]:
        """One round with upstream's reporting; the IDs removed."""
        try:
            removed = await asyncio.to_thread(self.collect)
        except ImageGCError as exc:
            if exc.reason in ("FreeDiskSpaceFailed", "InvalidDiskCapacity"):
                self._event(exc.reason, exc.message)
            if self.failed_before:
                log.error("image garbage collection failed multiple times in a row: %s", exc.message)
                self._event("ImageGCFailed", exc.message)  # only repeated failures are events
            else:
                log.error("image garbage collection failed once: %s", exc.message)
            self.failed_before = True
            return exc.removed
        except OSError as exc:
            log.warning("image garbage collection: %s", exc)
            return []
        self.failed_before = False
        return removed

    async def run(self) -> None:
        while True:
            await self.collect_once()
            await asyncio.sleep(self.policy.period)
