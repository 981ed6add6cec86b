# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The endpoints controller: for every Service with a selector, an Endpoints object of
the same name listing the selected pods' IPs (ready ones under `addresses`, the others
under `notReadyAddresses`) with the service's ports resolved per pod (a named targetPort
is looked up among the pod's container ports). Services without a selector keep the
Endpoints their users write. The pod helpers here are shared with the EndpointSlice
controller."""
from __future__ import annotations

import copy

from kybernetes.api.selectors import selector_from_set
from kybernetes.apiserver.errors import ApiError
from kybernetes.client.rest import resource
from kybernetes.controllers.base import Controller

SERVICES = resource("services")
PODS = resource("pods")
ENDPOINTS = resource("endpoints")

TRIGGER_TIME_ANNOTATION = "endpoints.kubernetes.io/last-change-trigger-time"
OVER_CAPACITY_ANNOTATION = "endpoints.kubernetes.io/over-capacity"
HEADLESS_LABEL = "service.kubernetes.io/headless"
MAX_ENDPOINTS_ADDRESSES = 1000


# ----------------------------------------------------------------------------- pods
def pod_ready(pod: dict) -> bool:
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready":
            return condition.get("status") == "True"
    return False


def pod_ips(pod: dict) -> list[str]:
    status = pod.get("status") or {}
    ips = [entry.get("ip") for entry in status.get("podIPs") or [] if entry.get("ip")]
    if not ips and status.get("podIP"):
        ips = [status["podIP"]]
    return ips


def should_pod_be_in_endpoints(pod: dict, include_terminating: bool) -> bool:
    """A pod with an IP that is not finished for good (its restart policy decides)."""
    if not pod_ips(pod):
        return False
    if not include_terminating and pod["metadata"].get("deletionTimestamp"):
        return False
    phase = (pod.get("status") or {}).get("phase")
    policy = (pod.get("spec") or {}).get("restartPolicy", "Always")
    if policy == "Never":
        return phase not in ("Failed", "Succeeded")
    if policy == "OnFailure":
        return phase != "Succeeded"
    return True


def ip_family(ip: str) -> str:
    return "IPv6" if ":" in ip else "IPv4"


def service_ip_families(service: dict) -> list[str]:
    return list((service.get("spec") or {}).get("ipFamilies") or ["IPv4"])


def pod_ip_for_family(pod: dict, family: str) -> str | None:
    for ip in pod_ips(pod):
        if ip_family(ip) == family:
            return ip
    return None


def find_port(pod: dict, service_port: dict) -> int | None:
    """The container port a service port targets on this pod: a number as given, a name
    looked up among the pod's container ports (same protocol); None if the pod has none."""
    target = service_port.get("targetPort", service_port.get("port"))
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    protocol = service_port.get("protocol", "TCP")
    for container in (pod.get("spec") or {}).get("containers") or []:
        for port in container.get("ports") or []:
            if port.get("name") == target and port.get("protocol", "TCP") == protocol:
                return port.get("containerPort")
    return None


def pod_hostname(pod: dict, service: dict) -> str | None:
    """The pod's hostname when its subdomain names this service (headless DNS records)."""
    spec = pod.get("spec") or {}
    if spec.get("hostname") and spec.get("subdomain") == service["metadata"]["name"] \
            and pod["metadata"].get("namespace") == service["metadata"].get("namespace"):
        return spec["hostname"]
    return None


def pod_reference(pod: dict) -> dict:
    meta = pod["metadata"]
    return {"kind": "Pod", "namespace": meta.get("namespace"), "name": meta["name"],
            "uid": meta.get("uid")}


def selected_pods(service: dict, pods: list[dict]) -> list[dict]:
    selector = selector_from_set((service.get("spec") or {}).get("selector"))
    return [pod for pod in pods if selector.matches(pod["metadata"].get("labels"))]


def manages_endpoints(service: dict | None) -> bool:
    """Services with a selector get controller-written endpoints; the others keep their
    users' (and the `kubernetes` service keeps the API server's)."""
    if service is None:
        return False
    spec = service.get("spec") or {}
    return bool(spec.get("selector")) and spec.get("type") != "ExternalName"


def pod_endpoint_fields(pod: dict | None) -> tuple:
    """What of a pod can change a service's endpoints (other updates are skipped)."""
    if pod is None:
        return ()
    meta, spec, status = pod["metadata"], pod.get("spec") or {}, pod.get("status") or {}
    return (meta.get("labels"), meta.get("deletionTimestamp"), tuple(pod_ips(pod)),
            pod_ready(pod), status.get("phase"), spec.get("nodeName"), spec.get("hostname"),
            spec.get("subdomain"), [c.get("ports") for c in spec.get("containers") or []])


def ready_transition_time(pod: dict) -> str:
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready" and condition.get("lastTransitionTime"):
            return condition["lastTransitionTime"]
    return pod["metadata"].get("creationTimestamp", "")


def last_change_trigger_time(service: dict, pods: list[dict]) -> str:
    """The latest change among the service and its pods that these endpoints reflect."""
    times = [service["metadata"].get("creationTimestamp", "")]
    times += [ready_transition_time(pod) for pod in pods]
    return max(t for t in times if t is not None)


# ----------------------------------------------------------------------------- Endpoints
def _port_key(port: dict) -> tuple:
    return (port.get("name", ""), port["port"], port.get("protocol", "TCP"))


def endpoint_port(service_port: dict, number: int) -> dict:
    port = {"port": number, "protocol": service_port.get("protocol", "TCP")}
    if service_port.get("name"):
        port["name"] = service_port["name"]
    if service_port.get("appProtocol"):
        port["appProtocol"] = service_port["appProtocol"]
    return port


def endpoint_address(pod: dict, ip: str, service: dict) -> dict:
    address = {"ip": ip}
    hostname = pod_hostname(pod, service)
    if hostname:
        address["hostname"] = hostname
    if (pod.get("spec") or {}).get("nodeName"):
        address["nodeName"] = pod["spec"]["nodeName"]
    address["targetRef"] = pod_reference(pod)
    return address


def desired_subsets(service: dict, pods: list[dict]) -> list[dict]:
    """Endpoints subsets for a service's selected pods: addresses grouped by the exact set
    of ports they serve (upstream's repacking), sorted for stable output."""
    spec = service.get("spec") or {}
    tolerate_unready = bool(spec.get("publishNotReadyAddresses"))
    family = service_ip_families(service)[0]
    headless = spec.get("clusterIP") == "None"
    ports = spec.get("ports") or []
    groups: dict[tuple, dict] = {}  # port-set key -> {"ports", "ready", "notReady"}
    for pod in pods:
        if not should_pod_be_in_endpoints(pod, tolerate_unready):
            continue
        ip = pod_ip_for_family(pod, family)
        if ip is None:
            continue
        address = endpoint_address(pod, ip, service)
        ready = tolerate_unready or pod_ready(pod)
        served = []
        for service_port in ports:
            number = find_port(pod, service_port)
            if number is not None:
                served.append(endpoint_port(service_port, number))
        if not served and not (headless and not ports):
            continue
        served.sort(key=_port_key)
        key = tuple(_port_key(p) for p in served)
        group = groups.setdefault(key, {"ports": served, "ready": [], "notReady": []})
        group["ready" if ready else "notReady"].append(address)
    subsets = []
    for key in sorted(groups):
        group = groups[key]
        subset: dict = {}
        if group["ready"]:
            subset["addresses"] = sorted(group["ready"], key=_address_key)
        if group["notReady"]:
            subset["notReadyAddresses"] = sorted(group["notReady"], key=_address_key)
        if group["ports"]:
            subset["ports"] = group["ports"]
        subsets.append(subset)
    return subsets


def _address_key(address: dict) -> tuple:
    return (address["ip"], (address.get("targetRef") or {}).get("uid", ""))


def truncate_subsets(subsets: list[dict], limit: int = MAX_ENDPOINTS_ADDRESSES) -> tuple[list[dict], bool]:
    """At most `limit` addresses in all (upstream caps Endpoints at 1000), ready first."""
    total = sum(len(s.get("addresses") or []) + len(s.get("notReadyAddresses") or [])
                for s in subsets)
    if total <= limit:
        return subsets, False
    remaining = limit
    out = []
    for field in ("addresses", "notReadyAddresses"):
        for subset in subsets:
            take = (subset.get(field) or [])[:remaining]
            remaining -= len(take)
            if take:
                out.append({field: take, "ports": subset.get("ports") or []})
    return out, True


def desired_labels(service: dict) -> dict:
    labels = dict(service["metadata"].get("labels") or {})
    if (service.get("spec") or {}).get("clusterIP") == "None":
        labels[HEADLESS_LABEL] = ""
    else:
        labels.pop(HEADLESS_LABEL, None)
    return labels


def desired_endpoints(service: dict, pods: list[dict], current: dict | None) -> dict | None:
    """The Endpoints to write for `service` given its selected pods, or None when
    `current` already says it (the trigger-time annotation only moves with content)."""
    subsets, truncated = truncate_subsets(desired_subsets(service, pods))
    labels = desired_labels(service)
    meta = service["metadata"]
    if current is not None:
        annotations = current["metadata"].get("annotations") or {}
        if (current.get("subsets") or []) == subsets and \
                (current["metadata"].get("labels") or {}) == labels and \
                (OVER_CAPACITY_ANNOTATION in annotations) == truncated:
            return None
        wanted = copy.deepcopy(current)
    else:
        wanted = {"apiVersion": "v1", "kind": "Endpoints",
                  "metadata": {"name": meta["name"], "namespace": meta.get("namespace")}}
    wanted["metadata"]["labels"] = labels
    annotations = dict(wanted["metadata"].get("annotations") or {})
    annotations[TRIGGER_TIME_ANNOTATION] = last_change_trigger_time(service, pods)
    if truncated:
        annotations[OVER_CAPACITY_ANNOTATION] = "truncated"
    else:
        annotations.pop(OVER_CAPACITY_ANNOTATION, None)
    wanted["metadata"]["annotations"] = annotations
    wanted["subsets"] = subsets
    return wanted


def services_selecting(services: list[dict], pod: dict) -> list[dict]:
    labels = pod["metadata"].get("labels") or {}
    return [svc for svc in services if manages_endpoints(svc)
            and selector_from_set(svc["spec"]["selector"]).matches(labels)]


# ----------------------------------------------------------------------------- controller
class ServiceInformers(Controller):
    """Shared wiring: services and pods, with pod changes queued to the services that
    select the pod (before or after the change)."""

    def watch_services_and_pods(self) -> None:
        self.services = self.informer(SERVICES)
        self.pods = self.informer(PODS)
        self.enqueue_on_change(self.services)

        def on_pod(kind: str, old: dict | None, new: dict | None) -> None:
            if kind == "MODIFIED" and pod_endpoint_fields(old) == pod_endpoint_fields(new):
                return
            for pod in (old, new):
                if pod is None:
                    continue
                namespace = pod["metadata"].get("namespace")
                for svc in services_selecting(self.services.list(namespace), pod):
                    self.queue.add(f"{namespace}/{svc['metadata']['name']}")
        self.pods.add_handler(on_pod)


class EndpointsController(ServiceInformers):
    name = "endpoint"
    workers = 2

    def setup(self) -> None:
        self.watch_services_and_pods()
        self.endpoints = self.informer(ENDPOINTS)

        def on_endpoints(kind: str, old: dict | None, new: dict | None) -> None:
            gone = old or new
            if kind == "DELETED" and gone is not None:  # recreate what someone removed
                meta = gone["metadata"]
                self.queue.add(f"{meta.get('namespace')}/{meta['name']}")
        self.endpoints.add_handler(on_endpoints)

    async def reconcile(self, key: str) -> None:
        namespace, _, name = key.partition("/")
        service = self.services.get(key)
        current = self.endpoints.get(key)
        if service is None:
            if current is not None and key != "default/kubernetes":
                try:
                    await self.client.delete(ENDPOINTS, name, namespace)
                except ApiError as exc:
                    if exc.code != 404:
                        raise
            return
        if not manages_endpoints(service):
            return
        pods = selected_pods(service, self.pods.list(namespace))
        wanted = desired_endpoints(service, pods, current)
        if wanted is None:
            return
        if current is None:
            try:
                await self.client.create(ENDPOINTS, wanted, namespace)
            except ApiError as exc:
                if exc.code == 409 and exc.reason == "AlreadyExists":
                    self.queue.add_after(key, 0.2)  # the informer lags: look again
                    return
                if exc.code == 403:  # namespace terminating
                    return
                raise
        else:
            await self.client.update(ENDPOINTS, wanted)


CONTROLLERS = [EndpointsController]
