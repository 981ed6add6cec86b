# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Top-level kinds: (apiVersion, message package) -> the kinds of that group-version.

A kind's message is `<package>.<kind>`. Generated from the types that carry TypeMeta.
"""

KINDS = {
    ("admissionregistration.k8s.io/v1", "admissionregistration.v1"): (
        "MutatingWebhookConfiguration MutatingWebhookConfigurationList "
        "ValidatingAdmissionPolicy ValidatingAdmissionPolicyBinding "
        "ValidatingAdmissionPolicyBindingList ValidatingAdmissionPolicyList "
        "ValidatingWebhookConfiguration ValidatingWebhookConfigurationList"
    ),
    ("apps/v1", "apps.v1"): (
        "ControllerRevision ControllerRevisionList DaemonSet DaemonSetList Deployment "
        "DeploymentList ReplicaSet ReplicaSetList StatefulSet StatefulSetList"
    ),
    ("authentication.k8s.io/v1", "authentication.v1"): (
        "SelfSubjectReview TokenRequest TokenReview"
    ),
    ("authorization.k8s.io/v1", "authorization.v1"): (
        "LocalSubjectAccessReview SelfSubjectAccessReview SelfSubjectRulesReview "
        "SubjectAccessReview"
    ),
    ("autoscaling/v1", "autoscaling.v1"): (
        "HorizontalPodAutoscaler HorizontalPodAutoscalerList Scale"
    ),
    ("autoscaling/v2", "autoscaling.v2"): (
        "HorizontalPodAutoscaler HorizontalPodAutoscalerList"
    ),
    ("batch/v1", "batch.v1"): (
        "CronJob CronJobList Job JobList"
    ),
    ("certificates.k8s.io/v1", "certificates.v1"): (
        "CertificateSigningRequest CertificateSigningRequestList"
    ),
    ("coordination.k8s.io/v1", "coordination.v1"): (
        "Lease LeaseList"
    ),
    ("discovery.k8s.io/v1", "discovery.v1"): (
        "EndpointSlice EndpointSliceList"
    ),
    ("events.k8s.io/v1", "events.v1"): (
        "Event EventList"
    ),
    ("flowcontrol.apiserver.k8s.io/v1", "flowcontrol.v1"): (
        "FlowSchema FlowSchemaList PriorityLevelConfiguration "
        "PriorityLevelConfigurationList"
    ),
    ("meta.k8s.io/v1", "meta.v1"): (
        "APIGroup APIGroupList APIResourceList APIVersions ApplyOptions CreateOptions "
        "DeleteOptions GetOptions List ListOptions PartialObjectMetadata "
        "PartialObjectMetadataList PatchOptions Status TableOptions UpdateOptions"
    ),
    ("networking.k8s.io/v1", "networking.v1"): (
        "Ingress IngressClass IngressClassList IngressList NetworkPolicy "
        "NetworkPolicyList"
    ),
    ("node.k8s.io/v1", "node.v1"): (
        "RuntimeClass RuntimeClassList"
    ),
    ("policy/v1", "policy.v1"): (
        "Eviction PodDisruptionBudget PodDisruptionBudgetList"
    ),
    ("rbac.authorization.k8s.io/v1", "rbac.v1"): (
        "ClusterRole ClusterRoleBinding ClusterRoleBindingList ClusterRoleList Role "
        "RoleBinding RoleBindingList RoleList"
    ),
    ("scheduling.k8s.io/v1", "scheduling.v1"): (
        "PriorityClass PriorityClassList"
    ),
    ("storage.k8s.io/v1", "storage.v1"): (
        "CSIDriver CSIDriverList CSINode CSINodeList CSIStorageCapacity "
        "CSIStorageCapacityList StorageClass StorageClassList VolumeAttachment "
        "VolumeAttachmentList"
    ),
    ("v1", "core.v1"): (
        "Binding ComponentStatus ComponentStatusList ConfigMap ConfigMapList Endpoints "
        "EndpointsList Event EventList LimitRange LimitRangeList Namespace NamespaceList "
        "Node NodeList NodeProxyOptions PersistentVolume PersistentVolumeClaim "
        "PersistentVolumeClaimList PersistentVolumeList Pod PodAttachOptions "
        "PodExecOptions PodList PodLogOptions PodPortForwardOptions PodProxyOptions "
        "PodStatusResult PodTemplate PodTemplateList RangeAllocation "
        "ReplicationController ReplicationControllerList ResourceQuota ResourceQuotaList "
        "Secret SecretList SerializedReference Service ServiceAccount ServiceAccountList "
        "ServiceList ServiceProxyOptions"
    ),
}
