# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""CustomResourceDefinitions (apiextensions.k8s.io/v1): their validation, the resource
types they add to the registry, the status the server writes on them and their printer
columns. Validating, pruning and defaulting custom objects lives in `crd_schema`
(re-exported here).
"""
from __future__ import annotations

import re

from kybernetes.api.crd_schema import (  # noqa: F401  (re-exported)
    describe, forbidden, invalid, not_supported, prune_and_default, required,
    validate_custom_object)
from kybernetes.api.resources import ALL_VERBS, ResourceType, Subresource

DNS1123_SUBDOMAIN = re.compile(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN_MESSAGE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
    "'-' or '.', and must start and end with an alphanumeric character (e.g. "
    "'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
DNS1035_LABEL_MESSAGE = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start "
    "with an alphabetic character, and end with an alphanumeric character (e.g. "
    "'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")
SCHEMA_TYPES = ["array", "boolean", "integer", "number", "object", "string"]
# Printed for every custom resource that declares no columns of its own.
DEFAULT_COLUMNS = [{
    "name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp",
    "description": "CreationTimestamp is a timestamp representing the server time when "
                   "this object was created."}]

_KUBE_VERSION = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")


def version_priority(version: str) -> tuple:
    """Sort key giving upstream's order: v2 > v1 > v1beta2 > v1beta1 > v1alpha1, then
    versions that do not look like Kubernetes versions, alphabetically."""
    m = _KUBE_VERSION.match(version)
    if not m:
        return (1, 0, 0, 0, version)
    major, stage, minor = int(m.group(1)), m.group(2), int(m.group(3) or 0)
    stage_rank = {None: 0, "beta": 1, "alpha": 2}[stage]
    return (0, stage_rank, -major, -minor, "")


def sort_versions(versions: list[str]) -> list[str]:
    return sorted(versions, key=version_priority)


def _names(crd: dict) -> dict:
    """spec.names with the server's defaults (singular, listKind) filled in."""
    names = dict(crd.get("spec", {}).get("names") or {})
    if names.get("kind"):
        names.setdefault("singular", names["kind"].lower())
        names.setdefault("listKind", names["kind"] + "List")
    return names


def _versions(crd: dict) -> list[dict]:
    return list(crd.get("spec", {}).get("versions") or [])


def preferred_version(crd: dict) -> str | None:
    served = [v["name"] for v in _versions(crd) if v.get("served") and v.get("name")]
    return sort_versions(served)[0] if served else None


# ---------------------------------------------------------------- validation

def validate_crd(crd: dict) -> list[dict]:
    """Causes for a CustomResourceDefinition the server must refuse (422 Invalid)."""
    causes: list[dict] = []
    spec = crd.get("spec") or {}
    group = spec.get("group") or ""
    names = _names(crd)
    plural = names.get("plural") or ""
    name = (crd.get("metadata") or {}).get("name") or ""

    if not name:
        causes.append(required("metadata.name", "name or generateName is required"))
    elif name != f"{plural}.{group}":
        causes.append(invalid("metadata.name", name, 'must be spec.names.plural+"."+spec.group'))

    if not group:
        causes.append(required("spec.group"))
    elif not DNS1123_SUBDOMAIN.match(group) or len(group) > 253:
        causes.append(invalid("spec.group", group, DNS1123_SUBDOMAIN_MESSAGE))
    elif "." not in group:
        causes.append(invalid("spec.group", group, "should be a domain with at least one dot"))

    scope = spec.get("scope") or ""
    if not scope:
        causes.append(required("spec.scope"))
    elif scope not in ("Cluster", "Namespaced"):
        causes.append(not_supported("spec.scope", scope, ["Cluster", "Namespaced"]))

    causes.extend(_validate_names(names))
    causes.extend(_validate_versions(_versions(crd)))
    return causes


def _validate_names(names: dict) -> list[dict]:
    causes = []
    for field in ("plural", "singular"):
        value = names.get(field) or ""
        if not value:
            causes.append(required(f"spec.names.{field}"))
        elif not DNS1035_LABEL.match(value) or len(value) > 63:
            causes.append(invalid(f"spec.names.{field}", value, DNS1035_LABEL_MESSAGE))
    for field in ("kind", "listKind"):
        value = names.get(field) or ""
        if not value:
            causes.append(required(f"spec.names.{field}"))
        elif not DNS1035_LABEL.match(value.lower()):
            causes.append(invalid(f"spec.names.{field}", value,
                                  "may have mixed case, but should otherwise match: "
                                  "[a-z]([-a-z0-9]*[a-z0-9])?"))
    if names.get("kind") and names.get("kind") == names.get("listKind"):
        causes.append(invalid("spec.names.listKind", names["listKind"],
                              "kind and listKind may not be the same"))
    for index, short in enumerate(names.get("shortNames") or []):
        if not DNS1035_LABEL.match(short or ""):
            causes.append(invalid(f"spec.names.shortNames[{index}]", short,
                                  DNS1035_LABEL_MESSAGE))
    for index, category in enumerate(names.get("categories") or []):
        if not DNS1035_LABEL.match(category or ""):
            causes.append(invalid(f"spec.names.categories[{index}]", category,
                                  DNS1035_LABEL_MESSAGE))
    return causes


def _validate_versions(versions: list[dict]) -> list[dict]:
    if not versions:
        return [invalid("spec.versions", [], "must have exactly one version marked as "
                                             "storage version")]
    causes = []
    seen: set[str] = set()
    for index, version in enumerate(versions):
        path = f"spec.versions[{index}]"
        vname = version.get("name") or ""
        if not vname:
            causes.append(required(f"{path}.name"))
        elif not DNS1035_LABEL.match(vname):
            causes.append(invalid(f"{path}.name", vname, DNS1035_LABEL_MESSAGE))
        elif vname in seen:
            causes.append(invalid(f"{path}.name", vname, "must be unique"))
        seen.add(vname)
        schema = (version.get("schema") or {}).get("openAPIV3Schema")
        schema_path = f"{path}.schema.openAPIV3Schema"
        if schema is None:
            causes.append(required(schema_path, "schemas are required"))
        else:
            causes.extend(validate_structural_schema(schema, schema_path))
        for column_index, column in enumerate(version.get("additionalPrinterColumns") or []):
            column_path = f"{path}.additionalPrinterColumns[{column_index}]"
            if not column.get("name"):
                causes.append(required(f"{column_path}.name"))
            if not column.get("jsonPath"):
                causes.append(required(f"{column_path}.jsonPath"))
            if column.get("type") not in ("integer", "number", "string", "boolean", "date"):
                causes.append(not_supported(f"{column_path}.type", column.get("type", ""),
                                            ["boolean", "date", "integer", "number",
                                             "string"]))
    storage = [v for v in versions if v.get("storage")]
    if len(storage) != 1:
        causes.append(invalid("spec.versions", [v.get("name") for v in versions],
                              "must have exactly one version marked as storage version"))
    if not any(v.get("served") for v in versions):
        causes.append(invalid("spec.versions", [v.get("name") for v in versions],
                              "must have at least one version marked as served"))
    return causes


def validate_structural_schema(schema: dict, path: str) -> list[dict]:
    """The structural-schema rules: a type everywhere (except under int-or-string or
    preserve-unknown-fields), object at the root, no $ref, properties and
    additionalProperties not both, metadata only name/generateName."""
    causes: list[dict] = []
    root_type = schema.get("type")
    if not root_type:
        if not schema.get("x-kubernetes-preserve-unknown-fields"):
            causes.append(required(f"{path}.type", "must not be empty at the root"))
    elif root_type != "object":
        causes.append(invalid(f"{path}.type", root_type, "must be object at the root"))
    metadata = (schema.get("properties") or {}).get("metadata")
    if isinstance(metadata, dict):
        extra = set(metadata) - {"type", "properties", "description"}
        names = set(metadata.get("properties") or {}) - {"name", "generateName"}
        if extra or names or metadata.get("type", "object") != "object":
            causes.append(forbidden(f"{path}.properties[metadata]",
                                    "must not specify anything other than name and "
                                    "generateName, but metadata is implicitly specified"))
    _structural(schema, path, causes, "root")
    return causes


def _structural(node: dict, path: str, causes: list[dict], position: str) -> None:
    if not isinstance(node, dict):
        return
    node_type = node.get("type")
    int_or_string = node.get("x-kubernetes-int-or-string")
    preserve = node.get("x-kubernetes-preserve-unknown-fields")
    if "$ref" in node:
        causes.append(forbidden(f"{path}.$ref", "$ref is not supported"))
    if node_type and node_type not in SCHEMA_TYPES:
        causes.append(not_supported(f"{path}.type", node_type, SCHEMA_TYPES))
    if int_or_string and node_type:
        causes.append(invalid(f"{path}.type", node_type,
                              "must be empty if x-kubernetes-int-or-string is true"))
    if not node_type and not int_or_string and not preserve and position != "root":
        what = ("array items" if position == "items" else "object fields")
        causes.append(required(f"{path}.type", f"must not be empty for specified {what}"))
    if preserve is False:
        causes.append(invalid(f"{path}.x-kubernetes-preserve-unknown-fields", False,
                              "must be true or undefined"))
    extra = node.get("additionalProperties")
    if node.get("properties") and extra is not None:
        causes.append(forbidden(f"{path}.additionalProperties",
                                "additionalProperties and properties are mutual exclusive"))
    if extra is False:
        causes.append(forbidden(f"{path}.additionalProperties",
                                "must not be false to be structural"))
    if node_type == "array" and not isinstance(node.get("items"), dict):
        causes.append(required(f"{path}.items", "must be specified"))
    list_type = node.get("x-kubernetes-list-type")
    if list_type and list_type not in ("atomic", "set", "map"):
        causes.append(not_supported(f"{path}.x-kubernetes-list-type", list_type,
                                    ["atomic", "set", "map"]))
    if list_type == "map" and not node.get("x-kubernetes-list-map-keys"):
        causes.append(required(f"{path}.x-kubernetes-list-map-keys",
                               "must not be empty if x-kubernetes-list-type is map"))
    for key, child in (node.get("properties") or {}).items():
        _structural(child, f"{path}.properties[{key}]", causes, "property")
    if isinstance(extra, dict):
        _structural(extra, f"{path}.additionalProperties", causes, "property")
    if isinstance(node.get("items"), dict):
        _structural(node["items"], f"{path}.items", causes, "items")
    for keyword in ("allOf", "anyOf", "oneOf"):
        for index, sub in enumerate(node.get(keyword) or []):
            _value_validation_only(sub, f"{path}.{keyword}[{index}]", causes)


def _value_validation_only(node: dict, path: str, causes: list[dict]) -> None:
    """Inside allOf/anyOf/oneOf only value checks are allowed, no types or defaults."""
    for keyword in ("type", "default", "additionalProperties", "nullable",
                    "x-kubernetes-preserve-unknown-fields"):
        if isinstance(node, dict) and keyword in node:
            causes.append(forbidden(f"{path}.{keyword}", "must be empty to be structural"))


# ---------------------------------------------------------------- registry, status, columns

def resource_types(crd: dict) -> list[ResourceType]:
    """One ResourceType per served version of the CRD."""
    spec = crd.get("spec") or {}
    names = _names(crd)
    preferred = preferred_version(crd)
    out = []
    for version in _versions(crd):
        if not version.get("served"):
            continue
        subresources = []
        declared = version.get("subresources") or {}
        if "scale" in declared:
            subresources.append(Subresource("scale", "Scale", ("get", "patch", "update"),
                                            "autoscaling", "v1"))
        if "status" in declared:
            subresources.append(Subresource("status", names["kind"],
                                            ("get", "patch", "update")))
        out.append(ResourceType(
            group=spec["group"], version=version["name"], kind=names["kind"],
            plural=names["plural"], singular=names["singular"],
            namespaced=spec.get("scope") == "Namespaced",
            short_names=tuple(names.get("shortNames") or ()),
            categories=tuple(names.get("categories") or ()),
            verbs=ALL_VERBS, subresources=tuple(subresources), custom=True,
            preferred=version["name"] == preferred,
            schema=(version.get("schema") or {}).get("openAPIV3Schema")))
    out.sort(key=lambda rt: version_priority(rt.version))
    return out


def crd_status(crd: dict, now: str) -> dict:
    """The status the server writes once a CRD is accepted: accepted names, the
    NamesAccepted and Established conditions, and the stored versions."""
    old = crd.get("status") or {}
    names = _names(crd)
    accepted = {k: names[k] for k in ("plural", "singular", "shortNames", "kind",
                                      "listKind", "categories") if names.get(k)}
    old_conditions = {c.get("type"): c for c in old.get("conditions") or []}

    def condition(kind: str, reason: str, message: str) -> dict:
        previous = old_conditions.get(kind)
        since = (previous.get("lastTransitionTime") if previous and
                 previous.get("status") == "True" else None) or now
        return {"type": kind, "status": "True", "lastTransitionTime": since,
                "reason": reason, "message": message}

    stored = list(old.get("storedVersions") or [])
    for version in _versions(crd):
        if version.get("storage") and version.get("name") not in stored:
            stored.append(version["name"])
    return {
        "acceptedNames": accepted,
        "conditions": [
            condition("NamesAccepted", "NoConflicts", "no conflicts found"),
            condition("Established", "InitialNamesAccepted",
                      "the initial names have been accepted"),
        ],
        "storedVersions": stored,
    }


def printer_columns(crd: dict, version: str) -> list[dict]:
    """The additionalPrinterColumns of `version` (name, type, jsonPath, description,
    priority, format); the Age column when the version declares none. The Name column
    is not included: every table has it first."""
    for v in _versions(crd):
        if v.get("name") == version:
            columns = v.get("additionalPrinterColumns")
            if not columns:
                return [dict(c, priority=0) for c in DEFAULT_COLUMNS]
            return [{
                "name": c.get("name", ""), "type": c.get("type", "string"),
                "jsonPath": c.get("jsonPath", ""), "description": c.get("description", ""),
                "priority": int(c.get("priority") or 0),
                **({"format": c["format"]} if c.get("format") else {}),
            } for c in columns]
    return []
