# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""PersistentVolume binder and local-path provisioner decisions without a server:
which volume a claim gets, binding writes, provisioner names and event texts, the
default StorageClass, and the volumes local-path makes."""
from __future__ import annotations

from pathlib import Path

from kybernetes.apiserver.admission_plugins.storageclass import default_class, wants_default_class
from kybernetes.controllers import localpath
from kybernetes.controllers import volume_util as vu
from kybernetes.controllers.volumebinding import bound_claim, bound_volume


def pv(name, size="1Gi", modes=("ReadWriteOnce",), cls="manual", labels=None, claim_ref=None,
       affinity_host=None, phase="Available", mode=None):
    volume = {"metadata": {"name": name, "labels": labels or {}},
              "spec": {"capacity": {"storage": size}, "accessModes": list(modes),
                       "storageClassName": cls},
              "status": {"phase": phase}}
    if claim_ref:
        volume["spec"]["claimRef"] = claim_ref
    if mode:
        volume["spec"]["volumeMode"] = mode
    if affinity_host:
        volume["spec"]["nodeAffinity"] = {"required": {"nodeSelectorTerms": [{"matchExpressions": [
            {"key": "kubernetes.io/hostname", "operator": "In", "values": [affinity_host]}]}]}}
    return volume


def pvc(name="c", size="2Gi", modes=("ReadWriteOnce",), cls="manual", selector=None):
    spec = {"accessModes": list(modes), "resources": {"requests": {"storage": size}},
            "storageClassName": cls}
    if selector:
        spec["selector"] = selector
    return {"metadata": {"name": name, "namespace": "ns", "uid": "u-1", "resourceVersion": "5"},
            "spec": spec}


def test_smallest_fitting_volume_wins():
    volumes = [pv("big", "10Gi"), pv("small", "1Gi"), pv("fit", "3Gi"), pv("fit-too", "5Gi")]
    assert vu.find_best_match(pvc(size="2Gi"), volumes)["metadata"]["name"] == "fit"
    assert vu.find_best_match(pvc(size="20Gi"), volumes) is None


def test_class_modes_selector_and_volume_mode_must_match():
    claim = pvc(modes=("ReadWriteOnce", "ReadOnlyMany"), selector={"matchLabels": {"tier": "db"}})
    volumes = [pv("wrong-class", "5Gi", modes=("ReadWriteOnce", "ReadOnlyMany"), cls="other",
                  labels={"tier": "db"}),
               pv("too-few-modes", "5Gi", labels={"tier": "db"}),
               pv("no-label", "5Gi", modes=("ReadWriteOnce", "ReadOnlyMany")),
               pv("block", "5Gi", modes=("ReadWriteOnce", "ReadOnlyMany"), labels={"tier": "db"},
                  mode="Block"),
               pv("many", "5Gi", modes=("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany"),
                  labels={"tier": "db"}),
               pv("exact", "8Gi", modes=("ReadWriteOnce", "ReadOnlyMany"), labels={"tier": "db"})]
    # fewer extra access modes first, then size: "exact" beats the smaller "many"
    assert vu.find_best_match(claim, volumes)["metadata"]["name"] == "exact"


def test_claimed_released_and_reserved_volumes():
    claim = pvc()
    other = {"name": "other", "namespace": "ns", "uid": "u-9"}
    mine = {"name": "c", "namespace": "ns"}
    volumes = [pv("taken", "5Gi", claim_ref=other, phase="Bound"),
               pv("released", "3Gi", claim_ref=other, phase="Released"),
               pv("reserved", "9Gi", claim_ref=mine)]
    assert vu.find_best_match(claim, volumes)["metadata"]["name"] == "reserved"
    assert vu.find_best_match(claim, volumes[:2]) is None


def test_delayed_binding_waits_for_a_node_and_honours_affinity():
    claim = pvc()
    volumes = [pv("on-a", "5Gi", affinity_host="a"), pv("on-b", "3Gi", affinity_host="b")]
    assert vu.find_best_match(claim, volumes, delay_binding=True) is None
    node_a = {"metadata": {"name": "a", "labels": {"kubernetes.io/hostname": "a"}}}
    assert vu.find_best_match(claim, volumes, delay_binding=True, node=node_a)["metadata"]["name"] == "on-a"


def test_binding_writes():
    claim = pvc()
    volume = bound_volume(pv("v", "5Gi"), claim)
    assert volume["spec"]["claimRef"]["uid"] == "u-1"
    assert volume["metadata"]["annotations"][vu.ANN_BOUND_BY_CONTROLLER] == "yes"
    assert bound_volume(volume, claim) is None  # already bound: nothing to write
    reserved = bound_volume(pv("r", claim_ref={"name": "c", "namespace": "ns"}), claim)
    assert vu.ANN_BOUND_BY_CONTROLLER not in (reserved["metadata"].get("annotations") or {})
    updated = bound_claim(claim, volume)
    assert updated["spec"]["volumeName"] == "v"
    assert vu.annotations(updated) == {vu.ANN_BIND_COMPLETED: "yes", vu.ANN_BOUND_BY_CONTROLLER: "yes"}
    assert bound_claim(updated, volume) is None


def test_provisioner_names_and_messages():
    assert vu.provisioner_for("kubernetes.io/azure-disk") == ("disk.csi.azure.com", None)
    assert vu.provisioner_for("rancher.io/local-path") == ("rancher.io/local-path", None)
    assert vu.provisioner_for("kubernetes.io/glusterfs") == (
        None, "no volume plugin matched name: kubernetes.io/glusterfs")
    assert vu.external_provisioning_message("x.io/p").startswith(
        "Waiting for a volume to be created either by the external provisioner 'x.io/p' "
        "or manually by the system administrator.")


def test_waiting_for_consumer_events_and_selected_node():
    pending = {"metadata": {"name": "web-0"}, "spec": {}}
    placed = {"metadata": {"name": "web-1"}, "spec": {"nodeName": "n2"}}
    assert vu.wait_for_consumer_event([]) == (
        "WaitForFirstConsumer", "waiting for first consumer to be created before binding")
    assert vu.wait_for_consumer_event([pending]) == (
        "WaitForPodScheduled", "waiting for pod web-0 to be scheduled")
    assert vu.selected_node(pvc(), [pending]) is None
    assert vu.selected_node(pvc(), [pending, placed]) == "n2"
    chosen = pvc()
    chosen["metadata"]["annotations"] = {vu.ANN_SELECTED_NODE: "n9"}
    assert vu.selected_node(chosen, [placed]) == "n9"
    user = {"metadata": {"name": "p", "namespace": "ns"}, "spec": {"volumes": [
        {"name": "a", "persistentVolumeClaim": {"claimName": "c"}}, {"name": "scratch", "ephemeral": {}},
        {"name": "e", "emptyDir": {}}]}}
    assert vu.claims_of_pod(user) == ["ns/c", "ns/p-scratch"]


def test_default_storage_class_choice():
    older = {"metadata": {"name": "b", "creationTimestamp": "2026-01-01T00:00:00Z",
                          "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}}}
    newer = {"metadata": {"name": "z", "creationTimestamp": "2026-02-01T00:00:00Z",
                          "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}}}
    tie = {"metadata": {"name": "a", "creationTimestamp": "2026-02-01T00:00:00Z",
                        "annotations": {"storageclass.beta.kubernetes.io/is-default-class": "true"}}}
    plain = {"metadata": {"name": "c", "creationTimestamp": "2026-03-01T00:00:00Z"}}
    assert default_class([older, plain]) is older
    assert default_class([older, newer, tie, plain]) is tie
    assert default_class([plain]) is None
    unset = {"metadata": {}, "spec": {}}
    assert wants_default_class(unset)
    assert not wants_default_class({"metadata": {}, "spec": {"storageClassName": ""}})


def test_local_path_volume():
    claim = pvc(size="1Gi")
    storage_class = localpath.default_storage_class()
    assert storage_class["volumeBindingMode"] == "WaitForFirstConsumer"
    path = localpath.volume_path(Path("/data/storage"), claim)
    assert str(path) == "/data/storage/pvc-u-1_ns_c"
    volume = localpath.provisioned_volume(claim, storage_class, "n1", "n1-host", path)
    assert volume["metadata"]["name"] == "pvc-u-1"
    assert volume["spec"]["hostPath"] == {"path": "/data/storage/pvc-u-1_ns_c", "type": "DirectoryOrCreate"}
    assert volume["spec"]["persistentVolumeReclaimPolicy"] == "Delete"
    assert volume["spec"]["claimRef"]["uid"] == "u-1"
    node = {"metadata": {"name": "n1", "labels": {"kubernetes.io/hostname": "n1-host"}}}
    assert vu.volume_fits_node(volume, node)
    assert not vu.volume_fits_node(volume, {"metadata": {"name": "n2", "labels": {}}})
    assert localpath.provisioning_error(pvc(modes=("ReadWriteMany",))) is not None
    assert localpath.provisioning_error(claim) is None
