# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The image garbage collector's policy and its reporting, as upstream's image_gc_manager."""
from __future__ import annotations

import asyncio
import json

import pytest

from kybernetes.kubelet.images.gc import (GCPolicy, ImageGarbageCollector, ImageGCError, ImageRecord,
                                          plan_collection)
from kybernetes.kubelet.images.service import ImageService

MB = 1 << 20


def images(*specs):
    return [ImageRecord(i, size, last_used, detected) for i, size, last_used, detected in specs]


def test_nothing_happens_below_the_high_threshold():
    plan = plan_collection(100 * MB, 16 * MB, images(("a", 10 * MB, 0, 0)), set(), GCPolicy(), 1000)
    assert plan.usage_percent == 84 and plan.remove == [] and plan.enough


def test_unused_images_go_least_recently_used_first_until_enough_is_freed():
    stock = images(("new", 5 * MB, 500, 0), ("old", 5 * MB, 100, 0), ("used", 50 * MB, 0, 0),
                   ("older", 5 * MB, 50, 0), ("fresh", 50 * MB, 0, 990))
    # 90% used: down to 80% means freeing 10 MiB
    plan = plan_collection(100 * MB, 10 * MB, stock, {"used"}, GCPolicy(minimum_age=60), 1000)
    assert plan.usage_percent == 90
    assert plan.amount_to_free == 10 * MB
    assert plan.remove == ["older", "old"] and plan.freed == 10 * MB and plan.enough


def test_not_enough_to_free_is_a_shortfall():
    plan = plan_collection(100 * MB, 5 * MB, images(("a", 1 * MB, 0, 0)), set(), GCPolicy(), 1000)
    assert plan.remove == ["a"] and not plan.enough
    assert plan.amount_to_free == 15 * MB


def test_zero_capacity_and_bad_policies_are_errors():
    with pytest.raises(ImageGCError, match="invalid capacity 0 on image filesystem"):
        plan_collection(0, 0, [], set(), GCPolicy(), 0)
    with pytest.raises(ValueError, match="must be less than"):
        GCPolicy(high_threshold_percent=50, low_threshold_percent=60)
    with pytest.raises(ValueError, match=r"range \[0-100\]"):
        GCPolicy(high_threshold_percent=101)


class Recorder:
    def __init__(self):
        self.events = []

    def event(self, obj, kind, reason, message):
        self.events.append((obj["kind"], obj["metadata"]["name"], kind, reason, message))


def _store_image(service: ImageService, ref: str, size: int, created: float) -> str:
    image_id = service.store.write_blob(json.dumps({"config": {}, "ref": ref}).encode())
    record = {"id": image_id, "diff_ids": [], "blobs": [image_id], "size": size,
              "repo_digests": [], "manifests": []}
    service.store.commit_image(record, [ref])
    with service.store.locked_index() as index:
        index["images"][image_id]["created"] = created
    return image_id


def test_the_collector_removes_reports_and_repeats_events(tmp_path):
    usage = {"available": 5 * MB}
    service = ImageService(tmp_path, disk_usage=lambda root: (100 * MB, usage["available"]))
    used = _store_image(service, "docker.io/library/used:1", 3 * MB, 0)
    unused = _store_image(service, "docker.io/library/unused:1", 2 * MB, 0)
    recorder = Recorder()
    collector = ImageGarbageCollector(service, lambda: {"docker.io/library/used:1"}, node_name="n1",
                                      recorder=recorder, policy=GCPolicy(minimum_age=0))

    async def rounds():
        first = await collector.collect_once()
        second = await collector.collect_once()
        return first, second
    first, second = asyncio.run(rounds())
    assert first == [unused] and second == []
    assert service.lookup(used) is not None and service.lookup(unused) is None
    shortfall = ("Failed to garbage collect required amount of images. Attempted to free "
                 f"{15 * MB} bytes, but only found {2 * MB} bytes eligible to free.")
    nothing = ("Failed to garbage collect required amount of images. Attempted to free "
               f"{15 * MB} bytes, but only found 0 bytes eligible to free.")
    assert recorder.events == [
        ("Node", "n1", "Warning", "FreeDiskSpaceFailed", shortfall),
        ("Node", "n1", "Warning", "FreeDiskSpaceFailed", nothing),
        ("Node", "n1", "Warning", "ImageGCFailed", nothing),  # only a repeated failure
    ]
    usage["available"] = 50 * MB
    assert asyncio.run(collector.collect_once()) == [] and not collector.failed_before


def test_delete_unused_frees_every_unused_image_old_enough(tmp_path):
    service = ImageService(tmp_path, disk_usage=lambda root: (100 * MB, 90 * MB))
    used = _store_image(service, "docker.io/library/used:1", 3 * MB, 0)
    old = _store_image(service, "docker.io/library/old:1", 2 * MB, 0)
    fresh = _store_image(service, "docker.io/library/fresh:1", 1 * MB, 10**12)  # just imported
    collector = ImageGarbageCollector(service, lambda: {used}, node_name="n1")
    assert collector.delete_unused() == 2 * MB  # below the high threshold all the same
    assert service.lookup(old) is None
    assert service.lookup(used) is not None and service.lookup(fresh) is not None
