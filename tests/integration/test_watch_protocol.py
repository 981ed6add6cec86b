# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Watch as client-go and kubectl use it: framing, bookmarks, initial events, Tables,
timeouts and resourceVersion semantics."""
from __future__ import annotations

import json

import pytest
import urllib3

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"


@pytest.fixture(scope="module")
def http(server):
    pki = server.data_dir / "pki"
    return urllib3.PoolManager(cert_reqs="CERT_REQUIRED", ca_certs=str(pki / "ca.crt"),
                               cert_file=str(pki / "admin.crt"), key_file=str(pki / "admin.key"))


def create(http, server, namespace: str, name: str) -> dict:
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": {"w": "1"}}}
    response = http.request("POST", f"{server.url}/api/v1/namespaces/{namespace}/configmaps",
                            body=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    assert response.status == 201
    return json.loads(response.data)


def watch_lines(http, server, path: str, accept: str = "application/json") -> list[dict]:
    response = http.request("GET", server.url + path, headers={"Accept": accept},
                            preload_content=False)
    assert response.status == 200
    lines = [json.loads(line) for line in response.data.split(b"\n") if line.strip()]
    response.release_conn()
    return lines


def test_initial_events_then_bookmark(http, server, namespace):
    for name in ("a", "b"):
        create(http, server, namespace, name)
    events = watch_lines(http, server, f"/api/v1/namespaces/{namespace}/configmaps?watch=true"
                         "&sendInitialEvents=true&resourceVersionMatch=NotOlderThan"
                         "&allowWatchBookmarks=true&timeoutSeconds=1")
    assert [(e["type"], e["object"]["metadata"].get("name")) for e in events[:2]] == [
        ("ADDED", "a"), ("ADDED", "b")]
    bookmark = events[2]
    assert bookmark["type"] == "BOOKMARK"
    assert bookmark["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert int(bookmark["object"]["metadata"]["resourceVersion"]) >= int(
        events[1]["object"]["metadata"]["resourceVersion"])


def test_watch_from_resource_version_sees_only_later_changes(http, server, namespace):
    first = create(http, server, namespace, "first")
    create(http, server, namespace, "second")
    rv = first["metadata"]["resourceVersion"]
    events = watch_lines(http, server, f"/api/v1/namespaces/{namespace}/configmaps?watch=true"
                         f"&resourceVersion={rv}&timeoutSeconds=1")
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [("ADDED", "second")]


def test_watch_by_name_replays_current_object(http, server, namespace):
    create(http, server, namespace, "one")
    create(http, server, namespace, "two")
    events = watch_lines(http, server, f"/api/v1/namespaces/{namespace}/configmaps?watch=true"
                         "&fieldSelector=metadata.name%3Dtwo&resourceVersion=0&timeoutSeconds=1")
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [("ADDED", "two")]


def test_table_watch(http, server, namespace):
    create(http, server, namespace, "t1")
    create(http, server, namespace, "t2")
    events = watch_lines(http, server, f"/api/v1/namespaces/{namespace}/configmaps?watch=true"
                         "&timeoutSeconds=1", accept=TABLE)
    assert [e["object"]["kind"] for e in events] == ["Table", "Table"]
    assert events[0]["object"]["columnDefinitions"][0]["name"] == "Name"
    assert events[1]["object"]["columnDefinitions"] is None
    assert events[0]["object"]["rows"][0]["cells"][0] == "t1"


def test_future_resource_version_is_refused(http, server, namespace):
    response = http.request("GET", f"{server.url}/api/v1/namespaces/{namespace}/configmaps"
                            "?resourceVersion=999999999&resourceVersionMatch=NotOlderThan")
    assert response.status == 504
    body = json.loads(response.data)
    assert body["details"]["causes"][0]["reason"] == "ResourceVersionTooLarge"


def test_label_selector_transitions_on_watch(http, server, namespace):
    obj = create(http, server, namespace, "moves")
    rv = obj["metadata"]["resourceVersion"]
    patch = {"metadata": {"labels": {"w": "2"}}}
    response = http.request("PATCH", f"{server.url}/api/v1/namespaces/{namespace}/configmaps/moves",
                            body=json.dumps(patch).encode(),
                            headers={"Content-Type": "application/merge-patch+json"})
    assert response.status == 200
    events = watch_lines(http, server, f"/api/v1/namespaces/{namespace}/configmaps?watch=true"
                         f"&labelSelector=w%3D1&resourceVersion={rv}&timeoutSeconds=1")
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [("DELETED", "moves")]
