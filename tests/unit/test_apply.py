# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Server-side apply: merging, ownership, conflicts and removal, on real kinds."""
from __future__ import annotations

import copy
import json

import pytest

from kybernetes.apiserver.apply import (
    LAST_APPLIED_ANNOTATION, ApplyConflictError, apply_patch, last_applied_value, schema_for)
from kybernetes.apiserver.errors import ApiError
from kybernetes.apiserver.managedfields import update_managed_fields

T0, T1, T2, T3 = ("2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z",
                  "2026-01-01T00:03:00Z")
DEPLOYMENT = schema_for("apps", "v1", "Deployment")
SERVICE = schema_for("", "v1", "Service")
CONFIGMAP = schema_for("", "v1", "ConfigMap")


def nginx(replicas: int = 3, image: str = "nginx:1.14.2") -> dict:
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "nginx-deployment", "labels": {"app": "nginx"}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "nginx"}},
                 "template": {"metadata": {"labels": {"app": "nginx"}},
                              "spec": {"containers": [{"name": "nginx", "image": image,
                                                       "ports": [{"containerPort": 80}]}]}}},
    }


# What kube-apiserver 1.32 records for `kubectl apply --server-side` of the nginx
# Deployment above (fact, from a real server): only the fields the manifest names, list
# items by key with the defaulted protocol in the port's key, the atomic selector whole.
NGINX_APPLY_FIELDS = {
    "f:metadata": {"f:labels": {"f:app": {}}},
    "f:spec": {
        "f:replicas": {}, "f:selector": {},
        "f:template": {
            "f:metadata": {"f:labels": {"f:app": {}}},
            "f:spec": {"f:containers": {'k:{"name":"nginx"}': {
                ".": {}, "f:image": {}, "f:name": {},
                "f:ports": {'k:{"containerPort":80,"protocol":"TCP"}': {
                    ".": {}, "f:containerPort": {}}}}}}}},
}


def apply(live, applied, manager="kubectl", force=False, now=T0, schema=DEPLOYMENT,
          api_version="apps/v1", **kw):
    return apply_patch(live, applied, manager=manager, force=force, api_version=api_version,
                       schema=schema, now=now, **kw)


def entries(obj):
    return {(e["manager"], e["operation"], e.get("subresource", "")): e
            for e in obj["metadata"].get("managedFields", [])}


def test_apply_creates_with_upstream_fields():
    obj = apply(None, nginx())
    assert obj["metadata"]["managedFields"] == [{
        "manager": "kubectl", "operation": "Apply", "apiVersion": "apps/v1", "time": T0,
        "fieldsType": "FieldsV1", "fieldsV1": NGINX_APPLY_FIELDS}]
    assert obj["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.14.2"


def test_apply_does_not_modify_its_inputs():
    live = apply(None, nginx())
    live_before, config = copy.deepcopy(live), nginx(replicas=4)
    apply(live, config, now=T1)
    assert live == live_before and config == nginx(replicas=4)


def test_reapply_unchanged_is_a_noop():
    live = apply(None, nginx())
    again = apply(live, nginx(), now=T1)
    assert again == live  # same object, same managedFields, time not bumped


def test_reapply_with_change_updates_value_and_time():
    live = apply(None, nginx())
    out = apply(live, nginx(image="nginx:1.16"), now=T1)
    assert out["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.16"
    assert out["metadata"]["managedFields"][0]["time"] == T1


def test_conflict_with_update_manager_has_upstream_message_and_causes():
    live = copy.deepcopy(nginx())
    update_managed_fields(None, live, manager="kubectl-client-side-apply",
                          api_version="apps/v1", schema=DEPLOYMENT, now=T0)
    with pytest.raises(ApplyConflictError) as info:
        apply(live, nginx(replicas=5), manager="other", now=T1)
    err = info.value
    assert err.conflicts == [('"kubectl-client-side-apply" using apps/v1', ".spec.replicas")]
    assert err.status_message("apps/v1") == (
        'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using '
        "apps/v1: .spec.replicas")
    assert err.causes() == [{"reason": "FieldManagerConflict",
                             "message": 'conflict with "kubectl-client-side-apply" using apps/v1',
                             "field": ".spec.replicas"}]
    status = err.to_api_error().status()
    assert status["code"] == 409 and status["reason"] == "Conflict"
    assert status["details"]["causes"] == err.causes()


def test_force_takes_the_field_over():
    live = copy.deepcopy(nginx())
    update_managed_fields(None, live, manager="kubectl-client-side-apply",
                          api_version="apps/v1", schema=DEPLOYMENT, now=T0)
    out = apply(live, nginx(replicas=5), manager="other", force=True, now=T1)
    assert out["spec"]["replicas"] == 5
    got = entries(out)
    assert "f:replicas" not in got[("kubectl-client-side-apply", "Update", "")]["fieldsV1"]["f:spec"]
    assert "f:replicas" in got[("other", "Apply", "")]["fieldsV1"]["f:spec"]


def test_several_conflicts_are_grouped_by_manager():
    live = apply(None, nginx())
    live = apply(live, nginx(), manager="second", now=T1)  # shares every field
    changed = nginx(replicas=9, image="nginx:2")
    with pytest.raises(ApplyConflictError) as info:
        apply(live, changed, manager="third", now=T2)
    assert info.value.status_message() == (
        'Apply failed with 4 conflicts: conflicts with "kubectl":\n'
        "- .spec.replicas\n"
        '- .spec.template.spec.containers[name="nginx"].image\n'
        'conflicts with "second":\n'
        "- .spec.replicas\n"
        '- .spec.template.spec.containers[name="nginx"].image')


def test_dropping_a_field_from_the_configuration_removes_it():
    config = nginx()
    config["metadata"]["labels"]["tier"] = "web"
    config["spec"]["minReadySeconds"] = 5
    live = apply(None, config)
    out = apply(live, nginx(), now=T1)
    assert out["metadata"]["labels"] == {"app": "nginx"}
    assert "minReadySeconds" not in out["spec"]
    assert entries(out)[("kubectl", "Apply", "")]["fieldsV1"] == NGINX_APPLY_FIELDS


def test_dropping_a_list_item_removes_it():
    config = nginx()
    config["spec"]["template"]["spec"]["containers"].append({"name": "sidecar", "image": "b"})
    live = apply(None, config)
    out = apply(live, nginx(), now=T1)
    assert [c["name"] for c in out["spec"]["template"]["spec"]["containers"]] == ["nginx"]


def test_dropped_field_stays_while_another_manager_owns_it():
    live = apply(None, nginx())
    live = apply(live, nginx(), manager="second", now=T1)
    config = nginx()
    del config["spec"]["replicas"]
    out = apply(live, config, now=T2)
    assert out["spec"]["replicas"] == 3
    assert "f:replicas" not in entries(out)[("kubectl", "Apply", "")]["fieldsV1"]["f:spec"]


def test_unowned_defaulted_fields_survive_an_apply():
    live = apply(None, nginx())
    live["spec"]["progressDeadlineSeconds"] = 600  # set by defaulting, owned by nobody
    out = apply(live, nginx(replicas=4), now=T1)
    assert out["spec"]["progressDeadlineSeconds"] == 600


def test_two_appliers_share_a_field_with_the_same_value():
    live = apply(None, nginx())
    shared = apply(live, {"apiVersion": "apps/v1", "kind": "Deployment",
                          "metadata": {"name": "nginx-deployment"}, "spec": {"replicas": 3}},
                   manager="hpa-like", now=T1)
    got = entries(shared)
    assert got[("hpa-like", "Apply", "")]["fieldsV1"] == {"f:spec": {"f:replicas": {}}}
    assert "f:replicas" in got[("kubectl", "Apply", "")]["fieldsV1"]["f:spec"]
    # Nothing changed in the object, so upstream records no time for the newcomer.
    assert "time" not in got[("hpa-like", "Apply", "")]
    with pytest.raises(ApplyConflictError) as info:
        apply(shared, nginx(replicas=7), now=T2)
    assert info.value.conflicts == [('"hpa-like"', ".spec.replicas")]


def test_apply_then_scale_then_apply_conflicts_with_the_scale_manager():
    live = apply(None, nginx())
    scaled = copy.deepcopy(live)
    scaled["spec"]["replicas"] = 10
    update_managed_fields(live, scaled, manager="kubectl", api_version="apps/v1",
                          schema=DEPLOYMENT, now=T1, subresource="scale")
    assert "f:replicas" not in entries(scaled)[("kubectl", "Apply", "")]["fieldsV1"]["f:spec"]
    with pytest.raises(ApplyConflictError) as info:
        apply(scaled, nginx(replicas=3), now=T2)
    assert info.value.status_message() == (
        'Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" '
        "using apps/v1: .spec.replicas")
    # Re-applying the scaled value is no conflict: the appliers share it.
    out = apply(scaled, nginx(replicas=10), now=T3)
    assert out["spec"]["replicas"] == 10


def test_kubectl_takes_over_fields_from_client_side_apply():
    config = nginx()
    live = copy.deepcopy(config)
    live["metadata"]["annotations"] = {LAST_APPLIED_ANNOTATION: json.dumps(config)}
    update_managed_fields(None, live, manager="kubectl-client-side-apply",
                          api_version="apps/v1", schema=DEPLOYMENT, now=T0)
    out = apply(live, nginx(replicas=5), manager="kubectl", now=T1)
    assert out["spec"]["replicas"] == 5
    # The annotation follows what kubectl applied.
    assert out["metadata"]["annotations"][LAST_APPLIED_ANNOTATION] == last_applied_value(
        nginx(replicas=5))
    # Another manager gets no such pass.
    with pytest.raises(ApplyConflictError):
        apply(live, nginx(replicas=5), manager="someone", now=T1)


def test_last_applied_value_is_go_json():
    config = {"kind": "ConfigMap", "apiVersion": "v1",
              "metadata": {"name": "a", "annotations": {LAST_APPLIED_ANNOTATION: "x"}},
              "data": {"html": "<b>&"}}
    assert last_applied_value(config) == (
        '{"apiVersion":"v1","data":{"html":"\\u003cb\\u003e\\u0026"},"kind":"ConfigMap",'
        '"metadata":{"annotations":{},"name":"a"}}\n')


def test_service_ports_keyed_with_default_protocol():
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
           "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}}
    out = apply(None, svc, schema=SERVICE, api_version="v1")
    assert out["metadata"]["managedFields"][0]["fieldsV1"] == {"f:spec": {
        "f:ports": {'k:{"port":80,"protocol":"TCP"}': {".": {}, "f:port": {},
                                                      "f:targetPort": {}}},
        "f:selector": {}}}


def test_configmap_data_key_removed_when_no_longer_applied():
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
          "data": {"a": "1", "b": "2"}}
    live = apply(None, cm, schema=CONFIGMAP, api_version="v1")
    out = apply(live, {**cm, "data": {"a": "1"}}, schema=CONFIGMAP, api_version="v1", now=T1)
    assert out["data"] == {"a": "1"}
    assert out["metadata"]["managedFields"][0]["fieldsV1"] == {"f:data": {"f:a": {}}}


def test_status_in_an_apply_to_the_main_resource_is_not_owned():
    config = nginx()
    config["status"] = {"replicas": 3}
    out = apply(None, config)
    assert "f:status" not in out["metadata"]["managedFields"][0]["fieldsV1"]


def test_list_merge_keeps_live_only_items_in_place():
    live = apply(None, {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
                        "spec": {"ports": [{"port": 1}, {"port": 2}]}},
                 schema=SERVICE, api_version="v1")
    other = apply(live, {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
                         "spec": {"ports": [{"port": 3}, {"port": 1}]}},
                  manager="b", schema=SERVICE, api_version="v1", now=T1)
    assert [p["port"] for p in other["spec"]["ports"]] == [3, 1, 2]


def test_custom_resource_schema_list_map_and_set():
    crd_schema = {"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "items": {"type": "array", "x-kubernetes-list-type": "map",
                  "x-kubernetes-list-map-keys": ["id"],
                  "items": {"type": "object", "properties": {
                      "id": {"type": "string"}, "v": {"type": "integer"}}}},
        "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
        "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}}}
    obj = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
           "spec": {"items": [{"id": "a", "v": 1}], "tags": ["x"], "free": {"k": [1]}}}
    out = apply(None, obj, schema=crd_schema, api_version="example.com/v1")
    assert out["metadata"]["managedFields"][0]["fieldsV1"] == {"f:spec": {
        "f:free": {"f:k": {}},
        "f:items": {'k:{"id":"a"}': {".": {}, "f:id": {}, "f:v": {}}},
        "f:tags": {'v:"x"': {}}}}


def test_undeclared_field_is_refused_like_upstream():
    config = nginx()
    config["spec"]["bogus"] = 1
    with pytest.raises(ApiError) as info:
        apply(None, config)
    assert info.value.code == 500
    assert info.value.message == (
        "failed to create typed patch object (/nginx-deployment; apps/v1, Kind=Deployment): "
        ".spec.bogus: field not declared in schema")


def test_missing_list_key_is_refused():
    config = nginx()
    del config["spec"]["template"]["spec"]["containers"][0]["name"]
    with pytest.raises(ApiError) as info:
        apply(None, config)
    assert 'omits key field "name"' in info.value.message


def test_managed_fields_in_the_configuration_are_refused():
    config = nginx()
    config["metadata"]["managedFields"] = [{"manager": "x"}]
    with pytest.raises(ApiError) as info:
        apply(None, config)
    assert (info.value.code, info.value.message) == (400, "metadata.managedFields must be nil")


def test_wrong_api_version_is_refused():
    config = nginx()
    config["apiVersion"] = "apps/v1beta1"
    with pytest.raises(ApiError) as info:
        apply(None, config)
    assert info.value.message == ("Incorrect version specified in apply patch. Specified patch "
                                  "version: apps/v1beta1, expected: apps/v1")
