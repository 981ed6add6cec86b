# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The Kubernetes 1.32 type definitions, loaded from the `kubernetes-validate` package.

Definitions keep their upstream names (`io.k8s.api.core.v1.PodSpec`). References are
rewritten to the bare definition name (`{"$ref": "io.k8s.api.core.v1.PodSpec"}`) and
nullable type lists (`["string", "null"]`) to the plain type, so every consumer (OpenAPI,
strategic merge, server-side apply, field validation) walks one simple shape.
"""
from __future__ import annotations

import functools
import importlib.resources

import orjson

SCHEMA_VERSION = "v1.32.0-local"


def _normalize(node):
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                out[key] = value.rsplit("/", 1)[-1]
            elif key == "type" and isinstance(value, list):
                types = [t for t in value if t != "null"]
                out[key] = types[0] if len(types) == 1 else types
            else:
                out[key] = _normalize(value)
        return out
    if isinstance(node, list):
        return [_normalize(v) for v in node]
    return node


@functools.cache
def definitions() -> dict[str, dict]:
    """Every definition by name. Treat the result as read-only: it is shared."""
    root = importlib.resources.files("kubernetes_validate") / "kubernetes-json-schema"
    raw = orjson.loads((root / SCHEMA_VERSION / "_definitions.json").read_bytes())["$defs"]
    defs = _normalize(raw)
    # IntOrString and Quantity are `oneOf` string/number in the package; upstream's
    # OpenAPI describes them as strings with a format, which is what clients expect.
    defs["io.k8s.apimachinery.pkg.util.intstr.IntOrString"] = {
        "type": "string", "format": "int-or-string"}
    defs["io.k8s.apimachinery.pkg.api.resource.Quantity"] = {
        "type": "string", "format": "quantity",
        "description": defs["io.k8s.apimachinery.pkg.api.resource.Quantity"].get(
            "description", "")}
    return defs


@functools.cache
def _by_gvk() -> dict[tuple[str, str, str], str]:
    out = {}
    for name, node in definitions().items():
        gvks = node.get("x-kubernetes-group-version-kind") or []
        if len(gvks) == 1:
            g = gvks[0]
            out[(g["group"], g["version"], g["kind"])] = name
    return out


def definition_name(group: str, version: str, kind: str) -> str | None:
    """The definition of a top-level kind, e.g. ("apps","v1","Deployment")."""
    return _by_gvk().get((group, version, kind))


def resolve(node: dict | None) -> dict:
    """Follow `$ref` (possibly nested in allOf) to the definition it names."""
    defs = definitions()
    while node:
        if "$ref" in node:
            node = defs[node["$ref"]]
        elif "allOf" in node and len(node["allOf"]) == 1:
            node = node["allOf"][0]
        else:
            break
    return node or {}


def child(node: dict, field: str) -> dict | None:
    """The schema of `field` inside object schema `node` (already resolved or not):
    a named property, or the additionalProperties of a map. None when unknown."""
    node = resolve(node)
    props = node.get("properties")
    if props and field in props:
        return props[field]
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        return extra
    return None


def items(node: dict) -> dict | None:
    """The item schema of an array schema."""
    node = resolve(node)
    return node.get("items")
