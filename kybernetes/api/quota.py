# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""What an object costs against a ResourceQuota: pure functions shared by the quota
admission plugin and the resource-quota controller.

A quantity is kept as `(amount, format)` so sums print as upstream prints them (the
format of the first term wins: `512Mi + 512Mi` is `1Gi`). Resource names follow 1.32:
`pods`, `services`, `services.nodeports`, `services.loadbalancers`, `secrets`,
`configmaps`, `persistentvolumeclaims`, `replicationcontrollers`, `resourcequotas`,
`count/<resource>[.<group>]`, `requests.cpu|memory|ephemeral-storage|storage`,
`limits.cpu|memory|ephemeral-storage`, bare `cpu`/`memory`/`ephemeral-storage` (same
as requests), `<class>.storageclass.storage.k8s.io/requests.storage|persistentvolumeclaims`.
"""
from __future__ import annotations

from datetime import datetime, timezone
from fractions import Fraction
from typing import Iterable, Mapping

from kybernetes.api.quantity import DECIMAL_SI, format_quantity, parse_quantity_with_format

Amount = tuple[Fraction, str]
Amounts = dict[str, Amount]

ONE: Amount = (Fraction(1), DECIMAL_SI)
ZERO: Amount = (Fraction(0), DECIMAL_SI)

# Object counts that also have a name without the `count/` prefix.
LEGACY_COUNT_NAMES = {
    ("", "pods"): "pods", ("", "services"): "services", ("", "secrets"): "secrets",
    ("", "configmaps"): "configmaps", ("", "persistentvolumeclaims"): "persistentvolumeclaims",
    ("", "replicationcontrollers"): "replicationcontrollers",
    ("", "resourcequotas"): "resourcequotas",
}
POD_RESOURCES = frozenset({
    "count/pods", "pods", "cpu", "memory", "ephemeral-storage", "requests.cpu",
    "requests.memory", "requests.ephemeral-storage", "limits.cpu", "limits.memory",
    "limits.ephemeral-storage"})
SERVICE_RESOURCES = frozenset({"count/services", "services", "services.nodeports",
                               "services.loadbalancers"})
STORAGE_CLASS_SUFFIX = ".storageclass.storage.k8s.io/"
# If a quota tracks any of these, every container must say it (upstream's old rule).
POD_REQUIRED_NAMES = frozenset({"cpu", "memory", "requests.cpu", "requests.memory",
                                "limits.cpu", "limits.memory"})
NATIVE_RESOURCES = frozenset({"cpu", "memory", "ephemeral-storage", "storage", "pods"})


# ---------------------------------------------------------------------- arithmetic
def parse_amounts(values: Mapping[str, object] | None) -> Amounts:
    out: Amounts = {}
    for name, value in (values or {}).items():
        try:
            out[name] = parse_quantity_with_format(value)  # type: ignore[arg-type]
        except ValueError:
            continue
    return out


def render(amounts: Amounts) -> dict[str, str]:
    return {name: format_quantity(value, fmt) for name, (value, fmt) in sorted(amounts.items())}


def render_one(amount: Amount) -> str:
    return format_quantity(*amount)


def add(a: Amounts, b: Amounts) -> Amounts:
    """a + b per name; the sum keeps a's format unless a's amount is zero (then b's, as
    upstream's Quantity.Add does, so 0 + 256Mi prints as 256Mi)."""
    out = dict(a)
    for name, (value, fmt) in b.items():
        if name in out and out[name][0] != 0:
            out[name] = (out[name][0] + value, out[name][1])
        else:
            out[name] = (value, fmt)
    return out


def subtract_non_negative(a: Amounts, b: Amounts) -> Amounts:
    out: Amounts = {}
    for name, (value, fmt) in a.items():
        less = value - b.get(name, ZERO)[0]
        out[name] = (max(less, Fraction(0)), fmt)
    return out


def mask(amounts: Amounts, names: Iterable[str]) -> Amounts:
    wanted = set(names)
    return {name: value for name, value in amounts.items() if name in wanted}


def without_zeros(amounts: Amounts) -> Amounts:
    return {name: value for name, value in amounts.items() if value[0] != 0}


def exceeded(usage: Amounts, hard: Amounts) -> list[str]:
    """Names whose usage is above the hard limit (names without a limit never are)."""
    return sorted(name for name, (value, _) in usage.items()
                  if name in hard and value > hard[name][0])


def pretty(amounts: Amounts) -> str:
    """`pods=1,requests.cpu=500m`: how upstream's messages print a resource list."""
    return ",".join(f"{name}={render_one(amounts[name])}" for name in sorted(amounts))


def same_amounts(a: Amounts, b: Amounts) -> bool:
    return set(a) == set(b) and all(a[name][0] == b[name][0] for name in a)


def shrank(before: Amounts, after: Amounts) -> bool:
    """Whether some amount went down (a name that disappears counts as zero)."""
    return any(value > after.get(name, ZERO)[0] for name, (value, _) in before.items())


# ---------------------------------------------------------------------- names
def count_name(group: str, plural: str) -> str:
    return f"count/{plural}.{group}" if group else f"count/{plural}"


def matching_resources(group: str, plural: str, names: Iterable[str]) -> list[str]:
    """The quota resource names among `names` that objects of this kind consume."""
    out = []
    for name in names:
        if (group, plural) == ("", "pods"):
            hit = name in POD_RESOURCES or name.startswith(("hugepages-", "requests.hugepages-")) \
                or (name.startswith("requests.") and "/" in name
                    and name[len("requests."):] not in NATIVE_RESOURCES)
        elif (group, plural) == ("", "services"):
            hit = name in SERVICE_RESOURCES
        elif (group, plural) == ("", "persistentvolumeclaims"):
            hit = name in ("count/persistentvolumeclaims", "persistentvolumeclaims",
                           "requests.storage") or (
                STORAGE_CLASS_SUFFIX in name and name.endswith(
                    ("/requests.storage", "/persistentvolumeclaims")))
        else:
            hit = name == count_name(group, plural) or name == LEGACY_COUNT_NAMES.get((group, plural))
        if hit:
            out.append(name)
    return out


# ---------------------------------------------------------------------- pods
def is_terminal(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def _parse_time(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except (TypeError, ValueError):
        return None


def pod_is_charged(pod: dict, now: datetime | None = None) -> bool:
    """A pod costs compute quota unless terminal or past its deletion grace period."""
    if is_terminal(pod):
        return False
    meta = pod.get("metadata") or {}
    deleted_at = _parse_time(meta.get("deletionTimestamp") or "")
    if deleted_at is not None:
        grace = meta.get("deletionGracePeriodSeconds") or 0
        now = now or datetime.now(timezone.utc)
        if (now - deleted_at).total_seconds() > grace:
            return False
    return True


def _container_amounts(container: dict, kind: str) -> Amounts:
    return parse_amounts(((container.get("resources") or {}).get(kind)) or {})


def _max(a: Amounts, b: Amounts) -> Amounts:
    out = dict(a)
    for name, value in b.items():
        if name not in out or value[0] > out[name][0]:
            out[name] = value
    return out


def pod_aggregate(pod: dict, kind: str, with_overhead: bool = True) -> Amounts:
    """The pod's effective requests or limits (`kind`): containers and sidecars summed,
    each plain init container's need (plus sidecars started before it) as a floor, plus
    the pod overhead, as upstream's PodRequests/PodLimits."""
    spec = pod.get("spec") or {}
    total: Amounts = {}
    for container in spec.get("containers") or []:
        total = add(total, _container_amounts(container, kind))
    sidecars: Amounts = {}
    init_floor: Amounts = {}
    for container in spec.get("initContainers") or []:
        amounts = _container_amounts(container, kind)
        if container.get("restartPolicy") == "Always":
            sidecars = add(sidecars, amounts)
            init_floor = _max(init_floor, sidecars)
        else:
            init_floor = _max(init_floor, add(amounts, sidecars))
    total = _max(add(total, sidecars), init_floor)
    overhead = parse_amounts(spec.get("overhead")) if with_overhead else {}
    if overhead:
        total = add(total, mask(overhead, total) if kind == "limits" else overhead)
    return total


def _compute_usage(requests: Amounts, limits: Amounts) -> Amounts:
    out: Amounts = {"pods": ONE}
    for resource in ("cpu", "memory", "ephemeral-storage"):
        if resource in requests:
            out[resource] = requests[resource]
            out[f"requests.{resource}"] = requests[resource]
        if resource in limits:
            out[f"limits.{resource}"] = limits[resource]
    for name, value in requests.items():
        if name.startswith("hugepages-"):
            out[name] = value
            out[f"requests.{name}"] = value
        elif name not in NATIVE_RESOURCES and "/" in name:
            out[f"requests.{name}"] = value
    return out


def pod_usage(pod: dict, now: datetime | None = None) -> Amounts:
    usage: Amounts = {"count/pods": ONE}
    if not pod_is_charged(pod, now):
        return usage
    return add(usage, _compute_usage(pod_aggregate(pod, "requests"), pod_aggregate(pod, "limits")))


def is_best_effort(pod: dict) -> bool:
    spec = pod.get("spec") or {}
    for container in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        resources = container.get("resources") or {}
        for kind in ("requests", "limits"):
            for name, value in (resources.get(kind) or {}).items():
                if name in ("cpu", "memory") and parse_amounts({name: value}).get(name, ZERO)[0] != 0:
                    return False
    return True


def is_terminating(pod: dict) -> bool:
    deadline = (pod.get("spec") or {}).get("activeDeadlineSeconds")
    return isinstance(deadline, int) and deadline >= 0


def missing_container_resources(pod: dict, required: Iterable[str]) -> str | None:
    """Upstream's pod Constraints: when a quota tracks cpu or memory, every container
    must state it. Returns `must specify limits.cpu for: db,wp; ...` or None."""
    wanted = set(required) & POD_REQUIRED_NAMES
    if not wanted:
        return None
    missing: dict[str, set[str]] = {}
    spec = pod.get("spec") or {}
    for container in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        have = set(_compute_usage(_container_amounts(container, "requests"),
                                  _container_amounts(container, "limits")))
        for name in wanted - have:
            missing.setdefault(name, set()).add(container.get("name", ""))
    if not missing:
        return None
    return "must specify " + "; ".join(
        f"{name} for: {','.join(sorted(missing[name]))}" for name in sorted(missing))


# ---------------------------------------------------------------------- services, claims
def service_usage(service: dict) -> Amounts:
    spec = service.get("spec") or {}
    kind = spec.get("type", "ClusterIP")
    usage: Amounts = {"count/services": ONE, "services": ONE}
    if kind == "LoadBalancer":
        usage["services.loadbalancers"] = ONE
    ports = spec.get("ports") or []
    node_ports = 0
    if kind == "NodePort" or (kind == "LoadBalancer"
                              and spec.get("allocateLoadBalancerNodePorts", True) is not False):
        node_ports = len(ports)
    usage["services.nodeports"] = (Fraction(node_ports), DECIMAL_SI)
    return usage


def claim_storage_class(claim: dict) -> str:
    annotations = (claim.get("metadata") or {}).get("annotations") or {}
    return annotations.get("volume.beta.kubernetes.io/storage-class") or \
        (claim.get("spec") or {}).get("storageClassName") or ""


def claim_usage(claim: dict) -> Amounts:
    usage: Amounts = {"count/persistentvolumeclaims": ONE, "persistentvolumeclaims": ONE}
    storage_class = claim_storage_class(claim)
    if storage_class:
        usage[f"{storage_class}{STORAGE_CLASS_SUFFIX}persistentvolumeclaims"] = ONE
    requests = parse_amounts(((claim.get("spec") or {}).get("resources") or {}).get("requests"))
    if "storage" in requests:
        usage["requests.storage"] = requests["storage"]
        if storage_class:
            usage[f"{storage_class}{STORAGE_CLASS_SUFFIX}requests.storage"] = requests["storage"]
    return usage


# ---------------------------------------------------------------------- any object
def usage(group: str, plural: str, obj: dict, now: datetime | None = None) -> Amounts:
    """Everything `obj` (of resource `plural.group`) consumes."""
    if (group, plural) == ("", "pods"):
        return pod_usage(obj, now)
    if (group, plural) == ("", "services"):
        return service_usage(obj)
    if (group, plural) == ("", "persistentvolumeclaims"):
        return claim_usage(obj)
    out: Amounts = {count_name(group, plural): ONE}
    legacy = LEGACY_COUNT_NAMES.get((group, plural))
    if legacy:
        out[legacy] = ONE
    return out


def handles(group: str, plural: str, operation: str, subresource: str = "") -> bool:
    """Which writes can change usage (1.32: pods only on create; services and claims
    also on update; every other kind is an object count, charged on create)."""
    if subresource:
        return False
    if (group, plural) in (("", "services"), ("", "persistentvolumeclaims")):
        return operation in ("CREATE", "UPDATE")
    return operation == "CREATE"


def quota_scopes(quota: dict) -> list[dict]:
    """spec.scopes and spec.scopeSelector as one list of {scopeName, operator, values}."""
    spec = quota.get("spec") or {}
    out = [{"scopeName": scope, "operator": "Exists"} for scope in spec.get("scopes") or []]
    out.extend((spec.get("scopeSelector") or {}).get("matchExpressions") or [])
    return out


def _pod_matches_scope(pod: dict, scope: dict) -> bool:
    name = scope.get("scopeName")
    if name == "Terminating":
        return is_terminating(pod)
    if name == "NotTerminating":
        return not is_terminating(pod)
    if name == "BestEffort":
        return is_best_effort(pod)
    if name == "NotBestEffort":
        return not is_best_effort(pod)
    if name == "PriorityClass":
        priority_class = (pod.get("spec") or {}).get("priorityClassName") or ""
        operator, values = scope.get("operator"), scope.get("values") or []
        if operator == "Exists":
            return bool(priority_class)
        if operator == "DoesNotExist":
            return not priority_class
        if operator == "In":
            return bool(priority_class) and priority_class in values
        if operator == "NotIn":
            return not priority_class or priority_class not in values
        return False
    if name == "CrossNamespacePodAffinity":
        affinity = (pod.get("spec") or {}).get("affinity") or {}
        for section in ("podAffinity", "podAntiAffinity"):
            rules = affinity.get(section) or {}
            terms = list(rules.get("requiredDuringSchedulingIgnoredDuringExecution") or [])
            terms += [w.get("podAffinityTerm") or {} for w in
                      rules.get("preferredDuringSchedulingIgnoredDuringExecution") or []]
            if any(t.get("namespaces") or t.get("namespaceSelector") is not None for t in terms):
                return True
        return False
    return False


def matches_scopes(quota: dict, group: str, plural: str, obj: dict) -> bool:
    scopes = quota_scopes(quota)
    if not scopes:
        return True
    if (group, plural) != ("", "pods"):
        return False  # only pods have scopes; a scoped quota counts nothing else
    return all(_pod_matches_scope(obj, scope) for scope in scopes)


def quota_matches(quota: dict, hard_names: Iterable[str], group: str, plural: str,
                  obj: dict) -> bool:
    return bool(matching_resources(group, plural, hard_names)) and \
        matches_scopes(quota, group, plural, obj)


def calculate_used(quota: dict, objects_by_kind: Mapping[tuple[str, str], list[dict]],
                   now: datetime | None = None) -> Amounts:
    """status.used for `quota` from every object of each counted kind in its namespace.
    Each hard name some kind counts gets a value, 0 when nothing uses it."""
    hard = parse_amounts((quota.get("spec") or {}).get("hard"))
    used: Amounts = {}
    for (group, plural), objects in objects_by_kind.items():
        names = matching_resources(group, plural, hard)
        if not names:
            continue
        total: Amounts = {}
        for obj in objects:
            if matches_scopes(quota, group, plural, obj):
                total = add(total, mask(usage(group, plural, obj, now), names))
        for name in names:
            used[name] = total.get(name, ZERO)
    return used


def counted_kinds(hard_names: Iterable[str]) -> set[tuple[str, str]]:
    """(group, plural) of every kind whose objects a quota with these names counts."""
    out: set[tuple[str, str]] = set()
    for name in hard_names:
        if name in POD_RESOURCES or name.startswith(("hugepages-", "requests.hugepages-")):
            out.add(("", "pods"))
        elif name in SERVICE_RESOURCES:
            out.add(("", "services"))
        elif name == "requests.storage" or STORAGE_CLASS_SUFFIX in name:
            out.add(("", "persistentvolumeclaims"))
        elif name.startswith("count/"):
            plural, _, group = name[len("count/"):].partition(".")
            out.add((group, plural))
        elif name.startswith("requests."):
            out.add(("", "pods"))  # extended resources
        else:
            for kind, legacy in LEGACY_COUNT_NAMES.items():
                if legacy == name:
                    out.add(kind)
    return out
