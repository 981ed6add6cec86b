# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Audit logging with a real server and kubectl: events per stage and level as the
policy says, secrets' data never logged at Metadata, omitStages, the Audit-Id header,
ResponseStarted for watches, a failed authentication logged, rotation by size."""
from __future__ import annotations

import base64
import json
import re
import ssl
import subprocess
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.integration.conftest import Kubectl, Server
from tests.support.waiting import wait_for

POLICY = """apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: None
    nonResourceURLs: ["/healthz*", "/readyz*", "/livez*", "/openapi*"]
  - level: Metadata
    resources:
      - group: ""
        resources: ["secrets"]
    omitStages: ["RequestReceived"]
  - level: RequestResponse
    namespaces: ["audited"]
  - level: Request
    resources:
      - group: ""
        resources: ["configmaps"]
  - level: Metadata
"""
SECRET_VALUE = f"s3cr3t-{uuid.uuid4().hex}"
BACKUP = re.compile(r"audit-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}\.log")


def events(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def matching(path: Path, **fields) -> list[dict]:
    found = []
    for event in events(path):
        ref = event.get("objectRef") or {}
        if all(event.get(k) == v or ref.get(k) == v for k, v in fields.items()):
            found.append(event)
    return found


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    base = tmp_path_factory.mktemp("audit")
    (base / "policy.yaml").write_text(POLICY)
    log = base / "logs" / "audit.log"
    server = Server(base / "data", ["--audit-policy-file", str(base / "policy.yaml"),
                                    "--audit-log-path", str(log)]).start()
    kubectl = Kubectl(server, base / "cache")
    kubectl.run("create", "namespace", "audited")
    yield server, kubectl, log
    server.stop()


def test_create_get_delete_at_request_response(audited):
    server, kubectl, log = audited
    kubectl.run("create", "configmap", "settings", "-n", "audited", "--from-literal=color=blue")
    kubectl.run("get", "configmap", "settings", "-n", "audited", "-o", "json")
    kubectl.run("delete", "configmap", "settings", "-n", "audited")
    created = wait_for(lambda: matching(log, verb="create", resource="configmaps",
                                        namespace="audited"), timeout=30)
    stages = [e["stage"] for e in created]
    assert stages == ["RequestReceived", "ResponseComplete"]
    complete = created[-1]
    assert complete["level"] == "RequestResponse"
    assert complete["auditID"] == created[0]["auditID"]
    assert complete["objectRef"] == {"resource": "configmaps", "namespace": "audited",
                                     "name": "settings", "apiVersion": "v1"}
    assert complete["requestObject"]["data"] == {"color": "blue"}
    assert complete["responseObject"]["metadata"]["uid"]
    assert complete["responseStatus"]["code"] == 201
    assert complete["user"]["username"] == "admin"
    assert "system:masters" in complete["user"]["groups"]
    assert complete["sourceIPs"] == ["127.0.0.1"]
    assert complete["annotations"]["authorization.k8s.io/decision"] == "allow"
    assert complete["userAgent"].startswith("kubectl")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", complete["stageTimestamp"])
    assert complete["requestReceivedTimestamp"] <= complete["stageTimestamp"]
    got = wait_for(lambda: [e for e in matching(log, verb="get", name="settings")
                            if e["stage"] == "ResponseComplete"], timeout=30)
    assert got[0]["responseObject"]["data"] == {"color": "blue"}
    deleted = wait_for(lambda: [e for e in matching(log, verb="delete", name="settings")
                                if e["stage"] == "ResponseComplete"], timeout=30)
    assert deleted[0]["responseStatus"]["code"] == 200
    # a configmap elsewhere is at Request level: its body, not the response
    kubectl.run("create", "configmap", "plain", "--from-literal=a=b")
    other = wait_for(lambda: [e for e in matching(log, verb="create", name="plain")
                              if e["stage"] == "ResponseComplete"], timeout=30)[0]
    assert other["level"] == "Request" and "requestObject" in other
    assert "responseObject" not in other


def test_secret_data_never_at_metadata_level(audited):
    server, kubectl, log = audited
    kubectl.run("create", "secret", "generic", "creds", f"--from-literal=password={SECRET_VALUE}")
    kubectl.run("get", "secret", "creds", "-o", "yaml")
    kubectl.run("delete", "secret", "creds")
    wait_for(lambda: matching(log, verb="delete", name="creds", resource="secrets"), timeout=30)
    secret_events = matching(log, resource="secrets", name="creds")
    assert {e["verb"] for e in secret_events} >= {"create", "get", "delete"}
    assert all(e["level"] == "Metadata" for e in secret_events)
    # the rule omits RequestReceived for secrets
    assert all(e["stage"] != "RequestReceived" for e in matching(log, resource="secrets"))
    text = log.read_text()
    assert SECRET_VALUE not in text
    assert base64.b64encode(SECRET_VALUE.encode()).decode() not in text


def test_audit_id_header_matches_the_event(audited):
    server, kubectl, log = audited
    verbose = kubectl.run("get", "namespace", "audited", "-v=8")
    ids = re.findall(r"Audit-Id: ([0-9a-f-]{36})", verbose.stderr)
    assert ids, verbose.stderr[-2000:]
    wanted = ids[-1]
    event = wait_for(lambda: [e for e in events(log) if e["auditID"] == wanted
                              and e["stage"] == "ResponseComplete"], timeout=30)[0]
    assert event["verb"] == "get" and event["objectRef"]["name"] == "audited"


def test_watch_logs_response_started(audited):
    server, kubectl, log = audited
    watch = subprocess.Popen(
        [kubectl.binary, "--cache-dir", str(kubectl.cache_dir), "get", "configmaps", "-n",
         "audited", "--watch"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={"KUBECONFIG": str(server.kubeconfig), "PATH": "/usr/bin:/bin"})
    try:
        started = wait_for(lambda: [e for e in matching(log, verb="watch", namespace="audited")
                                    if e["stage"] == "ResponseStarted"], timeout=30)
    finally:
        watch.terminate()
        watch.wait(10)
    audit_id = started[0]["auditID"]
    # the server notices the watcher has gone when it next writes to it
    kubectl.run("create", "configmap", f"wake-{uuid.uuid4().hex[:6]}", "-n", "audited")
    complete = wait_for(lambda: [e for e in events(log) if e["auditID"] == audit_id
                                 and e["stage"] == "ResponseComplete"], timeout=30)
    assert complete[0]["responseStatus"]["code"] == 200
    assert [e["stage"] for e in events(log) if e["auditID"] == audit_id] == [
        "RequestReceived", "ResponseStarted", "ResponseComplete"]


def test_bad_credentials_are_logged(audited):
    server, kubectl, log = audited
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    request = urllib.request.Request(server.url + "/api/v1/namespaces",
                                     headers={"Authorization": "Bearer not-a-real-token",
                                              "Audit-ID": "client-chosen-id"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, context=context, timeout=10)
    assert caught.value.code == 401
    assert caught.value.headers["Audit-Id"] == "client-chosen-id"
    event = wait_for(lambda: [e for e in events(log) if e["auditID"] == "client-chosen-id"
                              and e["stage"] == "ResponseComplete"], timeout=30)[0]
    assert event["responseStatus"]["code"] == 401
    assert event["user"] == {}


def test_rotation_and_global_omit_stages(tmp_path):
    (tmp_path / "policy.yaml").write_text(
        "apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\n"
        "rules:\n  - level: RequestResponse\n")
    log = tmp_path / "audit.log"
    server = Server(tmp_path / "data", [
        "--audit-policy-file", str(tmp_path / "policy.yaml"), "--audit-log-path", str(log),
        "--audit-log-maxsize", "1", "--audit-log-maxbackup", "2"]).start()
    try:
        kubectl = Kubectl(server, tmp_path / "cache")
        big = "x" * 200_000
        manifest = tmp_path / "big.yaml"
        for i in range(12):  # each create logs its body twice: ~4.8 MB in all
            manifest.write_text(json.dumps({"apiVersion": "v1", "kind": "ConfigMap",
                                            "metadata": {"name": f"big-{i}"},
                                            "data": {"blob": big}}))
            kubectl.run("create", "-f", str(manifest))
        wait_for(lambda: len([p for p in tmp_path.iterdir() if BACKUP.fullmatch(p.name)]) == 2,
                 timeout=60)
    finally:
        server.stop()
    backups = sorted(p for p in tmp_path.iterdir() if BACKUP.fullmatch(p.name))
    assert len(backups) == 2  # more rotations happened; only two backups are kept
    for path in [*backups, log]:
        assert path.stat().st_size <= 1024 * 1024
        for event in events(path):
            assert event["stage"] != "RequestReceived"
    creates = [e for p in [*backups, log] for e in events(p)
               if e["verb"] == "create" and e["objectRef"]["resource"] == "configmaps"]
    assert "big-11" in {e["objectRef"]["name"] for e in creates}  # written before shutdown


def test_impersonation_logs_both_users(audited):
    server, kubectl, log = audited
    result = kubectl.run("get", "namespace", "audited", "--as=bob", "--as-group=devs", "-v=8",
                         check=False)
    audit_id = re.findall(r"Audit-Id: ([0-9a-f-]{36})", result.stderr)[-1]
    event = wait_for(lambda: [e for e in events(log) if e["auditID"] == audit_id
                              and e["stage"] == "ResponseComplete"], timeout=30)[0]
    assert event["user"]["username"] == "admin"
    assert event["impersonatedUser"]["username"] == "bob"
    assert "devs" in event["impersonatedUser"]["groups"]
