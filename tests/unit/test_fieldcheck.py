# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Strict field validation: unknown and duplicate fields, and the messages."""
import orjson

from kybernetes.api.fieldcheck import (
    duplicate_fields, problem_messages, strict_error_message, unknown_fields,
    warning_headers)

DEPLOYMENT = {"$ref": "io.k8s.api.apps.v1.Deployment"}


def deployment(**spec_extra):
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"any-key": "x"},
                     "annotations": {"a/b": "c"}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [
                    {"name": "a", "image": "nginx", "resources": {"limits": {"cpu": "1"}}},
                    {"name": "b", "image": "nginx", "ports": [{"containerPort": 80}]},
                ]},
            },
            **spec_extra,
        },
    }


def test_valid_deployment_has_no_unknown_fields():
    assert unknown_fields(deployment(), DEPLOYMENT) == []


def test_typos_at_several_depths_in_document_order():
    obj = deployment(foo=1)
    obj["metadata"]["nmae"] = "x"
    obj["spec"]["strategy"]["rollingUpdate"]["maxSurg"] = 1
    obj["spec"]["template"]["spec"]["containers"][1]["imagePullPolicyy"] = "Always"
    obj["spec"]["template"]["spec"]["containers"][1]["ports"][0]["hostPortt"] = 1
    obj["bogus"] = True
    assert unknown_fields(obj, DEPLOYMENT) == [
        "metadata.nmae",
        "spec.strategy.rollingUpdate.maxSurg",
        "spec.template.spec.containers[1].ports[0].hostPortt",  # ports came first
        "spec.template.spec.containers[1].imagePullPolicyy",
        "spec.foo",
        "bogus",
    ]


def test_none_schema_checks_nothing():
    assert unknown_fields({"whatever": 1}, None) == []


def test_strategic_merge_directives_are_not_fields():
    patch = {
        "metadata": {"labels": {"x": None}},
        "spec": {
            "$retainKeys": ["type"],
            "strategy": {"$retainKeys": ["type"], "type": "Recreate"},
            "template": {"spec": {
                "$setElementOrder/containers": [{"name": "a"}, {"name": "b"}],
                "containers": [{"name": "a", "$deleteFromPrimitiveList/args": ["x"],
                                "image": "busybox"},
                               {"name": "c", "$patch": "delete"}],
            }},
        },
    }
    assert unknown_fields(patch, DEPLOYMENT) == []
    assert unknown_fields(patch, DEPLOYMENT, skip_directives=False) != []


def test_opaque_objects_accept_anything():
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "a.b.c"},
           "spec": {"versions": [{"name": "v1", "schema": {"openAPIV3Schema": {
               "type": "object", "default": {"anything": 1},
               "properties": {"x": {"x-kubernetes-preserve-unknown-fields": True}}}}}]}}
    schema = {"$ref": "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1."
                      "CustomResourceDefinition"}
    assert unknown_fields(crd, schema) == []
    crd["spec"]["versions"][0]["schemaa"] = {}
    assert unknown_fields(crd, schema) == ["spec.versions[0].schemaa"]


def test_custom_schema_with_preserve_unknown_fields():
    schema = {"type": "object", "properties": {
        "spec": {"type": "object", "properties": {
            "known": {"type": "string"},
            "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
            "tags": {"type": "object", "additionalProperties": {"type": "string"}},
            "items": {"type": "array", "items": {"type": "object", "properties": {
                "name": {"type": "string"}}}},
        }}}}
    obj = {"apiVersion": "x/v1", "kind": "X", "metadata": {"name": "a", "labelz": {}},
           "spec": {"known": "y", "free": {"a": {"b": 1}}, "tags": {"k": "v"},
                    "items": [{"name": "n", "extra": 1}], "other": 2}}
    assert unknown_fields(obj, schema) == [
        "metadata.labelz", "spec.items[0].extra", "spec.other"]


def test_duplicate_fields_with_paths():
    body = (b'{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","name":"b",'
            b'"labels":{"x":"1","x":"2"}},"spec":{"containers":[{"name":"c",'
            b'"image":"i","image":"j"}],"s":"q\\"uo\\u00e9","s":1}}')
    orjson.loads(body)
    assert duplicate_fields(body) == [
        "metadata.name", "metadata.labels.x", "spec.containers[0].image", "spec.s"]
    assert duplicate_fields(b'{"a": {"b": 1}, "c": [1, 2, {"d": true}]}') == []
    assert duplicate_fields(b'{"a": 1, "a": 2, "a": 3}') == ["a"]
    assert duplicate_fields(b"") == []
    assert duplicate_fields(b"{broken") == []


def test_messages():
    problems = problem_messages(["spec.foo", "spec.bar"])
    assert strict_error_message("Deployment", "v1", problems) == (
        'Deployment in version "v1" cannot be handled as a Deployment: strict decoding '
        'error: unknown field "spec.foo", unknown field "spec.bar"')
    assert problem_messages(["spec.x"], ["metadata.name"]) == [
        'duplicate field "metadata.name"', 'unknown field "spec.x"']
    assert warning_headers(['unknown field "spec.foo"']) == [
        '299 - "unknown field \\"spec.foo\\""']
