# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Audit: policy parsing and rule matching (first match wins), events per level and
stage, and the log file's rotation with upstream's backup names."""
from __future__ import annotations

import gzip
import json
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from kybernetes.apiserver import audit
from kybernetes.apiserver.audit_log import (AuditLogBackend, RotatingFile, backup_name,
                                            backup_time)

ADMIN = {"name": "admin", "groups": ["system:masters", "system:authenticated"]}
ALICE = {"name": "alice", "uid": "u-1", "groups": ["dev", "system:authenticated"]}
NODE = {"name": "system:node:n1", "groups": ["system:nodes", "system:authenticated"]}


def policy(*rules, **top) -> audit.Policy:
    return audit.parse_policy({"apiVersion": "audit.k8s.io/v1", "kind": "Policy",
                               "rules": list(rules), **top})


def resource(user, verb, resource, namespace="default", name="", group="", subresource=""):
    return audit.Attributes(user=user, verb=verb, path="/api/...", resource_request=True,
                            group=group, resource=resource, subresource=subresource,
                            namespace=namespace, name=name)


def non_resource(user, path, verb="get"):
    return audit.Attributes(user=user, verb=verb, path=path)


SEED_STYLE = policy(
    {"level": "None", "users": ["system:kube-proxy"], "verbs": ["watch"],
     "resources": [{"group": "", "resources": ["endpoints", "services"]}]},
    {"level": "None", "nonResourceURLs": ["/healthz*", "/version"]},
    {"level": "None", "userGroups": ["system:nodes"], "verbs": ["get"],
     "resources": [{"group": "", "resources": ["nodes/status"]}]},
    {"level": "Metadata", "resources": [{"group": "", "resources": ["secrets", "configmaps"]}]},
    {"level": "Request", "verbs": ["get", "list", "watch"], "resources": [{"group": "apps"}]},
    {"level": "RequestResponse", "namespaces": ["audited"]},
    {"level": "Metadata", "resources": [{"group": "", "resources": ["pods/*"]}],
     "omitStages": ["ResponseStarted"]},
    {"level": "Request", "resources": [{"group": "", "resources": ["*/scale"]}]},
    {"level": "RequestResponse", "resources": [
        {"group": "", "resources": ["configmaps"], "resourceNames": ["special"]}]},
    {"level": "Metadata"},
    omitStages=["RequestReceived"])


@pytest.mark.parametrize("attrs, level", [
    (resource({"name": "system:kube-proxy", "groups": []}, "watch", "endpoints"), "None"),
    (resource({"name": "system:kube-proxy", "groups": []}, "list", "endpoints"), "Metadata"),
    (non_resource(ADMIN, "/healthz"), "None"),
    (non_resource(ADMIN, "/healthz/etcd"), "None"),
    (non_resource(ADMIN, "/version"), "None"),
    (non_resource(ADMIN, "/versions"), "Metadata"),
    (resource(NODE, "get", "nodes", namespace="", subresource="status"), "None"),
    (resource(NODE, "update", "nodes", namespace="", subresource="status"), "Metadata"),
    (resource(ALICE, "create", "secrets"), "Metadata"),
    (resource(ALICE, "get", "secrets", namespace="audited"), "Metadata"),  # earlier rule wins
    (resource(ALICE, "list", "deployments", group="apps"), "Request"),
    (resource(ALICE, "delete", "deployments", group="apps"), "Metadata"),
    (resource(ALICE, "create", "pods", namespace="audited"), "RequestResponse"),
    (resource(ALICE, "create", "pods", subresource="exec"), "Metadata"),
    (resource(ALICE, "update", "deployments", group="apps", subresource="scale"), "Metadata"),
    (resource(ALICE, "update", "replicationcontrollers", subresource="scale"), "Request"),
    (resource(ALICE, "get", "pods"), "Metadata"),
])
def test_first_matching_rule_wins(attrs, level):
    assert SEED_STYLE.evaluate(attrs).level == level


def test_resource_names_and_namespaces():
    p = policy({"level": "RequestResponse", "resources": [
        {"group": "", "resources": ["configmaps"], "resourceNames": ["special"]}]},
        {"level": "Request", "namespaces": [""]})
    assert p.evaluate(resource(ALICE, "get", "configmaps", name="special")).level == "RequestResponse"
    assert p.evaluate(resource(ALICE, "get", "configmaps", name="other")).level == "None"
    assert p.evaluate(resource(ALICE, "get", "nodes", namespace="")).level == "Request"
    assert p.evaluate(non_resource(ALICE, "/api")).level == "None"  # resource rules only


def test_no_rule_matches_means_none():
    p = policy({"level": "Metadata", "users": ["bob"]})
    assert p.evaluate(resource(ALICE, "get", "pods")).level == "None"


def test_omit_stages_add_up_and_managed_fields_follow_the_rule():
    p = policy({"level": "Request", "omitStages": ["ResponseStarted"], "omitManagedFields": False},
               {"level": "Metadata"}, omitStages=["RequestReceived"], omitManagedFields=True)
    first = p.evaluate(resource(ALICE, "get", "pods"))
    assert first.omit_stages == {"RequestReceived", "ResponseStarted"}
    assert first.omit_managed_fields is False
    p2 = policy({"level": "Request"}, omitManagedFields=True)
    assert p2.evaluate(resource(ALICE, "get", "pods")).omit_managed_fields is True


@pytest.mark.parametrize("document, message", [
    ({"apiVersion": "audit.k8s.io/v1beta1", "kind": "Policy", "rules": []},
     "use apiVersion: audit.k8s.io/v1 with kind: Policy"),
    ({"apiVersion": "audit.k8s.io/v1", "kind": "Policy", "rules": [{"level": "Everything"}]},
     'rules[0].level: Unsupported value: "Everything"'),
    ({"apiVersion": "audit.k8s.io/v1", "kind": "Policy", "omitStages": ["Sometimes"],
      "rules": [{"level": "None"}]}, 'omitStages: Unsupported value: "Sometimes"'),
    ({"apiVersion": "audit.k8s.io/v1", "kind": "Policy",
      "rules": [{"level": "None", "nonResourceURLs": ["/x"], "namespaces": ["a"]}]},
     "cannot apply to both regular resources and non-resource URLs"),
    ({"apiVersion": "audit.k8s.io/v1", "kind": "Policy",
      "rules": [{"level": "None", "resources": [{"resourceNames": ["a"]}]}]},
     "resourceNames require a non-empty resource list"),
])
def test_invalid_policies(document, message):
    with pytest.raises(audit.AuditPolicyError, match=None) as caught:
        audit.parse_policy(document)
    assert message in str(caught.value)


def test_policy_file_needs_rules(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("apiVersion: audit.k8s.io/v1\nkind: Policy\n")
    with pytest.raises(audit.AuditPolicyError, match="0 rules"):
        audit.load_policy(path)
    with pytest.raises(audit.AuditPolicyError, match="failed to read"):
        audit.load_policy(tmp_path / "none.yaml")


# ------------------------------------------------------------------ events
def test_verbs_as_upstream():
    assert audit.request_verb("GET", True, True, False) == "get"
    assert audit.request_verb("GET", True, False, False) == "list"
    assert audit.request_verb("GET", True, False, True) == "watch"
    assert audit.request_verb("POST", True, False, False) == "create"
    assert audit.request_verb("PUT", True, True, False) == "update"
    assert audit.request_verb("PATCH", True, True, False) == "patch"
    assert audit.request_verb("DELETE", True, True, False) == "delete"
    assert audit.request_verb("DELETE", True, False, False) == "deletecollection"
    assert audit.request_verb("POST", False, False, False) == "post"


def _event(level, config=None, **extra):
    attrs = resource(ALICE, "create", "secrets")
    return audit.AuditEvent(
        audit_id="id-1", config=config or audit.RequestAuditConfig(level), attrs=attrs,
        request_uri="/api/v1/namespaces/default/secrets", received=1_800_000_000.25,
        source_ips=["127.0.0.1"], user_agent="kubectl/v1.32", api_version="v1",
        object_meta={"name": "s1"},
        request_object={"kind": "Secret", "data": {"password": "c2VjcmV0"}},
        response_object={"kind": "Secret", "data": {"password": "c2VjcmV0"},
                         "metadata": {"name": "s1", "managedFields": [{"manager": "x"}]}},
        response_status=audit.response_status(201, None), **extra)


def test_event_fields_and_order():
    built = _event("Metadata", annotations={"authorization.k8s.io/decision": "allow"}).build(
        "ResponseComplete", 1_800_000_000.5)
    assert list(built) == ["kind", "apiVersion", "level", "auditID", "stage", "requestURI",
                           "verb", "user", "sourceIPs", "userAgent", "objectRef",
                           "responseStatus", "requestReceivedTimestamp", "stageTimestamp",
                           "annotations"]
    assert built["user"] == {"username": "alice", "uid": "u-1",
                             "groups": ["dev", "system:authenticated"]}
    assert built["objectRef"] == {"resource": "secrets", "namespace": "default", "name": "s1",
                                  "apiVersion": "v1"}
    assert built["responseStatus"] == {"metadata": {}, "code": 201}
    assert built["requestReceivedTimestamp"] == "2027-01-15T08:00:00.250000Z"
    assert built["stageTimestamp"] == "2027-01-15T08:00:00.500000Z"


def test_levels_decide_the_bodies():
    assert "c2VjcmV0" not in json.dumps(_event("Metadata").build("ResponseComplete", 0))
    request_level = _event("Request").build("ResponseComplete", 0)
    assert "requestObject" in request_level and "responseObject" not in request_level
    full = _event("RequestResponse").build("ResponseComplete", 0)
    assert full["responseObject"]["metadata"]["managedFields"]
    assert "responseObject" not in _event("RequestResponse").build("ResponseStarted", 0)
    assert "responseStatus" not in _event("RequestResponse").build("RequestReceived", 0)
    trimmed = _event("RequestResponse", config=audit.RequestAuditConfig(
        "RequestResponse", omit_managed_fields=True))
    assert "managedFields" not in trimmed.build("ResponseComplete", 0)["responseObject"]["metadata"]


def test_response_status_copies_status_fields():
    status = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
              "message": 'secrets "x" not found', "reason": "NotFound",
              "details": {"name": "x", "kind": "secrets"}, "code": 404}
    assert audit.response_status(404, status) == {
        "metadata": {}, "status": "Failure", "message": 'secrets "x" not found',
        "reason": "NotFound", "details": {"name": "x", "kind": "secrets"}, "code": 404}


def test_long_running():
    assert audit.is_long_running(resource(ALICE, "watch", "pods"))
    assert audit.is_long_running(resource(ALICE, "create", "pods", subresource="exec"))
    assert not audit.is_long_running(resource(ALICE, "get", "pods"))


# ------------------------------------------------------------------ the log file
def test_backup_names_as_lumberjack():
    when = datetime(2026, 11, 22, 8, 30, 0, 123000, tzinfo=timezone.utc).timestamp()
    name = backup_name(Path("/var/log/audit.log"), when)
    assert name == Path("/var/log/audit-2026-11-22T08-30-00.123.log")
    assert backup_time(Path("/var/log/audit.log"), name.name) == pytest.approx(when)
    assert backup_time(Path("/var/log/audit.log"), "audit.log") is None
    assert backup_time(Path("/var/log/audit.log"), name.name + ".gz") == pytest.approx(when)


def test_rotation_by_size_keeps_max_backups(tmp_path):
    path = tmp_path / "audit.log"
    target = RotatingFile(path, max_size_mb=1, max_backups=2)
    line = b"x" * 1023 + b"\n"
    for _ in range(1024 * 3 + 10):  # a bit over 3 MB: three rotations
        target.write(line)
    target.close()
    backups = target.backups()
    assert len(backups) == 2  # the oldest was removed
    for _, backup in backups:
        assert backup.stat().st_size == 1024 * 1024
    assert path.stat().st_size == 10 * 1024


def test_rotation_removes_old_backups_and_compresses(tmp_path):
    path = tmp_path / "audit.log"
    old = backup_name(path, time.time() - 10 * 86400)
    old.write_text("old\n")
    target = RotatingFile(path, max_size_mb=1, max_age_days=3, compress=True)
    target.write(b"first\n")
    target.rotate()
    target.close()
    assert not old.exists()
    [(_, backup)] = target.backups()
    assert backup.name.endswith(".log.gz")
    assert gzip.decompress(backup.read_bytes()) == b"first\n"


def test_backend_writes_everything_before_close(tmp_path):
    path = tmp_path / "audit.log"
    backend = AuditLogBackend(str(path))
    for i in range(5000):
        backend.process(json.dumps({"n": i}).encode() + b"\n")
    backend.close()
    lines = path.read_text().splitlines()
    assert [json.loads(line)["n"] for line in lines] == list(range(5000))
