# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Strategic merge patch, as kube-apiserver 1.32 applies it (apimachinery strategicpatch).

A JSON merge patch that knows, from the schema's `x-kubernetes-patch-strategy` and
`x-kubernetes-patch-merge-key`, which lists merge: lists of objects by their merge key,
lists of scalars as unions. Directives the patch may carry:

- `$patch: replace|delete` in an object (replace it, empty it) or a list element
  (replace the whole list, delete the element with that merge key);
- `$retainKeys: [...]` in an object: drop every other key of the live object;
- `$setElementOrder/<list>: [...]`: the order of the resulting list;
- `$deleteFromPrimitiveList/<list>: [...]`: scalars to take out of a merged list.

Error texts are upstream's; codes follow what the apiserver answers: 400 for a malformed
directive, 422 for lists of lists, 500 where upstream passes a plain error through.
"""
from __future__ import annotations

from typing import Any

from kybernetes.api import schema as schemas
from kybernetes.apiserver.patch import PatchError, deep_copy

DIRECTIVE = "$patch"
RETAIN_KEYS = "$retainKeys"
DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList"
SET_ELEMENT_ORDER = "$setElementOrder"

_STRATEGY = "x-kubernetes-patch-strategy"
_MERGE_KEY = "x-kubernetes-patch-merge-key"

# The mergepatch package's sentinel errors and how the apiserver answers them.
_BAD_PRIMITIVE_LIST = ("invalid patch format of primitive list", 400)
_BAD_RETAIN_KEYS = ("invalid patch format of retainKeys", 400)
_BAD_SET_ELEMENT_ORDER = ("invalid patch format of setElementOrder list", 400)
_NO_LIST_OF_LISTS = ("lists of lists are not supported", 422)


def strategic_merge_patch(document: dict, patch: Any, schema: dict | None) -> dict:
    """Apply `patch` to `document` (both untouched); `schema` is the top-level
    definition's schema node, or None to merge with no list metadata."""
    if not isinstance(patch, dict):
        raise PatchError("json: cannot unmarshal %s into Go value of type "
                         "map[string]interface {}" % _json_type(patch), 400)
    result = _merge_map(deep_copy(document), deep_copy(patch), schema)
    _strip_directives(result)
    return result


# ---------------------------------------------------------------- schema lookups

def _field_meta(node: dict | None, key: str) -> tuple[dict | None, str, str]:
    """The schema of field `key` of object schema `node`, its patch strategy (without
    retainKeys, which only the client side uses) and its merge key."""
    if node is None:
        return None, "", ""
    prop = schemas.child(node, key)
    if prop is None:
        return None, "", ""
    resolved = schemas.resolve(prop)
    strategies = prop.get(_STRATEGY) or resolved.get(_STRATEGY) or ""
    merge_key = prop.get(_MERGE_KEY) or resolved.get(_MERGE_KEY) or ""
    others = [s for s in strategies.split(",") if s and s != "retainKeys"]
    if len(others) > 1:
        raise PatchError("unexpected patch strategy: [%s]" % " ".join(strategies.split(",")),
                         500)
    return prop, (others[0] if others else ""), merge_key


def _slice_meta(node: dict | None, key: str) -> tuple[dict | None, str, str]:
    """Like _field_meta, but the schema returned is the list's element schema."""
    prop, strategy, merge_key = _field_meta(node, key)
    return (schemas.items(prop) if prop is not None else None), strategy, merge_key


def _type_name(node: dict | None) -> str:
    if node is None:
        return ""
    if "$ref" in node:
        return node["$ref"].rsplit(".", 1)[-1]
    return str(schemas.resolve(node).get("type", ""))


# ---------------------------------------------------------------- maps

def _merge_map(original: dict | None, patch: dict, node: dict | None) -> dict:
    """Merge `patch` into `original` (mutating both) and return the result."""
    if DIRECTIVE in patch:
        return _map_directive(patch[DIRECTIVE], patch)
    if original is None:
        original = {}
    _apply_retain_keys(original, patch)
    _apply_element_orders(original, patch, node)

    for key, patch_value in list(patch.items()):
        is_delete_list = False
        if key.startswith(DELETE_FROM_PRIMITIVE_LIST):
            key = _directive_target(key, DELETE_FROM_PRIMITIVE_LIST)
            is_delete_list = True
        if patch_value is None:
            original.pop(key, None)
            continue
        if key not in original or original[key] is None:
            if not is_delete_list:
                _take_patch_value(original, key, patch_value)
            continue
        current = original[key]
        if _go_type(current) != _go_type(patch_value):
            if not is_delete_list:
                _take_patch_value(original, key, patch_value)
            continue
        if isinstance(current, dict):
            sub, strategy, _ = _field_meta(node, key)
            original[key] = (patch_value if strategy == "replace"
                             else _merge_map(current, patch_value, sub))
        elif isinstance(current, list):
            sub, strategy, merge_key = _slice_meta(node, key)
            if strategy == "merge" or is_delete_list:
                original[key] = _merge_slice(current, patch_value, sub, merge_key,
                                             is_delete_list)
            else:
                original[key] = patch_value
        else:
            _take_patch_value(original, key, patch_value)
    return original


def _map_directive(directive: Any, patch: dict) -> dict:
    if directive == "replace":
        del patch[DIRECTIVE]
        return patch
    if directive == "delete":
        return {}
    raise PatchError("unknown patch type: %s in map: %s" % (_go_s(directive), _go(patch)), 500)


def _take_patch_value(original: dict, key: str, value: Any) -> None:
    """A patch value with nothing to merge with: nulls and `$patch` objects dropped."""
    _discard_nulls(value)
    value, keep = _remove_directives(value)
    if keep:
        original[key] = value
    else:
        original.pop(key, None)


def _discard_nulls(value: Any) -> None:
    if isinstance(value, dict):
        for key in [k for k, v in value.items() if v is None]:
            del value[key]
        for item in value.values():
            _discard_nulls(item)
    elif isinstance(value, list):
        for item in value:
            _discard_nulls(item)


def _remove_directives(value: Any) -> tuple[Any, bool]:
    """Drop objects that carry `$patch` (returns keep=False for such a value)."""
    if isinstance(value, dict):
        if DIRECTIVE in value:
            return None, False
        for key in list(value):
            item, keep = _remove_directives(value[key])
            if keep:
                value[key] = item
            else:
                del value[key]
        return value, True
    if isinstance(value, list):
        kept = []
        for item in value:
            item, keep = _remove_directives(item)
            if keep:
                kept.append(item)
        return kept, True
    return value, True


def _directive_target(key: str, prefix: str) -> str:
    """`$setElementOrder/containers` -> `containers`."""
    head, sep, rest = key.partition("/")
    if not sep or head != prefix:
        if prefix == DELETE_FROM_PRIMITIVE_LIST:
            raise PatchError(*_BAD_PRIMITIVE_LIST)
        raise PatchError(*_BAD_SET_ELEMENT_ORDER)
    return rest


def _apply_retain_keys(original: dict, patch: dict) -> None:
    if RETAIN_KEYS not in patch:
        return
    retain = patch.pop(RETAIN_KEYS)
    if not isinstance(retain, list):
        raise PatchError(*_BAD_RETAIN_KEYS)
    for key, value in patch.items():
        if value is None or key.startswith((DELETE_FROM_PRIMITIVE_LIST, SET_ELEMENT_ORDER)):
            continue
        if key not in retain:
            raise PatchError(*_BAD_RETAIN_KEYS)
    for key in [k for k in original if k not in retain]:
        del original[key]


def _strip_directives(value: Any) -> None:
    """Remove directive keys that upstream leaves in its map (its conversion back to
    the typed object drops them), e.g. inside list elements that were appended."""
    if isinstance(value, dict):
        for key in [k for k in value if k.startswith("$") and _is_directive_key(k)]:
            del value[key]
        for item in value.values():
            _strip_directives(item)
    elif isinstance(value, list):
        for item in value:
            _strip_directives(item)


def _is_directive_key(key: str) -> bool:
    return (key in (DIRECTIVE, RETAIN_KEYS)
            or key.startswith((SET_ELEMENT_ORDER + "/", DELETE_FROM_PRIMITIVE_LIST + "/")))


# ---------------------------------------------------------------- $setElementOrder

def _apply_element_orders(original: dict, patch: dict, node: dict | None) -> None:
    """Merge each list named by a `$setElementOrder/<list>` directive, then put the
    result in the order the directive gives (live-only elements keep their place
    relative to the live list). Both the directive and the list leave the patch."""
    for directive_key in [k for k in patch if k.startswith(SET_ELEMENT_ORDER)]:
        order = patch.pop(directive_key)
        if not isinstance(order, list):
            raise PatchError(_bad_arg_type("[]interface {}", order), 500)
        key = _directive_target(directive_key, SET_ELEMENT_ORDER)
        found_original = original.get(key) is not None
        found_patch = key in patch and patch[key] is not None
        original_list = original.get(key) if found_original else []
        patch_list = patch.get(key) if found_patch else []
        if not isinstance(original_list, list):
            raise PatchError(_bad_arg_type("[]interface {}", original_list), 500)
        if not isinstance(patch_list, list):
            raise PatchError(_bad_arg_type("[]interface {}", patch_list), 500)
        sub, strategy, merge_key = _slice_meta(node, key)
        _check_order_matches_patch(patch_list, order, merge_key)

        if found_original and not found_patch:
            merged = original_list
        elif found_patch and not found_original:
            merged, _ = _remove_directives(patch_list)
        elif found_original and found_patch:
            merged = (_merge_slice(original_list, patch_list, sub, merge_key, False)
                      if strategy == "merge" else patch_list)
        else:
            continue

        if merge_key:
            in_order, server_only = _partition_maps(merged, order, merge_key)
        else:
            in_order, server_only = _partition_scalars(merged, order)
        kind = _element_type(original_list, patch_list)
        original[key] = _normalize_order(in_order, server_only, order, original_list,
                                         merge_key, kind)
        patch.pop(key, None)


def _check_order_matches_patch(patch_list: list, order: list, merge_key: str) -> None:
    """Every (non-delete) patch element must appear in the order list, in that order."""
    if not order or not patch_list:
        return
    items = _split_deletions(patch_list)[0] if merge_key else patch_list
    p = o = 0
    while p < len(items) and o < len(order):
        if isinstance(items[p], dict) and DIRECTIVE in items[p]:
            p += 1
            continue
        if _merge_key_equal(items[p], order[o], merge_key):
            p += 1
        o += 1
    if p < len(items) and o >= len(order):
        raise PatchError("The order in patch list:\n%s\n doesn't match %s list:\n%s\n"
                         % (_go(patch_list), SET_ELEMENT_ORDER, _go(order)), 500)


def _merge_key_equal(left: Any, right: Any, merge_key: str) -> bool:
    if not merge_key:
        return _same(left, right)
    for item in (left, right):
        if not isinstance(item, dict):
            raise PatchError(_bad_arg_type("map[string]interface {}", item), 500)
        if merge_key not in item:
            raise PatchError(_no_merge_key(item, merge_key), 500)
    return _same(left[merge_key], right[merge_key])


# ---------------------------------------------------------------- lists

def _merge_slice(original: list, patch: list, node: dict | None, merge_key: str,
                 is_delete_list: bool) -> list:
    if not original and not patch:
        return original
    kind = _element_type(original, patch)
    if kind != "map":
        if is_delete_list:
            return [v for v in original if not any(_same(v, d) for d in patch)]
        merged = _dedup(original + patch)
    else:
        if not merge_key:
            raise PatchError("cannot merge lists without merge key for %s"
                             % _type_name(node), 500)
        original, patch = _apply_element_directives(original, patch, merge_key)
        merged = _merge_by_key(original, patch, merge_key, node)
    if merge_key:
        in_patch, server_only = _partition_maps(merged, patch, merge_key)
    else:
        in_patch, server_only = _partition_scalars(merged, patch)
    return _normalize_order(in_patch, server_only, patch, original, merge_key, kind)


def _apply_element_directives(original: list, patch: list, merge_key: str
                              ) -> tuple[list, list]:
    """Handle `$patch` elements: delete by merge key, or replace the whole list.
    Returns the live list after deletions and the patch without directive elements."""
    plain = []
    replace = False
    for element in patch:
        if DIRECTIVE not in element:
            plain.append(element)
            continue
        directive = element[DIRECTIVE]
        if directive == "delete":
            if merge_key not in element:
                raise PatchError(_no_merge_key(element, merge_key), 500)
            value = element[merge_key]
            original = [e for e in original
                        if not (merge_key in e and _same(e[merge_key], value))]
        elif directive == "replace":
            replace = True  # keep going: other `$patch` elements are still checked
        elif directive == "merge":
            raise PatchError("merging lists cannot yet be specified in the patch", 500)
        else:
            raise PatchError("unknown patch type: %s in map: %s"
                             % (_go_s(directive), _go(element)), 500)
    if replace:
        return plain, []
    return original, plain


def _merge_by_key(original: list, patch: list, merge_key: str, node: dict | None) -> list:
    merged = list(original)
    for element in patch:
        if merge_key not in element:
            raise PatchError(_no_merge_key(element, merge_key), 500)
        index = _find_by_key(merged, merge_key, element[merge_key])
        if index is None:
            merged.append(element)
        else:
            merged[index] = _merge_map(merged[index], element, node)
    return merged


def _find_by_key(items: list, merge_key: str, value: Any) -> int | None:
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise PatchError("value for key %d is not a map" % index, 500)
        if merge_key in item and _same(item[merge_key], value):
            return index
    return None


def _partition_scalars(merged: list, by: list) -> tuple[list, list]:
    """(elements present in `by`, the others), each in `merged` order."""
    inside, outside = [], []
    for value in merged:
        (inside if any(_same(value, b) for b in by) else outside).append(value)
    return inside, outside


def _partition_maps(merged: list, by: list, merge_key: str) -> tuple[list, list]:
    inside, outside = [], []
    for value in merged:
        if not isinstance(value, dict):
            raise PatchError(_bad_arg_type("map[string]interface {}", value), 500)
        if merge_key not in value:
            raise PatchError(_no_merge_key(value, merge_key), 500)
        found = _find_by_key(by, merge_key, value[merge_key]) is not None
        (inside if found else outside).append(value)
    return inside, outside


def _split_deletions(items: list) -> tuple[list, list]:
    keep, delete = [], []
    for item in items:
        if not isinstance(item, dict):
            raise PatchError(_bad_arg_type("map[string]interface {}", item), 500)
        (delete if item.get(DIRECTIVE) == "delete" else keep).append(item)
    return keep, delete


def _index_in(items: list, value: Any, merge_key: str, kind: str) -> int:
    def key_of(item):
        if kind == "map":
            return item.get(merge_key) if isinstance(item, dict) else None
        return item
    wanted = key_of(value)
    for index, item in enumerate(items):
        if _same(key_of(item), wanted):
            return index
    return -1


def _sort_by(items: list, order: list, merge_key: str, kind: str) -> list:
    """Stable sort of `items` by position in `order`; `$patch: delete` items last."""
    deletions: list = []
    if kind == "map":
        for item in items + order:
            if not isinstance(item, dict):
                raise PatchError(_bad_arg_type("map[string]interface {}", item), 500)
            if merge_key not in item:
                raise PatchError(_no_merge_key(item, merge_key), 500)
        items, deletions = _split_deletions(items)

    def position(item):
        index = _index_in(order, item, merge_key, kind)
        return index if index >= 0 else len(order)
    return sorted(items, key=position) + deletions


def _normalize_order(patch_items: list, server_only: list, patch_order: list,
                     server_order: list, merge_key: str, kind: str) -> list:
    """Patch elements in patch order, live-only elements in live order, interleaved so
    that each live-only element stays before the patch elements that followed it."""
    right = _sort_by(patch_items, patch_order, merge_key, kind)
    left = _sort_by(server_only, server_order, merge_key, kind)
    out = []
    i = j = 0
    while i < len(left) or j < len(right):
        if i >= len(left):
            out.append(right[j])
            j += 1
        elif j >= len(right):
            out.append(left[i])
            i += 1
        else:
            li = _index_in(server_order, left[i], merge_key, kind)
            ri = _index_in(server_order, right[j], merge_key, kind)
            if li >= 0 and ri >= 0 and li < ri:
                out.append(left[i])
                i += 1
            else:
                out.append(right[j])
                j += 1
    return out


def _dedup(values: list) -> list:
    out: list = []
    for value in values:
        if not any(_same(value, seen) for seen in out):
            out.append(value)
    return out


def _element_type(*lists: list) -> str:
    """The one Go type of every element of `lists`; errors as upstream's sliceElementType."""
    found = None
    for values in lists:
        for value in values:
            current = _go_type(value)
            if found is None:
                found = current
                if current == "slice":
                    raise PatchError(*_NO_LIST_OF_LISTS)
            elif current != found:
                raise PatchError("list element types are not identical: %s"
                                 % _go(list(lists)), 500)
    if found is None:
        raise PatchError("no elements in any of the given slices", 500)
    return found


# ---------------------------------------------------------------- Go's view of values

def _go_type(value: Any) -> str:
    if isinstance(value, dict):
        return "map"
    if isinstance(value, list):
        return "slice"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if value is None:
        return "nil"
    return "string"


def _same(a: Any, b: Any) -> bool:
    """Go's == on decoded JSON scalars: equal type and value."""
    return _go_type(a) == _go_type(b) and a == b


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return "string"


def _go(value: Any) -> str:
    """Go's %v of a decoded JSON value (map keys sorted), for error messages."""
    if isinstance(value, dict):
        return "map[" + " ".join("%s:%s" % (k, _go(value[k])) for k in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(_go(v) for v in value) + "]"
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return str(value)


def _go_s(value: Any) -> str:
    """Go's %s: strings as they are, anything else flagged."""
    if isinstance(value, str):
        return value
    names = {"map": "map[string]interface {}", "slice": "[]interface {}", "nil": "<nil>"}
    kind = _go_type(value)
    return "%%!s(%s=%s)" % (names.get(kind, kind), _go(value))


def _bad_arg_type(expected: str, actual: Any) -> str:
    names = {"map": "map[string]interface {}", "slice": "[]interface {}", "nil": "<nil>"}
    kind = _go_type(actual)
    return "expected a %s, but received a %s" % (expected, names.get(kind, kind))


def _no_merge_key(item: Any, merge_key: str) -> str:
    return "map: %s does not contain declared merge key: %s" % (_go(item), merge_key)
