# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""What the components' config files (`--config`: KubeletConfiguration,
KubeProxyConfiguration) share: reading the YAML, checking kind and apiVersion, typed
field access with upstream's json decoding messages, the strict-then-lenient decoding
warning, and the argparse plumbing that tells flags given on the command line from
defaults. Each component's own module knows its fields; this one knows none."""
from __future__ import annotations

import argparse
from typing import Iterable, Mapping

import yaml


class ConfigError(ValueError):
    """A config file a component cannot start with."""


# ---------------------------------------------------------------- typed fields
class FieldDecoder:
    """Field checks for one kind; a wrong type raises `error` worded as Go's json
    decoder words it ("cannot unmarshal string into Go struct field K.f of type int32")."""

    def __init__(self, kind: str, error: type[ConfigError] = ConfigError) -> None:
        self.kind = kind
        self.error = error

    def check(self, value: object, expected: str, ok: bool, path: str) -> None:
        if not ok:
            found = {bool: "bool", int: "number", float: "number", str: "string", list: "array",
                     dict: "object"}.get(type(value), "value")
            raise self.error(f"failed to decode: json: cannot unmarshal {found} into Go struct "
                             f"field {self.kind}.{path} of type {expected}")

    def string(self, value: object, path: str) -> str:
        self.check(value, "string", isinstance(value, str), path)
        return value

    def integer(self, value: object, path: str, go_type: str = "int32") -> int:
        self.check(value, go_type, isinstance(value, int) and not isinstance(value, bool), path)
        return value

    def boolean(self, value: object, path: str) -> bool:
        self.check(value, "bool", isinstance(value, bool), path)
        return value

    def number(self, value: object, path: str, go_type: str = "float32") -> float:
        self.check(value, go_type, isinstance(value, (int, float)) and not isinstance(value, bool), path)
        return float(value)

    def duration(self, value: object, path: str) -> str:
        """A metav1.Duration: a Go duration string, checked here, kept as written."""
        from kybernetes.kubelet.eviction import ThresholdError, parse_duration
        text = self.string(value, path)
        try:
            parse_duration(text)
        except ThresholdError:
            raise self.error(f'failed to decode: time: invalid duration "{text}"') from None
        return text

    def string_map(self, value: object, path: str) -> dict[str, str]:
        self.check(value, "map[string]string", isinstance(value, dict) and all(
            isinstance(v, str) for v in value.values()), path)
        return value

    def string_list(self, value: object, path: str) -> list[str]:
        self.check(value, "[]string", isinstance(value, list) and all(isinstance(v, str) for v in value),
                   path)
        return value

    def section(self, value: object, path: str) -> dict:
        """A nested struct; absent or null is empty."""
        if value is None:
            return {}
        self.check(value, "struct", isinstance(value, dict), path)
        return value


# ---------------------------------------------------------------- the document
def load_document(text: str | bytes, error: type[ConfigError] = ConfigError) -> tuple[dict, list[str]]:
    """The YAML document and the keys given twice (a strict decoding error; the last
    wins, as in the lenient decoder)."""
    duplicates: list[str] = []

    class DuplicateNotingLoader(yaml.SafeLoader):
        pass

    def mapping(loader, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if key in seen:
                duplicates.append(str(key))
            seen.add(key)
        return yaml.SafeLoader.construct_mapping(loader, node, deep)

    DuplicateNotingLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    try:
        document = yaml.load(text, Loader=DuplicateNotingLoader)
    except yaml.YAMLError as exc:
        mark, problem = getattr(exc, "problem_mark", None), getattr(exc, "problem", None)
        detail = f"yaml: line {mark.line + 1}: {problem}" if mark and problem else " ".join(str(exc).split())
        raise error("failed to decode: " + detail) from None
    if not isinstance(document, dict):
        raise error("failed to decode: Object 'Kind' is missing")
    return document, duplicates


def check_kind(document: dict, kind: str, api_version: str, reader: str,
               error: type[ConfigError] = ConfigError) -> None:
    """Upstream's decoder errors for a missing or unregistered kind/apiVersion, plus
    which one `reader` (e.g. "the kubelet") does read."""
    found_kind, version = document.get("kind"), document.get("apiVersion")
    if not found_kind:
        raise error("failed to decode: Object 'Kind' is missing")
    if not version:
        raise error(f"failed to decode: Object 'apiVersion' is missing in kind {found_kind}")
    if version != api_version or found_kind != kind:
        raise error(f'failed to decode: no kind "{found_kind}" is registered for version "{version}"; '
                    f"{reader} reads kind {kind} of {api_version}")


def unknown_fields(document: dict, known: Iterable[str],
                   nested: Mapping[str, Mapping[str, object]]) -> list[str]:
    """Dotted paths of the fields upstream's strict decoder would not know. `nested`
    maps a section to its fields, each to None (a leaf or not checked) or the set of
    its own fields."""
    known = set(known)
    unknown = [name for name in document if name not in known]
    for section, children in nested.items():
        value = document.get(section)
        if not isinstance(value, dict):
            continue
        for name in value:
            grandchildren = children.get(name)
            if name not in children:
                unknown.append(f"{section}.{name}")
            elif grandchildren is not None and isinstance(value[name], dict):
                unknown.extend(f"{section}.{name}.{leaf}" for leaf in value[name]
                               if leaf not in grandchildren)
    return unknown


def lenient_decoding_warning(unknown: list[str], duplicates: list[str]) -> str | None:
    """Upstream's message when strict decoding failed and the lenient decoder went on
    (the kubelet's v1beta1 and kube-proxy's v1alpha1 both do this); None if strict passed."""
    errors = [f'unknown field "{name}"' for name in unknown]
    errors += [f'duplicate field "{name}"' for name in duplicates]
    if not errors:
        return None
    return ("Using lenient decoding as strict decoding failed: strict decoding error: "
            + ", ".join(errors))


# ---------------------------------------------------------------- which flags were given
EXPLICIT = "explicit_flags"


class _ExplicitStore(argparse._StoreAction):
    def __call__(self, parser, namespace, values, option_string=None):
        super().__call__(parser, namespace, values, option_string)
        mark_explicit(namespace, self.dest)


class _ExplicitStoreTrue(argparse._StoreTrueAction):
    def __call__(self, parser, namespace, values, option_string=None):
        super().__call__(parser, namespace, values, option_string)
        mark_explicit(namespace, self.dest)


def mark_explicit(namespace: argparse.Namespace, dest: str) -> None:
    explicit = getattr(namespace, EXPLICIT, None)
    if explicit is None:
        explicit = set()
        setattr(namespace, EXPLICIT, explicit)
    explicit.add(dest)


def explicit_flags(args: argparse.Namespace) -> set[str]:
    """The dests of the flags given on the command line."""
    return getattr(args, EXPLICIT, None) or set()


def track_explicit_flags(parser: argparse.ArgumentParser) -> None:
    """Flags added to `parser` from now on record, when given, their dest in
    `args.explicit_flags`, so a config file can fill in only the others."""
    parser.register("action", None, _ExplicitStore)
    parser.register("action", "store", _ExplicitStore)
    parser.register("action", "store_true", _ExplicitStoreTrue)


def merge_into_args(args: argparse.Namespace, settings: Mapping[str, object]) -> None:
    """Set each dest from `settings` unless its flag was given (flags win)."""
    explicit = explicit_flags(args)
    for dest, value in settings.items():
        if dest not in explicit:
            setattr(args, dest, value)


def parse_flag_bool(text: str) -> bool:
    """Go's strconv.ParseBool, as `--register-node=true` is spelled."""
    lowered = text.lower()
    if lowered in ("1", "t", "true"):
        return True
    if lowered in ("0", "f", "false"):
        return False
    raise argparse.ArgumentTypeError(f'invalid boolean value "{text}"')
