# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Unpacking layer tars: OCI whiteouts become overlayfs whiteouts, hostile entries are
refused, and modes, ownership, links and the diff ID come out right."""
from __future__ import annotations

import gzip
import hashlib
import io
import os
import stat
import tarfile

import pytest

from kybernetes.kubelet.images.layers import LayerError, clean_member_name, open_layer_stream, unpack_layer
from tests.support.image_builder import LayerBuilder

as_root = pytest.mark.skipif(os.geteuid() != 0, reason="whiteouts (mknod) and trusted.* xattrs need root")


def _unpack(tmp_path, data: bytes, name: str = "layer"):
    return unpack_layer(io.BytesIO(data), tmp_path / name), tmp_path / name


def test_clean_member_name():
    assert clean_member_name("./etc/passwd") == "etc/passwd"
    assert clean_member_name("/etc//passwd") == "etc/passwd"
    assert clean_member_name("a/../b") == "b"
    assert clean_member_name("./") == "" and clean_member_name("/") == ""
    assert clean_member_name("../etc/passwd") is None
    assert clean_member_name("a/../../etc") is None
    assert clean_member_name("..") is None


def test_files_dirs_links_modes_and_diff_id(tmp_path):
    layer = (LayerBuilder().dir("tmp", 0o1777).file("bin/tool", b"#!/bin/sh\n", 0o4755)
             .file("etc/secret", "s", 0o600, uid=1000, gid=1001).symlink("bin/sh", "/bin/busybox")
             .symlink("etc/abs", "/etc/passwd").hardlink("bin/tool2", "bin/tool").build())
    diff_id, root = _unpack(tmp_path, layer)
    assert diff_id == "sha256:" + hashlib.sha256(layer).hexdigest()
    assert stat.S_IMODE(os.stat(root / "tmp").st_mode) == 0o1777
    assert stat.S_IMODE(os.stat(root / "bin/tool").st_mode) == 0o4755  # setuid survives chown
    assert (root / "bin/tool").read_bytes() == b"#!/bin/sh\n"
    assert os.readlink(root / "bin/sh") == "/bin/busybox"
    assert os.stat(root / "bin/tool2").st_ino == os.stat(root / "bin/tool").st_ino
    secret = os.stat(root / "etc/secret")
    assert stat.S_IMODE(secret.st_mode) == 0o600
    if os.geteuid() == 0:
        assert (secret.st_uid, secret.st_gid) == (1000, 1001)
    assert int(os.stat(root / "bin/tool").st_mtime) == 1700000000


def test_gzip_and_plain_blobs_read_the_same(tmp_path):
    layer = LayerBuilder().file("a", "x").build()
    (tmp_path / "plain").write_bytes(layer)
    (tmp_path / "gz").write_bytes(gzip.compress(layer))
    with open_layer_stream(tmp_path / "plain") as plain, open_layer_stream(tmp_path / "gz") as packed:
        assert plain.read() == packed.read() == layer


@as_root
def test_whiteouts_become_overlay_form(tmp_path):
    layer = (LayerBuilder().whiteout("etc/group").file("var/cache/new", "n")
             .opaque("var/cache").build())
    _, root = _unpack(tmp_path, layer)
    whiteout = os.lstat(root / "etc/group")
    assert stat.S_ISCHR(whiteout.st_mode) and whiteout.st_rdev == os.makedev(0, 0)
    assert not (root / "etc/.wh.group").exists()
    assert os.getxattr(root / "var/cache", "trusted.overlay.opaque") == b"y"
    assert not (root / "var/cache/.wh..wh..opq").exists()
    assert (root / "var/cache/new").read_text() == "n"  # the layer's own entries stay


def _hostile(name: str, kind: bytes = tarfile.REGTYPE, linkname: str = "") -> bytes:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, linkname
    return LayerBuilder().raw(info, b"x" if kind == tarfile.REGTYPE else b"").build()


@pytest.mark.parametrize("layer", [
    _hostile("../escape"),
    _hostile("a/../../escape"),
    _hostile("link", tarfile.LNKTYPE, "../../etc/passwd"),
])
def test_entries_escaping_the_root_are_refused(tmp_path, layer):
    with pytest.raises(LayerError):
        _unpack(tmp_path, layer)
    assert not (tmp_path / "escape").exists()


def test_absolute_names_stay_inside(tmp_path):
    _, root = _unpack(tmp_path, _hostile("/abs/file"))
    assert (root / "abs/file").read_bytes() == b"x"


def test_no_writing_through_a_planted_symlink(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    layer = LayerBuilder().symlink("evil", str(outside)).file("evil/owned", "pwned").build()
    with pytest.raises(LayerError, match="symlink"):
        _unpack(tmp_path, layer)
    assert not (outside / "owned").exists()


def test_later_entries_replace_earlier_ones(tmp_path):
    layer = (LayerBuilder().file("x", "file first").dir("x/sub").file("y", "one").file("y", "two")
             .symlink("z", "/nowhere").file("z", "real").build())
    _, root = _unpack(tmp_path, layer)
    assert (root / "x/sub").is_dir()
    assert (root / "y").read_text() == "two"
    assert not (root / "z").is_symlink() and (root / "z").read_text() == "real"


def test_truncated_layer_is_an_error(tmp_path):
    layer = gzip.compress(LayerBuilder().file("big", os.urandom(50000)).build())[:2000]
    (tmp_path / "blob").write_bytes(layer)
    with open_layer_stream(tmp_path / "blob") as stream, pytest.raises(LayerError):
        unpack_layer(stream, tmp_path / "out")


@as_root
def test_devices_and_fifos(tmp_path):
    null = tarfile.TarInfo("dev/null")
    null.type, null.mode, null.devmajor, null.devminor = tarfile.CHRTYPE, 0o666, 1, 3
    fifo = tarfile.TarInfo("run/fifo")
    fifo.type, fifo.mode = tarfile.FIFOTYPE, 0o600
    _, root = _unpack(tmp_path, LayerBuilder().dir("dev").dir("run").raw(null).raw(fifo).build())
    device = os.lstat(root / "dev/null")
    assert stat.S_ISCHR(device.st_mode) and device.st_rdev == os.makedev(1, 3)
    assert stat.S_ISFIFO(os.lstat(root / "run/fifo").st_mode)


@as_root
def test_overlay_xattrs_from_the_tar_are_ignored(tmp_path):
    """Only a .wh..wh..opq entry may make a directory opaque; a tar cannot set overlayfs's
    trusted.overlay.* attributes itself."""
    sneaky = tarfile.TarInfo("hidden")
    sneaky.type, sneaky.mode = tarfile.DIRTYPE, 0o755
    sneaky.pax_headers = {"SCHILY.xattr.trusted.overlay.opaque": "y"}
    _, root = _unpack(tmp_path, LayerBuilder().raw(sneaky).build())
    assert "trusted.overlay.opaque" not in os.listxattr(root / "hidden")
