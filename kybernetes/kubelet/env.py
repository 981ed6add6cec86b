# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""A container's environment, resolved as upstream's kubelet does
(kubelet_pods.go makeEnvironmentVariables):

1. envFrom, in order (configMapRef / secretRef, with a prefix; keys that are not valid
   variable names are skipped and reported);
2. env, in order, values `$(VAR)`-expanded against what is defined so far and the
   service variables; valueFrom configMapKeyRef, secretKeyRef, fieldRef,
   resourceFieldRef;
3. the service variables (KUBERNETES_SERVICE_HOST, ..., and with enableServiceLinks
   those of every service in the namespace) that nothing above defined.

The image's Env comes before all of these; later definitions win. Missing objects and
keys raise EnvError with upstream's message (the container's waiting reason becomes
CreateContainerConfigError). Everything here is pure: the caller fetches the objects.
"""
from __future__ import annotations

import base64
import math
import re
from dataclasses import dataclass, field

from kybernetes.api.quantity import parse_quantity
from kybernetes.kubelet.command import expand

ENV_VAR_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
MASTER_SERVICE_NAMESPACE = "default"


class EnvError(Exception):
    """The container's config cannot be made: CreateContainerConfigError."""


@dataclass
class EnvSources:
    """The objects a container's env refers to, fetched by the caller: name -> object,
    or None for one that does not exist."""
    config_maps: dict[str, dict | None] = field(default_factory=dict)
    secrets: dict[str, dict | None] = field(default_factory=dict)
    services: list[dict] = field(default_factory=list)  # this namespace's
    master_services: list[dict] = field(default_factory=list)  # the default namespace's
    node_allocatable: dict[str, str] = field(default_factory=dict)
    pod_ips: list[str] = field(default_factory=list)
    host_ips: list[str] = field(default_factory=list)


def _key_ref_value(ref: dict, objects: dict, data_of, lower: str, kind: str,
                   namespace: str) -> str | None:
    """A configMapKeyRef/secretKeyRef's value; None when optional and missing, else
    EnvError with the kubelet's message."""
    optional = bool(ref.get("optional"))
    obj = objects.get(ref.get("name", ""))
    if obj is None:
        if optional:
            return None
        raise EnvError(f'{lower} "{ref.get("name", "")}" not found')
    data = data_of(obj)
    if ref.get("key") not in data:
        if optional:
            return None
        raise EnvError(f"couldn't find key {ref.get('key', '')} in {kind} "
                       f"{namespace}/{ref.get('name', '')}")
    return data[ref["key"]]


def referenced_objects(pod: dict, containers: list[dict]) -> tuple[set[str], set[str]]:
    """(config map names, secret names) the containers' env and envFrom use."""
    config_maps, secrets = set(), set()
    for container in containers:
        for source in container.get("envFrom") or []:
            if source.get("configMapRef"):
                config_maps.add(source["configMapRef"].get("name", ""))
            if source.get("secretRef"):
                secrets.add(source["secretRef"].get("name", ""))
        for var in container.get("env") or []:
            value_from = var.get("valueFrom") or {}
            if value_from.get("configMapKeyRef"):
                config_maps.add(value_from["configMapKeyRef"].get("name", ""))
            if value_from.get("secretKeyRef"):
                secrets.add(value_from["secretKeyRef"].get("name", ""))
    return config_maps, secrets


def config_map_data(obj: dict) -> dict[str, str]:
    data = dict(obj.get("data") or {})
    for key, value in (obj.get("binaryData") or {}).items():
        data[key] = base64.b64decode(value).decode(errors="replace")
    return data


def secret_data(obj: dict) -> dict[str, str]:
    return {key: base64.b64decode(value).decode(errors="replace")
            for key, value in (obj.get("data") or {}).items()}


# ---------------------------------------------------------------- service links
def _env_name(service_name: str) -> str:
    return service_name.upper().replace("-", "_")


def _service_vars(service: dict) -> list[tuple[str, str]]:
    spec = service.get("spec") or {}
    ip = spec.get("clusterIP") or ""
    ports = spec.get("ports") or []
    if ip in ("", "None") or not ports:
        return []
    name = _env_name(service["metadata"]["name"])
    first = ports[0]
    out = [(f"{name}_SERVICE_HOST", ip), (f"{name}_SERVICE_PORT", str(first.get("port", "")))]
    for port in ports:
        if port.get("name"):
            out.append((f"{name}_SERVICE_PORT_{_env_name(port['name'])}", str(port.get("port", ""))))
    # the docker-links style variables
    protocol = (first.get("protocol") or "TCP").lower()
    url = f"{protocol}://{ip}:{first.get('port', '')}"
    if ":" in ip:
        url = f"{protocol}://[{ip}]:{first.get('port', '')}"
    out.append((f"{name}_PORT", url))
    for port in ports:
        proto = (port.get("protocol") or "TCP")
        prefix = f"{name}_PORT_{port.get('port', '')}_{proto.upper()}"
        host = f"[{ip}]" if ":" in ip else ip
        out += [(prefix, f"{proto.lower()}://{host}:{port.get('port', '')}"),
                (f"{prefix}_PROTO", proto.lower()),
                (f"{prefix}_PORT", str(port.get("port", ""))),
                (f"{prefix}_ADDR", ip)]
    return out


def service_env(pod: dict, sources: EnvSources) -> dict[str, str]:
    """The service variables: the master `kubernetes` service always, the namespace's
    services when enableServiceLinks is not false (upstream's getServiceEnvVarMap)."""
    spec = pod.get("spec") or {}
    namespace = (pod.get("metadata") or {}).get("namespace", "default")
    links = spec.get("enableServiceLinks", True) is not False
    chosen: dict[str, dict] = {}
    for service in sources.master_services:
        if service["metadata"]["name"] == "kubernetes" or (links and namespace == MASTER_SERVICE_NAMESPACE):
            chosen[service["metadata"]["name"]] = service
    if links:
        for service in sources.services:
            chosen.setdefault(service["metadata"]["name"], service)
    result: dict[str, str] = {}
    for name in sorted(chosen):
        for key, value in _service_vars(chosen[name]):
            result[key] = value
    return result


# ---------------------------------------------------------------- field and resource refs
def _format_map(values: dict[str, str]) -> str:
    """labels/annotations as the downward API prints a whole map: key="value" lines."""
    import json
    return "\n".join(f"{key}={json.dumps(values[key])}" for key in sorted(values))


_SUBSCRIPT = re.compile(r"^metadata\.(labels|annotations)\['(.+)'\]$")


def field_ref_value(pod: dict, field_path: str, pod_ips: list[str], host_ips: list[str]) -> str:
    meta, spec = pod.get("metadata") or {}, pod.get("spec") or {}
    match = _SUBSCRIPT.match(field_path)
    if match:
        return (meta.get(match.group(1)) or {}).get(match.group(2), "")
    simple = {"metadata.name": meta.get("name", ""), "metadata.namespace": meta.get("namespace", ""),
              "metadata.uid": meta.get("uid", ""), "spec.nodeName": spec.get("nodeName", ""),
              "spec.serviceAccountName": spec.get("serviceAccountName", ""),
              "status.podIP": pod_ips[0] if pod_ips else "",
              "status.podIPs": ",".join(pod_ips),
              "status.hostIP": host_ips[0] if host_ips else "",
              "status.hostIPs": ",".join(host_ips)}
    if field_path in simple:
        return simple[field_path]
    if field_path == "metadata.labels":
        return _format_map(meta.get("labels") or {})
    if field_path == "metadata.annotations":
        return _format_map(meta.get("annotations") or {})
    raise EnvError(f"unsupported fieldPath: {field_path}")


def resource_field_value(pod: dict, container_name: str, resource: str, divisor: str | None,
                         node_allocatable: dict[str, str]) -> str:
    """limits.cpu etc. of a container, divided by `divisor` and rounded up; limits not
    set are the node's allocatable (upstream's MergeContainerResourceLimits)."""
    spec = pod.get("spec") or {}
    containers = (spec.get("containers") or []) + (spec.get("initContainers") or [])
    container = next((c for c in containers if c.get("name") == container_name), None)
    if container is None:
        raise EnvError(f"container {container_name} not found")
    kind, _, name = resource.partition(".")
    if kind not in ("limits", "requests") or not name:
        raise EnvError(f"unsupported container resource : {resource}")
    resources = container.get("resources") or {}
    value = (resources.get(kind) or {}).get(name)
    if value is None and kind == "limits":
        value = node_allocatable.get(name)
    if value is None and kind == "requests" and name in ("cpu", "memory", "ephemeral-storage"):
        value = (resources.get("limits") or {}).get(name)
    amount = parse_quantity(value if value is not None else "0")
    unit = parse_quantity(divisor or "1")
    if unit == 0:
        unit = parse_quantity("1")
    return str(math.ceil(amount / unit))


# ---------------------------------------------------------------- the whole environment
@dataclass
class ResolvedEnv:
    env: list[tuple[str, str]]
    # (kind, namespace/name, invalid keys) for the InvalidEnvironmentVariableNames event
    invalid_keys: list[tuple[str, str, list[str]]] = field(default_factory=list)


def container_env(pod: dict, container: dict, sources: EnvSources) -> ResolvedEnv:
    """The pod-defined variables of `container` (without the image's), upstream's order."""
    namespace = (pod.get("metadata") or {}).get("namespace", "default")
    defined: dict[str, str] = {}
    invalid: list[tuple[str, str, list[str]]] = []
    for source in container.get("envFrom") or []:
        prefix = source.get("prefix") or ""
        if source.get("configMapRef") is not None:
            ref, kind = source["configMapRef"], "configMap"
            obj = sources.config_maps.get(ref.get("name", ""))
            if obj is None:
                if ref.get("optional"):
                    continue
                raise EnvError(f'configmap "{ref.get("name", "")}" not found')
            data = config_map_data(obj)
        elif source.get("secretRef") is not None:
            ref, kind = source["secretRef"], "secret"
            obj = sources.secrets.get(ref.get("name", ""))
            if obj is None:
                if ref.get("optional"):
                    continue
                raise EnvError(f'secret "{ref.get("name", "")}" not found')
            data = secret_data(obj)
        else:
            continue
        bad = []
        for key, value in data.items():
            name = prefix + key
            if not ENV_VAR_NAME.match(name):
                bad.append(name)
                continue
            defined[name] = value
        if bad:
            invalid.append((kind, f"{namespace}/{ref.get('name', '')}", sorted(bad)))

    services = service_env(pod, sources)

    def lookup(name: str) -> str | None:
        if name in defined:
            return defined[name]
        return services.get(name)

    for var in container.get("env") or []:
        name = var.get("name", "")
        value_from = var.get("valueFrom")
        if not value_from:
            defined[name] = expand(var.get("value") or "", lookup)
            continue
        if value_from.get("configMapKeyRef") or value_from.get("secretKeyRef"):
            if value_from.get("configMapKeyRef"):
                value = _key_ref_value(value_from["configMapKeyRef"], sources.config_maps,
                                       config_map_data, "configmap", "ConfigMap", namespace)
            else:
                value = _key_ref_value(value_from["secretKeyRef"], sources.secrets, secret_data,
                                       "secret", "Secret", namespace)
            if value is not None:  # None: an optional reference that is not there
                defined[name] = value
        elif value_from.get("fieldRef"):
            defined[name] = field_ref_value(pod, value_from["fieldRef"].get("fieldPath", ""),
                                            sources.pod_ips, sources.host_ips)
        elif value_from.get("resourceFieldRef"):
            ref = value_from["resourceFieldRef"]
            defined[name] = resource_field_value(
                pod, ref.get("containerName") or container.get("name", ""), ref.get("resource", ""),
                ref.get("divisor"), sources.node_allocatable)
    for key, value in services.items():
        defined.setdefault(key, value)
    return ResolvedEnv(list(defined.items()), invalid)


def merge_image_env(image_env: list[str], pod_env: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The image's `K=V` list, then the pod's; a later definition replaces an earlier one
    in place (what containerd does with the two lists)."""
    merged: dict[str, str] = {}
    for entry in image_env or []:
        key, _, value = entry.partition("=")
        merged[key] = value
    for key, value in pod_env:
        merged[key] = value
    return list(merged.items())
