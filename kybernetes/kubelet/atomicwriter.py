# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Files of configMap, secret, downwardAPI and projected volumes, written the way
upstream's AtomicWriter does so that a reader never sees half an update:

    <dir>/..2026_01_02_03_04_05.123456789/<files>   the current payload
    <dir>/..data -> ..2026_01_02_03_04_05.123456789 swapped by one rename
    <dir>/<key>  -> ..data/<key>                     what the container sees

An update writes a new timestamped directory, points `..data` at it with a rename,
adds and removes the user-visible symlinks, then deletes the old directory.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DATA_DIR_NAME = "..data"
DATA_DIR_TMP_NAME = "..data_tmp"


@dataclass(frozen=True, slots=True)
class FileProjection:
    data: bytes
    mode: int = 0o644
    uid: int = -1  # fsUser; -1 = unchanged
    gid: int = -1  # fsGroup; -1 = unchanged


class PayloadError(ValueError):
    """A path in the payload is invalid (absolute, with '..', or empty)."""


def validate_path(path: str) -> None:
    if not path:
        raise PayloadError("invalid path: must not be empty")
    if path.startswith("/"):
        raise PayloadError(f"invalid path: must be relative path: {path}")
    parts = path.split("/")
    if ".." in parts:
        raise PayloadError(f"invalid path: must not contain '..': {path}")
    if parts[0].startswith(".."):
        raise PayloadError(f"invalid path: must not start with '..': {path}")


def _current(target: Path) -> Path | None:
    link = target / DATA_DIR_NAME
    try:
        return target / os.readlink(link)
    except OSError:
        return None


def _unchanged(current: Path, payload: dict[str, FileProjection]) -> bool:
    existing: set[str] = set()
    for root, _dirs, files in os.walk(current):
        for name in files:
            existing.add(os.path.relpath(os.path.join(root, name), current))
    if existing != set(payload):
        return False
    for path, projection in payload.items():
        file = current / path
        try:
            if file.read_bytes() != projection.data or (file.stat().st_mode & 0o7777) != projection.mode:
                return False
        except OSError:
            return False
    return True


def _timestamped_dir(target: Path) -> Path:
    prefix = time.strftime("..%Y_%m_%d_%H_%M_%S.", time.gmtime())
    return Path(tempfile.mkdtemp(prefix=prefix, dir=target))


def write_payload(target: Path, payload: dict[str, FileProjection]) -> bool:
    """Make `target` show exactly `payload`; returns whether anything changed."""
    for path in payload:
        validate_path(path)
    target.mkdir(parents=True, exist_ok=True)
    old = _current(target)
    if old is not None and old.is_dir() and _unchanged(old, payload):
        return False
    new = _timestamped_dir(target)
    os.chmod(new, 0o755)
    for path, projection in payload.items():
        file = new / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(projection.data)
        os.chmod(file, projection.mode)
        if projection.uid >= 0 or projection.gid >= 0:
            os.chown(file, projection.uid, projection.gid)
    tmp_link = target / DATA_DIR_TMP_NAME
    if tmp_link.is_symlink():
        tmp_link.unlink()
    os.symlink(new.name, tmp_link)
    os.rename(tmp_link, target / DATA_DIR_NAME)
    visible = {path.split("/", 1)[0] for path in payload}
    for name in visible:
        link = target / name
        if not link.is_symlink():
            if link.exists():
                shutil.rmtree(link) if link.is_dir() else link.unlink()
            os.symlink(f"{DATA_DIR_NAME}/{name}", link)
    for entry in os.listdir(target):
        if entry.startswith(".."):
            continue
        if entry not in visible:
            stale = target / entry
            shutil.rmtree(stale) if stale.is_dir() and not stale.is_symlink() else stale.unlink()
    if old is not None and old != new and old.is_dir():
        shutil.rmtree(old, ignore_errors=True)
    return True
