# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""A pod's namespaces pinned without a process (nspin): new network, IPC and UTS
namespaces bind-mounted onto files, lo up and the pod's hostname set in them, the
kubelet's own namespaces untouched, and nothing left once unpinned."""
from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess

import pytest

from kybernetes.kubelet.runtimes import nspin

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("nsenter"),
                                reason="pinning namespaces needs root (and nsenter to look)")


def nsenter(kind: str, path, *argv: str) -> str:
    return subprocess.run(["nsenter", f"--{kind}={path}", *argv], capture_output=True,
                          text=True, check=True).stdout


def test_pin_and_unpin(tmp_path):
    targets = {"net": tmp_path / "net", "ipc": tmp_path / "ipc", "uts": tmp_path / "uts"}
    own = {kind: os.stat(f"/proc/self/ns/{kind}").st_ino for kind in targets}
    try:
        asyncio.run(nspin.pin(targets, hostname="pinned-pod"))
        assert all(nspin.is_pinned(path) for path in targets.values())
        for kind, path in targets.items():
            assert os.stat(path).st_ino != own[kind]  # a namespace of its own
            # and this process (every thread of it) is still in its own
            assert os.stat(f"/proc/self/ns/{kind}").st_ino == own[kind]
            for task in os.listdir("/proc/self/task"):
                assert os.stat(f"/proc/self/task/{task}/ns/{kind}").st_ino == own[kind]
        assert nsenter("uts", targets["uts"], "hostname").strip() == "pinned-pod"
        assert socket.gethostname() != "pinned-pod"
        links = nsenter("net", targets["net"], "ip", "-o", "link", "show")
        assert len(links.splitlines()) == 1 and ",UP," in links.split(":")[2]  # lo, up
        with pytest.raises(FileExistsError):  # a pin never replaces another
            asyncio.run(nspin.pin({"net": targets["net"]}))
    finally:
        for path in targets.values():
            nspin.unpin(path)
    assert not any(path.exists() for path in targets.values())
    with open("/proc/self/mountinfo") as mounts:
        assert str(tmp_path) not in mounts.read()


def test_a_failed_pin_leaves_nothing(tmp_path):
    (tmp_path / "uts").write_text("")  # in the way: the UTS pin fails after the net pin
    targets = {"net": tmp_path / "net", "uts": tmp_path / "uts"}
    with pytest.raises(FileExistsError):
        asyncio.run(nspin.pin(targets, hostname="x"))
    assert not (tmp_path / "net").exists()
    with open("/proc/self/mountinfo") as mounts:
        assert str(tmp_path) not in mounts.read()
