# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Objects walked with their schema, the way structured-merge-diff sees them.

Server-side apply needs four operations on a JSON object and its OpenAPI schema: the set
of fields a configuration names (`to_field_set`), what changed between two objects
(`compare`), the merge of a configuration into a live object (`merge`), and the removal
of fields (`remove_items`). Each depends on the shape of every node:

- struct (schema `properties`): fields are named; `x-kubernetes-map-type: atomic` makes
  the whole struct one value.
- map (`additionalProperties`): keys are fields too, but never "named" ones.
- list: `x-kubernetes-list-type` map (items keyed by `x-kubernetes-list-map-keys`), set
  (items are their own keys) or atomic. Without the extension, a list with a strategic
  patch merge key is a map keyed by it, a merge list without key a set, others atomic.
- untyped (no schema, or `type: object` with nothing else): maps are granular, lists
  atomic, as upstream deduces them.
Built-in schemas come from `kybernetes.api.schema`; custom resources pass their
openAPIV3Schema, whose nodes have the same shape.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kybernetes.api import schema as k8s_schema
from kybernetes.apiserver.fieldset import (
    FieldSet, Path, field_element, index_element, key_element, path_string, value_element)

OBJECT_META = {"$ref": "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}
TYPE_META_STRING = {"type": "string"}

# List-map key fields that may be omitted because the API defaults them; upstream's
# OpenAPI carries these `default`s, the kubernetes-validate schemas do not.
KEY_DEFAULTS = {
    ("io.k8s.api.core.v1.ContainerPort", "protocol"): "TCP",
    ("io.k8s.api.core.v1.ServicePort", "protocol"): "TCP",
}


class TypedError(ValueError):
    """The object does not fit its schema (upstream: 'field not declared in schema', ...)."""

    def __init__(self, path: Path, message: str) -> None:
        self.path = path
        self.detail = message
        super().__init__(f"{path_string(path)}: {message}" if path else message)


@dataclass(frozen=True)
class Shape:
    kind: str  # "struct" | "map" | "list" | "scalar"
    atomic: bool = False
    node: dict | None = None  # the resolved schema, None when untyped
    list_type: str = "atomic"  # lists: "atomic" | "set" | "map"
    keys: tuple[str, ...] = ()
    item_ref: str = ""  # lists: the definition name of the items, for key defaults
    open: bool = True  # structs: unknown fields allowed (untyped)


def _extension(raw: dict, resolved: dict, name: str):
    if name in raw:
        return raw[name]
    return resolved.get(name)


# shape_of runs for every node of every written object: memoized per schema node and the
# only thing about the value it looks at (list, dict, null or scalar). Schema nodes live as
# long as the process (built-ins) or their CRD, and each entry keeps its node alive, so an
# id is never reused while its entry is here.
_SHAPES: dict[tuple[int, str], tuple[dict, "Shape"]] = {}


def _category(value: Any) -> str:
    if isinstance(value, list):
        return "l"
    if isinstance(value, dict):
        return "d"
    return "n" if value is None else "s"


def shape_of(node: dict | None, value: Any) -> Shape:
    """The shape of `value` under schema `node` (None: deduced from the value)."""
    if node is None:
        return _deduced(value)
    key = (id(node), _category(value))
    hit = _SHAPES.get(key)
    if hit is not None and hit[0] is node:
        return hit[1]
    shape = _shape_of(node, value)
    if len(_SHAPES) > 200_000:
        _SHAPES.clear()
    _SHAPES[key] = (node, shape)
    return shape


def _shape_of(node: dict, value: Any) -> Shape:
    resolved = k8s_schema.resolve(node)
    kind = resolved.get("type")
    if kind == "array" or "items" in resolved:
        if not isinstance(value, list) and value is not None:
            return Shape("scalar")
        list_type = _extension(node, resolved, "x-kubernetes-list-type")
        keys = _extension(node, resolved, "x-kubernetes-list-map-keys") or ()
        if list_type is None:
            strategy = _extension(node, resolved, "x-kubernetes-patch-strategy") or ""
            merge_key = _extension(node, resolved, "x-kubernetes-patch-merge-key")
            if "merge" in strategy.split(","):
                list_type, keys = ("map", (merge_key,)) if merge_key else ("set", ())
            else:
                list_type = "atomic"
        items = resolved.get("items") or {}
        return Shape("list", list_type == "atomic", resolved, list_type, tuple(keys),
                     items.get("$ref", "") if isinstance(items, dict) else "")
    if "properties" in resolved or kind == "object" or "additionalProperties" in resolved:
        if not isinstance(value, dict) and value is not None:
            return Shape("scalar")
        atomic = _extension(node, resolved, "x-kubernetes-map-type") == "atomic"
        if "properties" in resolved:
            open_ = bool(resolved.get("x-kubernetes-preserve-unknown-fields")) or isinstance(
                resolved.get("additionalProperties"), dict)
            return Shape("struct", atomic, resolved, open=open_)
        return Shape("map", atomic, resolved)
    if kind is None and "x-kubernetes-int-or-string" not in resolved and isinstance(
            value, (dict, list)):
        return _deduced(value)
    return Shape("scalar", node=resolved)


def _deduced(value: Any) -> Shape:
    if isinstance(value, dict):
        return Shape("map")
    if isinstance(value, list):
        return Shape("list", True)
    return Shape("scalar")


def field_schema(shape: Shape, name: str, at_root: bool = False) -> dict | None:
    """The schema of field `name` of a struct or map (None: untyped)."""
    if at_root and name == "metadata":
        return OBJECT_META
    if at_root and name in ("apiVersion", "kind"):
        return TYPE_META_STRING
    node = shape.node
    if node is None:
        return None
    props = node.get("properties") or {}
    if name in props:
        return props[name]
    extra = node.get("additionalProperties")
    return extra if isinstance(extra, dict) else None


def item_schema(shape: Shape) -> dict | None:
    items = shape.node.get("items") if shape.node else None
    return items if isinstance(items, dict) else None


def json_equal(a: Any, b: Any) -> bool:
    """Equality of JSON values that tells true from 1 (Python's == does not)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(
            json_equal(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(
            json_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


def _item_element(shape: Shape, index: int, item: Any, path: Path) -> str:
    if shape.list_type == "map" and shape.keys:
        if not isinstance(item, dict):
            raise TypedError(path, f"element {index}: associative list with keys may only "
                                   "contain objects")
        keys = {}
        for key in shape.keys:
            if key in item and item[key] is not None:
                keys[key] = item[key]
            elif (shape.item_ref, key) in KEY_DEFAULTS:
                keys[key] = KEY_DEFAULTS[(shape.item_ref, key)]
            else:
                raise TypedError(path, f"element {index}: associative list with keys has an "
                                       f'element that omits key field "{key}" (and doesn\'t '
                                       "have default value)")
        return key_element(keys)
    if shape.list_type == "set" and not isinstance(item, (dict, list)):
        return value_element(item)
    return index_element(index)


def index_items(shape: Shape, items: list | None, path: Path, *,
                allow_duplicates: bool = True) -> dict[str, Any]:
    """Items of a granular list by path element, in list order."""
    out: dict[str, Any] = {}
    for index, item in enumerate(items or ()):
        element = _item_element(shape, index, item, path)
        if element in out and not allow_duplicates:
            raise TypedError(path, "duplicate entries for key "
                                   + path_string((element,)))
        out[element] = item
    return out


# -- the set of fields a configuration names -----------------------------------

def to_field_set(value: dict, node: dict | None, *, strict: bool = False) -> FieldSet:
    """Every leaf, atomic value and list item of `value`. `strict` (an applied
    configuration) rejects undeclared fields and duplicate list keys."""
    out = FieldSet()
    _collect(value, node, (), out, strict)
    return out


def _collect(value: Any, node: dict | None, path: Path, out: FieldSet, strict: bool) -> None:
    shape = shape_of(node, value)
    if shape.kind in ("struct", "map"):
        if shape.atomic:
            out.insert(path)
            return
        for name, child in (value or {}).items():
            child_node = field_schema(shape, name, at_root=not path)
            if child_node is None and strict and shape.kind == "struct" and not shape.open:
                raise TypedError(path + (field_element(name),), "field not declared in schema")
            _collect(child, child_node, path + (field_element(name),), out, strict)
    elif shape.kind == "list":
        if shape.atomic:
            out.insert(path)
            return
        items = index_items(shape, value, path, allow_duplicates=not strict)
        item_node = item_schema(shape)
        for element, item in items.items():
            out.insert(path + (element,))
            _collect(item, item_node, path + (element,), out, strict)
    elif path:
        out.insert(path)


# -- what changed between two objects ------------------------------------------

@dataclass
class Comparison:
    added: FieldSet
    modified: FieldSet
    removed: FieldSet

    def changed(self) -> FieldSet:
        return self.added.union(self.modified)


_ABSENT = object()


def compare(old: Any, new: Any, node: dict | None) -> Comparison:
    """Fields added, modified (leaves and atomics only) and removed from old to new.
    A container that appears or disappears is itself added or removed, as are all its
    contents; a field present with null is present."""
    result = Comparison(FieldSet(), FieldSet(), FieldSet())
    _compare(old, new, node, (), result)
    return result


def _compare(old: Any, new: Any, node: dict | None, path: Path, out: Comparison) -> None:
    shape = shape_of(node, new if new is not _ABSENT and new is not None else
                     (old if old is not _ABSENT else None))
    if shape.kind == "scalar" or shape.atomic:
        if old is _ABSENT:
            out.added.insert(path)
        elif new is _ABSENT:
            out.removed.insert(path)
        elif not json_equal(old, new):
            out.modified.insert(path)
        return
    if path:
        if old is _ABSENT:
            out.added.insert(path)
        elif new is _ABSENT:
            out.removed.insert(path)
    old_v = None if old is _ABSENT else old
    new_v = None if new is _ABSENT else new
    if shape.kind == "list":
        old_items = index_items(shape, old_v if isinstance(old_v, list) else None, path)
        new_items = index_items(shape, new_v if isinstance(new_v, list) else None, path)
        child_node = item_schema(shape)
        for element in {**old_items, **new_items}:
            _compare(old_items.get(element, _ABSENT), new_items.get(element, _ABSENT),
                     child_node, path + (element,), out)
        return
    old_d = old_v if isinstance(old_v, dict) else {}
    new_d = new_v if isinstance(new_v, dict) else {}
    for name in {**old_d, **new_d}:
        _compare(old_d.get(name, _ABSENT), new_d.get(name, _ABSENT),
                 field_schema(shape, name, at_root=not path), path + (field_element(name),), out)


# -- merging a configuration into an object ------------------------------------

def merge(live: Any, config: Any, node: dict | None, path: Path = ()) -> Any:
    """`config` merged over `live`: config wins on leaves and atomics, granular maps and
    lists merge item by item. Neither input is modified."""
    shape = shape_of(node, config)
    if shape.kind == "scalar" or shape.atomic or config is None:
        return _copy(config)
    if shape.kind == "list":
        if not isinstance(live, list):
            live = []
        return _merge_list(shape, live, config, path)
    if not isinstance(live, dict):
        live = {}
    out = {k: _copy(v) for k, v in live.items()}
    for name, value in config.items():
        child_node = field_schema(shape, name, at_root=not path)
        out[name] = merge(live.get(name), value, child_node, path + (field_element(name),))
    return out


def _merge_list(shape: Shape, live: list, config: list, path: Path) -> list:
    """Items of both, keyed. Items only in live stay where they were; config's items
    fill the places of the shared ones, in config's order."""
    live_items = index_items(shape, live, path)
    config_items = index_items(shape, config, path)
    item_node = item_schema(shape)
    config_order = list(config_items)
    out: list = []
    next_config = 0

    def take(element: str) -> None:
        out.append(merge(live_items.get(element), config_items[element], item_node,
                         path + (element,)))

    for element in live_items:
        if element not in config_items:
            out.append(_copy(live_items[element]))
            continue
        # A shared item's place: config's items up to its next shared one go here.
        while next_config < len(config_order):
            candidate = config_order[next_config]
            next_config += 1
            take(candidate)
            if candidate in live_items:
                break
    for element in config_order[next_config:]:
        take(element)
    return out


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


# -- removing fields -------------------------------------------------------------

def remove_items(value: Any, remove: FieldSet, node: dict | None, path: Path = ()) -> Any:
    """A copy of `value` without the paths that are members of `remove` (each with all
    it holds)."""
    if remove.empty():
        return _copy(value)
    shape = shape_of(node, value)
    if shape.kind == "list" and isinstance(value, list) and not shape.atomic:
        out = []
        item_node = item_schema(shape)
        for index, item in enumerate(value):
            element = _item_element(shape, index, item, path)
            if element in remove.members:
                continue
            below = remove.children.get(element)
            out.append(remove_items(item, below, item_node, path + (element,))
                       if below else _copy(item))
        return out
    if shape.kind in ("struct", "map") and isinstance(value, dict) and not shape.atomic:
        out = {}
        for name, child in value.items():
            element = field_element(name)
            if element in remove.members:
                continue
            below = remove.children.get(element)
            out[name] = remove_items(child, below, field_schema(shape, name, not path),
                                     path + (element,)) if below else _copy(child)
        return out
    return _copy(value)


def ensure_named_fields_are_members(fields: FieldSet, node: dict | None,
                                    at_root: bool = True) -> FieldSet:
    """`fields` plus every struct field that has paths below it, so that removing such a
    field removes the struct too (upstream: EnsureNamedFieldsAreMembers)."""
    out = FieldSet()
    out.members = set(fields.members)
    shape = shape_of(node, None) if node is not None else Shape("map")
    for element, below in fields.children.items():
        if shape.kind == "list":
            child_node = item_schema(shape)
        else:
            name = element[2:]
            child_node = field_schema(shape, name, at_root) if element.startswith("f:") else None
            if shape.kind == "struct" and element.startswith("f:") and (
                    name in (shape.node.get("properties") or {})
                    or (at_root and name == "metadata")):
                out.members.add(element)
        out.children[element] = ensure_named_fields_are_members(below, child_node, False)
    return out
