# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Server-side field validation (`fieldValidation=Strict|Warn`): the unknown and
duplicate fields kube-apiserver's strict decoder reports.

Paths are written as upstream's decoder writes them: fields joined with dots, list
items as `[i]`, map keys as fields (`spec.template.spec.containers[0].imagePullPolicyy`,
`metadata.labels.app`). Problems are reported in document order, each once, at most 100.

Works on both kinds of schema: built-in definitions (from `kybernetes.api.schema`, with
bare `$ref`s) and the `openAPIV3Schema` of a custom resource.
"""
from __future__ import annotations

import json

import orjson

from kybernetes.api import schema as k8s_schema

MAX_PROBLEMS = 100
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
# Strategic merge patch directives: keys of a patch body, never fields of the object.
DIRECTIVE_PREFIXES = ("$setElementOrder/", "$deleteFromPrimitiveList/")
DIRECTIVES = ("$patch", "$retainKeys")
ALWAYS_KNOWN = ("apiVersion", "kind", "metadata")


def _is_directive(key: str) -> bool:
    return key in DIRECTIVES or key.startswith(DIRECTIVE_PREFIXES)


def _accepts_anything(node: dict) -> bool:
    """An object schema with no declared fields (RawExtension, FieldsV1, JSON, Patch) or
    one that preserves unknown fields takes any content."""
    if node.get("x-kubernetes-preserve-unknown-fields"):
        return True
    return ("properties" not in node and "additionalProperties" not in node
            and "items" not in node)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def unknown_fields(obj: dict, schema: dict | None, *, skip_directives: bool = True) -> list[str]:
    """Paths of the fields of `obj` that `schema` does not declare.

    `schema` is a schema node (a built-in definition, `{"$ref": name}` or a CRD's
    openAPIV3Schema); None means nothing is checked. apiVersion, kind and metadata are
    always known at the top; a custom resource's metadata is checked against ObjectMeta.
    Strategic-merge directives are skipped unless `skip_directives` is false.
    """
    if schema is None or not isinstance(obj, dict):
        return []
    problems: list[str] = []
    seen: set[str] = set()

    def report(path: str) -> None:
        if path not in seen and len(problems) < MAX_PROBLEMS:
            seen.add(path)
            problems.append(path)

    def walk(value, node: dict | None, path: str, root: bool = False, embedded: bool = False):
        if node is None:
            return
        node = k8s_schema.resolve(node)
        if isinstance(value, dict):
            if _accepts_anything(node) and not (root or embedded):
                return
            props = node.get("properties") or {}
            extra = node.get("additionalProperties")
            preserve = node.get("x-kubernetes-preserve-unknown-fields")
            for key, child_value in value.items():
                if skip_directives and _is_directive(key):
                    continue
                child_path = _join(path, key)
                if (root or embedded) and key in ALWAYS_KNOWN:
                    if key == "metadata":
                        # a custom schema says little about metadata; upstream checks it
                        # as ObjectMeta all the same
                        walk(child_value, {"$ref": OBJECT_META}, child_path)
                    continue
                if key in props:
                    child = props[key]
                elif isinstance(extra, dict):
                    child = extra
                elif extra is True or preserve:
                    continue
                else:
                    report(child_path)
                    continue
                walk(child_value, child, child_path,
                     embedded=bool(k8s_schema.resolve(child).get(
                         "x-kubernetes-embedded-resource")))
        elif isinstance(value, list):
            item_schema = node.get("items")
            if not isinstance(item_schema, dict):
                return
            for index, item in enumerate(value):
                walk(item, item_schema, f"{path}[{index}]",
                     embedded=bool(k8s_schema.resolve(item_schema).get(
                         "x-kubernetes-embedded-resource")))

    walk(obj, schema, "", root=True)
    return problems


# ---------------------------------------------------------------- duplicate keys

class _Scanner:
    """A minimal JSON tokenizer that tracks the path of every object key, to find keys
    that appear twice in one object (a dict loses them). The body is assumed to be valid
    JSON already (it was parsed before)."""

    WHITESPACE = b" \t\r\n"

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.problems: list[str] = []
        self.seen: set[str] = set()

    def skip_ws(self) -> None:
        data, pos = self.data, self.pos
        while pos < len(data) and data[pos] in self.WHITESPACE:
            pos += 1
        self.pos = pos

    def string(self) -> str:
        """Read a string token starting at the opening quote; return it decoded."""
        data = self.data
        start = self.pos
        pos = start + 1
        escaped = False
        while True:
            c = data[pos]
            if c == 0x5C:  # backslash
                escaped = True
                pos += 2
                continue
            if c == 0x22:
                break
            pos += 1
        self.pos = pos + 1
        raw = data[start + 1:pos]
        if not escaped:
            return raw.decode("utf-8", "replace")
        return orjson.loads(data[start:pos + 1])

    def value(self, path: str) -> None:
        self.skip_ws()
        c = self.data[self.pos]
        if c == 0x7B:  # {
            self.object(path)
        elif c == 0x5B:  # [
            self.array(path)
        elif c == 0x22:
            self.string()
        else:
            data, pos = self.data, self.pos
            while pos < len(data) and data[pos] not in b",]} \t\r\n":
                pos += 1
            self.pos = pos

    def object(self, path: str) -> None:
        self.pos += 1
        keys: set[str] = set()
        while True:
            self.skip_ws()
            if self.data[self.pos] == 0x7D:  # }
                self.pos += 1
                return
            key = self.string()
            child = _join(path, key)
            if key in keys:
                if child not in self.seen and len(self.problems) < MAX_PROBLEMS:
                    self.seen.add(child)
                    self.problems.append(child)
            keys.add(key)
            self.skip_ws()
            self.pos += 1  # the colon
            self.value(child)
            self.skip_ws()
            if self.data[self.pos] == 0x2C:  # ,
                self.pos += 1

    def array(self, path: str) -> None:
        self.pos += 1
        index = 0
        while True:
            self.skip_ws()
            if self.data[self.pos] == 0x5D:  # ]
                self.pos += 1
                return
            self.value(f"{path}[{index}]")
            index += 1
            self.skip_ws()
            if self.data[self.pos] == 0x2C:
                self.pos += 1


class _Duplicate(Exception):
    pass


def _no_duplicates(pairs: list) -> dict:
    if len(pairs) != len({key for key, _ in pairs}):
        raise _Duplicate
    return {}


def _has_duplicate_keys(raw_json: bytes) -> bool:
    """A quick yes/no with the C JSON scanner; the tokenizer below finds the paths only
    for the rare body that has duplicates."""
    try:
        json.loads(raw_json, object_pairs_hook=_no_duplicates)
    except _Duplicate:
        return True
    except ValueError:
        return True  # let the tokenizer decide what it can read
    return False


def duplicate_fields(raw_json: bytes) -> list[str]:
    """Paths of keys repeated within one object of a JSON body (`metadata.name`).
    Invalid or non-object JSON yields no problems (the decoder reports those)."""
    if b'"' not in raw_json or not _has_duplicate_keys(raw_json):
        return []
    scanner = _Scanner(bytes(raw_json))
    try:
        scanner.value("")
    except (IndexError, ValueError):
        return scanner.problems
    return scanner.problems


# ---------------------------------------------------------------- messages

def problem_messages(unknown: list[str], duplicate: list[str] = ()) -> list[str]:
    """`unknown field "spec.foo"` / `duplicate field "metadata.name"`, duplicates first
    as upstream's decoder meets them no later than the unknown fields they hide."""
    return ([f'duplicate field "{p}"' for p in duplicate]
            + [f'unknown field "{p}"' for p in unknown])


def strict_error_message(kind: str, version: str, problems: list[str]) -> str:
    """The 400 message of a Strict request, `problems` being `problem_messages(...)`:
    `Deployment in version "v1" cannot be handled as a Deployment: strict decoding error:
    unknown field "spec.foo", unknown field "spec.bar"`."""
    return (f'{kind} in version "{version}" cannot be handled as a {kind}: '
            f'strict decoding error: {", ".join(problems)}')


def warning_headers(problems: list[str]) -> list[str]:
    """`Warning` header values for a Warn request: `299 - "unknown field \\"spec.foo\\""`."""
    out = []
    for problem in problems:
        escaped = problem.replace("\\", "\\\\").replace('"', '\\"')
        out.append(f'299 - "{escaped}"')
    return out
