# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The DefaultStorageClass admission plugin (on by default in Kubernetes 1.32): a new
PersistentVolumeClaim that names no storage class (the field absent, not "") gets the
cluster's default StorageClass, the newest one when several are marked default."""
from __future__ import annotations

from kybernetes.apiserver.admission import AdmissionRequest, Plugin

ORDER = 45
DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"
BETA_DEFAULT_CLASS_ANNOTATION = "storageclass.beta.kubernetes.io/is-default-class"
BETA_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class"


def is_default_class(storage_class: dict) -> bool:
    annotations = (storage_class.get("metadata") or {}).get("annotations") or {}
    return annotations.get(DEFAULT_CLASS_ANNOTATION) == "true" or \
        annotations.get(BETA_DEFAULT_CLASS_ANNOTATION) == "true"


def default_class(storage_classes: list[dict]) -> dict | None:
    """The default StorageClass: among those annotated default, the most recently
    created, ties broken by name (as upstream since 1.26)."""
    defaults = [c for c in storage_classes if is_default_class(c)]
    if not defaults:
        return None
    defaults.sort(key=lambda c: c["metadata"]["name"])
    defaults.sort(key=lambda c: c["metadata"].get("creationTimestamp", ""), reverse=True)
    return defaults[0]


def wants_default_class(claim: dict) -> bool:
    """True when the claim leaves its class unset: `storageClassName: ""` asks for
    no class on purpose, and the beta annotation still names one."""
    annotations = (claim.get("metadata") or {}).get("annotations") or {}
    return (claim.get("spec") or {}).get("storageClassName") is None and \
        BETA_CLASS_ANNOTATION not in annotations


class DefaultStorageClass(Plugin):
    name = "DefaultStorageClass"

    def __init__(self, server) -> None:
        self.server = server

    async def admit(self, request: AdmissionRequest) -> None:
        if request.rt.group != "" or request.rt.kind != "PersistentVolumeClaim" or \
                request.operation != "CREATE" or request.subresource or request.obj is None:
            return
        if not wants_default_class(request.obj):
            return
        rt = request.objects.registry.by_kind("storage.k8s.io", "v1", "StorageClass")
        items = (await request.objects.list(rt, None))[0]
        chosen = default_class([item.obj for item in items])
        if chosen is not None:
            request.obj.setdefault("spec", {})["storageClassName"] = chosen["metadata"]["name"]


def plugins(server) -> list[Plugin]:
    return [DefaultStorageClass(server)]
