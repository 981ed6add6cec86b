# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Parsing a resource URL into (group, version, namespace, resource, name, subresource),
following upstream's RequestInfo rules (including /namespaces/<ns>/status|finalize)."""
from __future__ import annotations

from dataclasses import dataclass

_NAMESPACE_SUBRESOURCES = {"status", "finalize"}


@dataclass
class RequestInfo:
    group: str
    version: str
    resource: str = ""
    namespace: str | None = None
    name: str = ""
    subresource: str = ""
    watch_path: bool = False  # the deprecated /watch/ prefix
    parts: tuple[str, ...] = ()  # what follows the subresource (proxy paths)

    @property
    def is_resource(self) -> bool:
        return bool(self.resource)


def parse(path: str) -> RequestInfo | None:
    """None when the path is not under /api or /apis."""
    parts = [p for p in path.split("/") if p]
    if not parts:
        return None
    if parts[0] == "api":
        if len(parts) < 2:
            return RequestInfo("", "")
        group, version, rest = "", parts[1], parts[2:]
    elif parts[0] == "apis":
        if len(parts) < 3:
            return RequestInfo(parts[1] if len(parts) > 1 else "", "")
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    info = RequestInfo(group, version)
    if rest and rest[0] == "watch":
        info.watch_path = True
        rest = rest[1:]
    if rest and rest[0] == "namespaces" and len(rest) > 1:
        info.namespace = rest[1]
        if len(rest) > 2 and rest[2] not in _NAMESPACE_SUBRESOURCES:
            rest = rest[2:]
        else:
            # the namespace object itself: /namespaces/<name>[/status|finalize]
            info.namespace = None
            info.resource, info.name = "namespaces", rest[1]
            info.subresource = rest[2] if len(rest) > 2 else ""
            return info
    if rest:
        info.resource = rest[0]
    if len(rest) > 1:
        info.name = rest[1]
    if len(rest) > 2:
        info.subresource = rest[2]
    info.parts = tuple(rest[3:])
    return info
