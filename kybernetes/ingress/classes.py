# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Which Ingresses this controller serves, as ingress-nginx decides it: the legacy
`kubernetes.io/ingress.class` annotation first, then spec.ingressClassName naming an
IngressClass of our controller, then (no class at all) only when one of our classes is
the cluster's default or --watch-ingress-without-class is on."""
from __future__ import annotations

from dataclasses import dataclass

CONTROLLER_NAME = "kybernetes.io/ingress-nginx"
DEFAULT_CLASS_NAME = "nginx"
LEGACY_CLASS_ANNOTATION = "kubernetes.io/ingress.class"
DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class"


@dataclass(frozen=True)
class ClassSelection:
    controller: str = CONTROLLER_NAME
    ingress_class: str = DEFAULT_CLASS_NAME  # what the legacy annotation must say
    watch_without_class: bool = False


def is_default_class(ingress_class: dict) -> bool:
    annotations = (ingress_class.get("metadata") or {}).get("annotations") or {}
    return annotations.get(DEFAULT_CLASS_ANNOTATION) == "true"


def our_classes(classes: list[dict], selection: ClassSelection) -> dict[str, dict]:
    """Our IngressClasses by name."""
    return {c["metadata"]["name"]: c for c in classes
            if (c.get("spec") or {}).get("controller") == selection.controller}


def handles(ingress: dict, classes: dict[str, dict], selection: ClassSelection) -> bool:
    """Whether `ingress` is ours, given our IngressClasses by name."""
    annotations = (ingress.get("metadata") or {}).get("annotations") or {}
    legacy = annotations.get(LEGACY_CLASS_ANNOTATION)
    if legacy is not None:
        return legacy == selection.ingress_class or legacy in classes
    name = (ingress.get("spec") or {}).get("ingressClassName")
    if name:
        return name in classes
    return selection.watch_without_class or any(is_default_class(c) for c in classes.values())


def default_ingress_class(name: str = DEFAULT_CLASS_NAME,
                          controller: str = CONTROLLER_NAME) -> dict:
    """The IngressClass `kybernetes server` installs, default for the cluster as k3s
    makes its traefik class."""
    return {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
            "metadata": {"name": name, "annotations": {DEFAULT_CLASS_ANNOTATION: "true"},
                         "labels": {"app.kubernetes.io/name": "ingress-nginx",
                                    "app.kubernetes.io/component": "controller",
                                    "app.kubernetes.io/managed-by": "kybernetes"}},
            "spec": {"controller": controller}}
