# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Thin Linux helpers for the runc runtime: mounts, network namespaces, cgroups."""
from __future__ import annotations

import asyncio
import ctypes
import os
import socket
from pathlib import Path

_libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000
MNT_DETACH = 2
NETNS_DIR = Path("/var/run/netns")
CGROUP_ROOT = Path("/sys/fs/cgroup")


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def mount(source: str, target: Path, fstype: str, options: str = "", flags: int = 0) -> None:
    _check(_libc.mount(source.encode(), str(target).encode(), fstype.encode(), flags,
                       options.encode() or None), f"mount {fstype} on {target}")


def unmount(target: Path) -> None:
    """Detach `target` if something is mounted there (idempotent)."""
    if _libc.umount2(str(target).encode(), MNT_DETACH) != 0:
        errno = ctypes.get_errno()
        if errno not in (22, 2):  # EINVAL: not a mount point; ENOENT: gone
            raise OSError(errno, f"umount {target}: {os.strerror(errno)}")


def is_mounted(target: Path) -> bool:
    wanted = str(target)
    with open("/proc/self/mountinfo") as f:
        return any(line.split()[4] == wanted for line in f)


def mount_overlay(layers: list[Path], upper: Path, work: Path, target: Path) -> None:
    """Layers lowest first, as images list them; overlayfs wants the top first."""
    lower = ":".join(str(p) for p in reversed(layers))
    mount("overlay", target, "overlay", f"lowerdir={lower},upperdir={upper},workdir={work}")


# ------------------------------------------------------------------ network namespaces
def _connect_in_netns(netns_path: str, port: int) -> socket.socket:
    """Runs in a worker thread: setns only changes this thread's namespace."""
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    target = os.open(netns_path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        _check(_libc.setns(target, CLONE_NEWNET), f"setns {netns_path}")
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock.setblocking(False)
            return sock
        finally:
            _check(_libc.setns(own, CLONE_NEWNET), "setns back")
    finally:
        os.close(own)
        os.close(target)


async def connect_in_netns(netns_path: str, port: int):
    """(reader, writer) of a TCP connection to 127.0.0.1:port inside `netns_path`."""
    if not netns_path:
        return await asyncio.open_connection("127.0.0.1", port)
    sock = await asyncio.to_thread(_connect_in_netns, netns_path, port)
    return await asyncio.open_connection(sock=sock)


def enable_ip_forward() -> None:
    path = Path("/proc/sys/net/ipv4/ip_forward")
    if path.read_text().strip() != "1":
        path.write_text("1\n")


# ------------------------------------------------------------------ cgroups
def cgroup_hierarchies() -> list[Path]:
    """Every mounted cgroup hierarchy (v1 controllers, named ones and the v2 tree)."""
    out = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            fstype = fields[fields.index("-") + 1]
            if fstype in ("cgroup", "cgroup2"):
                out.append(Path(fields[4]))
    return out


def remove_cgroup(relative: str) -> None:
    """rmdir the cgroup `relative` (and its empty children) in every hierarchy."""
    relative = relative.strip("/")
    if not relative:
        return
    for hierarchy in cgroup_hierarchies():
        path = hierarchy / relative
        if not path.is_dir():
            continue
        for child in sorted((p for p in path.rglob("*") if p.is_dir()),
                            key=lambda p: len(p.parts), reverse=True):
            try:
                child.rmdir()
            except OSError:
                pass
        try:
            path.rmdir()
        except OSError:
            pass


def oom_kills(relative: str) -> int:
    """How many processes the kernel OOM-killed in the cgroup (v1 oom_control or v2
    memory.events)."""
    relative = relative.strip("/")
    for candidate, key in ((CGROUP_ROOT / "memory" / relative / "memory.oom_control",
                            "oom_kill"),
                           (CGROUP_ROOT / relative / "memory.events", "oom_kill"),
                           (CGROUP_ROOT / "unified" / relative / "memory.events",
                            "oom_kill")):
        try:
            text = candidate.read_text()
        except OSError:
            continue
        for line in text.splitlines():
            name, _, value = line.partition(" ")
            if name == key:
                return int(value)
    return 0


def min_oom_score_adj() -> int:
    """The lowest oom_score_adj we may give a child: anything without
    CAP_SYS_RESOURCE (24) cannot go below its own."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("CapEff:") and int(line.split()[1], 16) & (1 << 24):
                return -1000
    with open("/proc/self/oom_score_adj") as f:
        return int(f.read())


def swap_accounting() -> bool:
    """Whether memory+swap can be limited (v1 memsw files; v2 memory.swap.max)."""
    return (CGROUP_ROOT / "memory" / "memory.memsw.limit_in_bytes").exists() or \
        (CGROUP_ROOT / "cgroup.controllers").exists()


def cgroups_available() -> bool:
    return (CGROUP_ROOT / "memory").is_dir() or (CGROUP_ROOT / "cgroup.controllers").exists()
