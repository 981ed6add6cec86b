# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Tables for custom resources, from a CRD version's additionalPrinterColumns, and the
apiserver's default table (Name, Created At) for kinds without a printer."""
from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from decimal import Decimal
from typing import Callable

from . import jsonpath
from .columns import AGE_DESCRIPTION, column, name_column
from .formatting import human_duration, name_of, parse_time, seconds_between

DEFAULT_COLUMNS = [
    name_column(),
    column("Created At", "date", AGE_DESCRIPTION),
]

# served when a CRD version declares no printer columns at all
DEFAULT_CRD_COLUMNS = [{"name": "Age", "type": "date", "description": AGE_DESCRIPTION,
                        "jsonPath": ".metadata.creationTimestamp"}]


def default_cells(obj: dict, now: datetime) -> list:
    """The default convertor's cells: the name and the creation time in RFC 3339, UTC."""
    created = parse_time((obj.get("metadata") or {}).get("creationTimestamp"))
    if created is None:
        return [name_of(obj), "0001-01-01T00:00:00Z"]
    return [name_of(obj), created.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")]


def go_float(value: float) -> str:
    """A float as Go's %v prints it (shortest digits, exponent from e+06 or below e-05)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1, value) < 0 else "0"
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    text = "".join(map(str, digits))
    decimal_point = len(text) + exponent  # position of the point within the digits
    exp = decimal_point - 1
    prefix = "-" if sign else ""
    if exp < -4 or exp >= 6:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{prefix}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if decimal_point <= 0:
        return f"{prefix}0.{'0' * -decimal_point}{text}"
    if decimal_point >= len(text):
        return prefix + text + "0" * (decimal_point - len(text))
    return f"{prefix}{text[:decimal_point]}.{text[decimal_point:]}"


def _go_text(value) -> str | None:
    """How the JSONPath printer writes one value: maps and lists as compact JSON."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return str(value)


def _typed_cell(column_type: str, value, now: datetime):
    """cellForJSONValue: a value of the column's type, None when it does not fit."""
    if value is None:
        return None
    if column_type == "string":
        return _go_text(value)
    if isinstance(value, bool):
        return value if column_type == "boolean" else None
    if column_type == "integer" and isinstance(value, (int, float)):
        return int(value)
    if column_type == "number" and isinstance(value, (int, float)):
        return float(value)
    if column_type == "date" and isinstance(value, str):
        if value in ("", "null"):
            return "<unknown>"
        timestamp = parse_time(value)
        if timestamp is None:
            return "<invalid>"
        return human_duration(seconds_between(timestamp, now))
    return None


RowFunction = Callable[[dict, datetime], list]


def custom_columns(printer_columns: list[dict]) -> tuple[list[dict], RowFunction]:
    """Columns and a row function for a CRD version's additionalPrinterColumns.

    Name comes first; a version without any columns gets an Age column, as upstream
    serves it. A path that finds nothing gives a null cell, which kubectl shows as <none>.
    """
    definitions = printer_columns or DEFAULT_CRD_COLUMNS
    columns = [name_column()]
    paths = []
    for definition in definitions:
        path = definition.get("jsonPath", "")
        columns.append(column(
            definition.get("name", ""), definition.get("type", "string"),
            definition.get("description") or
            f"Custom resource definition column (in JSONPath format): {path}",
            int(definition.get("priority") or 0), definition.get("format", "")))
        paths.append(jsonpath.parse(path))
    types = [c["type"] for c in columns[1:]]

    def cells(obj: dict, now: datetime) -> list:
        row = [name_of(obj)]
        for steps, column_type in zip(paths, types):
            found = jsonpath.find(steps, obj)
            row.append(_typed_cell(column_type, found[0], now) if found else None)
        return row

    return columns, cells
