# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The three classic PATCH formats, applied as kube-apiserver 1.32 applies them.

- `json_patch`: RFC 6902 (`application/json-patch+json`), with the behaviour of the
  evanphx/json-patch v4 library upstream uses: negative array indices count from the
  end, `replace` of a missing object key adds it, `copy` from a missing key copies null.
- `merge_patch`: RFC 7386 (`application/merge-patch+json`).
- `strategic_merge_patch`: Kubernetes' strategic merge (`application/strategic-merge-patch+json`),
  implemented in `strategicpatch`.

Every function returns a new document and leaves its inputs untouched. Failures raise
`PatchError`; `PatchError.status()` is the Status object upstream answers with (its
message differs from `PatchError.message` where upstream hides the detail).
"""
from __future__ import annotations

import json
import re
from typing import Any

# Upstream refuses longer JSON patches with 413 (apiserver handlers/patch.go).
MAX_JSON_PATCH_OPERATIONS = 10000


class PatchError(Exception):
    """A patch that cannot be applied: `code` is the HTTP status upstream answers with
    (400 malformed patch, 422 patch that does not apply, 413 too many operations,
    500 where upstream passes a plain error through), `message` the error's text."""

    def __init__(self, message: str, code: int = 422):
        super().__init__(message)
        self.message = message
        self.code = code

    def status(self) -> dict:
        """The `Status` object kube-apiserver 1.32 returns for this error."""
        out: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {},
                               "status": "Failure"}
        if self.code == 400:
            out.update(message=self.message, reason="BadRequest")
        elif self.code == 413:
            out.update(message="Request entity too large: " + self.message,
                       reason="RequestEntityTooLarge")
        elif self.code == 422:
            # NewGenericServerResponse without causes: the detail is not sent.
            out.update(message="the server rejected our request due to an error in our request",
                       reason="Invalid", details={})
        else:
            out["message"] = self.message
        out["code"] = self.code
        return out


def deep_copy(value: Any) -> Any:
    """A copy of a JSON value sharing nothing with it."""
    if isinstance(value, dict):
        return {k: deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [deep_copy(v) for v in value]
    return value


def json_equal(a: Any, b: Any) -> bool:
    """JSON equality: booleans are not numbers, objects compare by keys and values."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict):
        return (isinstance(b, dict) and a.keys() == b.keys()
                and all(json_equal(v, b[k]) for k, v in a.items()))
    if isinstance(a, list):
        return (isinstance(b, list) and len(a) == len(b)
                and all(json_equal(x, y) for x, y in zip(a, b)))
    if isinstance(a, (int, float)):
        return isinstance(b, (int, float)) and a == b
    return type(a) is type(b) and a == b


def go_json_type(value: Any) -> str:
    """How Go's json package names a JSON value's type in unmarshal errors."""
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return "string"


# ---------------------------------------------------------------- RFC 7386

def merge_patch(document: dict, patch: Any) -> dict:
    """Apply a JSON merge patch (RFC 7386): objects merge recursively, null deletes,
    anything else replaces."""
    if patch is None or not isinstance(patch, (dict, list)):
        raise PatchError("Invalid JSON Patch", 400)
    if not isinstance(patch, dict):
        # RFC 7386 makes the array the whole document, which is no Kubernetes object.
        raise PatchError(
            "couldn't get version/kind; json parse error: json: cannot unmarshal "
            "array into Go value of type struct", 422)
    result = deep_copy(document)
    _merge_object(result, deep_copy(patch))
    return result


def _merge_object(target: dict, patch: dict) -> None:
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
            continue
        current = target.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            _merge_object(current, value)
        elif isinstance(current, dict):
            target[key] = value  # not merged: taken as is, as upstream does
        else:
            target[key] = _prune_nulls(value)


def _prune_nulls(value: Any) -> Any:
    # Nulls inside a value that replaces (or creates) a field are dropped from its
    # objects; null array elements stay, as in json-patch v4.
    if isinstance(value, dict):
        return {k: _prune_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_prune_nulls(v) if v is not None else None for v in value]
    return value


# ---------------------------------------------------------------- RFC 6902

_MISSING = "missing value"
_INVALID_INDEX = "invalid index referenced"
_GO_INT = re.compile(r"[+-]?[0-9]+\Z")


class _OpFailed(Exception):
    """An error inside one operation; its text becomes the PatchError message."""


def json_patch(document: dict, operations: Any) -> dict:
    """Apply a JSON patch (RFC 6902): add, remove, replace, move, copy, test."""
    if operations is None:
        operations = []
    if not isinstance(operations, list):
        raise PatchError("json: cannot unmarshal %s into Go value of type jsonpatch.Patch"
                         % go_json_type(operations), 400)
    for op in operations:
        if op is not None and not isinstance(op, dict):
            raise PatchError("json: cannot unmarshal %s into Go value of type "
                             "jsonpatch.Operation" % go_json_type(op), 400)
    if len(operations) > MAX_JSON_PATCH_OPERATIONS:
        raise PatchError("The allowed maximum operations in a JSON patch is %d, got %d"
                         % (MAX_JSON_PATCH_OPERATIONS, len(operations)), 413)
    root = [deep_copy(document)]  # a box, so that `replace ""` can swap the document
    try:
        for op in operations:
            op = op or {}
            kind = op.get("op")
            handler = _OPERATIONS.get(kind) if isinstance(kind, str) else None
            if handler is None:
                raise _OpFailed("Unexpected kind: %s" % (kind if isinstance(kind, str)
                                                          else "unknown"))
            handler(root, op)
    except _OpFailed as err:
        raise PatchError(str(err), 422) from None
    if not isinstance(root[0], dict):
        raise PatchError("the patched document is not a JSON object", 422)
    return root[0]


def _string_field(op: dict, field: str) -> str:
    """Read `path`/`from`; raises _FieldError with the library's inner message."""
    value = op.get(field)
    if value is None:
        if field == "path":
            raise _FieldError("operation missing path field: " + _MISSING)
        raise _FieldError("operation, missing from field: " + _MISSING)
    if not isinstance(value, str):
        raise _FieldError("json: cannot unmarshal %s into Go value of type string"
                          % go_json_type(value))
    return value


class _FieldError(Exception):
    pass


def _unescape(token: str) -> str:
    # RFC 6901: "~1" then "~0", in one left-to-right pass.
    return re.sub(r"~[01]", lambda m: "/" if m.group() == "~1" else "~", token)


def _find_container(root: list, path: str) -> tuple[Any, str]:
    """The object or array holding the last token of `path`, and that token;
    (None, "") when an intermediate step is missing or not a container."""
    parts = path.split("/")
    if len(parts) < 2:
        return None, ""
    node = root[0]
    for part in parts[1:-1]:
        try:
            node = _get(node, _unescape(part))
        except _OpFailed:
            return None, ""
        if not isinstance(node, (dict, list)):
            return None, ""
    return node, _unescape(parts[-1])


def _atoi(key: str) -> int:
    if not _GO_INT.match(key):
        raise _OpFailed('strconv.Atoi: parsing %s: invalid syntax' % json.dumps(key))
    return int(key)


def _invalid_index(idx: int) -> _OpFailed:
    return _OpFailed("Unable to access invalid index: %d: %s" % (idx, _INVALID_INDEX))


def _get(container: Any, key: str) -> Any:
    if isinstance(container, dict):
        return container.get(key)
    idx = _atoi(key)
    if idx < 0:
        if idx < -len(container):
            raise _invalid_index(idx)
        idx += len(container)
    if idx >= len(container):
        raise _invalid_index(idx)
    return container[idx]


def _add(container: Any, key: str, value: Any) -> None:
    if isinstance(container, dict):
        container[key] = value
        return
    if key == "-":
        container.append(value)
        return
    try:
        idx = _atoi(key)
    except _OpFailed as err:
        raise _OpFailed("value was not a proper array index: '%s': %s" % (key, err)) from None
    size = len(container) + 1
    if idx >= size:
        raise _invalid_index(idx)
    if idx < 0:
        if idx < -size:
            raise _invalid_index(idx)
        idx += size
    container.insert(idx, value)


def _remove(container: Any, key: str) -> None:
    if isinstance(container, dict):
        if key not in container:
            raise _OpFailed("Unable to remove nonexistent key: %s: %s" % (key, _MISSING))
        del container[key]
        return
    idx = _atoi(key)
    if idx >= len(container):
        raise _invalid_index(idx)
    if idx < 0:
        if idx < -len(container):
            raise _invalid_index(idx)
        idx += len(container)
    del container[idx]


def _set(container: Any, key: str, value: Any) -> None:
    if isinstance(container, dict):
        container[key] = value
        return
    idx = _atoi(key)
    if idx < 0:
        if idx < -len(container):
            raise _invalid_index(idx)
        idx += len(container)
    container[idx] = value


def _op_add(root: list, op: dict) -> None:
    try:
        path = _string_field(op, "path")
    except _FieldError:
        raise _OpFailed("add operation failed to decode path: " + _MISSING) from None
    container, key = _find_container(root, path)
    if container is None:
        raise _OpFailed('add operation does not apply: doc is missing path: "%s": %s'
                        % (path, _MISSING))
    try:
        _add(container, key, deep_copy(op.get("value")))
    except _OpFailed as err:
        raise _OpFailed("error in add for path: '%s': %s" % (path, err)) from None


def _op_remove(root: list, op: dict) -> None:
    try:
        path = _string_field(op, "path")
    except _FieldError:
        raise _OpFailed("remove operation failed to decode path: " + _MISSING) from None
    container, key = _find_container(root, path)
    if container is None:
        raise _OpFailed('remove operation does not apply: doc is missing path: "%s": %s'
                        % (path, _MISSING))
    try:
        _remove(container, key)
    except _OpFailed as err:
        raise _OpFailed("error in remove for path: '%s': %s" % (path, err)) from None


def _op_replace(root: list, op: dict) -> None:
    try:
        path = _string_field(op, "path")
    except _FieldError as err:
        raise _OpFailed("replace operation failed to decode path: %s" % err) from None
    value = deep_copy(op.get("value"))
    if path == "":
        # The library swaps in an object or array and silently ignores anything else.
        if isinstance(value, (dict, list)):
            root[0] = value
        return
    container, key = _find_container(root, path)
    if container is None:
        raise _OpFailed("replace operation does not apply: doc is missing path: %s: %s"
                        % (path, _MISSING))
    try:
        _get(container, key)
    except _OpFailed:
        raise _OpFailed("replace operation does not apply: doc is missing key: %s: %s"
                        % (path, _MISSING)) from None
    try:
        _set(container, key, value)
    except _OpFailed as err:
        raise _OpFailed("error in remove for path: '%s': %s" % (path, err)) from None


def _op_move(root: list, op: dict) -> None:
    try:
        source = _string_field(op, "from")
    except _FieldError as err:
        raise _OpFailed("move operation failed to decode from: %s" % err) from None
    container, key = _find_container(root, source)
    if container is None:
        raise _OpFailed("move operation does not apply: doc is missing from path: %s: %s"
                        % (source, _MISSING))
    try:
        value = _get(container, key)
        _remove(container, key)
    except _OpFailed as err:
        raise _OpFailed("error in move for path: '%s': %s" % (key, err)) from None
    try:
        path = _string_field(op, "path")
    except _FieldError as err:
        raise _OpFailed("move operation failed to decode path: %s" % err) from None
    container, key = _find_container(root, path)
    if container is None:
        raise _OpFailed("move operation does not apply: doc is missing destination path: "
                        "%s: %s" % (path, _MISSING))
    try:
        _add(container, key, value)
    except _OpFailed as err:
        raise _OpFailed("error in move for path: '%s': %s" % (path, err)) from None


def _op_copy(root: list, op: dict) -> None:
    try:
        source = _string_field(op, "from")
    except _FieldError as err:
        raise _OpFailed("copy operation failed to decode from: %s" % err) from None
    container, key = _find_container(root, source)
    if container is None:
        raise _OpFailed("copy operation does not apply: doc is missing from path: %s: %s"
                        % (source, _MISSING))
    try:
        value = _get(container, key)
    except _OpFailed as err:
        raise _OpFailed("error in copy for from: '%s': %s" % (source, err)) from None
    try:
        path = _string_field(op, "path")
    except _FieldError:
        raise _OpFailed("copy operation failed to decode path: " + _MISSING) from None
    container, key = _find_container(root, path)
    if container is None:
        raise _OpFailed("copy operation does not apply: doc is missing destination path: "
                        "%s: %s" % (path, _MISSING))
    try:
        _add(container, key, deep_copy(value))
    except _OpFailed as err:
        raise _OpFailed("error while adding value during copy: %s" % err) from None


def _op_test(root: list, op: dict) -> None:
    try:
        path = _string_field(op, "path")
    except _FieldError as err:
        raise _OpFailed("test operation failed to decode path: %s" % err) from None
    expected = op.get("value")
    failed = _OpFailed("testing value %s failed: test failed" % path)
    if path == "":
        if not json_equal(root[0], expected):
            raise failed
        return
    container, key = _find_container(root, path)
    if container is None:
        raise _OpFailed("test operation does not apply: is missing path: %s: %s"
                        % (path, _MISSING))
    try:
        actual = _get(container, key)
    except _OpFailed as err:
        raise _OpFailed("error in test for path: '%s': %s" % (path, err)) from None
    # A missing member and a null member both match an expected null.
    if actual is None or expected is None:
        if actual is not expected:
            raise failed
        return
    if not json_equal(actual, expected):
        raise failed


_OPERATIONS = {"add": _op_add, "remove": _op_remove, "replace": _op_replace,
               "move": _op_move, "copy": _op_copy, "test": _op_test}


# ---------------------------------------------------------------- strategic merge

def strategic_merge_patch(document: dict, patch: Any, schema: dict | None) -> dict:
    """Apply a strategic merge patch; `schema` is the schema node of the object's
    top-level definition (None: no patch metadata, so a plain merge)."""
    from kybernetes.apiserver import strategicpatch  # it imports PatchError from here

    return strategicpatch.strategic_merge_patch(document, patch, schema)
