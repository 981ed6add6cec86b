# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The Node authorizer's decisions from its pod index, and NodeRestriction: pure."""
from __future__ import annotations

from kybernetes.apiserver.admission_plugins.noderestriction import check
from kybernetes.apiserver.authz.attributes import Attributes
from kybernetes.apiserver.authz.node import NodeAuthorizer, node_name_of, pod_references
from kybernetes.apiserver.authz.policy import node_rules

N1 = {"name": "system:node:n1", "groups": ["system:nodes", "system:authenticated"]}
N2 = {"name": "system:node:n2", "groups": ["system:nodes", "system:authenticated"]}


def pod(name, node, **spec):
    return {"metadata": {"name": name, "namespace": "ns"},
            "spec": {"nodeName": node, "containers": [{"name": "c"}], **spec}}


def get(resource, name, namespace="ns", sub="", verb="get", group=""):
    return Attributes(verb=verb, group=group, resource=resource, subresource=sub,
                      namespace=namespace, name=name)


def authorizer_with(*pods) -> NodeAuthorizer:
    authorizer = NodeAuthorizer(None, node_rules())
    for p in pods:
        authorizer.graph.set_pod("ns", p["metadata"]["name"], p)
    return authorizer


def test_node_identity():
    assert node_name_of(N1) == "n1"
    assert node_name_of({"name": "system:node:n1", "groups": []}) is None
    assert node_name_of({"name": "bob", "groups": ["system:nodes"]}) is None


def test_pod_references():
    p = pod("p", "n1", volumes=[{"name": "v", "secret": {"secretName": "s1"}},
                                {"name": "c", "configMap": {"name": "cm1"}},
                                {"name": "d", "persistentVolumeClaim": {"claimName": "data"}},
                                {"name": "e", "ephemeral": {}},
                                {"name": "p", "projected": {"sources": [{"secret": {"name": "s2"}}]}}],
            imagePullSecrets=[{"name": "pull"}], serviceAccountName="builder")
    p["spec"]["containers"][0]["env"] = [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "cm2", "key": "k"}}}]
    p["spec"]["containers"][0]["envFrom"] = [{"secretRef": {"name": "s3"}}]
    assert pod_references(p) == {("secret", "s1"), ("secret", "s2"), ("secret", "s3"),
                                 ("secret", "pull"), ("configmap", "cm1"), ("configmap", "cm2"),
                                 ("pvc", "data"), ("pvc", "p-e"), ("serviceaccount", "builder")}


def test_secrets_follow_the_pods_on_the_node():
    authorizer = authorizer_with(pod("a", "n1", volumes=[{"name": "v", "secret": {"secretName": "s1"}}]),
                                 pod("b", "n2", volumes=[{"name": "v", "secret": {"secretName": "s2"}}]))
    assert authorizer.authorize(N1, get("secrets", "s1")).allowed
    refused = authorizer.authorize(N1, get("secrets", "s2"))
    assert not refused.allowed
    assert refused.reason == "no relationship found between node 'n1' and this object"
    assert authorizer.authorize(N2, get("secrets", "s2")).allowed
    # a watch of one secret by name is a read of that secret
    assert authorizer.authorize(N1, get("secrets", "s1", verb="watch")).allowed
    assert not authorizer.authorize(N1, get("secrets", "", verb="list")).allowed
    assert not authorizer.authorize(N1, get("secrets", "s1", verb="update")).allowed
    # the pod moves away: the relationship goes with it
    authorizer.graph.set_pod("ns", "a", None)
    assert not authorizer.authorize(N1, get("secrets", "s1")).allowed
    # someone else's identity is not the node authorizer's business
    assert authorizer.authorize({"name": "bob", "groups": []}, get("secrets", "s1")).decision == "NoOpinion"


def test_two_pods_sharing_a_secret():
    authorizer = authorizer_with(pod("a", "n1", imagePullSecrets=[{"name": "pull"}]),
                                 pod("b", "n1", imagePullSecrets=[{"name": "pull"}]))
    authorizer.graph.set_pod("ns", "a", None)
    assert authorizer.authorize(N1, get("secrets", "pull")).allowed


def test_nodes_leases_pods_and_tokens():
    authorizer = authorizer_with(pod("a", "n1", serviceAccountName="builder"))
    assert authorizer.authorize(N1, get("nodes", "n1", namespace="")).allowed
    assert not authorizer.authorize(N1, get("nodes", "n2", namespace="")).allowed
    assert not authorizer.authorize(N1, get("nodes", "", namespace="", verb="list")).allowed
    assert authorizer.authorize(N1, get("nodes", "n2", namespace="", verb="patch")).allowed  # NodeRestriction's job
    lease = get("leases", "n1", namespace="kube-node-lease", verb="update", group="coordination.k8s.io")
    assert authorizer.authorize(N1, lease).allowed
    assert not authorizer.authorize(N2, lease).allowed
    assert authorizer.authorize(N1, get("pods", "a")).allowed
    assert not authorizer.authorize(N2, get("pods", "a")).allowed
    listing = get("pods", "", namespace="", verb="watch")
    assert not authorizer.authorize(N1, listing).allowed
    listing.field_selector = {"spec.nodeName": "n1"}
    assert authorizer.authorize(N1, listing).allowed
    assert authorizer.authorize(N1, get("serviceaccounts", "builder", sub="token", verb="create")).allowed
    assert not authorizer.authorize(N1, get("serviceaccounts", "default", sub="token", verb="create")).allowed
    # the rest comes from the system:node rules
    assert authorizer.authorize(N1, get("events", "", verb="create")).allowed
    assert authorizer.authorize(N1, get("services", "", verb="list")).allowed
    assert not authorizer.authorize(N1, get("deployments", "", verb="list", group="apps")).allowed


def test_node_restriction():
    assert check("n1", "UPDATE", "", "Node", "", {"metadata": {"name": "n2"}},
                 {"metadata": {"name": "n2"}}) == 'node "n1" is not allowed to modify node "n2"'
    assert check("n1", "UPDATE", "", "Node", "status", {"metadata": {"name": "n1"}},
                 {"metadata": {"name": "n1"}}) is None
    assert check("n1", "UPDATE", "", "Node", "", {"metadata": {"name": "n1", "labels": {
        "node-restriction.kubernetes.io/zone": "a"}}}, {"metadata": {"name": "n1"}}) == \
        'node "n1" is not allowed to modify labels: node-restriction.kubernetes.io/zone'
    on_n2 = pod("p", "n2")
    assert check("n1", "DELETE", "", "Pod", "", None, on_n2) == \
        'node "n1" can only delete pods with spec.nodeName set to itself'
    assert check("n2", "DELETE", "", "Pod", "", None, on_n2) is None
    assert check("n1", "UPDATE", "", "Pod", "status", on_n2, on_n2) is not None
    assert check("n1", "CREATE", "", "Pod", "", pod("m", "n1"), None).startswith(
        'pod does not have "kubernetes.io/config.mirror" annotation')
    mirror = pod("m", "n1")
    mirror["metadata"]["annotations"] = {"kubernetes.io/config.mirror": "x"}
    assert check("n1", "CREATE", "", "Pod", "", mirror, None) == \
        'node "n1" can only create pods with an owner reference set to itself'
    mirror["metadata"]["ownerReferences"] = [{"apiVersion": "v1", "kind": "Node", "name": "n1",
                                              "uid": "u", "controller": True}]
    assert check("n1", "CREATE", "", "Pod", "", mirror, None) is None
    mirror["spec"]["volumes"] = [{"name": "s", "projected": {"sources": [
        {"secret": {"name": "s"}}]}}]
    assert check("n1", "CREATE", "", "Pod", "", mirror, None) == \
        'node "n1" can not create pods that reference secrets'
    mirror["spec"]["volumes"] = [{"name": "c", "configMap": {"name": "c"}}]
    assert check("n1", "CREATE", "", "Pod", "", mirror, None) == \
        'node "n1" can not create pods that reference configmaps'
    mirror["spec"]["volumes"] = [{"name": "d", "emptyDir": {}}]
    mirror["spec"]["imagePullSecrets"] = [{"name": "regcred"}]
    assert check("n1", "CREATE", "", "Pod", "", mirror, None) == \
        'node "n1" can not create pods that reference secrets'
    lease = {"metadata": {"name": "n2", "namespace": "kube-node-lease"}}
    assert check("n1", "CREATE", "coordination.k8s.io", "Lease", "", lease, None) == \
        'node "n1" is not allowed to modify lease "n2"'


def test_graph_follows_the_watch_cache():
    """The index is fed by a watcher on the server's cache and is current as soon as
    the cache has the write, without a turn of the event loop."""
    import asyncio

    import orjson

    from kybernetes.apiserver.authz.follower import CacheFollower
    from kybernetes.storage.memory import MemoryStore
    from kybernetes.storage.watchcache import WatchCache

    async def main():
        store = MemoryStore()
        await store.create("/registry/pods/ns/early", orjson.dumps(
            pod("early", "n1", imagePullSecrets=[{"name": "old"}])))
        cache = WatchCache(store, "/registry/pods/")
        await cache.start()
        authorizer = NodeAuthorizer(None, node_rules())
        follower = CacheFollower(cache, lambda kind, cached: authorizer.graph.set_pod(
            cached.namespace, cached.name, None if kind == "DELETED" else cached.obj),
            authorizer.graph.clear)
        authorizer.followers.append(follower)
        try:
            assert authorizer.authorize(N1, get("secrets", "old")).allowed  # listed at start
            revision = await store.create("/registry/pods/ns/late", orjson.dumps(
                pod("late", "n1", imagePullSecrets=[{"name": "new"}])))
            await cache.wait_fresh(revision)
            assert authorizer.authorize(N1, get("secrets", "new")).allowed
            revision = await store.delete("/registry/pods/ns/early")
            await cache.wait_fresh(revision)
            assert not authorizer.authorize(N1, get("secrets", "old")).allowed
        finally:
            follower.close()
            await cache.stop()
            await store.close()
    asyncio.run(main())


def test_mirror_pods_may_not_depend_on_api_objects():
    from kybernetes.apiserver.admission_plugins.serviceaccount import mirror_pod_problem
    assert mirror_pod_problem({"containers": [{"name": "c", "image": "i"}]}) is None
    assert mirror_pod_problem({"serviceAccountName": "x"}) == \
        "a mirror pod may not reference service accounts"
    assert mirror_pod_problem({"containers": [{"name": "c", "env": [
        {"name": "A", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]}]}) == \
        "a mirror pod may not reference secrets"
    assert mirror_pod_problem({"volumes": [{"name": "t", "projected": {"sources": [
        {"serviceAccountToken": {"path": "token"}}]}}]}) == \
        "a mirror pod may not use ServiceAccountToken volume projections"
