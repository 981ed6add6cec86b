# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""LimitRanger admission: the LimitRanges of a namespace give new pods' containers their
default limits (`default`) and requests (`defaultRequest`), then refuse pods and
PersistentVolumeClaims outside `min`, `max` or `maxLimitRequestRatio`, with upstream's
messages (`maximum cpu usage per Container is 1, but limit is 2`).

Upstream runs LimitRanger among the first plugins (right after NamespaceLifecycle), so
its defaults are in place before ResourceQuota, which runs last, charges the pod."""
from __future__ import annotations

import math
from fractions import Fraction

from kybernetes.api import quota
from kybernetes.api.quantity import format_quantity, parse_quantity_with_format
from kybernetes.apiserver import errors
from kybernetes.apiserver.admission import AdmissionRequest, Plugin

ORDER = 10
ANNOTATION = "kubernetes.io/limit-ranger"


# ---------------------------------------------------------------------- defaults
def container_defaults(limit_range: dict) -> tuple[dict, dict]:
    """(requests, limits) that a Container-type item of the range supplies."""
    requests: dict = {}
    limits: dict = {}
    for item in (limit_range.get("spec") or {}).get("limits") or []:
        if item.get("type") == "Container":
            requests.update(item.get("defaultRequest") or {})
            limits.update(item.get("default") or {})
    return requests, limits


def apply_defaults(pod: dict, limit_range: dict) -> bool:
    """Fill missing container requests/limits from the range; record what was set in the
    kubernetes.io/limit-ranger annotation as upstream does. True when anything changed."""
    requests, limits = container_defaults(limit_range)
    if not requests and not limits:
        return False
    notes: list[str] = []
    spec = pod.get("spec") or {}
    for section, label in (("containers", "container"), ("initContainers", "init container")):
        for container in spec.get(section) or []:
            resources = container.setdefault("resources", {})
            set_limits = [name for name in sorted(limits)
                          if name not in (resources.get("limits") or {})]
            set_requests = [name for name in sorted(requests)
                            if name not in (resources.get("requests") or {})]
            for name in set_limits:
                resources.setdefault("limits", {})[name] = limits[name]
            for name in set_requests:
                resources.setdefault("requests", {})[name] = requests[name]
            if set_requests:
                notes.append(f"{', '.join(set_requests)} request for {label} {container.get('name', '')}")
            if set_limits:
                notes.append(f"{', '.join(set_limits)} limit for {label} {container.get('name', '')}")
    if not notes:
        return False
    annotations = pod.setdefault("metadata", {}).setdefault("annotations", {})
    annotations[ANNOTATION] = "LimitRanger plugin set: " + "; ".join(notes)
    return True


# ---------------------------------------------------------------------- checks
def _milli(text) -> int:
    """Upstream compares at milli precision, rounding up."""
    amount, _ = parse_quantity_with_format(text)
    return math.ceil(amount * 1000)


def _show(text) -> str:
    return format_quantity(*parse_quantity_with_format(text))


def min_violation(kind: str, name: str, enforced, requests: dict, limits: dict) -> str | None:
    if name not in requests:
        return f"minimum {name} usage per {kind} is {_show(enforced)}.  No request is specified"
    if _milli(requests[name]) < _milli(enforced):
        return f"minimum {name} usage per {kind} is {_show(enforced)}, but request is {_show(requests[name])}"
    if name in limits and _milli(limits[name]) < _milli(enforced):
        return f"minimum {name} usage per {kind} is {_show(enforced)}, but limit is {_show(limits[name])}"
    return None


def max_violation(kind: str, name: str, enforced, requests: dict, limits: dict) -> str | None:
    if name not in limits:
        return f"maximum {name} usage per {kind} is {_show(enforced)}.  No limit is specified"
    if _milli(limits[name]) > _milli(enforced):
        return f"maximum {name} usage per {kind} is {_show(enforced)}, but limit is {_show(limits[name])}"
    if name in requests and _milli(requests[name]) > _milli(enforced):
        return f"maximum {name} usage per {kind} is {_show(enforced)}, but request is {_show(requests[name])}"
    return None


def max_request_violation(kind: str, name: str, enforced, requests: dict) -> str | None:
    if name not in requests:
        return f"maximum {name} usage per {kind} is {_show(enforced)}.  No request is specified"
    if _milli(requests[name]) > _milli(enforced):
        return f"maximum {name} usage per {kind} is {_show(enforced)}, but request is {_show(requests[name])}"
    return None


def ratio_violation(kind: str, name: str, enforced, requests: dict, limits: dict) -> str | None:
    shown = _show(enforced)
    request = _milli(requests[name]) if name in requests else 0
    limit = _milli(limits[name]) if name in limits else 0
    if request == 0:
        return (f"{name} max limit to request ratio per {kind} is {shown}, "
                "but no request is specified or request is 0")
    if limit == 0:
        return (f"{name} max limit to request ratio per {kind} is {shown}, "
                "but no limit is specified or limit is 0")
    observed = Fraction(limit, request)
    if observed > parse_quantity_with_format(enforced)[0]:
        return (f"{name} max limit to request ratio per {kind} is {shown}, "
                f"but provided ratio is {float(observed):f}")
    return None


def _check(kind: str, item: dict, requests: dict, limits: dict) -> list[str]:
    found = []
    for name, value in sorted((item.get("min") or {}).items()):
        found.append(min_violation(kind, name, value, requests, limits))
    for name, value in sorted((item.get("max") or {}).items()):
        found.append(max_violation(kind, name, value, requests, limits))
    for name, value in sorted((item.get("maxLimitRequestRatio") or {}).items()):
        found.append(ratio_violation(kind, name, value, requests, limits))
    return [message for message in found if message]


def pod_violations(limit_range: dict, pod: dict) -> list[str]:
    found: list[str] = []
    spec = pod.get("spec") or {}
    for item in (limit_range.get("spec") or {}).get("limits") or []:
        if item.get("type") == "Container":
            for container in (spec.get("containers") or []) + (spec.get("initContainers") or []):
                resources = container.get("resources") or {}
                found += _check("Container", item, resources.get("requests") or {},
                                resources.get("limits") or {})
        elif item.get("type") == "Pod":
            requests = quota.render(quota.pod_aggregate(pod, "requests", with_overhead=False))
            limits = quota.render(quota.pod_aggregate(pod, "limits", with_overhead=False))
            found += _check("Pod", item, requests, limits)
    return found


def claim_violations(limit_range: dict, claim: dict) -> list[str]:
    found: list[str | None] = []
    requests = ((claim.get("spec") or {}).get("resources") or {}).get("requests") or {}
    for item in (limit_range.get("spec") or {}).get("limits") or []:
        if item.get("type") != "PersistentVolumeClaim":
            continue
        for name, value in sorted((item.get("min") or {}).items()):
            found.append(min_violation("PersistentVolumeClaim", name, value, requests, {}))
        for name, value in sorted((item.get("max") or {}).items()):
            found.append(max_request_violation("PersistentVolumeClaim", name, value, requests))
    return [message for message in found if message]


def aggregate(messages: list[str]) -> str:
    """As upstream's error aggregate prints: one message alone, several in brackets."""
    unique = list(dict.fromkeys(messages))
    return unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]"


# ---------------------------------------------------------------------- plugin
class LimitRanger(Plugin):
    def __init__(self, server) -> None:
        self.limit_range_type = server.registry.by_kind("", "v1", "LimitRange")

    @staticmethod
    def _kind(request: AdmissionRequest) -> str:
        rt = request.rt
        if request.subresource or rt.group != "" or request.obj is None:
            return ""
        if rt.kind == "Pod" and request.operation == "CREATE":
            return "Pod"
        if rt.kind == "PersistentVolumeClaim" and request.operation in ("CREATE", "UPDATE"):
            return "PersistentVolumeClaim"
        return ""

    async def _ranges(self, request: AdmissionRequest) -> list[dict]:
        namespace = (request.obj.get("metadata") or {}).get("namespace") or ""
        items, _, _, _ = await request.objects.list(self.limit_range_type, namespace)
        return [item.obj for item in items]

    async def admit(self, request: AdmissionRequest) -> None:
        if self._kind(request) != "Pod":
            return
        for limit_range in await self._ranges(request):
            apply_defaults(request.obj, limit_range)

    async def validate(self, request: AdmissionRequest) -> None:
        kind = self._kind(request)
        if not kind:
            return
        messages: list[str] = []
        for limit_range in await self._ranges(request):
            if kind == "Pod":
                messages += pod_violations(limit_range, request.obj)
            else:
                messages += claim_violations(limit_range, request.obj)
        if messages:
            name = request.obj["metadata"].get("name", "")
            resource = request.rt.group_resource
            subject = f'{resource} "{name}"' if name else resource
            raise errors.forbidden(f"{subject} is forbidden: {aggregate(messages)}",
                                   request.rt, name)


def plugins(server) -> list[Plugin]:
    return [LimitRanger(server)]
