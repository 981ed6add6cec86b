# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The default policy, its reconciliation, aggregation and impersonation: pure."""
from __future__ import annotations

import pytest

from kybernetes.apiserver import errors
from kybernetes.apiserver.authz import Authorization, rbac
from kybernetes.apiserver.authz.attributes import Attributes
from kybernetes.apiserver.authz.impersonation import checks, impersonate, impersonated_user
from kybernetes.apiserver.authz.rbac_authorizer import RBACIndex
from kybernetes.apiserver.authz.reconcile import default_policy, reconciled
from kybernetes.controllers.clusterroleaggregation import aggregated_rules
from kybernetes.controllers.manager import known_controllers


def _index_with_defaults() -> RBACIndex:
    """The default policy as a running cluster has it, aggregated roles filled in."""
    objects = default_policy()
    cluster_roles = [o for o in objects if o["kind"] == "ClusterRole"]
    for _ in range(3):  # admin aggregates edit, which aggregates view
        for role in cluster_roles:
            if role.get("aggregationRule"):
                role["rules"] = aggregated_rules(role, cluster_roles)
    index = RBACIndex()
    for obj in objects:
        meta = obj["metadata"]
        if obj["kind"] in ("ClusterRole", "Role"):
            index.set_role(meta.get("namespace", ""), meta["name"], obj)
        else:
            index.set_binding(meta.get("namespace", ""), meta["name"], obj)
    return index


def test_policy_names_are_unique_and_bindings_resolve():
    objects = default_policy()
    keys = [(o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]) for o in objects]
    assert len(keys) == len(set(keys))
    roles = {(o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"])
             for o in objects if o["kind"] in ("ClusterRole", "Role")}
    for obj in objects:
        if obj["kind"].endswith("Binding"):
            ref = obj["roleRef"]
            namespace = "" if ref["kind"] == "ClusterRole" else obj["metadata"]["namespace"]
            assert (ref["kind"], namespace, ref["name"]) in roles, obj["metadata"]["name"]
    names = {o["metadata"]["name"] for o in objects}
    for wanted in ("cluster-admin", "admin", "edit", "view", "system:basic-user",
                   "system:discovery", "system:public-info-viewer", "system:node",
                   "system:node-proxier", "system:kube-scheduler", "system:volume-scheduler",
                   "system:kube-controller-manager", "system:kube-dns", "system:monitoring",
                   "system:auth-delegator", "system:heapster",
                   "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
                   "system::leader-locking-kube-controller-manager",
                   "system::leader-locking-kube-scheduler",
                   "extension-apiserver-authentication-reader",
                   "system:controller:deployment-controller"):
        assert wanted in names, wanted
    for obj in objects:
        assert obj["metadata"]["annotations"][
            "rbac.authorization.kubernetes.io/autoupdate"] == "true"


USER = {"name": "bob", "groups": ["system:authenticated"]}
ANONYMOUS = {"name": "system:anonymous", "groups": ["system:unauthenticated"]}


def _url(path):
    return Attributes(verb="get", resource_request=False, path=path)


def test_default_grants():
    index = _index_with_defaults()
    # public info for everyone; discovery and self reviews for the authenticated only
    for user in (USER, ANONYMOUS):
        for path in ("/version", "/healthz", "/livez", "/readyz"):
            assert index.authorize(user, _url(path)).allowed
    assert index.authorize(USER, _url("/apis/apps/v1")).allowed
    assert not index.authorize(ANONYMOUS, _url("/apis/apps/v1")).allowed
    review = Attributes(verb="create", group="authorization.k8s.io",
                        resource="selfsubjectaccessreviews")
    assert index.authorize(USER, review).allowed
    assert not index.authorize(ANONYMOUS, review).allowed
    pods = Attributes(verb="list", resource="pods", namespace="default")
    assert not index.authorize(USER, pods).allowed
    assert not index.authorize(ANONYMOUS, pods).allowed
    scheduler = {"name": "system:kube-scheduler", "groups": ["system:authenticated"]}
    assert index.authorize(scheduler, Attributes(verb="create", resource="pods",
                                                 subresource="binding", namespace="x", name="p")).allowed
    assert not index.authorize(scheduler, Attributes(verb="create", resource="pods", namespace="x")).allowed
    proxy = {"name": "system:kube-proxy", "groups": ["system:authenticated"]}
    assert index.authorize(proxy, Attributes(verb="watch", group="discovery.k8s.io",
                                             resource="endpointslices")).allowed
    assert not index.authorize(proxy, Attributes(verb="get", resource="secrets", namespace="x",
                                                 name="s")).allowed


def test_aggregated_roles():
    index = _index_with_defaults()
    viewer = {"name": "v", "groups": []}
    index.set_binding("ns", "b", {"roleRef": {"kind": "ClusterRole", "name": "view"},
                                  "subjects": [{"kind": "User", "name": "v"}]})
    assert index.authorize(viewer, Attributes(verb="list", group="apps", resource="deployments",
                                              namespace="ns")).allowed
    assert not index.authorize(viewer, Attributes(verb="get", resource="secrets", namespace="ns",
                                                  name="s")).allowed
    assert not index.authorize(viewer, Attributes(verb="delete", group="apps",
                                                  resource="deployments", namespace="ns")).allowed
    editor = {"name": "e", "groups": []}
    index.set_binding("ns", "e", {"roleRef": {"kind": "ClusterRole", "name": "edit"},
                                  "subjects": [{"kind": "User", "name": "e"}]})
    assert index.authorize(editor, Attributes(verb="delete", group="apps", resource="deployments",
                                              namespace="ns")).allowed
    assert index.authorize(editor, Attributes(verb="list", resource="pods", namespace="ns")).allowed
    assert not index.authorize(editor, Attributes(verb="create", group=rbac.RBAC_GROUP,
                                                  resource="rolebindings", namespace="ns")).allowed


def test_aggregation_picks_up_labelled_roles():
    view = {"metadata": {"name": "view"}, "aggregationRule": {"clusterRoleSelectors": [
        {"matchLabels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}}]}}
    extra = {"metadata": {"name": "crontabs-view",
                          "labels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}},
             "rules": [{"verbs": ["get"], "apiGroups": ["stable.example.com"], "resources": ["crontabs"]}]}
    other = {"metadata": {"name": "other"}, "rules": [{"verbs": ["*"], "apiGroups": ["*"],
                                                       "resources": ["*"]}]}
    assert aggregated_rules(view, [view, extra, other]) == extra["rules"]
    assert aggregated_rules(view, [view, other]) == []


def test_every_controller_is_covered_by_the_controller_manager_grant():
    """The in-process controller manager runs all controllers on its own identity."""
    index = _index_with_defaults()
    manager = {"name": "system:kube-controller-manager", "groups": ["system:authenticated"]}
    asks = [("create", "apps", "replicasets", ""), ("update", "apps", "deployments", "status"),
            ("create", "", "pods", ""), ("delete", "", "pods", ""), ("update", "", "nodes", "status"),
            ("patch", "", "nodes", ""), ("create", "", "serviceaccounts", ""),
            ("create", "", "configmaps", ""), ("update", "batch", "jobs", "status"),
            ("update", "", "namespaces", "finalize"), ("deletecollection", "apps", "replicasets", ""),
            ("create", "", "persistentvolumes", ""), ("update", "policy", "poddisruptionbudgets", "status"),
            ("update", "", "resourcequotas", "status"), ("create", "discovery.k8s.io", "endpointslices", ""),
            ("update", rbac.RBAC_GROUP, "clusterroles", ""), ("escalate", rbac.RBAC_GROUP, "clusterroles", ""),
            ("create", "coordination.k8s.io", "leases", "")]
    for verb, group, resource, sub in asks:
        attrs = Attributes(verb=verb, group=group, resource=resource, subresource=sub,
                           namespace="" if resource in ("nodes", "persistentvolumes", "namespaces",
                                                        "clusterroles") else "ns")
        assert index.authorize(manager, attrs).allowed, (verb, group, resource, sub)
    assert "clusterrole-aggregation" in known_controllers()


def test_reconcile_adds_what_is_missing_and_keeps_the_rest():
    wanted = {"kind": "ClusterRole", "metadata": {"name": "r", "labels": {"a": "1"},
                                                  "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"}},
              "rules": [{"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods"]}]}
    existing = {"kind": "ClusterRole", "metadata": {"name": "r", "labels": {"mine": "x"}},
                "rules": [{"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]},
                          {"verbs": ["get"], "apiGroups": [""], "resources": ["secrets"]}]}
    result = reconciled(existing, wanted)
    assert result["metadata"]["labels"] == {"mine": "x", "a": "1"}
    assert {"verbs": ["get"], "apiGroups": [""], "resources": ["secrets"]} in result["rules"]
    assert rbac.uncovered(result["rules"], wanted["rules"]) == []
    assert reconciled(result, wanted) is None
    opted_out = dict(existing, metadata={"name": "r", "annotations": {
        "rbac.authorization.kubernetes.io/autoupdate": "false"}})
    assert reconciled(opted_out, wanted) is None
    binding = {"kind": "ClusterRoleBinding", "metadata": {"name": "b"},
               "roleRef": {"kind": "ClusterRole", "name": "r"},
               "subjects": [{"kind": "User", "name": "a"}]}
    current = dict(binding, subjects=[{"kind": "User", "name": "someone"}])
    assert reconciled(current, binding)["subjects"] == [{"kind": "User", "name": "someone"},
                                                        {"kind": "User", "name": "a"}]


class Headers(dict):
    def getall(self, key, default=()):
        value = self.get(key)
        if value is None:
            return list(default)
        return value if isinstance(value, list) else [value]


def test_impersonation_checks_and_user():
    asked = checks("system:serviceaccount:ns:builder", ["g1"], "u-1", {"scopes": ["s"]})
    assert [(a.resource, a.namespace, a.name, a.group, a.subresource) for a in asked] == [
        ("serviceaccounts", "ns", "builder", "", ""), ("groups", "", "g1", "", ""),
        ("userextras", "", "s", "authentication.k8s.io", "scopes"),
        ("uids", "", "u-1", "authentication.k8s.io", "")]
    assert impersonated_user("system:serviceaccount:ns:builder", [], "", {})["groups"] == [
        "system:serviceaccounts", "system:serviceaccounts:ns", "system:authenticated"]
    assert impersonated_user("system:anonymous", [], "", {})["groups"] == ["system:unauthenticated"]

    authz = Authorization(None, "AlwaysDeny")
    admin = {"name": "admin", "groups": ["system:masters"]}
    user = impersonate(admin, Headers({"Impersonate-User": "bob", "Impersonate-Group": ["dev"]}),
                       authz.authorize)
    assert user == {"name": "bob", "groups": ["dev", "system:authenticated"]}
    assert impersonate(admin, Headers(), authz.authorize) is None
    with pytest.raises(errors.ApiError) as caught:
        impersonate({"name": "bob", "groups": []}, Headers({"Impersonate-User": "alice"}),
                    authz.authorize)
    assert caught.value.code == 403
    assert caught.value.message == ('users "alice" is forbidden: User "bob" cannot impersonate '
                                    'resource "users" in API group "" at the cluster scope')
