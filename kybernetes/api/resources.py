# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The table of every built-in resource the API server serves, as Kubernetes 1.32 serves it.

Discovery, OpenAPI paths, the REST router and the store keys all read this one table.
Custom resources are added at run time from CustomResourceDefinitions (see `register`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
CREATE_ONLY = ("create",)


@dataclass(frozen=True)
class Subresource:
    name: str  # "status", "scale", "log", ...
    kind: str  # the kind the subresource serves
    verbs: tuple[str, ...]
    group: str = ""  # set when the kind lives in another group (Scale -> autoscaling/v1)
    version: str = ""


@dataclass(frozen=True)
class ResourceType:
    group: str  # "" for the core group
    version: str
    kind: str
    plural: str
    singular: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ALL_VERBS
    subresources: tuple[Subresource, ...] = ()
    custom: bool = False  # defined by a CustomResourceDefinition
    # a group-version served only for compatibility (autoscaling/v1): shown in
    # discovery but not the preferred version
    preferred: bool = True
    schema: dict | None = field(default=None, compare=False, hash=False)  # CRD openAPIV3Schema

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def api_version(self) -> str:
        return self.group_version

    @property
    def group_resource(self) -> str:
        """`deployments.apps`, `pods`: the name errors and RBAC use."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def list_kind(self) -> str:
        return self.kind + "List"

    def subresource(self, name: str) -> Subresource | None:
        for sub in self.subresources:
            if sub.name == name:
                return sub
        return None

    def storage_prefix(self) -> str:
        """Store key prefix as upstream lays it out: /registry/<resource>/ for built-ins,
        /registry/<group>/<resource>/ for custom resources."""
        if self.custom:
            return f"/registry/{self.group}/{self.plural}/"
        return f"/registry/{self.plural}/"

    def storage_key(self, namespace: str | None, name: str) -> str:
        if self.namespaced:
            return f"{self.storage_prefix()}{namespace}/{name}"
        return f"{self.storage_prefix()}{name}"


def _s(name: str, kind: str, verbs=("get", "patch", "update"), group="", version="") -> Subresource:
    return Subresource(name, kind, tuple(verbs), group, version)


STATUS = lambda kind: _s("status", kind)  # noqa: E731
SCALE = _s("scale", "Scale", group="autoscaling", version="v1")


def _r(group, version, kind, plural, namespaced=True, short=(), cats=(), verbs=ALL_VERBS,
       subs=(), singular=None, preferred=True) -> ResourceType:
    return ResourceType(group, version, kind, plural, singular or kind.lower(), namespaced,
                        tuple(short), tuple(cats), tuple(verbs), tuple(subs), preferred=preferred)


ALL = ("all",)

BUILTIN: list[ResourceType] = [
    # core/v1
    _r("", "v1", "Binding", "bindings", verbs=CREATE_ONLY),
    _r("", "v1", "ComponentStatus", "componentstatuses", False, ("cs",), verbs=("get", "list")),
    _r("", "v1", "ConfigMap", "configmaps", short=("cm",)),
    _r("", "v1", "Endpoints", "endpoints", short=("ep",), singular="endpoints"),
    _r("", "v1", "Event", "events", short=("ev",)),
    _r("", "v1", "LimitRange", "limitranges", short=("limits",)),
    _r("", "v1", "Namespace", "namespaces", False, ("ns",),
       verbs=("create", "delete", "get", "list", "patch", "update", "watch"),
       subs=(_s("finalize", "Namespace", ("update",)), STATUS("Namespace"))),
    _r("", "v1", "Node", "nodes", False, ("no",),
       subs=(_s("proxy", "NodeProxyOptions", ("create", "delete", "get", "patch", "update")),
             STATUS("Node"))),
    _r("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", short=("pvc",),
       subs=(STATUS("PersistentVolumeClaim"),)),
    _r("", "v1", "PersistentVolume", "persistentvolumes", False, ("pv",),
       subs=(STATUS("PersistentVolume"),)),
    _r("", "v1", "Pod", "pods", short=("po",), cats=ALL, subs=(
        _s("attach", "PodAttachOptions", ("create", "get")),
        _s("binding", "Binding", ("create",)),
        _s("ephemeralcontainers", "Pod"),
        _s("eviction", "Eviction", ("create",), group="policy", version="v1"),
        _s("exec", "PodExecOptions", ("create", "get")),
        _s("log", "Pod", ("get",)),
        _s("portforward", "PodPortForwardOptions", ("create", "get")),
        _s("proxy", "PodProxyOptions", ("create", "delete", "get", "patch", "update")),
        STATUS("Pod"))),
    _r("", "v1", "PodTemplate", "podtemplates"),
    _r("", "v1", "ReplicationController", "replicationcontrollers", short=("rc",), cats=ALL,
       subs=(SCALE, STATUS("ReplicationController"))),
    _r("", "v1", "ResourceQuota", "resourcequotas", short=("quota",),
       subs=(STATUS("ResourceQuota"),)),
    _r("", "v1", "Secret", "secrets"),
    _r("", "v1", "ServiceAccount", "serviceaccounts", short=("sa",),
       subs=(_s("token", "TokenRequest", ("create",), group="authentication.k8s.io",
                version="v1"),)),
    _r("", "v1", "Service", "services", short=("svc",), cats=ALL, subs=(
        _s("proxy", "ServiceProxyOptions", ("create", "delete", "get", "patch", "update")),
        STATUS("Service"))),
    # admissionregistration.k8s.io/v1
    _r("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration",
       "mutatingwebhookconfigurations", False, cats=("api-extensions",)),
    _r("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration",
       "validatingwebhookconfigurations", False, cats=("api-extensions",)),
    # apiextensions.k8s.io/v1
    _r("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions",
       False, ("crd", "crds"), ("api-extensions",), subs=(STATUS("CustomResourceDefinition"),)),
    # apps/v1
    _r("apps", "v1", "ControllerRevision", "controllerrevisions"),
    _r("apps", "v1", "DaemonSet", "daemonsets", short=("ds",), cats=ALL,
       subs=(STATUS("DaemonSet"),)),
    _r("apps", "v1", "Deployment", "deployments", short=("deploy",), cats=ALL,
       subs=(SCALE, STATUS("Deployment"))),
    _r("apps", "v1", "ReplicaSet", "replicasets", short=("rs",), cats=ALL,
       subs=(SCALE, STATUS("ReplicaSet"))),
    _r("apps", "v1", "StatefulSet", "statefulsets", short=("sts",), cats=ALL,
       subs=(SCALE, STATUS("StatefulSet"))),
    # authentication.k8s.io/v1
    _r("authentication.k8s.io", "v1", "SelfSubjectReview", "selfsubjectreviews", False,
       verbs=CREATE_ONLY),
    _r("authentication.k8s.io", "v1", "TokenReview", "tokenreviews", False, verbs=CREATE_ONLY),
    # authorization.k8s.io/v1
    _r("authorization.k8s.io", "v1", "LocalSubjectAccessReview", "localsubjectaccessreviews",
       verbs=CREATE_ONLY),
    _r("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews",
       False, verbs=CREATE_ONLY),
    _r("authorization.k8s.io", "v1", "SelfSubjectRulesReview", "selfsubjectrulesreviews",
       False, verbs=CREATE_ONLY),
    _r("authorization.k8s.io", "v1", "SubjectAccessReview", "subjectaccessreviews", False,
       verbs=CREATE_ONLY),
    # autoscaling: v2 is preferred, v1 still served
    _r("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers",
       short=("hpa",), cats=ALL, subs=(STATUS("HorizontalPodAutoscaler"),)),
    _r("autoscaling", "v1", "HorizontalPodAutoscaler", "horizontalpodautoscalers",
       short=("hpa",), cats=ALL, subs=(STATUS("HorizontalPodAutoscaler"),), preferred=False),
    # batch/v1
    _r("batch", "v1", "CronJob", "cronjobs", short=("cj",), cats=ALL,
       subs=(STATUS("CronJob"),)),
    _r("batch", "v1", "Job", "jobs", cats=ALL, subs=(STATUS("Job"),)),
    # certificates.k8s.io/v1
    _r("certificates.k8s.io", "v1", "CertificateSigningRequest", "certificatesigningrequests",
       False, ("csr",), subs=(_s("approval", "CertificateSigningRequest"),
                              STATUS("CertificateSigningRequest"))),
    # coordination.k8s.io/v1
    _r("coordination.k8s.io", "v1", "Lease", "leases"),
    # discovery.k8s.io/v1
    _r("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices"),
    # events.k8s.io/v1
    _r("events.k8s.io", "v1", "Event", "events", short=("ev",)),
    # networking.k8s.io/v1
    _r("networking.k8s.io", "v1", "IngressClass", "ingressclasses", False),
    _r("networking.k8s.io", "v1", "Ingress", "ingresses", short=("ing",),
       subs=(STATUS("Ingress"),)),
    _r("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", short=("netpol",)),
    # node.k8s.io/v1
    _r("node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", False),
    # policy/v1
    _r("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", short=("pdb",),
       subs=(STATUS("PodDisruptionBudget"),)),
    # rbac.authorization.k8s.io/v1
    _r("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", False),
    _r("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", False),
    _r("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings"),
    _r("rbac.authorization.k8s.io", "v1", "Role", "roles"),
    # scheduling.k8s.io/v1
    _r("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", False, ("pc",)),
    # storage.k8s.io/v1
    _r("storage.k8s.io", "v1", "CSIDriver", "csidrivers", False),
    _r("storage.k8s.io", "v1", "CSINode", "csinodes", False),
    _r("storage.k8s.io", "v1", "StorageClass", "storageclasses", False, ("sc",)),
    _r("storage.k8s.io", "v1", "VolumeAttachment", "volumeattachments", False,
       subs=(STATUS("VolumeAttachment"),)),
]

# Groups in the order kube-apiserver 1.32 lists them in discovery (core first).
GROUP_ORDER = [
    "", "apiregistration.k8s.io", "apps", "events.k8s.io", "authentication.k8s.io",
    "authorization.k8s.io", "autoscaling", "batch", "certificates.k8s.io", "networking.k8s.io",
    "policy", "rbac.authorization.k8s.io", "storage.k8s.io", "admissionregistration.k8s.io",
    "apiextensions.k8s.io", "scheduling.k8s.io", "coordination.k8s.io", "node.k8s.io",
    "discovery.k8s.io", "flowcontrol.apiserver.k8s.io",
]

# Kinds without a store of their own: requests answered and forgotten.
VIRTUAL_KINDS = {
    "Binding", "ComponentStatus", "SelfSubjectReview", "TokenReview",
    "LocalSubjectAccessReview", "SelfSubjectAccessReview", "SelfSubjectRulesReview",
    "SubjectAccessReview",
}


class Registry:
    """Looks resources up by group/version/plural and by group/version/kind.

    Mutable only through `register`/`unregister` (custom resources)."""

    def __init__(self, types: list[ResourceType]) -> None:
        self._by_gvr: dict[tuple[str, str, str], ResourceType] = {}
        self._by_gvk: dict[tuple[str, str, str], ResourceType] = {}
        for rt in types:
            self.register(rt)

    def register(self, rt: ResourceType) -> None:
        self._by_gvr[(rt.group, rt.version, rt.plural)] = rt
        self._by_gvk[(rt.group, rt.version, rt.kind)] = rt

    def unregister(self, rt: ResourceType) -> None:
        self._by_gvr.pop((rt.group, rt.version, rt.plural), None)
        self._by_gvk.pop((rt.group, rt.version, rt.kind), None)

    def by_resource(self, group: str, version: str, plural: str) -> ResourceType | None:
        return self._by_gvr.get((group, version, plural))

    def by_kind(self, group: str, version: str, kind: str) -> ResourceType | None:
        return self._by_gvk.get((group, version, kind))

    def by_api_version(self, api_version: str, kind: str) -> ResourceType | None:
        group, _, version = api_version.rpartition("/")
        return self.by_kind(group, version, kind)

    def all(self) -> list[ResourceType]:
        return list(self._by_gvr.values())

    def group_versions(self) -> dict[str, list[str]]:
        """group -> versions, preferred version first."""
        out: dict[str, list[str]] = {}
        for rt in self._by_gvr.values():
            versions = out.setdefault(rt.group, [])
            if rt.version not in versions:
                if rt.preferred:
                    versions.insert(0, rt.version)
                else:
                    versions.append(rt.version)
        return out

    def in_group_version(self, group: str, version: str) -> list[ResourceType]:
        return sorted((rt for rt in self._by_gvr.values()
                       if rt.group == group and rt.version == version), key=lambda r: r.plural)


def builtin_registry() -> Registry:
    return Registry(BUILTIN)
