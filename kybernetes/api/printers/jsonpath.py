# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The JSONPath subset CustomResourceDefinition printer columns use.

Supports what kubectl's JSONPath accepts in practice: `.a.b`, `['a.b']`, `[0]`, `[-1]`,
`[1:3]`, `[*]`, `.*`, `..name` (recursive descent) and filters such as
`[?(@.type=="Ready")]`, `[?(@.port>80)]` or `[?(@.ready)]`. Missing keys give no result
rather than an error, as the CRD table convertor asks.
"""
from __future__ import annotations

import re

_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?$")
_COMPARISONS = ("==", "!=", "<=", ">=", "<", ">")


class JSONPathError(ValueError):
    pass


def _read_field_name(path: str, position: int) -> tuple[str, int]:
    """A bare field name up to the next unescaped `.` or `[`; `\\.` keeps a dot."""
    name = []
    while position < len(path):
        char = path[position]
        if char == "\\" and position + 1 < len(path):
            name.append(path[position + 1])
            position += 2
            continue
        if char in ".[":
            break
        name.append(char)
        position += 1
    return "".join(name), position


def _matching_bracket(path: str, position: int) -> int:
    """Index of the `]` closing the `[` at `position`, skipping quoted text and nesting."""
    depth = 0
    quote = ""
    escaped = False
    for index in range(position, len(path)):
        char = path[index]
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return index
    raise JSONPathError(f"unclosed bracket in {path!r}")


def _unquote(text: str) -> str | None:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return None


def parse(path: str) -> list[tuple]:
    """Parse a path into steps: ("field", name), ("wildcard",), ("recursive",),
    ("index", i), ("slice", start, stop, step), ("keys", [names]), ("filter", expr)."""
    path = path.strip()
    if path.startswith("{") and path.endswith("}"):
        path = path[1:-1].strip()
    if path.startswith("$"):
        path = path[1:]
    steps: list[tuple] = []
    position = 0
    while position < len(path):
        char = path[position]
        if path.startswith("..", position):
            steps.append(("recursive",))
            position += 2
            if position < len(path) and path[position] not in "[":
                name, position = _read_field_name(path, position)
                steps.append(("wildcard",) if name == "*" else ("field", name))
        elif char == ".":
            name, position = _read_field_name(path, position + 1)
            if name == "*":
                steps.append(("wildcard",))
            elif name:
                steps.append(("field", name))
        elif char == "[":
            end = _matching_bracket(path, position)
            steps.append(_parse_bracket(path[position + 1:end].strip(), path))
            position = end + 1
        elif char.isspace():
            position += 1
        else:
            name, position = _read_field_name(path, position)
            steps.append(("field", name))
    return steps


def _parse_bracket(inner: str, path: str) -> tuple:
    if inner == "*":
        return ("wildcard",)
    if inner.startswith("?"):
        expression = inner[1:].strip()
        if expression.startswith("(") and expression.endswith(")"):
            expression = expression[1:-1]
        return ("filter", _parse_filter(expression.strip()))
    if ":" in inner and _unquote(inner) is None:
        parts = [p.strip() for p in inner.split(":")]
        try:
            numbers = [int(p) if p else None for p in parts]
        except ValueError:
            raise JSONPathError(f"bad slice [{inner}] in {path!r}") from None
        while len(numbers) < 3:
            numbers.append(None)
        return ("slice", *numbers[:3])
    keys = []
    for part in _split_union(inner):
        quoted = _unquote(part)
        if quoted is not None:
            keys.append(quoted)
            continue
        try:
            keys.append(int(part))
        except ValueError:
            raise JSONPathError(f"bad subscript [{inner}] in {path!r}") from None
    if len(keys) == 1 and isinstance(keys[0], int):
        return ("index", keys[0])
    return ("keys", keys)


def _split_union(inner: str) -> list[str]:
    parts, current, quote = [], "", ""
    for char in inner:
        if quote:
            current += char
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
            current += char
        elif char == ",":
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return parts


def _parse_operand(text: str):
    """("path", steps) for `@...`/`$...`, else ("literal", value)."""
    text = text.strip()
    if text.startswith("@"):
        return ("path", parse(text[1:]))
    if text.startswith("$"):
        return ("root", parse(text[1:]))
    quoted = _unquote(text)
    if quoted is not None:
        return ("literal", quoted)
    if text in ("true", "false"):
        return ("literal", text == "true")
    if _NUMBER.match(text):
        return ("literal", float(text) if any(c in text for c in ".eE") else int(text))
    return ("literal", text)


def _parse_filter(expression: str) -> tuple:
    quote = ""
    for index, char in enumerate(expression):
        if quote:
            if char == quote:
                quote = ""
            continue
        if char in "'\"":
            quote = char
            continue
        for operator in _COMPARISONS:
            if expression.startswith(operator, index):
                left = _parse_operand(expression[:index])
                right = _parse_operand(expression[index + len(operator):])
                return (operator, left, right)
    return ("exists", _parse_operand(expression), None)


def _children(value) -> list:
    if isinstance(value, dict):
        return [value[key] for key in sorted(value)]
    if isinstance(value, list):
        return list(value)
    return []


def _descendants(value) -> list:
    found = [value]
    for child in _children(value):
        found.extend(_descendants(child))
    return found


def _operand_values(operand: tuple, item, root) -> list:
    kind, payload = operand
    if kind == "literal":
        return [payload]
    return _evaluate(payload, item if kind == "path" else root, root)


def _compare(operator: str, left, right) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        if operator in ("==", "!="):
            return (left == right and type(left) is type(right)) == (operator == "==")
        return False
    if operator == "==":
        return left == right
    if operator == "!=":
        return left != right
    both_numbers = isinstance(left, (int, float)) and isinstance(right, (int, float))
    if not both_numbers and not (isinstance(left, str) and isinstance(right, str)):
        return False
    return {"<": left < right, ">": left > right, "<=": left <= right,
            ">=": left >= right}[operator]


def _passes(expression: tuple, item, root) -> bool:
    operator, left, right = expression
    left_values = _operand_values(left, item, root)
    if operator == "exists":
        return bool(left_values)
    right_values = _operand_values(right, item, root)
    if not left_values or not right_values:
        return False
    return _compare(operator, left_values[0], right_values[0])


def _evaluate(steps: list[tuple], value, root) -> list:
    current = [value]
    for step in steps:
        found: list = []
        kind = step[0]
        for node in current:
            if kind == "field":
                if isinstance(node, dict) and step[1] in node:
                    found.append(node[step[1]])
            elif kind == "wildcard":
                found.extend(_children(node))
            elif kind == "recursive":
                found.extend(_descendants(node))
            elif kind == "index":
                if isinstance(node, list) and -len(node) <= step[1] < len(node):
                    found.append(node[step[1]])
            elif kind == "slice":
                if isinstance(node, list):
                    found.extend(node[slice(step[1], step[2], step[3])])
            elif kind == "keys":
                for key in step[1]:
                    if isinstance(key, int) and isinstance(node, list) and \
                            -len(node) <= key < len(node):
                        found.append(node[key])
                    elif isinstance(node, dict) and key in node:
                        found.append(node[key])
            elif kind == "filter":
                candidates = node if isinstance(node, list) else (
                    list(node.values()) if isinstance(node, dict) else [])
                found.extend(item for item in candidates if _passes(step[1], item, root))
        current = found
    return current


def find(path: str | list[tuple], obj) -> list:
    """Every value `path` selects in `obj`, in document order."""
    steps = parse(path) if isinstance(path, str) else path
    return _evaluate(steps, obj, obj)
