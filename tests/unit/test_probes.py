# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Probe decisions (thresholds, initial results) and the three handlers against real
loopback sockets."""
from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

from kybernetes.kubelet.probes import (USER_AGENT, ProbeCounter, ProbeSettings, http_url,
                                       resolve_port, run_probe)


def counter(kind: str, success=1, failure=3) -> ProbeCounter:
    return ProbeCounter(kind, ProbeSettings(success_threshold=success, failure_threshold=failure))


def test_initial_results():
    assert counter("liveness").result is True
    assert counter("readiness").result is False
    assert counter("startup").result is False


def test_failure_threshold_must_be_reached_consecutively():
    probe = counter("liveness", failure=3)
    assert [probe.record(ok) for ok in (False, False, True, False, False)] == [False] * 5
    assert probe.result is True
    assert probe.record(False) is True and probe.result is False and probe.failed


def test_success_threshold():
    probe = counter("readiness", success=2, failure=1)
    assert probe.record(True) is False and probe.result is False
    assert probe.record(True) is True and probe.result is True
    assert probe.record(False) is True and probe.result is False
    assert probe.record(True) is False and probe.record(True) is True


def test_startup_failure_means_restart():
    probe = counter("startup", failure=2)
    probe.record(False)
    assert not probe.failed
    probe.record(False)
    assert probe.failed and probe.result is False
    probe.reset()
    assert not probe.failed and probe.result is False


def test_settings_defaults():
    assert ProbeSettings.from_spec({}) == ProbeSettings(0, 10, 1, 1, 3)
    assert ProbeSettings.from_spec({"initialDelaySeconds": 5, "periodSeconds": 2, "timeoutSeconds": 3,
                                    "successThreshold": 1, "failureThreshold": 7}) == \
        ProbeSettings(5, 2, 3, 1, 7)


def test_ports_and_urls():
    container = {"ports": [{"name": "http", "containerPort": 8080}]}
    assert resolve_port("http", container) == 8080
    assert resolve_port(81, container) == 81 and resolve_port("82", container) == 82
    with pytest.raises(ValueError):
        resolve_port("nope", container)
    assert http_url({"port": "http", "path": "healthz"}, "10.0.0.2", container) == "http://10.0.0.2:8080/healthz"
    assert http_url({"port": 443, "scheme": "HTTPS", "host": "fd00::1"}, "x", {}) == "https://[fd00::1]:443/"


async def _serve(handler):
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, port


def test_http_probe_statuses_and_headers():
    seen = {}

    async def handler(request):
        seen["agent"] = request.headers.get("User-Agent")
        seen["custom"] = request.headers.get("X-Probe")
        status = {"/ok": 200, "/redirect": 302, "/bad": 500}[request.path]
        return web.Response(status=status, headers={"Location": "http://elsewhere/"} if status == 302 else {})

    async def main():
        runner, port = await _serve(handler)
        try:
            results = {}
            for path in ("/ok", "/redirect", "/bad"):
                probe = {"httpGet": {"path": path, "port": port,
                                     "httpHeaders": [{"name": "X-Probe", "value": "yes"}]}}
                results[path] = await run_probe(probe, {}, "127.0.0.1", None)
            return results
        finally:
            await runner.cleanup()

    results = asyncio.run(main())
    assert results["/ok"] == (True, "") and results["/redirect"] == (True, "")
    assert results["/bad"] == (False, "HTTP probe failed with statuscode: 500")
    assert seen == {"agent": USER_AGENT, "custom": "yes"}


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_http_and_tcp_probes_refused():
    port = _free_port()
    ok, message = asyncio.run(run_probe({"httpGet": {"port": port}}, {}, "127.0.0.1", None))
    assert not ok and message == f'Get "http://127.0.0.1:{port}/": dial tcp 127.0.0.1:{port}: connect: connection refused'
    ok, message = asyncio.run(run_probe({"tcpSocket": {"port": port}}, {}, "127.0.0.1", None))
    assert not ok and message == f"dial tcp 127.0.0.1:{port}: connect: connection refused"


def test_tcp_probe_succeeds_on_a_listening_port():
    async def main():
        server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            return await run_probe({"tcpSocket": {"port": port}}, {}, "127.0.0.1", None)
        finally:
            server.close()
            await server.wait_closed()
    assert asyncio.run(main()) == (True, "")


def test_exec_probe():
    async def run_exec(argv, timeout):
        return (0, "") if argv == ["true"] else (1, "it broke\n")

    assert asyncio.run(run_probe({"exec": {"command": ["true"]}}, {}, "", run_exec)) == (True, "")
    assert asyncio.run(run_probe({"exec": {"command": ["false"]}}, {}, "", run_exec)) == (False, "it broke\n")


def test_exec_probe_timeout():
    async def run_exec(argv, timeout):
        await asyncio.sleep(timeout + 5)
        return 0, ""

    ok, message = asyncio.run(run_probe({"exec": {"command": ["sleep"]}, "timeoutSeconds": 0.1}, {}, "",
                                        run_exec))
    assert not ok and "timed out" in message
