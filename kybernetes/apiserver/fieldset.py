# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Sets of field paths, as server-side apply records them in `metadata.managedFields`.

A path is a tuple of path elements, each kept in its FieldsV1 spelling, because that
is both how the sets are stored and a unique, hashable identity:

    "f:replicas"                          a struct field or a map key
    'k:{"name":"nginx"}'                  an item of a list-map, by its key fields
    'v:"a"'                               an item of a set list, by its value
    "i:3"                                 an item of a list without keys, by position

A `FieldSet` is a tree: `members` are the elements whose path is in the set, and
`children` hold the sets below an element. A path can be both (FieldsV1 then writes
`".": {}` beside the children).
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

Path = tuple[str, ...]

_RANK = {"f": 0, "k": 1, "v": 2, "i": 3}


def element_order(element: str) -> tuple:
    """Sort key giving upstream's element order: fields, then keys, values, indexes."""
    kind, _, rest = element.partition(":")
    if kind == "i":
        return (3, int(rest), "")
    return (_RANK.get(kind, 4), 0, rest)


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def field_element(name: str) -> str:
    return "f:" + name


def key_element(keys: dict[str, Any]) -> str:
    return "k:" + _json(keys)


def value_element(value: Any) -> str:
    return "v:" + _json(value)


def index_element(index: int) -> str:
    return f"i:{index}"


def element_string(element: str) -> str:
    """How a conflict names an element: `.replicas`, `[name="nginx"]`, `[="a"]`, `[0]`."""
    kind, _, rest = element.partition(":")
    if kind == "f":
        return "." + rest
    if kind == "k":
        fields = orjson.loads(rest)
        return "[" + ",".join(f"{k}={_json(v)}" for k, v in fields.items()) + "]"
    if kind == "v":
        return "[=" + rest + "]"
    return "[" + rest + "]"


def path_string(path: Path) -> str:
    return "".join(element_string(e) for e in path)


class FieldSet:
    """A set of paths, stored as a tree. Operations return new sets."""

    __slots__ = ("members", "children")

    def __init__(self) -> None:
        self.members: set[str] = set()
        self.children: dict[str, FieldSet] = {}

    # -- building and querying ------------------------------------------------

    @classmethod
    def of(cls, *paths: Path) -> FieldSet:
        out = cls()
        for path in paths:
            out.insert(path)
        return out

    def insert(self, path: Path) -> None:
        node = self
        for element in path[:-1]:
            node = node.children.setdefault(element, FieldSet())
        if path:
            node.members.add(path[-1])

    def has(self, path: Path) -> bool:
        node = self
        for element in path[:-1]:
            node = node.children.get(element)
            if node is None:
                return False
        return bool(path) and path[-1] in node.members

    def child(self, element: str) -> FieldSet | None:
        return self.children.get(element)

    def empty(self) -> bool:
        return not self.members and all(c.empty() for c in self.children.values())

    def paths(self, prefix: Path = ()) -> Iterator[Path]:
        """Every path, in upstream's order: an element's members before its children."""
        for element in sorted(self.members, key=element_order):
            yield prefix + (element,)
        for element in sorted(self.children, key=element_order):
            yield from self.children[element].paths(prefix + (element,))

    def __len__(self) -> int:
        return len(self.members) + sum(len(c) for c in self.children.values())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FieldSet) and set(self.paths()) == set(other.paths())

    def __repr__(self) -> str:
        return f"FieldSet({[path_string(p) for p in self.paths()]})"

    def copy(self) -> FieldSet:
        out = FieldSet()
        out.members = set(self.members)
        out.children = {k: c.copy() for k, c in self.children.items()}
        return out

    # -- set algebra ----------------------------------------------------------

    def union(self, other: FieldSet) -> FieldSet:
        out = FieldSet()
        out.members = self.members | other.members
        for element in self.children.keys() | other.children.keys():
            mine, theirs = self.children.get(element), other.children.get(element)
            if mine is None:
                out.children[element] = theirs.copy()
            elif theirs is None:
                out.children[element] = mine.copy()
            else:
                out.children[element] = mine.union(theirs)
        return out._pruned()

    def intersection(self, other: FieldSet) -> FieldSet:
        out = FieldSet()
        out.members = self.members & other.members
        for element in self.children.keys() & other.children.keys():
            out.children[element] = self.children[element].intersection(other.children[element])
        return out._pruned()

    def difference(self, other: FieldSet) -> FieldSet:
        """Paths of self not in other (a path's descendants are judged on their own)."""
        out = FieldSet()
        out.members = self.members - other.members
        for element, mine in self.children.items():
            theirs = other.children.get(element)
            out.children[element] = mine.difference(theirs) if theirs else mine.copy()
        return out._pruned()

    def recursive_difference(self, other: FieldSet) -> FieldSet:
        """Paths of self that neither are in other nor lie below a path of other."""
        out = FieldSet()
        out.members = self.members - other.members
        for element, mine in self.children.items():
            if element in other.members:
                continue
            theirs = other.children.get(element)
            out.children[element] = mine.recursive_difference(theirs) if theirs else mine.copy()
        return out._pruned()

    def only_under(self, other: FieldSet) -> FieldSet:
        """Paths of self that are in other or lie below a path of other."""
        out = FieldSet()
        for element in self.members:
            if element in other.members:
                out.members.add(element)
        for element, mine in self.children.items():
            if element in other.members:
                out.children[element] = mine.copy()
            elif element in other.children:
                out.children[element] = mine.only_under(other.children[element])
        return out._pruned()

    def _pruned(self) -> FieldSet:
        self.children = {k: c for k, c in self.children.items() if not c.empty()}
        return self

    # -- FieldsV1 -------------------------------------------------------------

    def to_fields_v1(self) -> dict:
        out: dict = {}
        for element in sorted(self.members | self.children.keys(), key=element_order):
            below = self.children.get(element)
            node = below.to_fields_v1() if below is not None and not below.empty() else {}
            if element in self.members and node:
                node = {".": {}, **node}
            out[element] = node
        return out

    @classmethod
    def from_fields_v1(cls, fields: dict) -> FieldSet:
        """Read a FieldsV1 tree; raises ValueError on a malformed one."""
        if not isinstance(fields, dict):
            raise ValueError("FieldsV1 must be an object")
        out = cls()
        for element, below in fields.items():
            if element == ".":
                continue
            if element[:2] not in ("f:", "k:", "v:", "i:") or not isinstance(below, dict):
                raise ValueError(f"invalid FieldsV1 element {element!r}")
            if not below or "." in below:
                out.members.add(element)
            if any(k != "." for k in below):
                out.children[element] = cls.from_fields_v1(below)
        return out
