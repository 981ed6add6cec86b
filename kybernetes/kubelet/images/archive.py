# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Importing image archives into the store: `docker save` tarballs (manifest.json naming
each image's config, RepoTags and layer tars) and OCI image layouts (oci-layout,
index.json, blobs/sha256/...), possibly gzip-compressed as a whole."""
from __future__ import annotations

import posixpath
import tarfile
from pathlib import Path

import orjson

from kybernetes.kubelet.images.layers import LayerError
from kybernetes.kubelet.images.manifest import (INDEX_TYPES, ManifestError, diff_ids_of, media_type_of,
                                                parse_image_manifest, parse_json, select_platform)
from kybernetes.kubelet.images.reference import InvalidReference, normalize
from kybernetes.kubelet.images.store import ImageStore, new_record

# Annotations naming an image in an OCI layout: containerd's full name, then the OCI tag.
CONTAINERD_IMAGE_NAME = "io.containerd.image.name"
OCI_REF_NAME = "org.opencontainers.image.ref.name"


class ArchiveError(ValueError):
    """The file is not an image archive we can import; the message says why."""


class _Archive:
    def __init__(self, tar: tarfile.TarFile) -> None:
        self.tar = tar
        self.members = {posixpath.normpath(m.name.lstrip("/")): m for m in tar.getmembers() if m.isreg()}

    def has(self, name: str) -> bool:
        return posixpath.normpath(name) in self.members

    def open(self, name: str):
        member = self.members.get(posixpath.normpath(name.lstrip("/")))
        if member is None:
            raise ArchiveError(f"archive has no file {name!r}")
        return self.tar.extractfile(member)

    def read(self, name: str) -> bytes:
        with self.open(name) as handle:
            return handle.read()

    def blob_name(self, digest: str) -> str:
        algorithm, _, hexpart = digest.partition(":")
        return f"blobs/{algorithm}/{hexpart}"


def _store_layers(store: ImageStore, archive: _Archive, layer_names: list[str],
                  diff_ids: list[str]) -> tuple[list[str], int]:
    """Copy layer tars into the store and unpack them; (blob digests, total size)."""
    if len(layer_names) != len(diff_ids):
        raise ArchiveError(f"image config lists {len(diff_ids)} layers, the archive {len(layer_names)}")
    blobs, total = [], 0
    for name, diff_id in zip(layer_names, diff_ids):
        with archive.open(name) as handle:
            digest, size = store.write_blob_stream(handle)
        store.unpack(digest, diff_id)
        blobs.append(digest)
        total += size
    return blobs, total


def _normalized_tags(names: list[str]) -> list[str]:
    tags = []
    for name in names:
        try:
            tags.append(normalize(name))
        except InvalidReference as exc:
            raise ArchiveError(f"image name {name!r}: {exc}") from None
    return tags


def _import_docker_save(store: ImageStore, archive: _Archive) -> list[tuple[dict, list[str]]]:
    entries = orjson.loads(archive.read("manifest.json"))
    if not isinstance(entries, list):
        raise ArchiveError("manifest.json is not a list of images")
    images = []
    for entry in entries:
        config_bytes = archive.read(entry["Config"])
        image_id = store.write_blob(config_bytes)
        diff_ids = diff_ids_of(parse_json(config_bytes, "image config"))
        blobs, size = _store_layers(store, archive, list(entry.get("Layers") or []), diff_ids)
        images.append((new_record(image_id, diff_ids, blobs, size), _normalized_tags(entry.get("RepoTags") or [])))
    return images


def _oci_name(annotations: dict) -> list[str]:
    name = annotations.get(CONTAINERD_IMAGE_NAME) or annotations.get(OCI_REF_NAME) or ""
    # A bare tag ("latest") names nothing by itself: such images are imported unnamed.
    return [name] if name and ("/" in name or ":" in name or "@" in name) else []


def _import_oci_layout(store: ImageStore, archive: _Archive) -> list[tuple[dict, list[str]]]:
    index = parse_json(archive.read("index.json"), "index.json")
    images = []
    for descriptor in index.get("manifests") or []:
        names = _oci_name(descriptor.get("annotations") or {})
        body = archive.read(archive.blob_name(descriptor["digest"]))
        manifests = [store.write_blob(body)]
        document = parse_json(body, "manifest")
        media_type = media_type_of(document, descriptor.get("mediaType", ""))
        if media_type in INDEX_TYPES:
            chosen = select_platform(document)
            body = archive.read(archive.blob_name(chosen.digest))
            manifests.append(store.write_blob(body))
            document = parse_json(body, "manifest")
            media_type = media_type_of(document, chosen.media_type)
        manifest = parse_image_manifest(document, media_type)
        config_bytes = archive.read(archive.blob_name(manifest.config.digest))
        image_id = store.write_blob(config_bytes)
        diff_ids = diff_ids_of(parse_json(config_bytes, "image config"))
        blobs, size = _store_layers(store, archive, [archive.blob_name(layer.digest) for layer in manifest.layers],
                                    diff_ids)
        images.append((new_record(image_id, diff_ids, blobs, size, manifests=manifests), _normalized_tags(names)))
    return images


def import_archive(store: ImageStore, path: Path) -> list[str]:
    """Import every image in the archive; returns their IDs. Blocking."""
    try:
        with tarfile.open(path, "r:*") as tar:
            archive = _Archive(tar)
            if archive.has("manifest.json"):
                images = _import_docker_save(store, archive)
            elif archive.has("index.json"):
                images = _import_oci_layout(store, archive)
            else:
                raise ArchiveError(f"{path}: not an image archive (no manifest.json or index.json)")
    except FileNotFoundError:
        raise ArchiveError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ArchiveError(f"{path}: is a directory") from None
    except tarfile.TarError as exc:
        detail = str(exc).splitlines()[0] if str(exc) else ""
        if detail.startswith("file could not be opened"):
            detail = ""  # tarfile lists every compression it tried: noise to a user
        raise ArchiveError(f"{path}: not a tar archive" + (f" ({detail})" if detail else "")) from None
    except (KeyError, TypeError, orjson.JSONDecodeError) as exc:
        raise ArchiveError(f"{path}: malformed image archive ({exc!r})") from None
    except (ManifestError, LayerError) as exc:
        raise ArchiveError(f"{path}: {exc}") from None
    for record, tags in images:
        store.commit_image(record, tags)
    return [record["id"] for record, _ in images]
