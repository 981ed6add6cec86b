# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Pod and pod-template checks (upstream's ValidatePodSpec and friends).

Every workload kind embeds a pod template, so these functions take the path of the
spec they are checking (`spec`, `spec.template.spec`, `spec.jobTemplate.spec.template.spec`).
"""
from __future__ import annotations

from ..quantity import canonical_quantity, parse_quantity
from .errors import (Cause, duplicate, forbidden, index, invalid, join, key, not_found,
                     not_supported, required)
from .meta import (inclusive_range_error, is_config_map_key, is_env_var_name, is_label_value,
                   is_port_name, is_port_number, is_qualified_name, validate_annotations,
                   validate_dns1123_label, validate_dns1123_subdomain, validate_labels,
                   validate_nonnegative)

RESTART_POLICIES = ("Always", "OnFailure", "Never")
DNS_POLICIES = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")
PULL_POLICIES = ("Always", "IfNotPresent", "Never")
PROTOCOLS = ("SCTP", "TCP", "UDP")
TERMINATION_MESSAGE_POLICIES = ("File", "FallbackToLogsOnError")
VOLUME_SOURCES = (
    "hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "secret",
    "nfs", "iscsi", "glusterfs", "persistentVolumeClaim", "rbd", "flexVolume", "cinder",
    "cephfs", "flocker", "downwardAPI", "fc", "azureFile", "configMap", "vsphereVolume",
    "quobyte", "azureDisk", "photonPersistentDisk", "projected", "portworxVolume", "scaleIO",
    "storageos", "csi", "ephemeral", "image",
)
HOST_PATH_TYPES = ("", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File",
                   "FileOrCreate", "Socket")
STANDARD_CONTAINER_RESOURCES = ("cpu", "memory", "ephemeral-storage")
UPDATABLE_POD_FIELDS = (
    "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
    "`spec.tolerations` (only additions to existing tolerations),"
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)")


def _int_field(path: str, value, low: int | None = None) -> list[Cause]:
    if value is None:
        return []
    if low == 1 and isinstance(value, int) and value < 1:
        return [invalid(path, value, "must be greater than or equal to 1")]
    return validate_nonnegative(path, value)


def validate_quantity(path: str, value) -> list[Cause]:
    try:
        amount = parse_quantity(value)
    except ValueError as err:
        return [invalid(path, str(value), str(err))]
    if amount < 0:
        return [invalid(path, canonical_quantity(value), "must be greater than or equal to 0")]
    return []


def _is_container_resource_name(name: str) -> bool:
    if name in STANDARD_CONTAINER_RESOURCES or name.startswith("hugepages-"):
        return True
    return "/" in name and not name.startswith("requests.") and not is_qualified_name(name)


def validate_resources(resources: dict | None, path: str) -> list[Cause]:
    causes: list[Cause] = []
    resources = resources or {}
    limits = resources.get("limits") or {}
    requests = resources.get("requests") or {}
    for section, values in (("limits", limits), ("requests", requests)):
        for name, value in values.items():
            qpath = key(join(path, section), name)
            if not _is_container_resource_name(name):
                causes.append(invalid(qpath, name, "must be a standard resource for containers"))
            causes.extend(validate_quantity(qpath, value))
    for name, value in requests.items():
        if name in limits:
            try:
                request, limit = parse_quantity(value), parse_quantity(limits[name])
            except ValueError:
                continue
            if request > limit:
                causes.append(invalid(
                    join(path, "requests"), canonical_quantity(value),
                    f"must be less than or equal to {name} limit of "
                    f"{canonical_quantity(limits[name])}"))
    return causes


def _validate_ports(ports, path: str) -> list[Cause]:
    causes: list[Cause] = []
    names: set[str] = set()
    for i, port in enumerate(ports or []):
        ppath = index(path, i)
        name = port.get("name")
        if name:
            causes.extend(invalid(join(ppath, "name"), name, m) for m in is_port_name(name))
            if name in names:
                causes.append(duplicate(join(ppath, "name"), name))
            names.add(name)
        container_port = port.get("containerPort")
        if not container_port:
            causes.append(required(join(ppath, "containerPort")))
        else:
            causes.extend(invalid(join(ppath, "containerPort"), container_port, m)
                          for m in is_port_number(container_port))
        if port.get("hostPort"):
            causes.extend(invalid(join(ppath, "hostPort"), port["hostPort"], m)
                          for m in is_port_number(port["hostPort"]))
        protocol = port.get("protocol", "")
        if not protocol:
            causes.append(required(join(ppath, "protocol")))
        elif protocol not in PROTOCOLS:
            causes.append(not_supported(join(ppath, "protocol"), protocol, PROTOCOLS))
    return causes


def _validate_env(env, path: str) -> list[Cause]:
    causes: list[Cause] = []
    for i, var in enumerate(env or []):
        epath = index(path, i)
        name = var.get("name", "")
        if not name:
            causes.append(required(join(epath, "name")))
        else:
            causes.extend(invalid(join(epath, "name"), name, m) for m in is_env_var_name(name))
        source = var.get("valueFrom")
        if source is not None:
            vpath = join(epath, "valueFrom")
            kinds = [k for k in ("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef")
                     if source.get(k) is not None]
            if var.get("value"):
                causes.append(invalid(vpath, "", "may not be specified when `value` is not empty"))
            if not kinds:
                causes.append(invalid(vpath, "", "must specify one of: `fieldRef`, "
                                      "`resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"))
            elif len(kinds) > 1:
                causes.append(invalid(vpath, "", "may not have more than one field specified at "
                                      "a time"))
            for ref in ("configMapKeyRef", "secretKeyRef"):
                if source.get(ref) is not None:
                    rpath = join(vpath, ref)
                    if not source[ref].get("name"):
                        causes.append(required(join(rpath, "name")))
                    if not source[ref].get("key"):
                        causes.append(required(join(rpath, "key")))
                    else:
                        causes.extend(invalid(join(rpath, "key"), source[ref]["key"], m)
                                      for m in is_config_map_key(source[ref]["key"]))
            if source.get("fieldRef") is not None and not source["fieldRef"].get("fieldPath"):
                causes.append(required(join(join(vpath, "fieldRef"), "fieldPath")))
    return causes


def _validate_probe(probe: dict | None, path: str) -> list[Cause]:
    if probe is None:
        return []
    causes: list[Cause] = []
    handlers = [h for h in ("exec", "httpGet", "tcpSocket", "grpc") if probe.get(h) is not None]
    if not handlers:
        causes.append(required(path, "must specify a handler type"))
    elif len(handlers) > 1:
        causes.append(forbidden(join(path, handlers[1]), "may not specify more than 1 handler type"))
    for name in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold",
                 "failureThreshold"):
        causes.extend(validate_nonnegative(join(path, name), probe.get(name)))
    if probe.get("httpGet") is not None:
        port = probe["httpGet"].get("port")
        causes.extend(_validate_port_ref(port, join(join(path, "httpGet"), "port")))
    if probe.get("tcpSocket") is not None:
        port = probe["tcpSocket"].get("port")
        causes.extend(_validate_port_ref(port, join(join(path, "tcpSocket"), "port")))
    return causes


def _validate_port_ref(port, path: str) -> list[Cause]:
    if isinstance(port, int) and not isinstance(port, bool):
        return [invalid(path, port, m) for m in is_port_number(port)]
    if isinstance(port, str) and port:
        return [invalid(path, port, m) for m in is_port_name(port)]
    return [invalid(path, port if port is not None else "", inclusive_range_error(1, 65535))]


def _validate_container(container: dict, path: str, volumes: set[str], names: set[str],
                        restart_allowed: bool = False) -> list[Cause]:
    causes: list[Cause] = []
    name = container.get("name", "")
    if not name:
        causes.append(required(join(path, "name")))
    else:
        causes.extend(validate_dns1123_label(join(path, "name"), name))
        if name in names:
            causes.append(duplicate(join(path, "name"), name))
        names.add(name)
    image = container.get("image", "")
    if not image:
        causes.append(required(join(path, "image")))
    elif image != image.strip():
        causes.append(invalid(join(path, "image"), image,
                              "must not have leading or trailing whitespace"))
    policy = container.get("imagePullPolicy", "")
    if not policy:
        causes.append(required(join(path, "imagePullPolicy")))
    elif policy not in PULL_POLICIES:
        causes.append(not_supported(join(path, "imagePullPolicy"), policy, PULL_POLICIES))
    message_policy = container.get("terminationMessagePolicy", "")
    if not message_policy:
        causes.append(required(join(path, "terminationMessagePolicy")))
    elif message_policy not in TERMINATION_MESSAGE_POLICIES:
        causes.append(not_supported(join(path, "terminationMessagePolicy"), message_policy,
                                    TERMINATION_MESSAGE_POLICIES))
    causes.extend(_validate_ports(container.get("ports"), join(path, "ports")))
    causes.extend(_validate_env(container.get("env"), join(path, "env")))
    for i, source in enumerate(container.get("envFrom") or []):
        spath = index(join(path, "envFrom"), i)
        if source.get("prefix"):
            causes.extend(invalid(join(spath, "prefix"), source["prefix"], m)
                          for m in is_env_var_name(source["prefix"]))
        refs = [r for r in ("configMapRef", "secretRef") if source.get(r) is not None]
        if len(refs) > 1:
            causes.append(invalid(spath, "", "may not have more than one field specified at a time"))
        for ref in refs:
            if not source[ref].get("name"):
                causes.append(required(join(join(spath, ref), "name")))
    mount_paths: set[str] = set()
    for i, mount in enumerate(container.get("volumeMounts") or []):
        mpath = index(join(path, "volumeMounts"), i)
        mname = mount.get("name", "")
        if not mname:
            causes.append(required(join(mpath, "name")))
        elif mname not in volumes:
            causes.append(not_found(join(mpath, "name"), mname))
        mount_path = mount.get("mountPath", "")
        if not mount_path:
            causes.append(required(join(mpath, "mountPath")))
        elif mount_path in mount_paths:
            causes.append(invalid(join(mpath, "mountPath"), mount_path, "must be unique"))
        mount_paths.add(mount_path)
        if mount.get("subPath") and (mount["subPath"].startswith("/") or
                                     ".." in mount["subPath"].split("/")):
            detail = ("must be a relative path" if mount["subPath"].startswith("/")
                      else "must not contain '..'")
            causes.append(invalid(join(mpath, "subPath"), mount["subPath"], detail))
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        causes.extend(_validate_probe(container.get(probe), join(path, probe)))
    causes.extend(validate_resources(container.get("resources"), join(path, "resources")))
    restart = container.get("restartPolicy")
    if restart is not None:
        if not restart_allowed:
            causes.append(forbidden(join(path, "restartPolicy"),
                                    "may not be set for non-init containers"))
        elif restart != "Always":
            causes.append(not_supported(join(path, "restartPolicy"), restart, ("Always",)))
    return causes


def _validate_volumes(volumes, path: str) -> tuple[list[Cause], set[str]]:
    causes: list[Cause] = []
    names: set[str] = set()
    for i, volume in enumerate(volumes or []):
        vpath = index(path, i)
        name = volume.get("name", "")
        if not name:
            causes.append(required(join(vpath, "name")))
        else:
            causes.extend(validate_dns1123_label(join(vpath, "name"), name))
            if name in names:
                causes.append(duplicate(join(vpath, "name"), name))
            names.add(name)
        sources = [s for s in VOLUME_SOURCES if volume.get(s) is not None]
        if not sources:
            causes.append(required(vpath, "must specify a volume type"))
        for extra in sources[1:]:
            causes.append(forbidden(join(vpath, extra), "may not specify more than 1 volume type"))
        if sources:
            causes.extend(_validate_volume_source(sources[0], volume[sources[0]],
                                                  join(vpath, sources[0])))
    return causes, names


def _validate_mode(path: str, mode) -> list[Cause]:
    if mode is not None and (not isinstance(mode, int) or mode < 0 or mode > 0o777):
        return [invalid(path, mode, "must be a number between 0 and 0777 (octal), both inclusive")]
    return []


def _validate_volume_source(kind: str, source: dict, path: str) -> list[Cause]:
    causes: list[Cause] = []
    if kind == "configMap":
        if not source.get("name"):
            causes.append(required(join(path, "name")))
        causes.extend(_validate_mode(join(path, "defaultMode"), source.get("defaultMode")))
    elif kind == "secret":
        if not source.get("secretName"):
            causes.append(required(join(path, "secretName")))
        causes.extend(_validate_mode(join(path, "defaultMode"), source.get("defaultMode")))
    elif kind == "hostPath":
        if not source.get("path"):
            causes.append(required(join(path, "path")))
        if source.get("type", "") not in HOST_PATH_TYPES:
            causes.append(not_supported(join(path, "type"), source["type"], HOST_PATH_TYPES[1:]))
    elif kind == "persistentVolumeClaim":
        if not source.get("claimName"):
            causes.append(required(join(path, "claimName")))
    elif kind == "emptyDir":
        if source.get("medium", "") not in ("", "Memory", "HugePages") and \
                not str(source.get("medium")).startswith("HugePages-"):
            causes.append(not_supported(join(path, "medium"), source["medium"],
                                        ("", "Memory", "HugePages")))
        if source.get("sizeLimit") is not None:
            causes.extend(validate_quantity(join(path, "sizeLimit"), source["sizeLimit"]))
    elif kind == "nfs":
        if not source.get("server"):
            causes.append(required(join(path, "server")))
        if not source.get("path"):
            causes.append(required(join(path, "path")))
        elif not source["path"].startswith("/"):
            causes.append(invalid(join(path, "path"), source["path"], "must be an absolute path"))
    elif kind == "projected":
        causes.extend(_validate_mode(join(path, "defaultMode"), source.get("defaultMode")))
    return causes


def validate_pod_spec(spec: dict | None, path: str = "spec") -> list[Cause]:
    """Upstream's ValidatePodSpec for a spec that has been defaulted."""
    spec = spec or {}
    causes, volumes = _validate_volumes(spec.get("volumes"), join(path, "volumes"))
    containers = spec.get("containers") or []
    names: set[str] = set()
    if not containers:
        causes.append(required(join(path, "containers")))
    for i, container in enumerate(spec.get("initContainers") or []):
        causes.extend(_validate_container(container, index(join(path, "initContainers"), i),
                                          volumes, names, restart_allowed=True))
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            if container.get(probe) is not None and container.get("restartPolicy") != "Always":
                causes.append(forbidden(join(index(join(path, "initContainers"), i), probe),
                                        "may not be set for init containers without "
                                        "restartPolicy=Always"))
    for i, container in enumerate(containers):
        causes.extend(_validate_container(container, index(join(path, "containers"), i),
                                          volumes, names))
    restart = spec.get("restartPolicy", "")
    if not restart:
        causes.append(required(join(path, "restartPolicy")))
    elif restart not in RESTART_POLICIES:
        causes.append(not_supported(join(path, "restartPolicy"), restart, RESTART_POLICIES))
    dns = spec.get("dnsPolicy", "")
    if not dns:
        causes.append(required(join(path, "dnsPolicy")))
    elif dns not in DNS_POLICIES:
        causes.append(not_supported(join(path, "dnsPolicy"), dns, DNS_POLICIES))
    elif dns == "None" and not (spec.get("dnsConfig") or {}).get("nameservers"):
        causes.append(required(join(join(path, "dnsConfig"), "nameservers"),
                               "must provide at least one DNS nameserver when DNSPolicy is None"))
    causes.extend(validate_labels(spec.get("nodeSelector"), join(path, "nodeSelector")))
    if spec.get("serviceAccountName"):
        causes.extend(validate_dns1123_subdomain(join(path, "serviceAccountName"),
                                                 spec["serviceAccountName"]))
    if spec.get("nodeName"):
        causes.extend(validate_dns1123_subdomain(join(path, "nodeName"), spec["nodeName"]))
    if spec.get("hostname"):
        causes.extend(validate_dns1123_label(join(path, "hostname"), spec["hostname"]))
    if spec.get("subdomain"):
        causes.extend(validate_dns1123_label(join(path, "subdomain"), spec["subdomain"]))
    deadline = spec.get("activeDeadlineSeconds")
    if deadline is not None and (not isinstance(deadline, int) or deadline <= 0):
        causes.append(invalid(join(path, "activeDeadlineSeconds"), deadline,
                              "must be between 1 and 2147483647, inclusive"))
    causes.extend(validate_nonnegative(join(path, "terminationGracePeriodSeconds"),
                                       spec.get("terminationGracePeriodSeconds")))
    causes.extend(_validate_tolerations(spec.get("tolerations"), join(path, "tolerations")))
    for i, pull in enumerate(spec.get("imagePullSecrets") or []):
        if not pull.get("name"):
            causes.append(required(join(index(join(path, "imagePullSecrets"), i), "name")))
    return causes


def _validate_tolerations(tolerations, path: str) -> list[Cause]:
    causes: list[Cause] = []
    for i, tol in enumerate(tolerations or []):
        tpath = index(path, i)
        tkey = tol.get("key", "")
        if tkey:
            causes.extend(invalid(join(tpath, "key"), tkey, m) for m in is_qualified_name(tkey))
        operator = tol.get("operator", "")
        if not tkey and operator != "Exists":
            causes.append(invalid(join(tpath, "operator"), operator,
                                  "operator must be Exists when `key` is empty, which means "
                                  "\"match all values and all keys\""))
        if tol.get("tolerationSeconds") is not None and tol.get("effect") != "NoExecute":
            causes.append(invalid(join(tpath, "effect"), tol.get("effect", ""),
                                  "effect must be 'NoExecute' when `tolerationSeconds` is set"))
        if operator in ("", "Equal"):
            causes.extend(invalid(join(tpath, "operator"), tol.get("value", ""), m)
                          for m in is_label_value(str(tol.get("value", ""))))
        elif operator == "Exists":
            if tol.get("value"):
                causes.append(invalid(join(tpath, "operator"), tol["value"],
                                      "value must be empty when `operator` is 'Exists'"))
        else:
            causes.append(not_supported(join(tpath, "operator"), operator, ("Equal", "Exists")))
        effect = tol.get("effect", "")
        if effect and effect not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
            causes.append(not_supported(join(tpath, "effect"), effect,
                                        ("NoSchedule", "PreferNoSchedule", "NoExecute")))
    return causes


def validate_pod_template(template: dict | None, path: str) -> list[Cause]:
    """A workload's spec.template: labels, annotations and a pod spec."""
    if template is None:
        return [required(path)]
    meta = template.get("metadata") or {}
    causes = validate_labels(meta.get("labels"), join(join(path, "metadata"), "labels"))
    causes.extend(validate_annotations(meta.get("annotations"),
                                       join(join(path, "metadata"), "annotations")))
    causes.extend(validate_pod_spec(template.get("spec"), join(path, "spec")))
    return causes


def _strip_updatable(spec: dict, old: dict) -> tuple[dict, dict]:
    """Copies of the two specs with the fields a pod update may change made equal."""
    import copy
    new_spec, old_spec = copy.deepcopy(spec), copy.deepcopy(old)
    for section in ("containers", "initContainers"):
        for new_c, old_c in zip(new_spec.get(section) or [], old_spec.get(section) or []):
            new_c["image"] = old_c.get("image")
    new_spec.pop("activeDeadlineSeconds", None)
    old_spec.pop("activeDeadlineSeconds", None)
    old_tolerations = old_spec.get("tolerations") or []
    new_tolerations = new_spec.get("tolerations") or []
    if all(t in new_tolerations for t in old_tolerations):
        new_spec.pop("tolerations", None)
        old_spec.pop("tolerations", None)
    if (old_spec.get("terminationGracePeriodSeconds") or 0) < 0 and \
            new_spec.get("terminationGracePeriodSeconds") == 1:
        new_spec["terminationGracePeriodSeconds"] = old_spec["terminationGracePeriodSeconds"]
    # A pod that is bound keeps its node: the binding is not a spec change the user made.
    if not new_spec.get("nodeName") and old_spec.get("nodeName"):
        new_spec["nodeName"] = old_spec["nodeName"]
    return new_spec, old_spec


def _spec_diff(new: dict, old: dict) -> str:
    """A short account of what changed (upstream prints a Go struct diff here)."""
    lines = ["  core.PodSpec{"]
    for field in sorted(set(new) | set(old)):
        if new.get(field) != old.get(field):
            lines.append(f"- \t{field}: {old.get(field)!r},")
            lines.append(f"+ \t{field}: {new.get(field)!r},")
    lines.append("  }")
    return "\n".join(lines) + "\n"


def validate_pod_update(new: dict, old: dict) -> list[Cause]:
    causes: list[Cause] = []
    new_spec, old_spec = new.get("spec") or {}, old.get("spec") or {}
    if len(new_spec.get("containers") or []) != len(old_spec.get("containers") or []):
        return [forbidden("spec", "pod updates may not add or remove containers")]
    for i, container in enumerate(new_spec.get("containers") or []):
        if not container.get("image"):
            causes.append(required(f"spec.containers[{i}].image"))
    deadline, old_deadline = (new_spec.get("activeDeadlineSeconds"),
                              old_spec.get("activeDeadlineSeconds"))
    if old_deadline is not None and (deadline is None or deadline > old_deadline):
        causes.append(invalid("spec.activeDeadlineSeconds", deadline,
                              "must be less than or equal to previous value"
                              if deadline is not None else "must not update from a positive "
                              "integer to nil value"))
    stripped_new, stripped_old = _strip_updatable(new_spec, old_spec)
    if stripped_new != stripped_old:
        causes.append(forbidden("spec", "pod updates may not change fields other than "
                                f"{UPDATABLE_POD_FIELDS}\n{_spec_diff(stripped_new, stripped_old)}"))
    return causes

