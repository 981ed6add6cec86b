# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""A pod's network, IPC and UTS namespaces kept without a process (CRI-O's `pinns`).

The namespaces are made in a short-lived thread of the kubelet with unshare(2) and
kept alive by bind-mounting the thread's /proc/thread-self/ns/<kind> onto a file, as
`ip netns add` does for a network namespace; runc and the CNI plugins join them by
that path. Unmounting and removing the file ends the namespace once nothing uses it.
Only a shared PID namespace still needs a process (its init): see runc.py's holder.
"""
from __future__ import annotations

import asyncio
import ctypes
import fcntl
import os
import socket
import struct
import threading
from pathlib import Path

from kybernetes.kubelet.runtimes.linux import MNT_DETACH, NETNS_DIR, mount

CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWNET = 0x40000000
CLONE_FLAGS = {"net": CLONE_NEWNET, "ipc": CLONE_NEWIPC, "uts": CLONE_NEWUTS}
MS_BIND = 0x1000
MS_REC = 0x4000
MS_SHARED = 1 << 20
SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def clone_flags(kinds) -> int:
    """The unshare(2) flags for namespace kinds ("net", "ipc", "uts")."""
    flags = 0
    for kind in kinds:
        if kind not in CLONE_FLAGS:
            raise ValueError(f"cannot pin a {kind!r} namespace")
        flags |= CLONE_FLAGS[kind]
    return flags


def ifreq_flags(name: str, flags: int = 0) -> bytes:
    """A struct ifreq holding an interface name and its flags (for SIOC[GS]IFFLAGS)."""
    return struct.pack("16sH22x", name.encode(), flags)


def flags_of(ifreq: bytes) -> int:
    return struct.unpack_from("16sH", ifreq)[1]


def bring_up(interface: str = "lo") -> None:
    """Set IFF_UP on `interface` of this thread's network namespace: all the CNI
    loopback plugin does on ADD, without a fork/exec."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        current = flags_of(fcntl.ioctl(sock, SIOCGIFFLAGS, ifreq_flags(interface)))
        if not current & IFF_UP:
            fcntl.ioctl(sock, SIOCSIFFLAGS, ifreq_flags(interface, current | IFF_UP))


def _bind_namespace(kind: str, target: Path) -> None:
    fd = os.open(target, os.O_RDONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o444)
    os.close(fd)
    try:
        mount(f"/proc/thread-self/ns/{kind}", target, "none", flags=MS_BIND)
    except OSError:
        target.unlink(missing_ok=True)
        raise


def _pin_here(targets: dict[str, Path], hostname: str) -> None:
    """In a thread of its own: new namespaces, set up, pinned, then back to ours."""
    own = {kind: os.open(f"/proc/thread-self/ns/{kind}", os.O_RDONLY | os.O_CLOEXEC)
           for kind in targets}
    try:
        _check(_libc.unshare(clone_flags(targets)), "unshare")
        try:
            if "uts" in targets and hostname:
                name = hostname.encode()
                _check(_libc.sethostname(name, len(name)), f"sethostname {hostname}")
            if "net" in targets:
                bring_up("lo")
            pinned = []
            try:
                for kind, target in targets.items():
                    _bind_namespace(kind, target)
                    pinned.append(target)
            except OSError:
                for target in pinned:
                    unpin(target)
                raise
        finally:
            # should this fail, the thread ends in the pod's namespaces: harmless, as
            # nothing else ever runs on it
            for kind, fd in own.items():
                _check(_libc.setns(fd, CLONE_FLAGS[kind]), f"setns back to our {kind}")
    finally:
        for fd in own.values():
            os.close(fd)


async def pin(targets: dict[str, Path], hostname: str = "") -> None:
    """New namespaces of each kind in `targets` ({"net": path, ...}), pinned at those
    paths; a new UTS namespace gets `hostname`, a new network namespace its lo up.
    Raises OSError (nothing is left pinned then)."""
    if not targets:
        return
    loop = asyncio.get_running_loop()
    done: asyncio.Future = loop.create_future()

    def settle(error: BaseException | None) -> None:
        if not done.cancelled():
            if error is None:
                done.set_result(None)
            else:
                done.set_exception(error)

    def work() -> None:
        error = None
        try:
            _pin_here(targets, hostname)
        except BaseException as exc:  # handed to the awaiting task
            error = exc
        loop.call_soon_threadsafe(settle, error)

    # a fresh thread, never a pooled one: unshare changes the calling thread only
    threading.Thread(target=work, name="kubelet-pin-namespaces", daemon=True).start()
    await asyncio.shield(done)


def unpin(target: Path) -> None:
    """Undo a pin (idempotent): detach the mount, remove the file."""
    if _libc.umount2(str(target).encode(), MNT_DETACH) != 0:
        errno = ctypes.get_errno()
        if errno not in (22, 2):  # EINVAL: not a mount point; ENOENT: gone
            raise OSError(errno, f"umount {target}: {os.strerror(errno)}")
    try:
        target.unlink()
    except FileNotFoundError:
        pass


_NSFS_DEV: int | None = None


def is_pinned(target: Path) -> bool:
    """Whether a namespace is mounted at `target` (gone after a reboot)."""
    global _NSFS_DEV
    if _NSFS_DEV is None:
        _NSFS_DEV = os.stat("/proc/self/ns/net").st_dev  # nsfs: one device for all
    try:
        return os.stat(target).st_dev == _NSFS_DEV
    except OSError:
        return False


def prepare_netns_dir(directory: Path = NETNS_DIR) -> None:
    """/var/run/netns as `ip netns` leaves it: a shared mount, so that the namespaces
    pinned there show in mount namespaces made after them."""
    directory.mkdir(parents=True, exist_ok=True)
    try:
        mount("", directory, "none", flags=MS_SHARED | MS_REC)
    except OSError as error:
        if error.errno != 22:  # EINVAL: not a mount point yet
            raise
        mount(str(directory), directory, "none", flags=MS_BIND | MS_REC)
        mount("", directory, "none", flags=MS_SHARED | MS_REC)
