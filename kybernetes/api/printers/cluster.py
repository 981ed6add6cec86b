# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Table printers for cluster-level and configuration kinds: Node, Namespace, Event,
Secret, ConfigMap, ServiceAccount, ResourceQuota, ComponentStatus, Lease, PriorityClass,
RuntimeClass, RBAC bindings, CertificateSigningRequest and the webhook configurations."""
from __future__ import annotations

from datetime import datetime

from .columns import NAME_DESCRIPTION, age_column, column, name_column, printer, wide
from .formatting import (NONE, UNKNOWN, age, dig, human_duration, meta, name_of, quantity,
                         since)

NODE_ROLE_PREFIX = "node-role.kubernetes.io/"
LEGACY_NODE_ROLE_LABEL = "kubernetes.io/role"


def node_roles(node: dict) -> list[str]:
    """Roles from `node-role.kubernetes.io/<role>` labels and the older `kubernetes.io/role`."""
    roles = set()
    for key, value in (meta(node).get("labels") or {}).items():
        if key.startswith(NODE_ROLE_PREFIX):
            role = key[len(NODE_ROLE_PREFIX):]
            if role:
                roles.add(role)
        elif key == LEGACY_NODE_ROLE_LABEL and value:
            roles.add(value)
    return sorted(roles)


def _node_address(node: dict, address_type: str) -> str:
    for address in dig(node, "status", "addresses", default=[]):
        if address.get("type") == address_type:
            return address.get("address", "")
    return NONE


@printer("", "Node", [
    name_column(),
    column("Status", description="The status of the node"),
    column("Roles", description="The roles of the node"),
    age_column(),
    column("Version", description="Kubelet version reported by the node."),
    wide("Internal-IP", "The node's internal address."),
    wide("External-IP", "The node's external address."),
    wide("OS-Image", "OS image reported by the node."),
    wide("Kernel-Version", "Kernel version reported by the node."),
    wide("Container-Runtime", "Container runtime version reported by the node."),
])
def node_cells(obj: dict, now: datetime) -> list:
    status: list[str] = []
    for condition in dig(obj, "status", "conditions", default=[]):
        if condition.get("type") == "Ready":
            status = ["Ready" if condition.get("status") == "True" else "NotReady"]
    if not status:
        status = ["Unknown"]
    if dig(obj, "spec", "unschedulable"):
        status.append("SchedulingDisabled")
    info = dig(obj, "status", "nodeInfo", default={})
    return [name_of(obj), ",".join(status), ",".join(node_roles(obj)) or NONE, age(obj, now),
            info.get("kubeletVersion", ""), _node_address(obj, "InternalIP"),
            _node_address(obj, "ExternalIP"), info.get("osImage") or UNKNOWN,
            info.get("kernelVersion") or UNKNOWN, info.get("containerRuntimeVersion") or UNKNOWN]


@printer("", "Namespace", [
    name_column(),
    column("Status", description="The status of the namespace"),
    age_column(),
])
def namespace_cells(obj: dict, now: datetime) -> list:
    return [name_of(obj), dig(obj, "status", "phase", default=""), age(obj, now)]


# --- events ------------------------------------------------------------------------------

EVENT_COLUMNS = [
    column("Last Seen", description="When the event was last observed."),
    column("Type", description="Type of this event (Normal, Warning)."),
    column("Reason", description="Why the action was taken, short and machine readable."),
    column("Object", description="The object this event is about."),
    wide("Subobject", "The part of the object the event is about."),
    wide("Source", "The component reporting this event."),
    column("Message", description="A human-readable description of the event."),
    wide("First Seen", "When the event was first recorded."),
    wide("Count", "The number of times this event has occurred."),
    column("Name", description=NAME_DESCRIPTION, priority=1, format_="name"),
]


def _event_cells(event: dict, now: datetime) -> list:
    """Cells of a core/v1-shaped event."""
    first_seen = since(event.get("firstTimestamp"), now)
    if not event.get("firstTimestamp"):
        first_seen = since(event.get("eventTime"), now)
    last_seen = since(event.get("lastTimestamp"), now) if event.get("lastTimestamp") else first_seen
    count = event.get("count") or 0
    series = event.get("series")
    if series is not None:
        last_seen = since(series.get("lastObservedTime"), now)
        count = series.get("count", 0)
    elif count == 0:
        count = 1  # singleton events of the new API carry no count
    involved = event.get("involvedObject") or {}
    target = (involved.get("kind") or "").lower()
    if involved.get("name"):
        target = f"{target}/{involved['name']}"
    source = event.get("source") or {}
    component = source.get("component") or event.get("reportingController") or ""
    host = source.get("host") or event.get("reportingInstance") or ""
    source_cell = f"{component}, {host}" if host else component
    return [last_seen, event.get("type", ""), event.get("reason", ""), target,
            involved.get("fieldPath", ""), source_cell, (event.get("message") or "").strip(),
            first_seen, count, name_of(event)]


@printer("", "Event", EVENT_COLUMNS)
def event_cells(obj: dict, now: datetime) -> list:
    return _event_cells(obj, now)


@printer("events.k8s.io", "Event", EVENT_COLUMNS)
def events_api_event_cells(obj: dict, now: datetime) -> list:
    """events.k8s.io events are printed by the core printer after conversion."""
    core = {
        "metadata": obj.get("metadata") or {},
        "involvedObject": obj.get("regarding") or {},
        "message": obj.get("note", ""),
        "source": obj.get("deprecatedSource") or {},
        "firstTimestamp": obj.get("deprecatedFirstTimestamp"),
        "lastTimestamp": obj.get("deprecatedLastTimestamp"),
        "count": obj.get("deprecatedCount", 0),
        "series": obj.get("series"),
        "eventTime": obj.get("eventTime"),
        "type": obj.get("type", ""),
        "reason": obj.get("reason", ""),
        "reportingController": obj.get("reportingController", ""),
        "reportingInstance": obj.get("reportingInstance", ""),
    }
    return _event_cells(core, now)


# --- configuration -----------------------------------------------------------------------

@printer("", "Secret", [
    name_column(),
    column("Type", description="Used to facilitate programmatic handling of secret data."),
    column("Data", description="Number of keys the secret holds."),
    age_column(),
])
def secret_cells(obj: dict, now: datetime) -> list:
    return [name_of(obj), obj.get("type", ""), len(obj.get("data") or {}), age(obj, now)]


@printer("", "ConfigMap", [
    name_column(),
    column("Data", description="Number of keys the config map holds."),
    age_column(),
])
def config_map_cells(obj: dict, now: datetime) -> list:
    keys = len(obj.get("data") or {}) + len(obj.get("binaryData") or {})
    return [name_of(obj), keys, age(obj, now)]


@printer("", "ServiceAccount", [
    name_column(),
    column("Secrets", description="Number of secrets listed on the service account."),
    age_column(),
])
def service_account_cells(obj: dict, now: datetime) -> list:
    return [name_of(obj), len(obj.get("secrets") or []), age(obj, now)]


@printer("", "ResourceQuota", [
    name_column(),
    column("Request", description="Used and hard amounts of requests and object counts."),
    column("Limit", description="Used and hard amounts of limits."),
    age_column(),
])
def resource_quota_cells(obj: dict, now: datetime) -> list:
    hard = dig(obj, "status", "hard", default={})
    used = dig(obj, "status", "used", default={})
    requests, limits = [], []
    for resource in sorted(hard):
        pieces = resource.split(".")
        column_items = limits if len(pieces) > 1 and pieces[0] == "limits" else requests
        used_now, limit = quantity(used.get(resource)), quantity(hard[resource])
        column_items.append(f"{resource}: {used_now}/{limit}")
    return [name_of(obj), ", ".join(requests), ", ".join(limits), age(obj, now)]


@printer("", "ComponentStatus", [
    name_column(),
    column("Status", description="Status of the component conditions"),
    column("Message", description="Message of the component conditions"),
    column("Error", description="Error of the component conditions"),
])
def component_status_cells(obj: dict, now: datetime) -> list:
    status, message, error = "Unknown", "", ""
    for condition in obj.get("conditions") or []:
        if condition.get("type") == "Healthy":
            status = "Healthy" if condition.get("status") == "True" else "Unhealthy"
            message = condition.get("message", "")
            error = condition.get("error", "")
            break
    return [name_of(obj), status, message, error]


@printer("coordination.k8s.io", "Lease", [
    name_column(),
    column("Holder", description="The current holder of the lease."),
    age_column(),
])
def lease_cells(obj: dict, now: datetime) -> list:
    return [name_of(obj), dig(obj, "spec", "holderIdentity", default=""), age(obj, now)]


@printer("scheduling.k8s.io", "PriorityClass", [
    name_column(),
    column("Value", "integer", "The priority pods of this class receive."),
    column("Global-Default", "boolean", "Whether pods without a class get this one."),
    age_column(),
    column("PreemptionPolicy", description="Whether pods of this class preempt others."),
])
def priority_class_cells(obj: dict, now: datetime) -> list:
    return [name_of(obj), obj.get("value", 0), bool(obj.get("globalDefault", False)),
            age(obj, now), obj.get("preemptionPolicy") or ""]


@printer("node.k8s.io", "RuntimeClass", [
    name_column(),
    column("Handler", description="The runtime handler the CRI uses for this class."),
    age_column(),
])
def runtime_class_cells(obj: dict, now: datetime) -> list:
    return [name_of(obj), obj.get("handler", ""), age(obj, now)]


# --- access ------------------------------------------------------------------------------

def _binding_columns(what: str) -> list[dict]:
    return [
        name_column(),
        column("Role", description="The role the binding grants."),
        age_column(),
        wide("Users", f"Users in the {what}"),
        wide("Groups", f"Groups in the {what}"),
        wide("ServiceAccounts", f"ServiceAccounts in the {what}"),
    ]


def _binding_cells(obj: dict, now: datetime) -> list:
    users, groups, service_accounts = [], [], []
    for subject in obj.get("subjects") or []:
        kind = subject.get("kind")
        if kind == "ServiceAccount":
            service_accounts.append(f"{subject.get('namespace', '')}/{subject.get('name', '')}")
        elif kind == "User":
            users.append(subject.get("name", ""))
        elif kind == "Group":
            groups.append(subject.get("name", ""))
    role_ref = obj.get("roleRef") or {}
    return [name_of(obj), f"{role_ref.get('kind', '')}/{role_ref.get('name', '')}",
            age(obj, now), ", ".join(users), ", ".join(groups), ", ".join(service_accounts)]


printer("rbac.authorization.k8s.io", "RoleBinding", _binding_columns("roleBinding"))(
    _binding_cells)
printer("rbac.authorization.k8s.io", "ClusterRoleBinding",
        _binding_columns("clusterRoleBinding"))(_binding_cells)


def csr_condition(csr: dict) -> str:
    """Approved / Denied / Pending, then `,Failed` and `,Issued` when they apply."""
    types = {c.get("type") for c in dig(csr, "status", "conditions", default=[])}
    if "Denied" in types:
        status = "Denied"
    elif "Approved" in types:
        status = "Approved"
    else:
        status = "Pending"
    if "Failed" in types:
        status += ",Failed"
    if dig(csr, "status", "certificate"):
        status += ",Issued"
    return status


@printer("certificates.k8s.io", "CertificateSigningRequest", [
    name_column(),
    age_column(),
    column("SignerName", description="The signer asked to sign the certificate."),
    column("Requestor", description="The user that created the request."),
    column("RequestedDuration", description="The validity the requestor asked for."),
    column("Condition", description="Whether the request is approved, denied and issued."),
])
def certificate_signing_request_cells(obj: dict, now: datetime) -> list:
    spec = obj.get("spec") or {}
    expiration = spec.get("expirationSeconds")
    return [name_of(obj), age(obj, now), spec.get("signerName") or NONE, spec.get("username", ""),
            NONE if expiration is None else human_duration(expiration), csr_condition(obj)]


def _webhook_cells(obj: dict, now: datetime) -> list:
    return [name_of(obj), len(obj.get("webhooks") or []), age(obj, now)]


_WEBHOOK_COLUMNS = [
    name_column(),
    column("Webhooks", "integer",
           "Webhooks indicates the number of webhooks registered in this configuration"),
    age_column(),
]
printer("admissionregistration.k8s.io", "MutatingWebhookConfiguration", _WEBHOOK_COLUMNS)(
    _webhook_cells)
printer("admissionregistration.k8s.io", "ValidatingWebhookConfiguration", _WEBHOOK_COLUMNS)(
    _webhook_cells)
