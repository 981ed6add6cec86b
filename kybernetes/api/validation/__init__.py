# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Validation of built-in kinds, as kube-apiserver 1.32 validates create and update bodies.

`validate(group, version, kind, obj, old)` returns a list of causes (empty when valid);
the API server answers a non-empty list with 422 Invalid, whose message
`invalid_message` builds: `Deployment.apps "web" is invalid: spec.replicas: ...`.
Bodies are expected to be defaulted first (see kybernetes.api.defaults).
"""
from __future__ import annotations

from .apps import APPS_VALIDATORS
from .batch import BATCH_VALIDATORS
from .core import CORE_VALIDATORS
from .errors import Cause, aggregate_text
from .meta import (name_is_dns1035_label, name_is_dns_label, name_is_dns_subdomain,
                   name_is_path_segment, validate_object_meta, validate_object_meta_update)
from .networking import NETWORKING_VALIDATORS
from .other import OTHER_VALIDATORS
from .pods import validate_pod_spec, validate_pod_update
from .rbac import RBAC_VALIDATORS

__all__ = ["Cause", "validate", "invalid_message", "namespaced_kind"]

_GROUP_VALIDATORS = {**NETWORKING_VALIDATORS, **RBAC_VALIDATORS, **OTHER_VALIDATORS}
_GROUP_VALIDATORS.update({("apps", k): v for k, v in APPS_VALIDATORS.items()})
_GROUP_VALIDATORS.update({("batch", k): v for k, v in BATCH_VALIDATORS.items()})

# How each kind's metadata.name is checked (DNS-1123 subdomain unless listed).
_NAME_RULES = {
    ("", "Namespace"): name_is_dns_label,
    ("", "Service"): name_is_dns1035_label,
    ("certificates.k8s.io", "CertificateSigningRequest"): name_is_path_segment,
}
_PATH_SEGMENT_GROUPS = {"rbac.authorization.k8s.io"}

_CLUSTER_SCOPED = {
    ("", "Namespace"), ("", "Node"), ("", "PersistentVolume"), ("", "ComponentStatus"),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("certificates.k8s.io", "CertificateSigningRequest"),
    ("networking.k8s.io", "IngressClass"), ("node.k8s.io", "RuntimeClass"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("scheduling.k8s.io", "PriorityClass"), ("storage.k8s.io", "CSIDriver"),
    ("storage.k8s.io", "CSINode"), ("storage.k8s.io", "StorageClass"),
    ("storage.k8s.io", "VolumeAttachment"),
}


def namespaced_kind(group: str, kind: str) -> bool:
    return (group, kind) not in _CLUSTER_SCOPED


def _name_rule(group: str, kind: str):
    if group in _PATH_SEGMENT_GROUPS:
        return name_is_path_segment
    return _NAME_RULES.get((group, kind), name_is_dns_subdomain)


def _kind_validator(group: str, kind: str):
    if group == "":
        return CORE_VALIDATORS.get(kind)
    return _GROUP_VALIDATORS.get((group, kind))


def validate(group: str, version: str, kind: str, obj: dict, old: dict | None = None, *,
             subresource: str = "", namespaced: bool | None = None) -> list[Cause]:
    """Every cause upstream would report for this create (old is None) or update body.

    `namespaced` overrides the built-in scope table (custom resources)."""
    meta = obj.get("metadata") or {}
    if namespaced is None:
        namespaced = namespaced_kind(group, kind)
    if old is None:
        causes = validate_object_meta(meta, namespaced, _name_rule(group, kind))
    else:
        causes = validate_object_meta_update(meta, old.get("metadata") or {})
    if subresource:
        return causes  # status and scale writes only touch their own part
    if group == "" and kind == "Pod":
        if old is None:
            causes.extend(validate_pod_spec(obj.get("spec"), "spec"))
        else:
            causes.extend(validate_pod_update(obj, old))
        return causes
    validator = _kind_validator(group, kind)
    if validator is not None:
        causes.extend(validator(obj, old))
    return causes


def invalid_message(kind: str, name: str, causes: list[Cause], group: str = "") -> str:
    """The Status message of a 422: `Deployment.apps "web" is invalid: <causes>`.

    `kind` may already be qualified ("Deployment.apps"); otherwise `group` qualifies it."""
    qualified = f"{kind}.{group}" if group and "." not in kind else kind
    quoted = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if not causes:
        return f"{qualified} {quoted} is invalid"
    return f"{qualified} {quoted} is invalid: {aggregate_text(causes)}"
