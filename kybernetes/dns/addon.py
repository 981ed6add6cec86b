# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The `kube-dns` Service in kube-system (the name, labels and ports kubeadm's and k3s's
CoreDNS add-on give it) and the EndpointSlice that sends its traffic to where this DNS
server listens. The Service has no selector, so the EndpointSlice controller leaves our
slice alone; kube-proxy routes the cluster DNS address to it like any other service."""
from __future__ import annotations

import ipaddress
import logging

from kybernetes.apiserver.errors import ApiError
from kybernetes.client.rest import Client, resource

log = logging.getLogger("kybernetes.dns")

SERVICES = resource("services")
CLUSTER_ROLES = resource("clusterroles.rbac.authorization.k8s.io")
CLUSTER_ROLE_BINDINGS = resource("clusterrolebindings.rbac.authorization.k8s.io")
ENDPOINT_SLICES = resource("endpointslices.discovery.k8s.io")
NAMESPACE = "kube-system"
SERVICE_NAME = "kube-dns"
MANAGED_BY = "kybernetes-dns"
METRICS_PORT = 9153
SERVICE_ACCOUNT = "coredns"
# The user the in-process DNS reads the cluster as: CoreDNS's service account.
READER = f"system:serviceaccount:{NAMESPACE}:{SERVICE_ACCOUNT}"


def desired_rbac() -> tuple[dict, dict]:
    """kubeadm's CoreDNS add-on role: read what DNS answers from, bound to its account."""
    read = ["list", "watch"]
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": "system:coredns"},
            "rules": [{"apiGroups": [""], "resources": ["endpoints", "services", "pods", "namespaces"],
                       "verbs": read},
                      {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"],
                       "verbs": read}]}
    binding = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
               "metadata": {"name": "system:coredns"},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                           "name": "system:coredns"},
               "subjects": [{"kind": "ServiceAccount", "name": SERVICE_ACCOUNT,
                             "namespace": NAMESPACE}]}
    return role, binding


async def publish_rbac(client: Client) -> None:
    role, binding = desired_rbac()
    for rt, obj in ((CLUSTER_ROLES, role), (CLUSTER_ROLE_BINDINGS, binding)):
        try:
            await client.create(rt, obj)
        except ApiError as exc:
            if exc.code != 409:
                raise
            current = await client.get(rt, obj["metadata"]["name"])
            await client.update(rt, dict(current, **{k: v for k, v in obj.items() if k != "metadata"}))


def pod_reachable_address(advertise_address: str, host_addresses: list[str],
                          pod_network: bool) -> str:
    """Where the in-process DNS listens and what the kube-dns endpoint says.

    Pods reach the DNS through kube-proxy's DNAT of the kube-dns ClusterIP to this
    endpoint. A loopback endpoint (the server bound to 127.0.0.1) works only through
    route_localnet on the server's own node and never from another node, so when pods
    run on a real network the DNS listens on the first non-loopback address of this
    machine instead: a local address of the node (plain routing, no route_localnet) that
    every other node reaches through its routes to this one. Without a pod network
    (simulated or process pods) the advertise address stays."""
    if not pod_network or not ipaddress.ip_address(advertise_address).is_loopback:
        return advertise_address
    routable = [a for a in host_addresses if ":" not in a and not ipaddress.ip_address(a).is_loopback]
    return routable[0] if routable else advertise_address


def cluster_dns_ip(service_cidr: str) -> str:
    """The `.10` of the service range (kubeadm's choice, 10.96.0.10 by default)."""
    network = ipaddress.ip_network(service_cidr.split(",")[0].strip(), strict=False)
    return str(network.network_address + 10)


def desired_service(cluster_ip: str) -> dict:
    family = "IPv6" if ":" in cluster_ip else "IPv4"
    return {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": SERVICE_NAME, "namespace": NAMESPACE,
                     "labels": {"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true",
                                "kubernetes.io/name": "CoreDNS"},
                     "annotations": {"prometheus.io/port": str(METRICS_PORT),
                                     "prometheus.io/scrape": "true"}},
        "spec": {"clusterIP": cluster_ip, "clusterIPs": [cluster_ip], "ipFamilies": [family],
                 "ipFamilyPolicy": "SingleStack", "type": "ClusterIP",
                 "ports": [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                           {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                           {"name": "metrics", "port": METRICS_PORT, "protocol": "TCP",
                            "targetPort": METRICS_PORT}]},
    }


def desired_slice(node_address: str, port: int, node_name: str = "") -> dict:
    endpoint: dict = {"addresses": [node_address],
                      "conditions": {"ready": True, "serving": True, "terminating": False}}
    if node_name:
        endpoint["nodeName"] = node_name
    return {
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": f"{SERVICE_NAME}-{MANAGED_BY}", "namespace": NAMESPACE,
                     "labels": {"kubernetes.io/service-name": SERVICE_NAME,
                                "endpointslice.kubernetes.io/managed-by": MANAGED_BY}},
        "addressType": "IPv6" if ":" in node_address else "IPv4",
        "endpoints": [endpoint],
        "ports": [{"name": "dns", "port": port, "protocol": "UDP"},
                  {"name": "dns-tcp", "port": port, "protocol": "TCP"}],
    }


async def _create_or_update(client: Client, rt, desired: dict, keep_spec_fields: tuple = ()) -> None:
    meta = desired["metadata"]
    current = await client.get_or_none(rt, meta["name"], meta["namespace"])
    if current is None:
        await client.create(rt, desired, meta["namespace"])
        return
    merged = dict(desired, metadata=dict(current["metadata"], labels={
        **(current["metadata"].get("labels") or {}), **meta.get("labels", {})},
        annotations={**(current["metadata"].get("annotations") or {}), **meta.get("annotations", {})}))
    if "spec" in desired:
        merged["spec"] = dict(current.get("spec") or {}, **desired["spec"])
        for key in keep_spec_fields:  # immutable once allocated
            if key in (current.get("spec") or {}):
                merged["spec"][key] = current["spec"][key]
    await client.update(rt, merged)


async def publish(client: Client, service_cidr: str, node_address: str, port: int,
                  node_name: str = "") -> None:
    """Create or update the kube-dns Service and our EndpointSlice for it."""
    service = desired_service(cluster_dns_ip(service_cidr))
    try:
        await _create_or_update(client, SERVICES, service,
                                keep_spec_fields=("clusterIP", "clusterIPs", "ipFamilies"))
    except ApiError as exc:
        if exc.code != 422:  # e.g. kube-system not made yet: the caller tries again
            raise
        # the address is another service's: say so once rather than retrying forever
        log.warning("cannot write the %s/%s Service: %s", NAMESPACE, SERVICE_NAME, exc.message)
        return
    await _create_or_update(client, ENDPOINT_SLICES, desired_slice(node_address, port, node_name))
