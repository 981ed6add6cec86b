# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The image store on disk:

    root/blobs/sha256/<hex>     content-addressed blobs (configs, manifests, layer tars)
    root/layers/<hex>/          each layer unpacked once (named by its diff ID), shared
    root/index.json             images by ID, and the refs naming them
    root/tmp/<pid>/             a process's work in progress, renamed into place when
                                complete; a dead process's directory is litter

Everything becomes visible by one rename, so a crash leaves at most litter in tmp/
(cleared by the next process to open the store), never a half image. The index is updated under a file lock, so the
`kybernetes images` command and a running kubelet can share a store.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

import orjson

from kybernetes.kubelet.images import ImageInfo
from kybernetes.kubelet.images.layers import LayerError, open_layer_stream, unpack_layer
from kybernetes.kubelet.images.reference import InvalidReference, normalize

_CHUNK = 1 << 20


def _hex(digest: str) -> str:
    algorithm, _, hexpart = digest.partition(":")
    if algorithm != "sha256" or len(hexpart) != 64 or not all(c in "0123456789abcdef" for c in hexpart):
        raise ValueError(f"invalid digest {digest!r}")
    return hexpart


class ImageStore:
    def __init__(self, root: Path, clock: Callable[[], float] = time.time) -> None:
        self.root = Path(root)
        self.clock = clock
        self.blobs = self.root / "blobs" / "sha256"
        self.layers = self.root / "layers"
        self.tmp_root = self.root / "tmp"
        # per process, so that `kybernetes images` never touches a running kubelet's work
        self.tmp = self.tmp_root / str(os.getpid())
        self.index_path = self.root / "index.json"
        for directory in (self.blobs, self.layers, self.tmp):
            directory.mkdir(parents=True, exist_ok=True)
        self._config_cache: dict[str, dict] = {}

    def clear_tmp(self) -> None:
        """Remove what processes that died mid-pull left behind."""
        for entry in self.tmp_root.iterdir():
            if entry.name.isdigit() and (int(entry.name) == os.getpid() or Path(f"/proc/{entry.name}").exists()):
                continue
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)

    # ------------------------------------------------------------ blobs
    def blob_path(self, digest: str) -> Path:
        return self.blobs / _hex(digest)

    def has_blob(self, digest: str) -> bool:
        return self.blob_path(digest).exists()

    def temp_file(self) -> Path:
        fd, name = tempfile.mkstemp(dir=self.tmp, prefix="blob-")
        os.close(fd)
        return Path(name)

    def commit_blob(self, temp: Path, digest: str) -> Path:
        target = self.blob_path(digest)
        os.replace(temp, target)
        return target

    def write_blob(self, data: bytes) -> str:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        if not self.has_blob(digest):
            temp = self.temp_file()
            with open(temp, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            self.commit_blob(temp, digest)
        return digest

    def write_blob_stream(self, stream: BinaryIO) -> tuple[str, int]:
        """Copy a stream into the store; (digest, size)."""
        temp, hasher, size = self.temp_file(), hashlib.sha256(), 0
        with open(temp, "wb") as out:
            while chunk := stream.read(_CHUNK):
                hasher.update(chunk)
                out.write(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        digest = "sha256:" + hasher.hexdigest()
        self.commit_blob(temp, digest)
        return digest, size

    def read_blob(self, digest: str) -> bytes:
        return self.blob_path(digest).read_bytes()

    # ------------------------------------------------------------ layers
    def layer_path(self, diff_id: str) -> Path:
        return self.layers / _hex(diff_id)

    def has_layer(self, diff_id: str) -> bool:
        return self.layer_path(diff_id).is_dir()

    def unpack(self, blob_digest: str, diff_id: str) -> Path:
        """Unpack a layer blob once; verifies the uncompressed content against `diff_id`.
        Blocking: run it in a thread from async code."""
        target = self.layer_path(diff_id)
        if target.is_dir():
            return target
        work = Path(tempfile.mkdtemp(dir=self.tmp, prefix="layer-"))
        try:
            with open_layer_stream(self.blob_path(blob_digest)) as stream:
                actual = unpack_layer(stream, work / "root")
            if actual != diff_id:
                raise LayerError(f"layer {blob_digest}: content has diff ID {actual}, "
                                 f"the image config says {diff_id}")
            try:
                os.rename(work / "root", target)
            except OSError:
                if not target.is_dir():  # not "another pull won the race"
                    raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return target

    # ------------------------------------------------------------ index
    @contextmanager
    def locked_index(self) -> Iterator[dict]:
        """The index, locked against other processes; written back (atomically) on exit."""
        with open(self.root / ".lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            index = self.read_index()
            yield index
            self._write_index(index)

    def read_index(self) -> dict:
        try:
            index = orjson.loads(self.index_path.read_bytes())
        except FileNotFoundError:
            index = {}
        index.setdefault("images", {})
        index.setdefault("refs", {})
        return index

    def _write_index(self, index: dict) -> None:
        temp = self.index_path.with_suffix(".json.tmp")
        with open(temp, "wb") as out:
            out.write(orjson.dumps(index, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, self.index_path)

    def commit_image(self, record: dict, refs: list[str]) -> None:
        """Make an image (its blobs and layers already in place) visible under `refs`."""
        with self.locked_index() as index:
            existing = index["images"].get(record["id"])
            record["created"] = record["last_used"] = self.clock()
            if existing:
                record["repo_digests"] = sorted(set(existing.get("repo_digests", []))
                                                | set(record.get("repo_digests", [])))
                record["created"] = existing.get("created", record["created"])
            index["images"][record["id"]] = record
            for ref in refs:
                index["refs"][ref] = record["id"]

    def resolve(self, index: dict, image: str) -> str | None:
        """The image ID `image` names: a ref (normalized), a full ID, or an ID prefix."""
        try:
            ref = normalize(image)
        except InvalidReference:
            ref = None
        if ref and ref in index["refs"]:
            return index["refs"][ref]
        wanted = image if image.startswith("sha256:") else "sha256:" + image
        if len(wanted) > len("sha256:") + 2 and all(c in "0123456789abcdef" for c in wanted[7:]):
            matches = [image_id for image_id in index["images"] if image_id.startswith(wanted)]
            if len(matches) == 1:
                return matches[0]
        return None

    def delete_image(self, index: dict, image_id: str) -> None:
        index["images"].pop(image_id, None)
        for ref in [r for r, i in index["refs"].items() if i == image_id]:
            del index["refs"][ref]

    def prune(self, keep: set[str] = frozenset()) -> None:
        """Delete layers and blobs no image uses (and none in `keep`: in-flight pulls)."""
        index = self.read_index()
        used_layers: set[str] = set()
        used_blobs: set[str] = set()
        for record in index["images"].values():
            used_layers.update(_hex(d) for d in record["diff_ids"])
            used_blobs.update(_hex(d) for d in record["blobs"])
            used_blobs.add(_hex(record["id"]))
            used_blobs.update(_hex(d) for d in record.get("manifests", []))
        keep_hex = {k.partition(":")[2] or k for k in keep}
        for layer in self.layers.iterdir():
            if layer.name not in used_layers and layer.name not in keep_hex:
                shutil.rmtree(layer, ignore_errors=True)
        for blob in self.blobs.iterdir():
            if blob.name not in used_blobs and blob.name not in keep_hex:
                blob.unlink(missing_ok=True)

    # ------------------------------------------------------------ views
    def image_config(self, image_id: str) -> dict:
        """The whole image config document (cached: blobs never change)."""
        if image_id not in self._config_cache:
            self._config_cache[image_id] = orjson.loads(self.read_blob(image_id))
        return self._config_cache[image_id]

    def info(self, index: dict, image_id: str, ref: str = "") -> ImageInfo:
        record = index["images"][image_id]
        tags = sorted(r for r, i in index["refs"].items() if i == image_id and "@" not in r)
        repo_digests = record.get("repo_digests", [])
        return ImageInfo(
            id=image_id, ref=ref or (tags[0] if tags else (repo_digests[0] if repo_digests else image_id)),
            repo_digest=repo_digests[0] if repo_digests else "",
            config=self.image_config(image_id).get("config") or {},
            layers=[self.layer_path(d) for d in record["diff_ids"]],
            size=record.get("size", 0), tags=tags)


def new_record(image_id: str, diff_ids: list[str], blobs: list[str], size: int,
               repo_digests: list[str] = (), manifests: list[str] = ()) -> dict:
    """An index entry; commit_image stamps its times."""
    return {"id": image_id, "diff_ids": list(diff_ids), "blobs": list(blobs), "size": size,
            "repo_digests": list(repo_digests), "manifests": list(manifests)}
