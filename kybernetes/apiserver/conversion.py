# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Conversion between the versions of a kind that share one store.

Two kinds are served in two versions: HorizontalPodAutoscaler (autoscaling/v2 stored,
v1 converted) and Event (core v1 stored, events.k8s.io/v1 converted). Everything else is
stored as served.
"""
from __future__ import annotations

from kybernetes.api.resources import Registry, ResourceType

_HPA_METRICS_ANNOTATION = "autoscaling.alpha.kubernetes.io/metrics"


def storage_type(registry: Registry, rt: ResourceType) -> ResourceType:
    if rt.group == "autoscaling" and rt.version == "v1":
        return registry.by_kind("autoscaling", "v2", rt.kind) or rt
    if rt.group == "events.k8s.io":
        return registry.by_kind("", "v1", "Event") or rt
    return rt


def to_storage(registry: Registry, rt: ResourceType, obj: dict) -> dict:
    """A copy-free view of `obj` in the storage version, without resourceVersion."""
    if rt.group == "autoscaling" and rt.version == "v1":
        obj = hpa_v1_to_v2(obj)
    elif rt.group == "events.k8s.io":
        obj = event_to_core(obj)
    if "resourceVersion" in obj.get("metadata", {}):
        obj = dict(obj, metadata={k: v for k, v in obj["metadata"].items()
                                  if k != "resourceVersion"})
    return obj


def from_storage(rt: ResourceType, obj: dict) -> dict:
    if rt.group == "autoscaling" and rt.version == "v1":
        return hpa_v2_to_v1(obj)
    if rt.group == "events.k8s.io":
        return event_from_core(obj)
    return obj


def hpa_v1_to_v2(obj: dict) -> dict:
    spec = dict(obj.get("spec") or {})
    target = spec.pop("targetCPUUtilizationPercentage", None)
    if target is not None:
        spec["metrics"] = [{"type": "Resource", "resource": {
            "name": "cpu", "target": {"type": "Utilization", "averageUtilization": target}}}]
    status = dict(obj.get("status") or {})
    current = status.pop("currentCPUUtilizationPercentage", None)
    if current is not None:
        status["currentMetrics"] = [{"type": "Resource", "resource": {
            "name": "cpu", "current": {"averageUtilization": current}}}]
    out = dict(obj, apiVersion="autoscaling/v2", spec=spec)
    if "status" in obj:
        out["status"] = status
    return out


def hpa_v2_to_v1(obj: dict) -> dict:
    spec = dict(obj.get("spec") or {})
    metrics = spec.pop("metrics", None) or []
    spec.pop("behavior", None)
    for metric in metrics:
        resource = metric.get("resource") or {}
        if metric.get("type") == "Resource" and resource.get("name") == "cpu":
            target = resource.get("target") or {}
            if "averageUtilization" in target:
                spec["targetCPUUtilizationPercentage"] = target["averageUtilization"]
    status = dict(obj.get("status") or {})
    current_metrics = status.pop("currentMetrics", None) or []
    status.pop("conditions", None)
    for metric in current_metrics:
        resource = metric.get("resource") or {}
        if metric.get("type") == "Resource" and resource.get("name") == "cpu":
            current = resource.get("current") or {}
            if "averageUtilization" in current:
                status["currentCPUUtilizationPercentage"] = current["averageUtilization"]
    if "status" in obj:
        status.setdefault("currentReplicas", 0)
    out = dict(obj, apiVersion="autoscaling/v1", spec=spec)
    if "status" in obj:
        out["status"] = status
    return out


# events.k8s.io/v1 field -> core/v1 field
_EVENT_FIELDS = {
    "regarding": "involvedObject", "note": "message", "reportingController":
    "reportingComponent", "deprecatedSource": "source", "deprecatedFirstTimestamp":
    "firstTimestamp", "deprecatedLastTimestamp": "lastTimestamp", "deprecatedCount": "count",
}
_SAME_EVENT_FIELDS = ("metadata", "eventTime", "series", "reportingInstance", "action",
                      "reason", "related", "type")


def event_to_core(obj: dict) -> dict:
    out = {"apiVersion": "v1", "kind": "Event"}
    for field in _SAME_EVENT_FIELDS:
        if field in obj:
            out[field] = obj[field]
    for new, old in _EVENT_FIELDS.items():
        if new in obj:
            out[old] = obj[new]
    if "series" in out:
        series = out["series"]
        out["series"] = {"count": series.get("count"),
                         "lastObservedTime": series.get("lastObservedTime")}
    return out


def event_from_core(obj: dict) -> dict:
    out = {"apiVersion": "events.k8s.io/v1", "kind": "Event"}
    for field in _SAME_EVENT_FIELDS:
        if field in obj:
            out[field] = obj[field]
    for new, old in _EVENT_FIELDS.items():
        if old in obj:
            out[new] = obj[old]
    return out
