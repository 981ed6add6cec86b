# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The built-in local-path provisioner, as k3s ships it: the default StorageClass
`local-path` (provisioner `rancher.io/local-path`, WaitForFirstConsumer, Delete) and
a provisioner that answers claims the PV binder hands to it.

Why `rancher.io/local-path`: it is the name k3s (the niche kybernetes aims at) gives
this provisioner, so StorageClasses, Helm values and tutorials written for k3s work
unchanged, and `kubectl describe pvc` shows the events a k3s user expects.

For a claim annotated `volume.kubernetes.io/storage-provisioner: rancher.io/local-path`
and placed on a node (`volume.kubernetes.io/selected-node`), it creates a hostPath
PersistentVolume `pvc-<claim uid>` at `<data dir>/storage/pvc-<uid>_<namespace>_<claim>`
(k3s's naming), reserved for the claim and pinned to the node by nodeAffinity on
`kubernetes.io/hostname`. The directory is made here when the node is this machine;
on another node the PV's hostPath type DirectoryOrCreate lets that node's kubelet
make it. A Released volume with reclaimPolicy Delete loses its directory (on this
machine) and then its PersistentVolume object."""
from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

from kybernetes.apiserver.errors import ApiError
from kybernetes.client.events import EventRecorder
from kybernetes.client.rest import resource
from kybernetes.controllers import volume_util as vu
from kybernetes.controllers.base import Controller

PVS = resource("persistentvolumes")
PVCS = resource("persistentvolumeclaims")
NODES = resource("nodes")
STORAGE_CLASSES = resource("storageclasses.storage.k8s.io")

PROVISIONER = "rancher.io/local-path"
CLASS_NAME = "local-path"
ANN_LOCAL_SELECTED_NODE = "local.path.provisioner/selected-node"
SUPPORTED_ACCESS_MODES = {"ReadWriteOnce", "ReadWriteOncePod"}
DEFAULT_STORAGE_ROOT = Path("/var/lib/kybernetes/storage")


def default_storage_class() -> dict:
    return {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": CLASS_NAME,
                         "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
            "provisioner": PROVISIONER, "reclaimPolicy": "Delete",
            "volumeBindingMode": "WaitForFirstConsumer", "allowVolumeExpansion": False}


def volume_name(claim: dict) -> str:
    return f"pvc-{claim['metadata']['uid']}"


def volume_path(root: Path, claim: dict) -> Path:
    meta = claim["metadata"]
    return root / f"{volume_name(claim)}_{meta['namespace']}_{meta['name']}"


def provisioning_error(claim: dict) -> str | None:
    modes = set((claim.get("spec") or {}).get("accessModes") or [])
    if modes - SUPPORTED_ACCESS_MODES:
        return "NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes"
    return None


def wants_provisioning(claim: dict) -> bool:
    notes = vu.annotations(claim)
    return (notes.get(vu.ANN_STORAGE_PROVISIONER) == PROVISIONER or
            notes.get(vu.ANN_BETA_STORAGE_PROVISIONER) == PROVISIONER) and \
        not (claim.get("spec") or {}).get("volumeName") and \
        not claim["metadata"].get("deletionTimestamp")


def provisioned_volume(claim: dict, storage_class: dict, node_name: str, hostname: str,
                       path: Path) -> dict:
    """The PersistentVolume for `claim` on `node_name` (whose hostname label is `hostname`)."""
    meta, spec = claim["metadata"], claim.get("spec") or {}
    request = ((spec.get("resources") or {}).get("requests") or {}).get("storage", "0")
    volume = {
        "apiVersion": "v1", "kind": "PersistentVolume",
        "metadata": {"name": volume_name(claim),
                     "annotations": {vu.ANN_PROVISIONED_BY: PROVISIONER,
                                     ANN_LOCAL_SELECTED_NODE: node_name}},
        "spec": {
            "capacity": {"storage": request},
            "accessModes": list(spec.get("accessModes") or ["ReadWriteOnce"]),
            "volumeMode": spec.get("volumeMode") or "Filesystem",
            "persistentVolumeReclaimPolicy": storage_class.get("reclaimPolicy") or "Delete",
            "storageClassName": storage_class["metadata"]["name"],
            "claimRef": {"kind": "PersistentVolumeClaim", "apiVersion": "v1",
                         "namespace": meta["namespace"], "name": meta["name"],
                         "uid": meta["uid"], "resourceVersion": meta.get("resourceVersion")},
            "hostPath": {"path": str(path), "type": "DirectoryOrCreate"},
            "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                {"key": vu.HOSTNAME_LABEL, "operator": "In", "values": [hostname]}]}]}},
        }}
    if storage_class.get("mountOptions"):
        volume["spec"]["mountOptions"] = list(storage_class["mountOptions"])
    return volume


def deletable(volume: dict) -> bool:
    return vu.annotations(volume).get(vu.ANN_PROVISIONED_BY) == PROVISIONER and \
        (volume.get("status") or {}).get("phase") == "Released" and \
        volume["spec"].get("persistentVolumeReclaimPolicy") == "Delete" and \
        not volume["metadata"].get("deletionTimestamp")


class LocalPathProvisioner(Controller):
    name = "local-path-provisioner"
    workers = 2

    def setup(self) -> None:
        self.claims = self.informer(PVCS)
        self.volumes = self.informer(PVS)
        self.classes = self.informer(STORAGE_CLASSES)
        self.nodes = self.informer(NODES)
        self.events = EventRecorder(self.client, f"{PROVISIONER}_{socket.gethostname()}")
        self.root = (self.options.data_dir / "storage") if self.options.data_dir else DEFAULT_STORAGE_ROOT
        self.local_node = (self.options.extra.get("node_name") or socket.gethostname()).lower()
        self.enqueue_on_change(self.claims, lambda c: "claim:" + vu.claim_key(c))
        self.enqueue_on_change(self.volumes, lambda v: "volume:" + v["metadata"]["name"])

    async def run(self) -> None:
        await self.ensure_storage_class()
        await super().run()

    async def ensure_storage_class(self) -> None:
        """Create the default class unless a class of that name exists (an edited one
        is the administrator's and stays as it is)."""
        if self.classes.get(CLASS_NAME) is not None:
            return
        try:
            await self.client.create(STORAGE_CLASSES, default_storage_class())
        except ApiError as exc:
            if exc.code != 409:
                raise

    def is_local(self, node_name: str) -> bool:
        return self.options.data_dir is not None and node_name.lower() == self.local_node

    async def reconcile(self, key: str) -> None:
        kind, _, name = key.partition(":")
        if kind == "claim":
            claim = self.claims.get(name)
            if claim is not None and wants_provisioning(claim):
                await self.provision(claim)
        else:
            volume = self.volumes.get(name)
            if volume is not None and deletable(volume):
                await self.delete(volume)

    async def provision(self, claim: dict) -> None:
        if self.volumes.get(volume_name(claim)) is not None:
            return
        class_name = vu.claim_class(claim)
        storage_class = self.classes.get(class_name)
        if storage_class is None or storage_class.get("provisioner") != PROVISIONER:
            return
        node_name = vu.annotations(claim).get(vu.ANN_SELECTED_NODE)
        if not node_name:
            if storage_class.get("volumeBindingMode") == "WaitForFirstConsumer":
                return  # the binder hands it over again once a pod is placed
            node_name = self.local_node  # Immediate binding: this machine holds it
        self.events.event(claim, "Normal", "Provisioning",
                          f'External provisioner is provisioning volume for claim "{vu.claim_key(claim)}"')
        error = provisioning_error(claim)
        if error:
            self.events.event(claim, "Warning", "ProvisioningFailed",
                              f'failed to provision volume with StorageClass "{class_name}": {error}')
            return
        node = self.nodes.get(node_name)
        hostname = ((node or {}).get("metadata", {}).get("labels") or {}).get(vu.HOSTNAME_LABEL, node_name)
        path = volume_path(self.root, claim)
        if self.is_local(node_name):
            path.mkdir(parents=True, exist_ok=True)
            os.chmod(path, 0o777)  # as k3s: any pod user may write its volume
        volume = provisioned_volume(claim, storage_class, node_name, hostname, path)
        try:
            await self.client.create(PVS, volume)
        except ApiError as exc:
            if exc.code != 409:
                raise
            return
        self.events.event(claim, "Normal", "ProvisioningSucceeded",
                          f"Successfully provisioned volume {volume['metadata']['name']}")

    async def delete(self, volume: dict) -> None:
        node_name = vu.annotations(volume).get(ANN_LOCAL_SELECTED_NODE, "")
        path = Path((volume["spec"].get("hostPath") or {}).get("path", ""))
        if self.is_local(node_name) and path.parent == self.root and path.name.startswith("pvc-"):
            shutil.rmtree(path, ignore_errors=True)
        try:
            await self.client.delete(PVS, volume["metadata"]["name"], uid=volume["metadata"].get("uid"))
        except ApiError as exc:
            if exc.code not in (404, 409):
                raise


CONTROLLERS = [LocalPathProvisioner]
