# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""What the API server creates for itself at start-up, as kube-apiserver's bootstrap
controllers do: the four system namespaces, the `kubernetes` Service and its endpoints,
the two system PriorityClasses, and kube-public/cluster-info."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kybernetes.apiserver import errors

if TYPE_CHECKING:
    from kybernetes.apiserver.server import APIServer

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
MANAGER = "kube-apiserver"


async def _ensure(server: "APIServer", group: str, version: str, kind: str,
                  namespace: str | None, obj: dict, replace: bool = False) -> None:
    rt = server.registry.by_kind(group, version, kind)
    name = obj["metadata"]["name"]
    existing = await server.objects.get_cached(rt, namespace, name)
    if existing is None:
        try:
            await server.objects.create(rt, namespace, obj, manager=MANAGER)
        except errors.ApiError as exc:
            if exc.code != 409:
                raise
    elif replace:
        await server.objects.update(rt, namespace, name, lambda current: _merged(current, obj),
                                    manager=MANAGER)


def _merged(current: dict, wanted: dict) -> dict:
    for key, value in wanted.items():
        if key != "metadata":
            current[key] = value
    return current


async def ensure_defaults(server: "APIServer") -> None:
    for name in SYSTEM_NAMESPACES:
        await _ensure(server, "", "v1", "Namespace", None,
                      {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    port = server.config.port
    address = server.config.advertise_address
    await _ensure(server, "", "v1", "Service", "default", {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "kubernetes", "labels": {
            "component": "apiserver", "provider": "kubernetes"}},
        "spec": {"type": "ClusterIP", "clusterIP": server.ips.first_ip,
                 "sessionAffinity": "None",
                 "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": port}]}})
    await _ensure(server, "", "v1", "Endpoints", "default", {
        "apiVersion": "v1", "kind": "Endpoints",
        "metadata": {"name": "kubernetes", "labels": {
            "endpointslice.kubernetes.io/skip-mirror": "true"}},
        "subsets": [{"addresses": [{"ip": address}],
                     "ports": [{"name": "https", "port": port, "protocol": "TCP"}]}]},
        replace=True)
    await _ensure(server, "discovery.k8s.io", "v1", "EndpointSlice", "default", {
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": "kubernetes", "labels": {
            "kubernetes.io/service-name": "kubernetes"}},
        "addressType": "IPv4",
        "endpoints": [{"addresses": [address], "conditions": {"ready": True}}],
        "ports": [{"name": "https", "port": port, "protocol": "TCP"}]}, replace=True)
    await _ensure_cluster_info(server)
    for name, value, description in (
            ("system-node-critical", 2000001000,
             "Used for system critical pods that must not be moved from their current node."),
            ("system-cluster-critical", 2000000000,
             "Used for system critical pods that must run in the cluster, but can be moved "
             "to another node if necessary.")):
        await _ensure(server, "scheduling.k8s.io", "v1", "PriorityClass", None, {
            "apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
            "metadata": {"name": name}, "value": value, "globalDefault": False,
            "description": description, "preemptionPolicy": "PreemptLowerPriority"})


async def _ensure_cluster_info(server: "APIServer") -> None:
    """kube-public/cluster-info, as `kubeadm init` publishes it: a kubeconfig with this
    server's URL and the cluster CA and no user, readable anonymously, which the bootstrap
    signer signs for each bootstrap token so that `kybernetes join` can pin the CA. Never
    replaced: `kybernetes init --control-plane-endpoint` or an admin may set another URL."""
    import base64

    import yaml
    ca_file = server.config.client_ca_file
    if not ca_file or not Path(ca_file).is_file():
        return
    host = server.config.advertise_address
    host = f"[{host}]" if ":" in host else host
    kubeconfig = {"apiVersion": "v1", "kind": "Config", "clusters": [{"name": "", "cluster": {
        "certificate-authority-data": base64.b64encode(Path(ca_file).read_bytes()).decode(),
        "server": f"https://{host}:{server.config.port}"}}],
        "contexts": [], "current-context": "", "preferences": {}, "users": []}
    await _ensure(server, "", "v1", "ConfigMap", "kube-public", {
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cluster-info"},
        "data": {"kubeconfig": yaml.safe_dump(kubeconfig, sort_keys=False)}})
