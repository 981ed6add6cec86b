# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Defaults for the groups beyond core: apps, batch, autoscaling, networking, rbac,
storage, scheduling, admissionregistration, discovery, policy."""
from __future__ import annotations

from .core import canonicalize_quantities, default_pod_template, default_pvc

RBAC_GROUP = "rbac.authorization.k8s.io"


def _template_defaults(obj: dict) -> dict:
    spec = obj.setdefault("spec", {})
    default_pod_template(spec.get("template"))
    return spec


def default_deployment(obj: dict) -> None:
    spec = _template_defaults(obj)
    spec.setdefault("replicas", 1)
    strategy = spec.setdefault("strategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxUnavailable", "25%")
        rolling.setdefault("maxSurge", "25%")
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)


def default_replica_set(obj: dict) -> None:
    _template_defaults(obj).setdefault("replicas", 1)


def default_stateful_set(obj: dict) -> None:
    spec = _template_defaults(obj)
    spec.setdefault("podManagementPolicy", "OrderedReady")
    strategy = spec.setdefault("updateStrategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        strategy.setdefault("rollingUpdate", {}).setdefault("partition", 0)
    policy = spec.setdefault("persistentVolumeClaimRetentionPolicy", {})
    policy.setdefault("whenDeleted", "Retain")
    policy.setdefault("whenScaled", "Retain")
    spec.setdefault("replicas", 1)
    spec.setdefault("revisionHistoryLimit", 10)
    for claim in spec.get("volumeClaimTemplates") or []:
        claim.setdefault("apiVersion", "v1")
        claim.setdefault("kind", "PersistentVolumeClaim")
        default_pvc(claim)


def default_daemon_set(obj: dict) -> None:
    spec = _template_defaults(obj)
    strategy = spec.setdefault("updateStrategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxUnavailable", 1)
        rolling.setdefault("maxSurge", 0)
    spec.setdefault("revisionHistoryLimit", 10)


def default_job(obj: dict) -> None:
    spec = _template_defaults(obj)
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
        spec["parallelism"] = 1
    spec.setdefault("parallelism", 1)
    if spec.get("backoffLimit") is None:
        spec["backoffLimit"] = 2147483647 if spec.get("backoffLimitPerIndex") is not None else 6
    template_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
    meta = obj.setdefault("metadata", {})
    if template_labels and not meta.get("labels"):
        meta["labels"] = dict(template_labels)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    if spec.get("podReplacementPolicy") is None:
        spec["podReplacementPolicy"] = ("Failed" if spec.get("podFailurePolicy") is not None
                                        else "TerminatingOrFailed")
    spec.setdefault("manualSelector", False)


def generate_job_selector(obj: dict, uid: str) -> None:
    """The hook the Job REST strategy calls on create: unless spec.manualSelector is true,
    label the template with the controller uid and select on it (upstream's generateSelector)."""
    spec = obj.setdefault("spec", {})
    if spec.get("manualSelector"):
        return
    name = (obj.get("metadata") or {}).get("name", "")
    labels = spec.setdefault("template", {}).setdefault("metadata", {}).setdefault("labels", {})
    labels.setdefault("batch.kubernetes.io/controller-uid", uid)
    labels.setdefault("controller-uid", uid)
    labels.setdefault("batch.kubernetes.io/job-name", name)
    labels.setdefault("job-name", name)
    if spec.get("selector") is None:
        spec["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    meta = obj.setdefault("metadata", {})
    if not meta.get("labels"):
        meta["labels"] = {"batch.kubernetes.io/controller-uid": uid, "controller-uid": uid,
                          "batch.kubernetes.io/job-name": name, "job-name": name}


def default_cron_job(obj: dict) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("concurrencyPolicy", "Allow")
    spec.setdefault("suspend", False)
    spec.setdefault("successfulJobsHistoryLimit", 3)
    spec.setdefault("failedJobsHistoryLimit", 1)
    job_spec = (spec.get("jobTemplate") or {}).get("spec")
    if job_spec is not None:
        default_pod_template(job_spec.get("template"))


def _default_scaling_rules(rules: dict | None, up: bool) -> dict:
    rules = rules if rules is not None else {}
    rules.setdefault("stabilizationWindowSeconds", 0 if up else 300)
    rules.setdefault("selectPolicy", "Max")
    if not rules.get("policies"):
        rules["policies"] = ([{"type": "Pods", "value": 4, "periodSeconds": 15},
                              {"type": "Percent", "value": 100, "periodSeconds": 15}] if up else
                             [{"type": "Percent", "value": 100, "periodSeconds": 15}])
    return rules


def default_hpa_v2(obj: dict) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("minReplicas", 1)
    if not spec.get("metrics"):
        spec["metrics"] = [{"type": "Resource", "resource": {
            "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]
    behavior = spec.get("behavior")
    if behavior is not None:
        behavior["scaleUp"] = _default_scaling_rules(behavior.get("scaleUp"), True)
        behavior["scaleDown"] = _default_scaling_rules(behavior.get("scaleDown"), False)
    for metric in spec["metrics"]:
        for section in ("resource", "containerResource", "pods", "object", "external"):
            target = (metric.get(section) or {}).get("target")
            if target:
                canonicalize_quantities({k: v for k, v in target.items() if k != "type"
                                         and k != "averageUtilization"})
                for field in ("value", "averageValue"):
                    if field in target:
                        holder = {field: target[field]}
                        canonicalize_quantities(holder)
                        target[field] = holder[field]


def default_hpa_v1(obj: dict) -> None:
    obj.setdefault("spec", {}).setdefault("minReplicas", 1)


def default_network_policy(obj: dict) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("podSelector", {})
    for rule in (spec.get("ingress") or []) + (spec.get("egress") or []):
        for port in rule.get("ports") or []:
            port.setdefault("protocol", "TCP")
    if not spec.get("policyTypes"):
        types = ["Ingress"]
        if spec.get("egress"):
            types.append("Egress")
        spec["policyTypes"] = types


def _default_subjects(subjects) -> None:
    for subject in subjects or []:
        # a ServiceAccount subject keeps the empty (core) group
        if not subject.get("apiGroup") and subject.get("kind") in ("User", "Group"):
            subject["apiGroup"] = RBAC_GROUP


def default_role_binding(obj: dict) -> None:
    role_ref = obj.setdefault("roleRef", {})
    if not role_ref.get("apiGroup"):
        role_ref["apiGroup"] = RBAC_GROUP
    _default_subjects(obj.get("subjects"))


def default_storage_class(obj: dict) -> None:
    obj.setdefault("reclaimPolicy", "Delete")
    obj.setdefault("volumeBindingMode", "Immediate")


def default_csi_driver(obj: dict) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("attachRequired", True)
    spec.setdefault("podInfoOnMount", False)
    spec.setdefault("storageCapacity", False)
    spec.setdefault("fsGroupPolicy", "ReadWriteOnceWithFSType")
    spec.setdefault("volumeLifecycleModes", ["Persistent"])
    spec.setdefault("requiresRepublish", False)
    spec.setdefault("seLinuxMount", False)


def default_priority_class(obj: dict) -> None:
    obj.setdefault("preemptionPolicy", "PreemptLowerPriority")


def _default_webhooks(obj: dict, mutating: bool) -> None:
    for hook in obj.get("webhooks") or []:
        hook.setdefault("failurePolicy", "Fail")
        hook.setdefault("matchPolicy", "Equivalent")
        hook.setdefault("namespaceSelector", {})
        hook.setdefault("objectSelector", {})
        hook.setdefault("timeoutSeconds", 10)
        if mutating:
            hook.setdefault("reinvocationPolicy", "Never")
        for rule in hook.get("rules") or []:
            rule.setdefault("scope", "*")
        service = (hook.get("clientConfig") or {}).get("service")
        if service is not None:
            service.setdefault("port", 443)


def default_endpoint_slice(obj: dict) -> None:
    for port in obj.get("ports") or []:
        port.setdefault("name", "")
        port.setdefault("protocol", "TCP")


def default_ingress(obj: dict) -> None:
    # networking/v1 Ingress has no defaults of its own; ports have none either.
    return None


OTHER_DEFAULTERS = {
    ("apps", "Deployment"): default_deployment,
    ("apps", "ReplicaSet"): default_replica_set,
    ("apps", "StatefulSet"): default_stateful_set,
    ("apps", "DaemonSet"): default_daemon_set,
    ("batch", "Job"): default_job,
    ("batch", "CronJob"): default_cron_job,
    ("networking.k8s.io", "NetworkPolicy"): default_network_policy,
    ("networking.k8s.io", "Ingress"): default_ingress,
    (RBAC_GROUP, "RoleBinding"): default_role_binding,
    (RBAC_GROUP, "ClusterRoleBinding"): default_role_binding,
    ("storage.k8s.io", "StorageClass"): default_storage_class,
    ("storage.k8s.io", "CSIDriver"): default_csi_driver,
    ("scheduling.k8s.io", "PriorityClass"): default_priority_class,
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"):
        lambda obj: _default_webhooks(obj, True),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"):
        lambda obj: _default_webhooks(obj, False),
    ("discovery.k8s.io", "EndpointSlice"): default_endpoint_slice,
}
