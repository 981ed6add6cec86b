# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The per-controller roles `system:controller:<name>` and their bindings to the
kube-system service account each controller runs as under
--use-service-account-credentials, as Kubernetes 1.32 bootstraps them.

kybernetes' in-process controller manager runs every controller on its own identity
(system:kube-controller-manager), as kube-controller-manager does without
--use-service-account-credentials; upstream documents that such an identity "must be
granted all the relevant roles". `kybernetes:controller-manager` is that grant: the
union of the controller roles, bound to the system:kube-controller-manager user, kept
up to date by the same reconciliation as the rest of the policy.
"""
from __future__ import annotations

from kybernetes.apiserver.authz.policy import (READ, RBAC_GROUP, cluster_role,
                                               cluster_role_binding, events_rule, rule, subject)

CONTROLLER_MANAGER_USER = "system:kube-controller-manager"
CONTROLLER_MANAGER_ROLE = "kybernetes:controller-manager"
APPS = ["apps", "extensions"]


def controller_roles() -> dict[str, list[dict]]:
    """service-account name -> rules."""
    events = events_rule()
    return {
        "attachdetach-controller": [
            rule(["list", "watch"], [""], ["persistentvolumes", "persistentvolumeclaims"]),
            rule(READ, [""], ["nodes"]),
            rule(["patch", "update"], [""], ["nodes/status"]),
            rule(["list", "watch"], [""], ["pods"]),
            events,
            rule(["get", "create", "delete", "list", "watch"], ["storage.k8s.io"], ["volumeattachments"]),
            rule(READ, ["storage.k8s.io"], ["csidrivers"]),
            rule(READ, ["storage.k8s.io"], ["csinodes"])],
        "certificate-controller": [
            rule(["get", "list", "watch", "delete"], ["certificates.k8s.io"], ["certificatesigningrequests"]),
            rule(["update"], ["certificates.k8s.io"], ["certificatesigningrequests/status",
                                                       "certificatesigningrequests/approval"]),
            rule(["approve"], ["certificates.k8s.io"], ["signers"],
                 ["kubernetes.io/kube-apiserver-client-kubelet"]),
            rule(["sign"], ["certificates.k8s.io"], ["signers"], [
                "kubernetes.io/kube-apiserver-client", "kubernetes.io/kube-apiserver-client-kubelet",
                "kubernetes.io/kubelet-serving", "kubernetes.io/legacy-unknown"]),
            rule(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"]),
            events],
        "clusterrole-aggregation-controller": [
            rule(["escalate", "get", "list", "watch", "update", "patch"], [RBAC_GROUP], ["clusterroles"])],
        "cronjob-controller": [
            rule(["get", "list", "watch", "update"], ["batch"], ["cronjobs"]),
            rule(["get", "list", "watch", "create", "update", "delete", "patch"], ["batch"], ["jobs"]),
            rule(["update"], ["batch"], ["cronjobs/status"]),
            rule(["update"], ["batch"], ["cronjobs/finalizers"]),
            rule(["list", "watch", "delete"], [""], ["pods"]),
            events],
        "daemon-set-controller": [
            rule(READ, APPS, ["daemonsets"]),
            rule(["update"], APPS, ["daemonsets/status"]),
            rule(["update"], APPS, ["daemonsets/finalizers"]),
            rule(["list", "watch"], [""], ["nodes"]),
            rule(["list", "watch", "create", "delete", "patch"], [""], ["pods"]),
            rule(["create"], [""], ["pods/binding"]),
            rule(["get", "list", "watch", "create", "delete", "update", "patch"], ["apps"],
                 ["controllerrevisions"]),
            events],
        "deployment-controller": [
            rule(["get", "list", "watch", "update"], APPS, ["deployments"]),
            rule(["update"], APPS, ["deployments/status"]),
            rule(["update"], APPS, ["deployments/finalizers"]),
            rule(["get", "list", "watch", "create", "update", "patch", "delete"], APPS, ["replicasets"]),
            rule(["get", "list", "watch", "update"], [""], ["pods"]),
            events],
        "disruption-controller": [
            rule(READ, APPS, ["deployments"]),
            rule(READ, APPS, ["replicasets"]),
            rule(READ, [""], ["replicationcontrollers"]),
            rule(READ, ["policy"], ["poddisruptionbudgets"]),
            rule(READ, ["apps"], ["statefulsets"]),
            rule(["update"], ["policy"], ["poddisruptionbudgets/status"]),
            rule(["patch", "update"], [""], ["pods/status"]),
            rule(["get"], ["*"], ["*/scale"]),
            events],
        "endpoint-controller": [
            rule(READ, [""], ["services", "pods"]),
            rule(["get", "list", "create", "update", "delete", "watch"], [""], ["endpoints"]),
            rule(["create"], [""], ["endpoints/restricted"]),
            events],
        "endpointslice-controller": [
            rule(READ, [""], ["services", "pods", "nodes"]),
            rule(["update"], [""], ["services/finalizers"]),
            rule(["get", "list", "create", "update", "delete", "watch"], ["discovery.k8s.io"],
                 ["endpointslices"]),
            events],
        "endpointslicemirroring-controller": [
            rule(READ, [""], ["services", "endpoints"]),
            rule(["update"], [""], ["services/finalizers"]),
            rule(["update"], [""], ["endpoints/finalizers"]),
            rule(["get", "list", "create", "update", "delete", "watch"], ["discovery.k8s.io"],
                 ["endpointslices"]),
            events],
        "ephemeral-volume-controller": [
            rule(READ, [""], ["pods"]),
            rule(["update"], [""], ["pods/finalizers"]),
            rule(["get", "list", "watch", "create"], [""], ["persistentvolumeclaims"]),
            events],
        "expand-controller": [
            rule(["get", "list", "watch", "update", "patch"], [""], ["persistentvolumes"]),
            rule(["update", "patch"], [""], ["persistentvolumeclaims/status"]),
            rule(READ, [""], ["persistentvolumeclaims"]),
            events],
        "generic-garbage-collector": [
            rule(["get", "list", "watch", "patch", "update", "delete"], ["*"], ["*"]),
            events],
        "horizontal-pod-autoscaler": [
            rule(READ, ["autoscaling"], ["horizontalpodautoscalers"]),
            rule(["update"], ["autoscaling"], ["horizontalpodautoscalers/status"]),
            rule(["get", "update"], ["*"], ["*/scale"]),
            rule(["list", "watch"], [""], ["pods"]),
            rule(["list", "watch"], ["metrics.k8s.io"], ["pods"]),
            rule(READ, ["custom.metrics.k8s.io"], ["*"]),
            rule(READ, ["external.metrics.k8s.io"], ["*"]),
            events],
        "job-controller": [
            rule(["get", "list", "watch", "update", "patch"], ["batch"], ["jobs"]),
            rule(["update"], ["batch"], ["jobs/status"]),
            rule(["update"], ["batch"], ["jobs/finalizers"]),
            rule(["list", "watch", "create", "delete", "patch"], [""], ["pods"]),
            events],
        "namespace-controller": [
            rule(["get", "list", "watch", "delete"], [""], ["namespaces"]),
            rule(["update"], [""], ["namespaces/finalize", "namespaces/status"]),
            rule(["get", "list", "watch", "delete", "deletecollection"], ["*"], ["*"])],
        "node-controller": [
            rule(["get", "list", "watch", "update", "delete", "patch"], [""], ["nodes"]),
            rule(["patch", "update"], [""], ["nodes/status"]),
            rule(["patch", "update"], [""], ["pods/status"]),
            rule(["list", "watch", "delete", "get"], [""], ["pods"]),
            events],
        "persistent-volume-binder": [
            rule(["get", "list", "watch", "update", "create", "delete"], [""], ["persistentvolumes"]),
            rule(["update"], [""], ["persistentvolumes/status"]),
            rule(["get", "list", "watch", "update"], [""], ["persistentvolumeclaims"]),
            rule(["update"], [""], ["persistentvolumeclaims/status"]),
            rule(["list", "watch", "get", "create", "delete"], [""], ["pods"]),
            rule(READ, ["storage.k8s.io"], ["storageclasses"]),
            rule(["list", "watch"], [""], ["nodes"]),
            events,
            rule(["watch"], [""], ["events"])],
        "pod-garbage-collector": [
            rule(["list", "watch", "delete"], [""], ["pods"]),
            rule(READ, [""], ["nodes"]),
            rule(["patch"], [""], ["pods/status"])],
        "pv-protection-controller": [
            rule(["get", "list", "watch", "update"], [""], ["persistentvolumes"]),
            events],
        "pvc-protection-controller": [
            rule(["get", "list", "watch", "update"], [""], ["persistentvolumeclaims"]),
            rule(["update"], [""], ["persistentvolumeclaims/status"]),
            rule(READ, [""], ["pods"]),
            events],
        "replicaset-controller": [
            rule(["get", "list", "watch", "update"], APPS, ["replicasets"]),
            rule(["update"], APPS, ["replicasets/status"]),
            rule(["update"], APPS, ["replicasets/finalizers"]),
            rule(["list", "watch", "patch", "create", "delete"], [""], ["pods"]),
            events],
        "replication-controller": [
            rule(["get", "list", "watch", "update"], [""], ["replicationcontrollers"]),
            rule(["update"], [""], ["replicationcontrollers/status"]),
            rule(["update"], [""], ["replicationcontrollers/finalizers"]),
            rule(["list", "watch", "patch", "create", "delete"], [""], ["pods"]),
            events],
        "resourcequota-controller": [
            rule(["list", "watch"], ["*"], ["*"]),
            rule(["update"], [""], ["resourcequotas/status"]),
            events],
        "root-ca-cert-publisher": [
            rule(["create", "update"], [""], ["configmaps"]),
            events],
        "route-controller": [
            rule(["list", "watch"], [""], ["nodes"]),
            rule(["patch"], [""], ["nodes/status"]),
            events],
        "service-account-controller": [
            rule(["create"], [""], ["serviceaccounts"]),
            events],
        "service-controller": [
            rule(READ, [""], ["services"]),
            rule(["patch", "update"], [""], ["services/status"]),
            rule(["list", "watch"], [""], ["nodes"]),
            events],
        "statefulset-controller": [
            rule(["list", "watch"], [""], ["pods"]),
            rule(READ, ["apps"], ["statefulsets"]),
            rule(["update"], ["apps"], ["statefulsets/status"]),
            rule(["update"], ["apps"], ["statefulsets/finalizers"]),
            rule(["get", "create", "delete", "update", "patch"], [""], ["pods"]),
            rule(["get", "create", "delete", "update", "patch", "list", "watch"], ["apps"],
                 ["controllerrevisions"]),
            rule(["get", "create", "list", "watch"], [""], ["persistentvolumeclaims"]),
            rule(["update", "delete"], [""], ["persistentvolumeclaims"]),
            rule(["update"], [""], ["pods/finalizers"]),
            events],
        "ttl-after-finished-controller": [
            rule(["get", "list", "watch", "delete"], ["batch"], ["jobs"]),
            events],
        "ttl-controller": [
            rule(["update", "patch", "list", "watch"], [""], ["nodes"]),
            events],
        "legacy-service-account-token-cleaner": [
            rule(["get"], [""], ["configmaps"], ["kube-apiserver-legacy-service-account-token-tracking"]),
            rule(["delete", "patch"], [""], ["secrets"])],
        "validatingadmissionpolicy-status-controller": [
            rule(READ, ["admissionregistration.k8s.io"], ["validatingadmissionpolicies"]),
            rule(["get", "patch", "update"], ["admissionregistration.k8s.io"],
                 ["validatingadmissionpolicies/status"]),
            events],
    }


def controller_cluster_roles() -> list[dict]:
    return [cluster_role(f"system:controller:{name}", rules)
            for name, rules in controller_roles().items()]


def controller_cluster_role_bindings() -> list[dict]:
    return [cluster_role_binding(f"system:controller:{name}", f"system:controller:{name}",
                                 [subject("ServiceAccount", name, "kube-system")])
            for name in controller_roles()]


def controller_manager_grant() -> tuple[dict, dict]:
    """The role and binding that let the controller manager's own identity run every
    controller (see the module docstring)."""
    rules: list[dict] = []
    for name, found in controller_roles().items():
        for item in found:
            if item not in rules:
                rules.append(item)
    # the local-path provisioner (a kybernetes controller, k3s' local-path-provisioner
    # in-process) provisions as upstream's external provisioners do, and creates its
    # default StorageClass as that add-on's manifest would
    rules.append(rule(["get", "list", "watch", "create", "delete"], [""], ["persistentvolumes"]))
    rules.append(rule(["get", "list", "watch", "create"], ["storage.k8s.io"], ["storageclasses"]))
    role = cluster_role(CONTROLLER_MANAGER_ROLE, rules)
    role["metadata"]["labels"] = {"kubernetes.io/bootstrapping": "kybernetes-defaults"}
    binding = cluster_role_binding(CONTROLLER_MANAGER_ROLE, CONTROLLER_MANAGER_ROLE,
                                   [subject("User", CONTROLLER_MANAGER_USER)])
    binding["metadata"]["labels"] = {"kubernetes.io/bootstrapping": "kybernetes-defaults"}
    return role, binding
