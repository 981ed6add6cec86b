# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""RBAC rule matching, the subject index, escalation coverage, request attributes and
Forbidden messages: pure, no server."""
from __future__ import annotations

import pytest

from kybernetes.apiserver.authz import Authorization, parse_modes
from kybernetes.apiserver.authz import rbac
from kybernetes.apiserver.authz.attributes import Attributes, forbidden_error, from_request
from kybernetes.apiserver.authz.rbac_authorizer import RBACIndex


def res(verb, resource, group="", namespace="default", name="", sub=""):
    return Attributes(verb=verb, group=group, resource=resource, subresource=sub,
                      namespace=namespace, name=name)


def url(verb, path):
    return Attributes(verb=verb, resource_request=False, path=path)


RULE_TABLE = [
    # (rule, attributes, allowed)
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}, res("get", "pods"), True),
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}, res("list", "pods"), False),
    ({"verbs": ["*"], "apiGroups": [""], "resources": ["pods"]}, res("delete", "pods"), True),
    ({"verbs": ["get"], "apiGroups": ["apps"], "resources": ["pods"]}, res("get", "pods"), False),
    ({"verbs": ["get"], "apiGroups": ["*"], "resources": ["deployments"]},
     res("get", "deployments", "apps"), True),
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["*"]}, res("get", "pods", sub="log"), True),
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}, res("get", "pods", sub="log"), False),
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["pods/log"]}, res("get", "pods", sub="log"), True),
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["pods/log"]}, res("get", "pods"), False),
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["pods/*"]}, res("get", "pods", sub="exec"), True),
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["pods/*"]}, res("get", "pods"), False),
    ({"verbs": ["get"], "apiGroups": ["*"], "resources": ["*/scale"]},
     res("get", "deployments", "apps", sub="scale"), True),
    ({"verbs": ["get"], "apiGroups": ["*"], "resources": ["*/scale"]},
     res("get", "deployments", "apps"), False),
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["secrets"], "resourceNames": ["a"]},
     res("get", "secrets", name="a"), True),
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["secrets"], "resourceNames": ["a"]},
     res("get", "secrets", name="b"), False),
    ({"verbs": ["list"], "apiGroups": [""], "resources": ["secrets"], "resourceNames": ["a"]},
     res("list", "secrets"), False),
    ({"verbs": ["get"], "nonResourceURLs": ["/healthz"]}, url("get", "/healthz"), True),
    ({"verbs": ["get"], "nonResourceURLs": ["/healthz"]}, url("get", "/healthz/etcd"), False),
    ({"verbs": ["get"], "nonResourceURLs": ["/healthz/*"]}, url("get", "/healthz/etcd"), True),
    ({"verbs": ["get"], "nonResourceURLs": ["*"]}, url("get", "/anything"), True),
    ({"verbs": ["post"], "nonResourceURLs": ["*"]}, url("get", "/anything"), False),
    ({"verbs": ["get"], "apiGroups": ["*"], "resources": ["*"]}, url("get", "/healthz"), False),
    ({"verbs": ["get"], "nonResourceURLs": ["*"]}, res("get", "pods"), False),
]


@pytest.mark.parametrize("rule,attrs,allowed", RULE_TABLE)
def test_rule_matching(rule, attrs, allowed):
    assert rbac.rule_allows(rule, attrs) is allowed


def test_subjects():
    user = {"name": "bob", "groups": ["dev", "system:authenticated"]}
    assert rbac.applies_to({"kind": "User", "name": "bob"}, user, "ns")
    assert not rbac.applies_to({"kind": "User", "name": "alice"}, user, "ns")
    assert rbac.applies_to({"kind": "Group", "name": "dev"}, user, "ns")
    sa_user = {"name": "system:serviceaccount:ns:builder", "groups": []}
    assert rbac.applies_to({"kind": "ServiceAccount", "name": "builder", "namespace": "ns"}, sa_user, "x")
    # a RoleBinding's ServiceAccount subject without a namespace means the binding's
    assert rbac.applies_to({"kind": "ServiceAccount", "name": "builder"}, sa_user, "ns")
    assert not rbac.applies_to({"kind": "ServiceAccount", "name": "builder"}, sa_user, "other")


def _binding(kind, name, role_kind, role, subjects, namespace=""):
    meta = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return {"kind": kind, "metadata": meta, "roleRef": {"kind": role_kind, "name": role,
                                                        "apiGroup": rbac.RBAC_GROUP},
            "subjects": subjects}


def test_index_scoping_and_updates():
    index = RBACIndex()
    index.set_role("", "reader", {"rules": [{"verbs": ["get", "list"], "apiGroups": [""],
                                             "resources": ["pods"]}]})
    index.set_role("team", "cm-writer", {"rules": [{"verbs": ["create"], "apiGroups": [""],
                                                    "resources": ["configmaps"]}]})
    bob = {"name": "bob", "groups": ["system:authenticated"]}
    index.set_binding("team", "read", _binding("RoleBinding", "read", "ClusterRole", "reader",
                                               [{"kind": "User", "name": "bob"}], "team"))
    index.set_binding("team", "write", _binding("RoleBinding", "write", "Role", "cm-writer",
                                                [{"kind": "Group", "name": "system:authenticated"}], "team"))
    # a RoleBinding to a ClusterRole grants it in the binding's namespace only
    assert index.authorize(bob, res("list", "pods", namespace="team")).allowed
    assert not index.authorize(bob, res("list", "pods", namespace="other")).allowed
    assert not index.authorize(bob, res("list", "pods", namespace="")).allowed
    decision = index.authorize(bob, res("create", "configmaps", namespace="team"))
    assert decision.allowed
    assert decision.reason == ('RBAC: allowed by RoleBinding "write/team" of Role "cm-writer" to '
                               'Group "system:authenticated"')
    # a binding that changes subjects moves in the index
    index.set_binding("team", "read", _binding("RoleBinding", "read", "ClusterRole", "reader",
                                               [{"kind": "User", "name": "alice"}], "team"))
    assert not index.authorize(bob, res("list", "pods", namespace="team")).allowed
    index.set_binding("", "all", _binding("ClusterRoleBinding", "all", "ClusterRole", "reader",
                                          [{"kind": "User", "name": "bob"}]))
    assert index.authorize(bob, res("list", "pods", namespace="anywhere")).allowed
    index.set_binding("", "all", None)
    assert not index.authorize(bob, res("list", "pods", namespace="anywhere")).allowed


def test_binding_to_missing_role_is_reported():
    index = RBACIndex()
    index.set_binding("", "b", _binding("ClusterRoleBinding", "b", "ClusterRole", "nope",
                                        [{"kind": "User", "name": "bob"}]))
    decision = index.authorize({"name": "bob", "groups": []}, res("get", "pods"))
    assert not decision.allowed
    assert decision.reason == 'RBAC: clusterrole.rbac.authorization.k8s.io "nope" not found'


def test_escalation_coverage():
    held = [{"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods", "pods/log"]},
            {"verbs": ["*"], "apiGroups": ["apps"], "resources": ["*"]},
            {"verbs": ["get"], "apiGroups": [""], "resources": ["secrets"], "resourceNames": ["a"]},
            {"verbs": ["get"], "nonResourceURLs": ["/logs/*"]}]
    assert rbac.uncovered(held, [{"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}]) == []
    assert rbac.uncovered(held, [{"verbs": ["delete"], "apiGroups": ["apps"],
                                  "resources": ["deployments/scale"]}]) == []
    assert rbac.uncovered(held, [{"verbs": ["get"], "apiGroups": [""], "resources": ["secrets"],
                                  "resourceNames": ["a"]}]) == []
    # a name-restricted grant does not cover every name
    assert rbac.uncovered(held, [{"verbs": ["get"], "apiGroups": [""], "resources": ["secrets"]}])
    assert rbac.uncovered(held, [{"verbs": ["get"], "nonResourceURLs": ["/logs/kube"]}]) == []
    missing = rbac.uncovered(held, [{"verbs": ["get", "delete", "watch"], "apiGroups": [""],
                                     "resources": ["pods"]}])
    assert rbac.compact(missing) == [{"apiGroups": [""], "resources": ["pods"],
                                      "verbs": ["delete", "watch"]}]
    message = rbac.escalation_message({"name": "bob", "groups": ["system:authenticated"]}, missing)
    assert message == ('user "bob" (groups=["system:authenticated"]) is attempting to grant RBAC '
                       'permissions not currently held:\n'
                       '{APIGroups:[""], Resources:["pods"], Verbs:["delete" "watch"]}')


ATTRIBUTE_TABLE = [
    ("GET", "/api/v1/namespaces/default/pods", {}, ("list", "", "pods", "", "default", "")),
    ("GET", "/api/v1/namespaces/default/pods", {"watch": "true"}, ("watch", "", "pods", "", "default", "")),
    ("GET", "/api/v1/watch/namespaces/default/pods", {}, ("watch", "", "pods", "", "default", "")),
    ("GET", "/api/v1/namespaces/default/pods/p/log", {}, ("get", "", "pods", "log", "default", "p")),
    ("DELETE", "/apis/apps/v1/namespaces/ns/deployments", {},
     ("deletecollection", "apps", "deployments", "", "ns", "")),
    ("PATCH", "/api/v1/nodes/n1/status", {}, ("patch", "", "nodes", "status", "", "n1")),
    # the namespace object is in its own namespace, as upstream's RequestInfo has it
    ("GET", "/api/v1/namespaces/team", {}, ("get", "", "namespaces", "", "team", "team")),
    ("PUT", "/api/v1/namespaces/team/finalize", {}, ("update", "", "namespaces", "finalize", "team", "team")),
    # a list narrowed to one name is authorized as that name
    ("GET", "/api/v1/namespaces/ns/secrets", {"fieldSelector": "metadata.name=s"},
     ("list", "", "secrets", "", "ns", "s")),
]


@pytest.mark.parametrize("method,path,query,expected", ATTRIBUTE_TABLE)
def test_request_attributes(method, path, query, expected):
    attrs = from_request(method, path, query)
    assert attrs.resource_request
    assert (attrs.verb, attrs.group, attrs.resource, attrs.subresource, attrs.namespace,
            attrs.name) == expected


@pytest.mark.parametrize("path", ["/version", "/healthz", "/api", "/apis", "/apis/apps",
                                  "/apis/apps/v1", "/api/v1", "/openapi/v3"])
def test_non_resource_attributes(path):
    attrs = from_request("GET", path, {})
    assert not attrs.resource_request and attrs.verb == "get" and attrs.path == path


def test_forbidden_messages_as_upstream():
    cases = [
        (res("list", "pods"), 'pods is forbidden: User "bob" cannot list resource "pods" in API '
                              'group "" in the namespace "default"'),
        (res("get", "nodes", namespace="", name="n1"),
         'nodes "n1" is forbidden: User "bob" cannot get resource "nodes" in API group "" at '
         'the cluster scope'),
        (res("get", "pods", sub="log", name="p"),
         'pods "p" is forbidden: User "bob" cannot get resource "pods/log" in API group "" in '
         'the namespace "default"'),
        (res("delete", "deployments", "apps", name="web"),
         'deployments.apps "web" is forbidden: User "bob" cannot delete resource "deployments" '
         'in API group "apps" in the namespace "default"'),
        (url("get", "/foo"), 'forbidden: User "bob" cannot get path "/foo"'),
    ]
    for attrs, message in cases:
        status = forbidden_error("bob", attrs).status()
        assert status["message"] == message
        assert status["code"] == 403 and status["reason"] == "Forbidden"
    status = forbidden_error("bob", res("delete", "deployments", "apps", name="web")).status()
    assert status["details"] == {"name": "web", "group": "apps", "kind": "deployments"}


def test_modes():
    assert parse_modes("Node,RBAC") == ["Node", "RBAC"]
    for bad in ("", "ABAC", "RBAC,RBAC"):
        with pytest.raises(ValueError):
            parse_modes(bad)
    masters = {"name": "admin", "groups": ["system:masters", "system:authenticated"]}
    bob = {"name": "bob", "groups": ["system:authenticated"]}
    deny = Authorization(None, "AlwaysDeny")
    assert deny.authorize(masters, res("delete", "pods")).allowed  # system:masters first
    assert not deny.authorize(bob, res("get", "pods")).allowed
    allow = Authorization(None, "AlwaysAllow")
    assert allow.authorize(bob, res("delete", "pods")).allowed
    assert allow.rules_for(bob, "default")[0] == [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}]
