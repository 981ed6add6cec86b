# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""gRPC probes: one call of grpc.health.v1.Health/Check, as upstream's prober makes it.

The two health messages are one field each, so they are encoded here by hand instead of
pulling in generated stubs and the protobuf runtime. The call runs on grpcio's blocking
API in a worker thread: probes are rare and short, and grpcio's asyncio API does not
share an event loop with uvloop reliably.
"""
from __future__ import annotations

import asyncio

from kybernetes.api.protobuf import ProtobufError, message_fields, string_field

HEALTH_CHECK_METHOD = "/grpc.health.v1.Health/Check"
SERVING_STATUS = {0: "UNKNOWN", 1: "SERVING", 2: "NOT_SERVING", 3: "SERVICE_UNKNOWN"}


def encode_request(service: str) -> bytes:
    """HealthCheckRequest{service = 1}; proto3 leaves an empty string out."""
    return string_field(1, service) if service else b""


def decode_status(body: bytes) -> str:
    """HealthCheckResponse.status (field 1, an enum) by name; unknown values as numbers."""
    status = 0
    for number, wire_type, value in message_fields(memoryview(body), 0):
        if number == 1 and wire_type == 0:
            status = value
    return SERVING_STATUS.get(status, str(status))


def outcome(status: str) -> tuple[bool, str]:
    if status == "SERVING":
        return True, ""
    return False, f'service unhealthy (responded with "{status}")'


def _format_seconds(seconds: float) -> str:
    """Go's Duration.String() for whole and fractional seconds: 1s, 1.5s."""
    return f"{seconds:g}s"


def _check(address: str, service: str, timeout: float) -> tuple[bool, str]:
    import grpc
    channel = grpc.insecure_channel(address, options=[("grpc.primary_user_agent", "kube-probe/1.32")])
    try:
        try:
            grpc.channel_ready_future(channel).result(timeout=timeout)
        except grpc.FutureTimeoutError:
            return False, (f'timeout: failed to connect service "{address}" within '
                           f"{_format_seconds(timeout)}: context deadline exceeded")
        call = channel.unary_unary(HEALTH_CHECK_METHOD, request_serializer=None,
                                   response_deserializer=None)
        try:
            body = call(encode_request(service), timeout=timeout)
        except grpc.RpcError as exc:
            code = exc.code()
            if code == grpc.StatusCode.UNIMPLEMENTED:
                return False, ("this server does not implement the grpc health protocol "
                               f"(grpc.health.v1.Health): {exc.details()}")
            if code == grpc.StatusCode.DEADLINE_EXCEEDED:
                return False, f"timeout: health rpc did not complete within {_format_seconds(timeout)}"
            name = "".join(word.capitalize() for word in code.name.split("_"))
            return False, f"error: health rpc probe failed: rpc error: code = {name} desc = {exc.details()}"
        try:
            return outcome(decode_status(body))
        except ProtobufError as exc:
            return False, f"error: health rpc probe failed: {exc}"
    finally:
        channel.close()


async def probe_grpc(spec: dict, pod_ip: str, timeout: float) -> tuple[bool, str]:
    """(success, why not) for a `grpc: {port, service}` probe against the pod's IP."""
    host = f"[{pod_ip}]" if ":" in pod_ip else pod_ip
    address = f"{host}:{int(spec.get('port') or 0)}"
    return await asyncio.to_thread(_check, address, spec.get("service") or "", timeout)
