# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The audit log backend: JSON lines to a file rotated as upstream's (lumberjack) is.

Requests only queue their encoded lines; a writer thread appends them in batches, so a
slow disk never stalls the event loop, and `close()` drains the queue, so a clean
shutdown loses nothing. Rotation happens before a write would take the file past
--audit-log-maxsize MB: the file is renamed to `<name>-<UTC time>.<ext>` (e.g.
audit-2026-11-22T08-30-00.000.log), then backups past --audit-log-maxbackup or older
than --audit-log-maxage days are removed (gzipped first with --audit-log-compress).
"""
from __future__ import annotations

import gzip
import logging
import os
import queue
import re
import shutil
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger("kybernetes.apiserver.audit")

MEGABYTE = 1024 * 1024
DEFAULT_MAX_SIZE_MB = 100  # lumberjack's default when --audit-log-maxsize is 0
_BACKUP_TIME = "%Y-%m-%dT%H-%M-%S"


def backup_name(path: Path, when: float) -> Path:
    """`audit.log` rotated at `when` -> `audit-2026-11-22T08-30-00.000.log`."""
    stamp = datetime.fromtimestamp(when, timezone.utc)
    text = stamp.strftime(_BACKUP_TIME) + f".{stamp.microsecond // 1000:03d}"
    return path.with_name(f"{path.stem}-{text}{path.suffix}")


def backup_time(path: Path, name: str) -> float | None:
    """When a backup of `path` named `name` was rotated, or None if it is not one."""
    pattern = re.escape(path.stem) + r"-(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d)\.(\d{3})" + \
        re.escape(path.suffix) + r"(\.gz)?"
    match = re.fullmatch(pattern, name)
    if not match:
        return None
    stamp = datetime.strptime(match.group(1), _BACKUP_TIME).replace(tzinfo=timezone.utc)
    return stamp.timestamp() + int(match.group(2)) / 1000


class RotatingFile:
    """The file half: size accounting, rotation and backup cleanup. Not thread-safe; the
    writer thread alone uses it."""

    def __init__(self, path: Path, max_size_mb: int = 0, max_backups: int = 0,
                 max_age_days: int = 0, compress: bool = False) -> None:
        self.path = path
        self.max_bytes = (max_size_mb or DEFAULT_MAX_SIZE_MB) * MEGABYTE
        self.max_backups = max_backups
        self.max_age_days = max_age_days
        self.compress = compress
        self._file: BinaryIO | None = None
        self._size = 0

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # readable by its owner only, as lumberjack creates it: the log names users
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._file = os.fdopen(descriptor, "ab")
        self._size = self._file.tell()

    def write(self, data: bytes) -> None:
        if self._file is None:
            self._open()
        if self._size and self._size + len(data) > self.max_bytes:
            self.rotate()
        self._file.write(data)
        self._size += len(data)

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def rotate(self, now: float | None = None) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        now = time.time() if now is None else now
        target = backup_name(self.path, now)
        while target.exists() or target.with_name(target.name + ".gz").exists():
            now += 0.001  # two rotations in one millisecond
            target = backup_name(self.path, now)
        if self.path.exists():
            os.rename(self.path, target)
            if self.compress:
                with open(target, "rb") as src, gzip.open(str(target) + ".gz", "wb") as dst:
                    shutil.copyfileobj(src, dst)
                target.unlink()
        self._open()
        self.remove_old_backups(now)

    def backups(self) -> list[tuple[float, Path]]:
        """Backups of this file, newest first."""
        found = []
        for entry in self.path.parent.iterdir():
            when = backup_time(self.path, entry.name)
            if when is not None:
                found.append((when, entry))
        return sorted(found, reverse=True)

    def remove_old_backups(self, now: float) -> None:
        backups = self.backups()
        doomed = []
        if self.max_backups > 0:
            doomed += backups[self.max_backups:]
        if self.max_age_days > 0:
            cutoff = now - self.max_age_days * 86400
            doomed += [b for b in backups if b[0] < cutoff]
        for _, path in set(doomed):
            try:
                path.unlink()
            except FileNotFoundError:
                pass

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class AuditLogBackend:
    """Queue of encoded events and the thread that writes them (`-` means stdout)."""

    def __init__(self, path: str, max_size_mb: int = 0, max_backups: int = 0,
                 max_age_days: int = 0, compress: bool = False) -> None:
        self._target: RotatingFile | None = None
        if path != "-":
            self._target = RotatingFile(Path(path), max_size_mb, max_backups, max_age_days,
                                        compress)
        self._queue: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="audit-log", daemon=True)
        self._thread.start()
        self._closed = False

    def process(self, line: bytes) -> None:
        """Queue one event (already encoded, ending in a newline)."""
        if not self._closed:
            self._queue.put(line)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            batch = []
            while item is not None:
                batch.append(item)
                if len(batch) >= 512:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            try:
                self._write(batch)
            except OSError as exc:  # a full disk must not stop the server
                log.error("writing the audit log: %s", exc)
            if item is None:
                if self._target is not None:
                    self._target.close()
                return

    def _write(self, lines: list[bytes]) -> None:
        if self._target is None:
            sys.stdout.buffer.write(b"".join(lines))
            sys.stdout.buffer.flush()
            return
        for line in lines:
            self._target.write(line)
        self._target.flush()

    def close(self, timeout: float = 30.0) -> None:
        """Write everything queued so far, then stop."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)
        self._thread.join(timeout)
