# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Unpacking one layer tar into a directory that overlayfs can stack as a lowerdir.

OCI whiteouts become overlayfs's own form: `.wh.<name>` (delete <name> from the layers
below) is a character device 0/0 named <name>; `.wh..wh..opq` (hide everything below this
directory) is the xattr trusted.overlay.opaque=y on the directory. Extraction is safe
against hostile tars: no entry may land outside the layer directory (`..`, absolute
names, writing through a symlink the tar itself planted), hard links must point inside
the layer, and ownership and modes are kept as the tar says (when running as root).
"""
from __future__ import annotations

import gzip
import hashlib
import logging
import os
import posixpath
import shutil
import stat
import tarfile
import zlib
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger(__name__)

WHITEOUT_PREFIX = ".wh."
OPAQUE_WHITEOUT = ".wh..wh..opq"
OVERLAY_OPAQUE_XATTR = "trusted.overlay.opaque"
_GZIP_MAGIC = b"\x1f\x8b"
_COPY_CHUNK = 1 << 20


class LayerError(ValueError):
    """The layer cannot be unpacked safely (or its content is not what was promised)."""


class _HashingReader:
    """Reads through `raw`, hashing every byte: the diff ID of an uncompressed tar."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.hash = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.hash.update(data)
        return data

    def drain(self) -> None:
        while self.read(_COPY_CHUNK):
            pass


def clean_member_name(name: str) -> str | None:
    """The entry's path relative to the layer root ("" for the root itself), or None when
    it escapes the root. Leading slashes are dropped, as tar and Docker do."""
    relative = posixpath.normpath(name.lstrip("/")) if name.strip("/") else "."
    if relative == "..":
        return None
    if relative.startswith("../"):
        return None
    return "" if relative == "." else relative


def open_layer_stream(blob: Path) -> BinaryIO:
    """The uncompressed bytes of a layer blob, gzip or plain (detected by content)."""
    handle = open(blob, "rb")
    magic = handle.read(2)
    handle.seek(0)
    if magic == _GZIP_MAGIC:
        return gzip.GzipFile(fileobj=handle, mode="rb")  # type: ignore[return-value]
    return handle


class _Extractor:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.is_root = os.geteuid() == 0
        self.directories: list[tuple[Path, tarfile.TarInfo]] = []

    # -- path handling
    def _ensure_directory(self, relative: str) -> Path:
        """Create (or reuse) the directory `relative` inside the root, refusing to pass
        through a symlink: a symlink in the tar must never redirect later entries."""
        current = self.root
        if not relative:
            return current
        for part in relative.split("/"):
            current = current / part
            try:
                info = os.lstat(current)
            except FileNotFoundError:
                os.mkdir(current, 0o755)
                continue
            if stat.S_ISLNK(info.st_mode):
                raise LayerError(f"layer entry path {relative!r} goes through a symlink")
            if not stat.S_ISDIR(info.st_mode):
                os.unlink(current)  # a later directory replaces an earlier file
                os.mkdir(current, 0o755)
        return current

    @staticmethod
    def _remove_existing(path: Path, keep_directory: bool = False) -> None:
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            return
        if stat.S_ISDIR(info.st_mode):
            if not keep_directory:
                shutil.rmtree(path)
        else:
            os.unlink(path)

    def _owner(self, path: Path, member: tarfile.TarInfo) -> None:
        if self.is_root:
            os.lchown(path, member.uid, member.gid)

    def _xattrs(self, path: Path, member: tarfile.TarInfo) -> None:
        for key, value in member.pax_headers.items():
            # trusted.* is overlayfs's own namespace (opaque, redirect): never from a tar
            if key.startswith("SCHILY.xattr.") and not key.startswith("SCHILY.xattr.trusted."):
                try:
                    os.setxattr(path, key[len("SCHILY.xattr."):],
                                value.encode("utf-8", "surrogateescape"), follow_symlinks=False)
                except OSError as exc:  # e.g. security.* without privilege: keep going
                    log.debug("xattr %s on %s: %s", key, path, exc)

    # -- whiteouts
    def _whiteout(self, parent: Path, name: str) -> None:
        target = parent / name
        self._remove_existing(target)
        try:
            os.mknod(target, stat.S_IFCHR | 0o000, os.makedev(0, 0))
        except PermissionError:
            log.debug("cannot create whiteout %s without CAP_MKNOD", target)

    def _opaque(self, directory: Path) -> None:
        try:
            os.setxattr(directory, OVERLAY_OPAQUE_XATTR, b"y")
        except OSError as exc:
            log.debug("cannot mark %s opaque: %s", directory, exc)

    # -- entries
    def extract(self, tar: tarfile.TarFile, member: tarfile.TarInfo) -> None:
        relative = clean_member_name(member.name)
        if relative is None:
            raise LayerError(f"layer entry {member.name!r} escapes the layer root")
        parent_rel, base = posixpath.split(relative)
        if base == OPAQUE_WHITEOUT:
            self._opaque(self._ensure_directory(parent_rel))
            return
        if base.startswith(WHITEOUT_PREFIX):
            hidden = base[len(WHITEOUT_PREFIX):]
            if not hidden or hidden in (".", ".."):
                raise LayerError(f"invalid whiteout {member.name!r}")
            self._whiteout(self._ensure_directory(parent_rel), hidden)
            return
        if not relative:
            self.directories.append((self.root, member))
            return
        parent = self._ensure_directory(parent_rel)
        path = parent / base
        mode = member.mode & 0o7777
        if member.isdir():
            self._ensure_directory(relative)
            self.directories.append((path, member))
            self._xattrs(path, member)
            return
        if member.isreg():
            self._remove_existing(path)
            source = tar.extractfile(member)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "wb") as out:
                if source is not None:
                    shutil.copyfileobj(source, out, _COPY_CHUNK)
                if self.is_root:
                    os.fchown(out.fileno(), member.uid, member.gid)
                os.fchmod(out.fileno(), mode)  # after chown, which clears setuid bits
        elif member.issym():
            self._remove_existing(path)
            os.symlink(member.linkname, path)
        elif member.islnk():
            target_rel = clean_member_name(member.linkname)
            if target_rel is None or not target_rel:
                raise LayerError(f"hard link {member.name!r} points outside the layer")
            target_parent, target_base = posixpath.split(target_rel)
            target = self._ensure_directory(target_parent) / target_base
            if not os.path.lexists(target):
                raise LayerError(f"hard link {member.name!r} to missing {member.linkname!r}")
            self._remove_existing(path)
            os.link(target, path, follow_symlinks=False)
            return  # a hard link shares its target's inode, metadata included
        elif member.ischr() or member.isblk() or member.isfifo():
            self._remove_existing(path)
            try:
                if member.isfifo():
                    os.mkfifo(path, mode)
                else:
                    kind = stat.S_IFCHR if member.ischr() else stat.S_IFBLK
                    os.mknod(path, kind | mode, os.makedev(member.devmajor, member.devminor))
            except PermissionError:
                log.debug("cannot create device %s without CAP_MKNOD", path)
                return
            os.chmod(path, mode)
        else:
            log.debug("skipping tar entry %s of type %r", member.name, member.type)
            return
        if not member.isreg():  # regular files were chowned before their chmod
            self._owner(path, member)
        self._xattrs(path, member)
        os.utime(path, (member.mtime, member.mtime), follow_symlinks=False)

    def finish(self) -> None:
        """Directory metadata last (deepest first), so read-only directories could be
        filled and their mtimes are not disturbed by their children."""
        for path, member in sorted(self.directories, key=lambda item: -len(item[0].parts)):
            self._owner(path, member)
            os.chmod(path, member.mode & 0o7777)
            os.utime(path, (member.mtime, member.mtime))


def unpack_layer(stream: BinaryIO, destination: Path) -> str:
    """Unpack the uncompressed tar `stream` into `destination` (which must not exist yet:
    the caller renames a finished directory into place). Returns the diff ID
    ("sha256:<hex>" of the uncompressed tar)."""
    destination.mkdir(mode=0o755)
    reader = _HashingReader(stream)
    extractor = _Extractor(destination)
    try:
        with tarfile.open(fileobj=reader, mode="r|") as tar:  # type: ignore[arg-type]
            for member in tar:
                extractor.extract(tar, member)
        reader.drain()
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise LayerError(f"failed to extract layer: {exc}") from None
    extractor.finish()
    return "sha256:" + reader.hash.hexdigest()
