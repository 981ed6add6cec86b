# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The gRPC probe: the health messages on the wire, and one probe against real grpcio
servers on loopback (serving, not serving, no health service, nobody listening)."""
from __future__ import annotations

import asyncio
import socket
from concurrent import futures

import grpc
import pytest

from kybernetes.kubelet.grpcprobe import decode_status, encode_request, outcome, probe_grpc
from kybernetes.kubelet.probes import run_probe


def test_request_encodes_the_service_name_as_field_one():
    assert encode_request("") == b""
    assert encode_request("db") == b"\x0a\x02db"


@pytest.mark.parametrize("body, status", [(b"", "UNKNOWN"), (b"\x08\x01", "SERVING"),
                                          (b"\x08\x02", "NOT_SERVING"), (b"\x08\x03", "SERVICE_UNKNOWN"),
                                          (b"\x08\x07", "7"), (b"\x12\x01x\x08\x01", "SERVING")])
def test_response_status_is_read_by_name(body, status):
    assert decode_status(body) == status


def test_only_serving_succeeds_with_upstreams_message_otherwise():
    assert outcome("SERVING") == (True, "")
    assert outcome("NOT_SERVING") == (False, 'service unhealthy (responded with "NOT_SERVING")')


class HealthServer:
    """A grpcio server answering grpc.health.v1.Health/Check with `self.status` per service."""

    def __init__(self, with_health: bool = True) -> None:
        self.status = {"": 1}
        self.seen: list[bytes] = []
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        if with_health:
            def check(request: bytes, context) -> bytes:
                self.seen.append(request)
                service = request[2:].decode() if request else ""
                return b"\x08" + bytes([self.status.get(service, 3)])
            handler = grpc.method_handlers_generic_handler("grpc.health.v1.Health", {
                "Check": grpc.unary_unary_rpc_method_handler(check)})
            self.server.add_generic_rpc_handlers((handler,))
        self.port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()

    def stop(self) -> None:
        self.server.stop(None)


@pytest.fixture
def health():
    server = HealthServer()
    yield server
    server.stop()


def probe(port: int, service: str = "", timeout: float = 2.0) -> tuple[bool, str]:
    spec = {"grpc": {"port": port, **({"service": service} if service else {})},
            "timeoutSeconds": timeout}
    return asyncio.run(run_probe(spec, {}, "127.0.0.1", None))


def test_serving_server_passes(health: HealthServer):
    assert probe(health.port) == (True, "")


def test_named_service_is_sent_and_its_status_used(health: HealthServer):
    health.status["db"] = 2
    assert probe(health.port, "db") == (False, 'service unhealthy (responded with "NOT_SERVING")')
    assert health.seen[-1] == b"\x0a\x02db"
    assert probe(health.port, "cache") == (False, 'service unhealthy (responded with "SERVICE_UNKNOWN")')


def test_server_without_health_service_is_reported_as_upstream_does():
    server = HealthServer(with_health=False)
    try:
        ok, why = probe(server.port)
    finally:
        server.stop()
    assert not ok
    assert why.startswith("this server does not implement the grpc health protocol "
                          "(grpc.health.v1.Health)")


def test_nobody_listening_fails_to_connect_within_the_timeout():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ok, why = probe(port, timeout=1)
    assert not ok
    assert why.startswith(f'timeout: failed to connect service "127.0.0.1:{port}" within 1s')
