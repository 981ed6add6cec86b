# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""JSON patch (RFC 6902) and JSON merge patch (RFC 7386) as kube-apiserver applies them."""
import copy

import pytest

from kybernetes.apiserver.patch import PatchError, json_patch, merge_patch


def pod():
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web", "namespace": "default",
                     "labels": {"app": "web", "tier": "front"},
                     "annotations": {"example.com/a~b": "1", "example.com/c": "2"}},
        "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27",
                                 "ports": [{"containerPort": 80}]}],
                 "tolerations": [{"key": "a", "operator": "Exists"}]},
    }


def failing(fn, *args):
    with pytest.raises(PatchError) as info:
        fn(*args)
    return info.value


# ---------------------------------------------------------------- RFC 6902 appendix A

@pytest.mark.parametrize("doc,ops,want", [
    ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux"}],
     {"baz": "qux", "foo": "bar"}),
    ({"foo": ["bar", "baz"]}, [{"op": "add", "path": "/foo/1", "value": "qux"}],
     {"foo": ["bar", "qux", "baz"]}),
    ({"baz": "qux", "foo": "bar"}, [{"op": "remove", "path": "/baz"}], {"foo": "bar"}),
    ({"foo": ["bar", "qux", "baz"]}, [{"op": "remove", "path": "/foo/1"}],
     {"foo": ["bar", "baz"]}),
    ({"baz": "qux", "foo": "bar"}, [{"op": "replace", "path": "/baz", "value": "boo"}],
     {"baz": "boo", "foo": "bar"}),
    ({"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
     [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
     {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}}),
    ({"foo": ["all", "grass", "cows", "eat"]},
     [{"op": "move", "from": "/foo/1", "path": "/foo/3"}],
     {"foo": ["all", "cows", "eat", "grass"]}),
    ({"baz": "qux", "foo": ["a", 2, "c"]},
     [{"op": "test", "path": "/baz", "value": "qux"}, {"op": "test", "path": "/foo/1", "value": 2}],
     {"baz": "qux", "foo": ["a", 2, "c"]}),
    ({"foo": "bar"}, [{"op": "add", "path": "/child", "value": {"grandchild": {}}}],
     {"foo": "bar", "child": {"grandchild": {}}}),
    ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux", "xyz": 123}],
     {"foo": "bar", "baz": "qux"}),
    ({"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": 10}], {"/": 9, "~1": 10}),
    ({"foo": ["bar"]}, [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}],
     {"foo": ["bar", ["abc", "def"]]}),
])
def test_rfc6902_examples(doc, ops, want):
    before = copy.deepcopy(doc)
    assert json_patch(doc, ops) == want
    assert doc == before


@pytest.mark.parametrize("doc,ops,message", [
    ({"baz": "qux"}, [{"op": "test", "path": "/baz", "value": "bar"}],
     "testing value /baz failed: test failed"),
    ({"foo": "bar"}, [{"op": "add", "path": "/baz/bat", "value": "qux"}],
     'add operation does not apply: doc is missing path: "/baz/bat": missing value'),
    ({"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": "10"}],
     "testing value /~01 failed: test failed"),
])
def test_rfc6902_error_examples(doc, ops, message):
    err = failing(json_patch, doc, ops)
    assert err.code == 422
    assert err.message == message


# ---------------------------------------------------------------- on Kubernetes objects

def test_escaped_annotation_and_label_paths():
    out = json_patch(pod(), [
        {"op": "replace", "path": "/metadata/annotations/example.com~1a~0b", "value": "x"},
        {"op": "remove", "path": "/metadata/labels/tier"},
        {"op": "add", "path": "/metadata/labels/env", "value": "prod"},
    ])
    assert out["metadata"]["annotations"]["example.com/a~b"] == "x"
    assert out["metadata"]["labels"] == {"app": "web", "env": "prod"}


def test_array_operations_on_containers():
    doc = pod()
    out = json_patch(doc, [
        {"op": "replace", "path": "/spec/containers/0/image", "value": "nginx:1.28"},
        {"op": "add", "path": "/spec/containers/-", "value": {"name": "log", "image": "busybox"}},
        {"op": "add", "path": "/spec/containers/0/ports/0", "value": {"containerPort": 443}},
        {"op": "copy", "from": "/spec/containers/0/image", "path": "/metadata/labels/image"},
        {"op": "test", "path": "/spec/containers/1/name", "value": "log"},
    ])
    assert [c["name"] for c in out["spec"]["containers"]] == ["nginx", "log"]
    assert out["spec"]["containers"][0]["image"] == "nginx:1.28"
    assert out["spec"]["containers"][0]["ports"] == [{"containerPort": 443}, {"containerPort": 80}]
    assert out["metadata"]["labels"]["image"] == "nginx:1.28"
    assert doc == pod()


def test_values_are_copied_not_shared():
    value = {"key": "b", "operator": "Exists"}
    ops = [{"op": "add", "path": "/spec/tolerations/-", "value": value},
           {"op": "replace", "path": "/spec/tolerations/1/key", "value": "changed"}]
    out = json_patch(pod(), ops)
    assert out["spec"]["tolerations"][1]["key"] == "changed"
    assert value["key"] == "b"


def test_negative_index_counts_from_end():
    out = json_patch({"a": [1, 2, 3]}, [{"op": "remove", "path": "/a/-1"}])
    assert out == {"a": [1, 2]}


def test_replace_missing_object_key_adds_it_as_upstream_v4():
    assert json_patch({"a": {}}, [{"op": "replace", "path": "/a/b", "value": 1}]) == {"a": {"b": 1}}


def test_replace_whole_document():
    assert json_patch({"a": 1}, [{"op": "replace", "path": "", "value": {"b": 2}}]) == {"b": 2}


def test_test_op_null_matches_missing_member():
    assert json_patch({"a": 1}, [{"op": "test", "path": "/b", "value": None}]) == {"a": 1}
    err = failing(json_patch, {"a": 1}, [{"op": "test", "path": "/a", "value": None}])
    assert err.message == "testing value /a failed: test failed"


def test_test_op_distinguishes_types_and_compares_deeply():
    doc = {"a": True, "b": {"c": [1, {"d": "e"}]}}
    assert json_patch(doc, [{"op": "test", "path": "/b", "value": {"c": [1, {"d": "e"}]}}]) == doc
    assert failing(json_patch, doc, [{"op": "test", "path": "/a", "value": 1}]).code == 422
    assert failing(json_patch, doc, [{"op": "test", "path": "", "value": {}}]).code == 422


def test_failure_leaves_input_untouched():
    doc = pod()
    failing(json_patch, doc, [{"op": "remove", "path": "/metadata/labels/app"},
                              {"op": "test", "path": "/metadata/name", "value": "other"}])
    assert doc == pod()


@pytest.mark.parametrize("ops,message", [
    ([{"op": "remove", "path": "/metadata/labels/nope"}],
     "error in remove for path: '/metadata/labels/nope': "
     "Unable to remove nonexistent key: nope: missing value"),
    ([{"op": "remove", "path": "/spec/containers/5"}],
     "error in remove for path: '/spec/containers/5': "
     "Unable to access invalid index: 5: invalid index referenced"),
    ([{"op": "add", "path": "/spec/containers/x", "value": 1}],
     "error in add for path: '/spec/containers/x': value was not a proper array index: "
     "'x': strconv.Atoi: parsing \"x\": invalid syntax"),
    ([{"op": "replace", "path": "/spec/containers/3", "value": {}}],
     "replace operation does not apply: doc is missing key: /spec/containers/3: missing value"),
    ([{"op": "replace", "path": "/nope/x", "value": 1}],
     "replace operation does not apply: doc is missing path: /nope/x: missing value"),
    ([{"op": "move", "from": "/nope/x", "path": "/a"}],
     "move operation does not apply: doc is missing from path: /nope/x: missing value"),
    ([{"op": "copy", "from": "/metadata/name", "path": "/nope/x"}],
     "copy operation does not apply: doc is missing destination path: /nope/x: missing value"),
    ([{"op": "add", "value": 1}], "add operation failed to decode path: missing value"),
    ([{"op": "replace", "value": 1}],
     "replace operation failed to decode path: operation missing path field: missing value"),
    ([{"op": "move", "path": "/a"}],
     "move operation failed to decode from: operation, missing from field: missing value"),
    ([{"op": "frobnicate", "path": "/a"}], "Unexpected kind: frobnicate"),
    ([{"path": "/a"}], "Unexpected kind: unknown"),
])
def test_operation_errors_are_422_with_library_messages(ops, message):
    err = failing(json_patch, pod(), ops)
    assert (err.code, err.message) == (422, message)


def test_422_status_hides_detail_like_upstream():
    err = failing(json_patch, pod(), [{"op": "test", "path": "/kind", "value": "Service"}])
    assert err.status() == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "the server rejected our request due to an error in our request",
        "reason": "Invalid", "details": {}, "code": 422}


def test_malformed_patch_is_400():
    err = failing(json_patch, pod(), {"op": "add"})
    assert err.code == 400
    assert err.message == "json: cannot unmarshal object into Go value of type jsonpatch.Patch"
    assert err.status()["reason"] == "BadRequest"
    err = failing(json_patch, pod(), ["add"])
    assert err.message == "json: cannot unmarshal string into Go value of type jsonpatch.Operation"


def test_too_many_operations_is_413():
    ops = [{"op": "test", "path": "/kind", "value": "Pod"}] * 10001
    err = failing(json_patch, pod(), ops)
    assert err.code == 413
    assert err.status()["message"] == ("Request entity too large: The allowed maximum "
                                       "operations in a JSON patch is 10000, got 10001")


def test_empty_patch_is_identity_copy():
    doc = pod()
    out = json_patch(doc, [])
    assert out == doc and out is not doc
    out["metadata"]["labels"]["x"] = "y"
    assert "x" not in doc["metadata"]["labels"]


# ---------------------------------------------------------------- RFC 7386 appendix A

@pytest.mark.parametrize("doc,patch,want", [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
])
def test_rfc7386_examples(doc, patch, want):
    before = copy.deepcopy(doc)
    assert merge_patch(doc, patch) == want
    assert doc == before


def test_merge_patch_non_object_patches():
    assert failing(merge_patch, {"a": "foo"}, None).code == 400
    assert failing(merge_patch, {"a": "foo"}, "bar").message == "Invalid JSON Patch"
    assert failing(merge_patch, {"a": "foo"}, ["c"]).code == 422


def test_merge_patch_kubectl_label_and_scale():
    doc = pod()
    out = merge_patch(doc, {"metadata": {"labels": {"tier": None, "env": "prod"}}})
    assert out["metadata"]["labels"] == {"app": "web", "env": "prod"}
    scale = {"kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": {"name": "web"},
             "spec": {"replicas": 1}, "status": {"replicas": 1}}
    assert merge_patch(scale, {"spec": {"replicas": 3}})["spec"] == {"replicas": 3}


def test_merge_patch_replaces_lists_whole():
    out = merge_patch(pod(), {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.28"}]}})
    assert out["spec"]["containers"] == [{"name": "nginx", "image": "nginx:1.28"}]
    assert out["spec"]["tolerations"] == pod()["spec"]["tolerations"]


def test_merge_patch_result_shares_nothing_with_inputs():
    doc, patch = pod(), {"spec": {"nodeName": "n1", "extra": {"k": "v"}}}
    out = merge_patch(doc, patch)
    out["metadata"]["labels"]["x"] = "y"
    out["spec"]["extra"]["k"] = "changed"
    assert "x" not in doc["metadata"]["labels"]
    assert patch["spec"]["extra"]["k"] == "v"
