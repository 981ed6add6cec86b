# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""A pod worker's first pass makes the sandbox and mounts the volumes at once, except
when a downward API volume shows the pod's IPs (known only once the sandbox is)."""
from __future__ import annotations

import asyncio

from tests.unit.podmanager_double import DoubleRuntime
from tests.unit.test_podmanager import Harness, container, make_pod, run

POD_IP_VOLUME = {"name": "info", "downwardAPI": {"items": [
    {"path": "ip", "fieldRef": {"fieldPath": "status.podIP"}}]}}
NAME_VOLUME = {"name": "info", "downwardAPI": {"items": [
    {"path": "name", "fieldRef": {"fieldPath": "metadata.name"}}]}}


class VolumesFirstRuntime(DoubleRuntime):
    """A sandbox that only comes up once the pod's volumes are mounted."""

    def __init__(self) -> None:
        super().__init__()
        self.manager = None
        self.volumes_before_sandbox: list[bool] = []

    async def run_sandbox(self, config):
        worker = self.manager.workers[config.uid]
        for _ in range(200):
            if worker.volumes is not None:
                break
            await asyncio.sleep(0.01)
        self.volumes_before_sandbox.append(worker.volumes is not None)
        return await super().run_sandbox(config)


def start(tmp_path, volumes):
    h = Harness(tmp_path)
    h.cri = VolumesFirstRuntime()
    h.manager = h.new_manager()
    h.cri.manager = h.manager
    pod = make_pod([container()], volumes=volumes)
    return h, pod


def test_volumes_are_mounted_while_the_sandbox_is_made(tmp_path):
    async def main():
        h, pod = start(tmp_path, [NAME_VOLUME, {"name": "scratch", "emptyDir": {}}])
        await h.manager.start_pod(pod)
        await h.until(pod, lambda s: s.containers[0].state == "running")
        assert h.cri.volumes_before_sandbox == [True]
        files = tmp_path / "kubelet" / "pods" / "uid-1" / "volumes"
        assert (files / "kubernetes.io~downward-api" / "info" / "name").read_text() == "p"
        await h.manager.close()
    run(main())


def test_a_volume_showing_the_pod_ip_waits_for_the_sandbox(tmp_path):
    async def main():
        h, pod = start(tmp_path, [POD_IP_VOLUME])
        await h.manager.start_pod(pod)
        await h.until(pod, lambda s: s.containers[0].state == "running")
        assert h.cri.volumes_before_sandbox == [False]
        ip = tmp_path / "kubelet" / "pods" / "uid-1" / "volumes" / "kubernetes.io~downward-api" / "info" / "ip"
        assert ip.read_text() == "10.244.0.2"
        await h.manager.close()
    run(main())


def test_projected_downward_items_count_too(tmp_path):
    h, _ = start(tmp_path, [])
    worker_pod = make_pod([container()], volumes=[{"name": "all", "projected": {"sources": [
        {"configMap": {"name": "cm"}},
        {"downwardAPI": {"items": [{"path": "ips", "fieldRef": {"fieldPath": "status.podIPs"}}]}}]}}])
    from kybernetes.kubelet.podworker import PodWorker
    assert PodWorker(h.manager, worker_pod)._volumes_use_pod_ips()
    assert not PodWorker(h.manager, make_pod([container()], volumes=[NAME_VOLUME]))._volumes_use_pod_ips()
