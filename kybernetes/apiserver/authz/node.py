# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The Node authorizer: a kubelet (user system:node:<name> in group system:nodes) may
read the secrets, config maps, claims, volumes and service-account tokens of the pods
bound to its node, and only those; its own Node and Lease; and what the system:node
role lists for everything else. Which pod is on which node comes from an index of the
pods in the watch cache by spec.nodeName (upstream keeps a graph; for the questions
asked here an index by node is the same answer)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from kybernetes.apiserver.authz import rbac
from kybernetes.apiserver.authz.attributes import ALLOW, NO_OPINION, Attributes, Decision
from kybernetes.apiserver.authz.follower import CacheFollower

if TYPE_CHECKING:
    from kybernetes.apiserver.server import APIServer
    from kybernetes.storage.watchcache import CachedObject

NODE_USER_PREFIX = "system:node:"
NODES_GROUP = "system:nodes"
NODE_LEASE_NAMESPACE = "kube-node-lease"
NO_RELATIONSHIP = "no relationship found between node '{node}' and this object"


def node_name_of(user: dict) -> str | None:
    """The node a user is, or None when it is not a node identity."""
    name = user.get("name", "")
    if not name.startswith(NODE_USER_PREFIX) or NODES_GROUP not in (user.get("groups") or ()):
        return None
    return name[len(NODE_USER_PREFIX):]


def pod_references(pod: dict) -> set[tuple[str, str]]:
    """(kind, name) of what a pod uses from its namespace: secret, configmap, pvc,
    serviceaccount."""
    spec = pod.get("spec") or {}
    refs: set[tuple[str, str]] = set()
    pod_name = (pod.get("metadata") or {}).get("name", "")
    refs.add(("serviceaccount", spec.get("serviceAccountName") or "default"))
    for secret in spec.get("imagePullSecrets") or ():
        if secret.get("name"):
            refs.add(("secret", secret["name"]))
    for volume in spec.get("volumes") or ():
        _volume_references(volume, pod_name, refs)
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for container in spec.get(key) or ():
            for source in container.get("envFrom") or ():
                if (source.get("secretRef") or {}).get("name"):
                    refs.add(("secret", source["secretRef"]["name"]))
                if (source.get("configMapRef") or {}).get("name"):
                    refs.add(("configmap", source["configMapRef"]["name"]))
            for env in container.get("env") or ():
                value_from = env.get("valueFrom") or {}
                if (value_from.get("secretKeyRef") or {}).get("name"):
                    refs.add(("secret", value_from["secretKeyRef"]["name"]))
                if (value_from.get("configMapKeyRef") or {}).get("name"):
                    refs.add(("configmap", value_from["configMapKeyRef"]["name"]))
    return refs


def _volume_references(volume: dict, pod_name: str, refs: set[tuple[str, str]]) -> None:
    if (volume.get("secret") or {}).get("secretName"):
        refs.add(("secret", volume["secret"]["secretName"]))
    if (volume.get("configMap") or {}).get("name"):
        refs.add(("configmap", volume["configMap"]["name"]))
    if (volume.get("persistentVolumeClaim") or {}).get("claimName"):
        refs.add(("pvc", volume["persistentVolumeClaim"]["claimName"]))
    if volume.get("ephemeral") is not None:
        refs.add(("pvc", f"{pod_name}-{volume.get('name', '')}"))
    for source in (volume.get("projected") or {}).get("sources") or ():
        if (source.get("secret") or {}).get("name"):
            refs.add(("secret", source["secret"]["name"]))
        if (source.get("configMap") or {}).get("name"):
            refs.add(("configmap", source["configMap"]["name"]))
    # in-tree plugins that name a secret for their credentials
    for plugin in ("cephfs", "rbd", "iscsi", "flexVolume", "scaleIO", "storageos", "csi",
                   "azureFile"):
        source = volume.get(plugin) or {}
        for field in ("secretRef", "nodePublishSecretRef"):
            if (source.get(field) or {}).get("name"):
                refs.add(("secret", source[field]["name"]))
        if plugin == "azureFile" and source.get("secretName"):
            refs.add(("secret", source["secretName"]))


class NodeGraph:
    """Pods by node, and what each pod references. Pure: fed pod events."""

    def __init__(self) -> None:
        self.pods: dict[tuple[str, str], tuple[str, set[tuple[str, str]]]] = {}
        self.by_node: dict[str, set[tuple[str, str]]] = {}
        # (kind, namespace, name) -> node -> number of that node's pods using it
        self.used_by: dict[tuple[str, str, str], dict[str, int]] = {}

    def clear(self) -> None:
        self.pods.clear()
        self.by_node.clear()
        self.used_by.clear()

    def set_pod(self, namespace: str, name: str, pod: dict | None) -> None:
        key = (namespace, name)
        old = self.pods.pop(key, None)
        if old is not None:
            node, refs = old
            self.by_node.get(node, set()).discard(key)
            if node in self.by_node and not self.by_node[node]:
                del self.by_node[node]
            for kind, ref in refs:
                users = self.used_by.get((kind, namespace, ref))
                if users is not None:
                    users[node] -= 1
                    if users[node] <= 0:
                        del users[node]
                    if not users:
                        del self.used_by[(kind, namespace, ref)]
        node = ((pod or {}).get("spec") or {}).get("nodeName")
        if pod is None or not node:
            return
        refs = pod_references(pod)
        self.pods[key] = (node, refs)
        self.by_node.setdefault(node, set()).add(key)
        for kind, ref in refs:
            users = self.used_by.setdefault((kind, namespace, ref), {})
            users[node] = users.get(node, 0) + 1

    def node_uses(self, node: str, kind: str, namespace: str, name: str) -> bool:
        return node in self.used_by.get((kind, namespace, name), {})

    def pod_on_node(self, node: str, namespace: str, name: str) -> bool:
        found = self.pods.get((namespace, name))
        return found is not None and found[0] == node

    def claims_of(self, node: str) -> list[tuple[str, str]]:
        """(namespace, claim name) of every claim the node's pods use."""
        out = []
        for namespace, pod_name in self.by_node.get(node, ()):
            for kind, ref in self.pods[(namespace, pod_name)][1]:
                if kind == "pvc":
                    out.append((namespace, ref))
        return out


# resource (core group) -> graph kind, for reads decided by relationship
_GRAPH_READS = {"secrets": "secret", "configmaps": "configmap", "persistentvolumeclaims": "pvc"}


class NodeAuthorizer:
    def __init__(self, server: "APIServer | None", node_rules: list[dict]) -> None:
        self.server = server
        self.node_rules = node_rules
        self.graph = NodeGraph()
        self.followers: list[CacheFollower] = []

    def start(self) -> None:
        pods = self.server.registry.by_kind("", "v1", "Pod")
        self.followers.append(CacheFollower(self.server.objects.cache(pods), self._on_pod,
                                            self.graph.clear))

    def stop(self) -> None:
        for follower in self.followers:
            follower.close()

    def _on_pod(self, kind: str, cached: "CachedObject") -> None:
        self.graph.set_pod(cached.namespace, cached.name, None if kind == "DELETED" else cached.obj)

    def sync(self) -> None:
        for follower in self.followers:
            follower.drain()

    # ---- lookups of objects the graph does not hold (claims, volume attachments)
    def _claim_volume(self, namespace: str, claim: str) -> str:
        if self.server is None:
            return ""
        rt = self.server.registry.by_kind("", "v1", "PersistentVolumeClaim")
        cached = self.server.objects.cache(rt).get(self.server.objects.key(rt, namespace, claim))
        return ((cached.obj.get("spec") or {}).get("volumeName") or "") if cached else ""

    def _attachment_node(self, name: str) -> str:
        if self.server is None:
            return ""
        rt = self.server.registry.by_kind("storage.k8s.io", "v1", "VolumeAttachment")
        if rt is None:
            return ""
        cached = self.server.objects.cache(rt).get(self.server.objects.key(rt, None, name))
        return ((cached.obj.get("spec") or {}).get("nodeName") or "") if cached else ""

    # ---- decisions
    def authorize(self, user: dict, attrs: Attributes) -> Decision:
        node = node_name_of(user)
        if node is None:
            return Decision(NO_OPINION)
        if not node:
            return Decision(NO_OPINION, "unknown node")
        self.sync()
        if not attrs.resource_request:
            return self._by_rules(attrs)
        group, resource, sub = attrs.group, attrs.resource, attrs.subresource
        if group == "":
            if resource in _GRAPH_READS and not sub:
                return self._read_related(node, attrs, _GRAPH_READS[resource])
            if resource == "persistentvolumeclaims" and sub == "status":
                if attrs.verb not in ("get", "update", "patch"):
                    return Decision(NO_OPINION, "can only get, update or patch persistentvolumeclaim status")
                return self._related(node, self.graph.node_uses(node, "pvc", attrs.namespace, attrs.name))
            if resource == "persistentvolumes" and not sub:
                if attrs.verb != "get":
                    return Decision(NO_OPINION, "can only get individual resources of this type")
                claims = self.graph.claims_of(node)
                return self._related(node, any(self._claim_volume(ns, c) == attrs.name
                                               for ns, c in claims if attrs.name))
            if resource == "serviceaccounts" and sub == "token":
                if attrs.verb != "create":
                    return Decision(NO_OPINION, "can only create tokens for individual service accounts")
                return self._related(node, self.graph.node_uses(
                    node, "serviceaccount", attrs.namespace, attrs.name))
            if resource == "nodes" and not sub:
                return self._own_node(node, attrs)
            if resource == "pods" and not sub and attrs.verb in ("get", "list", "watch"):
                return self._pod_read(node, attrs)
        if group == "coordination.k8s.io" and resource == "leases":
            # a create names no object: NodeRestriction checks the name at admission
            if attrs.namespace != NODE_LEASE_NAMESPACE or \
                    (attrs.verb != "create" and attrs.name != node) or \
                    attrs.verb not in ("get", "create", "update", "patch", "delete"):
                return Decision(NO_OPINION, "can only access node lease with the same name as "
                                "the requesting node")
            return Decision(ALLOW)
        if group == "storage.k8s.io" and resource == "csinodes":
            if attrs.verb in ("get", "create", "update", "patch", "delete") and \
                    (attrs.verb == "create" or attrs.name == node):
                return Decision(ALLOW)
            return Decision(NO_OPINION, "can only access CSINode with the same name as the "
                            "requesting node")
        if group == "storage.k8s.io" and resource == "volumeattachments":
            if attrs.verb != "get":
                return Decision(NO_OPINION, "can only get individual resources of this type")
            return self._related(node, bool(attrs.name) and self._attachment_node(attrs.name) == node)
        return self._by_rules(attrs)

    def _by_rules(self, attrs: Attributes) -> Decision:
        return Decision(ALLOW) if rbac.rules_allow(self.node_rules, attrs) else Decision(NO_OPINION)

    @staticmethod
    def _related(node: str, related: bool) -> Decision:
        if related:
            return Decision(ALLOW)
        return Decision(NO_OPINION, NO_RELATIONSHIP.format(node=node))

    def _read_related(self, node: str, attrs: Attributes, kind: str) -> Decision:
        if attrs.verb not in ("get", "list", "watch"):
            return Decision(NO_OPINION, "can only read resources of this type")
        if not attrs.name:
            return Decision(NO_OPINION, "No Object name found")
        return self._related(node, self.graph.node_uses(node, kind, attrs.namespace, attrs.name))

    @staticmethod
    def _own_node(node: str, attrs: Attributes) -> Decision:
        # create/update/patch of any Node passes here: NodeRestriction admission limits
        # a node to its own object
        if attrs.verb in ("create", "update", "patch"):
            return Decision(ALLOW)
        if attrs.verb in ("get", "list", "watch"):
            if attrs.name == node:
                return Decision(ALLOW)
            if not attrs.name:
                return Decision(NO_OPINION, f"node '{node}' cannot read all nodes, only its own Node object")
            return Decision(NO_OPINION, f"node '{node}' cannot read '{attrs.name}', only its own Node object")
        return Decision(NO_OPINION, f"node '{node}' cannot '{attrs.verb}' nodes")

    def _pod_read(self, node: str, attrs: Attributes) -> Decision:
        if attrs.verb == "get":
            if not attrs.name:
                return Decision(NO_OPINION, "No Object name found")
            return self._related(node, self.graph.pod_on_node(node, attrs.namespace, attrs.name))
        if attrs.field_selector.get("spec.nodeName") == node:
            return Decision(ALLOW)
        if attrs.name and self.graph.pod_on_node(node, attrs.namespace, attrs.name):
            return Decision(ALLOW)
        return Decision(NO_OPINION, "can only list/watch pods with spec.nodeName field selector")

    def rules_for(self, user: dict, namespace: str) -> tuple[list[dict], list[str]]:
        if node_name_of(user) is None:
            return [], []
        return list(self.node_rules), []
