# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""A `kybernetes server --runtime runc` whose images come from a local docker-registry
mirroring docker.io, for the tests that run real containers.

Containers outlive a stopped kubelet, as upstream's do, so the teardown deletes every pod
and waits until the kubelet has released each sandbox (network namespace, mounts) before
it stops the server."""
from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.conftest import Kubectl, Server
from tests.support.waiting import wait_for

needs_runc = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("runc") or not shutil.which("docker-registry"),
    reason="needs root, runc and docker-registry")


def mounts_under(directory: Path) -> list[str]:
    prefix = str(directory).rstrip("/") + "/"
    with open("/proc/mounts") as handle:
        points = [line.split()[1] for line in handle]
    return sorted((p for p in points if p.startswith(prefix)), key=len, reverse=True)


def sandboxes_left(data_dir: Path) -> list[Path]:
    directory = data_dir / "kubelet" / "runc" / "sandboxes"
    return list(directory.iterdir()) if directory.is_dir() else []


@contextlib.contextmanager
def runc_cluster(tmp_path_factory, name: str, extra_args: list[str] = (), ingress: bool = False):
    """Yields the started Server; its data dir holds registries.yaml for the mirror. The
    ingress controller (nginx on host ports) runs only when a test asks for it, so
    clusters running side by side do not compete for ports 80 and 443."""
    from tests.support.registry import seed_registry, start_registry, write_registries_yaml
    registry = start_registry(tmp_path_factory.mktemp(f"{name}-registry"))
    data_dir = tmp_path_factory.mktemp(f"{name}-cluster")
    try:
        seed_registry(registry)
        write_registries_yaml(data_dir / "registries.yaml", registry.url)
        server = Server(data_dir, ["--runtime", "runc", "--disable-default-registry-endpoint",
                                   *([] if ingress else ["--disable", "ingress"]), *extra_args],
                        command="server").start()
        try:
            yield server
        finally:
            k = Kubectl(server, tmp_path_factory.mktemp(f"{name}-cleanup"))
            try:
                k.run("delete", "deployments,replicasets,statefulsets,daemonsets,jobs,cronjobs,"
                      "replicationcontrollers", "--all", "-A", "--wait=false", check=False)
                k.run("delete", "pods", "--all", "-A", "--grace-period=1", "--wait=false", check=False)
                wait_for(lambda: not k.json("get", "pods", "-A")["items"], timeout=120)
                wait_for(lambda: not sandboxes_left(data_dir) and not mounts_under(data_dir),
                         timeout=120)
            finally:
                server.stop()
                for mount in mounts_under(data_dir):  # whatever a failure left behind
                    subprocess.run(["umount", "-l", mount], check=False)
                # its kube-proxy's and policy rules stay after a stop, as upstream's do
                for component in ("proxy", "netpol"):
                    subprocess.run([sys.executable, "-m", "kybernetes.cli.main", component, "--cleanup"],
                                   check=False, capture_output=True)
    finally:
        registry.stop()


@contextlib.contextmanager
def process_cluster(tmp_path_factory, name: str):
    """A `kybernetes server --runtime process` (pods as host processes on 127.0.0.1, no
    root needed) with images from a local registry; yields a Kubectl for it."""
    from tests.support.registry import seed_registry, start_registry, write_registries_yaml
    registry = start_registry(tmp_path_factory.mktemp(f"{name}-registry"))
    data_dir = tmp_path_factory.mktemp(f"{name}-cluster")
    try:
        seed_registry(registry)
        write_registries_yaml(data_dir / "registries.yaml", registry.url)
        server = Server(data_dir, ["--runtime", "process", "--disable-default-registry-endpoint",
                                   "--disable", "ingress"], command="server").start()
        k = Kubectl(server, tmp_path_factory.mktemp(f"{name}-kubectl"))
        try:
            wait_for(lambda: k.json("get", "nodes")["items"], timeout=60)
            yield k
        finally:
            k.run("delete", "pods", "--all", "-A", "--grace-period=1", "--wait=false", check=False)
            wait_for(lambda: not k.json("get", "pods", "-A")["items"], timeout=120)
            server.stop()
    finally:
        registry.stop()


def ready_kubectl(server: Server, cache_dir: Path) -> Kubectl:
    """kubectl for `server`, once its node is Ready."""
    k = Kubectl(server, cache_dir)
    wait_for(lambda: any(c["type"] == "Ready" and c["status"] == "True"
                         for node in k.json("get", "nodes")["items"]
                         for c in node["status"].get("conditions", [])), timeout=60)
    return k


@contextlib.contextmanager
def fresh_namespace(k: Kubectl, prefix: str):
    """A new namespace with its default ServiceAccount, deleted afterwards."""
    import uuid
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    k.run("create", "namespace", name)
    wait_for(lambda: k.run("get", "serviceaccount", "default", "-n", name, check=False).returncode == 0)
    try:
        yield name
    finally:
        k.run("delete", "namespace", name, "--wait=false", check=False)
