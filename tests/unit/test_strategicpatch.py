# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Strategic merge patch on real Pod, Deployment and Service shapes, with every directive."""
import copy

import pytest

from kybernetes.api import schema
from kybernetes.apiserver.patch import PatchError, strategic_merge_patch


def definition(group, version, kind):
    return schema.definitions()[schema.definition_name(group, version, kind)]


POD = definition("", "v1", "Pod")
DEPLOYMENT = definition("apps", "v1", "Deployment")
SERVICE = definition("", "v1", "Service")
SCALE = definition("autoscaling", "v1", "Scale")


def pod():
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"},
                     "finalizers": ["example.com/a", "example.com/b"]},
        "spec": {
            "containers": [
                {"name": "nginx", "image": "nginx:1.27",
                 "ports": [{"containerPort": 80, "protocol": "TCP"},
                           {"containerPort": 443, "protocol": "TCP"}],
                 "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                 "volumeMounts": [{"name": "data", "mountPath": "/data"}]},
                {"name": "log", "image": "busybox"},
            ],
            "volumes": [{"name": "data", "emptyDir": {}},
                        {"name": "cfg", "configMap": {"name": "cfg"}}],
            "tolerations": [{"key": "a", "operator": "Exists"},
                            {"key": "b", "operator": "Exists"}],
        },
        "status": {"phase": "Running",
                   "conditions": [{"type": "Ready", "status": "False"},
                                  {"type": "PodScheduled", "status": "True"}]},
    }


def deployment():
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "nginx", "namespace": "default",
                     "annotations": {"deployment.kubernetes.io/revision": "1"}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "nginx"}},
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "template": {"metadata": {"labels": {"app": "nginx"}},
                         "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27",
                                                  "resources": {}}]}},
        },
    }


def service():
    return {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
        "spec": {"selector": {"app": "web"}, "clusterIP": "10.96.0.20",
                 "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"},
                           {"name": "https", "port": 443, "targetPort": 8443,
                            "protocol": "TCP"}]},
    }


def directives_in(value, path=""):
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key.startswith("$"):
                found.append(path + "/" + key)
            found += directives_in(item, path + "/" + key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += directives_in(item, "%s/%d" % (path, index))
    return found


def apply(doc, patch, node):
    before_doc, before_patch = copy.deepcopy(doc), copy.deepcopy(patch)
    out = strategic_merge_patch(doc, patch, node)
    assert doc == before_doc and patch == before_patch, "inputs must stay untouched"
    assert directives_in(out) == []
    return out


def failing(doc, patch, node):
    with pytest.raises(PatchError) as info:
        strategic_merge_patch(doc, patch, node)
    return info.value


def names(items, key="name"):
    return [item[key] for item in items]


# ---------------------------------------------------------------- what kubectl sends

def test_kubectl_client_side_apply_body():
    patch = {"metadata": {"annotations": {
                 "kubectl.kubernetes.io/last-applied-configuration": '{"kind":"Deployment"}'}},
             "spec": {"replicas": 3, "template": {"spec": {
                 "$setElementOrder/containers": [{"name": "nginx"}],
                 "containers": [{"image": "nginx:1.28", "name": "nginx"}]}}}}
    out = apply(deployment(), patch, DEPLOYMENT)
    assert out["metadata"]["annotations"] == {
        "deployment.kubernetes.io/revision": "1",
        "kubectl.kubernetes.io/last-applied-configuration": '{"kind":"Deployment"}'}
    assert out["spec"]["replicas"] == 3
    assert out["spec"]["template"]["spec"]["containers"] == [
        {"name": "nginx", "image": "nginx:1.28", "resources": {}}]
    assert out["spec"]["strategy"] == deployment()["spec"]["strategy"]


def test_kubectl_patch_default_merges_container_by_name():
    patch = {"spec": {"containers": [{"name": "log", "image": "busybox:1.36"}]}}
    out = apply(pod(), patch, POD)
    assert names(out["spec"]["containers"]) == ["nginx", "log"]
    assert out["spec"]["containers"][1] == {"name": "log", "image": "busybox:1.36"}
    assert out["spec"]["containers"][0] == pod()["spec"]["containers"][0]


def test_new_container_goes_first_without_element_order():
    # Upstream's interleaving puts a patch element the live list lacks before the
    # live-only elements (the kubectl patch task page shows the added redis first).
    patch = {"spec": {"containers": [{"name": "sidecar", "image": "envoy"}]}}
    out = apply(pod(), patch, POD)
    assert names(out["spec"]["containers"]) == ["sidecar", "nginx", "log"]


def test_patch_order_wins_over_live_order_for_patched_elements():
    # Upstream's interleaving: patch elements in patch order, live-only ones where
    # they were relative to the live list.
    patch = {"spec": {"containers": [{"name": "sidecar", "image": "envoy"},
                                     {"name": "nginx", "image": "nginx:1.28"}]}}
    out = apply(pod(), patch, POD)
    assert names(out["spec"]["containers"]) == ["sidecar", "nginx", "log"]


def test_set_element_order_reorders_live_list():
    patch = {"spec": {"$setElementOrder/containers": [{"name": "log"}, {"name": "nginx"}]}}
    out = apply(pod(), patch, POD)
    assert names(out["spec"]["containers"]) == ["log", "nginx"]
    assert out["spec"]["containers"][1]["ports"] == pod()["spec"]["containers"][0]["ports"]


def test_set_element_order_with_new_element_in_the_middle():
    patch = {"spec": {"$setElementOrder/containers": [{"name": "nginx"}, {"name": "sidecar"},
                                                      {"name": "log"}],
                      "containers": [{"name": "sidecar", "image": "envoy"}]}}
    out = apply(pod(), patch, POD)
    assert names(out["spec"]["containers"]) == ["nginx", "sidecar", "log"]


def test_set_element_order_mismatch_is_rejected():
    patch = {"spec": {"$setElementOrder/containers": [{"name": "nginx"}],
                      "containers": [{"name": "log", "image": "x"}]}}
    err = failing(pod(), patch, POD)
    assert err.code == 500
    assert err.message.startswith("The order in patch list:\n[map[image:x name:log]]\n"
                                  " doesn't match $setElementOrder list:\n[map[name:nginx]]")


def test_set_element_order_without_list_name_is_400():
    err = failing(pod(), {"spec": {"$setElementOrder": [{"name": "nginx"}]}}, POD)
    assert (err.code, err.message) == (400, "invalid patch format of setElementOrder list")


# ---------------------------------------------------------------- nested merge lists

def test_ports_merge_by_container_port_and_env_by_name():
    patch = {"spec": {"containers": [{
        "name": "nginx",
        "ports": [{"containerPort": 443, "name": "https"}, {"containerPort": 8080}],
        "env": [{"name": "B", "value": "20"}, {"name": "C", "value": "3"}],
        "volumeMounts": [{"mountPath": "/data", "readOnly": True}],
    }]}}
    out = apply(pod(), patch, POD)
    nginx = out["spec"]["containers"][0]
    assert nginx["ports"] == [{"containerPort": 80, "protocol": "TCP"},
                              {"containerPort": 443, "protocol": "TCP", "name": "https"},
                              {"containerPort": 8080}]
    assert nginx["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "20"},
                            {"name": "C", "value": "3"}]
    assert nginx["volumeMounts"] == [{"name": "data", "mountPath": "/data", "readOnly": True}]


def test_null_inside_merged_element_deletes_field():
    patch = {"spec": {"containers": [{"name": "nginx", "env": [{"name": "A", "value": None}]}]}}
    out = apply(pod(), patch, POD)
    assert out["spec"]["containers"][0]["env"][0] == {"name": "A"}


def test_service_ports_merge_by_port():
    patch = {"spec": {"ports": [{"port": 443, "targetPort": 9443},
                                {"port": 8080, "name": "alt", "protocol": "TCP"}]}}
    out = apply(service(), patch, SERVICE)
    assert out["spec"]["ports"] == [
        {"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"},
        {"name": "https", "port": 443, "targetPort": 9443, "protocol": "TCP"},
        {"port": 8080, "name": "alt", "protocol": "TCP"}]
    assert out["spec"]["clusterIP"] == "10.96.0.20"


def test_status_conditions_merge_by_type():
    patch = {"status": {"conditions": [{"type": "Ready", "status": "True"}]}}
    out = apply(pod(), patch, POD)
    assert out["status"]["conditions"] == [{"type": "Ready", "status": "True"},
                                           {"type": "PodScheduled", "status": "True"}]


def test_scale_subresource_patch():
    scale = {"kind": "Scale", "apiVersion": "autoscaling/v1",
             "metadata": {"name": "nginx", "namespace": "default"},
             "spec": {"replicas": 1}, "status": {"replicas": 1, "selector": "app=nginx"}}
    out = apply(scale, {"spec": {"replicas": 5}}, SCALE)
    assert out["spec"] == {"replicas": 5}
    assert out["status"] == scale["status"]


# ---------------------------------------------------------------- replace semantics

def test_tolerations_have_no_merge_strategy_and_are_replaced():
    patch = {"spec": {"tolerations": [{"key": "c", "operator": "Exists"}]}}
    out = apply(pod(), patch, POD)
    assert out["spec"]["tolerations"] == [{"key": "c", "operator": "Exists"}]


def test_unknown_fields_merge_as_maps_and_replace_as_lists():
    doc = pod()
    doc["spec"]["x-extra"] = {"a": 1, "list": [1, 2]}
    patch = {"spec": {"x-extra": {"b": 2, "list": [3]}}}
    out = apply(doc, patch, POD)
    assert out["spec"]["x-extra"] == {"a": 1, "b": 2, "list": [3]}


def test_without_schema_lists_are_replaced():
    patch = {"spec": {"containers": [{"name": "log", "image": "x"}]}, "metadata": {"labels": {"b": "c"}}}
    out = apply(pod(), patch, None)
    assert out["spec"]["containers"] == [{"name": "log", "image": "x"}]
    assert out["metadata"]["labels"] == {"app": "web", "b": "c"}


def test_null_deletes_and_new_maps_lose_their_nulls():
    patch = {"metadata": {"labels": None},
             "spec": {"nodeSelector": {"disk": "ssd", "zone": None}}}
    out = apply(pod(), patch, POD)
    assert "labels" not in out["metadata"]
    assert out["spec"]["nodeSelector"] == {"disk": "ssd"}


# ---------------------------------------------------------------- $patch directive

def test_patch_delete_removes_container_by_name():
    patch = {"spec": {"containers": [{"name": "log", "$patch": "delete"}]}}
    out = apply(pod(), patch, POD)
    assert names(out["spec"]["containers"]) == ["nginx"]


def test_patch_delete_of_absent_element_is_a_no_op():
    patch = {"spec": {"containers": [{"name": "nope", "$patch": "delete"}]}}
    assert apply(pod(), patch, POD) == pod()


def test_patch_delete_needs_the_merge_key():
    err = failing(pod(), {"spec": {"containers": [{"$patch": "delete", "image": "x"}]}}, POD)
    assert err.message == "map: map[$patch:delete image:x] does not contain declared merge key: name"


def test_patch_replace_in_list_replaces_whole_list():
    patch = {"spec": {"containers": [{"name": "only", "image": "x"}, {"$patch": "replace"}]}}
    out = apply(pod(), patch, POD)
    assert out["spec"]["containers"] == [{"name": "only", "image": "x"}]


def test_patch_replace_on_map():
    patch = {"metadata": {"labels": {"new": "yes", "$patch": "replace"}}}
    out = apply(pod(), patch, POD)
    assert out["metadata"]["labels"] == {"new": "yes"}


def test_patch_delete_on_map_empties_it():
    out = apply(pod(), {"spec": {"nodeSelector": {"$patch": "delete"}}}, POD)
    assert "nodeSelector" not in out["spec"]
    doc = pod()
    doc["spec"]["nodeSelector"] = {"disk": "ssd"}
    out = apply(doc, {"spec": {"nodeSelector": {"$patch": "delete"}}}, POD)
    assert out["spec"]["nodeSelector"] == {}


def test_patch_merge_directive_is_refused_like_upstream():
    err = failing(pod(), {"metadata": {"labels": {"$patch": "merge", "a": "b"}}}, POD)
    assert err.message == "unknown patch type: merge in map: map[$patch:merge a:b]"
    err = failing(pod(), {"spec": {"containers": [{"name": "log", "$patch": "merge"}]}}, POD)
    assert err.message == "merging lists cannot yet be specified in the patch"
    err = failing(pod(), {"spec": {"containers": [{"name": "log", "$patch": "explode"}]}}, POD)
    assert err.message == "unknown patch type: explode in map: map[$patch:explode name:log]"


def test_new_element_keeps_no_directives():
    patch = {"spec": {"containers": [{"name": "new", "image": "x",
                                      "$setElementOrder/env": [{"name": "A"}],
                                      "env": [{"name": "A", "value": "1"}]}]}}
    out = apply(pod(), patch, POD)
    assert out["spec"]["containers"][0] == {"name": "new", "image": "x",
                                            "env": [{"name": "A", "value": "1"}]}


# ---------------------------------------------------------------- primitive lists

def test_finalizers_merge_as_a_set():
    patch = {"metadata": {"finalizers": ["example.com/b", "example.com/c"]}}
    out = apply(pod(), patch, POD)
    assert out["metadata"]["finalizers"] == ["example.com/a", "example.com/b", "example.com/c"]


def test_delete_from_primitive_list():
    patch = {"metadata": {"$deleteFromPrimitiveList/finalizers": ["example.com/a"]}}
    out = apply(pod(), patch, POD)
    assert out["metadata"]["finalizers"] == ["example.com/b"]


def test_kubectl_apply_removing_a_finalizer():
    patch = {"metadata": {"$setElementOrder/finalizers": ["example.com/b"],
                          "$deleteFromPrimitiveList/finalizers": ["example.com/a"]}}
    out = apply(pod(), patch, POD)
    assert out["metadata"]["finalizers"] == ["example.com/b"]


def test_set_element_order_on_primitive_list():
    patch = {"metadata": {"$setElementOrder/finalizers": ["example.com/c", "example.com/b",
                                                         "example.com/a"],
                          "finalizers": ["example.com/c"]}}
    out = apply(pod(), patch, POD)
    assert out["metadata"]["finalizers"] == ["example.com/c", "example.com/b", "example.com/a"]


def test_delete_from_primitive_list_without_target_is_400():
    err = failing(pod(), {"metadata": {"$deleteFromPrimitiveList": ["x"]}}, POD)
    assert (err.code, err.message) == (400, "invalid patch format of primitive list")


def test_lists_of_lists_are_422():
    doc = pod()
    doc["metadata"]["finalizers"] = [["a"]]
    err = failing(doc, {"metadata": {"finalizers": [["b"]]}}, POD)
    assert (err.code, err.message) == (422, "lists of lists are not supported")


# ---------------------------------------------------------------- $retainKeys

def test_retain_keys_on_deployment_strategy():
    patch = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate",
                                   "rollingUpdate": None}}}
    out = apply(deployment(), patch, DEPLOYMENT)
    assert out["spec"]["strategy"] == {"type": "Recreate"}


def test_retain_keys_on_volume_switching_source():
    patch = {"spec": {"volumes": [{"name": "data", "$retainKeys": ["configMap", "name"],
                                   "configMap": {"name": "settings"}}]}}
    out = apply(pod(), patch, POD)
    assert out["spec"]["volumes"] == [{"name": "data", "configMap": {"name": "settings"}},
                                      {"name": "cfg", "configMap": {"name": "cfg"}}]


def test_retain_keys_must_cover_the_patch():
    patch = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate",
                                   "rollingUpdate": {"maxSurge": 1}}}}
    err = failing(deployment(), patch, DEPLOYMENT)
    assert (err.code, err.message) == (400, "invalid patch format of retainKeys")
    assert err.status()["reason"] == "BadRequest"
    err = failing(deployment(), {"spec": {"strategy": {"$retainKeys": "type"}}}, DEPLOYMENT)
    assert err.code == 400


# ---------------------------------------------------------------- malformed patches

def test_missing_merge_key_in_patch_element():
    err = failing(pod(), {"spec": {"containers": [{"image": "x"}]}}, POD)
    assert err.code == 500
    assert err.message == "map: map[image:x] does not contain declared merge key: name"
    assert err.status() == {"kind": "Status", "apiVersion": "v1", "metadata": {},
                            "status": "Failure", "message": err.message, "code": 500}


def test_mixed_element_types():
    err = failing(pod(), {"spec": {"containers": ["nginx"]}}, POD)
    assert err.message.startswith("list element types are not identical: ")


def test_patch_must_be_an_object():
    err = failing(pod(), [{"op": "add"}], POD)
    assert err.code == 400
    assert err.message == ("json: cannot unmarshal array into Go value of type "
                           "map[string]interface {}")


def test_patch_replacing_map_by_scalar_takes_the_scalar():
    out = apply(pod(), {"spec": {"containers": "none"}}, POD)
    assert out["spec"]["containers"] == "none"
