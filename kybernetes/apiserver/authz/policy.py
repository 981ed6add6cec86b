# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The default RBAC policy Kubernetes 1.32 creates at start-up: cluster roles and their
bindings, the kube-system leader-election roles, and the per-controller roles
(controller_policy.py). Every object carries kubernetes.io/bootstrapping=rbac-defaults
and roles rbac.authorization.kubernetes.io/autoupdate=true, as upstream's are."""
from __future__ import annotations

from kybernetes.apiserver.authz.rbac import RBAC_GROUP

API_VERSION = f"{RBAC_GROUP}/v1"
BOOTSTRAP_LABEL = {"kubernetes.io/bootstrapping": "rbac-defaults"}
KUBEADM_NODE_TOKEN_GROUP = "system:bootstrappers:kubeadm:default-node-token"
AUTOUPDATE = "rbac.authorization.kubernetes.io/autoupdate"

READ = ["get", "list", "watch"]
READ_WRITE = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"]
WRITE = ["create", "update", "patch", "delete", "deletecollection"]
EVENT_VERBS = ["create", "update", "patch"]

# The in-process ingress controller's identity and role (kybernetes/ingress/).
INGRESS_USER = "system:kybernetes-ingress"
INGRESS_ROLE = "kybernetes:ingress-nginx"
NETWORK_POLICY_ROLE = "kybernetes:network-policy-controller"

MASTERS = "system:masters"
AUTHENTICATED = "system:authenticated"
UNAUTHENTICATED = "system:unauthenticated"


def rule(verbs: list[str], groups: list[str], resources: list[str],
         names: list[str] | None = None) -> dict:
    out = {"verbs": list(verbs), "apiGroups": list(groups), "resources": list(resources)}
    if names:
        out["resourceNames"] = list(names)
    return out


def url_rule(verbs: list[str], urls: list[str]) -> dict:
    return {"verbs": list(verbs), "nonResourceURLs": list(urls)}


def events_rule() -> dict:
    return rule(EVENT_VERBS, ["", "events.k8s.io"], ["events"])


def cluster_role(name: str, rules: list[dict] | None, labels: dict | None = None,
                 aggregate_from: str | None = None) -> dict:
    role = {"apiVersion": API_VERSION, "kind": "ClusterRole",
            "metadata": {"name": name, "labels": {**BOOTSTRAP_LABEL, **(labels or {})},
                         "annotations": {AUTOUPDATE: "true"}},
            "rules": rules or []}
    if aggregate_from:
        role["aggregationRule"] = {"clusterRoleSelectors": [
            {"matchLabels": {f"rbac.authorization.k8s.io/aggregate-to-{aggregate_from}": "true"}}]}
    return role


def subject(kind: str, name: str, namespace: str = "") -> dict:
    if kind == "ServiceAccount":
        return {"kind": kind, "name": name, "namespace": namespace}
    return {"kind": kind, "apiGroup": RBAC_GROUP, "name": name}


def cluster_role_binding(name: str, role: str, subjects: list[dict]) -> dict:
    return {"apiVersion": API_VERSION, "kind": "ClusterRoleBinding",
            "metadata": {"name": name, "labels": dict(BOOTSTRAP_LABEL),
                         "annotations": {AUTOUPDATE: "true"}},
            "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": role},
            "subjects": subjects}


def role(namespace: str, name: str, rules: list[dict]) -> dict:
    return {"apiVersion": API_VERSION, "kind": "Role",
            "metadata": {"name": name, "namespace": namespace, "labels": dict(BOOTSTRAP_LABEL),
                         "annotations": {AUTOUPDATE: "true"}},
            "rules": rules}


def role_binding(namespace: str, name: str, role_name: str, subjects: list[dict]) -> dict:
    return {"apiVersion": API_VERSION, "kind": "RoleBinding",
            "metadata": {"name": name, "namespace": namespace, "labels": dict(BOOTSTRAP_LABEL),
                         "annotations": {AUTOUPDATE: "true"}},
            "roleRef": {"apiGroup": RBAC_GROUP, "kind": "Role", "name": role_name},
            "subjects": subjects}


def _aggregate_label(to: str) -> dict:
    return {f"rbac.authorization.k8s.io/aggregate-to-{to}": "true"}


def node_rules() -> list[dict]:
    """What a kubelet may do beyond the Node authorizer's relationship checks (the
    system:node role)."""
    return [
        rule(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
        rule(["create"], ["authorization.k8s.io"], ["subjectaccessreviews", "localsubjectaccessreviews"]),
        rule(READ, [""], ["services"]),
        rule(["create", "get", "list", "watch"], [""], ["nodes"]),
        rule(["update", "patch"], [""], ["nodes/status"]),
        rule(["update", "patch"], [""], ["nodes"]),
        rule(EVENT_VERBS, [""], ["events"]),
        rule(READ, [""], ["pods"]),
        rule(["create", "delete"], [""], ["pods"]),
        rule(["update", "patch"], [""], ["pods/status"]),
        rule(["create"], [""], ["pods/eviction"]),
        rule(READ, [""], ["secrets", "configmaps"]),
        rule(["get"], [""], ["persistentvolumeclaims", "persistentvolumes"]),
        rule(["get"], [""], ["endpoints"]),
        rule(["create", "get", "list", "watch"], ["certificates.k8s.io"], ["certificatesigningrequests"]),
        rule(["delete", "get", "update", "create", "patch"], ["coordination.k8s.io"], ["leases"]),
        rule(["get"], ["storage.k8s.io"], ["volumeattachments"]),
        rule(["create"], [""], ["serviceaccounts/token"]),
        rule(["get", "update", "patch"], [""], ["persistentvolumeclaims/status"]),
        rule(READ, ["storage.k8s.io"], ["csidrivers"]),
        rule(["create", "delete", "get", "patch", "update"], ["storage.k8s.io"], ["csinodes"]),
        rule(READ, ["node.k8s.io"], ["runtimeclasses"]),
    ]


def cluster_roles() -> list[dict]:
    view = [
        rule(READ, [""], ["pods", "replicationcontrollers", "replicationcontrollers/scale",
                          "serviceaccounts", "services", "services/status", "endpoints",
                          "persistentvolumeclaims", "persistentvolumeclaims/status", "configmaps"]),
        rule(READ, [""], ["limitranges", "resourcequotas", "bindings", "events", "pods/status",
                          "resourcequotas/status", "namespaces/status",
                          "replicationcontrollers/status", "pods/log"]),
        rule(READ, [""], ["namespaces"]),
        rule(READ, ["discovery.k8s.io"], ["endpointslices"]),
        rule(READ, ["apps"], ["controllerrevisions", "statefulsets", "statefulsets/scale",
                              "statefulsets/status", "daemonsets", "daemonsets/status",
                              "deployments", "deployments/scale", "deployments/status",
                              "replicasets", "replicasets/scale", "replicasets/status"]),
        rule(READ, ["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
        rule(READ, ["batch"], ["jobs", "cronjobs", "cronjobs/status", "jobs/status"]),
        rule(READ, ["extensions"], ["daemonsets", "daemonsets/status", "deployments",
                                    "deployments/scale", "deployments/status", "ingresses",
                                    "ingresses/status", "replicasets", "replicasets/scale",
                                    "replicasets/status", "replicationcontrollers/scale",
                                    "networkpolicies"]),
        rule(READ, ["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
        rule(READ, ["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"]),
    ]
    edit = [
        rule(["impersonate"], [""], ["serviceaccounts"]),
        rule(WRITE, [""], ["pods", "pods/attach", "pods/proxy", "pods/exec", "pods/portforward"]),
        rule(["create"], [""], ["pods/eviction"]),
        rule(WRITE, [""], ["replicationcontrollers", "replicationcontrollers/scale",
                           "serviceaccounts", "services", "services/proxy", "persistentvolumeclaims",
                           "configmaps", "secrets", "events"]),
        rule(["create"], [""], ["serviceaccounts/token"]),
        rule(WRITE, ["apps"], ["statefulsets", "statefulsets/scale", "daemonsets", "deployments",
                               "deployments/scale", "deployments/rollback", "replicasets",
                               "replicasets/scale"]),
        rule(WRITE, ["autoscaling"], ["horizontalpodautoscalers"]),
        rule(WRITE, ["batch"], ["jobs", "cronjobs"]),
        rule(WRITE, ["extensions"], ["daemonsets", "deployments", "deployments/scale",
                                     "deployments/rollback", "ingresses", "replicasets",
                                     "replicasets/scale", "replicationcontrollers/scale",
                                     "networkpolicies"]),
        rule(WRITE, ["policy"], ["poddisruptionbudgets"]),
        rule(WRITE, ["networking.k8s.io"], ["ingresses", "networkpolicies"]),
        rule(READ_WRITE, ["coordination.k8s.io"], ["leases"]),
        # reading secrets and pod connections belongs to edit, not view
        rule(READ, [""], ["pods/attach", "pods/proxy", "pods/exec", "pods/portforward", "secrets",
                          "services/proxy"]),
    ]
    admin = [
        rule(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews"]),
        rule(READ_WRITE, [RBAC_GROUP], ["roles", "rolebindings"]),
    ]
    leases = "coordination.k8s.io"
    return [
        cluster_role("cluster-admin", [rule(["*"], ["*"], ["*"]), url_rule(["*"], ["*"])]),
        cluster_role("system:discovery", [url_rule(["get"], [
            "/healthz", "/livez", "/readyz", "/version", "/version/", "/openapi", "/openapi/*",
            "/api", "/api/*", "/apis", "/apis/*"])]),
        cluster_role("system:monitoring", [url_rule(["get"], [
            "/metrics", "/metrics/slis", "/livez", "/readyz", "/healthz", "/livez/*", "/readyz/*",
            "/healthz/*"])]),
        cluster_role("system:basic-user", [
            rule(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews",
                                                        "selfsubjectrulesreviews"]),
            rule(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"])]),
        cluster_role("system:public-info-viewer", [url_rule(["get"], [
            "/healthz", "/livez", "/readyz", "/version", "/version/"])]),
        cluster_role("admin", None, aggregate_from="admin"),
        cluster_role("edit", None, labels=_aggregate_label("admin"), aggregate_from="edit"),
        cluster_role("view", None, labels=_aggregate_label("edit"), aggregate_from="view"),
        cluster_role("system:aggregate-to-admin", admin, labels=_aggregate_label("admin")),
        cluster_role("system:aggregate-to-edit", edit, labels=_aggregate_label("edit")),
        cluster_role("system:aggregate-to-view", view, labels=_aggregate_label("view")),
        cluster_role("system:heapster", [
            rule(READ, [""], ["events", "pods", "nodes", "namespaces"]),
            rule(READ, ["extensions"], ["deployments"])]),
        cluster_role("system:node", node_rules()),
        cluster_role("system:node-problem-detector", [
            rule(["get"], [""], ["nodes"]), rule(["patch"], [""], ["nodes/status"]), events_rule()]),
        cluster_role("system:kubelet-api-admin", [
            rule(READ, [""], ["nodes"]), rule(["proxy"], [""], ["nodes"]),
            rule(["*"], [""], ["nodes/proxy", "nodes/metrics", "nodes/stats", "nodes/log"])]),
        cluster_role("system:node-bootstrapper", [
            rule(["create", "get", "list", "watch"], ["certificates.k8s.io"],
                 ["certificatesigningrequests"])]),
        cluster_role("system:auth-delegator", [
            rule(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
            rule(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"])]),
        cluster_role("system:kube-aggregator", [rule(READ, [""], ["services", "endpoints"])]),
        cluster_role("system:kube-controller-manager", [
            events_rule(),
            rule(["create"], [leases], ["leases"]),
            rule(["get", "update"], [leases], ["leases"], ["kube-controller-manager"]),
            rule(["create"], [""], ["secrets", "serviceaccounts"]),
            rule(["delete"], [""], ["secrets"]),
            rule(["get"], [""], ["namespaces", "secrets", "serviceaccounts", "configmaps"]),
            rule(["update"], [""], ["secrets", "serviceaccounts"]),
            rule(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
            rule(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"]),
            rule(["list", "watch"], ["*"], ["*"]),
            rule(["create"], [""], ["serviceaccounts/token"])]),
        cluster_role("system:kube-dns", [rule(["list", "watch"], [""], ["endpoints", "services"])]),
        cluster_role("system:persistent-volume-provisioner", [
            rule(["get", "list", "watch", "create", "delete"], [""], ["persistentvolumes"]),
            rule(["get", "list", "watch", "update"], [""], ["persistentvolumeclaims"]),
            rule(READ, ["storage.k8s.io"], ["storageclasses"]),
            rule(["watch"], [""], ["events"]),
            events_rule()]),
        cluster_role("system:certificates.k8s.io:certificatesigningrequests:nodeclient", [
            rule(["create"], ["certificates.k8s.io"], ["certificatesigningrequests/nodeclient"])]),
        cluster_role("system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", [
            rule(["create"], ["certificates.k8s.io"], ["certificatesigningrequests/selfnodeclient"])]),
        cluster_role("system:volume-scheduler", [
            rule(["get", "list", "watch", "patch", "update"], [""], ["persistentvolumes"]),
            rule(READ, ["storage.k8s.io"], ["storageclasses"]),
            rule(["get", "list", "watch", "patch", "update"], [""], ["persistentvolumeclaims"])]),
        cluster_role("system:certificates.k8s.io:legacy-unknown-approver", [
            rule(["approve"], ["certificates.k8s.io"], ["signers"], ["kubernetes.io/legacy-unknown"])]),
        cluster_role("system:certificates.k8s.io:kubelet-serving-approver", [
            rule(["approve"], ["certificates.k8s.io"], ["signers"], ["kubernetes.io/kubelet-serving"])]),
        cluster_role("system:certificates.k8s.io:kube-apiserver-client-approver", [
            rule(["approve"], ["certificates.k8s.io"], ["signers"],
                 ["kubernetes.io/kube-apiserver-client"])]),
        cluster_role("system:certificates.k8s.io:kube-apiserver-client-kubelet-approver", [
            rule(["approve"], ["certificates.k8s.io"], ["signers"],
                 ["kubernetes.io/kube-apiserver-client-kubelet"])]),
        cluster_role("system:service-account-issuer-discovery", [
            url_rule(["get"], ["/.well-known/openid-configuration", "/openid/v1/jwks"])]),
        cluster_role("system:node-proxier", [
            rule(["list", "watch"], [""], ["services", "endpoints"]),
            rule(READ, [""], ["nodes"]),
            events_rule(),
            rule(["list", "watch"], ["discovery.k8s.io"], ["endpointslices"])]),
        # kube-router's reads, for the network policy controller beside each kube-proxy
        # (kybernetes/netpol/): policies, and the pods and namespaces they select
        cluster_role(NETWORK_POLICY_ROLE, [
            rule(["list", "watch"], ["networking.k8s.io"], ["networkpolicies"]),
            rule(["list", "watch"], [""], ["pods", "namespaces"])]),
        # ingress-nginx's ClusterRole, for the ingress controller of `kybernetes server`
        cluster_role(INGRESS_ROLE, [
            rule(["list", "watch"], [""], ["configmaps", "endpoints", "nodes", "pods", "secrets",
                                          "namespaces"]),
            rule(["list", "watch"], ["coordination.k8s.io"], ["leases"]),
            rule(["get"], [""], ["nodes"]),
            rule(READ, [""], ["services"]),
            rule(READ, ["networking.k8s.io"], ["ingresses", "ingressclasses"]),
            rule(["update", "patch"], ["networking.k8s.io"], ["ingresses/status"]),
            rule(["create", "patch"], [""], ["events"]),
            rule(READ, ["discovery.k8s.io"], ["endpointslices"])]),
        cluster_role("system:kube-scheduler", [
            events_rule(),
            rule(["create"], [leases], ["leases"]),
            rule(["get", "update"], [leases], ["leases"], ["kube-scheduler"]),
            rule(READ, [""], ["nodes"]),
            rule(["get", "list", "watch", "delete"], [""], ["pods"]),
            rule(["create"], [""], ["pods/binding", "bindings"]),
            rule(["patch", "update"], [""], ["pods/status"]),
            rule(READ, [""], ["replicationcontrollers", "services"]),
            rule(READ, ["apps", "extensions"], ["replicasets"]),
            rule(READ, ["apps"], ["statefulsets"]),
            rule(READ, ["policy"], ["poddisruptionbudgets"]),
            rule(READ, [""], ["persistentvolumeclaims", "persistentvolumes"]),
            rule(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
            rule(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"]),
            rule(READ, ["storage.k8s.io"], ["csinodes"]),
            rule(READ, [""], ["namespaces"]),
            rule(READ, ["storage.k8s.io"], ["csidrivers"]),
            rule(READ, ["storage.k8s.io"], ["csistoragecapacities"])]),
    ]


def cluster_role_bindings() -> list[dict]:
    return [
        cluster_role_binding("cluster-admin", "cluster-admin", [subject("Group", MASTERS)]),
        cluster_role_binding("system:monitoring", "system:monitoring",
                             [subject("Group", "system:monitoring")]),
        cluster_role_binding("system:discovery", "system:discovery",
                             [subject("Group", AUTHENTICATED)]),
        cluster_role_binding("system:basic-user", "system:basic-user",
                             [subject("Group", AUTHENTICATED)]),
        cluster_role_binding("system:public-info-viewer", "system:public-info-viewer",
                             [subject("Group", AUTHENTICATED), subject("Group", UNAUTHENTICATED)]),
        cluster_role_binding("system:node-proxier", "system:node-proxier",
                             [subject("User", "system:kube-proxy")]),
        cluster_role_binding(INGRESS_ROLE, INGRESS_ROLE, [subject("User", INGRESS_USER)]),
        # the network policy controller runs beside kube-proxy, with its identity
        cluster_role_binding(NETWORK_POLICY_ROLE, NETWORK_POLICY_ROLE,
                             [subject("User", "system:kube-proxy")]),
        cluster_role_binding("system:kube-controller-manager", "system:kube-controller-manager",
                             [subject("User", "system:kube-controller-manager")]),
        cluster_role_binding("system:kube-dns", "system:kube-dns",
                             [subject("ServiceAccount", "kube-dns", "kube-system")]),
        cluster_role_binding("system:kube-scheduler", "system:kube-scheduler",
                             [subject("User", "system:kube-scheduler")]),
        cluster_role_binding("system:volume-scheduler", "system:volume-scheduler",
                             [subject("User", "system:kube-scheduler")]),
        # no subjects: kubelets are authorized by the Node authorizer
        cluster_role_binding("system:node", "system:node", []),
        cluster_role_binding("system:service-account-issuer-discovery",
                             "system:service-account-issuer-discovery",
                             [subject("Group", "system:serviceaccounts")]),
        # kubeadm's: nodes joining with a bootstrap token may ask for, and get
        # auto-approved, client certificates; nodes may renew their own
        cluster_role_binding("kubeadm:kubelet-bootstrap", "system:node-bootstrapper",
                             [subject("Group", KUBEADM_NODE_TOKEN_GROUP)]),
        cluster_role_binding("kubeadm:node-autoapprove-bootstrap",
                             "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
                             [subject("Group", KUBEADM_NODE_TOKEN_GROUP)]),
        # kubeadm 1.29+: admin.conf's group (super-admin.conf keeps system:masters)
        cluster_role_binding("kubeadm:cluster-admins", "cluster-admin",
                             [subject("Group", "kubeadm:cluster-admins")]),
        cluster_role_binding("kubeadm:node-autoapprove-certificate-rotation",
                             "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
                             [subject("Group", "system:nodes")]),
    ]


def namespace_roles() -> list[dict]:
    leader_locking = [rule(["watch", "get", "list", "create", "update"], ["coordination.k8s.io"], ["leases"]),
                      rule(["watch", "get", "list", "create", "update"], ["coordination.k8s.io"],
                           ["leasecandidates"])]
    return [
        role("kube-system", "extension-apiserver-authentication-reader", [
            rule(READ, [""], ["configmaps"], ["extension-apiserver-authentication"])]),
        role("kube-system", "system::leader-locking-kube-controller-manager", leader_locking),
        role("kube-system", "system::leader-locking-kube-scheduler", leader_locking),
        role("kube-system", "system:controller:bootstrap-signer", [rule(READ, [""], ["secrets"])]),
        role("kube-system", "system:controller:token-cleaner", [
            rule(["delete", "get", "list", "watch"], [""], ["secrets"]), events_rule()]),
        role("kube-public", "system:controller:bootstrap-signer", [
            rule(READ, [""], ["configmaps"]),
            rule(["update"], [""], ["configmaps"], ["cluster-info"]),
            events_rule()]),
        # kubeadm's: joining nodes read cluster-info before they have credentials
        role("kube-public", "kubeadm:bootstrap-signer-clusterinfo", [
            rule(["get"], [""], ["configmaps"], ["cluster-info"])]),
    ]


def namespace_role_bindings() -> list[dict]:
    def sa(name: str) -> dict:
        return subject("ServiceAccount", name, "kube-system")
    return [
        role_binding("kube-system", "system::extension-apiserver-authentication-reader",
                     "extension-apiserver-authentication-reader",
                     [subject("User", "system:kube-controller-manager"),
                      subject("User", "system:kube-scheduler")]),
        role_binding("kube-system", "system::leader-locking-kube-controller-manager",
                     "system::leader-locking-kube-controller-manager",
                     [subject("User", "system:kube-controller-manager"),
                      sa("kube-controller-manager"), sa("leader-election-controller")]),
        role_binding("kube-system", "system::leader-locking-kube-scheduler",
                     "system::leader-locking-kube-scheduler",
                     [subject("User", "system:kube-scheduler"), sa("kube-scheduler")]),
        role_binding("kube-system", "system:controller:bootstrap-signer",
                     "system:controller:bootstrap-signer", [sa("bootstrap-signer")]),
        role_binding("kube-system", "system:controller:token-cleaner",
                     "system:controller:token-cleaner", [sa("token-cleaner")]),
        # the in-process controller manager signs cluster-info as its own user
        role_binding("kube-public", "system:controller:bootstrap-signer",
                     "system:controller:bootstrap-signer",
                     [sa("bootstrap-signer"), subject("User", "system:kube-controller-manager")]),
        role_binding("kube-public", "kubeadm:bootstrap-signer-clusterinfo",
                     "kubeadm:bootstrap-signer-clusterinfo", [subject("User", "system:anonymous")]),
    ]
