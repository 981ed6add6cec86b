# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Checks for core/v1 kinds other than pods: services, config, storage, namespaces, nodes."""
from __future__ import annotations

import base64
import binascii

from .errors import (Cause, duplicate, forbidden, go_repr, immutable, index, invalid, join, key,
                     not_supported, required, too_long, GoValue)
from .meta import (is_config_map_key, is_dns1123_label, is_dns1123_subdomain, is_port_name,
                   is_port_number, is_qualified_name, validate_dns1123_subdomain, validate_ip,
                   validate_labels, validate_nonnegative)
from .pods import PROTOCOLS, validate_pod_template, validate_quantity

SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
SESSION_AFFINITIES = ("ClientIP", "None")
TRAFFIC_POLICIES = ("Cluster", "Local")
ACCESS_MODES = ("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod")
RECLAIM_POLICIES = ("Delete", "Recycle", "Retain")
VOLUME_MODES = ("Block", "Filesystem")
MAX_CONFIG_SIZE = 1024 * 1024
SECRET_REQUIRED_KEYS = {
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
    "kubernetes.io/basic-auth": (),
    "kubernetes.io/ssh-auth": ("ssh-privatekey",),
    "kubernetes.io/dockercfg": (".dockercfg",),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
}


def _service_port_repr(port: dict) -> GoValue:
    target = port.get("targetPort")
    if isinstance(target, int):
        target_text = f"intstr.IntOrString{{Type:0, IntVal:{target}, StrVal:\"\"}}"
    else:
        target_text = f"intstr.IntOrString{{Type:1, IntVal:0, StrVal:{go_repr(target or '')}}}"
    return GoValue(f"core.ServicePort{{Name:{go_repr(port.get('name', ''))}, "
                   f"Protocol:{go_repr(port.get('protocol', ''))}, AppProtocol:(*string)(nil), "
                   f"Port:{port.get('port', 0)}, TargetPort:{target_text}, "
                   f"NodePort:{port.get('nodePort', 0)}}}")


def validate_service(obj: dict, old: dict | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    causes: list[Cause] = []
    service_type = spec.get("type", "")
    headless = spec.get("clusterIP") == "None"
    ports = spec.get("ports") or []
    if not ports and not headless and service_type != "ExternalName":
        causes.append(required("spec.ports"))
    if service_type == "ExternalName":
        if spec.get("clusterIP") or spec.get("clusterIPs"):
            causes.append(forbidden("spec.clusterIPs", "may not be set for ExternalName services"))
        external = spec.get("externalName", "")
        if not external:
            causes.append(required("spec.externalName"))
        else:
            name = external[:-1] if external.endswith(".") else external
            causes.extend(invalid("spec.externalName", name, m) for m in is_dns1123_subdomain(name))
    names: set[str] = set()
    seen_ports: set[tuple] = set()
    for i, port in enumerate(ports):
        ppath = index("spec.ports", i)
        name = port.get("name", "")
        if len(ports) > 1 and not name:
            causes.append(required(join(ppath, "name")))
        elif name:
            causes.extend(invalid(join(ppath, "name"), name, m) for m in is_dns1123_label(name))
            if name in names:
                causes.append(duplicate(join(ppath, "name"), name))
            names.add(name)
        number = port.get("port")
        causes.extend(invalid(join(ppath, "port"), number if number is not None else 0, m)
                      for m in is_port_number(number))
        protocol = port.get("protocol", "")
        if not protocol:
            causes.append(required(join(ppath, "protocol")))
        elif protocol not in PROTOCOLS:
            causes.append(not_supported(join(ppath, "protocol"), protocol, PROTOCOLS))
        target = port.get("targetPort")
        if isinstance(target, int) and not isinstance(target, bool):
            causes.extend(invalid(join(ppath, "targetPort"), target, m)
                          for m in is_port_number(target))
        elif isinstance(target, str):
            causes.extend(invalid(join(ppath, "targetPort"), target, m)
                          for m in is_port_name(target))
        if port.get("nodePort") and service_type not in ("NodePort", "LoadBalancer"):
            causes.append(forbidden(join(ppath, "nodePort"),
                                    "may not be used when `type` is 'ClusterIP'"))
        ident = (number, protocol)
        if ident in seen_ports:
            causes.append(duplicate(ppath, _service_port_repr(port)))
        seen_ports.add(ident)
    if service_type and service_type not in SERVICE_TYPES:
        causes.append(not_supported("spec.type", service_type, SERVICE_TYPES))
    elif not service_type:
        causes.append(required("spec.type"))
    affinity = spec.get("sessionAffinity", "")
    if not affinity:
        causes.append(required("spec.sessionAffinity"))
    elif affinity not in SESSION_AFFINITIES:
        causes.append(not_supported("spec.sessionAffinity", affinity, SESSION_AFFINITIES))
    for field in ("externalTrafficPolicy", "internalTrafficPolicy"):
        value = spec.get(field)
        if value and value not in TRAFFIC_POLICIES:
            causes.append(not_supported(f"spec.{field}", value, TRAFFIC_POLICIES))
    if spec.get("externalTrafficPolicy") and service_type not in ("NodePort", "LoadBalancer"):
        causes.append(invalid("spec.externalTrafficPolicy", spec["externalTrafficPolicy"],
                              "may only be set when `type` is 'NodePort' or 'LoadBalancer'"))
    causes.extend(validate_labels(spec.get("selector"), "spec.selector"))
    cluster_ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    for i, ip in enumerate(cluster_ips):
        if ip != "None":
            causes.extend(validate_ip(index("spec.clusterIPs", i), ip))
    for i, ip in enumerate(spec.get("externalIPs") or []):
        causes.extend(validate_ip(index("spec.externalIPs", i), ip))
    if old is not None:
        old_ips = (old.get("spec") or {}).get("clusterIPs") or []
        old_type = (old.get("spec") or {}).get("type")
        if old_ips and old_type != "ExternalName" and service_type != "ExternalName":
            if not cluster_ips:
                causes.append(invalid("spec.clusterIPs[0]", cluster_ips,
                                      "primary clusterIP can not be unset"))
            elif cluster_ips[0] != old_ips[0]:
                causes.append(invalid("spec.clusterIPs[0]", cluster_ips, "may not change once set"))
    return causes


def _validate_config_keys(data: dict | None, path: str, seen: set[str]) -> list[Cause]:
    causes: list[Cause] = []
    for k in data or {}:
        causes.extend(invalid(path, k, m) for m in is_config_map_key(k))
        if k in seen:
            causes.append(invalid(path, k, "duplicate of key present in binaryData"))
        seen.add(k)
    return causes


def validate_config_map(obj: dict, old: dict | None) -> list[Cause]:
    seen: set[str] = set()
    causes = _validate_config_keys(obj.get("data"), "data", seen)
    binary_seen: set[str] = set()
    for k in obj.get("binaryData") or {}:
        causes.extend(invalid("binaryData", k, m) for m in is_config_map_key(k))
        if k in seen:
            causes.append(invalid("binaryData", k, "duplicate of key present in data"))
        binary_seen.add(k)
    size = sum(len(k) + len(str(v)) for k, v in (obj.get("data") or {}).items())
    size += sum(len(k) + len(_b64_len(v)) for k, v in (obj.get("binaryData") or {}).items())
    if size > MAX_CONFIG_SIZE:
        causes.append(too_long("", MAX_CONFIG_SIZE))
    causes.extend(_immutable_data(obj, old, ("data", "binaryData")))
    return causes


def _b64_len(value) -> bytes:
    try:
        return base64.b64decode(value or "", validate=True)
    except (binascii.Error, ValueError):
        return b""


def _immutable_data(obj: dict, old: dict | None, fields: tuple[str, ...]) -> list[Cause]:
    """A ConfigMap or Secret marked immutable keeps its data and its immutable flag."""
    if old is None or not old.get("immutable"):
        return []
    causes = []
    if obj.get("immutable") is not True:
        causes.append(forbidden("immutable", "field is immutable when `immutable` is set"))
    for field in fields:
        if (obj.get(field) or {}) != (old.get(field) or {}):
            causes.append(forbidden(field, "field is immutable when `immutable` is set"))
    return causes


def validate_secret(obj: dict, old: dict | None) -> list[Cause]:
    causes: list[Cause] = []
    data = obj.get("data") or {}
    total = 0
    for k, v in data.items():
        causes.extend(invalid("data", k, m) for m in is_config_map_key(k))
        try:
            total += len(k) + len(base64.b64decode(v or "", validate=True))
        except (binascii.Error, ValueError):
            causes.append(invalid(key("data", k), "<secret contents redacted>",
                                  "must be a valid base64 string"))
    for k in obj.get("stringData") or {}:
        causes.extend(invalid("stringData", k, m) for m in is_config_map_key(k))
    if total > MAX_CONFIG_SIZE:
        causes.append(too_long("data", MAX_CONFIG_SIZE))
    secret_type = obj.get("type", "Opaque")
    present = set(data) | set(obj.get("stringData") or {})
    for required_key in SECRET_REQUIRED_KEYS.get(secret_type, ()):
        if required_key not in present:
            causes.append(required(key("data", required_key)))
    if secret_type == "kubernetes.io/service-account-token":
        annotations = (obj.get("metadata") or {}).get("annotations") or {}
        if not annotations.get("kubernetes.io/service-account.name"):
            causes.append(required("metadata.annotations[kubernetes.io/service-account.name]"))
    if secret_type == "kubernetes.io/basic-auth" and not ({"username", "password"} & present):
        causes.append(required(key("data", "username")))
        causes.append(required(key("data", "password")))
    if old is not None:
        if secret_type != old.get("type", "Opaque"):
            causes.append(immutable("type", secret_type))
        causes.extend(_immutable_data(obj, old, ("data",)))
    return causes


def validate_namespace(obj: dict, old: dict | None) -> list[Cause]:
    causes: list[Cause] = []
    for i, name in enumerate((obj.get("spec") or {}).get("finalizers") or []):
        if "/" not in name and name != "kubernetes":
            causes.append(invalid(index("spec.finalizers", i), name,
                                  "name is neither a standard finalizer name nor is it fully "
                                  "qualified"))
        else:
            causes.extend(invalid(index("spec.finalizers", i), name, m)
                          for m in is_qualified_name(name))
    return causes


def validate_node(obj: dict, old: dict | None) -> list[Cause]:
    causes: list[Cause] = []
    spec = obj.get("spec") or {}
    for i, taint in enumerate(spec.get("taints") or []):
        tpath = index("spec.taints", i)
        tkey = taint.get("key", "")
        causes.extend(invalid(join(tpath, "key"), tkey, m) for m in is_qualified_name(tkey))
        effect = taint.get("effect", "")
        if not effect:
            causes.append(required(join(tpath, "effect")))
        elif effect not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
            causes.append(not_supported(join(tpath, "effect"), effect,
                                        ("NoSchedule", "PreferNoSchedule", "NoExecute")))
    if old is not None:
        old_spec = old.get("spec") or {}
        if old_spec.get("podCIDR") and spec.get("podCIDR") != old_spec.get("podCIDR"):
            causes.append(forbidden("spec.podCIDR",
                                    "node updates may not change podCIDR except from \"\" to "
                                    "valid"))
    for section in ("capacity", "allocatable"):
        for name, value in ((obj.get("status") or {}).get(section) or {}).items():
            causes.extend(validate_quantity(key(f"status.{section}", name), value))
    return causes


def _validate_access_modes(modes, path: str) -> list[Cause]:
    if not modes:
        return [required(path, "at least 1 access mode is required")]
    causes = [not_supported(path, m, ACCESS_MODES) for m in modes if m not in ACCESS_MODES]
    if "ReadWriteOncePod" in modes and len(modes) > 1:
        causes.append(forbidden(path, "may not use ReadWriteOncePod with other access modes"))
    return causes


def validate_pvc(obj: dict, old: dict | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    causes = _validate_access_modes(spec.get("accessModes"), "spec.accessModes")
    requests = (spec.get("resources") or {}).get("requests") or {}
    if "storage" not in requests:
        causes.append(required("spec.resources[storage]"))
    else:
        causes.extend(validate_quantity("spec.resources.requests[storage]", requests["storage"]))
    mode = spec.get("volumeMode")
    if mode and mode not in VOLUME_MODES:
        causes.append(not_supported("spec.volumeMode", mode, VOLUME_MODES))
    if spec.get("storageClassName"):
        causes.extend(validate_dns1123_subdomain("spec.storageClassName", spec["storageClassName"]))
    if old is not None:
        old_spec = dict(old.get("spec") or {})
        new_spec = dict(spec)
        # Only requests may change (expansion); volumeName may be set once by the binder.
        for s in (old_spec, new_spec):
            s.pop("resources", None)
            s.pop("volumeAttributesClassName", None)
        if not old_spec.get("volumeName"):
            old_spec.pop("volumeName", None)
            new_spec.pop("volumeName", None)
        if not old_spec.get("storageClassName"):
            # 1.28+: a class may be set once on a claim that has none (a default class
            # created later is applied to waiting claims)
            old_spec.pop("storageClassName", None)
            new_spec.pop("storageClassName", None)
        if new_spec != old_spec:
            causes.append(forbidden("spec", "spec is immutable after creation except "
                                    "resources.requests and volumeAttributesClassName for bound "
                                    "claims"))
    return causes


PV_SOURCES = ("gcePersistentDisk", "awsElasticBlockStore", "hostPath", "glusterfs", "nfs", "rbd",
              "iscsi", "cinder", "cephfs", "fc", "flocker", "flexVolume", "azureFile",
              "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "portworxVolume",
              "scaleIO", "local", "storageos", "csi")


def validate_pv(obj: dict, old: dict | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    causes = _validate_access_modes(spec.get("accessModes"), "spec.accessModes")
    capacity = spec.get("capacity") or {}
    if not capacity:
        causes.append(required("spec.capacity"))
    elif "storage" not in capacity or len(capacity) > 1:
        causes.append(not_supported("spec.capacity", GoValue(go_repr(sorted(capacity))),
                                    ("storage",)))
    for name, value in capacity.items():
        causes.extend(validate_quantity(key("spec.capacity", name), value))
    policy = spec.get("persistentVolumeReclaimPolicy")
    if policy and policy not in RECLAIM_POLICIES:
        causes.append(not_supported("spec.persistentVolumeReclaimPolicy", policy, RECLAIM_POLICIES))
    sources = [s for s in PV_SOURCES if spec.get(s) is not None]
    if not sources:
        causes.append(required("spec", "must specify a volume type"))
    for extra in sources[1:]:
        causes.append(forbidden(f"spec.{extra}", "may not specify more than 1 volume type"))
    if spec.get("hostPath") is not None and not spec["hostPath"].get("path"):
        causes.append(required("spec.hostPath.path"))
    if spec.get("local") is not None and not spec.get("nodeAffinity"):
        causes.append(required("spec.nodeAffinity", "Local volume requires node affinity"))
    if old is not None:
        old_spec = old.get("spec") or {}
        for s in sources:
            if old_spec.get(s) is not None and old_spec.get(s) != spec.get(s):
                causes.append(forbidden("spec.persistentvolumesource",
                                        "spec.persistentvolumesource is immutable after creation"))
                break
    return causes


def validate_service_account(obj: dict, old: dict | None) -> list[Cause]:
    causes: list[Cause] = []
    for i, ref in enumerate(obj.get("imagePullSecrets") or []):
        if not ref.get("name"):
            causes.append(required(join(index("imagePullSecrets", i), "name")))
    return causes


def validate_resource_quota(obj: dict, old: dict | None) -> list[Cause]:
    causes: list[Cause] = []
    for name, value in ((obj.get("spec") or {}).get("hard") or {}).items():
        causes.extend(validate_quantity(key("spec.hard", name), value))
    return causes


LIMIT_TYPES = ("Container", "PersistentVolumeClaim", "Pod")


def validate_limit_range(obj: dict, old: dict | None) -> list[Cause]:
    causes: list[Cause] = []
    for i, item in enumerate((obj.get("spec") or {}).get("limits") or []):
        ipath = index("spec.limits", i)
        kind = item.get("type", "")
        if kind not in LIMIT_TYPES:
            causes.append(not_supported(join(ipath, "type"), kind, LIMIT_TYPES))
        for field in ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio"):
            for name, value in (item.get(field) or {}).items():
                causes.extend(validate_quantity(key(join(ipath, field), name), value))
        if kind == "Pod" and (item.get("default") or item.get("defaultRequest")):
            field = "default" if item.get("default") else "defaultRequest"
            causes.append(forbidden(join(ipath, field), "may not be specified when `type` is 'Pod'"))
    return causes


def validate_endpoints(obj: dict, old: dict | None) -> list[Cause]:
    causes: list[Cause] = []
    for i, subset in enumerate(obj.get("subsets") or []):
        spath = index("subsets", i)
        for j, address in enumerate(subset.get("addresses") or []):
            causes.extend(validate_ip(join(index(join(spath, "addresses"), j), "ip"),
                                      address.get("ip", "")))
        for j, port in enumerate(subset.get("ports") or []):
            causes.extend(invalid(join(index(join(spath, "ports"), j), "port"), port.get("port"), m)
                          for m in is_port_number(port.get("port")))
    return causes


def validate_event(obj: dict, old: dict | None) -> list[Cause]:
    causes: list[Cause] = []
    involved = obj.get("involvedObject") or {}
    namespace = (obj.get("metadata") or {}).get("namespace", "")
    if involved.get("namespace") and involved["namespace"] != namespace:
        causes.append(invalid("involvedObject.namespace", involved["namespace"],
                              "does not match event.namespace"))
    if obj.get("type") and obj["type"] not in ("Normal", "Warning"):
        causes.append(not_supported("type", obj["type"], ("Normal", "Warning")))
    return causes


def validate_pod_template_kind(obj: dict, old: dict | None) -> list[Cause]:
    return validate_pod_template(obj.get("template"), "template")


def validate_replication_controller(obj: dict, old: dict | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    causes = validate_nonnegative("spec.replicas", spec.get("replicas"))
    causes.extend(validate_nonnegative("spec.minReadySeconds", spec.get("minReadySeconds")))
    selector = spec.get("selector") or {}
    if not selector:
        causes.append(required("spec.selector"))
    causes.extend(validate_labels(selector, "spec.selector"))
    template = spec.get("template")
    if template is None:
        causes.append(required("spec.template"))
        return causes
    labels = (template.get("metadata") or {}).get("labels") or {}
    if selector and any(labels.get(k) != v for k, v in selector.items()):
        causes.append(invalid("spec.template.metadata.labels", labels,
                              "`selector` does not match template `labels`"))
    causes.extend(validate_pod_template(template, "spec.template"))
    restart = (template.get("spec") or {}).get("restartPolicy")
    if restart and restart != "Always":
        causes.append(not_supported("spec.template.spec.restartPolicy", restart, ("Always",)))
    return causes


CORE_VALIDATORS = {
    "Service": validate_service,
    "ConfigMap": validate_config_map,
    "Secret": validate_secret,
    "Namespace": validate_namespace,
    "Node": validate_node,
    "PersistentVolumeClaim": validate_pvc,
    "PersistentVolume": validate_pv,
    "ServiceAccount": validate_service_account,
    "ResourceQuota": validate_resource_quota,
    "LimitRange": validate_limit_range,
    "Endpoints": validate_endpoints,
    "Event": validate_event,
    "PodTemplate": validate_pod_template_kind,
    "ReplicationController": validate_replication_controller,
}
