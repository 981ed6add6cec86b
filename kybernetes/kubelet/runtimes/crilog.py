# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Container output to CRI log lines, shared by the runc and process runtimes.

A CRI log line is `<RFC3339Nano UTC> <stream> <tag> <text>\n`: tag `F` ends a line,
`P` is a partial chunk (a line longer than MAX_LINE, or output without a final
newline when the stream ends). `LineSplitter` is the pure part; `StreamPump` reads a
non-blocking fd on the event loop, appends lines to the log file and hands raw chunks
to attached readers.
"""
from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

MAX_LINE = 16 * 1024  # containerd's default max_container_log_line_size


def timestamp(now: float | None = None) -> str:
    """RFC3339Nano in UTC with nine fractional digits, as containerd writes it."""
    ns = time.time_ns() if now is None else int(now * 1e9)
    seconds, fraction = divmod(ns, 1_000_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{fraction:09d}Z"


def format_line(stream: str, text: bytes, partial: bool, now: float | None = None) -> bytes:
    return b"%s %s %s %s\n" % (timestamp(now).encode(), stream.encode(),
                               b"P" if partial else b"F", text)


class LineSplitter:
    """Turns a byte stream into (text, partial) records; pure."""

    def __init__(self, max_line: int = MAX_LINE) -> None:
        self.max_line = max_line
        self.pending = b""

    def feed(self, data: bytes) -> list[tuple[bytes, bool]]:
        self.pending += data
        records: list[tuple[bytes, bool]] = []
        while True:
            newline = self.pending.find(b"\n", 0, self.max_line + 1)
            if newline >= 0:
                line = self.pending[:newline]
                self.pending = self.pending[newline + 1:]
                if line.endswith(b"\r"):
                    line = line[:-1]
                records.append((line, False))
            elif len(self.pending) >= self.max_line:
                records.append((self.pending[:self.max_line], True))
                self.pending = self.pending[self.max_line:]
            else:
                return records

    def finish(self) -> list[tuple[bytes, bool]]:
        """At end of stream: what is left is a partial line."""
        rest, self.pending = self.pending, b""
        return [(rest, True)] if rest else []


class LogFile:
    """Appends CRI lines to one file (both streams of a container share it)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.fd = -1
        self.reopen()

    def reopen(self) -> None:
        """(Re)open the file at its path: after a rotation renamed the old one."""
        self.close()
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC,
                              0o640)

    def write(self, stream: str, records: list[tuple[bytes, bool]]) -> None:
        if self.fd < 0 or not records:
            return
        now = time.time()
        os.write(self.fd, b"".join(format_line(stream, text, partial, now)
                                   for text, partial in records))

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


class StreamPump:
    """Reads one output fd of a container until EOF: CRI lines to `log`, raw bytes to
    every attached reader. `done` is set once the stream has ended."""

    def __init__(self, fd: int, stream: str, log: LogFile) -> None:
        os.set_blocking(fd, False)
        self.fd = fd
        self.stream = stream
        self.log = log
        self.splitter = LineSplitter()
        self.readers: list[asyncio.StreamReader] = []
        self.done = asyncio.Event()
        self.loop = asyncio.get_running_loop()
        self.loop.add_reader(fd, self._readable)

    def subscribe(self) -> asyncio.StreamReader:
        reader = asyncio.StreamReader()
        if self.done.is_set():
            reader.feed_eof()
        else:
            self.readers.append(reader)
        return reader

    def unsubscribe(self, reader: asyncio.StreamReader) -> None:
        if reader in self.readers:
            self.readers.remove(reader)

    def _readable(self) -> None:
        try:
            data = os.read(self.fd, 65536)
        except BlockingIOError:
            return
        except OSError:  # EIO from a pty master once the slave side is gone
            data = b""
        if not data:
            self.close()
            return
        self.log.write(self.stream, self.splitter.feed(data))
        for reader in self.readers:
            reader.feed_data(data)

    async def drained(self, timeout: float = 2.0) -> None:
        """Wait for EOF once the writer has ended; a leftover process that still holds
        the other end (a shell's background job) must not keep us waiting."""
        try:
            await asyncio.wait_for(self.done.wait(), timeout)
        except asyncio.TimeoutError:
            self.close()

    def close(self) -> None:
        if self.done.is_set():
            return
        self.loop.remove_reader(self.fd)
        os.close(self.fd)
        self.log.write(self.stream, self.splitter.finish())
        for reader in self.readers:
            reader.feed_eof()
        self.readers.clear()
        self.done.set()
