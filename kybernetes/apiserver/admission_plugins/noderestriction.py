# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The NodeRestriction admission plugin: a kubelet (system:node:<name>) may modify only
its own Node, its own Lease and CSINode, and only pods bound to it (it may create
only mirror pods). The Node authorizer lets these requests through by verb; this
plugin checks the objects themselves, as upstream pairs the two. Upstream leaves it
to `--enable-admission-plugins` (kubeadm turns it on); kybernetes runs it always, as
kubeadm clusters do — it changes nothing for anyone but nodes."""
from __future__ import annotations

from kybernetes.apiserver.admission import AdmissionRequest, Plugin
from kybernetes.apiserver.authz.attributes import forbidden_status
from kybernetes.apiserver.authz.node import NODE_LEASE_NAMESPACE, node_name_of

ORDER = 5
MIRROR_ANNOTATION = "kubernetes.io/config.mirror"
RESTRICTED_LABEL_PREFIX = "node-restriction.kubernetes.io/"


def _name(obj: dict | None) -> str:
    return ((obj or {}).get("metadata") or {}).get("name", "")


def _labels(obj: dict | None) -> dict:
    return ((obj or {}).get("metadata") or {}).get("labels") or {}


def check(node: str, operation: str, group: str, kind: str, subresource: str,
          obj: dict | None, old: dict | None) -> str | None:
    """Why node `node` may not do this, or None. Pure."""
    if group == "" and kind == "Node":
        target = _name(obj) or _name(old)
        if target != node:
            return f'node "{node}" is not allowed to modify node "{target}"'
        if operation == "UPDATE" and not subresource:
            changed = {k for k in set(_labels(obj)) | set(_labels(old))
                       if k.startswith(RESTRICTED_LABEL_PREFIX)
                       and _labels(obj).get(k) != _labels(old).get(k)}
            if changed:
                return f'node "{node}" is not allowed to modify labels: {", ".join(sorted(changed))}'
            if ((obj or {}).get("spec") or {}).get("taints") != ((old or {}).get("spec") or {}).get("taints"):
                return f'node "{node}" is not allowed to modify taints'
        if operation == "CREATE":
            restricted = sorted(k for k in _labels(obj) if k.startswith(RESTRICTED_LABEL_PREFIX))
            if restricted:
                return f'node "{node}" is not allowed to set the following labels: {", ".join(restricted)}'
        return None
    if group == "" and kind == "Pod":
        pod = obj if obj is not None else old
        bound = ((pod or {}).get("spec") or {}).get("nodeName")
        if operation == "CREATE" and not subresource:
            annotations = ((obj or {}).get("metadata") or {}).get("annotations") or {}
            if MIRROR_ANNOTATION not in annotations:
                return (f'pod does not have "{MIRROR_ANNOTATION}" annotation, node "{node}" '
                        f'can only create mirror pods')
            if bound != node:
                return f'node "{node}" can only create pods with spec.nodeName set to itself'
            return _mirror_pod_problem(node, obj or {})
        if operation == "DELETE":
            if bound != node:
                return f'node "{node}" can only delete pods with spec.nodeName set to itself'
            return None
        if subresource == "status":
            if ((old or {}).get("spec") or {}).get("nodeName") != node:
                return f'node "{node}" can only update pod status for pods with spec.nodeName set to itself'
            return None
        if subresource == "eviction":
            if bound != node:
                return f'node "{node}" can only evict pods with spec.nodeName set to itself'
            return None
        return f'node "{node}" is not allowed to {operation.lower()} pods'
    if group == "coordination.k8s.io" and kind == "Lease":
        target = _name(obj) or _name(old)
        namespace = ((obj or old or {}).get("metadata") or {}).get("namespace", "")
        if namespace == NODE_LEASE_NAMESPACE and target != node:
            return f'node "{node}" is not allowed to modify lease "{target}"'
        return None
    if group == "storage.k8s.io" and kind == "CSINode":
        target = _name(obj) or _name(old)
        if target != node:
            return f'node "{node}" is not allowed to modify CSINode "{target}"'
    return None


def _mirror_pod_problem(node: str, pod: dict) -> str | None:
    spec = pod.get("spec") or {}
    for ref in (pod.get("metadata") or {}).get("ownerReferences") or ():
        if ref.get("kind") != "Node" or ref.get("name") != node or ref.get("apiVersion") != "v1":
            return f'node "{node}" can only create pods with an owner reference set to itself'
    if spec.get("serviceAccountName") not in (None, ""):
        return "node can only create pods that do not reference serviceaccounts"
    for volume in spec.get("volumes") or ():
        for source in ("secret", "configMap", "persistentVolumeClaim", "ephemeral", "projected"):
            if volume.get(source) is not None:
                kind = {"configMap": "configmaps", "persistentVolumeClaim": "persistentvolumeclaims",
                        "secret": "secrets"}.get(source, source)
                return f"node can only create pods that do not reference {kind}"
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for container in spec.get(key) or ():
            for source in container.get("envFrom") or ():
                if source.get("secretRef"):
                    return "node can only create pods that do not reference secrets"
                if source.get("configMapRef"):
                    return "node can only create pods that do not reference configmaps"
            for env in container.get("env") or ():
                value_from = env.get("valueFrom") or {}
                if value_from.get("secretKeyRef"):
                    return "node can only create pods that do not reference secrets"
                if value_from.get("configMapKeyRef"):
                    return "node can only create pods that do not reference configmaps"
    return None


class NodeRestriction(Plugin):
    name = "NodeRestriction"

    async def validate(self, request: AdmissionRequest) -> None:
        await self._check(request)

    async def admit(self, request: AdmissionRequest) -> None:
        # deletes pass admit only; creates and updates are checked once, in validate
        if request.operation == "DELETE":
            await self._check(request)

    async def _check(self, request: AdmissionRequest) -> None:
        if request.user is None:
            return
        node = node_name_of(request.user)
        if node is None:
            return
        rt = request.rt
        problem = check(node, request.operation, rt.group, rt.kind, request.subresource,
                        request.obj, request.old)
        if problem is not None:
            name = _name(request.obj) or _name(request.old)
            raise forbidden_status(rt.group, rt.plural, name, problem)


def plugins(server) -> list[Plugin]:
    return [NodeRestriction()]
