# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The Kubernetes protobuf encoding (application/vnd.kubernetes.protobuf), both ways.

kubectl 1.32+ sends the bodies of its typed clients (create namespace|deployment|token,
auth can-i, drain...) in this form. A body is the magic `k8s\\x00` followed by a
runtime.Unknown message {typeMeta{apiVersion=1, kind=2}=1, raw=2, contentEncoding=3,
contentType=4} whose raw bytes are the object's own message. `decode` turns such a body
into the JSON-shaped dict a JSON body would have given; `encode` is its inverse and
writes fields the way Go's generated marshallers do (ascending field numbers, plain
values always written, map keys sorted), so Go-made bodies survive a round trip byte
for byte.

The per-message field tables live in kybernetes/api/protobuf_types.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import re
from typing import Any

from kybernetes.api import protobuf_types
from kybernetes.api.protobuf_types import Field

MEDIA_TYPE = "application/vnd.kubernetes.protobuf"
MAGIC = b"k8s\x00"

VARINT, FIXED64, LENGTH_DELIMITED, START_GROUP, END_GROUP, FIXED32 = 0, 1, 2, 3, 4, 5
_MAX_DEPTH = 100  # the object trees are shallow; deeper means a hostile body


class ProtobufError(Exception):
    """The body is not a well-formed protobuf object of a known kind (answer 400)."""


def supported_kinds() -> set[tuple[str, str]]:
    """Every (apiVersion, kind) that decode and encode understand."""
    return set(protobuf_types.kind_messages())


def decode(body: bytes) -> dict:
    """A `k8s\\x00`-enveloped protobuf body -> the object as a JSON-shaped dict."""
    if not body.startswith(MAGIC):
        raise ProtobufError("protobuf body does not start with the k8s\\x00 prefix")
    api_version, kind, raw, content_encoding = _read_envelope(memoryview(body)[len(MAGIC):])
    if content_encoding:
        raise ProtobufError(f"unsupported content encoding {content_encoding!r}")
    message = protobuf_types.kind_messages().get((api_version, kind))
    if message is None:
        raise ProtobufError(f"no protobuf message is known for kind {kind!r} "
                            f"in version {api_version!r}")
    obj: dict[str, Any] = {"apiVersion": api_version, "kind": kind}
    obj.update(_decode_message(raw, message, 0))
    return obj


def _read_envelope(data: memoryview) -> tuple[str, str, memoryview, str]:
    """runtime.Unknown -> (apiVersion, kind, raw, contentEncoding)."""
    api_version = kind = content_encoding = ""
    raw = memoryview(b"")
    for number, wire_type, value in _fields(data, 0):
        if wire_type != LENGTH_DELIMITED:
            raise ProtobufError("malformed envelope: unexpected varint field")
        if number == 1:
            for inner_number, inner_wire_type, inner in _fields(value, 1):
                if inner_wire_type != LENGTH_DELIMITED:
                    raise ProtobufError("malformed envelope: typeMeta field is not a string")
                if inner_number == 1:
                    api_version = _utf8(inner)
                elif inner_number == 2:
                    kind = _utf8(inner)
        elif number == 2:
            raw = value
        elif number == 3:
            content_encoding = _utf8(value)
    return api_version, kind, raw, content_encoding


def encode(obj: dict) -> bytes:
    """A JSON-shaped object with apiVersion and kind -> an enveloped protobuf body."""
    api_version, kind = obj.get("apiVersion", ""), obj.get("kind", "")
    message = protobuf_types.kind_messages().get((api_version, kind))
    if message is None:
        raise ProtobufError(f"no protobuf message is known for kind {kind!r} "
                            f"in version {api_version!r}")
    raw = _encode_message(obj, message)
    envelope = bytearray(MAGIC)
    type_meta = _string_field(1, api_version) + _string_field(2, kind)
    envelope += _bytes_field(1, type_meta)
    envelope += _bytes_field(2, raw)
    envelope += _string_field(3, "") + _string_field(4, "")
    return bytes(envelope)


# ---------------------------------------------------------------- wire format: reading

def _read_varint(data: memoryview, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data):
            raise ProtobufError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise ProtobufError("varint longer than 10 bytes")


def _read_length_delimited(data: memoryview, pos: int) -> tuple[memoryview, int]:
    length, pos = _read_varint(data, pos)
    end = pos + length
    if end > len(data):
        raise ProtobufError("length-delimited field runs past the end of its message")
    return data[pos:end], end


def _skip(data: memoryview, pos: int, wire_type: int, number: int, depth: int) -> int:
    """Skip an unknown field; returns the position after it."""
    if wire_type == VARINT:
        return _read_varint(data, pos)[1]
    if wire_type == FIXED64:
        pos += 8
    elif wire_type == FIXED32:
        pos += 4
    elif wire_type == LENGTH_DELIMITED:
        return _read_length_delimited(data, pos)[1]
    elif wire_type == START_GROUP:
        if depth > _MAX_DEPTH:
            raise ProtobufError("groups nested too deeply")
        while True:
            key, pos = _read_varint(data, pos)
            if key & 7 == END_GROUP:
                if key >> 3 != number:
                    raise ProtobufError("mismatched end of group")
                return pos
            pos = _skip(data, pos, key & 7, key >> 3, depth + 1)
    else:
        raise ProtobufError(f"invalid wire type {wire_type}")
    if pos > len(data):
        raise ProtobufError("truncated fixed-width field")
    return pos


def _fields(data: memoryview, depth: int):
    """Yield (number, wire type, value) for each field: value is an int for varints and a
    memoryview for length-delimited fields; other wire types are skipped."""
    pos = 0
    while pos < len(data):
        key, pos = _read_varint(data, pos)
        number, wire_type = key >> 3, key & 7
        if number == 0:
            raise ProtobufError("field number 0")
        if wire_type == VARINT:
            value, pos = _read_varint(data, pos)
        elif wire_type == LENGTH_DELIMITED:
            value, pos = _read_length_delimited(data, pos)
        else:
            pos = _skip(data, pos, wire_type, number, depth)
            continue
        yield number, wire_type, value


# ---------------------------------------------------------------- decoding messages

def _to_int32(value: int) -> int:
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def _to_int64(value: int) -> int:
    value &= 0xFFFFFFFFFFFFFFFF
    return value - (1 << 64) if value >= 1 << 63 else value


def _varint_values(field: Field, wire_type: int, value) -> list[int]:
    """Varint scalars arrive one per field, or packed in one length-delimited field."""
    if wire_type == VARINT:
        return [value]
    if wire_type == LENGTH_DELIMITED and field.repeated:
        values, pos = [], 0
        while pos < len(value):
            item, pos = _read_varint(value, pos)
            values.append(item)
        return values
    raise ProtobufError(f"field {field.json_name!r} has wire type {wire_type}, want varint")


def _decode_value(field: Field, value_type: str, wire_type: int, value, depth: int) -> list:
    """One wire field -> the list of JSON values it carries (packed fields carry many)."""
    if value_type in ("b", "i32", "i64"):
        ints = _varint_values(field, wire_type, value)
        if value_type == "b":
            return [item != 0 for item in ints]
        convert = _to_int32 if value_type == "i32" else _to_int64
        return [convert(item) for item in ints]
    if wire_type != LENGTH_DELIMITED:
        raise ProtobufError(f"field {field.json_name!r} has wire type {wire_type}, "
                            "want length-delimited")
    if value_type == "s":
        return [_utf8(value)]
    if value_type == "y":
        return [base64.b64encode(value).decode("ascii")]
    if value_type.startswith("@"):
        return [_decode_special(value_type, value, depth)]
    return [_decode_message(value, value_type, depth + 1)]


def _utf8(value: memoryview) -> str:
    try:
        return bytes(value).decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtobufError(f"string field is not valid UTF-8: {error}") from None


def _decode_map_entry(field: Field, entry: memoryview, depth: int) -> tuple[str, Any]:
    key, value = "", None
    for number, wire_type, raw in _fields(entry, depth):
        if number == 1:
            if wire_type != LENGTH_DELIMITED:
                raise ProtobufError(f"map {field.json_name!r} has a key that is not a string")
            key = _utf8(raw)
        elif number == 2:
            value = _decode_value(field, field.type, wire_type, raw, depth)[-1]
    if value is None:  # an absent value is the zero value of its type
        if field.type in _VARINT_ZEROS:
            value = _VARINT_ZEROS[field.type]
        else:
            value = _decode_value(field, field.type, LENGTH_DELIMITED, memoryview(b""),
                                  depth)[-1]
    return key, value


_VARINT_ZEROS = {"b": False, "i32": 0, "i64": 0}


def _decode_message(data: memoryview, message: str, depth: int) -> dict:
    if depth > _MAX_DEPTH:
        raise ProtobufError("messages nested too deeply")
    try:
        table = protobuf_types.fields_by_number(message)
    except KeyError:
        raise ProtobufError(f"no protobuf description of message {message}") from None
    obj: dict[str, Any] = {}
    inline_parts: list[dict] = []
    for number, wire_type, value in _fields(data, depth):
        field = table.get(number)
        if field is None:
            continue
        if field.is_map:
            if wire_type != LENGTH_DELIMITED:
                raise ProtobufError(f"map {field.json_name!r} entry is not length-delimited")
            key, item = _decode_map_entry(field, value, depth + 1)
            obj.setdefault(field.json_name, {})[key] = item
            continue
        values = _decode_value(field, field.type, wire_type, value, depth)
        if field.inline:
            inline_parts.append(values[-1])
        elif field.repeated:
            obj.setdefault(field.json_name, []).extend(values)
        else:
            obj[field.json_name] = values[-1]
    for field in table.values():
        if field.inline or field.repeated or field.is_map or field.json_name not in obj:
            continue
        value = obj[field.json_name]
        if value is None or (not field.pointer and not field.keep_zero
                             and field.type in protobuf_types.SCALAR_TYPES
                             and value in ("", 0, False)):
            del obj[field.json_name]  # Go's JSON omits zero values of omitempty fields
    for part in inline_parts:
        obj.update(part)
    return obj


def _decode_special(value_type: str, data: memoryview, depth: int) -> Any:
    values: dict[int, Any] = {}
    items: list[str] = []
    for number, wire_type, value in _fields(data, depth):
        if wire_type == LENGTH_DELIMITED:
            if value_type == "@strings" and number == 1:
                items.append(_utf8(value))
            values[number] = bytes(value)
        else:
            values[number] = value
    if value_type in ("@time", "@microtime"):
        seconds, nanos = _to_int64(values.get(1, 0)), _to_int32(values.get(2, 0))
        if seconds == 0 and nanos == 0:
            return None  # the zero time, which Go writes as JSON null
        return format_time(seconds, nanos, micro=value_type == "@microtime")
    if value_type == "@duration":
        return format_duration(_to_int64(values.get(1, 0)))
    if value_type == "@quantity":
        return _utf8(memoryview(values.get(1, b"")))
    if value_type == "@intorstr":
        if values.get(1, 0) == 1:
            return _utf8(memoryview(values.get(3, b"")))
        return _to_int32(values.get(2, 0))
    if value_type == "@strings":
        return items
    if value_type in ("@raw", "@fields"):
        return _decode_embedded(values.get(1, b""))
    raise ProtobufError(f"unknown special type {value_type}")


def _decode_embedded(raw: bytes) -> Any:
    """RawExtension and FieldsV1 carry JSON (or, for RawExtension, a nested k8s body)."""
    if not raw:
        return None
    if raw.startswith(MAGIC):
        return decode(raw)
    try:
        return json.loads(raw)
    except ValueError as error:
        raise ProtobufError(f"embedded object is not JSON: {error}") from None


# ---------------------------------------------------------------- times and durations

def format_time(seconds: int, nanos: int = 0, micro: bool = False) -> str:
    """Unix time -> RFC 3339 in UTC, as metav1.Time (seconds) or MicroTime (µs) print it."""
    try:
        moment = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise ProtobufError(f"time out of range: {seconds}") from None
    if micro:
        return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos // 1000:06d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


_RFC3339 = re.compile(r"(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(\.\d+)?"
                      r"([Zz]|[+-]\d\d:\d\d)$")


def parse_time(text: str) -> tuple[int, int]:
    """RFC 3339 -> (Unix seconds, nanoseconds)."""
    match = _RFC3339.match(text)
    if not match:
        raise ProtobufError(f"time {text!r} is not RFC 3339")
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction, offset = match.group(7), match.group(8)
    tz = datetime.timezone.utc
    if offset not in ("Z", "z"):
        sign = -1 if offset[0] == "-" else 1
        tz = datetime.timezone(sign * datetime.timedelta(hours=int(offset[1:3]),
                                                         minutes=int(offset[4:6])))
    moment = datetime.datetime(year, month, day, hour, minute, second, tzinfo=tz)
    nanos = int((fraction[1:] + "000000000")[:9]) if fraction else 0
    return int(moment.timestamp()), nanos


_DURATION_UNITS = {"ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000,
                   "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000}
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


def format_duration(nanos: int) -> str:
    """Nanoseconds -> a Go duration string ("1h0m0s", "1.5s", "300ms")."""
    if nanos == 0:
        return "0s"
    sign, nanos = ("-", -nanos) if nanos < 0 else ("", nanos)
    if nanos < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if nanos >= size:
                return sign + _decimal(nanos, size) + unit
    hours, rest = divmod(nanos, 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    text = _decimal(rest, 1_000_000_000) + "s"
    if hours or minutes:
        text = f"{minutes}m" + text
    if hours:
        text = f"{hours}h" + text
    return sign + text


def _decimal(value: int, unit: int) -> str:
    whole, fraction = divmod(value, unit)
    if not fraction:
        return str(whole)
    digits = len(str(unit)) - 1
    return f"{whole}." + f"{fraction:0{digits}d}".rstrip("0")


def parse_duration(text: str) -> int:
    """A Go duration string -> nanoseconds."""
    body = text.lstrip("+-")
    sign = -1 if text.startswith("-") else 1
    if body == "0":
        return 0
    total, pos = 0, 0
    for match in _DURATION_PART.finditer(body):
        if match.start() != pos:
            break
        total += round(float(match.group(1)) * _DURATION_UNITS[match.group(2)])
        pos = match.end()
    if pos != len(body) or not body:
        raise ProtobufError(f"invalid duration {text!r}")
    return sign * total


# ---------------------------------------------------------------- wire format: writing

def _varint(value: int) -> bytes:
    value &= 0xFFFFFFFFFFFFFFFF  # negative numbers take ten bytes, as in Go
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _key(number: int, wire_type: int) -> bytes:
    return _varint(number << 3 | wire_type)


def _bytes_field(number: int, payload: bytes) -> bytes:
    return _key(number, LENGTH_DELIMITED) + _varint(len(payload)) + payload


def _string_field(number: int, text: str) -> bytes:
    return _bytes_field(number, text.encode("utf-8"))


def _varint_field(number: int, value: int) -> bytes:
    return _key(number, VARINT) + _varint(value)


# ---------------------------------------------------------------- encoding messages

def _encode_value(number: int, value_type: str, value: Any, name: str) -> bytes:
    try:
        if value_type == "s":
            if not isinstance(value, str):
                raise TypeError("a string")
            return _string_field(number, value)
        if value_type == "b":
            if not isinstance(value, bool):
                raise TypeError("a boolean")
            return _varint_field(number, int(value))
        if value_type in ("i32", "i64"):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError("an integer")
            return _varint_field(number, value)
        if value_type == "y":
            return _bytes_field(number, base64.b64decode(value, validate=True))
        if value_type.startswith("@"):
            return _bytes_field(number, _encode_special(value_type, value))
        if not isinstance(value, dict):
            raise TypeError("an object")
        return _bytes_field(number, _encode_message(value, value_type))
    except (TypeError, binascii.Error) as error:
        raise ProtobufError(f"field {name!r}: want {error}, got {value!r:.60}") from None


def _encode_zero(field: Field) -> bytes:
    """What Go writes for a plain (non-pointer) field the object leaves out."""
    if field.type == "s":
        return _string_field(field.number, "")
    if field.type in ("b", "i32", "i64"):
        return _varint_field(field.number, 0)
    if field.type == "y":
        return b""  # a nil []byte is not written
    if field.type == "@intorstr":
        return _bytes_field(field.number, _encode_special("@intorstr", 0))
    if field.type == "@duration":
        return _bytes_field(field.number, _varint_field(1, 0))
    if field.type == "@quantity":
        return _bytes_field(field.number, _string_field(1, "0"))
    if field.type.startswith("@"):
        return _bytes_field(field.number, b"")  # zero time, no raw bytes, no items
    return _bytes_field(field.number, _encode_message({}, field.type))  # a zero struct


def _encode_message(obj: dict, message: str) -> bytes:
    try:
        table = protobuf_types.messages()[message]
    except KeyError:
        raise ProtobufError(f"no protobuf description of message {message}") from None
    out = bytearray()
    for field in table:
        if field.inline:
            out += _bytes_field(field.number, _encode_message(obj, field.type))
            continue
        value = obj.get(field.json_name)
        if value is None:
            if not (field.pointer or field.repeated or field.is_map):
                out += _encode_zero(field)
        elif field.is_map:
            if not isinstance(value, dict):
                raise ProtobufError(f"field {field.json_name!r}: want an object")
            for key in sorted(value):
                entry = _string_field(1, key)
                if value[key] is not None:
                    entry += _encode_value(2, field.type, value[key], field.json_name)
                out += _bytes_field(field.number, entry)
        elif field.repeated:
            if not isinstance(value, list):
                raise ProtobufError(f"field {field.json_name!r}: want a list")
            for item in value:
                out += _encode_value(field.number, field.type, item, field.json_name)
        else:
            out += _encode_value(field.number, field.type, value, field.json_name)
    return bytes(out)


def _encode_special(value_type: str, value: Any) -> bytes:
    if value_type in ("@time", "@microtime"):
        if not isinstance(value, str):
            raise TypeError("an RFC 3339 time")
        seconds, nanos = parse_time(value)
        return _varint_field(1, seconds) + _varint_field(2, nanos)
    if value_type == "@duration":
        if not isinstance(value, str):
            raise TypeError("a duration")
        return _varint_field(1, parse_duration(value))
    if value_type == "@quantity":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise TypeError("a quantity")
        return _string_field(1, value)
    if value_type == "@intorstr":
        if isinstance(value, str):
            return _varint_field(1, 1) + _varint_field(2, 0) + _string_field(3, value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("an integer or a string")
        return _varint_field(1, 0) + _varint_field(2, value) + _string_field(3, "")
    if value_type == "@strings":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise TypeError("a list of strings")
        return b"".join(_string_field(1, item) for item in value)
    if value_type in ("@raw", "@fields"):
        return _bytes_field(1, json.dumps(value, separators=(",", ":")).encode("utf-8"))
    raise ProtobufError(f"unknown special type {value_type}")


# The wire helpers other small protobuf users (the kubelet's gRPC probe) share.
message_fields = _fields
string_field = _string_field
