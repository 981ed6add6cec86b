# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Volumes on the node: the atomic writer's layout and updates, configMap/secret/
downwardAPI payloads, hostPath type checks, subPath and the container mounts."""
from __future__ import annotations

import asyncio
import base64
import os
import socket

import pytest

from kybernetes.kubelet.atomicwriter import FileProjection, PayloadError, write_payload
from kybernetes.kubelet.volumes import (PodVolumes, VolumeManager, check_host_path,
                                        config_map_payload, container_mounts, downward_payload,
                                        secret_payload, subpath_target)


def listing(directory) -> dict:
    return {name: os.readlink(directory / name) if (directory / name).is_symlink() else "dir"
            for name in sorted(os.listdir(directory))}


# ---------------------------------------------------------------- atomic writer
def test_layout_is_timestamped_dir_data_link_and_key_links(tmp_path):
    target = tmp_path / "vol"
    assert write_payload(target, {"a": FileProjection(b"1"), "sub/b": FileProjection(b"2", 0o600)})
    entries = listing(target)
    stamped = [name for name in entries if name.startswith("..2")]
    assert len(stamped) == 1 and entries["..data"] == stamped[0]
    assert entries["a"] == "..data/a" and entries["sub"] == "..data/sub"
    assert (target / "a").read_text() == "1" and (target / "sub" / "b").read_text() == "2"
    assert (target / "..data" / "sub" / "b").stat().st_mode & 0o777 == 0o600


def test_same_payload_changes_nothing_and_update_swaps(tmp_path):
    target = tmp_path / "vol"
    write_payload(target, {"a": FileProjection(b"1"), "gone": FileProjection(b"x")})
    first = os.readlink(target / "..data")
    assert not write_payload(target, {"a": FileProjection(b"1"), "gone": FileProjection(b"x")})
    assert os.readlink(target / "..data") == first
    assert write_payload(target, {"a": FileProjection(b"2"), "new": FileProjection(b"n")})
    second = os.readlink(target / "..data")
    assert second != first and not (target / first).exists()
    assert (target / "a").read_text() == "2" and (target / "new").read_text() == "n"
    assert not (target / "gone").exists() and not (target / "gone").is_symlink()


def test_a_reader_holding_the_key_link_sees_the_update(tmp_path):
    target = tmp_path / "vol"
    write_payload(target, {"config.yaml": FileProjection(b"v: 1\n")})
    path = target / "config.yaml"
    write_payload(target, {"config.yaml": FileProjection(b"v: 2\n")})
    assert path.read_text() == "v: 2\n"


@pytest.mark.parametrize("bad", ["/abs", "../up", "a/../b", "..hidden", ""])
def test_invalid_paths(tmp_path, bad):
    with pytest.raises(PayloadError):
        write_payload(tmp_path / "vol", {bad: FileProjection(b"")})


# ---------------------------------------------------------------- payloads
def test_config_map_payload_items_and_modes():
    obj = {"data": {"a": "1", "b": "2"}, "binaryData": {"bin": base64.b64encode(b"\0\1").decode()}}
    assert config_map_payload({"name": "c"}, obj) == {
        "a": FileProjection(b"1", 0o644), "b": FileProjection(b"2", 0o644),
        "bin": FileProjection(b"\0\1", 0o644)}
    source = {"name": "c", "defaultMode": 0o400, "items": [{"key": "a", "path": "dir/a.txt"},
                                                          {"key": "b", "path": "b", "mode": 0o600}]}
    assert config_map_payload(source, obj) == {"dir/a.txt": FileProjection(b"1", 0o400),
                                               "b": FileProjection(b"2", 0o600)}


def test_config_map_and_secret_errors():
    with pytest.raises(ValueError, match='configmap "c" not found'):
        config_map_payload({"name": "c"}, None)
    assert config_map_payload({"name": "c", "optional": True}, None) == {}
    with pytest.raises(ValueError, match="configmap references non-existent config key: k"):
        config_map_payload({"name": "c", "items": [{"key": "k", "path": "k"}]}, {"data": {}})
    with pytest.raises(ValueError, match='secret "s" not found'):
        secret_payload({"secretName": "s"}, None)
    with pytest.raises(ValueError, match="references non-existent secret key: k"):
        secret_payload({"secretName": "s", "items": [{"key": "k", "path": "k"}]}, {"data": {}})


def test_secret_payload_decodes_and_defaults_to_0644():
    obj = {"data": {"password": base64.b64encode(b"hunter2").decode()}}
    assert secret_payload({"secretName": "s"}, obj) == {"password": FileProjection(b"hunter2", 0o644)}


def test_downward_payload():
    pod = {"metadata": {"name": "p", "namespace": "n", "labels": {"b": "2", "a": "1"}},
           "spec": {"containers": [{"name": "c", "resources": {"limits": {"memory": "64Mi"}}}]}}
    items = [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
             {"path": "name", "fieldRef": {"fieldPath": "metadata.name"}, "mode": 0o600},
             {"path": "mem", "resourceFieldRef": {"containerName": "c", "resource": "limits.memory",
                                                  "divisor": "1Mi"}}]
    assert downward_payload(pod, items, 0o644, [], [], {}) == {
        "labels": FileProjection(b'a="1"\nb="2"', 0o644), "name": FileProjection(b"p", 0o600),
        "mem": FileProjection(b"64", 0o644)}


# ---------------------------------------------------------------- hostPath
def test_host_path_types(tmp_path):
    directory = tmp_path / "d"
    directory.mkdir()
    file = tmp_path / "f"
    file.write_text("x")
    assert check_host_path(str(directory), "Directory") is False
    assert check_host_path(str(file), "File") is True
    assert check_host_path(str(tmp_path / "nothing"), "") is False  # no check at all
    with pytest.raises(ValueError, match=f"hostPath type check failed: {file} is not a directory"):
        check_host_path(str(file), "Directory")
    with pytest.raises(ValueError, match=f"{directory} is not a file"):
        check_host_path(str(directory), "File")
    with pytest.raises(ValueError, match="is not a socket file"):
        check_host_path(str(file), "Socket")
    with pytest.raises(ValueError, match="is not a character device"):
        check_host_path(str(file), "CharDevice")
    with pytest.raises(ValueError, match="is not a block device"):
        check_host_path(str(file), "BlockDevice")
    with pytest.raises(ValueError, match="is not a directory"):
        check_host_path(str(tmp_path / "missing"), "Directory")
    assert check_host_path("/dev/null", "CharDevice") is True


def test_host_path_or_create(tmp_path):
    made = tmp_path / "new" / "dir"
    assert check_host_path(str(made), "DirectoryOrCreate") is False and made.is_dir()
    file = tmp_path / "new" / "file"
    assert check_host_path(str(file), "FileOrCreate") is True and file.is_file()
    assert oct(file.stat().st_mode & 0o777) == oct(0o644 & ~os.umask(os.umask(0)))
    with pytest.raises(ValueError, match="is not a file"):
        check_host_path(str(made), "FileOrCreate")


def test_host_path_socket(tmp_path):
    path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        assert check_host_path(str(path), "Socket") is True
    finally:
        server.close()


# ---------------------------------------------------------------- mounts
def test_subpath(tmp_path):
    volume = tmp_path / "v"
    volume.mkdir()
    assert subpath_target(volume, "a/b") == (volume / "a" / "b").resolve()
    assert (volume / "a" / "b").is_dir()
    with pytest.raises(ValueError):
        subpath_target(volume, "../x")
    with pytest.raises(ValueError):
        subpath_target(volume, "/etc")
    os.symlink("/etc", volume / "escape")
    with pytest.raises(ValueError, match="outside the volume"):
        subpath_target(volume, "escape")


def test_container_mounts(tmp_path):
    data, config = tmp_path / "data", tmp_path / "config"
    data.mkdir()
    config.mkdir()
    volumes = PodVolumes(paths={"data": data, "config": config}, is_file={"data": False, "config": False})
    spec_volumes = [{"name": "data", "emptyDir": {}}, {"name": "config", "configMap": {"name": "c"}}]
    container = {"name": "c", "volumeMounts": [
        {"name": "data", "mountPath": "/data", "mountPropagation": "HostToContainer"},
        {"name": "data", "mountPath": "/logs", "subPathExpr": "$(POD)"},
        {"name": "config", "mountPath": "/etc/app"}]}
    mounts = container_mounts(container, volumes, spec_volumes, {"POD": "p1"})
    assert [(m.container_path, m.readonly, m.propagation) for m in mounts] == [
        ("/data", False, "rslave"), ("/logs", False, "private"), ("/etc/app", True, "private")]
    assert mounts[1].host_path == (data / "p1").resolve() and (data / "p1").is_dir()
    with pytest.raises(ValueError, match="cannot find volume"):
        container_mounts({"name": "c", "volumeMounts": [{"name": "nope", "mountPath": "/x"}]},
                         volumes, spec_volumes, {})


def test_manager_sets_up_empty_dir_host_path_and_downward_api(tmp_path):
    manager = VolumeManager(client=None, pods_dir=tmp_path / "pods")
    host = tmp_path / "host"
    pod = {"metadata": {"name": "p", "namespace": "n", "uid": "u1", "labels": {"a": "1"}},
           "spec": {"containers": [{"name": "c"}], "volumes": [
               {"name": "scratch", "emptyDir": {}},
               {"name": "h", "hostPath": {"path": str(host), "type": "DirectoryOrCreate"}},
               {"name": "info", "downwardAPI": {"items": [
                   {"path": "ip", "fieldRef": {"fieldPath": "status.podIP"}}]}}]}}
    volumes = asyncio.run(manager.setup(pod, ["10.244.0.9"], []))
    assert volumes.paths["scratch"] == tmp_path / "pods/u1/volumes/kubernetes.io~empty-dir/scratch"
    assert volumes.paths["scratch"].is_dir()
    assert volumes.paths["h"] == host and host.is_dir()
    info = tmp_path / "pods/u1/volumes/kubernetes.io~downward-api/info"
    assert volumes.paths["info"] == info and (info / "ip").read_text() == "10.244.0.9"
    asyncio.run(manager.cleanup("u1"))
    assert not (tmp_path / "pods" / "u1").exists() and host.is_dir()


def test_manager_reports_failed_mount(tmp_path):
    from kybernetes.kubelet.volumes import VolumeError
    manager = VolumeManager(client=None, pods_dir=tmp_path / "pods")
    pod = {"metadata": {"name": "p", "namespace": "n", "uid": "u2"},
           "spec": {"volumes": [{"name": "h", "hostPath": {"path": str(tmp_path / "x"), "type": "File"}}]}}
    with pytest.raises(VolumeError) as caught:
        asyncio.run(manager.setup(pod, [], []))
    assert caught.value.event_message == (f'MountVolume.SetUp failed for volume "h" : hostPath type '
                                          f'check failed: {tmp_path / "x"} is not a file')
