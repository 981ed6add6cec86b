# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The OpenAPI v3/v2 documents: what kubectl's explain, validation detection and
client-side apply look for."""
import orjson
import pytest

from kybernetes.api import crd
from kybernetes.api.openapi import OpenAPIDocuments, custom_definition_name, gv_path
from kybernetes.api.resources import BUILTIN, Registry, builtin_registry

SCHEMAS = "#/components/schemas/"

CRONTAB_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "crontabs.stable.example.com"},
    "spec": {
        "group": "stable.example.com", "scope": "Namespaced",
        "names": {"plural": "crontabs", "singular": "crontab", "kind": "CronTab",
                  "shortNames": ["ct"]},
        "versions": [{
            "name": "v1", "served": True, "storage": True,
            "subresources": {"status": {}},
            "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                "spec": {"type": "object", "description": "the crontab spec", "properties": {
                    "cronSpec": {"type": "string"}, "replicas": {"type": "integer"}}}}}},
        }],
    },
}


@pytest.fixture(scope="module")
def docs():
    return OpenAPIDocuments(builtin_registry())


def load(docs, path):
    body, digest = docs.v3_document(path)
    return orjson.loads(body)


def test_root_lists_every_group_version_with_its_hash(docs):
    root = docs.v3_root()
    expected = {gv_path(rt.group, rt.version) for rt in BUILTIN}
    assert set(root["paths"]) == expected
    assert "api/v1" in root["paths"] and "apis/apps/v1" in root["paths"]
    url = root["paths"]["apis/apps/v1"]["serverRelativeURL"]
    _, digest = docs.v3_document("apis/apps/v1")
    assert url == f"/openapi/v3/apis/apps/v1?hash={digest}"
    assert docs.v3_document("apis/nope/v1") is None


def test_documents_are_cached_and_hash_is_stable(docs):
    first = docs.v3_document("apis/apps/v1")
    assert docs.v3_document("apis/apps/v1") is first
    fresh = OpenAPIDocuments(builtin_registry()).v3_document("apis/apps/v1")
    assert fresh[1] == first[1]


def test_deployment_patch_operation_is_what_kubectl_looks_for(docs):
    doc = load(docs, "apis/apps/v1")
    item = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]
    patch = item["patch"]
    assert patch["x-kubernetes-group-version-kind"] == {
        "group": "apps", "version": "v1", "kind": "Deployment"}
    names = {(p["name"], p["in"]) for p in patch["parameters"]}
    assert ("fieldValidation", "query") in names
    assert set(patch["requestBody"]["content"]) == {
        "application/json-patch+json", "application/merge-patch+json",
        "application/strategic-merge-patch+json", "application/apply-patch+yaml"}
    assert {"get", "put", "patch", "delete"} <= set(item)
    collection = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments"]
    assert {"get", "post", "delete"} <= set(collection)
    assert any(p["name"] == "fieldValidation" for p in collection["post"]["parameters"])
    assert any(p["name"] == "fieldValidation" for p in item["put"]["parameters"])
    assert "/apis/apps/v1/deployments" in doc["paths"]
    assert "/apis/apps/v1/watch/namespaces/{namespace}/deployments/{name}" in doc["paths"]
    scale = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]
    assert scale["patch"]["x-kubernetes-group-version-kind"]["kind"] == "Scale"
    assert "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status" in doc["paths"]


def test_cluster_scoped_paths_have_no_namespace(docs):
    doc = load(docs, "api/v1")
    assert "/api/v1/nodes/{name}" in doc["paths"]
    assert not any("namespaces/{namespace}/nodes" in p for p in doc["paths"])
    assert "/api/v1/namespaces/{namespace}/pods/{name}/log" in doc["paths"]


def collect_refs(node, out):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            out.add(ref)
        for value in node.values():
            collect_refs(value, out)
    elif isinstance(node, list):
        for value in node:
            collect_refs(value, out)
    return out


@pytest.mark.parametrize("path", ["api/v1", "apis/apps/v1", "apis/batch/v1",
                                  "apis/apiextensions.k8s.io/v1"])
def test_every_ref_resolves_within_the_document(docs, path):
    doc = load(docs, path)
    schemas = doc["components"]["schemas"]
    refs = collect_refs(doc, set())
    assert refs
    for ref in refs:
        assert ref.startswith(SCHEMAS), ref
        assert ref[len(SCHEMAS):] in schemas, ref
    for name in ("Status", "DeleteOptions", "Patch", "WatchEvent"):
        assert "io.k8s.apimachinery.pkg.apis.meta.v1." + name in schemas


def test_explain_deployment_spec_strategy_can_be_walked(docs):
    schemas = load(docs, "apis/apps/v1")["components"]["schemas"]
    deployment = schemas["io.k8s.api.apps.v1.Deployment"]
    assert deployment["x-kubernetes-group-version-kind"] == [
        {"group": "apps", "kind": "Deployment", "version": "v1"}]
    assert "enum" not in deployment["properties"]["apiVersion"]
    spec = deployment["properties"]["spec"]
    # a ref with its own description is wrapped so explain keeps the description
    assert spec["allOf"] == [{"$ref": SCHEMAS + "io.k8s.api.apps.v1.DeploymentSpec"}]
    assert spec["description"]
    strategy = schemas["io.k8s.api.apps.v1.DeploymentSpec"]["properties"]["strategy"]
    target = strategy["allOf"][0]["$ref"][len(SCHEMAS):]
    assert set(schemas[target]["properties"]) == {"type", "rollingUpdate"}
    assert "io.k8s.api.apps.v1.DeploymentList" in schemas
    containers = schemas["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"]
    assert containers["x-kubernetes-patch-merge-key"] == "name"


def test_v2_document_uses_definitions_refs(docs):
    doc = orjson.loads(docs.v2_document())
    assert doc["swagger"] == "2.0"
    assert "io.k8s.api.core.v1.Pod" in doc["definitions"]
    patch = doc["paths"]["/api/v1/namespaces/{namespace}/pods/{name}"]["patch"]
    assert "application/strategic-merge-patch+json" in patch["consumes"]
    assert any(p["name"] == "fieldValidation" for p in patch["parameters"])
    for ref in collect_refs(doc, set()):
        assert ref.startswith("#/definitions/")
        assert ref[len("#/definitions/"):] in doc["definitions"]


def test_custom_resource_version_is_published_with_its_schema():
    registry = Registry(list(BUILTIN))
    docs = OpenAPIDocuments(registry)
    assert "apis/stable.example.com/v1" not in docs.v3_root()["paths"]
    for rt in crd.resource_types(CRONTAB_CRD):
        registry.register(rt)
    docs.invalidate()
    root = docs.v3_root()
    assert "apis/stable.example.com/v1" in root["paths"]
    doc = load(docs, "apis/stable.example.com/v1")
    name = custom_definition_name("stable.example.com", "v1", "CronTab")
    assert name == "com.example.stable.v1.CronTab"
    schemas = doc["components"]["schemas"]
    kind = schemas[name]
    assert kind["properties"]["spec"]["properties"]["cronSpec"] == {"type": "string"}
    assert kind["properties"]["metadata"]["allOf"] == [
        {"$ref": SCHEMAS + "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}]
    assert kind["x-kubernetes-group-version-kind"] == [
        {"group": "stable.example.com", "kind": "CronTab", "version": "v1"}]
    assert "com.example.stable.v1.CronTabList" in schemas
    item = doc["paths"]["/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}"]
    patch = item["patch"]
    assert patch["x-kubernetes-group-version-kind"]["kind"] == "CronTab"
    assert "application/strategic-merge-patch+json" not in patch["requestBody"]["content"]
    assert any(p["name"] == "fieldValidation" for p in patch["parameters"])
    assert ("/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}/status"
            in doc["paths"])
    for ref in collect_refs(doc, set()):
        assert ref[len(SCHEMAS):] in schemas
    assert name in orjson.loads(docs.v2_document())["definitions"]
