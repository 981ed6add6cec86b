# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Table printers for storage: PersistentVolume, PersistentVolumeClaim, StorageClass,
CSIDriver, CSINode, VolumeAttachment."""
from __future__ import annotations

from datetime import datetime

from .columns import age_column, column, name_column, printer, wide
from .formatting import UNSET, age, dig, meta, name_of, quantity

BETA_STORAGE_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class"
DEFAULT_CLASS_ANNOTATIONS = ("storageclass.kubernetes.io/is-default-class",
                             "storageclass.beta.kubernetes.io/is-default-class")
ACCESS_MODE_ABBREVIATIONS = (("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"),
                             ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP"))


def access_modes(modes: list[str] | None) -> str:
    """`RWO,ROX`: abbreviations in a fixed order, each once."""
    present = set(modes or [])
    return ",".join(short for mode, short in ACCESS_MODE_ABBREVIATIONS if mode in present)


def _storage_class(obj: dict) -> str:
    """The beta annotation still wins over spec.storageClassName, as upstream reads it."""
    annotations = meta(obj).get("annotations") or {}
    if BETA_STORAGE_CLASS_ANNOTATION in annotations:
        return annotations[BETA_STORAGE_CLASS_ANNOTATION]
    return dig(obj, "spec", "storageClassName", default="")


@printer("", "PersistentVolume", [
    name_column(),
    column("Capacity", description="The volume's size."),
    column("Access Modes", description="The ways the volume can be mounted."),
    column("Reclaim Policy", description="What happens to the volume when its claim goes."),
    column("Status", description="The phase of the volume."),
    column("Claim", description="The claim bound to this volume."),
    column("StorageClass", description="StorageClass of the pv"),
    column("VolumeAttributesClass", description="VolumeAttributesClass of the pv"),
    column("Reason", description="Why the volume is in this phase."),
    age_column(),
    wide("VolumeMode", "Whether the volume is a filesystem or a block device."),
])
def persistent_volume_cells(obj: dict, now: datetime) -> list:
    spec = obj.get("spec") or {}
    claim_ref = spec.get("claimRef")
    claim = f"{claim_ref.get('namespace', '')}/{claim_ref.get('name', '')}" if claim_ref else ""
    phase = dig(obj, "status", "phase", default="")
    if meta(obj).get("deletionTimestamp") is not None:
        phase = "Terminating"
    return [name_of(obj), quantity(dig(spec, "capacity", "storage")),
            access_modes(spec.get("accessModes")), spec.get("persistentVolumeReclaimPolicy", ""),
            phase, claim, _storage_class(obj), spec.get("volumeAttributesClassName") or UNSET,
            dig(obj, "status", "reason", default=""), age(obj, now),
            spec.get("volumeMode") or UNSET]


@printer("", "PersistentVolumeClaim", [
    name_column(),
    column("Status", description="The phase of the claim."),
    column("Volume", description="The volume bound to this claim."),
    column("Capacity", description="The size of the bound volume."),
    column("Access Modes", description="The ways the bound volume can be mounted."),
    column("StorageClass", description="StorageClass of the pvc"),
    column("VolumeAttributesClass", description="VolumeAttributesClass of the pvc"),
    age_column(),
    wide("VolumeMode", "Whether the claim wants a filesystem or a block device."),
])
def persistent_volume_claim_cells(obj: dict, now: datetime) -> list:
    spec = obj.get("spec") or {}
    phase = dig(obj, "status", "phase", default="")
    if meta(obj).get("deletionTimestamp") is not None:
        phase = "Terminating"
    capacity, modes = "", ""
    if spec.get("volumeName"):
        modes = access_modes(dig(obj, "status", "accessModes"))
        capacity = quantity(dig(obj, "status", "capacity", "storage"))
    return [name_of(obj), phase, spec.get("volumeName", ""), capacity, modes, _storage_class(obj),
            spec.get("volumeAttributesClassName") or UNSET, age(obj, now),
            spec.get("volumeMode") or UNSET]


@printer("storage.k8s.io", "StorageClass", [
    name_column(),
    column("Provisioner", description="The volume plugin that provisions volumes."),
    column("ReclaimPolicy", description="Reclaim policy of the volumes it provisions."),
    column("VolumeBindingMode", description="When volumes are bound and provisioned."),
    column("AllowVolumeExpansion", description="Whether claims may grow."),
    age_column(),
])
def storage_class_cells(obj: dict, now: datetime) -> list:
    annotations = meta(obj).get("annotations") or {}
    name = name_of(obj)
    if any(annotations.get(key) == "true" for key in DEFAULT_CLASS_ANNOTATIONS):
        name += " (default)"
    return [name, obj.get("provisioner", ""), obj.get("reclaimPolicy") or "Delete",
            obj.get("volumeBindingMode") or "Immediate",
            bool(obj.get("allowVolumeExpansion") or False), age(obj, now)]


@printer("storage.k8s.io", "CSIDriver", [
    name_column(),
    column("AttachRequired", "boolean", "Whether volumes need an attach operation."),
    column("PodInfoOnMount", "boolean", "Whether mounts receive pod information."),
    column("StorageCapacity", "boolean", "Whether the driver reports storage capacity."),
    column("TokenRequests", description="Audiences of the tokens passed to the driver."),
    column("RequiresRepublish", "boolean", "Whether volumes are periodically remounted."),
    column("Modes", description="Volume lifecycle modes the driver supports."),
    age_column(),
])
def csi_driver_cells(obj: dict, now: datetime) -> list:
    spec = obj.get("spec") or {}
    attach = spec.get("attachRequired")
    token_requests = spec.get("tokenRequests")
    audiences = UNSET if token_requests is None else ",".join(
        t.get("audience", "") for t in token_requests)
    return [name_of(obj), True if attach is None else bool(attach),
            bool(spec.get("podInfoOnMount") or False), bool(spec.get("storageCapacity") or False),
            audiences, bool(spec.get("requiresRepublish") or False),
            ",".join(spec.get("volumeLifecycleModes") or []) or "<none>", age(obj, now)]


@printer("storage.k8s.io", "CSINode", [
    name_column(),
    column("Drivers", "integer",
           "Drivers indicates the number of CSI drivers registered on the node"),
    age_column(),
])
def csi_node_cells(obj: dict, now: datetime) -> list:
    return [name_of(obj), len(dig(obj, "spec", "drivers", default=[])), age(obj, now)]


@printer("storage.k8s.io", "VolumeAttachment", [
    name_column(),
    column("Attacher", description="The driver that attaches the volume.", format_="name"),
    column("PV", description="The persistent volume being attached."),
    column("Node", description="The node the volume is attached to."),
    column("Attached", "boolean", "Whether the attach operation succeeded."),
    age_column(),
])
def volume_attachment_cells(obj: dict, now: datetime) -> list:
    spec = obj.get("spec") or {}
    return [name_of(obj), spec.get("attacher", ""),
            dig(spec, "source", "persistentVolumeName", default=""), spec.get("nodeName", ""),
            bool(dig(obj, "status", "attached", default=False)), age(obj, now)]
