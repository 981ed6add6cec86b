# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Protobuf field table of the storage.v1 messages (wire facts of the Kubernetes API).

Each message maps to field tokens `number:jsonName:type[:flags]`; see
kybernetes/api/protobuf_types/__init__.py for the token grammar. Generated.
"""

MESSAGES = {
    "storage.v1.CSIDriver": "1:metadata:meta.v1.ObjectMeta 2:spec:storage.v1.CSIDriverSpec",
    "storage.v1.CSIDriverList": "1:metadata:meta.v1.ListMeta 2:items:storage.v1.CSIDriver:r",
    "storage.v1.CSIDriverSpec": (
        "1:attachRequired:b:p 2:podInfoOnMount:b:p 3:volumeLifecycleModes:s:r "
        "4:storageCapacity:b:p 5:fsGroupPolicy:s:p "
        "6:tokenRequests:storage.v1.TokenRequest:r 7:requiresRepublish:b:p "
        "8:seLinuxMount:b:p"
    ),
    "storage.v1.CSINode": "1:metadata:meta.v1.ObjectMeta 2:spec:storage.v1.CSINodeSpec",
    "storage.v1.CSINodeDriver": (
        "1:name:s:k 2:nodeID:s:k 3:topologyKeys:s:r "
        "4:allocatable:storage.v1.VolumeNodeResources:p"
    ),
    "storage.v1.CSINodeList": "1:metadata:meta.v1.ListMeta 2:items:storage.v1.CSINode:r",
    "storage.v1.CSINodeSpec": "1:drivers:storage.v1.CSINodeDriver:r",
    "storage.v1.CSIStorageCapacity": (
        "1:metadata:meta.v1.ObjectMeta 2:nodeTopology:meta.v1.LabelSelector:p "
        "3:storageClassName:s:k 4:capacity:@quantity:p 5:maximumVolumeSize:@quantity:p"
    ),
    "storage.v1.CSIStorageCapacityList": (
        "1:metadata:meta.v1.ListMeta 2:items:storage.v1.CSIStorageCapacity:r"
    ),
    "storage.v1.StorageClass": (
        "1:metadata:meta.v1.ObjectMeta 2:provisioner:s:k 3:parameters:{s} "
        "4:reclaimPolicy:s:p 5:mountOptions:s:r 6:allowVolumeExpansion:b:p "
        "7:volumeBindingMode:s:p 8:allowedTopologies:core.v1.TopologySelectorTerm:r"
    ),
    "storage.v1.StorageClassList": "1:metadata:meta.v1.ListMeta 2:items:storage.v1.StorageClass:r",
    "storage.v1.TokenRequest": "1:audience:s:k 2:expirationSeconds:i64:p",
    "storage.v1.VolumeAttachment": (
        "1:metadata:meta.v1.ObjectMeta 2:spec:storage.v1.VolumeAttachmentSpec "
        "3:status:storage.v1.VolumeAttachmentStatus"
    ),
    "storage.v1.VolumeAttachmentList": (
        "1:metadata:meta.v1.ListMeta 2:items:storage.v1.VolumeAttachment:r"
    ),
    "storage.v1.VolumeAttachmentSource": (
        "1:persistentVolumeName:s:p 2:inlineVolumeSpec:core.v1.PersistentVolumeSpec:p"
    ),
    "storage.v1.VolumeAttachmentSpec": (
        "1:attacher:s:k 2:source:storage.v1.VolumeAttachmentSource 3:nodeName:s:k"
    ),
    "storage.v1.VolumeAttachmentStatus": (
        "1:attached:b:k 2:attachmentMetadata:{s} 3:attachError:storage.v1.VolumeError:p "
        "4:detachError:storage.v1.VolumeError:p"
    ),
    "storage.v1.VolumeError": "1:time:@time 2:message:s",
    "storage.v1.VolumeNodeResources": "1:count:i32:p",
}
