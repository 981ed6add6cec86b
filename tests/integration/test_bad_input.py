# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Bad input gets the Status upstream gives, with the field at fault, and writes nothing."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import urllib3

from tests.integration.conftest import Kubectl

STATUS_KEYS = ["kind", "apiVersion", "metadata", "status", "message", "reason", "details", "code"]


@pytest.fixture(scope="module")
def http(server):
    pki = server.data_dir / "pki"
    return urllib3.PoolManager(cert_reqs="CERT_REQUIRED", ca_certs=str(pki / "ca.crt"),
                               cert_file=str(pki / "admin.crt"), key_file=str(pki / "admin.key"))


def request(http, server, method: str, path: str, body: bytes | str | None = None,
            content_type: str = "application/json", **headers) -> tuple[int, dict]:
    if isinstance(body, str):
        body = body.encode()
    response = http.request(method, server.url + path, body=body,
                            headers={"Content-Type": content_type, **headers})
    try:
        return response.status, json.loads(response.data)
    except ValueError:
        return response.status, {"raw": response.data.decode(errors="replace")}


def assert_nothing_stored(http, server, namespace: str, resource: str = "configmaps") -> None:
    status, body = request(http, server, "GET", f"/api/v1/namespaces/{namespace}/{resource}")
    assert status == 200 and body["items"] == []


def test_malformed_json(http, server, namespace):
    status, body = request(http, server, "POST", f"/api/v1/namespaces/{namespace}/configmaps",
                           '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {')
    assert status == 400 and body["reason"] == "BadRequest"
    assert list(body) == [k for k in STATUS_KEYS if k in body]
    assert "json parse error" in body["message"]
    assert_nothing_stored(http, server, namespace)


def test_malformed_yaml_body(http, server, namespace):
    status, body = request(http, server, "POST", f"/api/v1/namespaces/{namespace}/configmaps",
                           "kind: ConfigMap\n  metadata: [\n", content_type="application/yaml")
    assert status == 400 and "YAML" in body["message"]
    assert_nothing_stored(http, server, namespace)


def test_wrong_kind_for_endpoint(http, server, namespace):
    status, body = request(http, server, "POST", f"/api/v1/namespaces/{namespace}/configmaps",
                           json.dumps({"apiVersion": "v1", "kind": "Secret",
                                       "metadata": {"name": "x"}}))
    assert status == 400 and body["reason"] == "BadRequest"
    assert_nothing_stored(http, server, namespace)


def test_kind_and_api_version_default_to_the_endpoints(http, server, namespace):
    status, body = request(http, server, "POST", f"/api/v1/namespaces/{namespace}/configmaps",
                           json.dumps({"metadata": {"name": "bare"}, "data": {"a": "b"}}))
    assert status == 201 and body["kind"] == "ConfigMap" and body["apiVersion"] == "v1"
    status, body = request(http, server, "POST", f"/apis/apps/v1/namespaces/{namespace}/deployments",
                           json.dumps({"kind": "Deployment", "metadata": {"name": "bare"}, "spec": {
                               "selector": {"matchLabels": {"a": "b"}}, "template": {
                                   "metadata": {"labels": {"a": "b"}},
                                   "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}))
    assert status == 201 and body["apiVersion"] == "apps/v1"


def test_unknown_resource_and_group(http, server):
    status, body = request(http, server, "GET", "/apis/extensions/v1beta1/ingresses")
    assert status == 404 and body["reason"] == "NotFound"
    status, body = request(http, server, "GET", "/api/v1/widgets")
    assert status == 404


def test_strict_field_validation(http, server, namespace):
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "labelz": {}},
          "data": {"a": "b"}, "extra": 1}
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    status, body = request(http, server, "POST", path + "?fieldValidation=Strict", json.dumps(cm))
    assert status == 400
    assert body["message"] == ('ConfigMap in version "v1" cannot be handled as a ConfigMap: '
                               'strict decoding error: unknown field "metadata.labelz", '
                               'unknown field "extra"')
    assert_nothing_stored(http, server, namespace)
    response = http.request("POST", server.url + path + "?fieldValidation=Warn",
                            body=json.dumps(cm).encode(),
                            headers={"Content-Type": "application/json"})
    assert response.status == 201
    assert 'unknown field \\"extra\\"' in response.headers["Warning"]
    stored = json.loads(response.data)
    assert "extra" not in stored and "labelz" not in stored["metadata"]


def test_kubectl_strict_unknown_field(kubectl: Kubectl, namespace: str, tmp_path: Path):
    manifest = tmp_path / "bad.yaml"
    manifest.write_text("""
apiVersion: apps/v1
kind: Deployment
metadata: {name: typo}
spec:
  replicas: 1
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      containers:
      - name: c
        image: nginx
        imagePullPolice: Always
""")
    result = kubectl.run("apply", "-n", namespace, "-f", str(manifest), check=False)
    assert result.returncode == 1
    assert ('Error from server (BadRequest): error when creating "' in result.stderr and
            'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: '
            'unknown field "spec.template.spec.containers[0].imagePullPolice"' in result.stderr)
    assert "Traceback" not in result.stderr
    assert kubectl.run("get", "deploy", "-n", namespace, "-o", "name").stdout == ""


def test_missing_required_field_is_invalid(http, server, namespace):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "noimage"},
           "spec": {"containers": [{"name": "c"}]}}
    status, body = request(http, server, "POST", f"/api/v1/namespaces/{namespace}/pods",
                           json.dumps(pod))
    assert status == 422 and body["reason"] == "Invalid"
    assert body["message"] == 'Pod "noimage" is invalid: spec.containers[0].image: Required value'
    assert body["details"]["causes"] == [{"reason": "FieldValueRequired",
                                          "message": "Required value",
                                          "field": "spec.containers[0].image"}]
    assert body["details"]["kind"] == "Pod" and body["details"]["name"] == "noimage"
    assert "group" not in body["details"]
    assert_nothing_stored(http, server, namespace, "pods")


def test_invalid_name(kubectl: Kubectl, namespace: str):
    result = kubectl.run("create", "configmap", "Bad_Name", "-n", namespace, check=False)
    assert result.returncode == 1
    # kubectl's typed create prefixes the server's message with its own words
    assert 'error: failed to create configmap: ConfigMap "Bad_Name" is invalid: metadata.name: ' \
           'Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of' in result.stderr


def test_invalid_deployment_selector(kubectl: Kubectl, namespace: str):
    manifest = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: mismatch}
spec:
  replicas: -1
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: b}}
    spec:
      containers: [{name: c, image: nginx}]
"""
    result = kubectl.run("create", "-n", namespace, "-f", "-", input=manifest, check=False)
    assert result.returncode == 1
    assert 'The Deployment "mismatch" is invalid' in result.stderr
    assert "spec.replicas: Invalid value: -1: must be greater than or equal to 0" in result.stderr
    assert "`selector` does not match template `labels`" in result.stderr


def test_immutable_field(kubectl: Kubectl, namespace: str):
    kubectl.run("create", "deployment", "imm", "--image=nginx", "-n", namespace)
    result = kubectl.run("patch", "deployment", "imm", "-n", namespace, "-p",
                         '{"spec":{"selector":{"matchLabels":{"app":"other"}},'
                         '"template":{"metadata":{"labels":{"app":"other"}}}}}', check=False)
    assert result.returncode == 1
    assert "field is immutable" in result.stderr
    assert kubectl.json("get", "deploy", "imm", "-n", namespace)["spec"]["selector"] == {
        "matchLabels": {"app": "imm"}}


def test_body_over_3mib(http, server, namespace):
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "big"},
          "data": {"a": "x" * (3 * 1024 * 1024 + 10)}}
    status, body = request(http, server, "POST", f"/api/v1/namespaces/{namespace}/configmaps",
                           json.dumps(cm))
    assert status == 413 and body["reason"] == "RequestEntityTooLarge"
    assert_nothing_stored(http, server, namespace)


def test_bad_query_parameters(http, server, namespace):
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    status, body = request(http, server, "GET", path + "?labelSelector=a%20in%20(")
    assert status == 400
    status, body = request(http, server, "GET", path + "?resourceVersionMatch=Exact")
    assert status == 422 and body["details"]["causes"][0]["field"] == "resourceVersionMatch"
    status, body = request(http, server, "GET", path + "?watch=true&sendInitialEvents=true")
    assert status == 422
    status, body = request(http, server, "POST", path + "?dryRun=Some", "{}")
    assert status == 400


def test_unsupported_patch_type(http, server, namespace):
    request(http, server, "POST", f"/api/v1/namespaces/{namespace}/configmaps",
            json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "p"}}))
    status, body = request(http, server, "PATCH", f"/api/v1/namespaces/{namespace}/configmaps/p",
                           "{}", content_type="text/plain")
    assert status == 415 and body["reason"] == "UnsupportedMediaType"


def test_anonymous_requests_are_forbidden_beyond_public_info(server):
    """No credential at all is system:anonymous (anonymous auth is on, as upstream), which
    RBAC lets read only the public info endpoints; a bad credential is always 401."""
    pki = server.data_dir / "pki"
    anonymous = urllib3.PoolManager(cert_reqs="CERT_REQUIRED", ca_certs=str(pki / "ca.crt"))
    response = anonymous.request("GET", server.url + "/api/v1/namespaces")
    assert response.status == 403
    body = json.loads(response.data)
    assert body["reason"] == "Forbidden"
    assert body["message"] == ('namespaces is forbidden: User "system:anonymous" cannot list '
                               'resource "namespaces" in API group "" at the cluster scope')
    version = anonymous.request("GET", server.url + "/version")
    assert version.status == 200 and json.loads(version.data)["minor"] == "32"
    assert anonymous.request("GET", server.url + "/readyz").data == b"ok"
    forged = anonymous.request("GET", server.url + "/api/v1/namespaces",
                               headers={"Authorization": "Bearer not-a-real-token"})
    assert forged.status == 401 and json.loads(forged.data)["reason"] == "Unauthorized"


def test_kubectl_without_credentials(kubectl: Kubectl, tmp_path: Path):
    config = tmp_path / "anon.kubeconfig"
    ca = (kubectl.server.data_dir / "pki" / "ca.crt").read_text()
    import base64
    config.write_text(f"""
apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: {kubectl.server.url}
    certificate-authority-data: {base64.b64encode(ca.encode()).decode()}
users:
- name: u
  user: {{token: not-a-real-token}}
contexts:
- name: x
  context: {{cluster: c, user: u}}
current-context: x
""")
    result = kubectl.run("get", "pods", env={"KUBECONFIG": str(config)}, check=False)
    assert result.returncode == 1
    assert "You must be logged in to the server" in result.stderr


def test_metrics_endpoint(http, server):
    response = http.request("GET", server.url + "/metrics")
    text = response.data.decode()
    assert response.status == 200
    assert "# TYPE apiserver_request_total counter" in text
    assert 'apiserver_request_total{code="200"' in text
    assert "process_resident_memory_bytes" in text


