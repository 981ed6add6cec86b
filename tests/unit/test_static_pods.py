# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Static pods from manifests, as upstream's file source makes them, and their mirrors."""
from __future__ import annotations

import pytest

from kybernetes.kubelet import staticpods
from kybernetes.kubelet.staticpods import (CONFIG_HASH, CONFIG_MIRROR, CONFIG_SEEN, CONFIG_SOURCE,
                                           ManifestError, changed_keys, is_mirror_pod,
                                           mirror_is_current, mirror_pod, scan, static_pod)

MANIFEST = b"""apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
"""


def test_a_manifest_becomes_a_pod_of_this_node():
    pod = static_pod(MANIFEST, "/etc/kubernetes/manifests/web.yaml", "node-1", 1_700_000_000.5)
    meta = pod["metadata"]
    assert meta["name"] == "web-node-1"
    assert staticpods.static_pod_name("web", "Node-1") == "web-node-1"  # lowercased, as upstream
    assert meta["namespace"] == "default"
    assert pod["spec"]["nodeName"] == "node-1"
    assert len(meta["uid"]) == 32 and meta["annotations"][CONFIG_HASH] == meta["uid"]
    assert meta["annotations"][CONFIG_SOURCE] == "file"
    assert meta["annotations"][CONFIG_SEEN] == "2023-11-14T22:13:20.500000000Z"
    assert {"operator": "Exists", "effect": "NoExecute"} in pod["spec"]["tolerations"]
    # defaulted as the API server would
    assert pod["spec"]["restartPolicy"] == "Always"
    assert pod["spec"]["containers"][0]["imagePullPolicy"] == "Always"
    assert pod["status"] == {"phase": "Pending", "qosClass": "BestEffort"}


def test_the_uid_is_stable_and_follows_content_node_and_file():
    def uid(data=MANIFEST, source="/m/web.yaml", node="n1", seen=1.0):
        return static_pod(data, source, node, seen)["metadata"]["uid"]
    assert uid() == uid(seen=99.0)  # a restarted kubelet finds the same pod
    assert uid() != uid(data=MANIFEST.replace(b"3600", b"3601"))
    assert uid() != uid(node="n2")
    assert uid() != uid(source="/m/other.yaml")


def test_given_namespace_and_uid_are_kept_and_tolerations_not_doubled():
    data = MANIFEST.replace(b"  name: web\n", b"  name: web\n  namespace: kube-system\n  uid: abc\n")
    data += b"  tolerations:\n  - operator: Exists\n    effect: NoExecute\n"
    pod = static_pod(data, "/m/web.yaml", "n1", 0)
    assert pod["metadata"]["namespace"] == "kube-system"
    assert pod["metadata"]["uid"] == "abc" == pod["metadata"]["annotations"][CONFIG_HASH]
    assert pod["spec"]["tolerations"] == [{"operator": "Exists", "effect": "NoExecute"}]


@pytest.mark.parametrize("data, message", [
    (b"kind: Pod\napiVersion: v1\nmetadata: {name: x}\nspec: {containers: []}\n",
     "invalid pod: spec.containers: Required value"),
    (b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n",
     'want apiVersion "v1" and kind "Pod", got apiVersion "apps/v1", kind "Deployment"'),
    (b"apiVersion: v1\nkind: Pod\nmetadata: {name: [\n", "could not parse"),
    (MANIFEST + b"---\n" + MANIFEST, "exactly one pod, found 2 documents"),
    (b"- 1\n", "invalid pod: not an object"),
])
def test_bad_manifests_say_what_is_wrong(data, message):
    with pytest.raises(ManifestError) as caught:
        static_pod(data, "/m/x.yaml", "n1", 0)
    assert message in str(caught.value)


def test_the_mirror_is_owned_by_the_node_and_names_the_hash():
    pod = static_pod(MANIFEST, "/m/web.yaml", "n1", 0)
    mirror = mirror_pod(pod, "n1", "node-uid")
    assert "uid" not in mirror["metadata"] and "status" not in mirror
    assert mirror["metadata"]["annotations"][CONFIG_MIRROR] == pod["metadata"]["uid"]
    assert mirror["metadata"]["ownerReferences"] == [
        {"apiVersion": "v1", "kind": "Node", "name": "n1", "uid": "node-uid", "controller": True}]
    assert is_mirror_pod(mirror) and not is_mirror_pod(pod)
    assert CONFIG_MIRROR not in pod["metadata"]["annotations"]  # the static pod is untouched
    stored = dict(mirror, metadata=dict(mirror["metadata"], uid="api-uid"))
    assert mirror_is_current(stored, pod)
    edited = static_pod(MANIFEST.replace(b"3600", b"60"), "/m/web.yaml", "n1", 0)
    assert not mirror_is_current(stored, edited)
    deleting = dict(stored, metadata=dict(stored["metadata"], deletionTimestamp="2026-01-01T00:00:00Z"))
    assert not mirror_is_current(deleting, pod)


def test_scan_reads_the_directory_skipping_dotfiles_and_bad_files(tmp_path):
    (tmp_path / "web.yaml").write_bytes(MANIFEST)
    (tmp_path / "db.json").write_text('{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "db"},'
                                      ' "spec": {"containers": [{"name": "c", "image": "busybox"}]}}')
    (tmp_path / ".web.yaml.swp").write_text("not yaml: [")
    (tmp_path / "broken.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec: {}\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "inner.yaml").write_bytes(MANIFEST)
    result, cache = scan(tmp_path, "n1", 10.0)
    assert sorted(result.pods) == ["default/db-n1", "default/web-n1"]
    assert list(result.errors) == [str(tmp_path / "broken.yaml")]
    assert "spec.containers: Required value" in result.errors[str(tmp_path / "broken.yaml")]
    # unchanged files keep their pod (and its config.seen); a changed one is new
    again, cache = scan(tmp_path, "n1", 20.0, cache)
    assert again.pods["default/web-n1"] is result.pods["default/web-n1"]
    (tmp_path / "web.yaml").write_bytes(MANIFEST.replace(b"3600", b"60"))
    edited, _ = scan(tmp_path, "n1", 30.0, cache)
    assert changed_keys(again.pods, edited.pods) == {"default/web-n1"}
    (tmp_path / "db.json").unlink()
    removed, _ = scan(tmp_path, "n1", 40.0, cache)
    assert changed_keys(edited.pods, removed.pods) == {"default/db-n1"}


def test_two_files_with_one_pod_name_keep_the_first(tmp_path):
    (tmp_path / "a.yaml").write_bytes(MANIFEST)
    (tmp_path / "b.yaml").write_bytes(MANIFEST.replace(b"3600", b"1"))
    result, _ = scan(tmp_path, "n1", 0)
    assert list(result.pods) == ["default/web-n1"]
    assert "already defined" in result.errors[str(tmp_path / "b.yaml")]
    assert result.pods["default/web-n1"]["spec"]["containers"][0]["command"] == ["sleep", "3600"]


def test_a_single_manifest_file_is_a_source_too(tmp_path):
    (tmp_path / "web.yaml").write_bytes(MANIFEST)
    result, _ = scan(tmp_path / "web.yaml", "n1", 0)
    assert list(result.pods) == ["default/web-n1"]
    assert scan(tmp_path / "missing", "n1", 0)[0].pods == {}


def test_config_seen_is_rfc3339_with_nanoseconds():
    assert staticpods.rfc3339_nano(0.25) == "1970-01-01T00:00:00.250000000Z"


def test_node_restriction_takes_the_kubelets_mirror_and_refuses_other_owners():
    from kybernetes.apiserver.admission_plugins.noderestriction import check
    pod = static_pod(MANIFEST, "/m/web.yaml", "n1", 0)
    mirror = mirror_pod(pod, "n1", "node-uid")
    assert check("n1", "CREATE", "", "Pod", "", mirror, None) is None
    assert check("n2", "CREATE", "", "Pod", "", mirror, None) == \
        'node "n2" can only create pods with spec.nodeName set to itself'
    owner = mirror["metadata"]["ownerReferences"][0]
    two = dict(mirror, metadata=dict(mirror["metadata"], ownerReferences=[owner, owner]))
    assert check("n1", "CREATE", "", "Pod", "", two, None) == \
        'node "n1" can only create pods with a single owner reference set to itself'
    not_controller = dict(mirror, metadata=dict(mirror["metadata"], ownerReferences=[
        dict(owner, controller=False)]))
    assert check("n1", "CREATE", "", "Pod", "", not_controller, None) == \
        'node "n1" can only create pods with a controller owner reference set to itself'
    blocking = dict(mirror, metadata=dict(mirror["metadata"], ownerReferences=[
        dict(owner, blockOwnerDeletion=True)]))
    assert check("n1", "CREATE", "", "Pod", "", blocking, None) == \
        'node "n1" must not set blockOwnerDeletion on an owner reference'
    other_node = dict(mirror, metadata=dict(mirror["metadata"], ownerReferences=[dict(owner, name="n2")]))
    assert check("n1", "CREATE", "", "Pod", "", other_node, None) == \
        'node "n1" can only create pods with an owner reference set to itself'
