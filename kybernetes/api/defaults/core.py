# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Defaults for the core group (v1): pods and pod templates, services, volumes, claims.

These are the fields kube-apiserver fills in before validation, so `kubectl get -o yaml`
shows the same object a real cluster shows.
"""
from __future__ import annotations

import base64

from ..quantity import canonical_quantity

DEFAULT_TERMINATION_MESSAGE_PATH = "/dev/termination-log"
DEFAULT_FILE_MODE = 420  # 0644


def canonicalize_quantities(values: dict | None) -> None:
    """Rewrite every quantity in a resource list in canonical form; bad ones are left for
    validation to report."""
    if not isinstance(values, dict):
        return
    for name, value in list(values.items()):
        try:
            values[name] = canonical_quantity(value)
        except (ValueError, TypeError):
            pass


def image_tag(image: str) -> str:
    """The tag of an image reference, "latest" when it has neither tag nor digest."""
    if "@" in image:
        name = image.split("@", 1)[0]
        last = name.rsplit("/", 1)[-1]
        return last.split(":", 1)[1] if ":" in last else ""
    last = image.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else "latest"


def _default_http_get(action: dict | None) -> None:
    if action is not None:
        action.setdefault("path", "/")
        action.setdefault("scheme", "HTTP")


def _default_probe(probe: dict | None) -> None:
    if probe is None:
        return
    probe.setdefault("timeoutSeconds", 1)
    probe.setdefault("periodSeconds", 10)
    probe.setdefault("successThreshold", 1)
    probe.setdefault("failureThreshold", 3)
    _default_http_get(probe.get("httpGet"))
    if probe.get("grpc") is not None:
        probe["grpc"].setdefault("service", "")


def _default_lifecycle(lifecycle: dict | None) -> None:
    for hook in ("postStart", "preStop"):
        _default_http_get(((lifecycle or {}).get(hook) or {}).get("httpGet"))


def default_container(container: dict, host_network: bool = False) -> None:
    if not container.get("imagePullPolicy"):
        tag = image_tag(container.get("image") or "")
        container["imagePullPolicy"] = "Always" if tag == "latest" else "IfNotPresent"
    container.setdefault("terminationMessagePath", DEFAULT_TERMINATION_MESSAGE_PATH)
    container.setdefault("terminationMessagePolicy", "File")
    resources = container.setdefault("resources", {})
    if isinstance(resources, dict):
        canonicalize_quantities(resources.get("limits"))
        canonicalize_quantities(resources.get("requests"))
    for port in container.get("ports") or []:
        port.setdefault("protocol", "TCP")
        if host_network and not port.get("hostPort"):
            port["hostPort"] = port.get("containerPort")
    for var in container.get("env") or []:
        field_ref = (var.get("valueFrom") or {}).get("fieldRef")
        if field_ref is not None:
            field_ref.setdefault("apiVersion", "v1")
        resource_ref = (var.get("valueFrom") or {}).get("resourceFieldRef")
        if resource_ref is not None and "divisor" in resource_ref:
            canonicalize_quantities(resource_ref)
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        _default_probe(container.get(probe))
    _default_lifecycle(container.get("lifecycle"))


def _default_downward_items(items) -> None:
    for item in items or []:
        if item.get("fieldRef") is not None:
            item["fieldRef"].setdefault("apiVersion", "v1")


def default_volume(volume: dict) -> None:
    sources = [k for k in volume if k != "name"]
    if not sources:
        volume["emptyDir"] = {}
    if volume.get("configMap") is not None:
        volume["configMap"].setdefault("defaultMode", DEFAULT_FILE_MODE)
    if volume.get("secret") is not None:
        volume["secret"].setdefault("defaultMode", DEFAULT_FILE_MODE)
    if volume.get("downwardAPI") is not None:
        volume["downwardAPI"].setdefault("defaultMode", DEFAULT_FILE_MODE)
        _default_downward_items(volume["downwardAPI"].get("items"))
    if volume.get("hostPath") is not None:
        volume["hostPath"].setdefault("type", "")
    if volume.get("emptyDir") is not None and "sizeLimit" in volume["emptyDir"]:
        canonicalize_quantities(volume["emptyDir"])
    if volume.get("projected") is not None:
        volume["projected"].setdefault("defaultMode", DEFAULT_FILE_MODE)
        for source in volume["projected"].get("sources") or []:
            token = source.get("serviceAccountToken")
            if token is not None:
                token.setdefault("expirationSeconds", 3600)
            if source.get("downwardAPI") is not None:
                _default_downward_items(source["downwardAPI"].get("items"))
    if volume.get("iscsi") is not None:
        volume["iscsi"].setdefault("iscsiInterface", "default")
    if volume.get("rbd") is not None:
        rbd = volume["rbd"]
        rbd.setdefault("pool", "rbd")
        rbd.setdefault("user", "admin")
        rbd.setdefault("keyring", "/etc/ceph/keyring")
    if volume.get("azureDisk") is not None:
        disk = volume["azureDisk"]
        disk.setdefault("cachingMode", "ReadWrite")
        disk.setdefault("fsType", "ext4")
        disk.setdefault("readOnly", False)
        disk.setdefault("kind", "Shared")
    ephemeral = volume.get("ephemeral")
    if ephemeral is not None and ephemeral.get("volumeClaimTemplate") is not None:
        default_pvc_spec(ephemeral["volumeClaimTemplate"].setdefault("spec", {}))


def default_pod_spec(spec: dict) -> None:
    """Defaults shared by pods and pod templates (upstream's SetDefaults_PodSpec and the
    per-type defaulters it reaches)."""
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("securityContext", {})
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("schedulerName", "default-scheduler")
    # serviceAccount is the deprecated twin of serviceAccountName: the newer field wins.
    if not spec.get("serviceAccountName") and spec.get("serviceAccount"):
        spec["serviceAccountName"] = spec["serviceAccount"]
    if spec.get("serviceAccountName"):
        spec["serviceAccount"] = spec["serviceAccountName"]
    host_network = bool(spec.get("hostNetwork"))
    for section in ("initContainers", "containers", "ephemeralContainers"):
        for container in spec.get(section) or []:
            default_container(container, host_network and section != "ephemeralContainers")
    for volume in spec.get("volumes") or []:
        default_volume(volume)
    canonicalize_quantities(spec.get("overhead"))


def default_pod_template(template: dict | None) -> None:
    if template is None:
        return
    default_pod_spec(template.setdefault("spec", {}))


def default_pod(obj: dict) -> None:
    spec = obj.setdefault("spec", {})
    default_pod_spec(spec)
    spec.setdefault("enableServiceLinks", True)
    # Only a pod (not a template) gets requests copied from limits.
    for section in ("initContainers", "containers"):
        for container in spec.get(section) or []:
            resources = container.get("resources") or {}
            limits = resources.get("limits") or {}
            if limits:
                requests = resources.setdefault("requests", {})
                for name, value in limits.items():
                    requests.setdefault(name, value)


def default_service(obj: dict) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("sessionAffinity", "None")
    spec.setdefault("type", "ClusterIP")
    if spec["sessionAffinity"] == "ClientIP":
        config = spec.setdefault("sessionAffinityConfig", {}).setdefault("clientIP", {})
        config.setdefault("timeoutSeconds", 10800)
    for port in spec.get("ports") or []:
        port.setdefault("protocol", "TCP")
        if port.get("targetPort") in (None, 0, ""):
            port["targetPort"] = port.get("port")
    service_type = spec["type"]
    if service_type in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if service_type != "ExternalName":
        spec.setdefault("internalTrafficPolicy", "Cluster")
        # The REST layer fills these (IP family allocation); a single-stack IPv4 cluster
        # always answers SingleStack/[IPv4] unless the caller asked otherwise.
        if spec.get("clusterIP") != "None" or spec.get("selector"):
            spec.setdefault("ipFamilyPolicy", "SingleStack")
            if not spec.get("ipFamilies"):
                ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP")
                                                 and spec["clusterIP"] != "None" else [])
                spec["ipFamilies"] = ["IPv6" if ":" in ip else "IPv4" for ip in ips] or ["IPv4"]
    if service_type == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)
    if spec.get("clusterIP") and not spec.get("clusterIPs"):
        spec["clusterIPs"] = [spec["clusterIP"]]


def default_pvc_spec(spec: dict) -> None:
    spec.setdefault("volumeMode", "Filesystem")
    resources = spec.get("resources") or {}
    canonicalize_quantities(resources.get("requests"))
    canonicalize_quantities(resources.get("limits"))


def default_pvc(obj: dict) -> None:
    default_pvc_spec(obj.setdefault("spec", {}))
    obj.setdefault("status", {}).setdefault("phase", "Pending")


def default_pv(obj: dict) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("persistentVolumeReclaimPolicy", "Retain")
    spec.setdefault("volumeMode", "Filesystem")
    canonicalize_quantities(spec.get("capacity"))
    if spec.get("hostPath") is not None:
        spec["hostPath"].setdefault("type", "")
    obj.setdefault("status", {}).setdefault("phase", "Pending")


def default_namespace(obj: dict) -> None:
    name = (obj.get("metadata") or {}).get("name")
    if name:
        obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = name
    # spec.finalizers ["kubernetes"] is added on create by the API server's namespace
    # strategy, not by defaulting: a /finalize that empties it must stay empty.
    obj.setdefault("status", {}).setdefault("phase", "Active")


def default_node(obj: dict) -> None:
    status = obj.get("status")
    if status:
        canonicalize_quantities(status.get("capacity"))
        canonicalize_quantities(status.get("allocatable"))
        if status.get("capacity") and not status.get("allocatable"):
            status["allocatable"] = dict(status["capacity"])


def default_secret(obj: dict) -> None:
    obj.setdefault("type", "Opaque")
    # stringData is write-only: upstream folds it into data (base64) on decode.
    string_data = obj.pop("stringData", None)
    if isinstance(string_data, dict) and string_data:
        data = obj.get("data") or {}
        for name, value in string_data.items():
            data[name] = base64.b64encode(str(value).encode()).decode()
        obj["data"] = data


def default_replication_controller(obj: dict) -> None:
    spec = obj.setdefault("spec", {})
    template = spec.get("template")
    template_labels = ((template or {}).get("metadata") or {}).get("labels") or {}
    if template_labels:
        if not spec.get("selector"):
            spec["selector"] = dict(template_labels)
        meta = obj.setdefault("metadata", {})
        if not meta.get("labels"):
            meta["labels"] = dict(template_labels)
    spec.setdefault("replicas", 1)
    default_pod_template(template)


def default_limit_range(obj: dict) -> None:
    for item in (obj.get("spec") or {}).get("limits") or []:
        for field in ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio"):
            canonicalize_quantities(item.get(field))
        if item.get("type") != "Container":
            continue
        if item.get("max"):
            default = item.setdefault("default", {})
            for name, value in item["max"].items():
                default.setdefault(name, value)
        if item.get("min"):
            request = item.setdefault("defaultRequest", {})
            for name, value in item["min"].items():
                request.setdefault(name, value)
        if item.get("default"):
            request = item.setdefault("defaultRequest", {})
            for name, value in item["default"].items():
                request.setdefault(name, value)


def default_resource_quota(obj: dict) -> None:
    canonicalize_quantities((obj.get("spec") or {}).get("hard"))


def default_endpoints(obj: dict) -> None:
    for subset in obj.get("subsets") or []:
        for port in subset.get("ports") or []:
            port.setdefault("protocol", "TCP")


CORE_DEFAULTERS = {
    "Pod": default_pod,
    "PodTemplate": lambda obj: default_pod_template(obj.get("template")),
    "Service": default_service,
    "PersistentVolumeClaim": default_pvc,
    "PersistentVolume": default_pv,
    "Namespace": default_namespace,
    "Node": default_node,
    "Secret": default_secret,
    "ReplicationController": default_replication_controller,
    "LimitRange": default_limit_range,
    "ResourceQuota": default_resource_quota,
    "Endpoints": default_endpoints,
}
