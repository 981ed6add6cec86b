# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""CustomResourceDefinitions: validation, resource types, status, printer columns, and
custom objects against their schema (validation, pruning, defaults)."""
import copy

from kybernetes.api import crd
from kybernetes.api.crd import (
    crd_status, describe, printer_columns, prune_and_default, resource_types, sort_versions,
    validate_crd, validate_custom_object)

CRON_PATTERN = r"^(\d+|\*)(/\d+)?(\s+(\d+|\*)(/\d+)?){4}$"
SCHEMA = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "required": ["cronSpec"],
            "properties": {
                "cronSpec": {"type": "string", "pattern": CRON_PATTERN},
                "image": {"type": "string", "minLength": 1, "maxLength": 10},
                "replicas": {"type": "integer", "minimum": 1, "maximum": 10, "default": 1},
                "ratio": {"type": "number", "exclusiveMinimum": True, "minimum": 0},
                "mode": {"type": "string", "enum": ["Fast", "Slow"], "default": "Fast"},
                "when": {"type": "string", "format": "date-time"},
                "port": {"x-kubernetes-int-or-string": True},
                "note": {"type": "string", "nullable": True},
                "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2,
                         "x-kubernetes-list-type": "set"},
                "ports": {"type": "array", "x-kubernetes-list-type": "map",
                          "x-kubernetes-list-map-keys": ["name"],
                          "items": {"type": "object", "properties": {
                              "name": {"type": "string"},
                              "protocol": {"type": "string", "default": "TCP"}}}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "raw": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                "nested": {"type": "object", "default": {}, "properties": {
                    "level": {"type": "integer", "default": 3}}},
            },
        },
        "status": {"type": "object", "properties": {"ok": {"type": "boolean"}}},
    },
}


def make_crd(**changes):
    body = {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "crontabs.stable.example.com"},
        "spec": {
            "group": "stable.example.com", "scope": "Namespaced",
            "names": {"plural": "crontabs", "singular": "crontab", "kind": "CronTab",
                      "shortNames": ["ct"], "categories": ["all"]},
            "versions": [
                {"name": "v1beta1", "served": True, "storage": False,
                 "schema": {"openAPIV3Schema": SCHEMA}},
                {"name": "v1", "served": True, "storage": True,
                 "subresources": {"status": {}, "scale": {
                     "specReplicasPath": ".spec.replicas",
                     "statusReplicasPath": ".status.replicas"}},
                 "additionalPrinterColumns": [
                     {"name": "Spec", "type": "string", "jsonPath": ".spec.cronSpec"},
                     {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas",
                      "priority": 1, "description": "how many"}],
                 "schema": {"openAPIV3Schema": SCHEMA}},
                {"name": "v1alpha1", "served": False, "storage": False,
                 "schema": {"openAPIV3Schema": SCHEMA}},
            ],
        },
    }
    for path, value in changes.items():
        node = body
        keys = path.split("__")
        for key in keys[:-1]:
            node = node[int(key)] if key.isdigit() else node[key]
        last = keys[-1]
        if value is None:
            del node[last]
        else:
            node[last] = value
    return body


def fields(causes):
    return [describe(c) for c in causes]


def test_valid_crd_has_no_causes():
    assert validate_crd(make_crd()) == []


def test_crd_name_group_scope_and_names():
    messages = fields(validate_crd(make_crd(metadata__name="crontabs.other.com",
                                            spec__scope="Global")))
    assert messages == [
        'metadata.name: Invalid value: "crontabs.other.com": '
        'must be spec.names.plural+"."+spec.group',
        'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"',
    ]
    causes = validate_crd(make_crd(spec__group="nodots", metadata__name="crontabs.nodots"))
    assert fields(causes) == ['spec.group: Invalid value: "nodots": should be a domain with '
                              'at least one dot']
    causes = validate_crd(make_crd(spec__names__plural="CronTabs",
                                   metadata__name="CronTabs.stable.example.com"))
    assert [c["field"] for c in causes] == ["spec.names.plural"]
    assert causes[0]["reason"] == "FieldValueInvalid"
    causes = validate_crd(make_crd(spec__names__kind=None))
    assert {"reason": "FieldValueRequired", "field": "spec.names.kind",
            "message": "Required value"} in causes


def test_crd_versions_storage_and_schema():
    body = make_crd()
    body["spec"]["versions"][0]["storage"] = True
    assert any("must have exactly one version marked as storage version" in c["message"]
               for c in validate_crd(body))
    body = make_crd()
    del body["spec"]["versions"][0]["schema"]
    assert fields(validate_crd(body)) == [
        "spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required"]
    body = make_crd()
    body["spec"]["versions"][2]["name"] = "v1"
    assert fields(validate_crd(body)) == [
        'spec.versions[2].name: Invalid value: "v1": must be unique']


def test_crd_structural_schema_rules():
    schema = {"type": "object", "properties": {
        "spec": {"properties": {"a": {"type": "string"}}},
        "list": {"type": "array"},
        "port": {"x-kubernetes-int-or-string": True},
        "free": {"x-kubernetes-preserve-unknown-fields": True},
        "both": {"type": "object", "properties": {"x": {"type": "string"}},
                 "additionalProperties": {"type": "string"}},
        "metadata": {"type": "object", "properties": {"labels": {"type": "object"}}},
    }}
    body = make_crd()
    for version in body["spec"]["versions"]:
        version["schema"] = {"openAPIV3Schema": schema}
    body["spec"]["versions"] = body["spec"]["versions"][1:2]
    assert fields(validate_crd(body)) == [
        "spec.versions[0].schema.openAPIV3Schema.properties[metadata]: Forbidden: must not "
        "specify anything other than name and generateName, but metadata is implicitly "
        "specified",
        "spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: "
        "must not be empty for specified object fields",
        "spec.versions[0].schema.openAPIV3Schema.properties[list].items: Required value: "
        "must be specified",
        "spec.versions[0].schema.openAPIV3Schema.properties[both].additionalProperties: "
        "Forbidden: additionalProperties and properties are mutual exclusive",
    ]
    body["spec"]["versions"][0]["schema"] = {"openAPIV3Schema": {"type": "string"}}
    assert fields(validate_crd(body)) == [
        'spec.versions[0].schema.openAPIV3Schema.type: Invalid value: "string": '
        'must be object at the root']


def test_version_ordering():
    assert sort_versions(["v1alpha1", "v2beta1", "foo", "v1", "v1beta2", "v2", "v1beta1",
                          "abc"]) == ["v2", "v1", "v2beta1", "v1beta2", "v1beta1", "v1alpha1",
                                      "abc", "foo"]


def test_resource_types_one_per_served_version():
    types = resource_types(make_crd())
    assert [rt.version for rt in types] == ["v1", "v1beta1"]
    v1, beta = types
    assert v1.preferred and not beta.preferred
    assert v1.custom and v1.kind == "CronTab" and v1.plural == "crontabs"
    assert v1.singular == "crontab" and v1.namespaced
    assert v1.short_names == ("ct",) and v1.categories == ("all",)
    assert v1.schema == SCHEMA
    assert [s.name for s in v1.subresources] == ["scale", "status"]
    assert v1.subresource("scale").group == "autoscaling"
    assert beta.subresources == ()
    assert v1.storage_key("default", "x") == "/registry/stable.example.com/crontabs/default/x"


def test_status_written_by_the_server():
    status = crd_status(make_crd(), "2026-01-01T00:00:00Z")
    assert status["acceptedNames"] == {
        "plural": "crontabs", "singular": "crontab", "shortNames": ["ct"],
        "kind": "CronTab", "listKind": "CronTabList", "categories": ["all"]}
    assert [(c["type"], c["status"]) for c in status["conditions"]] == [
        ("NamesAccepted", "True"), ("Established", "True")]
    assert status["storedVersions"] == ["v1"]
    # later writes keep the transition times and previously stored versions
    body = make_crd()
    body["status"] = dict(status, storedVersions=["v1beta1"])
    again = crd_status(body, "2026-02-02T00:00:00Z")
    assert again["conditions"][0]["lastTransitionTime"] == "2026-01-01T00:00:00Z"
    assert again["storedVersions"] == ["v1beta1", "v1"]


def test_printer_columns():
    body = make_crd()
    assert printer_columns(body, "v1") == [
        {"name": "Spec", "type": "string", "jsonPath": ".spec.cronSpec", "description": "",
         "priority": 0},
        {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas",
         "description": "how many", "priority": 1}]
    age = printer_columns(body, "v1beta1")
    assert [(c["name"], c["type"], c["jsonPath"]) for c in age] == [
        ("Age", "date", ".metadata.creationTimestamp")]
    assert printer_columns(body, "v9") == []


def cron(**spec):
    return {"apiVersion": "stable.example.com/v1", "kind": "CronTab",
            "metadata": {"name": "a"}, "spec": {"cronSpec": "* * * * */5", **spec}}


def test_valid_custom_object():
    obj = cron(image="nginx", replicas=3, ratio=0.5, mode="Slow", port="http", note=None,
               when="2026-01-01T10:00:00Z", tags=["a", "b"], labels={"x": "y"},
               raw={"any": [1, {"thing": True}]}, ports=[{"name": "a"}, {"name": "b"}])
    assert validate_custom_object(obj, SCHEMA) == []


def test_custom_object_messages():
    obj = cron(replicas="3", image="", mode="Medium", ratio=0, when="yesterday", port=True,
               tags=["a", "a", "b"], ports=[{"name": "x"}, {"name": "x"}],
               labels={"k": 1})
    obj["spec"]["cronSpec"] = "bad"
    obj["status"] = {"ok": "yes"}
    assert fields(validate_custom_object(obj, SCHEMA)) == [
        f'spec.cronSpec: Invalid value: "bad": spec.cronSpec in body should match '
        f"'{CRON_PATTERN}'",
        'spec.replicas: Invalid value: "string": spec.replicas in body must be of type '
        'integer: "string"',
        'spec.image: Invalid value: "": spec.image in body should be at least 1 chars long',
        'spec.mode: Unsupported value: "Medium": supported values: "Fast", "Slow"',
        "spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0",
        'spec.when: Invalid value: "yesterday": spec.when in body must be of type '
        'date-time: "yesterday"',
        'spec.port: Invalid value: "boolean": spec.port in body must be of type '
        'integer,string: "boolean"',
        "spec.tags: Too many: 3: must have at most 2 items",
        'spec.tags[1]: Duplicate value: "a"',
        'spec.ports[1]: Duplicate value: map[string]interface {}{"name":"x"}',
        'spec.labels.k: Invalid value: "integer": spec.labels.k in body must be of type '
        'string: "integer"',
        'status.ok: Invalid value: "string": status.ok in body must be of type boolean: '
        '"string"',
    ]
    causes = validate_custom_object(cron(replicas=11), SCHEMA)
    assert fields(causes) == ["spec.replicas: Invalid value: 11: spec.replicas in body "
                              "should be less than or equal to 10"]
    assert causes[0]["reason"] == "FieldValueInvalid"
    missing = validate_custom_object({"apiVersion": "stable.example.com/v1",
                                      "kind": "CronTab", "metadata": {"name": "a"},
                                      "spec": {"image": "x" * 11}}, SCHEMA)
    assert fields(missing) == ["spec.cronSpec: Required value",
                               "spec.image: Too long: may not be longer than 10"]
    assert missing[0]["reason"] == "FieldValueRequired"
    assert fields(validate_custom_object(cron(mode=None), SCHEMA)) == [
        'spec.mode: Invalid value: "null": spec.mode in body must be of type string: "null"']


def test_prune_and_default():
    obj = cron(unknown=1, labels={"a": "b"}, raw={"kept": {"deep": 1}},
               ports=[{"name": "p", "extra": 1}], mode=None)
    obj["metadata"]["bogus"] = 1
    obj["topLevel"] = "x"
    obj["status"] = {"ok": True, "gone": 1}
    before = copy.deepcopy(SCHEMA)
    prune_and_default(obj, SCHEMA)
    assert SCHEMA == before  # defaults are copied, the schema is untouched
    assert obj == {
        "apiVersion": "stable.example.com/v1", "kind": "CronTab", "metadata": {"name": "a"},
        "spec": {"cronSpec": "* * * * */5", "labels": {"a": "b"},
                 "raw": {"kept": {"deep": 1}}, "ports": [{"name": "p", "protocol": "TCP"}],
                 "mode": "Fast", "replicas": 1, "nested": {"level": 3}},
        "status": {"ok": True},
    }
    obj["spec"]["nested"]["level"] = 7
    obj["spec"]["nested"].clear()
    prune_and_default(obj, SCHEMA)
    assert obj["spec"]["nested"] == {"level": 3}


def test_prune_object_without_properties_drops_everything():
    schema = {"type": "object", "properties": {"spec": {"type": "object"}}}
    obj = {"apiVersion": "a/v1", "kind": "K", "metadata": {}, "spec": {"a": 1}}
    prune_and_default(obj, schema)
    assert obj["spec"] == {}
    assert crd.validate_custom_object(obj, schema) == []
