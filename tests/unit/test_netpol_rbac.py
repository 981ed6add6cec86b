# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The network policy controller's identity (kube-proxy's, in `server` and in agents) may
list and watch what it reads, and nothing more than that role grants; a node's own
identity may not list every pod."""
from __future__ import annotations

from kybernetes.apiserver.authz.attributes import Attributes
from tests.unit.test_rbac_policy import _index_with_defaults

PROXY = {"name": "system:kube-proxy", "groups": ["system:authenticated"]}
NODE = {"name": "system:node:n1", "groups": ["system:nodes", "system:authenticated"]}
READS = [("networking.k8s.io", "networkpolicies"), ("", "pods"), ("", "namespaces")]


def test_the_controller_identity_lists_and_watches_what_it_reads():
    index = _index_with_defaults()
    for group, resource in READS:
        for verb in ("list", "watch"):
            assert index.authorize(PROXY, Attributes(verb=verb, group=group, resource=resource)).allowed, \
                (verb, resource)


def test_rbac_gives_a_node_no_cluster_wide_reads():
    index = _index_with_defaults()
    for group, resource in READS + [("", "nodes"), ("", "services")]:
        assert not index.authorize(NODE, Attributes(verb="list", group=group, resource=resource)).allowed, \
            resource


def test_the_role_grants_no_writes():
    index = _index_with_defaults()
    for group, resource in READS:
        attrs = Attributes(verb="delete", group=group, resource=resource, namespace="x", name="y")
        assert not index.authorize(PROXY, attrs).allowed, resource
