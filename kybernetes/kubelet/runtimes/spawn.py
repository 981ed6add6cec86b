# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Short-lived helper processes (runc, the CNI plugins) without stalling the event loop.

uvloop starts a child with fork(), which copies the kubelet's page tables: about 5 ms
of CPU with the event loop stopped, per call, for a 100 MB process (and a pod takes
several calls). subprocess.Popen uses vfork() (CPython 3.10+): about 1 ms. The wait
for the child's end and its output runs in a thread of a small pool, so the loop goes
on meanwhile.
"""
from __future__ import annotations

import asyncio
import subprocess
from concurrent.futures import ThreadPoolExecutor

# threads only wait (communicate); helpers run a few at a time, bursts may be larger
_WAITERS = ThreadPoolExecutor(max_workers=32, thread_name_prefix="kubelet-spawn")


def _stream(given: int | None, default: int) -> int:
    return default if given is None else given


async def run(argv: list[str], *, input: bytes | None = None, stdin: int | None = None,
              stdout: int | None = None, stderr: int | None = None,
              env: dict | None = None) -> tuple[int, bytes, bytes]:
    """Run `argv` to its end: (exit status, stdout, stderr). `input` is written to its
    stdin; otherwise `stdin` is an fd to hand it (None: /dev/null). `stdout`/`stderr`
    are fds to hand it, or None to capture them. Raises OSError when it cannot start."""
    proc = subprocess.Popen(
        argv, stdin=subprocess.PIPE if input is not None else _stream(stdin, subprocess.DEVNULL),
        stdout=_stream(stdout, subprocess.PIPE), stderr=_stream(stderr, subprocess.PIPE),
        env=env)
    loop = asyncio.get_running_loop()
    # shielded: a cancelled caller still leaves the thread to reap the child
    out, err = await asyncio.shield(loop.run_in_executor(_WAITERS, proc.communicate, input))
    return proc.returncode, out or b"", err or b""
