# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Cell formatting shared by the table printers: ages, label selectors, container lists.

These reproduce what kube-apiserver 1.32 writes into Table cells, so that `kubectl get`
shows the same text against kybernetes as against a real cluster.
"""
from __future__ import annotations

import ipaddress
import re
from datetime import datetime, timezone
from decimal import ROUND_UP, Decimal, InvalidOperation

NONE = "<none>"
UNKNOWN = "<unknown>"
UNSET = "<unset>"


def human_duration(seconds: float) -> str:
    """Upstream's HumanDuration: about two significant figures (2s, 5m30s, 3h5m, 2d5h, 25d, 3y)."""
    whole_seconds = int(seconds)  # truncates toward zero, like Go's int()
    if whole_seconds < -1:
        # more than a second in the future: the clocks disagree
        return "<invalid>"
    if whole_seconds < 0:
        return "0s"
    if whole_seconds < 60 * 2:
        return f"{whole_seconds}s"
    minutes = whole_seconds // 60
    if minutes < 10:
        rest = whole_seconds % 60
        return f"{minutes}m" if rest == 0 else f"{minutes}m{rest}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = whole_seconds // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h" if rest == 0 else f"{hours}h{rest}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d" if rest == 0 else f"{hours // 24}d{rest}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        years = hours // 24 // 365
        return f"{years}y" if days == 0 else f"{years}y{days}d"
    return f"{hours // 24 // 365}y"


def parse_time(value: str | None) -> datetime | None:
    """An RFC 3339 timestamp (metav1.Time or MicroTime) as an aware datetime; None if absent."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    # Python before 3.11 accepts at most 6 fractional digits; trim longer fractions
    if "." in text:
        head, _, tail = text.partition(".")
        digits = ""
        while tail and tail[0].isdigit():
            digits, tail = digits + tail[0], tail[1:]
        text = f"{head}.{(digits + '000000')[:6]}{tail}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    if parsed.year <= 1:  # Go's zero time serialised
        return None
    return parsed


def aware(now: datetime) -> datetime:
    return now if now.tzinfo is not None else now.replace(tzinfo=timezone.utc)


def seconds_between(earlier: datetime, later: datetime) -> float:
    return (aware(later) - aware(earlier)).total_seconds()


def since(timestamp: str | None, now: datetime) -> str:
    """translateTimestampSince: the age of a timestamp, `<unknown>` when it is unset."""
    parsed = parse_time(timestamp)
    if parsed is None:
        return UNKNOWN
    return human_duration(seconds_between(parsed, now))


def age(obj: dict, now: datetime) -> str:
    return since(meta(obj).get("creationTimestamp"), now)


def meta(obj: dict) -> dict:
    return obj.get("metadata") or {}


def name_of(obj: dict) -> str:
    return meta(obj).get("name", "")


def dig(obj, *path, default=None):
    """obj[path[0]][path[1]]... with `default` where any step is missing or null."""
    for key in path:
        if not isinstance(obj, dict):
            return default
        obj = obj.get(key)
        if obj is None:
            return default
    return obj


def format_labels(labels: dict | None) -> str:
    """labels.FormatLabels: sorted k=v pairs, `<none>` when empty."""
    if not labels:
        return NONE
    return ",".join(f"{key}={labels[key]}" for key in sorted(labels))


def selector_string(selector: dict | None) -> str:
    """A LabelSelector in selector syntax (`app=web,tier in (a,b),!legacy`); "" for none."""
    if not selector:
        return ""
    requirements: list[tuple[str, str]] = []
    for key, value in (selector.get("matchLabels") or {}).items():
        requirements.append((key, f"{key}={value}"))
    for expression in selector.get("matchExpressions") or []:
        key = expression.get("key", "")
        operator = expression.get("operator", "")
        values = sorted(expression.get("values") or [])
        if operator == "In":
            requirements.append((key, f"{key} in ({','.join(values)})"))
        elif operator == "NotIn":
            requirements.append((key, f"{key} notin ({','.join(values)})"))
        elif operator == "Exists":
            requirements.append((key, key))
        elif operator == "DoesNotExist":
            requirements.append((key, f"!{key}"))
    requirements.sort(key=lambda requirement: requirement[0])
    return ",".join(text for _, text in requirements)


def format_label_selector(selector: dict | None) -> str:
    """metav1.FormatLabelSelector: the selector string, `<none>` when it selects by nothing."""
    return selector_string(selector) or NONE


def container_cells(containers: list[dict] | None) -> tuple[str, str]:
    """The Containers and Images cells: names and images joined by commas."""
    containers = containers or []
    return (",".join(c.get("name", "") for c in containers),
            ",".join(c.get("image", "") for c in containers))


def int_or_string(value) -> str:
    return str(value)


def join_host_port(host: str, port) -> str:
    """net.JoinHostPort: IPv6 addresses get brackets."""
    try:
        if isinstance(ipaddress.ip_address(host), ipaddress.IPv6Address):
            return f"[{host}]:{port}"
    except ValueError:
        if ":" in host:
            return f"[{host}]:{port}"
    return f"{host}:{port}"


def list_with_more(items: list[str], total: int, limit: int, empty: str = "<unset>") -> str:
    """Up to `limit` items joined by commas, then ` + N more...`, as upstream abbreviates."""
    text = ",".join(items[:limit])
    if total > limit:
        return f"{text} + {total - limit} more..."
    return text or empty


def bool_pointer(value) -> str:
    """printBoolPtr: True / False / <unset>."""
    if value is None:
        return UNSET
    return "True" if value else "False"


_QUANTITY = re.compile(r"([+-]?)(\d+(?:\.\d*)?|\.\d+)([a-zA-Z]*|[eE][+-]?\d+)")
_BINARY_SUFFIXES = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL_SUFFIXES = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12,
                     "P": 15, "E": 18}
_DECIMAL_BY_EXPONENT = {exponent: suffix for suffix, exponent in _DECIMAL_SUFFIXES.items()}
_NANO = Decimal("1e-9")


def quantity(value) -> str:
    """A resource.Quantity cell in canonical form, as Quantity.String() writes it:
    `1Gi` for 1024Mi, `500m` for 0.5, `1536Mi` for 1.5Gi. Unparseable text passes through."""
    if value is None or value == "":
        return "0"
    text = str(value).strip()
    match = _QUANTITY.fullmatch(text)
    if match is None:
        return text
    sign, number, suffix = match.groups()
    try:
        amount = Decimal(sign + number)
    except InvalidOperation:
        return text
    if suffix in _BINARY_SUFFIXES:
        style = "binary"
        amount *= Decimal(1024) ** _BINARY_SUFFIXES[suffix]
    elif suffix in _DECIMAL_SUFFIXES:
        style = "decimal"
        amount = amount.scaleb(_DECIMAL_SUFFIXES[suffix])
    elif suffix[:1] in ("e", "E"):
        style = "exponent"
        amount = amount.scaleb(int(suffix[1:]))
    else:
        return text
    # precision below nano units is rounded up (away from zero), as upstream parses
    amount = amount.quantize(_NANO, rounding=ROUND_UP)
    if amount == 0:
        return "0"
    if style == "binary" and (abs(amount) < 1024 or amount != amount.to_integral_value()):
        style = "decimal"  # small or fractional binary amounts print in decimal units
    if style == "binary":
        mantissa, power = int(amount), 0
        while power < 6 and mantissa % 1024 == 0:
            mantissa, power = mantissa // 1024, power + 1
        return f"{mantissa}{['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'][power]}"
    mantissa, exponent = int(amount.scaleb(9)), -9
    while exponent < 18 and mantissa % 1000 == 0:
        mantissa, exponent = mantissa // 1000, exponent + 3
    if style == "exponent":
        return f"{mantissa}e{exponent}" if exponent else str(mantissa)
    return f"{mantissa}{_DECIMAL_BY_EXPONENT[exponent]}"
