# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""What differs between kinds on the common write path (upstream's per-kind "strategies").

Each function is pure: objects in, objects out. The generic path in `objects.py` calls
them at fixed points: before create, before update, on delete.
"""
from __future__ import annotations

from datetime import datetime, timezone

from kybernetes.api.crd import crd_status
from kybernetes.api.defaults import generate_job_selector
from kybernetes.api.resources import ResourceType


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

# Kinds whose metadata.generation tracks spec changes (their strategies set it).
GENERATION_KINDS = {
    ("apps", "Deployment"), ("apps", "ReplicaSet"), ("apps", "StatefulSet"),
    ("apps", "DaemonSet"), ("batch", "Job"), ("batch", "CronJob"),
    ("", "ReplicationController"), ("policy", "PodDisruptionBudget"),
    ("autoscaling", "HorizontalPodAutoscaler"), ("networking.k8s.io", "Ingress"),
    ("networking.k8s.io", "IngressClass"), ("networking.k8s.io", "NetworkPolicy"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
}

# The part of an object that counts as "spec" for generation: everything but these.
_NOT_SPEC = ("metadata", "status", "apiVersion", "kind")

# Kinds that keep the status a client sends on create (the rest start with an empty one).
_KEEPS_STATUS_ON_CREATE = {("", "Node"), ("certificates.k8s.io", "CertificateSigningRequest"),
                           ("", "ComponentStatus")}


def tracks_generation(rt: ResourceType) -> bool:
    return rt.custom or (rt.group, rt.kind) in GENERATION_KINDS


def spec_part(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if k not in _NOT_SPEC}


def has_status_subresource(rt: ResourceType) -> bool:
    return rt.subresource("status") is not None


def prepare_for_create(rt: ResourceType, obj: dict) -> None:
    """Reset what a client may not set on create."""
    if has_status_subresource(rt) and (rt.group, rt.kind) not in _KEEPS_STATUS_ON_CREATE:
        obj.pop("status", None)
    key = (rt.group, rt.kind)
    if key == ("", "Pod"):
        obj["status"] = {"phase": "Pending", "qosClass": qos_class(obj.get("spec") or {})}
    elif key == ("", "Namespace"):
        spec = obj.setdefault("spec", {})
        finalizers = spec.setdefault("finalizers", [])
        if "kubernetes" not in finalizers:
            finalizers.append("kubernetes")
        obj["status"] = {"phase": "Active"}
    elif key in (("", "PersistentVolumeClaim"), ("", "PersistentVolume")):
        obj["status"] = {"phase": "Pending"}
    elif key == ("", "Service"):
        obj["status"] = {"loadBalancer": {}}
    elif key in (("apps", "Deployment"), ("apps", "ReplicaSet"), ("apps", "StatefulSet"),
                 ("apps", "DaemonSet"), ("", "ReplicationController")):
        obj["status"] = {} if key != ("apps", "DaemonSet") else {
            "currentNumberScheduled": 0, "numberMisscheduled": 0,
            "desiredNumberScheduled": 0, "numberReady": 0}
        if key == ("apps", "StatefulSet"):
            obj["status"] = {"replicas": 0, "availableReplicas": 0}
        if key == ("", "ReplicationController"):
            obj["status"] = {"replicas": 0}
    elif key == ("batch", "Job"):
        obj["status"] = {}
        generate_job_selector(obj, obj["metadata"]["uid"])
    elif key == ("batch", "CronJob"):
        obj["status"] = {}
    elif key == ("policy", "PodDisruptionBudget"):
        obj["status"] = {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0,
                         "expectedPods": 0}
    elif key == ("networking.k8s.io", "Ingress"):
        obj["status"] = {"loadBalancer": {}}
    elif key == ("autoscaling", "HorizontalPodAutoscaler"):
        obj["status"] = {"currentReplicas": 0, "desiredReplicas": 0} \
            if rt.version == "v1" else {"desiredReplicas": 0}
    if key == ("apiextensions.k8s.io", "CustomResourceDefinition"):
        obj["status"] = crd_status(obj, obj["metadata"]["creationTimestamp"])
    if tracks_generation(rt):
        obj["metadata"]["generation"] = 1


def prepare_for_update(rt: ResourceType, new: dict, old: dict, subresource: str) -> None:
    """Keep the half of the object this endpoint may not change, bump generation."""
    meta, old_meta = new["metadata"], old["metadata"]
    if subresource == "status":
        # A status write changes only status (and managedFields, handled by the caller).
        for field, value in old.items():
            if field not in ("status", "metadata"):
                new[field] = value
        for field in list(new):
            if field not in old and field not in ("status", "metadata"):
                del new[field]
        for field in ("labels", "annotations", "finalizers", "ownerReferences",
                      "deletionTimestamp", "deletionGracePeriodSeconds", "generation"):
            if field in old_meta:
                meta[field] = old_meta[field]
            else:
                meta.pop(field, None)
        return
    if has_status_subresource(rt) and subresource == "":
        if "status" in old:
            new["status"] = old["status"]
        else:
            new.pop("status", None)
    if (rt.group, rt.kind) == ("apiextensions.k8s.io", "CustomResourceDefinition"):
        # the names and established conditions follow the spec, as upstream's CRD
        # controllers keep them (in-process here, written with the spec change)
        new["status"] = crd_status(new, _now())
    if (rt.group, rt.kind) == ("", "Namespace") and subresource == "":
        # spec.finalizers changes only through /finalize
        new["spec"] = old.get("spec", {})
    if subresource == "finalize":
        new["status"] = old.get("status", {})
    if tracks_generation(rt):
        generation = old_meta.get("generation", 1)
        annotations_count = (rt.group, rt.kind) == ("apps", "Deployment")  # as upstream
        if spec_part(new) != spec_part(old) or (annotations_count and meta.get(
                "annotations") != old_meta.get("annotations")):
            generation += 1
        # a deletion in progress also bumps generation, as upstream
        if meta.get("deletionTimestamp") and not old_meta.get("deletionTimestamp"):
            generation += 1
        meta["generation"] = generation
    elif "generation" in old_meta:
        meta["generation"] = old_meta["generation"]
    else:
        meta.pop("generation", None)


def pending_finalizers(rt: ResourceType, obj: dict) -> list[str]:
    """What still holds a deleted object: metadata.finalizers, and for a Namespace also
    spec.finalizers (emptied through /finalize by the namespace controller)."""
    pending = list(obj.get("metadata", {}).get("finalizers") or [])
    if (rt.group, rt.kind) == ("", "Namespace"):
        pending += (obj.get("spec") or {}).get("finalizers") or []
    return pending


def graceful_delete_seconds(rt: ResourceType, obj: dict, requested: int | None) -> int:
    """Seconds a delete waits before removal; 0 means remove now. Only pods bound to a node
    wait: their kubelet stops the containers and then deletes them with grace 0."""
    if (rt.group, rt.kind) != ("", "Pod"):
        return 0
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    if not spec.get("nodeName") or status.get("phase") in ("Succeeded", "Failed"):
        return 0
    if requested is not None:
        return max(requested, 0)
    old = obj["metadata"].get("deletionGracePeriodSeconds")
    if old is not None:
        return old
    return spec.get("terminationGracePeriodSeconds", 30)


def qos_class(spec: dict) -> str:
    """Guaranteed, Burstable or BestEffort from container requests and limits."""
    containers = (spec.get("containers") or []) + (spec.get("initContainers") or [])
    any_set = False
    guaranteed = True
    for container in containers:
        resources = container.get("resources") or {}
        requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
        if requests or limits:
            any_set = True
        for name in ("cpu", "memory"):
            if name not in limits or requests.get(name, limits[name]) != limits[name]:
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"
