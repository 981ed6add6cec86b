# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The EndpointSlice controller: for every Service with a selector, EndpointSlices named
`<service>-<random>` holding at most 100 endpoints each, one group of slices per address
type and per set of resolved ports, with ready/serving/terminating conditions. Endpoints
stay in the slice they are in while they exist, so a change rewrites few slices."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from kybernetes.apiserver.errors import ApiError
from kybernetes.client.rest import resource
from kybernetes.controllers.endpoints import (
    HEADLESS_LABEL, TRIGGER_TIME_ANNOTATION, ServiceInformers, find_port,
    last_change_trigger_time, manages_endpoints, pod_hostname, pod_ip_for_family, pod_ready,
    pod_reference, selected_pods, service_ip_families, should_pod_be_in_endpoints)

ENDPOINT_SLICES = resource("endpointslices.discovery.k8s.io")
NODES = resource("nodes")

MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by"
CONTROLLER_NAME = "endpointslice-controller.k8s.io"
SERVICE_NAME_LABEL = "kubernetes.io/service-name"
ZONE_LABEL = "topology.kubernetes.io/zone"
MAX_ENDPOINTS_PER_SLICE = 100  # --max-endpoints-per-slice
EXPECTATION_SECONDS = 10.0


def slice_port(service_port: dict, number: int) -> dict:
    port = {"name": service_port.get("name", ""), "port": number,
            "protocol": service_port.get("protocol", "TCP")}
    if service_port.get("appProtocol"):
        port["appProtocol"] = service_port["appProtocol"]
    return port


def ports_key(ports: list[dict]) -> tuple:
    return tuple(sorted((p.get("name") or "", p.get("port"), p.get("protocol", "TCP"),
                         p.get("appProtocol") or "") for p in ports or []))


def endpoint_for(pod: dict, ip: str, service: dict, nodes: dict[str, dict]) -> dict:
    serving = pod_ready(pod)
    terminating = bool(pod["metadata"].get("deletionTimestamp"))
    publish = bool((service.get("spec") or {}).get("publishNotReadyAddresses"))
    endpoint = {"addresses": [ip],
                "conditions": {"ready": publish or (serving and not terminating),
                               "serving": serving, "terminating": terminating}}
    hostname = pod_hostname(pod, service)
    if hostname:
        endpoint["hostname"] = hostname
    endpoint["targetRef"] = pod_reference(pod)
    node_name = (pod.get("spec") or {}).get("nodeName")
    if node_name:
        endpoint["nodeName"] = node_name
        zone = ((nodes.get(node_name) or {}).get("metadata", {}).get("labels") or {}).get(ZONE_LABEL)
        if zone:
            endpoint["zone"] = zone
    return endpoint


def endpoint_identity(endpoint: dict) -> tuple:
    return ((endpoint.get("targetRef") or {}).get("uid", ""), tuple(endpoint.get("addresses") or ()))


def desired_groups(service: dict, pods: list[dict],
                   nodes: dict[str, dict] | None = None) -> dict[tuple, tuple[list, list]]:
    """(addressType, ports key) -> (ports, endpoints) for the service's selected pods.
    Terminating pods stay, with terminating=true, as upstream keeps them."""
    nodes = nodes or {}
    groups: dict[tuple, tuple[list, list]] = {}
    service_ports = (service.get("spec") or {}).get("ports") or []
    for family in service_ip_families(service):
        for pod in pods:
            if not should_pod_be_in_endpoints(pod, True):
                continue
            ip = pod_ip_for_family(pod, family)
            if ip is None:
                continue
            ports = []
            for service_port in service_ports:
                number = find_port(pod, service_port)
                if number is not None:
                    ports.append(slice_port(service_port, number))
            key = (family, ports_key(ports))
            groups.setdefault(key, (ports, []))[1].append(endpoint_for(pod, ip, service, nodes))
    for _, endpoints in groups.values():
        endpoints.sort(key=endpoint_identity)
    return groups


def slice_labels(service: dict) -> dict:
    labels = dict(service["metadata"].get("labels") or {})
    labels[SERVICE_NAME_LABEL] = service["metadata"]["name"]
    labels[MANAGED_BY_LABEL] = CONTROLLER_NAME
    if (service.get("spec") or {}).get("clusterIP") == "None":
        labels[HEADLESS_LABEL] = ""
    else:
        labels.pop(HEADLESS_LABEL, None)
    return labels


def new_slice(service: dict, address_type: str, ports: list, endpoints: list,
              trigger_time: str) -> dict:
    meta = service["metadata"]
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"generateName": f"{meta['name']}-", "namespace": meta.get("namespace"),
                         "labels": slice_labels(service),
                         "annotations": {TRIGGER_TIME_ANNOTATION: trigger_time},
                         "ownerReferences": [{"apiVersion": "v1", "kind": "Service",
                                              "name": meta["name"], "uid": meta.get("uid"),
                                              "controller": True, "blockOwnerDeletion": True}]},
            "addressType": address_type, "endpoints": endpoints, "ports": ports}


@dataclass
class SlicePlan:
    creates: list[dict] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)


def plan_slices(service: dict, pods: list[dict], existing: list[dict],
                nodes: dict[str, dict] | None = None,
                max_per_slice: int = MAX_ENDPOINTS_PER_SLICE) -> SlicePlan:
    """The writes that bring the service's managed slices (`existing`) to what its pods
    say: endpoints updated in place, gone ones removed, new ones added to slices with room
    and then to new slices; empty slices deleted, except one placeholder when the service
    has no endpoints at all."""
    groups = desired_groups(service, pods, nodes)
    trigger = last_change_trigger_time(service, pods)
    labels = slice_labels(service)
    plan = SlicePlan()
    kept: dict[tuple, list[dict]] = {}  # group -> slices (copies) being kept
    changed: set[str] = set()
    for current in sorted(existing, key=lambda s: s["metadata"]["name"]):
        key = (current.get("addressType"), ports_key(current.get("ports") or []))
        if key not in groups:
            plan.deletes.append(current["metadata"]["name"])
            continue
        wanted = {endpoint_identity(e): e for e in groups[key][1]}
        endpoints = [wanted[endpoint_identity(e)] for e in current.get("endpoints") or []
                     if endpoint_identity(e) in wanted]
        copy = dict(current, metadata=dict(current["metadata"]), endpoints=endpoints)
        if endpoints != (current.get("endpoints") or []) or \
                (current["metadata"].get("labels") or {}) != labels:
            changed.add(current["metadata"]["name"])
        kept.setdefault(key, []).append(copy)
    for key, (ports, endpoints) in groups.items():
        placed = {endpoint_identity(e) for s in kept.get(key, []) for e in s["endpoints"]}
        fresh = [e for e in endpoints if endpoint_identity(e) not in placed]
        for current in kept.get(key, []):
            room = max_per_slice - len(current["endpoints"])
            if fresh and room > 0:
                current["endpoints"] = current["endpoints"] + fresh[:room]
                fresh = fresh[room:]
                changed.add(current["metadata"]["name"])
        for start in range(0, len(fresh), max_per_slice):
            plan.creates.append(new_slice(service, key[0], ports,
                                          fresh[start:start + max_per_slice], trigger))
    survivors = [s for slices in kept.values() for s in slices]
    for current in survivors:
        if not current["endpoints"]:
            plan.deletes.append(current["metadata"]["name"])
            changed.discard(current["metadata"]["name"])
    nonempty = [s for s in survivors if s["endpoints"]]
    for current in nonempty:
        if current["metadata"]["name"] in changed:
            current["metadata"]["labels"] = labels
            current["metadata"]["annotations"] = dict(
                current["metadata"].get("annotations") or {}, **{TRIGGER_TIME_ANNOTATION: trigger})
            plan.updates.append(current)
    if not nonempty and not plan.creates:
        # a service without endpoints keeps one empty placeholder slice, as upstream
        placeholder = [s for s in existing if not s.get("endpoints") and not s.get("ports")
                       and s.get("addressType") == service_ip_families(service)[0]]
        if placeholder:
            keep = placeholder[0]["metadata"]["name"]
            plan.deletes = [name for name in plan.deletes if name != keep]
            if (placeholder[0]["metadata"].get("labels") or {}) != labels:
                plan.updates.append(dict(placeholder[0], metadata=dict(
                    placeholder[0]["metadata"], labels=labels)))
        else:
            plan.creates.append(new_slice(service, service_ip_families(service)[0], [], [],
                                          trigger))
    else:
        reuse_placeholder(plan, existing)
    return plan


def reuse_placeholder(plan: SlicePlan, existing: list[dict]) -> None:
    """A placeholder about to be deleted while a new slice is created becomes that slice
    instead (one update rather than a create and a delete)."""
    by_name = {s["metadata"]["name"]: s for s in existing}
    for name in plan.deletes:
        placeholder = by_name.get(name)
        if placeholder is None or placeholder.get("endpoints") or placeholder.get("ports"):
            continue
        for index, created in enumerate(plan.creates):
            if created["addressType"] == placeholder.get("addressType"):
                plan.creates.pop(index)
                metadata = dict(placeholder["metadata"], labels=created["metadata"]["labels"])
                metadata["annotations"] = dict(placeholder["metadata"].get("annotations") or {},
                                               **created["metadata"]["annotations"])
                plan.updates.append(dict(placeholder, metadata=metadata,
                                         endpoints=created["endpoints"], ports=created["ports"]))
                plan.deletes.remove(name)
                return


def managed_by_us(endpoint_slice: dict) -> bool:
    return (endpoint_slice["metadata"].get("labels") or {}).get(MANAGED_BY_LABEL) == CONTROLLER_NAME


def service_key_of_slice(endpoint_slice: dict) -> str | None:
    labels = endpoint_slice["metadata"].get("labels") or {}
    name = labels.get(SERVICE_NAME_LABEL)
    if not name or labels.get(MANAGED_BY_LABEL) != CONTROLLER_NAME:
        return None
    return f"{endpoint_slice['metadata'].get('namespace')}/{name}"


class EndpointSliceController(ServiceInformers):
    name = "endpointslice"
    workers = 2

    def setup(self) -> None:
        self.watch_services_and_pods()
        self.nodes = self.informer(NODES)
        self.slices = self.informer(ENDPOINT_SLICES, indexers={
            "service": lambda s: [k] if (k := service_key_of_slice(s)) else []})
        self.enqueue_on_change(self.slices, service_key_of_slice)
        # our own writes the informer has not shown yet: service key -> (deadline,
        # {slice name: resourceVersion written, or None when deleted})
        self.expected: dict[str, tuple[float, dict[str, int | None]]] = {}

    def informer_caught_up(self, key: str, slices: list[dict]) -> bool:
        entry = self.expected.get(key)
        if entry is None:
            return True
        deadline, written = entry
        if time.monotonic() > deadline:
            del self.expected[key]
            return True
        by_name = {s["metadata"]["name"]: s for s in slices}
        for name, revision in written.items():
            current = by_name.get(name)
            if revision is None and current is not None:
                return False
            if revision is not None and (current is None or
                                         int(current["metadata"]["resourceVersion"]) < revision):
                return False
        del self.expected[key]
        return True

    async def reconcile(self, key: str) -> None:
        namespace, _, name = key.partition("/")
        service = self.services.get(key)
        if not manages_endpoints(service):
            return  # a deleted service's slices go with it (the garbage collector)
        existing = [s for s in self.slices.by_index("service", key) if managed_by_us(s)]
        if not self.informer_caught_up(key, existing):
            self.queue.add_after(key, 0.1)
            return
        # slices owned by an earlier service of the same name are not ours to reuse
        uid = service["metadata"].get("uid")
        stale = [s for s in existing if not any(
            ref.get("uid") == uid for ref in s["metadata"].get("ownerReferences") or [])]
        existing = [s for s in existing if s not in stale]
        pods = selected_pods(service, self.pods.list(namespace))
        plan = plan_slices(service, pods, existing, self.nodes.store)
        plan.deletes += [s["metadata"]["name"] for s in stale]
        if not (plan.creates or plan.updates or plan.deletes):
            return
        written: dict[str, int | None] = {}
        try:
            for endpoint_slice in plan.updates:
                result = await self.client.update(ENDPOINT_SLICES, endpoint_slice)
                written[result["metadata"]["name"]] = int(result["metadata"]["resourceVersion"])
            for endpoint_slice in plan.creates:
                result = await self.client.create(ENDPOINT_SLICES, endpoint_slice, namespace)
                written[result["metadata"]["name"]] = int(result["metadata"]["resourceVersion"])
            for slice_name in plan.deletes:
                try:
                    await self.client.delete(ENDPOINT_SLICES, slice_name, namespace)
                except ApiError as exc:
                    if exc.code != 404:
                        raise
                written[slice_name] = None
        except ApiError as exc:
            if exc.code == 403:  # namespace terminating
                return
            raise
        finally:
            if written:
                self.expected[key] = (time.monotonic() + EXPECTATION_SECONDS, written)


CONTROLLERS = [EndpointSliceController]
