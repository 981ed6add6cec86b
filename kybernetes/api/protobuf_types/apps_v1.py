# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Protobuf field table of the apps.v1 messages (wire facts of the Kubernetes API).

Each message maps to field tokens `number:jsonName:type[:flags]`; see
kybernetes/api/protobuf_types/__init__.py for the token grammar. Generated.
"""

MESSAGES = {
    "apps.v1.ControllerRevision": "1:metadata:meta.v1.ObjectMeta 2:data:@raw 3:revision:i64:k",
    "apps.v1.ControllerRevisionList": (
        "1:metadata:meta.v1.ListMeta 2:items:apps.v1.ControllerRevision:r"
    ),
    "apps.v1.DaemonSet": (
        "1:metadata:meta.v1.ObjectMeta 2:spec:apps.v1.DaemonSetSpec "
        "3:status:apps.v1.DaemonSetStatus"
    ),
    "apps.v1.DaemonSetCondition": (
        "1:type:s:k 2:status:s:k 3:lastTransitionTime:@time 4:reason:s 5:message:s"
    ),
    "apps.v1.DaemonSetList": "1:metadata:meta.v1.ListMeta 2:items:apps.v1.DaemonSet:r",
    "apps.v1.DaemonSetSpec": (
        "1:selector:meta.v1.LabelSelector:p 2:template:core.v1.PodTemplateSpec "
        "3:updateStrategy:apps.v1.DaemonSetUpdateStrategy 4:minReadySeconds:i32 "
        "6:revisionHistoryLimit:i32:p"
    ),
    "apps.v1.DaemonSetStatus": (
        "1:currentNumberScheduled:i32:k 2:numberMisscheduled:i32:k "
        "3:desiredNumberScheduled:i32:k 4:numberReady:i32:k 5:observedGeneration:i64 "
        "6:updatedNumberScheduled:i32 7:numberAvailable:i32 8:numberUnavailable:i32 "
        "9:collisionCount:i32:p 10:conditions:apps.v1.DaemonSetCondition:r"
    ),
    "apps.v1.DaemonSetUpdateStrategy": "1:type:s 2:rollingUpdate:apps.v1.RollingUpdateDaemonSet:p",
    "apps.v1.Deployment": (
        "1:metadata:meta.v1.ObjectMeta 2:spec:apps.v1.DeploymentSpec "
        "3:status:apps.v1.DeploymentStatus"
    ),
    "apps.v1.DeploymentCondition": (
        "1:type:s:k 2:status:s:k 4:reason:s 5:message:s 6:lastUpdateTime:@time "
        "7:lastTransitionTime:@time"
    ),
    "apps.v1.DeploymentList": "1:metadata:meta.v1.ListMeta 2:items:apps.v1.Deployment:r",
    "apps.v1.DeploymentSpec": (
        "1:replicas:i32:p 2:selector:meta.v1.LabelSelector:p "
        "3:template:core.v1.PodTemplateSpec 4:strategy:apps.v1.DeploymentStrategy "
        "5:minReadySeconds:i32 6:revisionHistoryLimit:i32:p 7:paused:b "
        "9:progressDeadlineSeconds:i32:p"
    ),
    "apps.v1.DeploymentStatus": (
        "1:observedGeneration:i64 2:replicas:i32 3:updatedReplicas:i32 "
        "4:availableReplicas:i32 5:unavailableReplicas:i32 "
        "6:conditions:apps.v1.DeploymentCondition:r 7:readyReplicas:i32 "
        "8:collisionCount:i32:p"
    ),
    "apps.v1.DeploymentStrategy": "1:type:s 2:rollingUpdate:apps.v1.RollingUpdateDeployment:p",
    "apps.v1.ReplicaSet": (
        "1:metadata:meta.v1.ObjectMeta 2:spec:apps.v1.ReplicaSetSpec "
        "3:status:apps.v1.ReplicaSetStatus"
    ),
    "apps.v1.ReplicaSetCondition": (
        "1:type:s:k 2:status:s:k 3:lastTransitionTime:@time 4:reason:s 5:message:s"
    ),
    "apps.v1.ReplicaSetList": "1:metadata:meta.v1.ListMeta 2:items:apps.v1.ReplicaSet:r",
    "apps.v1.ReplicaSetSpec": (
        "1:replicas:i32:p 2:selector:meta.v1.LabelSelector:p "
        "3:template:core.v1.PodTemplateSpec 4:minReadySeconds:i32"
    ),
    "apps.v1.ReplicaSetStatus": (
        "1:replicas:i32:k 2:fullyLabeledReplicas:i32 3:observedGeneration:i64 "
        "4:readyReplicas:i32 5:availableReplicas:i32 "
        "6:conditions:apps.v1.ReplicaSetCondition:r"
    ),
    "apps.v1.RollingUpdateDaemonSet": "1:maxUnavailable:@intorstr:p 2:maxSurge:@intorstr:p",
    "apps.v1.RollingUpdateDeployment": "1:maxUnavailable:@intorstr:p 2:maxSurge:@intorstr:p",
    "apps.v1.RollingUpdateStatefulSetStrategy": "1:partition:i32:p 2:maxUnavailable:@intorstr:p",
    "apps.v1.StatefulSet": (
        "1:metadata:meta.v1.ObjectMeta 2:spec:apps.v1.StatefulSetSpec "
        "3:status:apps.v1.StatefulSetStatus"
    ),
    "apps.v1.StatefulSetCondition": (
        "1:type:s:k 2:status:s:k 3:lastTransitionTime:@time 4:reason:s 5:message:s"
    ),
    "apps.v1.StatefulSetList": "1:metadata:meta.v1.ListMeta 2:items:apps.v1.StatefulSet:r",
    "apps.v1.StatefulSetOrdinals": "1:start:i32:k",
    "apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy": "1:whenDeleted:s 2:whenScaled:s",
    "apps.v1.StatefulSetSpec": (
        "1:replicas:i32:p 2:selector:meta.v1.LabelSelector:p "
        "3:template:core.v1.PodTemplateSpec "
        "4:volumeClaimTemplates:core.v1.PersistentVolumeClaim:r 5:serviceName:s:k "
        "6:podManagementPolicy:s 7:updateStrategy:apps.v1.StatefulSetUpdateStrategy "
        "8:revisionHistoryLimit:i32:p 9:minReadySeconds:i32 "
        "10:persistentVolumeClaimRetentionPolicy:apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy:p "
        "11:ordinals:apps.v1.StatefulSetOrdinals:p"
    ),
    "apps.v1.StatefulSetStatus": (
        "1:observedGeneration:i64 2:replicas:i32:k 3:readyReplicas:i32 "
        "4:currentReplicas:i32 5:updatedReplicas:i32 6:currentRevision:s "
        "7:updateRevision:s 9:collisionCount:i32:p "
        "10:conditions:apps.v1.StatefulSetCondition:r 11:availableReplicas:i32:k"
    ),
    "apps.v1.StatefulSetUpdateStrategy": (
        "1:type:s 2:rollingUpdate:apps.v1.RollingUpdateStatefulSetStrategy:p"
    ),
}
