# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Quantity parsing and canonical forms, checked against upstream's documented results."""
from fractions import Fraction

import pytest

from kybernetes.api.quantity import FORMAT_ERROR, canonical_quantity, parse_quantity


@pytest.mark.parametrize("text,expected", [
    ("250m", "250m"), ("0.25", "250m"), (0.25, "250m"), ("1000m", "1"), ("1", "1"),
    ("1024Mi", "1Gi"), ("0.5Gi", "512Mi"), ("1.5Gi", "1536Mi"), ("123Mi", "123Mi"),
    ("128974848", "128974848"), ("129M", "129M"), ("2000", "2k"), ("1500", "1500"),
    ("1.5", "1500m"), ("0.1", "100m"), ("100Ki", "100Ki"), ("1Ki", "1Ki"), ("1023Ki", "1023Ki"),
    ("1e3", "1e3"), ("12e6", "12e6"), ("1E", "1E"), ("0", "0"), ("-1", "-1"), (1, "1"),
    (2, "2"), ("1e-10", "1e-9"), ("0.0000000001", "1n"), ("512", "512"), ("1024", "1024"),
    ("2048", "2048"), ("2Ki", "2Ki"), ("5.5E", "5500P"), ("100m", "100m"), ("0.5", "500m"), ("3.25G", "3250M"),
])
def test_canonical_forms(text, expected):
    assert canonical_quantity(text) == expected


@pytest.mark.parametrize("text,value", [
    ("250m", Fraction(1, 4)), ("1Gi", 2**30), ("1e3", 1000), ("129M", 129_000_000),
    ("+5", 5), (".5", Fraction(1, 2)), ("1n", Fraction(1, 10**9)),
])
def test_parse_values(text, value):
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", ["", "abc", "1Gb", "1..2", "1.2.3", "Mi", "1 Gi", "1i", True])
def test_bad_quantities(text):
    with pytest.raises(ValueError):
        parse_quantity(text)


def test_error_message_names_the_pattern():
    with pytest.raises(ValueError) as err:
        parse_quantity("x")
    assert str(err.value) == FORMAT_ERROR
