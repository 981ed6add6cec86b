# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Backup, restore and migration of a cluster's state, end to end: `kybernetes snapshot
save|restore` (SQLite online backup while the server runs; etcd snapshots through
etcdctl) and `kybernetes migrate` from SQLite into etcd. After each, an API server on the
restored or migrated store serves every object again, with the same uids and contents."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.conftest import Kubectl, Server
from tests.support.etcd import EtcdMember, etcd_available
from tests.support.waiting import wait_for

NAMESPACE = "backup"
CRD = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.backup.example.com
spec:
  group: backup.example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
              colour: {type: string}
"""
WIDGET = """
apiVersion: backup.example.com/v1
kind: Widget
metadata: {name: blue-one, namespace: backup}
spec: {size: 3, colour: blue}
"""
# what is compared: (resource, namespaced, the part of the object that must come back)
RESOURCES = (("deployments.apps", True, "spec"), ("configmaps", True, "data"),
             ("customresourcedefinitions.apiextensions.k8s.io", False, "spec"),
             ("widgets.backup.example.com", True, "spec"))


def kybernetes(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "kybernetes.cli.main", *args],
                            capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"kybernetes {' '.join(args)} failed ({result.returncode}):\n"
                             f"{result.stdout}\n{result.stderr}")
    return result


def cluster_state(kubectl: Kubectl) -> dict:
    """Every object this test made: (resource, name) -> (uid, compared part)."""
    state = {}
    for resource, namespaced, part in RESOURCES:
        scope = ["-n", NAMESPACE] if namespaced else []
        for item in kubectl.json("get", resource, *scope)["items"]:
            name = item["metadata"]["name"]
            if resource.startswith("customresourcedefinitions") and not name.endswith(
                    "backup.example.com"):
                continue
            state[(resource, name)] = (item["metadata"]["uid"], item.get(part))
    return state


def wait_for_state(kubectl: Kubectl, expected: dict) -> None:
    """Poll until the server shows every expected object (a CRD's resource is served a
    moment after start), then compare exactly."""
    def complete():
        try:
            return set(cluster_state(kubectl)) >= set(expected)
        except AssertionError:  # e.g. widgets not served yet
            return False
    wait_for(complete, timeout=120)
    assert cluster_state(kubectl) == expected


@pytest.fixture(scope="module")
def populated(tmp_path_factory):
    """A SQLite apiserver with a Deployment, ConfigMaps, a CRD and a custom resource; a
    snapshot saved while it runs; then the server stopped. Returns (state, data dir,
    snapshot file)."""
    base = tmp_path_factory.mktemp("snapshot-source")
    server = Server(base / "data").start()
    try:
        kubectl = Kubectl(server, base / "cache")
        kubectl.run("create", "namespace", NAMESPACE)
        kubectl.run("create", "deployment", "web", "--image=nginx:1.27", "--replicas=3",
                    "-n", NAMESPACE)
        for i in range(20):
            kubectl.run("create", "configmap", f"settings-{i}", f"--from-literal=index={i}",
                        f"--from-literal=blob={'x' * 500}", "-n", NAMESPACE)
        kubectl.run("apply", "-f", "-", input=CRD)
        kubectl.run("wait", "--for=condition=Established", "--timeout=60s",
                    "crd/widgets.backup.example.com")
        wait_for(lambda: kubectl.run("apply", "-f", "-", input=WIDGET, check=False)
                 .returncode == 0, timeout=60)
        state = cluster_state(kubectl)
        assert len(state) == 23
        snapshot = base / "state.snapshot"
        # online: the server is still running
        saved = kybernetes("snapshot", "save", str(snapshot), "--data-dir", str(base / "data"))
        assert "saved" in saved.stdout
    finally:
        server.stop()
    return state, base / "data", snapshot


def test_sqlite_snapshot_restore_into_fresh_data_dir(populated, tmp_path):
    state, _, snapshot = populated
    fresh = tmp_path / "restored"
    result = kybernetes("snapshot", "restore", str(snapshot), "--data-dir", str(fresh))
    assert (fresh / "state.db").is_file(), result.stdout
    server = Server(fresh).start()
    try:
        wait_for_state(Kubectl(server, tmp_path / "cache"), state)
    finally:
        server.stop()
    # a second restore into the same data dir is refused with one line
    again = kybernetes("snapshot", "restore", str(snapshot), "--data-dir", str(fresh),
                       check=False)
    assert again.returncode != 0
    assert "exists" in again.stderr and len(again.stderr.strip().splitlines()) == 1


def start_apiserver_on_etcd(data_dir: Path, member: EtcdMember) -> Server:
    return Server(data_dir, ["--etcd-servers", member.url]).start()


@pytest.mark.skipif(not etcd_available(), reason="etcd is not installed")
def test_migrate_sqlite_to_etcd_and_etcd_snapshot_round_trip(populated, tmp_path):
    state, source_dir, _ = populated
    member = EtcdMember(tmp_path / "etcd-a").start()
    restored: EtcdMember | None = None
    try:
        result = kybernetes("migrate", "--from", f"sqlite:{source_dir / 'state.db'}",
                            "--to", f"etcd:{member.url}")
        assert "migrated" in result.stdout
        # the target is no longer empty: a second migrate is refused with one line
        again = kybernetes("migrate", "--from", f"sqlite:{source_dir / 'state.db'}",
                           "--to", f"etcd:{member.url}", check=False)
        assert again.returncode != 0 and "not empty" in again.stderr
        assert len(again.stderr.strip().splitlines()) == 1

        server = start_apiserver_on_etcd(tmp_path / "api-a", member)
        try:
            wait_for_state(Kubectl(server, tmp_path / "cache-a"), state)
            # etcd snapshot while the API server runs
            snapshot = tmp_path / "etcd.snapshot"
            kybernetes("snapshot", "save", str(snapshot), "--etcd-servers", member.url)
            assert snapshot.stat().st_size > 0
        finally:
            server.stop()
        member.stop()

        # restore into a NEW member's data dir (the one EtcdMember.start() uses), start it
        restored = EtcdMember(tmp_path / "etcd-b")
        peer = f"http://127.0.0.1:{restored.peer_port}"
        result = kybernetes("snapshot", "restore", str(snapshot), "--etcd-data-dir",
                            str(restored.data_dir / "data"),
                            "--etcd-initial-advertise-peer-urls", peer)
        assert "etcd --name default" in result.stdout
        restored.start()
        server = start_apiserver_on_etcd(tmp_path / "api-b", restored)
        try:
            wait_for_state(Kubectl(server, tmp_path / "cache-b"), state)
        finally:
            server.stop()
    finally:
        member.stop()
        if restored is not None:
            restored.stop()


def test_refusals_are_one_line(populated, tmp_path):
    _, source_dir, snapshot = populated
    # restoring over an existing database
    result = kybernetes("snapshot", "restore", str(snapshot), "--data-dir", str(source_dir),
                        check=False)
    assert result.returncode == 2 and "state.db exists" in result.stderr
    # saving a data dir that has no database
    result = kybernetes("snapshot", "save", str(tmp_path / "x"), "--data-dir",
                        str(tmp_path / "empty"), check=False)
    assert result.returncode == 2 and "does not exist" in result.stderr
    # a SQLite snapshot is not an etcd one
    result = kybernetes("snapshot", "restore", str(snapshot), "--etcd-data-dir",
                        str(tmp_path / "etcd"), check=False)
    assert result.returncode == 2 and "SQLite snapshot" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
