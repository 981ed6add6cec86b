# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""A container's stdin/stdout/stderr, shared by the runc and process runtimes.

Without a TTY the container writes into FIFOs in its state directory that it holds
open read-write, so a write never fails with EPIPE while the kubelet is away; the
kubelet reads them into the CRI log (and re-opens them after a restart); while no
kubelet reads, a container blocks once it has written a pipe's 64 KiB. stdin is a
FIFO whose write end the kubelet keeps for `attach`. With a TTY the kubelet holds the
pty master: output is logged as stdout, input goes to the master (a TTY container
does not outlive its kubelet's hold on the master: it gets SIGHUP).
"""
from __future__ import annotations

import asyncio
import fcntl
import os
import shutil
import socket
import struct
import tempfile
import termios
from pathlib import Path

from kybernetes.kubelet.cri import StreamingProcess
from kybernetes.kubelet.runtimes.crilog import LogFile, StreamPump


def set_winsize(fd: int, width: int, height: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))


class _WriteProtocol(asyncio.streams.FlowControlMixin):
    """A write protocol StreamWriter accepts; `on_close` runs when it closes."""

    def __init__(self, on_close=None) -> None:
        super().__init__()
        self._on_close = on_close
        self._closed = asyncio.get_running_loop().create_future()

    def connection_lost(self, exc) -> None:
        super().connection_lost(exc)
        if not self._closed.done():
            self._closed.set_result(None)
        if self._on_close is not None:
            self._on_close()

    def _get_close_waiter(self, stream) -> asyncio.Future:
        return self._closed


class FdWriteTransport(asyncio.WriteTransport):
    """Writes to a FIFO, pipe or pty master without ever reading it. The event loops'
    own pipe transports watch a FIFO for readability to notice the reader going away,
    which on an fd that is also a read end (our O_RDWR FIFO, a pty master) takes
    the container's own data for a hang-up."""

    HIGH_WATER = 64 * 1024

    def __init__(self, fd: int, protocol: _WriteProtocol) -> None:
        super().__init__()
        os.set_blocking(fd, False)
        self._fd = fd
        self._protocol = protocol
        self._loop = asyncio.get_running_loop()
        self._buffer = bytearray()
        self._closing = False
        self._paused = False
        self._writer_added = False
        protocol.connection_made(self)

    def get_extra_info(self, name, default=None):
        return default

    def is_closing(self) -> bool:
        return self._closing

    def get_write_buffer_size(self) -> int:
        return len(self._buffer)

    def write(self, data) -> None:
        if self._closing or not data:
            return
        if not self._buffer:
            try:
                written = os.write(self._fd, data)
            except BlockingIOError:
                written = 0
            except OSError as error:
                self._finish(error)
                return
            data = data[written:]
        if data:
            self._buffer += data
            if not self._writer_added:
                self._loop.add_writer(self._fd, self._writable)
                self._writer_added = True
            if not self._paused and len(self._buffer) > self.HIGH_WATER:
                self._paused = True
                self._protocol.pause_writing()

    def _writable(self) -> None:
        try:
            written = os.write(self._fd, self._buffer)
        except BlockingIOError:
            return
        except OSError as error:
            self._finish(error)
            return
        del self._buffer[:written]
        if self._paused and len(self._buffer) <= self.HIGH_WATER // 4:
            self._paused = False
            self._protocol.resume_writing()
        if not self._buffer:
            self._loop.remove_writer(self._fd)
            self._writer_added = False
            if self._closing:
                self._finish(None)

    def can_write_eof(self) -> bool:
        return True

    def write_eof(self) -> None:
        self.close()

    def close(self) -> None:
        if self._closing:
            return
        self._closing = True
        if not self._buffer:
            self._loop.call_soon(self._finish, None)

    def abort(self) -> None:
        self._buffer.clear()
        self._closing = True
        self._finish(None)

    def _finish(self, error) -> None:
        if self._fd < 0:
            return
        if self._writer_added:
            self._loop.remove_writer(self._fd)
            self._writer_added = False
        os.close(self._fd)
        self._fd = -1
        self._closing = True
        self._protocol.connection_lost(error)


async def pipe_writer(fd: int, on_close=None) -> asyncio.StreamWriter:
    """An asyncio StreamWriter owning `fd` (a FIFO, pipe or pty master)."""
    loop = asyncio.get_running_loop()
    protocol = _WriteProtocol(on_close)
    transport = FdWriteTransport(fd, protocol)
    return asyncio.StreamWriter(transport, protocol, None, loop)


def _open_fifo(path: Path, flags: int) -> int:
    if not path.exists():
        os.mkfifo(path, 0o600)
    return os.open(path, flags | os.O_CLOEXEC)


class ContainerIO:
    """Owns one container's streams; `directory` holds its FIFOs."""

    def __init__(self, directory: Path, log_path: Path | None, *, tty: bool, stdin: bool,
                 stdin_once: bool) -> None:
        self.directory = directory
        self.log_path = log_path
        self.tty = tty
        self.stdin = stdin
        self.stdin_once = stdin_once
        self.log: LogFile | None = None
        self.pumps: dict[str, StreamPump] = {}
        self.stdin_fd = -1  # our write end of stdin (FIFO, or a dup of the pty master)
        self.container_fds: list[int] = []

    # --------------------------------------------------------------- start
    def open_for_container(self) -> tuple[int, int, int]:
        """The fds a new container's stdio gets (FIFO mode); call start() after."""
        directory = self.directory
        out_w = _open_fifo(directory / "stdout", os.O_RDWR)
        err_w = _open_fifo(directory / "stderr", os.O_RDWR)
        if self.stdin:
            self.stdin_fd = _open_fifo(directory / "stdin", os.O_RDWR)
            in_r = os.open(directory / "stdin", os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
            os.set_blocking(in_r, True)
        else:
            in_r = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
        self.container_fds = [in_r, out_w, err_w]
        self._start_fifo_pumps()
        return in_r, out_w, err_w

    def close_container_ends(self) -> None:
        """Once the container holds its copies, drop ours (so EOF means it exited)."""
        for fd in self.container_fds:
            os.close(fd)
        self.container_fds = []

    def _start_fifo_pumps(self) -> None:
        self.log = LogFile(self.log_path)
        for stream in ("stdout", "stderr"):
            fd = os.open(self.directory / stream, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
            self.pumps[stream] = StreamPump(fd, stream, self.log)

    def start_tty(self, master_fd: int) -> None:
        """TTY mode: everything the container prints comes out of the master."""
        self.log = LogFile(self.log_path)
        if self.stdin:
            self.stdin_fd = os.dup(master_fd)
        self.pumps["stdout"] = StreamPump(master_fd, "stdout", self.log)

    def reopen(self) -> bool:
        """After a kubelet restart: read a still-running container's FIFOs again."""
        if self.tty or not (self.directory / "stdout").exists():
            return False
        self._start_fifo_pumps()
        if self.stdin and (self.directory / "stdin").exists():
            try:
                self.stdin_fd = os.open(self.directory / "stdin",
                                        os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
            except OSError:
                self.stdin_fd = -1
        return True

    def reopen_log(self) -> None:
        if self.log is not None:
            self.log.reopen()

    # --------------------------------------------------------------- end
    async def drained(self, timeout: float = 2.0) -> None:
        """Wait for every output stream's EOF (a leftover descendant may keep one
        open: then give up after `timeout` and close it)."""
        waits = [pump.done.wait() for pump in self.pumps.values()]
        if waits:
            try:
                await asyncio.wait_for(asyncio.gather(*waits), timeout)
            except asyncio.TimeoutError:
                pass
        self.close()

    def close(self) -> None:
        for pump in self.pumps.values():
            pump.close()
        if self.log is not None:
            self.log.close()
        self.close_container_ends()
        self._close_stdin()

    def _close_stdin(self) -> None:
        if self.stdin_fd >= 0:
            os.close(self.stdin_fd)
            self.stdin_fd = -1

    def _end_input(self) -> None:
        """stdinOnce: the first attach closing stdin ends the container's input (on a
        TTY that is the terminal's end-of-file character)."""
        if self.tty and self.stdin_fd >= 0:
            try:
                os.write(self.stdin_fd, b"\x04")
            except OSError:
                pass
        self._close_stdin()

    # --------------------------------------------------------------- attach
    async def attach(self, *, stdin: bool, stdout: bool, stderr: bool, wait,
                     resize=None) -> StreamingProcess:
        out_reader = self.pumps["stdout"].subscribe() if stdout and "stdout" in self.pumps \
            else None
        err_reader = self.pumps["stderr"].subscribe() if stderr and "stderr" in self.pumps \
            and not self.tty else None
        writer = None
        if stdin and self.stdin and self.stdin_fd >= 0:
            on_close = self._end_input if self.stdin_once else None
            writer = await pipe_writer(os.dup(self.stdin_fd), on_close)
        master = self.pumps["stdout"].fd if self.tty and "stdout" in self.pumps else -1

        def do_resize(width: int, height: int) -> None:
            if master >= 0 and not self.pumps["stdout"].done.is_set():
                set_winsize(master, width, height)

        async def detach() -> None:
            for name, reader in (("stdout", out_reader), ("stderr", err_reader)):
                if reader is not None:
                    self.pumps[name].unsubscribe(reader)
                    reader.feed_eof()
            if writer is not None:
                writer.close()

        return StreamingProcess(stdin=writer, stdout=out_reader, stderr=err_reader,
                                wait=wait, resize=resize or do_resize, kill=detach)


async def pty_streams(master_fd: int, stdin: bool) -> tuple[asyncio.StreamWriter | None,
                                                            asyncio.StreamReader, StreamPump]:
    """Reader (and writer) over a pty master an exec'd process's TTY is attached to."""
    writer = await pipe_writer(os.dup(master_fd)) if stdin else None
    pump = StreamPump(master_fd, "stdout", LogFile(None))
    return writer, pump.subscribe(), pump


class ConsoleSocket:
    """The unix socket runc hands a container's pty master to (SCM_RIGHTS). It lives
    in a fresh directory under /tmp: a socket path must fit in 108 bytes."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="kyb-console-"))
        self.path = self.directory / "sock"
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.sock.bind(str(self.path))
            self.sock.listen(1)
        except OSError:
            self.close()
            raise

    def receive(self) -> int:
        """runc has connected and sent the fd before it exited: nothing blocks."""
        self.sock.settimeout(5)
        conn, _ = self.sock.accept()
        with conn:
            _, fds, _, _ = socket.recv_fds(conn, 4096, 1)
        if not fds:
            raise OSError("runc sent no console")
        return fds[0]

    def close(self) -> None:
        self.sock.close()
        shutil.rmtree(self.directory, ignore_errors=True)
