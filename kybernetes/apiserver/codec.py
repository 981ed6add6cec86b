# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Request bodies in (JSON, YAML, protobuf) and responses out (objects, lists, Tables).

Lists are spliced from the cached JSON bytes of each object instead of re-encoding them.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable, Iterable

import orjson
import yaml

from kybernetes.api import printers, protobuf
from kybernetes.api.resources import ResourceType
from kybernetes.apiserver import errors

MAX_BODY = 3 * 1024 * 1024
JSON = "application/json"
TABLE_MEDIA = "application/json;as=Table;v=v1;g=meta.k8s.io"

try:
    _YamlLoader = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _YamlLoader = yaml.SafeLoader


def media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def decode_body(body: bytes, content_type: str) -> object:
    """Parse a request body by its Content-Type (none means JSON, as upstream)."""
    kind = media_type(content_type) or JSON
    if len(body) > MAX_BODY:
        raise errors.too_large()
    if kind == protobuf.MEDIA_TYPE:
        try:
            return protobuf.decode(body)
        except protobuf.ProtobufError as exc:
            raise errors.bad_request(f"failed to decode protobuf body: {exc}") from None
    if kind in ("application/yaml", "application/apply-patch+yaml", "text/yaml"):
        try:
            return yaml.load(body, Loader=_YamlLoader)
        except yaml.YAMLError as exc:
            raise errors.bad_request(f"error converting YAML to JSON: {_one_line(exc)}") from None
    if kind in (JSON, "application/json-patch+json", "application/merge-patch+json",
                "application/strategic-merge-patch+json", "*/*"):
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise errors.bad_request(
                f"couldn't get version/kind; json parse error: {_one_line(exc)}") from None
    raise errors.unsupported_media_type(content_type)


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def dumps(obj: object) -> bytes:
    return orjson.dumps(obj)


# ----------------------------------------------------------------------------- tables
def wants_table(accept: str) -> bool:
    for part in accept.split(","):
        params = dict(p.strip().split("=", 1) for p in part.split(";")[1:] if "=" in p)
        if params.get("as") == "Table" and params.get("g") == "meta.k8s.io":
            return True
    return False


def wants_partial_metadata(accept: str) -> str | None:
    """'PartialObjectMetadata' or 'PartialObjectMetadataList' when asked for, else None."""
    for part in accept.split(","):
        params = dict(p.strip().split("=", 1) for p in part.split(";")[1:] if "=" in p)
        if params.get("g") == "meta.k8s.io" and params.get("as", "").startswith(
                "PartialObjectMetadata"):
            return params["as"]
    return None


def partial_metadata(obj: dict) -> dict:
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
            "metadata": obj.get("metadata", {})}


class TablePrinter:
    """Columns and cells for one resource type (built-in printer or CRD columns)."""

    def __init__(self, rt: ResourceType, crd_columns: list[dict] | None = None) -> None:
        self.rt = rt
        if crd_columns is not None:
            self.columns, self._cells = printers.custom_columns(crd_columns)
        else:
            self.columns = printers.column_definitions(rt.group, rt.kind)
            self._cells = lambda obj, now: printers.row_cells(rt.group, rt.kind, obj, now)

    def row(self, obj: dict, include: str, now: datetime) -> dict:
        row = {"cells": self._cells(obj, now)}
        if include == "Object":
            row["object"] = obj
        elif include != "None":
            row["object"] = partial_metadata(obj)
        return row

    def table(self, objects: Iterable[dict], include: str, resource_version: str = "",
              continue_token: str = "", remaining: int | None = None,
              with_columns: bool = True) -> dict:
        now = datetime.now(timezone.utc)
        meta: dict = {}
        if resource_version:
            meta["resourceVersion"] = resource_version
        if continue_token:
            meta["continue"] = continue_token
        if remaining is not None:
            meta["remainingItemCount"] = remaining
        return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": meta,
                "columnDefinitions": self.columns if with_columns else None,
                "rows": [self.row(obj, include, now) for obj in objects]}


def list_bytes(rt: ResourceType, raws: list[bytes], resource_version: str,
               continue_token: str = "", remaining: int | None = None) -> bytes:
    meta: dict = {"resourceVersion": resource_version}
    if continue_token:
        meta["continue"] = continue_token
    if remaining is not None:
        meta["remainingItemCount"] = remaining
    head = orjson.dumps({"kind": rt.list_kind, "apiVersion": rt.api_version, "metadata": meta})
    return head[:-1] + b',"items":[' + b",".join(raws) + b"]}"


def object_raws(items: list, view: Callable[[object], dict] | None) -> list[bytes]:
    """The bytes of cached objects, re-encoded only when a version conversion applies."""
    if view is None:
        return [item.raw for item in items]
    return [orjson.dumps(view(item)) for item in items]
