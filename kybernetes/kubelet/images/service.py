# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""ImageService: what the kubelet asks of images. ensure() applies the pull policy and
pulls at most once per reference at a time; gc() frees disk as the kubelet's image
garbage collector does (least recently used first, images in use kept)."""
from __future__ import annotations

import asyncio
import logging
import os
import time
from pathlib import Path
from typing import Callable

import aiohttp

from kybernetes.kubelet.images import ImageInfo, ImagePullError
from kybernetes.kubelet.images.archive import import_archive
from kybernetes.kubelet.images.pull import pull_image
from kybernetes.kubelet.images.reference import InvalidReference, parse_reference
from kybernetes.kubelet.images.registries import RegistriesConfig
from kybernetes.kubelet.images.store import ImageStore

log = logging.getLogger(__name__)

PULL_POLICIES = ("Always", "IfNotPresent", "Never")
# The kubelet's ImageMinimumGCAge: an image is not collected within this long of its
# first being seen, so a pod about to start does not lose its freshly pulled image.
IMAGE_MINIMUM_GC_AGE = 120.0


class ImageNotFoundError(LookupError):
    """remove() of an image the store does not have."""


def filesystem_usage(path: Path) -> tuple[int, int]:
    """(capacity, available) bytes of the filesystem holding `path`."""
    stats = os.statvfs(path)
    return stats.f_blocks * stats.f_frsize, stats.f_bavail * stats.f_frsize


def usage_percent(capacity: int, available: int) -> int:
    """As the kubelet computes it: 100 - available*100/capacity, in whole percent."""
    if capacity <= 0:
        return 0
    return 100 - int(available * 100 / capacity)


class ImageService:
    def __init__(self, root: Path, registries: RegistriesConfig | None = None,
                 disk_usage: Callable[[Path], tuple[int, int]] = filesystem_usage,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = ImageStore(Path(root), clock=clock)
        self.store.clear_tmp()
        self.registries = registries or RegistriesConfig()
        self.disk_usage = disk_usage
        self.clock = clock
        self._inflight: dict[str, asyncio.Future] = {}
        self._pinned_groups: list[set[str]] = []
        self._last_used: dict[str, float] = {}

    @property
    def root(self) -> Path:
        return self.store.root

    # ------------------------------------------------------------ pulling
    async def ensure(self, image: str, policy: str = "IfNotPresent",
                     pull_secrets: list[dict] | tuple = ()) -> ImageInfo:
        """The image, pulled first when the policy says so. ImagePullError with reason
        InvalidImageName, ErrImageNeverPull or ErrImagePull otherwise."""
        try:
            parsed = parse_reference(image)
        except InvalidReference as exc:
            raise ImagePullError("InvalidImageName", f'Failed to apply default image tag "{image}": '
                                 f'couldn\'t parse image name "{image}": {exc}') from None
        ref = str(parsed)
        present = self.lookup(ref)
        if policy == "Never" and present is None:
            raise ImagePullError("ErrImageNeverPull",
                                 f'Container image "{image}" is not present with pull policy of Never')
        if present is not None and policy != "Always":
            self._touch(present.id)
            return present
        image_id = await self._pull_once(ref, parsed, pull_secrets)
        self._touch(image_id)
        return self.store.info(self.store.read_index(), image_id, ref)

    async def _pull_once(self, ref: str, parsed, pull_secrets) -> str:
        """Concurrent callers for one reference share one pull."""
        future = self._inflight.get(ref)
        if future is None:
            future = asyncio.ensure_future(self._pull(parsed, pull_secrets))
            self._inflight[ref] = future
            future.add_done_callback(lambda done: self._pull_finished(ref, done))
        return await asyncio.shield(future)

    def _pull_finished(self, ref: str, done: asyncio.Future) -> None:
        self._inflight.pop(ref, None)
        if not done.cancelled():
            done.exception()  # observed here, even when every waiter went away

    async def _pull(self, parsed, pull_secrets) -> str:
        pinned: set[str] = set()
        self._pinned_groups.append(pinned)
        try:
            log.info("pulling image %s", parsed)
            return await pull_image(self.store, self.registries, parsed, pull_secrets, pinned)
        except ImagePullError:
            raise
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError, ValueError) as exc:
            # a connection dropped mid-body, a read timeout, a full disk: still the
            # kubelet's ErrImagePull, with the cause
            reason = str(exc) or type(exc).__name__
            raise ImagePullError("ErrImagePull", f'failed to pull and unpack image "{parsed}": {reason}') from None
        finally:
            self._pinned_groups.remove(pinned)

    def _in_flight_digests(self) -> set[str]:
        """Digests of every in-flight pull's blobs and layers: gc and remove keep them."""
        return set().union(*self._pinned_groups)

    def _touch(self, image_id: str) -> None:
        self._last_used[image_id] = self.clock()

    # ------------------------------------------------------------ queries
    def lookup(self, image: str) -> ImageInfo | None:
        """The image `image` names (a ref, an ID or an ID prefix), or None."""
        index = self.store.read_index()
        image_id = self.store.resolve(index, image)
        if image_id is None or image_id not in index["images"]:
            return None
        try:
            ref = str(parse_reference(image))
        except InvalidReference:
            ref = ""
        return self.store.info(index, image_id, ref if ref in index["refs"] else "")

    def list(self) -> list[ImageInfo]:
        index = self.store.read_index()
        return [self.store.info(index, image_id) for image_id in sorted(index["images"])]

    # ------------------------------------------------------------ removing
    def remove(self, image: str) -> str:
        """Remove the image `image` names, with all its tags; returns its ID."""
        with self.store.locked_index() as index:
            image_id = self.store.resolve(index, image)
            if image_id is None or image_id not in index["images"]:
                raise ImageNotFoundError(f'no such image "{image}" present')
            self.store.delete_image(index, image_id)
        self._last_used.pop(image_id, None)
        self.store.prune(keep=self._in_flight_digests())
        return image_id

    def gc(self, high_percent: int = 85, low_percent: int = 80, in_use: set[str] = frozenset(),
           min_age: float = IMAGE_MINIMUM_GC_AGE) -> list[str]:
        """When the image filesystem is at or above `high_percent` used, remove images
        not in use (IDs or refs in `in_use`), least recently used first, until usage is
        below `low_percent`. Returns the IDs removed."""
        capacity, available = self.disk_usage(self.root)
        if usage_percent(capacity, available) < high_percent:
            return []
        index = self.store.read_index()
        used_ids = {self.store.resolve(index, name) or name for name in in_use}
        now = self.clock()

        def last_used(image_id: str) -> float:
            record = index["images"][image_id]
            return max(self._last_used.get(image_id, 0.0), record.get("last_used", 0.0))

        candidates = sorted((i for i in index["images"] if i not in used_ids
                             and now - index["images"][i].get("created", 0.0) >= min_age),
                            key=lambda i: (last_used(i), index["images"][i].get("created", 0.0)))
        removed = []
        for image_id in candidates:
            log.info("image garbage collection: removing %s", image_id)
            self.remove(image_id)
            removed.append(image_id)
            capacity, available = self.disk_usage(self.root)
            if usage_percent(capacity, available) < low_percent:
                break
        return removed

    # ------------------------------------------------------------ archives
    def import_archive(self, path: Path | str) -> list[ImageInfo]:
        """Import a docker-save or OCI layout archive (blocking); the images it holds."""
        image_ids = import_archive(self.store, Path(path))
        index = self.store.read_index()
        return [self.store.info(index, image_id) for image_id in image_ids]
