# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Field errors as the API server reports them: a `Cause` per problem.

A cause is the dict that goes into a Status's `details.causes`:
`{"reason": "FieldValueInvalid", "message": "Invalid value: -1: must be ...", "field": "spec.replicas"}`.
`message` is the body of upstream's field error (type, Go-formatted value, detail), so
the Status message built from causes matches a real cluster's byte for byte.
"""
from __future__ import annotations

Cause = dict

REQUIRED = "FieldValueRequired"
INVALID = "FieldValueInvalid"
NOT_SUPPORTED = "FieldValueNotSupported"
DUPLICATE = "FieldValueDuplicate"
FORBIDDEN = "FieldValueForbidden"
TOO_LONG = "FieldValueTooLong"
TOO_MANY = "FieldValueTooMany"
NOT_FOUND = "FieldValueNotFound"
TYPE_INVALID = "FieldValueTypeInvalid"

_TITLES = {
    REQUIRED: "Required value", INVALID: "Invalid value", NOT_SUPPORTED: "Unsupported value",
    DUPLICATE: "Duplicate value", FORBIDDEN: "Forbidden", TOO_LONG: "Too long",
    TOO_MANY: "Too many", NOT_FOUND: "Not found", TYPE_INVALID: "Invalid value",
}
_OMIT = object()


def go_quote(text: str) -> str:
    """Go's strconv.Quote: printable characters kept, the rest escaped."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif not ch.isprintable():
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


class GoValue:
    """A value whose Go `%#v` rendering is given verbatim (structs, typed maps)."""

    def __init__(self, rendering: str) -> None:
        self.rendering = rendering


def go_repr(value) -> str:
    """Go's `%#v` for the JSON-shaped values validation reports."""
    if isinstance(value, GoValue):
        return value.rendering
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return go_quote(value)
    if isinstance(value, dict):
        if all(isinstance(v, str) for v in value.values()):
            body = ", ".join(f"{go_quote(k)}:{go_quote(v)}" for k, v in sorted(value.items()))
            return "map[string]string{" + body + "}"
        body = ", ".join(f"{go_quote(k)}:{go_repr(v)}" for k, v in sorted(value.items()))
        return "map[string]interface {}{" + body + "}"
    if isinstance(value, list):
        if all(isinstance(v, str) for v in value):
            return "[]string{" + ", ".join(go_quote(v) for v in value) + "}"
        return "[]interface {}{" + ", ".join(go_repr(v) for v in value) + "}"
    return str(value)


def _value_text(value) -> str:
    """How upstream's ErrorBody prints a bad value: %v for numbers and bools, %q for strings."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return go_quote(value)
    return go_repr(value)


def _cause(reason: str, path: str, value, detail: str) -> Cause:
    if reason in (REQUIRED, FORBIDDEN, TOO_LONG) or value is _OMIT:
        body = _TITLES[reason]
    else:
        body = f"{_TITLES[reason]}: {_value_text(value)}"
    if detail:
        body += f": {detail}"
    return {"reason": reason, "message": body, "field": path}


def required(path: str, detail: str = "") -> Cause:
    return _cause(REQUIRED, path, "", detail)


def invalid(path: str, value, detail: str = "") -> Cause:
    return _cause(INVALID, path, value, detail)


def type_invalid(path: str, value, detail: str = "") -> Cause:
    return _cause(TYPE_INVALID, path, value, detail)


def not_supported(path: str, value, valid: list[str] | tuple[str, ...]) -> Cause:
    detail = ("supported values: " + ", ".join(go_quote(str(v)) for v in valid)) if valid else ""
    return _cause(NOT_SUPPORTED, path, value, detail)


def duplicate(path: str, value) -> Cause:
    return _cause(DUPLICATE, path, value, "")


def not_found(path: str, value) -> Cause:
    return _cause(NOT_FOUND, path, value, "")


def forbidden(path: str, detail: str) -> Cause:
    return _cause(FORBIDDEN, path, "", detail)


def too_long(path: str, max_length: int) -> Cause:
    detail = f"may not be more than {max_length} bytes" if max_length >= 0 else "value is too long"
    return _cause(TOO_LONG, path, "", detail)


def too_many(path: str, actual: int, maximum: int) -> Cause:
    detail = f"must have at most {maximum} items" if maximum >= 0 else "has too many items"
    return _cause(TOO_MANY, path, actual if actual >= 0 else _OMIT, detail)


def immutable(path: str, value) -> Cause:
    return invalid(path, value, "field is immutable")


def error_text(cause: Cause) -> str:
    """Upstream's field.Error.Error(): `<field>: <message>`."""
    return f"{cause['field']}: {cause['message']}"


def aggregate_text(causes: list[Cause]) -> str:
    """Upstream's aggregate of field errors: one message, or `[a, b]`, duplicates dropped."""
    seen: list[str] = []
    for cause in causes:
        text = error_text(cause)
        if text not in seen:
            seen.append(text)
    if len(seen) == 1:
        return seen[0]
    return "[" + ", ".join(seen) + "]"


def join(path: str, child: str) -> str:
    return f"{path}.{child}" if path else child


def index(path: str, i: int) -> str:
    return f"{path}[{i}]"


def key(path: str, k: str) -> str:
    return f"{path}[{k}]"
