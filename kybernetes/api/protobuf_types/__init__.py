# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Field tables of the Kubernetes protobuf messages, and lookups over them.

Each group-version module holds `MESSAGES`: message name -> field tokens
`number:jsonName:type[:flags]`, separated by spaces.

type is one of
  s, b, i32, i64, y      string, bool, int32, int64, bytes (base64 in JSON)
  <package>.<Message>    a nested message, e.g. core.v1.PodSpec
  {<type>}               map<string, type>, sent as repeated entries {key=1, value=2}
  @time @microtime       meta/v1 Time and MicroTime: {seconds=1, nanos=2}, RFC 3339 in JSON
  @duration              meta/v1 Duration: {duration=1 nanoseconds}, a Go duration string
  @quantity              resource.Quantity: {string=1}, a string in JSON
  @intorstr              intstr.IntOrString: {type=1, intVal=2, strVal=3}, int or string
  @raw                   runtime.RawExtension: {raw=1}, embedded JSON
  @fields                meta/v1 FieldsV1: {Raw=1}, embedded JSON
  @strings               a wrapper {items=1 repeated string} that is a list in JSON

flags:
  r  repeated
  i  inline: JSON puts the sub-message's fields in the enclosing object (jsonName "-")
  p  optional (a pointer in Go): sent only when set, and a zero value is meaningful
  k  always in JSON, even when zero (no omitempty)
A field with neither p nor k is a plain value that Go always sends but JSON omits when
zero, so decoding drops its zero value.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

from . import (
    admissionregistration_v1,
    apps_v1,
    authentication_v1,
    authorization_v1,
    autoscaling_v1,
    autoscaling_v2,
    batch_v1,
    certificates_v1,
    coordination_v1,
    core_v1,
    discovery_v1,
    events_v1,
    flowcontrol_v1,
    intstr,
    kinds,
    meta_v1,
    networking_v1,
    node_v1,
    policy_v1,
    rbac_v1,
    resource,
    runtime,
    scheduling_v1,
    schema,
    storage_v1,
)

_MODULES = (
    admissionregistration_v1, apps_v1, authentication_v1, authorization_v1, autoscaling_v1,
    autoscaling_v2, batch_v1, certificates_v1, coordination_v1, core_v1, discovery_v1,
    events_v1, flowcontrol_v1, intstr, meta_v1, networking_v1, node_v1, policy_v1, rbac_v1,
    resource, runtime, scheduling_v1, schema, storage_v1,
)

SCALAR_TYPES = frozenset({"s", "b", "i32", "i64", "y"})
DELETE_OPTIONS = "meta.v1.DeleteOptions"


class Field(NamedTuple):
    number: int
    json_name: str  # "-" for an inline sub-message
    type: str  # scalar code, special (@...), message name; for maps the value type
    is_map: bool
    repeated: bool
    inline: bool
    pointer: bool
    keep_zero: bool


def _parse_field(token: str) -> Field:
    number, json_name, field_type, *rest = token.split(":")
    flags = rest[0] if rest else ""
    is_map = field_type.startswith("{")
    if is_map:
        field_type = field_type[1:-1]
    return Field(int(number), json_name, field_type, is_map,
                 "r" in flags, "i" in flags, "p" in flags, "k" in flags)


@functools.cache
def messages() -> dict[str, tuple[Field, ...]]:
    """Every message name -> its fields in field-number order."""
    table: dict[str, tuple[Field, ...]] = {}
    for module in _MODULES:
        for name, spec in module.MESSAGES.items():
            table[name] = tuple(sorted((_parse_field(t) for t in spec.split()),
                                       key=lambda f: f.number))
    return table


@functools.cache
def fields_by_number(message: str) -> dict[int, Field]:
    return {f.number: f for f in messages()[message]}


@functools.cache
def kind_messages() -> dict[tuple[str, str], str]:
    """(apiVersion, kind) -> message name, for every top-level kind in the tables.

    DeleteOptions is accepted in every group-version, as the apiserver does."""
    result: dict[tuple[str, str], str] = {}
    for (api_version, package), names in kinds.KINDS.items():
        for kind in names.split():
            result[(api_version, kind)] = f"{package}.{kind}"
        result[(api_version, "DeleteOptions")] = DELETE_OPTIONS
    return result
