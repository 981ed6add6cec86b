# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""`metadata.managedFields`: who owns which field of an object, kept as kube-apiserver 1.32
keeps it, for every write.

Each entry belongs to one manager identity: manager name, operation ("Apply" or
"Update"), subresource and, for updates only, the apiVersion (an applier keeps one entry
whatever version it applies with). A write that is not an apply (create, update, any
non-apply patch) gives its manager the fields it added or changed, takes them away from
every other manager, and drops fields it removed from everyone (`update_managed_fields`).
Server-side apply is in `apply.py` and shares the pieces below.

Never tracked: the fields the server owns (`metadata.uid`, `resourceVersion`, ...), and
the fields a request cannot change: `status` in writes to a resource that has a status
subresource, `spec` in writes to /status, everything but `spec.replicas` through /scale.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kybernetes.api.resources import builtin_registry
from kybernetes.apiserver.fieldset import FieldSet
from kybernetes.apiserver.typedvalue import compare, shape_of

APPLY = "Apply"
UPDATE = "Update"
MAX_UPDATE_MANAGERS = 10
OLD_UPDATES_MANAGER = "ancient-changes"
FIELD_MANAGER_MAX_LENGTH = 128

# Metadata the server sets: never owned by anyone (a plain difference: children of
# `metadata` other than these stay owned).
STRIPPED_FIELDS = FieldSet.of(
    ("f:apiVersion",), ("f:kind",), ("f:metadata",),
    *(("f:metadata", "f:" + name) for name in (
        "name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName",
        "generation", "managedFields", "resourceVersion")))

_STATUS = FieldSet.of(("f:status",))
_SPEC = FieldSet.of(("f:spec",))
_SPEC_REPLICAS = FieldSet.of(("f:spec", "f:replicas"))

ManagerKey = tuple[str, str, str, str]  # manager, operation, apiVersion ("" for Apply), subresource


@dataclass
class ManagerEntry:
    manager: str
    operation: str
    api_version: str
    subresource: str
    time: str | None
    fields: FieldSet

    @property
    def key(self) -> ManagerKey:
        return manager_key(self.manager, self.operation, self.api_version, self.subresource)

    def describe(self) -> str:
        """How conflict messages name the manager (upstream printManager)."""
        text = f'"{self.manager}"'
        if self.subresource:
            text += f' with subresource "{self.subresource}"'
        if self.operation == UPDATE:
            text += f" using {self.api_version}"
        return text

    def encode(self) -> dict:
        entry: dict = {"manager": self.manager, "operation": self.operation,
                       "apiVersion": self.api_version}
        if self.time is not None:
            entry["time"] = self.time
        entry["fieldsType"] = "FieldsV1"
        entry["fieldsV1"] = self.fields.to_fields_v1()
        if self.subresource:
            entry["subresource"] = self.subresource
        return entry


Managed = dict[ManagerKey, ManagerEntry]


def manager_key(manager: str, operation: str, api_version: str, subresource: str) -> ManagerKey:
    return (manager, operation, "" if operation == APPLY else api_version, subresource)


def default_field_manager(field_manager: str | None, user_agent: str | None) -> str:
    """The `fieldManager` query parameter, or else the User-Agent up to its first "/"
    (non-printable characters dropped, cut at 128 bytes), as upstream derives it:
    "kubectl", "OpenAPI-Generator", "Go-http-client"."""
    if field_manager:
        return field_manager
    prefix = (user_agent or "").split("/", 1)[0]
    out, size = [], 0
    for char in prefix:
        if not char.isprintable():
            continue
        width = len(char.encode())
        if size + width > FIELD_MANAGER_MAX_LENGTH:
            break
        out.append(char)
        size += width
    return "".join(out)


# -- decoding and encoding -----------------------------------------------------

def decode_managed_fields(entries: list | None) -> Managed:
    """The entries of `metadata.managedFields` by manager identity; ValueError if malformed."""
    managed: Managed = {}
    for entry in entries or ():
        if not isinstance(entry, dict):
            raise ValueError("managedFields entries must be objects")
        operation = entry.get("operation")
        if operation not in (APPLY, UPDATE):
            raise ValueError(f"invalid operation {operation!r}")
        if entry.get("fieldsType", "FieldsV1") != "FieldsV1":
            raise ValueError(f"invalid fieldsType {entry.get('fieldsType')!r}")
        decoded = ManagerEntry(
            manager=entry.get("manager") or "", operation=operation,
            api_version=entry.get("apiVersion") or "", subresource=entry.get("subresource") or "",
            time=entry.get("time"), fields=FieldSet.from_fields_v1(entry.get("fieldsV1") or {}))
        managed[decoded.key] = decoded
    return managed


def encode_managed_fields(managed: Managed) -> list[dict]:
    """Entries in upstream's order: Apply before Update, then oldest first, then by name."""
    entries = [e for e in managed.values() if not e.fields.empty()]
    entries.sort(key=lambda e: (e.operation, e.time or "", e.manager, e.api_version,
                                e.subresource))
    return [e.encode() for e in entries]


def store_managed_fields(obj: dict, managed: Managed) -> None:
    encoded = encode_managed_fields(managed)
    metadata = obj.setdefault("metadata", {})
    if encoded:
        metadata["managedFields"] = encoded
    else:
        metadata.pop("managedFields", None)


def without_managed_fields(obj: dict | None) -> dict:
    """A shallow copy of `obj` (with its own metadata dict) minus managedFields."""
    if obj is None:
        return {}
    out = dict(obj)
    if isinstance(obj.get("metadata"), dict):
        out["metadata"] = {k: v for k, v in obj["metadata"].items() if k != "managedFields"}
    return out


# -- which fields a request may own -------------------------------------------

def has_status_subresource(api_version: str, kind: str) -> bool:
    rt = builtin_registry().by_api_version(api_version, kind)
    return bool(rt and rt.subresource("status"))


def field_filter(subresource: str, status_subresource: bool) -> Callable[[FieldSet], FieldSet]:
    """Drops from a field set what a write to `subresource` neither owns nor conflicts on
    (upstream: the strategies' reset fields, and the scale handler)."""
    if subresource == "scale":
        return lambda fields: fields.only_under(_SPEC_REPLICAS)
    if subresource == "status":
        return lambda fields: fields.recursive_difference(_SPEC)
    if status_subresource:
        return lambda fields: fields.recursive_difference(_STATUS)
    return lambda fields: fields


def strip_server_fields(fields: FieldSet) -> FieldSet:
    return fields.difference(STRIPPED_FIELDS)


def cap_update_managers(managed: Managed) -> None:
    """More than ten Update entries: the oldest merge into "ancient-changes" entries, one
    per apiVersion, as upstream caps them."""
    updaters = [e for e in managed.values() if e.operation == UPDATE]
    if len(updaters) <= MAX_UPDATE_MANAGERS:
        return
    updaters.sort(key=lambda e: (e.time or "", e.key))
    count = len(updaters)
    first_by_version: dict[str, ManagerEntry] = {}
    for entry in updaters:
        if count <= MAX_UPDATE_MANAGERS:
            break
        first = first_by_version.get(entry.api_version)
        if first is None:
            first_by_version[entry.api_version] = entry
            continue
        bucket_key = manager_key(OLD_UPDATES_MANAGER, UPDATE, entry.api_version, "")
        bucket = managed.get(bucket_key)
        if bucket is None:
            del managed[first.key]
            bucket = ManagerEntry(OLD_UPDATES_MANAGER, UPDATE, entry.api_version, "",
                                  first.time, first.fields)
            managed[bucket_key] = bucket
        bucket.fields = entry.fields.union(bucket.fields)
        bucket.time = entry.time
        del managed[entry.key]
        count -= 1


# -- non-apply writes ------------------------------------------------------------

def _managed_for_update(old: dict | None, new: dict, subresource: str) -> Managed:
    """Upstream decodeLiveOrNew: a write may set managedFields itself (an empty list, or one
    empty entry, resets them); a subresource write or an absent or invalid value keeps
    the stored ones."""
    old_entries = (old or {}).get("metadata", {}).get("managedFields")
    new_entries = new.get("metadata", {}).get("managedFields")
    if not subresource:
        if isinstance(new_entries, list) and (not new_entries or new_entries == [{}]):
            return {}
        try:
            managed = decode_managed_fields(new_entries)
        except (ValueError, TypeError, AttributeError):
            managed = {}
        if managed:
            return managed
    return decode_managed_fields(old_entries)


def update_managed_fields(old: dict | None, new: dict, *, manager: str,
                          operation: str = UPDATE, api_version: str, schema: dict | None,
                          now: str, subresource: str = "",
                          status_subresource: bool | None = None) -> None:
    """Record a create/update/patch from `old` (None: a create) to `new` in
    new["metadata"]["managedFields"]. `status_subresource` says whether the kind has a
    status subresource (None: look the kind up among the built-ins)."""
    if status_subresource is None:
        status_subresource = has_status_subresource(api_version, new.get("kind", ""))
    try:
        managed = _managed_for_update(old, new, subresource)
    except (ValueError, TypeError, AttributeError):
        # Upstream drops unreadable managedFields rather than failing the write.
        new.setdefault("metadata", {}).pop("managedFields", None)
        return
    keep = field_filter(subresource, status_subresource)
    before = without_managed_fields(old) if old is not None else zero_object(schema)
    after = without_managed_fields(new)
    try:
        comparison = compare(before, after, schema)
    except ValueError:
        new.setdefault("metadata", {}).pop("managedFields", None)
        return
    changed = keep(comparison.changed())
    removed = keep(comparison.removed)
    for key in list(managed):
        entry = managed[key]
        entry.fields = entry.fields.difference(changed).difference(removed)
        if entry.fields.empty():
            del managed[key]
    mine = strip_server_fields(changed)
    if not mine.empty():
        key = manager_key(manager or "unknown", operation, api_version, subresource)
        previous = managed.get(key)
        managed[key] = ManagerEntry(manager or "unknown", operation, api_version, subresource,
                                    now, mine.union(previous.fields) if previous else mine)
    cap_update_managers(managed)
    store_managed_fields(new, managed)


# A created object is compared with the empty object of its kind, which upstream is the
# Go zero value: structs held by value are there (empty) and required pointers and
# slices are null, so they do not count as added containers. The JSON schemas do not say
# which structs are held by value; these names are, on the kinds people create.
_VALUE_STRUCTS = frozenset({"metadata", "spec", "status", "template", "jobTemplate",
                            "strategy", "updateStrategy", "loadBalancer"})


_ZERO_OBJECTS: dict[int, tuple[dict, dict]] = {}


def zero_object(schema: dict | None) -> dict:
    """The empty object of a built-in kind as its Go type starts ({} for custom ones).
    Computed once per schema; callers treat the result as read-only."""
    if not schema or "x-kubernetes-group-version-kind" not in schema:
        return {}
    hit = _ZERO_OBJECTS.get(id(schema))
    if hit is None or hit[0] is not schema:
        hit = _ZERO_OBJECTS[id(schema)] = (schema, _zero_struct(schema, depth=0))
    return hit[1]


def _zero_struct(node: dict, depth: int) -> dict:
    shape = shape_of(node, {})
    if shape.kind != "struct" or shape.atomic or depth > 6:
        return {}
    out: dict = {}
    required = set(shape.node.get("required") or ())
    for name, prop in (shape.node.get("properties") or {}).items():
        child = shape_of(prop, None)
        is_struct = child.kind == "struct" and not child.atomic
        if is_struct and (name in _VALUE_STRUCTS or name in required):
            out[name] = _zero_struct(prop, depth + 1)
        elif name in required:
            out[name] = None
    return out
