# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Server-side apply (`PATCH` with `application/apply-patch+yaml`), as kube-apiserver 1.32
does it with structured-merge-diff v4.

An apply sends the manager's whole intent. The server merges it into the live object,
records the fields it names as the manager's "Apply" entry in managedFields, removes
fields the manager applied last time but no longer names (unless another manager owns
them), and refuses to change a field another manager owns (409 Conflict) unless
`force=true`, which takes the field over. Appliers that set the same value share it.

Two kubectl conveniences are upstream behaviour too, for the manager named "kubectl":
conflicts on fields that the object's `kubectl.kubernetes.io/last-applied-configuration`
annotation (client-side apply) holds with their live values are taken over, so that
`kubectl apply --server-side` after client-side applies just works; and that annotation,
when present, is rewritten to the applied configuration.
"""
from __future__ import annotations

import json

from kybernetes.api import schema as k8s_schema
from kybernetes.apiserver.errors import ApiError
from kybernetes.apiserver.fieldset import FieldSet, Path, path_string
from kybernetes.apiserver.managedfields import (
    APPLY, ManagerEntry, ManagerKey, Managed, cap_update_managers, decode_managed_fields,
    field_filter, has_status_subresource, manager_key, store_managed_fields,
    strip_server_fields, without_managed_fields)
from kybernetes.apiserver.typedvalue import (
    TypedError, compare, ensure_named_fields_are_members, json_equal, merge, remove_items,
    to_field_set)

LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration"
KUBECTL_MANAGER = "kubectl"
ANNOTATIONS_MAX_BYTES = 256 * 1024


class ApplyConflictError(Exception):
    """An apply would change fields other managers own. `conflicts` holds, per field,
    the manager as upstream prints it (`"kubectl" with subresource "scale" using apps/v1`,
    just `"other-applier"` for an Apply entry) and the field (`.spec.replicas`)."""

    def __init__(self, conflicts: list[tuple[str, str]]) -> None:
        self.conflicts = conflicts
        super().__init__(self.status_message())

    def status_message(self, api_version: str = "") -> str:
        """The Status message. (The apiVersion is part of each manager's description,
        taken from its managedFields entry, so `api_version` is not needed.)"""
        if len(self.conflicts) == 1:
            manager, field = self.conflicts[0]
            return f"Apply failed with 1 conflict: conflict with {manager}: {field}"
        by_manager: dict[str, list[str]] = {}
        for manager, field in self.conflicts:
            by_manager.setdefault(manager, []).append(field)
        lines = []
        for manager in sorted(by_manager):
            lines.append(f"conflicts with {manager}:")
            lines.extend(f"- {field}" for field in by_manager[manager])
        return f"Apply failed with {len(self.conflicts)} conflicts: " + "\n".join(lines)

    def causes(self) -> list[dict]:
        return [{"reason": "FieldManagerConflict", "message": f"conflict with {manager}",
                 "field": field} for manager, field in self.conflicts]

    def to_api_error(self) -> ApiError:
        """The 409 Status (upstream NewApplyConflict: no name, group or kind in details)."""
        return ApiError(409, "Conflict", self.status_message(), causes=self.causes())


class _Conflicts(Exception):
    def __init__(self, found: list[tuple[ManagerEntry, Path]]) -> None:
        super().__init__(len(found))
        self.found = found


def schema_for(group: str, version: str, kind: str) -> dict | None:
    """The schema of a built-in kind (None for kinds kybernetes has no schema for)."""
    name = k8s_schema.definition_name(group, version, kind)
    return k8s_schema.definitions()[name] if name else None


def apply_patch(live: dict | None, applied: dict, *, manager: str, force: bool,
                api_version: str, schema: dict | None, now: str, subresource: str = "",
                status_subresource: bool | None = None) -> dict:
    """The object after `manager` applies `applied` to `live` (None: it does not exist
    yet), with managedFields updated. Raises ApplyConflictError, or ApiError for a
    configuration the server refuses. Neither input is modified."""
    _check_applied(applied, api_version)
    kind = applied.get("kind") or (live or {}).get("kind", "")
    if status_subresource is None:
        status_subresource = has_status_subresource(api_version, kind)
    keep = field_filter(subresource, status_subresource)
    try:
        managed = decode_managed_fields((live or {}).get("metadata", {}).get("managedFields"))
    except (ValueError, TypeError, AttributeError) as err:
        raise ApiError(500, "", f"failed to decode managed fields: {err}") from None
    live_obj = without_managed_fields(live)
    config = _without_server_metadata(applied)
    try:
        config_fields = strip_server_fields(keep(to_field_set(config, schema, strict=True)))
    except TypedError as err:
        raise ApiError(500, "", f"failed to create typed patch object "
                                f"({_describe_object(applied, api_version)}): {err}") from None
    key = manager_key(manager, APPLY, api_version, subresource)
    try:
        result, managed = _apply(live_obj, config, config_fields, managed, key, force,
                                 api_version, schema, keep)
    except _Conflicts as conflicts:
        allowed = _allowed_from_last_applied(live_obj, schema) if manager == KUBECTL_MANAGER \
            else None
        remaining = [(e, p) for e, p in conflicts.found if allowed is None or not allowed.has(p)]
        if remaining:
            raise ApplyConflictError(
                [(entry.describe(), path_string(path)) for entry, path in remaining]) from None
        result, managed = _apply(live_obj, config, config_fields, managed, key, True,
                                 api_version, schema, keep)
    if result is None:  # nothing changed: the object stays as it was
        result = _deep_copy(live_obj)
    elif key in managed:
        managed[key].time = now
    if manager == KUBECTL_MANAGER:
        _sync_last_applied(result, applied)
    cap_update_managers(managed)
    store_managed_fields(result, managed)
    return result


def _apply(live: dict, config: dict, config_fields: FieldSet, managed: Managed,
           key: ManagerKey, force: bool, api_version: str, schema: dict | None,
           keep) -> tuple[dict | None, Managed]:
    managed = {k: ManagerEntry(e.manager, e.operation, e.api_version, e.subresource, e.time,
                               e.fields) for k, e in managed.items()}
    last = managed.get(key)
    manager, _, _, subresource = key
    previous_time = last.time if last else None
    managed[key] = ManagerEntry(manager, APPLY, api_version, subresource, previous_time,
                                config_fields)
    merged = merge(live, config, schema)
    if last is not None and not last.fields.empty():
        # Fields applied last time and no longer owned by anyone go away.
        owned = FieldSet()
        for entry in managed.values():
            owned = owned.union(entry.fields)
        drop = ensure_named_fields_are_members(last.fields, schema).difference(
            ensure_named_fields_are_members(owned, schema))
        merged = remove_items(merged, drop, schema)
    comparison = compare(live, merged, schema)
    changed = keep(comparison.changed())
    removed = keep(comparison.removed)
    found: list[tuple[ManagerEntry, Path]] = []
    for other_key in sorted(managed):
        if other_key == key:
            continue
        entry = managed[other_key]
        found.extend((entry, path) for path in entry.fields.intersection(changed).paths())
    if found and not force:
        raise _Conflicts(found)
    for other_key in list(managed):
        if other_key == key:
            continue
        entry = managed[other_key]
        entry.fields = entry.fields.difference(changed).difference(removed)
        if entry.fields.empty():
            del managed[other_key]
    if managed[key].fields.empty():
        del managed[key]
    return (None if json_equal(live, merged) else merged), managed


def _check_applied(applied: dict, api_version: str) -> None:
    if not isinstance(applied, dict):
        raise ApiError(400, "BadRequest", "error decoding YAML: the patch is not an object")
    metadata = applied.get("metadata")
    if isinstance(metadata, dict) and metadata.get("managedFields") is not None:
        raise ApiError(400, "BadRequest", "metadata.managedFields must be nil")
    if applied.get("apiVersion") != api_version:
        raise ApiError(400, "BadRequest",
                       "Incorrect version specified in apply patch. Specified patch version: "
                       f"{applied.get('apiVersion', '')}, expected: {api_version}")


def _without_server_metadata(applied: dict) -> dict:
    """The configuration minus what the server alone sets, and minus nulls (a null
    clears a field, as decoding it into the Go type would)."""
    config = dict(applied)
    metadata = config.get("metadata")
    if isinstance(metadata, dict):
        config["metadata"] = {k: v for k, v in metadata.items()
                              if k not in ("managedFields", "creationTimestamp", "generation",
                                           "selfLink", "deletionTimestamp")}
    return _drop_nulls(config)


def _drop_nulls(value):
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def _describe_object(obj: dict, api_version: str) -> str:
    metadata = obj.get("metadata") or {}
    group, _, version = api_version.rpartition("/")
    return (f"{metadata.get('namespace', '')}/{metadata.get('name', '')}; "
            f"{group}/{version}, Kind={obj.get('kind', '')}")


def _allowed_from_last_applied(live: dict, schema: dict | None) -> FieldSet | None:
    """Fields the client-side-apply annotation holds with the live values, or None."""
    annotations = (live.get("metadata") or {}).get("annotations") or {}
    text = annotations.get(LAST_APPLIED_ANNOTATION)
    if not text:
        return None
    try:
        last_applied = json.loads(text)
        fields = to_field_set(last_applied, schema)
        comparison = compare(last_applied, live, schema)
    except (ValueError, TypeError):
        return None
    return fields.difference(comparison.modified).difference(comparison.added).difference(
        comparison.removed)


def _sync_last_applied(result: dict, applied: dict) -> None:
    annotations = (result.get("metadata") or {}).get("annotations") or {}
    if not annotations.get(LAST_APPLIED_ANNOTATION):
        return
    annotations = dict(annotations)
    annotations[LAST_APPLIED_ANNOTATION] = last_applied_value(applied)
    size = sum(len(k.encode()) + len(v.encode()) for k, v in annotations.items())
    if size > ANNOTATIONS_MAX_BYTES:
        del annotations[LAST_APPLIED_ANNOTATION]
    result["metadata"] = dict(result["metadata"], annotations=annotations)


def last_applied_value(applied: dict) -> str:
    """The configuration as the annotation holds it: Go's JSON of the object without the
    annotation itself (keys sorted, compact, HTML characters escaped, a final newline)."""
    config = dict(applied)
    metadata = config.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("annotations"), dict):
        annotations = {k: v for k, v in metadata["annotations"].items()
                       if k != LAST_APPLIED_ANNOTATION}
        config["metadata"] = dict(metadata, annotations=annotations)
    text = json.dumps(config, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text + "\n"


def _deep_copy(value):
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value
