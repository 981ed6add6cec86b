# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Manifests, pure parts: media types, the Accept header containerd sends, choosing the
host's platform from a manifest list / OCI index, and the layers of an image manifest."""
from __future__ import annotations

import hashlib
import platform
from dataclasses import dataclass

import orjson

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+prettyjws"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip"
DOCKER_FOREIGN_LAYER = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"
OCI_LAYER_NONDISTRIBUTABLE_GZIP = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"

INDEX_TYPES = (DOCKER_MANIFEST_LIST, OCI_INDEX)
IMAGE_MANIFEST_TYPES = (DOCKER_MANIFEST, OCI_MANIFEST)
# containerd's resolver asks for these, in this order, then anything.
MANIFEST_ACCEPT = ", ".join((DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_MANIFEST, OCI_INDEX, "*/*"))
GZIP_LAYER_TYPES = (DOCKER_LAYER_GZIP, OCI_LAYER_GZIP, DOCKER_FOREIGN_LAYER, OCI_LAYER_NONDISTRIBUTABLE_GZIP)
PLAIN_LAYER_TYPES = (OCI_LAYER, "application/vnd.docker.image.rootfs.diff.tar")

_GO_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64",
            "armv7l": "arm", "armv6l": "arm", "i686": "386", "i386": "386",
            "ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64"}


class ManifestError(ValueError):
    """The registry's document is not a usable image manifest."""


@dataclass(frozen=True, slots=True)
class Platform:
    os: str = "linux"
    architecture: str = "amd64"
    variant: str = ""


@dataclass(frozen=True, slots=True)
class Descriptor:
    media_type: str
    digest: str
    size: int
    urls: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImageManifest:
    config: Descriptor
    layers: tuple[Descriptor, ...]


def host_platform() -> Platform:
    machine = platform.machine().lower()
    variant = {"armv7l": "v7", "armv6l": "v6", "aarch64": "v8", "arm64": "v8"}.get(machine, "")
    return Platform(os="linux", architecture=_GO_ARCH.get(machine, machine), variant=variant)


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def media_type_of(document: dict, content_type: str = "") -> str:
    """The manifest's own mediaType wins; then the response's Content-Type; then shape."""
    declared = document.get("mediaType") or ""
    if declared:
        return declared
    content_type = content_type.split(";")[0].strip()
    if content_type in INDEX_TYPES or content_type in IMAGE_MANIFEST_TYPES:
        return content_type
    if "manifests" in document:
        return OCI_INDEX
    if "layers" in document and "config" in document:
        return OCI_MANIFEST
    if document.get("schemaVersion") == 1:
        return DOCKER_SCHEMA1
    return content_type


def _platform_score(candidate: dict, wanted: Platform) -> int:
    """Higher is better; -1 is not runnable here. An exact variant beats none."""
    plat = candidate.get("platform") or {}
    if plat.get("os") != wanted.os or plat.get("architecture") != wanted.architecture:
        return -1
    variant = plat.get("variant", "")
    if variant == wanted.variant:
        return 2
    if not variant or not wanted.variant:
        return 1
    return -1


def select_platform(index: dict, wanted: Platform | None = None) -> Descriptor:
    """The manifest a list/index names for `wanted` (default: this host, linux)."""
    wanted = wanted or host_platform()
    best, best_score = None, -1
    for entry in index.get("manifests") or []:
        if (entry.get("mediaType") or DOCKER_MANIFEST) in INDEX_TYPES:
            continue  # nested indexes are not followed, as containerd's default matcher
        score = _platform_score(entry, wanted)
        if score > best_score:
            best, best_score = entry, score
    if best is None:
        label = f"{wanted.os}/{wanted.architecture}" + (f"/{wanted.variant}" if wanted.variant else "")
        raise ManifestError(f"no match for platform in manifest: not found ({label})")
    return _descriptor(best)


def _descriptor(entry: dict) -> Descriptor:
    try:
        return Descriptor(media_type=entry.get("mediaType", ""), digest=entry["digest"],
                          size=int(entry.get("size", 0)), urls=tuple(entry.get("urls") or ()))
    except (KeyError, TypeError, ValueError):
        raise ManifestError("manifest descriptor without a digest") from None


def parse_image_manifest(document: dict, media_type: str) -> ImageManifest:
    """Config and layers of a Docker schema2 or OCI image manifest."""
    if media_type == DOCKER_SCHEMA1:
        raise ManifestError("Docker Image Format v1 and Docker Image manifest version 2, "
                            "schema 1 support has been removed")
    if media_type not in IMAGE_MANIFEST_TYPES:
        raise ManifestError(f"unexpected manifest media type {media_type!r}")
    if not isinstance(document.get("config"), dict) or not isinstance(document.get("layers"), list):
        raise ManifestError("image manifest lacks config or layers")
    layers = tuple(_descriptor(layer) for layer in document["layers"])
    for layer in layers:
        if layer.media_type == OCI_LAYER_ZSTD:
            raise ManifestError(f"layer {layer.digest}: zstd-compressed layers are not supported")
        if layer.media_type and layer.media_type not in GZIP_LAYER_TYPES + PLAIN_LAYER_TYPES:
            raise ManifestError(f"layer {layer.digest}: unsupported media type {layer.media_type}")
    return ImageManifest(config=_descriptor(document["config"]), layers=layers)


def parse_json(data: bytes, what: str) -> dict:
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ManifestError(f"{what} is not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise ManifestError(f"{what} is not a JSON object")
    return document


def diff_ids_of(image_config: dict) -> list[str]:
    """The uncompressed layer digests the image config lists, lowest first."""
    rootfs = image_config.get("rootfs") or {}
    diff_ids = rootfs.get("diff_ids")
    if not isinstance(diff_ids, list) or not all(isinstance(d, str) for d in diff_ids):
        raise ManifestError("image config has no rootfs.diff_ids")
    return diff_ids
