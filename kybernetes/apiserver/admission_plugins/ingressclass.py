# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The DefaultIngressClass admission plugin (on by default in Kubernetes 1.32): a new
Ingress that names no class (neither spec.ingressClassName nor the legacy
kubernetes.io/ingress.class annotation) gets the cluster's default IngressClass, the
newest one when several are marked default."""
from __future__ import annotations

from kybernetes.apiserver.admission import AdmissionRequest, Plugin

ORDER = 46
DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class"
LEGACY_CLASS_ANNOTATION = "kubernetes.io/ingress.class"


def default_class(ingress_classes: list[dict]) -> dict | None:
    """Among the classes annotated default, the most recently created (ties: by name)."""
    defaults = [c for c in ingress_classes if ((c.get("metadata") or {}).get("annotations") or {})
                .get(DEFAULT_CLASS_ANNOTATION) == "true"]
    if not defaults:
        return None
    defaults.sort(key=lambda c: c["metadata"]["name"])
    defaults.sort(key=lambda c: c["metadata"].get("creationTimestamp", ""), reverse=True)
    return defaults[0]


def wants_default_class(ingress: dict) -> bool:
    annotations = (ingress.get("metadata") or {}).get("annotations") or {}
    return (ingress.get("spec") or {}).get("ingressClassName") is None and \
        LEGACY_CLASS_ANNOTATION not in annotations


class DefaultIngressClass(Plugin):
    name = "DefaultIngressClass"

    def __init__(self, server) -> None:
        self.server = server

    async def admit(self, request: AdmissionRequest) -> None:
        if request.rt.group != "networking.k8s.io" or request.rt.kind != "Ingress" or \
                request.operation != "CREATE" or request.subresource or request.obj is None:
            return
        if not wants_default_class(request.obj):
            return
        rt = request.objects.registry.by_kind("networking.k8s.io", "v1", "IngressClass")
        items = (await request.objects.list(rt, None))[0]
        chosen = default_class([item.obj for item in items])
        if chosen is not None:
            request.obj.setdefault("spec", {})["ingressClassName"] = chosen["metadata"]["name"]


def plugins(server) -> list[Plugin]:
    return [DefaultIngressClass(server)]
