# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Two admission plugins on by default in Kubernetes 1.32 that concern taints:

- DefaultTolerationSeconds: a new Pod that does not already tolerate the
  `node.kubernetes.io/not-ready` and `node.kubernetes.io/unreachable` NoExecute taints
  gets tolerations for them with tolerationSeconds 300, so its pods outlive a short
  node outage by five minutes before taint-based eviction removes them.
- TaintNodesByCondition: a new Node starts with the `node.kubernetes.io/not-ready`
  NoSchedule taint; the node lifecycle controller removes it once the node is Ready.
"""
from __future__ import annotations

from kybernetes.apiserver.admission import AdmissionRequest, Plugin

ORDER = 40
NOT_READY = "node.kubernetes.io/not-ready"
UNREACHABLE = "node.kubernetes.io/unreachable"
DEFAULT_TOLERATION_SECONDS = 300


def tolerates_no_execute(tolerations: list[dict], key: str) -> bool:
    """Whether some toleration already covers `key:NoExecute` (as upstream checks it:
    an empty key or effect counts as a wildcard, whatever the operator)."""
    for toleration in tolerations:
        if toleration.get("key", "") in (key, "") and \
                toleration.get("effect", "") in ("NoExecute", ""):
            return True
    return False


def with_default_tolerations(tolerations: list[dict], seconds: int = DEFAULT_TOLERATION_SECONDS) -> list[dict]:
    """`tolerations` plus the not-ready and unreachable NoExecute tolerations it lacks."""
    out = list(tolerations)
    for key in (NOT_READY, UNREACHABLE):
        if not tolerates_no_execute(tolerations, key):
            out.append({"key": key, "operator": "Exists", "effect": "NoExecute",
                        "tolerationSeconds": seconds})
    return out


def with_not_ready_taint(taints: list[dict]) -> list[dict]:
    """A new node's taints with `node.kubernetes.io/not-ready:NoSchedule` added."""
    if any(t.get("key") == NOT_READY and t.get("effect") == "NoSchedule" for t in taints):
        return list(taints)
    return [*taints, {"key": NOT_READY, "effect": "NoSchedule"}]


def _is(request: AdmissionRequest, kind: str) -> bool:
    return request.rt.group == "" and request.rt.kind == kind and \
        request.operation == "CREATE" and not request.subresource and request.obj is not None


class DefaultTolerationSeconds(Plugin):
    name = "DefaultTolerationSeconds"

    async def admit(self, request: AdmissionRequest) -> None:
        if not _is(request, "Pod"):
            return
        spec = request.obj.setdefault("spec", {})
        tolerations = spec.get("tolerations") or []
        added = with_default_tolerations(tolerations)
        if len(added) != len(tolerations):
            spec["tolerations"] = added


class TaintNodesByCondition(Plugin):
    name = "TaintNodesByCondition"

    async def admit(self, request: AdmissionRequest) -> None:
        if not _is(request, "Node"):
            return
        spec = request.obj.setdefault("spec", {})
        taints = spec.get("taints") or []
        tainted = with_not_ready_taint(taints)
        if len(tainted) != len(taints):
            spec["taints"] = tainted


def plugins(server) -> list[Plugin]:
    return [TaintNodesByCondition(), DefaultTolerationSeconds()]
