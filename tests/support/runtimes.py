# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Helpers for tests that drive a ContainerRuntime directly: a busybox rootfs made
from the host's busybox-static, and an event loop in a thread so a synchronous test
can call coroutines while the runtime keeps reading container output."""
from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import threading
from pathlib import Path

BUSYBOX = "/usr/bin/busybox"


def make_busybox_rootfs(directory: Path) -> Path:
    """<directory>/bin/busybox and a symlink per applet, /etc/passwd, /tmp: an image
    layer as the image store would unpack it."""
    (directory / "bin").mkdir(parents=True, exist_ok=True)
    shutil.copy2(BUSYBOX, directory / "bin" / "busybox")
    applets = subprocess.run([BUSYBOX, "--list"], capture_output=True, text=True,
                             check=True).stdout.split()
    for applet in applets:
        link = directory / "bin" / applet
        if applet != "busybox" and not link.exists():
            link.symlink_to("busybox")
    for sub in ("etc", "tmp", "root", "www"):
        (directory / sub).mkdir(exist_ok=True)
    os.chmod(directory / "tmp", 0o1777)
    (directory / "etc" / "passwd").write_text(
        "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n")
    (directory / "etc" / "group").write_text("root:x:0:\nnogroup:x:65534:\n")
    (directory / "www" / "index.html").write_text("hello from the pod\n")
    return directory


class LoopThread:
    """An asyncio loop running in a daemon thread; `run` waits for a coroutine. It is
    uvloop's when installed, as in `kybernetes server`."""

    def __init__(self) -> None:
        try:
            import uvloop
            self.loop = uvloop.new_event_loop()
        except ImportError:
            self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro, timeout: float = 120):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


def cri_lines(path: Path) -> list[tuple[str, str, str]]:
    """(stream, tag, text) of every line of a CRI log file."""
    out = []
    if not path.exists():
        return out
    for line in path.read_text().splitlines():
        _timestamp, stream, tag, text = (line.split(" ", 3) + [""])[:4]
        out.append((stream, tag, text))
    return out


async def read_until(reader: asyncio.StreamReader, wanted: bytes, limit: int = 1 << 20) -> bytes:
    data = b""
    while wanted not in data and len(data) < limit:
        chunk = await reader.read(4096)
        if not chunk:
            break
        data += chunk
    return data
