# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The audit hook on a small aiohttp app: Audit-Id always, stages and annotations,
Panic for a handler that fails, level None writes nothing."""
from __future__ import annotations

import asyncio
import json

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from kybernetes.apiserver import audit
from kybernetes.apiserver.audit_http import Auditor, annotate
from kybernetes.apiserver.audit_log import AuditLogBackend


def _app(auditor: Auditor) -> web.Application:
    async def ok(request: web.Request) -> web.Response:
        request["user"] = {"name": "alice", "groups": ["dev"]}
        annotate(request, "authorization.k8s.io/decision", "allow")
        return web.json_response({"kind": "ConfigMap", "metadata": {"name": "c"}})

    async def boom(request: web.Request) -> web.Response:
        request["user"] = {"name": "alice", "groups": ["dev"]}
        raise RuntimeError("bug")

    app = web.Application()
    app.router.add_get("/api/v1/namespaces/ns/configmaps/c", ok)
    app.router.add_get("/api/v1/namespaces/ns/pods/p", boom)
    app.router.add_get("/healthz", ok)
    auditor.install(app)
    return app


def _policy() -> audit.Policy:
    return audit.parse_policy({"apiVersion": "audit.k8s.io/v1", "kind": "Policy", "rules": [
        {"level": "None", "nonResourceURLs": ["/healthz"]},
        {"level": "RequestResponse"}]})


def _run(auditor: Auditor, path: str, headers: dict | None = None):
    async def main():
        async with TestClient(TestServer(_app(auditor))) as client:
            response = await client.get(path, headers=headers or {})
            return response.status, dict(response.headers)
    return asyncio.run(main())


def test_audit_id_without_a_policy():
    status, headers = _run(Auditor(None, None), "/healthz", {"Audit-ID": "mine"})
    assert status == 200 and headers["Audit-Id"] == "mine"
    _, headers = _run(Auditor(None, None), "/healthz")
    assert len(headers["Audit-Id"]) == 36


def test_events_annotations_and_level_none(tmp_path):
    log = tmp_path / "audit.log"
    auditor = Auditor(_policy(), AuditLogBackend(str(log)))
    status, headers = _run(auditor, "/api/v1/namespaces/ns/configmaps/c")
    _run(auditor, "/healthz")
    auditor.close()
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert [e["stage"] for e in events] == ["RequestReceived", "ResponseComplete"]
    complete = events[-1]
    assert complete["auditID"] == headers["Audit-Id"]
    assert complete["annotations"] == {"authorization.k8s.io/decision": "allow"}
    assert complete["responseObject"]["metadata"]["name"] == "c"
    assert complete["objectRef"] == {"resource": "configmaps", "namespace": "ns", "name": "c",
                                     "apiVersion": "v1"}


def test_a_failing_handler_is_a_panic(tmp_path):
    log = tmp_path / "audit.log"
    auditor = Auditor(_policy(), AuditLogBackend(str(log)))
    status, _ = _run(auditor, "/api/v1/namespaces/ns/pods/p")
    auditor.close()
    assert status == 500
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert events[-1]["stage"] == "Panic"
    assert events[-1]["responseStatus"]["code"] == 500
    assert events[-1]["responseStatus"]["message"] == "APIServer panic'd: bug"
