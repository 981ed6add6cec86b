# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""managedFields for non-apply writes, and the field-set type under them."""
from __future__ import annotations

import copy

import pytest

from kybernetes.apiserver.apply import schema_for
from kybernetes.apiserver.fieldset import FieldSet, path_string
from kybernetes.apiserver.managedfields import (
    decode_managed_fields, default_field_manager, encode_managed_fields,
    update_managed_fields)

T0, T1, T2 = "2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z"
DEPLOYMENT = schema_for("apps", "v1", "Deployment")
CONFIGMAP = schema_for("", "v1", "ConfigMap")


def defaulted_deployment() -> dict:
    """An nginx Deployment as the server stores it after defaulting."""
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "nginx", "namespace": "default", "labels": {"app": "nginx"},
                     "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}\n"},
                     "uid": "u1", "resourceVersion": "1", "generation": 1,
                     "creationTimestamp": T0},
        "spec": {
            "replicas": 3, "selector": {"matchLabels": {"app": "nginx"}},
            "progressDeadlineSeconds": 600, "revisionHistoryLimit": 10,
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "template": {
                "metadata": {"labels": {"app": "nginx"}},
                "spec": {
                    "containers": [{
                        "name": "nginx", "image": "nginx:1.14.2",
                        "ports": [{"containerPort": 80, "protocol": "TCP"}],
                        "imagePullPolicy": "IfNotPresent", "resources": {},
                        "terminationMessagePath": "/dev/termination-log",
                        "terminationMessagePolicy": "File"}],
                    "dnsPolicy": "ClusterFirst", "restartPolicy": "Always",
                    "schedulerName": "default-scheduler", "securityContext": {},
                    "terminationGracePeriodSeconds": 30}}},
        "status": {},
    }


# What kube-apiserver 1.32 records for `kubectl apply -f` (client-side) creating the
# Deployment above (fact, from a real server's `kubectl get -o yaml --show-managed-fields`).
CLIENT_SIDE_APPLY_CREATE = {
    "f:metadata": {
        "f:annotations": {".": {}, "f:kubectl.kubernetes.io/last-applied-configuration": {}},
        "f:labels": {".": {}, "f:app": {}}},
    "f:spec": {
        "f:progressDeadlineSeconds": {}, "f:replicas": {}, "f:revisionHistoryLimit": {},
        "f:selector": {},
        "f:strategy": {"f:rollingUpdate": {".": {}, "f:maxSurge": {}, "f:maxUnavailable": {}},
                       "f:type": {}},
        "f:template": {
            "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
            "f:spec": {
                "f:containers": {'k:{"name":"nginx"}': {
                    ".": {}, "f:image": {}, "f:imagePullPolicy": {}, "f:name": {},
                    "f:ports": {".": {}, 'k:{"containerPort":80,"protocol":"TCP"}': {
                        ".": {}, "f:containerPort": {}, "f:protocol": {}}},
                    "f:resources": {}, "f:terminationMessagePath": {},
                    "f:terminationMessagePolicy": {}}},
                "f:dnsPolicy": {}, "f:restartPolicy": {}, "f:schedulerName": {},
                "f:securityContext": {}, "f:terminationGracePeriodSeconds": {}}}},
}


def created(obj: dict, manager: str = "kubectl-client-side-apply") -> dict:
    obj = copy.deepcopy(obj)
    update_managed_fields(None, obj, manager=manager, api_version="apps/v1",
                          schema=DEPLOYMENT, now=T0)
    return obj


# -- the field-set type ----------------------------------------------------------

def test_fields_v1_round_trip_keeps_members_and_children():
    fields = FieldSet.from_fields_v1(CLIENT_SIDE_APPLY_CREATE)
    assert fields.to_fields_v1() == CLIENT_SIDE_APPLY_CREATE
    assert fields.has(("f:spec", "f:strategy", "f:rollingUpdate"))
    assert not fields.has(("f:spec", "f:strategy"))
    assert fields.has(("f:spec", "f:replicas"))


def test_path_strings_as_conflicts_print_them():
    assert path_string(("f:spec", "f:replicas")) == ".spec.replicas"
    assert path_string(("f:spec", 'k:{"name":"nginx"}', "f:image")) == '.spec[name="nginx"].image'
    assert path_string(("f:ports", 'k:{"containerPort":80,"protocol":"TCP"}')) == \
        '.ports[containerPort=80,protocol="TCP"]'
    assert path_string(("f:finalizers", 'v:"a"')) == '.finalizers[="a"]'


def test_set_algebra():
    a = FieldSet.of(("f:a", "f:b"), ("f:a", "f:c"), ("f:d",))
    b = FieldSet.of(("f:a", "f:b"), ("f:a",))
    assert a.difference(b) == FieldSet.of(("f:a", "f:c"), ("f:d",))
    assert a.recursive_difference(b) == FieldSet.of(("f:d",))
    assert a.intersection(b) == FieldSet.of(("f:a", "f:b"))
    assert a.only_under(FieldSet.of(("f:a",))) == FieldSet.of(("f:a", "f:b"), ("f:a", "f:c"))
    assert FieldSet().empty() and not a.empty()


# -- creates and updates ---------------------------------------------------------

def test_create_records_every_field_for_the_manager():
    obj = created(defaulted_deployment())
    [entry] = obj["metadata"]["managedFields"]
    assert entry == {"manager": "kubectl-client-side-apply", "operation": "Update",
                     "apiVersion": "apps/v1", "time": T0, "fieldsType": "FieldsV1",
                     "fieldsV1": CLIENT_SIDE_APPLY_CREATE}


def test_update_moves_changed_fields_to_the_new_manager():
    old = created(defaulted_deployment())
    new = copy.deepcopy(old)
    new["spec"]["replicas"] = 5
    new["metadata"]["resourceVersion"] = "2"
    update_managed_fields(old, new, manager="kubectl-edit", api_version="apps/v1",
                          schema=DEPLOYMENT, now=T1)
    entries = new["metadata"]["managedFields"]
    assert [(e["manager"], e["time"]) for e in entries] == [
        ("kubectl-client-side-apply", T0), ("kubectl-edit", T1)]
    assert entries[1]["fieldsV1"] == {"f:spec": {"f:replicas": {}}}
    assert "f:replicas" not in entries[0]["fieldsV1"]["f:spec"]


def test_update_that_changes_nothing_leaves_entries_alone():
    old = created(defaulted_deployment())
    new = copy.deepcopy(old)
    new["metadata"]["resourceVersion"] = "7"  # server-owned: not tracked
    update_managed_fields(old, new, manager="other", api_version="apps/v1",
                          schema=DEPLOYMENT, now=T2)
    assert new["metadata"]["managedFields"] == old["metadata"]["managedFields"]


def test_same_manager_merges_into_one_entry_with_new_time():
    old = created(defaulted_deployment())
    new = copy.deepcopy(old)
    new["metadata"]["labels"]["tier"] = "web"
    update_managed_fields(old, new, manager="kubectl-client-side-apply",
                          api_version="apps/v1", schema=DEPLOYMENT, now=T1)
    [entry] = new["metadata"]["managedFields"]
    assert entry["time"] == T1
    assert entry["fieldsV1"]["f:metadata"]["f:labels"] == {".": {}, "f:app": {}, "f:tier": {}}


def test_removed_field_is_dropped_from_its_owner():
    old = created(defaulted_deployment())
    new = copy.deepcopy(old)
    del new["metadata"]["annotations"]
    update_managed_fields(old, new, manager="kubectl-edit", api_version="apps/v1",
                          schema=DEPLOYMENT, now=T1)
    [entry] = new["metadata"]["managedFields"]
    assert "f:annotations" not in entry["fieldsV1"]["f:metadata"]


def test_default_manager_is_user_agent_prefix():
    assert default_field_manager("", "kubectl/v1.32.0 (linux/amd64) kubernetes/abc") == "kubectl"
    assert default_field_manager(None, "OpenAPI-Generator/31.0.0/python") == "OpenAPI-Generator"
    assert default_field_manager("mine", "kubectl/v1.32.0") == "mine"
    assert default_field_manager(None, "a\tb" + "x" * 200) == "ab" + "x" * 126


def test_missing_manager_is_unknown():
    obj = copy.deepcopy(defaulted_deployment())
    update_managed_fields(None, obj, manager="", api_version="apps/v1", schema=DEPLOYMENT,
                          now=T0)
    assert obj["metadata"]["managedFields"][0]["manager"] == "unknown"


def test_empty_managed_fields_in_a_write_resets_them():
    old = created(defaulted_deployment())
    new = copy.deepcopy(old)
    new["metadata"]["managedFields"] = []
    update_managed_fields(old, new, manager="x", api_version="apps/v1", schema=DEPLOYMENT,
                          now=T1)
    assert "managedFields" not in new["metadata"]


def test_absent_managed_fields_in_a_write_keeps_the_stored_ones():
    old = created(defaulted_deployment())
    new = copy.deepcopy(old)
    del new["metadata"]["managedFields"]
    update_managed_fields(old, new, manager="x", api_version="apps/v1", schema=DEPLOYMENT,
                          now=T1)
    assert new["metadata"]["managedFields"] == old["metadata"]["managedFields"]


def test_status_is_not_tracked_on_the_main_resource_and_spec_not_on_status():
    old = created(defaulted_deployment())
    new = copy.deepcopy(old)
    new["status"] = {"replicas": 3}
    update_managed_fields(old, new, manager="x", api_version="apps/v1", schema=DEPLOYMENT,
                          now=T1)
    assert [e["manager"] for e in new["metadata"]["managedFields"]] == [
        "kubectl-client-side-apply"]
    status = copy.deepcopy(new)
    status["status"] = {"replicas": 3, "readyReplicas": 3}
    update_managed_fields(new, status, manager="kube-controller-manager",
                          api_version="apps/v1", schema=DEPLOYMENT, now=T2,
                          subresource="status")
    entry = status["metadata"]["managedFields"][-1]
    assert entry["subresource"] == "status"
    # replicas kept its value (3), so only readyReplicas changed hands
    assert entry["fieldsV1"] == {"f:status": {"f:readyReplicas": {}}}


def test_scale_subresource_takes_replicas():
    old = created(defaulted_deployment())
    new = copy.deepcopy(old)
    new["spec"]["replicas"] = 1
    update_managed_fields(old, new, manager="kubectl", api_version="apps/v1",
                          schema=DEPLOYMENT, now=T1, subresource="scale")
    entries = new["metadata"]["managedFields"]
    assert entries[-1] == {"manager": "kubectl", "operation": "Update", "apiVersion": "apps/v1",
                           "time": T1, "fieldsType": "FieldsV1",
                           "fieldsV1": {"f:spec": {"f:replicas": {}}}, "subresource": "scale"}
    assert "f:replicas" not in entries[0]["fieldsV1"]["f:spec"]


def test_configmap_data_keys_are_map_fields():
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
          "data": {"a.txt": "1", "b": "2"}}
    update_managed_fields(None, cm, manager="kubectl-create", api_version="v1",
                          schema=CONFIGMAP, now=T0)
    assert cm["metadata"]["managedFields"][0]["fieldsV1"] == {
        "f:data": {".": {}, "f:a.txt": {}, "f:b": {}}}


def test_more_than_ten_updaters_are_capped():
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {}}
    update_managed_fields(None, obj, manager="m0", api_version="v1", schema=CONFIGMAP,
                          now="2026-01-01T00:00:00Z")
    for i in range(1, 12):
        new = copy.deepcopy(obj)
        new["data"][f"k{i}"] = "v"
        update_managed_fields(obj, new, manager=f"m{i}", api_version="v1", schema=CONFIGMAP,
                              now=f"2026-01-01T00:00:{i:02d}Z")
        obj = new
    managers = [e["manager"] for e in obj["metadata"]["managedFields"]]
    assert len(managers) == 10
    assert "ancient-changes" in managers and "m11" in managers and "m1" not in managers


def test_decode_rejects_bad_operation():
    with pytest.raises(ValueError):
        decode_managed_fields([{"manager": "a", "operation": "Delete", "fieldsV1": {}}])


def test_encode_orders_apply_before_update_then_by_time():
    managed = decode_managed_fields([
        {"manager": "b", "operation": "Update", "apiVersion": "v1", "time": T1,
         "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {"f:x": {}}}},
        {"manager": "a", "operation": "Update", "apiVersion": "v1", "time": T2,
         "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {"f:y": {}}}},
        {"manager": "z", "operation": "Apply", "apiVersion": "v1", "time": T2,
         "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {"f:z": {}}}},
    ])
    assert [e["manager"] for e in encode_managed_fields(managed)] == ["z", "b", "a"]
