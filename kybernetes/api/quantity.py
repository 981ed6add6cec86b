# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Kubernetes resource quantities ("250m", "1Gi", "1e3"): parsing and the canonical form.

The API server stores and returns quantities in canonical form, so `cpu: 0.25` comes back
as `250m` and `memory: 1024Mi` as `1Gi`. A quantity keeps the format family it was written
in (binary suffixes, decimal suffixes, or an exponent); values finer than a nano-unit are
rounded up to one.
"""
from __future__ import annotations

import functools
import re
from fractions import Fraction

QUANTITY_PATTERN = r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
FORMAT_ERROR = ("quantities must match the regular expression "
                "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")

_QUANTITY_RE = re.compile(QUANTITY_PATTERN)
_NUMBER_RE = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")
_EXPONENT_RE = re.compile(r"^[eE][+-]?[0-9]+$")

BINARY_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
DECIMAL_SUFFIXES = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12,
                    "P": 15, "E": 18}
_DECIMAL_BY_EXPONENT = {exp: suffix for suffix, exp in DECIMAL_SUFFIXES.items()}
_BINARY_BY_SHIFT = {shift: suffix for suffix, shift in BINARY_SUFFIXES.items()}

BINARY_SI, DECIMAL_SI, DECIMAL_EXPONENT = "BinarySI", "DecimalSI", "DecimalExponent"
_NANO = Fraction(1, 10**9)


def _ceil_to_nano(value: Fraction) -> Fraction:
    """Round away from zero to a whole number of nano-units, as upstream does."""
    scaled = value / _NANO
    if scaled.denominator == 1:
        return value
    whole = -((-abs(scaled).numerator) // abs(scaled).denominator)
    return Fraction(whole if value > 0 else -whole) * _NANO


def parse_quantity_with_format(value: str | int | float) -> tuple[Fraction, str]:
    if isinstance(value, str):
        return _parse_text(value)
    return _parse_uncached(value)


@functools.lru_cache(maxsize=4096)
def _parse_text(value: str) -> tuple[Fraction, str]:
    # every pod repeats the same few quantities ("100m", "64Mi"): parse each once
    return _parse_uncached(value)


def _parse_uncached(value: str | int | float) -> tuple[Fraction, str]:
    """(amount, format) of a quantity; ValueError with upstream's message on a bad one."""
    if isinstance(value, bool):
        raise ValueError(FORMAT_ERROR)
    if isinstance(value, int):
        return Fraction(value), DECIMAL_SI
    if isinstance(value, float):
        value = repr(value)
        if "e" in value or "E" in value:
            return _ceil_to_nano(Fraction(value)), DECIMAL_EXPONENT
    if not isinstance(value, str):
        raise ValueError(FORMAT_ERROR)
    text = value.strip()
    match = _QUANTITY_RE.match(text)
    if not match:
        raise ValueError(FORMAT_ERROR)
    number, suffix = match.group(1), match.group(2)
    if not _NUMBER_RE.match(number):
        raise ValueError(FORMAT_ERROR)
    amount = Fraction(number)
    if suffix in BINARY_SUFFIXES:
        amount *= 2 ** BINARY_SUFFIXES[suffix]
        fmt = BINARY_SI
    elif suffix in DECIMAL_SUFFIXES:
        amount *= Fraction(10) ** DECIMAL_SUFFIXES[suffix]
        fmt = DECIMAL_SI
    elif _EXPONENT_RE.match(suffix):
        amount *= Fraction(10) ** int(suffix[1:])
        fmt = DECIMAL_EXPONENT
    else:
        raise ValueError("unable to parse quantity's suffix")
    return _ceil_to_nano(amount), fmt


def parse_quantity(value: str | int | float) -> Fraction:
    """The exact amount of a quantity: parse_quantity("250m") == Fraction(1, 4)."""
    return parse_quantity_with_format(value)[0]


def _decimal_parts(amount: Fraction) -> tuple[int, int]:
    """(mantissa, exponent) with exponent a multiple of 3, as large as keeps mantissa whole."""
    exponent = -9
    mantissa = int(amount / _NANO)  # amount is a whole number of nano-units
    while mantissa != 0 and mantissa % 1000 == 0 and exponent < 18:
        mantissa //= 1000
        exponent += 3
    if mantissa == 0:
        exponent = 0
    return mantissa, exponent


def format_quantity(amount: Fraction, fmt: str) -> str:
    """The canonical string of `amount` in format family `fmt`."""
    amount = _ceil_to_nano(Fraction(amount))
    if fmt == BINARY_SI and amount.denominator == 1 and abs(amount) >= 1024:
        number, shift = amount.numerator, 0
        while shift < 60 and number % 1024 == 0:
            number //= 1024
            shift += 10
        return f"{number}{_BINARY_BY_SHIFT.get(shift, '')}"
    mantissa, exponent = _decimal_parts(amount)
    if fmt == DECIMAL_EXPONENT:
        return str(mantissa) if exponent == 0 else f"{mantissa}e{exponent}"
    return f"{mantissa}{_DECIMAL_BY_EXPONENT[exponent]}"


def canonical_quantity(value: str | int | float) -> str:
    if isinstance(value, str):
        return _canonical_text(value)
    return _canonical_uncached(value)


@functools.lru_cache(maxsize=4096)
def _canonical_text(value: str) -> str:
    return _canonical_uncached(value)


def _canonical_uncached(value: str | int | float) -> str:
    """Upstream's canonical form: "0.25" -> "250m", "1000m" -> "1", "1024Mi" -> "1Gi"."""
    amount, fmt = parse_quantity_with_format(value)
    return format_quantity(amount, fmt)


def is_quantity(value) -> bool:
    try:
        parse_quantity(value)
    except ValueError:
        return False
    return True
