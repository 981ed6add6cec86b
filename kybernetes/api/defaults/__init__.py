# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Defaulting of built-in kinds, as kube-apiserver 1.32 applies it to create and update
bodies (upstream's pkg/apis/*/v1/defaults.go plus the few REST-layer fills clients see).

`apply_defaults(group, version, kind, obj)` changes `obj` in place. Kinds without
defaults are left as they are.
"""
from __future__ import annotations

from .core import CORE_DEFAULTERS, canonical_quantity, canonicalize_quantities
from .other import OTHER_DEFAULTERS, default_hpa_v1, default_hpa_v2, generate_job_selector

__all__ = ["apply_defaults", "canonical_quantity", "canonicalize_quantities",
           "generate_job_selector"]


def apply_defaults(group: str, version: str, kind: str, obj: dict) -> None:
    """Fill in the fields the API server defaults, in place."""
    if not isinstance(obj, dict):
        return
    if group == "" and version == "v1":
        defaulter = CORE_DEFAULTERS.get(kind)
    elif group == "autoscaling" and kind == "HorizontalPodAutoscaler":
        defaulter = default_hpa_v1 if version == "v1" else default_hpa_v2
    else:
        defaulter = OTHER_DEFAULTERS.get((group, kind))
    if defaulter is not None:
        defaulter(obj)
