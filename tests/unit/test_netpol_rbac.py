# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The network policy controller's identities (kube-proxy's, or a node's in an agent)
may list and watch what it reads, and nothing more than that role grants."""
from __future__ import annotations

import pytest

from kybernetes.apiserver.authz.attributes import Attributes
from tests.unit.test_rbac_policy import _index_with_defaults

PROXY = {"name": "system:kube-proxy", "groups": ["system:authenticated"]}
NODE = {"name": "system:node:n1", "groups": ["system:nodes", "system:authenticated"]}
READS = [("networking.k8s.io", "networkpolicies"), ("", "pods"), ("", "namespaces")]


@pytest.mark.parametrize("user", [PROXY, NODE], ids=["kube-proxy", "node"])
def test_controller_identities_list_and_watch_what_it_reads(user):
    index = _index_with_defaults()
    for group, resource in READS:
        for verb in ("list", "watch"):
            assert index.authorize(user, Attributes(verb=verb, group=group, resource=resource)).allowed, \
                (verb, resource)


def test_the_role_grants_no_writes():
    index = _index_with_defaults()
    for group, resource in READS:
        attrs = Attributes(verb="delete", group=group, resource=resource, namespace="x", name="y")
        assert not index.authorize(PROXY, attrs).allowed, resource
