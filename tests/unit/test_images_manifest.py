# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Manifest handling: media types, the Accept header, choosing the platform from a
manifest list / OCI index, and reading image manifests."""
from __future__ import annotations

import pytest

from kybernetes.kubelet.images.manifest import (DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_SCHEMA1,
                                                MANIFEST_ACCEPT, OCI_INDEX, OCI_LAYER_ZSTD, OCI_MANIFEST,
                                                ManifestError, Platform, diff_ids_of, media_type_of,
                                                parse_image_manifest, select_platform)


def _entry(digest: str, arch: str, os_: str = "linux", variant: str = "", media_type: str = DOCKER_MANIFEST):
    platform = {"architecture": arch, "os": os_}
    if variant:
        platform["variant"] = variant
    return {"mediaType": media_type, "digest": "sha256:" + digest * 64, "size": 10, "platform": platform}


INDEX = {"schemaVersion": 2, "mediaType": DOCKER_MANIFEST_LIST, "manifests": [
    _entry("1", "arm", variant="v6"), _entry("2", "arm", variant="v7"), _entry("3", "arm64", variant="v8"),
    _entry("4", "amd64", os_="windows"), _entry("5", "amd64"), _entry("6", "s390x"),
]}


def test_accept_header_as_containerd():
    assert MANIFEST_ACCEPT.split(", ") == [
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json", "*/*"]


def test_select_platform():
    assert select_platform(INDEX, Platform("linux", "amd64")).digest == "sha256:" + "5" * 64
    assert select_platform(INDEX, Platform("linux", "arm", "v7")).digest == "sha256:" + "2" * 64
    assert select_platform(INDEX, Platform("linux", "arm64", "v8")).digest == "sha256:" + "3" * 64
    # an entry without a variant still runs where one is wanted
    plain = {"manifests": [_entry("7", "arm64")]}
    assert select_platform(plain, Platform("linux", "arm64", "v8")).digest == "sha256:" + "7" * 64


def test_select_platform_no_match():
    with pytest.raises(ManifestError, match="no match for platform in manifest: not found"):
        select_platform(INDEX, Platform("linux", "riscv64"))
    with pytest.raises(ManifestError):
        select_platform({"manifests": [_entry("4", "amd64", os_="windows")]}, Platform("linux", "amd64"))


def test_media_type_detection():
    assert media_type_of({"mediaType": OCI_INDEX}, DOCKER_MANIFEST) == OCI_INDEX
    assert media_type_of({"schemaVersion": 2, "layers": [], "config": {}}, "application/json") == OCI_MANIFEST
    assert media_type_of({"schemaVersion": 2, "config": {}, "layers": []}, DOCKER_MANIFEST + "; charset=x") == \
        DOCKER_MANIFEST
    assert media_type_of({"manifests": []}) == OCI_INDEX
    assert media_type_of({"schemaVersion": 1, "fsLayers": []}) == DOCKER_SCHEMA1


def test_parse_image_manifest():
    document = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                           "digest": "sha256:" + "c" * 64, "size": 5},
                "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                            "digest": "sha256:" + "d" * 64, "size": 7},
                           {"mediaType": "application/vnd.oci.image.layer.v1.tar",
                            "digest": "sha256:" + "e" * 64, "size": 8}]}
    manifest = parse_image_manifest(document, OCI_MANIFEST)
    assert manifest.config.digest == "sha256:" + "c" * 64
    assert [(layer.digest[-1], layer.size) for layer in manifest.layers] == [("d", 7), ("e", 8)]
    document["layers"][1]["mediaType"] = OCI_LAYER_ZSTD
    with pytest.raises(ManifestError, match="zstd"):
        parse_image_manifest(document, OCI_MANIFEST)
    with pytest.raises(ManifestError, match="schema 1"):
        parse_image_manifest({"schemaVersion": 1}, DOCKER_SCHEMA1)
    with pytest.raises(ManifestError, match="lacks config"):
        parse_image_manifest({"schemaVersion": 2}, DOCKER_MANIFEST)


def test_diff_ids():
    assert diff_ids_of({"rootfs": {"type": "layers", "diff_ids": ["sha256:a", "sha256:b"]}}) == \
        ["sha256:a", "sha256:b"]
    with pytest.raises(ManifestError):
        diff_ids_of({"config": {}})
