# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Image garbage collection at a disk threshold, end to end: an agent whose --root-dir
is a small tmpfs, two images imported, one used by a running pod. Filling the disk past
the high threshold removes the unused image and keeps the used one; when nothing more
can be freed the kubelet reports FreeDiskSpaceFailed, and ImageGCFailed when that
repeats, on its Node, with upstream's text."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.conftest import Kubectl, Server, free_port
from tests.support.image_builder import busybox_available, nginx_available
from tests.support.kubelet_agent import Agent, leftover_processes
from tests.support.waiting import wait_for

NODE = "gc-node"
SHORTFALL = re.compile(r"Failed to garbage collect required amount of images\. Attempted to free "
                       r"[1-9][0-9]* bytes, but only found 0 bytes eligible to free\.")
pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not busybox_available() or not nginx_available(),
    reason="needs root (to mount a tmpfs), busybox-static and nginx to build the images")


def kybernetes(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kybernetes.cli.main", *args], capture_output=True,
                          text=True, timeout=300, check=True)


def image_refs(root: Path) -> set[str]:
    rows = kybernetes("images", "list", "--data-dir", str(root)).stdout.strip().splitlines()[1:]
    return {f"{row.split()[0]}:{row.split()[1]}" for row in rows}


def usage_percent(path: Path) -> int:
    stats = os.statvfs(path)
    return 100 - int(stats.f_bavail * 100 / stats.f_blocks)


def fill_to(path: Path, filler: Path, percent: int) -> None:
    """Grow `filler` until the filesystem is `percent` used."""
    stats = os.statvfs(path)
    total, available = stats.f_blocks * stats.f_frsize, stats.f_bavail * stats.f_frsize
    wanted = total * percent // 100 - (total - available)
    with open(filler, "ab") as handle:
        while wanted > 0:
            chunk = min(wanted, 1 << 20)
            handle.write(b"\0" * chunk)
            wanted -= chunk


def node_events(admin: Kubectl, reason: str) -> list[dict]:
    events = json.loads(admin.run("get", "events", "-A", "-o", "json").stdout)["items"]
    return [e for e in events if e["reason"] == reason and e["involvedObject"]["kind"] == "Node"
            and e["involvedObject"]["name"] == NODE]


@pytest.fixture
def small_disk(tmp_path):
    root = tmp_path / "kubelet-root"
    root.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96m", "tmpfs", str(root)], check=True)
    try:
        yield root
    finally:
        for attempt in range(2):
            if subprocess.run(["umount", str(root)], capture_output=True).returncode == 0:
                break
        else:
            subprocess.run(["umount", "-l", str(root)], check=False)


def test_unused_images_go_when_the_disk_fills(small_disk, tmp_path_factory):
    from tests.support.registry import busybox_image, nginx_image, save_docker_archive
    root = small_disk
    archive = save_docker_archive(tmp_path_factory.mktemp("gc-images") / "images.tar",
                                  {"busybox:1.36": busybox_image(), "nginx:1.25": nginx_image()})
    kybernetes("images", "import", str(archive), "--data-dir", str(root))
    assert image_refs(root) == {"docker.io/library/busybox:1.36", "docker.io/library/nginx:1.25"}
    server = Server(tmp_path_factory.mktemp("gc-cluster"), command="server").start()
    agent = Agent(server, tmp_path_factory.mktemp("gc-agent"), NODE,
                  ["--runtime", "process", "--root-dir", str(root), "--image-gc-period", "1s",
                   "--minimum-image-ttl-duration", "0s", "--image-gc-high-threshold", "85",
                   "--image-gc-low-threshold", "80", "--eviction-hard", "memory.available<1Mi"])
    admin = Kubectl(server, tmp_path_factory.mktemp("gc-kubectl"))
    token = f"gc-{os.getpid()}-{free_port()}"
    filler = root / "filler"
    uid = "unknown"
    try:
        agent.start()
        wait_for(lambda: admin.run("get", "node", NODE, check=False).returncode == 0, timeout=60)
        admin.run("apply", "-f", "-", input=json.dumps({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "user", "namespace": "default"},
            "spec": {"nodeName": NODE, "terminationGracePeriodSeconds": 1, "containers": [{
                "name": "main", "image": "busybox:1.36", "imagePullPolicy": "Never",
                "command": ["sh", "-c", f"echo {token}; exec sleep 600"]}]}}))
        wait_for(lambda: admin.run("get", "pod", "user", "-o", "jsonpath={.status.phase}").stdout == "Running",
                 timeout=90)
        uid = admin.run("get", "pod", "user", "-o", "jsonpath={.metadata.uid}").stdout
        assert usage_percent(root) < 85 and image_refs(root) == {
            "docker.io/library/busybox:1.36", "docker.io/library/nginx:1.25"}

        # just past the high threshold: removing nginx frees enough, busybox is in use
        fill_to(root, filler, 86)
        wait_for(lambda: image_refs(root) == {"docker.io/library/busybox:1.36"}, timeout=60)
        assert usage_percent(root) < 80
        assert not node_events(admin, "FreeDiskSpaceFailed")
        assert "removing image" in agent.output()

        # nearly full with nothing left to remove: the shortfall is reported, then repeated
        fill_to(root, filler, 95)
        failed = wait_for(lambda: node_events(admin, "FreeDiskSpaceFailed"), timeout=60)[0]
        assert failed["type"] == "Warning"
        repeated = wait_for(lambda: node_events(admin, "ImageGCFailed"), timeout=60)[0]
        assert repeated["type"] == "Warning"
        assert SHORTFALL.fullmatch(repeated["message"]) and SHORTFALL.fullmatch(failed["message"])
        assert image_refs(root) == {"docker.io/library/busybox:1.36"}  # the used image stays
        assert admin.run("get", "pod", "user", "-o", "jsonpath={.status.phase}").stdout == "Running"
    finally:
        filler.unlink(missing_ok=True)
        admin.run("delete", "pod", "user", "--grace-period=1", "--wait=false", check=False)
        if agent.running():
            try:
                wait_for(lambda: not leftover_processes(token), timeout=60)
            except AssertionError:
                pass
        agent.stop()
        server.stop()
        for pid in leftover_processes(token):
            os.kill(pid, 9)
        shutil.rmtree(Path("/var/log/pods") / f"default_user_{uid}", ignore_errors=True)
