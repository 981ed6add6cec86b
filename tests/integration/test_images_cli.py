# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""`kybernetes images import|list|rm` as a user runs it: a real process on a data dir,
docker-save and OCI archives, crictl-style output, one-line errors."""
from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support.image_builder import busybox_available, nginx_available
from tests.support.registry import alpine_image, busybox_image, nginx_image, save_docker_archive, save_oci_archive

pytestmark = pytest.mark.skipif(not (busybox_available() and nginx_available()),
                                reason="needs busybox-static and Debian's nginx to build images")


def kybernetes(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kybernetes.cli.main", *args], capture_output=True,
                          text=True, timeout=300)


def _rows(output: str) -> list[list[str]]:
    return [line.split() for line in output.strip().splitlines()]


def test_import_list_remove(tmp_path):
    data_dir = str(tmp_path / "data")
    docker = save_docker_archive(tmp_path / "docker.tar", {"busybox:1.28": busybox_image(),
                                                          "nginx:1.7.9": nginx_image()})
    oci = save_oci_archive(tmp_path / "oci.tar", {"docker.io/library/alpine:3.19": alpine_image()})
    result = kybernetes("images", "import", str(docker), "--data-dir", data_dir)
    assert result.returncode == 0, result.stderr
    assert sorted(line.split()[1] for line in result.stdout.splitlines()) == [
        "docker.io/library/busybox:1.28", "docker.io/library/nginx:1.7.9"]
    result = kybernetes("images", "--data-dir", data_dir, "import", str(oci))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("imported docker.io/library/alpine:3.19 (sha256:")

    listing = kybernetes("images", "list", "--data-dir", data_dir)
    assert listing.returncode == 0, listing.stderr
    rows = _rows(listing.stdout)
    assert rows[0] == ["IMAGE", "TAG", "IMAGE", "ID", "SIZE"]
    table = {(row[0], row[1]): row for row in rows[1:]}
    assert set(table) == {("docker.io/library/busybox", "1.28"), ("docker.io/library/nginx", "1.7.9"),
                          ("docker.io/library/alpine", "3.19")}
    for row in table.values():
        assert len(row[2]) == 13 and row[3].endswith("B")
    # `-q` prints full IDs, one per image
    ids = kybernetes("images", "list", "-q", "--data-dir", data_dir).stdout.split()
    assert len(ids) == 3 and all(i.startswith("sha256:") for i in ids)
    # the busybox layer is shared by all three images: 1 + 1 + 2 directories
    assert len(list((tmp_path / "data/images/layers").iterdir())) == 4

    removed = kybernetes("images", "rm", "nginx:1.7.9", "--data-dir", data_dir)
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout.strip() == "Deleted: docker.io/library/nginx:1.7.9"
    assert len(list((tmp_path / "data/images/layers").iterdir())) == 2  # nginx's own layers went
    by_id = kybernetes("images", "rm", table[("docker.io/library/alpine", "3.19")][2], "--data-dir", data_dir)
    assert by_id.returncode == 0 and "alpine:3.19" in by_id.stdout
    assert [row[:2] for row in _rows(kybernetes("images", "ls", "--data-dir", data_dir).stdout)[1:]] == [
        ["docker.io/library/busybox", "1.28"]]


def test_errors_are_one_line(tmp_path):
    data_dir = str(tmp_path / "data")
    missing = kybernetes("images", "rm", "nope:1", "--data-dir", data_dir)
    assert missing.returncode == 1
    assert missing.stderr == 'kybernetes: error: no such image "nope:1" present\n'
    (tmp_path / "junk.tar").write_text("junk")
    junk = kybernetes("images", "import", str(tmp_path / "junk.tar"), "--data-dir", data_dir)
    assert junk.returncode == 1 and junk.stderr.count("\n") == 1
    assert junk.stderr.startswith(f"kybernetes: error: {tmp_path / 'junk.tar'}: not a tar archive")
    absent = kybernetes("images", "import", str(tmp_path / "absent.tar"), "--data-dir", data_dir)
    assert absent.returncode == 1 and absent.stderr == f"kybernetes: error: {tmp_path / 'absent.tar'}: no such file\n"
    no_action = kybernetes("images", "--data-dir", data_dir)
    assert no_action.returncode == 2 and "import FILE.tar, list or rm IMAGE" in no_action.stderr
