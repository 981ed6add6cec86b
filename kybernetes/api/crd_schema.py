# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Custom resources against their CRD's structural schema: validation (with upstream's
messages), pruning of unknown fields and defaulting, as the apiserver does on every
create and update of a custom object.

Causes are Status causes: `{"reason": "FieldValueTypeInvalid", "field": "spec.replicas",
"message": 'Invalid value: "string": spec.replicas in body must be of type integer:
"string"'}`; `describe(cause)` gives the `field: message` line of an Invalid Status.
"""
from __future__ import annotations

import base64
import copy
import ipaddress
import re
import uuid
from datetime import datetime

import orjson

from kybernetes.api import schema as k8s_schema

OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
ROOT_FIELDS = ("apiVersion", "kind", "metadata")

# ---------------------------------------------------------------- field errors


def format_value(value) -> str:
    """A bad value as upstream prints it: strings quoted, numbers and booleans bare."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return orjson.dumps(value).decode()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    return orjson.dumps(value).decode()


def cause(reason: str, field: str, message: str) -> dict:
    return {"reason": reason, "field": field, "message": message}


def required(field: str, detail: str = "") -> dict:
    return cause("FieldValueRequired", field,
                 "Required value" + (f": {detail}" if detail else ""))


def invalid(field: str, value, detail: str) -> dict:
    return cause("FieldValueInvalid", field, f"Invalid value: {format_value(value)}: {detail}")


def type_invalid(field: str, value, detail: str) -> dict:
    return cause("FieldValueTypeInvalid", field,
                 f"Invalid value: {format_value(value)}: {detail}")


def not_supported(field: str, value, supported: list[str]) -> dict:
    message = f"Unsupported value: {format_value(value)}"
    if supported:
        message += ": supported values: " + ", ".join(orjson.dumps(s).decode()
                                                      for s in supported)
    return cause("FieldValueNotSupported", field, message)


def duplicate(field: str, value) -> dict:
    return cause("FieldValueDuplicate", field, f"Duplicate value: {format_value(value)}")


def forbidden(field: str, detail: str) -> dict:
    return cause("FieldValueForbidden", field, f"Forbidden: {detail}")


def too_long(field: str, max_length: int) -> dict:
    return cause("FieldValueTooLong", field, f"Too long: may not be longer than {max_length}")


def too_many(field: str, actual: int, maximum: int) -> dict:
    return cause("FieldValueTooMany", field,
                 f"Too many: {actual}: must have at most {maximum} items")


def describe(c: dict) -> str:
    """`spec.replicas: Invalid value: ...`, the form an Invalid Status message lists."""
    return f"{c['field']}: {c['message']}" if c.get("field") else c["message"]


# ---------------------------------------------------------------- formats

def _is_date_time(s: str) -> bool:
    try:
        datetime.fromisoformat(s.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    return "T" in s or "t" in s or " " in s


def _is_date(s: str) -> bool:
    try:
        datetime.strptime(s, "%Y-%m-%d")
    except ValueError:
        return False
    return True


def _is_uuid(s: str) -> bool:
    try:
        uuid.UUID(s)
    except ValueError:
        return False
    return len(s) == 36


def _is_ip(version: int):
    def check(s: str) -> bool:
        try:
            return ipaddress.ip_address(s).version == version
        except ValueError:
            return False
    return check


def _is_cidr(s: str) -> bool:
    try:
        ipaddress.ip_network(s, strict=False)
    except ValueError:
        return False
    return "/" in s


def _is_byte(s: str) -> bool:
    try:
        base64.b64decode(s, validate=True)
    except ValueError:
        return False
    return True


_DURATION = re.compile(r"^[-+]?(\d+(\.\d*)?(ns|us|µs|ms|s|m|h|d|w))+$|^0$")
_HOSTNAME = re.compile(r"^[a-zA-Z0-9]([-a-zA-Z0-9]{0,62})?(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,62})?)*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_MAC = re.compile(r"^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S*$")

STRING_FORMATS = {
    "date-time": _is_date_time, "datetime": _is_date_time, "date": _is_date,
    "duration": lambda s: bool(_DURATION.match(s)),
    "uuid": _is_uuid, "byte": _is_byte, "ipv4": _is_ip(4), "ipv6": _is_ip(6),
    "cidr": _is_cidr, "hostname": lambda s: bool(_HOSTNAME.match(s)) and len(s) <= 253,
    "email": lambda s: bool(_EMAIL.match(s)), "mac": lambda s: bool(_MAC.match(s)),
    "uri": lambda s: bool(_URI.match(s)),
}
INTEGER_RANGES = {"int32": (-(2 ** 31), 2 ** 31 - 1), "int64": (-(2 ** 63), 2 ** 63 - 1)}


# ---------------------------------------------------------------- validation

def json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _type_matches(expected: str, value) -> bool:
    actual = json_type(value)
    if expected == actual:
        return True
    if expected == "number":
        return actual == "integer"
    if expected == "integer":  # JSON 2.0 decodes as a float but is a whole number
        return actual == "number" and float(value).is_integer()
    return False


def _number(n) -> str:
    return format_value(float(n)) if isinstance(n, float) else str(n)


def _map_keys_text(item: dict, keys: list[str]) -> str:
    """The Go rendering of a map-list item's keys in a Duplicate value."""
    inner = ", ".join(f'"{k}":{format_value(item.get(k))}' for k in keys)
    return f"map[string]interface {{}}{{{inner}}}"


def validate_custom_object(obj: dict, schema: dict) -> list[dict]:
    """Causes for every place `obj` breaks the CRD version's openAPIV3Schema."""
    causes: list[dict] = []
    _validate(obj, schema or {}, "", causes, root=True)
    return causes


def _validate(value, node: dict, path: str, causes: list[dict], root: bool = False) -> None:
    name = path or "body"
    for sub in node.get("allOf") or ():
        _validate(value, sub, path, causes)
    if value is None:
        if node.get("nullable") or not node.get("type"):
            return
        causes.append(type_invalid(path, "null",
                                   f"{name} in body must be of type {node['type']}: \"null\""))
        return
    if node.get("x-kubernetes-int-or-string"):
        if json_type(value) not in ("integer", "string"):
            actual = json_type(value)
            causes.append(type_invalid(path, actual, f"{name} in body must be of type "
                                                     f"integer,string: \"{actual}\""))
            return
    elif node.get("type") and not _type_matches(node["type"], value):
        actual = json_type(value)
        causes.append(type_invalid(path, actual, f"{name} in body must be of type "
                                                 f"{node['type']}: \"{actual}\""))
        return
    if "enum" in node and value not in node["enum"]:
        causes.append(not_supported(path, value, [
            v if isinstance(v, str) else orjson.dumps(v).decode() for v in node["enum"]]))
    if isinstance(value, str):
        _validate_string(value, node, path, name, causes)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        _validate_number(value, node, path, name, causes)
    elif isinstance(value, list):
        _validate_array(value, node, path, name, causes)
    elif isinstance(value, dict):
        _validate_object(value, node, path, name, causes, root)


def _validate_string(value: str, node: dict, path: str, name: str, causes: list) -> None:
    if "maxLength" in node and len(value) > node["maxLength"]:
        causes.append(too_long(path, node["maxLength"]))
    if "minLength" in node and len(value) < node["minLength"]:
        causes.append(invalid(path, value, f"{name} in body should be at least "
                                           f"{node['minLength']} chars long"))
    pattern = node.get("pattern")
    if pattern:
        try:
            matched = re.search(pattern, value) is not None
        except re.error:
            matched = True  # a pattern Python cannot compile was accepted by the CRD
        if not matched:
            causes.append(invalid(path, value, f"{name} in body should match '{pattern}'"))
    check = STRING_FORMATS.get(node.get("format", ""))
    if check and not check(value):
        causes.append(type_invalid(path, value, f"{name} in body must be of type "
                                                f"{node['format']}: {format_value(value)}"))


def _validate_number(value, node: dict, path: str, name: str, causes: list) -> None:
    if "maximum" in node:
        limit = node["maximum"]
        if node.get("exclusiveMaximum") and value >= limit:
            causes.append(invalid(path, value, f"{name} in body should be less than "
                                               f"{_number(limit)}"))
        elif value > limit:
            causes.append(invalid(path, value, f"{name} in body should be less than or "
                                               f"equal to {_number(limit)}"))
    if "minimum" in node:
        limit = node["minimum"]
        if node.get("exclusiveMinimum") and value <= limit:
            causes.append(invalid(path, value, f"{name} in body should be greater than "
                                               f"{_number(limit)}"))
        elif value < limit:
            causes.append(invalid(path, value, f"{name} in body should be greater than or "
                                               f"equal to {_number(limit)}"))
    factor = node.get("multipleOf")
    if factor and (value / factor) != int(value / factor):
        causes.append(invalid(path, value, f"{name} in body should be a multiple of "
                                           f"{_number(factor)}"))
    bounds = INTEGER_RANGES.get(node.get("format", ""))
    if bounds and not bounds[0] <= value <= bounds[1]:
        causes.append(type_invalid(path, value, f"{name} in body must be of type "
                                                f"{node['format']}: \"{value}\""))


def _validate_array(value: list, node: dict, path: str, name: str, causes: list) -> None:
    if "maxItems" in node and len(value) > node["maxItems"]:
        causes.append(too_many(path, len(value), node["maxItems"]))
    if "minItems" in node and len(value) < node["minItems"]:
        causes.append(invalid(path, len(value), f"{name} in body should have at least "
                                                f"{node['minItems']} items"))
    list_type = node.get("x-kubernetes-list-type")
    if node.get("uniqueItems") or list_type == "set":
        seen: list = []
        for index, item in enumerate(value):
            if item in seen:
                if list_type == "set":
                    causes.append(duplicate(f"{path}[{index}]", item))
                else:
                    causes.append(invalid(path, value, f"{name} in body shouldn't contain "
                                                       "duplicates"))
                    break
            else:
                seen.append(item)
    if list_type == "map":
        keys = node.get("x-kubernetes-list-map-keys") or []
        seen_keys: set[bytes] = set()
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                continue
            key = orjson.dumps([item.get(k) for k in keys])
            if key in seen_keys:
                causes.append(cause("FieldValueDuplicate", f"{path}[{index}]",
                                    f"Duplicate value: {_map_keys_text(item, keys)}"))
            seen_keys.add(key)
    items = node.get("items")
    if isinstance(items, dict):
        for index, item in enumerate(value):
            _validate(item, items, f"{path}[{index}]", causes)


def _validate_object(value: dict, node: dict, path: str, name: str, causes: list,
                     root: bool) -> None:
    def child_path(key: str) -> str:
        return f"{path}.{key}" if path else key

    for key in node.get("required") or ():
        if key not in value:
            causes.append(required(child_path(key)))
    if "maxProperties" in node and len(value) > node["maxProperties"]:
        causes.append(too_many(path, len(value), node["maxProperties"]))
    if "minProperties" in node and len(value) < node["minProperties"]:
        causes.append(invalid(path, len(value), f"{name} in body should have at least "
                                                f"{node['minProperties']} properties"))
    props = node.get("properties") or {}
    extra = node.get("additionalProperties")
    for key, child in value.items():
        if (root or node.get("x-kubernetes-embedded-resource")) and key in ROOT_FIELDS:
            # metadata is ObjectMeta's to validate; only name rules in the schema apply
            if key == "metadata" and isinstance(child, dict) and key in props:
                _validate({k: v for k, v in child.items() if k in ("name", "generateName")},
                          {"type": "object", "properties":
                           (props["metadata"].get("properties") or {})},
                          child_path(key), causes)
            elif key != "metadata" and key in props:
                _validate(child, props[key], child_path(key), causes)
            continue
        if key in props:
            _validate(child, props[key], child_path(key), causes)
        elif isinstance(extra, dict):
            _validate(child, extra, child_path(key), causes)


# ---------------------------------------------------------------- prune and default

def prune_and_default(obj: dict, schema: dict) -> None:
    """Apply the schema's `default`s, then drop every field the structural schema does
    not know (unless `x-kubernetes-preserve-unknown-fields`), in place."""
    if not schema:
        return
    _default(obj, schema)
    _prune(obj, schema, root=True)


def _default(value, node: dict) -> None:
    if isinstance(value, dict):
        props = node.get("properties") or {}
        for key, child in props.items():
            if "default" in child and (key not in value or (
                    value[key] is None and not child.get("nullable"))):
                value[key] = copy.deepcopy(child["default"])
        for key, child_value in value.items():
            if key in props:
                _default(child_value, props[key])
            elif isinstance(node.get("additionalProperties"), dict):
                _default(child_value, node["additionalProperties"])
    elif isinstance(value, list) and isinstance(node.get("items"), dict):
        for item in value:
            _default(item, node["items"])


def _prune(value, node: dict, root: bool = False) -> None:
    if isinstance(value, list):
        if isinstance(node.get("items"), dict):
            for item in value:
                _prune(item, node["items"])
        return
    if not isinstance(value, dict) or node.get("x-kubernetes-int-or-string"):
        return
    props = node.get("properties") or {}
    extra = node.get("additionalProperties")
    preserve = node.get("x-kubernetes-preserve-unknown-fields")
    embedded = root or node.get("x-kubernetes-embedded-resource")
    for key in list(value):
        if embedded and key in ROOT_FIELDS:
            if key == "metadata" and isinstance(value[key], dict):
                known = k8s_schema.definitions()[OBJECT_META]["properties"]
                for meta_key in [k for k in value[key] if k not in known]:
                    del value[key][meta_key]
            continue
        if key in props:
            _prune(value[key], props[key])
        elif isinstance(extra, dict):
            _prune(value[key], extra)
        elif not (extra is True or preserve):
            del value[key]
