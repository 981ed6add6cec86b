# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Exit codes of processes we did not fork ourselves.

`runc create` and `runc exec -d` leave the container's process orphaned; with the
kubelet a child subreaper (prctl PR_SET_CHILD_SUBREAPER) the kernel hands it to us,
so we can wait for it and keep its real exit status. A pidfd tells the event loop
when it ends. A process that is not our child (one that a previous kubelet started)
still signals its end through the pidfd, but its status is lost: `watch` gives None.
"""
from __future__ import annotations

import asyncio
import ctypes
import os
import signal

PR_SET_CHILD_SUBREAPER = 36
_libc = ctypes.CDLL(None, use_errno=True)


def become_subreaper() -> None:
    if _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))


def exit_code(wait_status: int) -> int:
    """A shell's convention: the exit status, or 128 + the signal that ended it."""
    if os.WIFSIGNALED(wait_status):
        return 128 + os.WTERMSIG(wait_status)
    return os.waitstatus_to_exitcode(wait_status)


def signal_number(name: str) -> int:
    name = name.upper()
    return int(getattr(signal, name if name.startswith("SIG") else "SIG" + name))


def watch(pid: int) -> asyncio.Future:
    """A future resolved with the wait status of `pid` once it ends (None when it is
    not our child or is already gone)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future = loop.create_future()
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        future.set_result(_reap(pid))
        return future

    def ended() -> None:
        if not future.done():
            future.set_result(_reap(pid))

    def release(_future) -> None:  # also when cancelled: a later watcher may reap it
        loop.remove_reader(pidfd)
        os.close(pidfd)

    loop.add_reader(pidfd, ended)
    future.add_done_callback(release)
    return future


async def wait_exit_code(pid: int) -> int | None:
    """`pid`'s exit code once it ends; None when its status is not ours to read."""
    status = await watch(pid)
    return None if status is None else exit_code(status)


def reap_if_child(pid: int) -> int | None:
    """The exit code of an ended child that nobody has waited for yet, else None."""
    status = _reap(pid) if pid > 0 else None
    return None if status is None else exit_code(status)


def _reap(pid: int) -> int | None:
    try:
        reaped, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return None
    if reaped == 0:  # still running (reap_if_child on a live child)
        return None
    return status


def alive(pid: int, start_time: str = "") -> bool:
    """Whether `pid` runs and (when given) started at `start_time` (field 22 of
    /proc/<pid>/stat), so a reused pid is not taken for ours."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return False
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] == "Z":
        return False
    return not start_time or fields[19] == start_time


def start_time(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except OSError:
        return ""
