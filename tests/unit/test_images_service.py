# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The image service without a registry: archive import (docker save and OCI layouts),
pull policies, lookup/remove with shared layers, garbage collection at the disk
thresholds, and one pull per reference however many callers wait."""
from __future__ import annotations

import asyncio
import json
import os
import tarfile

import pytest

from kybernetes.kubelet.images import ImageNotFoundError, ImagePullError, ImageService
from kybernetes.kubelet.images import service as service_module
from kybernetes.kubelet.images.archive import ArchiveError
from kybernetes.kubelet.images.service import usage_percent
from tests.support.image_builder import Image, LayerBuilder
from tests.support.registry import save_docker_archive, save_oci_archive

BASE = LayerBuilder().file("etc/os-release", "ID=test\n").file("bin/hello", "hi", 0o755).build()


def _image(name: str, size: int = 10) -> Image:
    top = LayerBuilder().file(f"app/{name}", "x" * size).build()
    return Image(layers=[BASE, top], config={"Cmd": [f"/app/{name}"], "Env": [f"NAME={name}"]})


@pytest.fixture
def service(tmp_path):
    return ImageService(tmp_path / "images")


def test_import_docker_save_and_oci(service, tmp_path):
    docker = save_docker_archive(tmp_path / "d.tar", {"one:1": _image("one"), "example.com/two:2": _image("two")})
    imported = service.import_archive(docker)
    assert sorted(i.tags[0] for i in imported) == ["docker.io/library/one:1", "example.com/two:2"]
    oci = save_oci_archive(tmp_path / "o.tar", {"docker.io/library/three:3": _image("three")})
    [three] = service.import_archive(oci)
    assert three.tags == ["docker.io/library/three:3"] and three.repo_digest == ""
    assert three.config == {"Cmd": ["/app/three"], "Env": ["NAME=three"]}
    assert [p.parent for p in three.layers] == [service.root / "layers"] * 2
    assert (three.layers[1] / "app/three").exists()
    # the base layer is unpacked once and shared
    one = service.lookup("one:1")
    assert one.layers[0] == three.layers[0]
    assert len(list((service.root / "layers").iterdir())) == 4
    assert {i.id for i in service.list()} == {one.id, three.id, service.lookup("example.com/two:2").id}


def test_import_errors(service, tmp_path):
    with pytest.raises(ArchiveError, match="no such file"):
        service.import_archive(tmp_path / "missing.tar")
    (tmp_path / "junk.tar").write_bytes(b"not a tar at all" * 100)
    with pytest.raises(ArchiveError, match="not a tar archive"):
        service.import_archive(tmp_path / "junk.tar")
    with tarfile.open(tmp_path / "empty.tar", "w"):
        pass
    with pytest.raises(ArchiveError, match="not an image archive"):
        service.import_archive(tmp_path / "empty.tar")
    # a config whose diff IDs do not match the layer content is refused, nothing committed
    bad = _image("bad")
    bad.extra = {"rootfs": {"type": "layers", "diff_ids": ["sha256:" + "0" * 64, "sha256:" + "1" * 64]}}
    with pytest.raises(ArchiveError, match="diff ID"):
        service.import_archive(save_docker_archive(tmp_path / "bad.tar", {"bad:1": bad}))
    assert service.list() == []
    assert list(service.store.tmp.iterdir()) == []  # no half-written work left behind


def test_litter_of_dead_processes_is_cleared(tmp_path):
    ImageService(tmp_path / "images")
    litter = tmp_path / "images/tmp/999999999"  # no such process
    (litter / "layer-x").mkdir(parents=True)
    live = tmp_path / f"images/tmp/{os.getppid()}"  # a live process's work stays
    (live / "blob-y").parent.mkdir(parents=True, exist_ok=True)
    (live / "blob-y").write_text("partial")
    ImageService(tmp_path / "images")
    assert not litter.exists()
    assert (live / "blob-y").exists()


def test_pull_policies_without_a_registry(service, tmp_path):
    service.import_archive(save_docker_archive(tmp_path / "d.tar", {"busybox:1": _image("bb")}))
    present = asyncio.run(service.ensure("busybox:1", policy="Never"))
    assert present.ref == "docker.io/library/busybox:1"
    assert asyncio.run(service.ensure("docker.io/library/busybox:1", policy="IfNotPresent")).id == present.id
    with pytest.raises(ImagePullError) as info:
        asyncio.run(service.ensure("busybox:2", policy="Never"))
    assert info.value.reason == "ErrImageNeverPull"
    assert info.value.message == 'Container image "busybox:2" is not present with pull policy of Never'
    with pytest.raises(ImagePullError) as info:
        asyncio.run(service.ensure("Busybox", policy="IfNotPresent"))
    assert info.value.reason == "InvalidImageName"
    assert 'couldn\'t parse image name "Busybox"' in info.value.message


def test_lookup_and_remove(service, tmp_path):
    service.import_archive(save_docker_archive(tmp_path / "d.tar", {"a:1": _image("a"), "b:1": _image("b")}))
    a = service.lookup("a:1")
    assert service.lookup(a.id).tags == ["docker.io/library/a:1"]
    assert service.lookup(a.id.split(":")[1][:12]).id == a.id  # an ID prefix, as crictl takes
    assert service.lookup("c:1") is None
    assert service.remove("a:1") == a.id
    assert service.lookup("a:1") is None
    assert not a.layers[1].exists()  # its own layer is gone
    assert a.layers[0].exists()  # the base is still b's
    with pytest.raises(ImageNotFoundError):
        service.remove("a:1")


class FakeDisk:
    """A 1000-byte filesystem: 500 bytes of other data and 100 per image in the store."""

    def __init__(self, service: ImageService) -> None:
        self.service = service

    def __call__(self, _path):
        used = 500 + 100 * len(self.service.list())
        return 1000, 1000 - used


def test_gc_thresholds_least_recently_used_first(tmp_path):
    now = [1000.0]
    service = ImageService(tmp_path / "images", clock=lambda: now[0])
    service.disk_usage = FakeDisk(service)
    for name in ("old", "mid", "new", "used"):
        service.import_archive(save_docker_archive(tmp_path / f"{name}.tar", {f"{name}:1": _image(name)}))
    ids = {name: service.lookup(f"{name}:1").id for name in ("old", "mid", "new", "used")}
    now[0] += 1000  # all older than the minimum age
    for name in ("mid", "old", "new", "used"):  # mid is now the least recently used
        now[0] += 1
        asyncio.run(service.ensure(f"{name}:1", policy="Never"))
    assert usage_percent(*service.disk_usage(None)) == 90
    # 90 % >= 85: remove LRU first; after one removal 80 % is not below 80, after two it is
    removed = service.gc(high_percent=85, low_percent=80, in_use={"used:1"})
    assert removed == [ids["mid"], ids["old"]]
    assert sorted(i.tags[0] for i in service.list()) == ["docker.io/library/new:1", "docker.io/library/used:1"]
    # 70 % is below the high threshold: nothing more goes
    assert service.gc(high_percent=85, low_percent=80) == []
    # over it again, an image in use (named by ID this time) is still kept
    assert service.gc(high_percent=60, low_percent=10, in_use={ids["used"]}) == [ids["new"]]
    assert [i.id for i in service.list()] == [ids["used"]]


def test_gc_spares_young_images(tmp_path):
    service = ImageService(tmp_path / "images", disk_usage=lambda _p: (100, 1))
    [image] = service.import_archive(save_docker_archive(tmp_path / "x.tar", {"x:1": _image("x")}))
    assert service.gc() == []  # younger than ImageMinimumGCAge (2 minutes)
    assert service.gc(min_age=0) == [image.id]


def test_concurrent_ensure_pulls_once(service, tmp_path, monkeypatch):
    archive = save_docker_archive(tmp_path / "p.tar", {"pulled:1": _image("pulled")})
    pulls = []

    async def fake_pull(store, registries, parsed, pull_secrets, pinned):
        pulls.append(str(parsed))
        await asyncio.sleep(0.05)  # long enough for every caller to join the same pull
        return service.import_archive(archive)[0].id

    monkeypatch.setattr(service_module, "pull_image", fake_pull)

    async def many():
        return await asyncio.gather(*(service.ensure("pulled:1", policy="Always") for _ in range(5)))

    results = asyncio.run(many())
    assert pulls == ["docker.io/library/pulled:1"]
    assert len({r.id for r in results}) == 1
    assert json.loads((service.root / "index.json").read_text())["refs"]["docker.io/library/pulled:1"] == results[0].id
