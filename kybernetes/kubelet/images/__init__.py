# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Images for the kubelet: pulled over the OCI distribution protocol into a
content-addressed store under the data dir, unpacked once per layer and shared between
images (the contract the pod manager codes against; see images/store.py and pull.py).

    service = ImageService(root=Path(data_dir) / "images",
                           registries=RegistriesConfig.load(Path(data_dir) / "registries.yaml"))
    image = await service.ensure("nginx:1.7.9", policy="IfNotPresent", pull_secrets=[...])
    image.layers      # unpacked layer dirs, lowest first: overlayfs lowerdirs
    image.config      # the image config's "config": Entrypoint, Cmd, Env, WorkingDir, User

Also: service.lookup(ref_or_id), service.list(), service.remove(ref_or_id),
service.gc(high_percent=85, low_percent=80, in_use={ids or refs}) (the kubelet's image
GC; call it periodically, upstream every 5 minutes), service.import_archive(path).
Modules: reference (names), auth (challenges, pull secrets), manifest (media types,
platforms), registries (registries.yaml), client (HTTP), layers (unpacking, whiteouts),
store (disk layout), pull, archive (import), service.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(slots=True)
class ImageInfo:
    id: str  # "sha256:<hex>" of the image config blob (status.containerStatuses[].imageID
    #          reports repo_digest instead when known, as containerd does)
    ref: str  # normalized: docker.io/library/nginx:1.7.9
    repo_digest: str  # docker.io/library/nginx@sha256:<manifest digest>, "" for imports
    config: dict  # the image config's "config" object (may be {})
    layers: list[Path]  # unpacked layer directories, lowest first
    size: int = 0  # bytes of the compressed layers
    tags: list[str] = field(default_factory=list)  # every normalized ref naming this image


class ImagePullError(Exception):
    """A pull failed. `reason` is what the kubelet's event says
    (ErrImagePull, or ErrImageNeverPull for policy Never), `message` the registry's why:
    e.g. 'failed to pull and unpack image "docker.io/library/nope:1": ... not found'."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


# The service and its configuration, importable from the package (defined after the
# contract types above, which they use).
from kybernetes.kubelet.images.registries import RegistriesConfig  # noqa: E402
from kybernetes.kubelet.images.service import ImageNotFoundError, ImageService  # noqa: E402

__all__ = ["ImageInfo", "ImagePullError", "ImageService", "ImageNotFoundError", "RegistriesConfig"]
