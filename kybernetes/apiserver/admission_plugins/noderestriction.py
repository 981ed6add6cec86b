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


def references(spec: dict, ref_key: str, env_key: str, volume_key: str) -> bool:
    """Whether the pod names any Secret (or ConfigMap) in a volume, a projection, env,
    envFrom or (for secrets) imagePullSecrets, as upstream's VisitPod*Names walk it."""
    if ref_key == "secretRef" and spec.get("imagePullSecrets"):
        return True
    for volume in spec.get("volumes") or ():
        if volume.get(volume_key) is not None:
            return True
        if any(source.get(volume_key) is not None
               for source in (volume.get("projected") or {}).get("sources") or ()):
            return True
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for container in spec.get(key) or ():
            if any(source.get(ref_key) for source in container.get("envFrom") or ()):
                return True
            if any((env.get("valueFrom") or {}).get(env_key) for env in container.get("env") or ()):
                return True
    return False


def _mirror_pod_problem(node: str, pod: dict) -> str | None:
    """Upstream's checks of a node's mirror pod, in upstream's order and words."""
    spec = pod.get("spec") or {}
    owners = (pod.get("metadata") or {}).get("ownerReferences") or ()
    if len(owners) > 1:
        return f'node "{node}" can only create pods with a single owner reference set to itself'
    if not owners:
        return f'node "{node}" can only create pods with an owner reference set to itself'
    ref = owners[0]
    if ref.get("kind") != "Node" or ref.get("name") != node or ref.get("apiVersion") != "v1":
        return f'node "{node}" can only create pods with an owner reference set to itself'
    if not ref.get("controller"):
        return f'node "{node}" can only create pods with a controller owner reference set to itself'
    if ref.get("blockOwnerDeletion"):
        return f'node "{node}" must not set blockOwnerDeletion on an owner reference'
    if spec.get("serviceAccountName") not in (None, ""):
        return f'node "{node}" can not create pods that reference a service account'
    if references(spec, "secretRef", "secretKeyRef", "secret"):
        return f'node "{node}" can not create pods that reference secrets'
    if references(spec, "configMapRef", "configMapKeyRef", "configMap"):
        return f'node "{node}" can not create pods that reference configmaps'
    for volume in spec.get("volumes") or ():
        if any(source.get("clusterTrustBundle") is not None
               for source in (volume.get("projected") or {}).get("sources") or ()):
            return f'node "{node}" can not create pods that reference clustertrustbundles'
    if any(volume.get("persistentVolumeClaim") is not None for volume in spec.get("volumes") or ()):
        return f'node "{node}" can not create pods that reference persistentvolumeclaims'
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
