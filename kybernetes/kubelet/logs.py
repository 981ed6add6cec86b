# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Reading a container's CRI log file, as `kubectl logs` asks: tailLines, sinceTime,
timestamps, limitBytes and follow (across rotation and until the container stops).

A CRI log line is `<RFC3339Nano time> <stdout|stderr> <P|F> <content>`: `F` ends a
line, `P` is a partial line continued by the next entry (long lines are split). The
parsing and formatting are pure; `stream_log` does the file I/O.
"""
from __future__ import annotations

import asyncio
import calendar
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Awaitable, Callable

TAG_PARTIAL, TAG_FULL = "P", "F"
_BLOCK = 64 * 1024


class LogFormatError(ValueError):
    """A line that is not in the CRI log format."""


@dataclass(slots=True)
class LogEntry:
    timestamp: str  # as written (RFC 3339 with nanoseconds)
    nanos: int  # the same, as nanoseconds since the epoch
    stream: str  # "stdout" | "stderr"
    partial: bool
    content: bytes  # without the line's newline


def parse_timestamp(text: str) -> int:
    """RFC 3339 with up to nine fractional digits, as nanoseconds since the epoch."""
    try:
        if text.endswith("Z"):
            body, offset = text[:-1], 0
        else:
            sign_at = max(text.rfind("+"), text.rfind("-"))
            if sign_at < 19:
                raise ValueError(text)
            body, zone = text[:sign_at], text[sign_at:]
            hours, minutes = zone[1:].split(":")
            offset = (int(hours) * 3600 + int(minutes) * 60) * (1 if zone[0] == "+" else -1)
        whole, _, fraction = body.partition(".")
        seconds = calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) - offset
        nanos = int((fraction + "000000000")[:9]) if fraction else 0
        if fraction and not fraction.isdigit():
            raise ValueError(text)
        return seconds * 1_000_000_000 + nanos
    except ValueError:
        raise LogFormatError(f"invalid timestamp {text!r}") from None


def format_timestamp(nanos: int) -> str:
    """RFC3339Nano as Go prints it: trailing zeros of the fraction dropped."""
    seconds, fraction = divmod(nanos, 1_000_000_000)
    text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    if fraction:
        text += "." + f"{fraction:09d}".rstrip("0")
    return text + "Z"


def parse_line(line: bytes) -> LogEntry:
    """One line of a CRI log file (with or without its trailing newline)."""
    if line.endswith(b"\n"):
        line = line[:-1]
    parts = line.split(b" ", 3)
    if len(parts) < 3:
        raise LogFormatError(f"unexpected log line {line[:80]!r}")
    stamp = parts[0].decode("ascii", "replace")
    stream = parts[1].decode("ascii", "replace")
    if stream not in ("stdout", "stderr"):
        raise LogFormatError(f"unexpected stream type {stream!r}")
    tag = parts[2].split(b":")[0].decode("ascii", "replace")
    if tag not in (TAG_PARTIAL, TAG_FULL):
        raise LogFormatError(f"unexpected log tag {tag!r}")
    content = parts[3] if len(parts) > 3 else b""
    return LogEntry(stamp, parse_timestamp(stamp), stream, tag == TAG_PARTIAL, content)


@dataclass
class LogOptions:
    follow: bool = False
    tail_lines: int | None = None  # None: all
    since_nanos: int | None = None  # entries older than this are skipped
    timestamps: bool = False
    limit_bytes: int | None = None


class LogFormatter:
    """Turns entries into what the client reads, keeping the state that spans entries:
    a partial line's continuation gets no second timestamp, and limitBytes counts
    everything written."""

    def __init__(self, options: LogOptions) -> None:
        self.options = options
        self.written = 0
        self._in_partial = False

    @property
    def exhausted(self) -> bool:
        return self.options.limit_bytes is not None and self.written >= self.options.limit_bytes

    def format(self, entry: LogEntry) -> bytes:
        if self.options.since_nanos is not None and entry.nanos < self.options.since_nanos:
            return b""
        out = b""
        if self.options.timestamps and not self._in_partial:
            out = entry.timestamp.encode() + b" "
        out += entry.content if entry.partial else entry.content + b"\n"
        self._in_partial = entry.partial
        if self.options.limit_bytes is not None:
            out = out[:max(0, self.options.limit_bytes - self.written)]
        self.written += len(out)
        return out


def tail_offset(handle, lines: int) -> int:
    """The offset of the first of the last `lines` lines of an open binary file (a
    final line without its newline counts as a line)."""
    handle.seek(0, os.SEEK_END)
    end = handle.tell()
    if lines <= 0:
        return end
    if end == 0:
        return 0
    handle.seek(end - 1)
    # the newline ending the last line does not start a line
    position = end - 1 if handle.read(1) == b"\n" else end
    seen = 0
    while position > 0:
        step = min(_BLOCK, position)
        handle.seek(position - step)
        block = handle.read(step)
        index = len(block)
        while True:
            index = block.rfind(b"\n", 0, index)
            if index < 0:
                break
            seen += 1
            if seen == lines:
                return position - step + index + 1
        position -= step
    return 0


def format_lines(data: bytes, formatter: LogFormatter) -> tuple[bytes, bytes]:
    """(output, unconsumed rest) for a chunk of file content; a line still being
    written (no newline yet) stays in the rest. Malformed lines are skipped."""
    out = bytearray()
    start = 0
    while not formatter.exhausted:
        end = data.find(b"\n", start)
        if end < 0:
            break
        try:
            out += formatter.format(parse_line(data[start:end]))
        except LogFormatError:
            pass
        start = end + 1
    return bytes(out), data[start:]


# ------------------------------------------------------------------ I/O
Writer = Callable[[bytes], Awaitable[None]]


async def stream_log(path: Path, options: LogOptions, write: Writer, *,
                     running: Callable[[], Awaitable[bool]] | None = None,
                     current_path: Callable[[], Path | None] | None = None,
                     client_gone: Callable[[], bool] = lambda: False,
                     poll_interval: float = 0.2, running_interval: float = 1.0) -> None:
    """Write the log at `path` as `options` ask. Following, keep reading as the file
    grows; when it is rotated (renamed or replaced) or the container restarts into a
    new file (`current_path` changes), go on with the new one; stop when the
    container is no longer `running` and everything is read, or the client is gone."""
    formatter = LogFormatter(options)
    last_running_check = 0.0
    handle = open(path, "rb")
    try:
        if options.tail_lines is not None:
            handle.seek(tail_offset(handle, options.tail_lines))
        else:
            handle.seek(0)
        rest = b""
        while True:
            chunk = handle.read(_BLOCK)
            if chunk:
                out, rest = format_lines(rest + chunk, formatter)
                if out:
                    await write(out)
                if formatter.exhausted:
                    return
                continue
            if not options.follow or client_gone():
                return
            replacement = _replacement(handle, path, current_path)
            if replacement is not None:
                handle.close()
                path, rest = replacement, b""
                handle = open(path, "rb")
                continue
            now = time.monotonic()
            if running is None or (now - last_running_check >= running_interval
                                   and not await running()):
                # one last look: the container may have written before it stopped
                chunk = handle.read(_BLOCK)
                if not chunk:
                    return
                out, rest = format_lines(rest + chunk, formatter)
                if out:
                    await write(out)
                continue
            if running is not None and now - last_running_check >= running_interval:
                last_running_check = now
            await asyncio.sleep(poll_interval)
    finally:
        handle.close()


def _replacement(handle, path: Path, current_path) -> Path | None:
    """The file to continue with when the one open is finished: a rotated log (a new
    file at the same path) or a restarted container's new log file."""
    if current_path is not None:
        latest = current_path()
        if latest is not None and Path(latest) != path:
            return Path(latest)
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    opened = os.fstat(handle.fileno())
    if (stat.st_ino, stat.st_dev) != (opened.st_ino, opened.st_dev):
        return path
    if stat.st_size < handle.tell():  # truncated in place (copytruncate)
        handle.seek(0)
    return None
