# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""VolumeBinding: pods with PersistentVolumeClaims go where their volumes can be.

A bound claim's volume must allow the node (PV nodeAffinity, and the legacy zone label
topology.kubernetes.io/zone). An unbound claim of a WaitForFirstConsumer class is decided
with the pod: a matching available PV that allows the node, or a class that may
provision there (allowedTopologies); on binding the scheduler sets the claim's
volume.kubernetes.io/selected-node annotation (or the chosen PV's claimRef) and waits
for the claim to be bound. An unbound claim of an Immediate class waits for the volume
controller."""
from __future__ import annotations

import asyncio
import logging

from kybernetes.api.quantity import parse_quantity
from kybernetes.scheduler.framework import ERROR, SKIPPED, Plugin, Status, unresolvable
from kybernetes.scheduler.labels import compile_node_selector, compile_node_selector_term

log = logging.getLogger("kybernetes.scheduler")
SELECTED_NODE = "volume.kubernetes.io/selected-node"
ZONE_LABELS = ("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone")
UNBOUND_IMMEDIATE = "pod has unbound immediate PersistentVolumeClaims"
CONFLICT = "node(s) had volume node affinity conflict"
NO_VOLUME = "node(s) didn't find available persistent volumes to bind"
NO_ZONE = "node(s) had no available volume zone"
BIND_TIMEOUT = 600.0


def pv_allows(pv: dict, labels: dict, name: str) -> bool:
    required = ((pv.get("spec") or {}).get("nodeAffinity") or {}).get("required")
    matcher = compile_node_selector(required)
    return matcher is None or matcher(labels, name)


def pv_zone_ok(pv: dict, labels: dict) -> bool:
    pv_labels = (pv.get("metadata") or {}).get("labels") or {}
    for key in ZONE_LABELS:
        if key in pv_labels:
            zones = set(pv_labels[key].split("__"))
            if labels.get(key) not in zones:
                return False
    return True


def pv_matches_claim(pv: dict, claim: dict, class_name: str) -> bool:
    spec, claim_spec = pv.get("spec") or {}, claim.get("spec") or {}
    if (pv.get("status") or {}).get("phase", "Available") != "Available" or spec.get("claimRef"):
        return False
    if (spec.get("storageClassName") or "") != class_name:
        return False
    if not set(claim_spec.get("accessModes") or []) <= set(spec.get("accessModes") or []):
        return False
    wanted = ((claim_spec.get("resources") or {}).get("requests") or {}).get("storage", "0")
    have = (spec.get("capacity") or {}).get("storage", "0")
    if parse_quantity(str(have)) < parse_quantity(str(wanted)):
        return False
    if (claim_spec.get("volumeMode") or "Filesystem") != (spec.get("volumeMode") or "Filesystem"):
        return False
    selector = claim_spec.get("selector")
    if selector:
        from kybernetes.scheduler.labels import compile_label_selector
        if not compile_label_selector(selector)((pv.get("metadata") or {}).get("labels") or {}):
            return False
    return True


def class_allows(storage_class: dict, labels: dict, name: str) -> bool:
    topologies = storage_class.get("allowedTopologies") or []
    if not topologies:
        return True
    for term in topologies:
        expressions = [{"key": e.get("key"), "operator": "In", "values": e.get("values") or []}
                       for e in term.get("matchLabelExpressions") or []]
        if compile_node_selector_term({"matchExpressions": expressions})(labels, name):
            return True
    return False


class VolumeBinding(Plugin):
    name = "VolumeBinding"

    def __init__(self, args=None, handle=None) -> None:
        super().__init__(args, handle)
        self.bind_timeout = float(self.args.get("bindTimeoutSeconds", BIND_TIMEOUT))

    def pre_filter(self, state, pod, snapshot):
        volumes = [v for v in (pod.pod.get("spec") or {}).get("volumes") or []
                   if v.get("persistentVolumeClaim")]
        if not volumes:
            return SKIPPED
        lookups = snapshot.lookups
        bound, delayed = [], []
        for volume in volumes:
            claim_name = volume["persistentVolumeClaim"].get("claimName", "")
            claim = lookups.claims.get(f"{pod.namespace}/{claim_name}")
            if claim is None:
                return unresolvable(f'persistentvolumeclaim "{claim_name}" not found', plugin=self.name)
            if (claim.get("metadata") or {}).get("deletionTimestamp"):
                return unresolvable(f'persistentvolumeclaim "{claim_name}" is being deleted',
                                    plugin=self.name)
            volume_name = (claim.get("spec") or {}).get("volumeName")
            if volume_name:
                pv = lookups.volumes.get(volume_name)
                if pv is None:
                    return unresolvable("pvc(s) bound to non-existent pv(s)", plugin=self.name)
                bound.append(pv)
                continue
            class_name = (claim.get("spec") or {}).get("storageClassName") or ""
            storage_class = lookups.storage_classes.get(class_name)
            if storage_class is None or storage_class.get("volumeBindingMode") != "WaitForFirstConsumer":
                return unresolvable(UNBOUND_IMMEDIATE, plugin=self.name)
            delayed.append((claim, class_name, storage_class))
        state["volumes"] = (bound, delayed, lookups)
        return None

    def filter(self, state, pod, node):
        bound, delayed, lookups = state["volumes"]
        for pv in bound:
            if not pv_allows(pv, node.labels, node.name):
                return unresolvable(CONFLICT, plugin=self.name)
            if not pv_zone_ok(pv, node.labels):
                return unresolvable(NO_ZONE, plugin=self.name)
        for claim, class_name, storage_class in delayed:
            if self._static_match(claim, class_name, lookups, node) is None and not (
                    storage_class.get("provisioner") not in (None, "", "kubernetes.io/no-provisioner")
                    and class_allows(storage_class, node.labels, node.name)):
                return unresolvable(NO_VOLUME, plugin=self.name)
        return None

    @staticmethod
    def _static_match(claim, class_name, lookups, node) -> dict | None:
        for pv in lookups.volumes.values():
            if pv_matches_claim(pv, claim, class_name) and pv_allows(pv, node.labels, node.name):
                return pv
        return None

    def reserve(self, state, pod, node_name):
        return None

    def unreserve(self, state, pod, node_name):
        return None

    async def pre_bind(self, state, pod, node_name):
        if "volumes" not in state:
            return None
        _, delayed, lookups = state["volumes"]
        if not delayed:
            return None
        client = self.handle.client if self.handle else None
        if client is None:
            return None
        from kybernetes.client.rest import resource
        claims_rt, volumes_rt = resource("persistentvolumeclaims"), resource("persistentvolumes")
        for claim, class_name, _ in delayed:
            meta = claim["metadata"]
            node_info = state.get("node_info_for_bind")
            pv = self._static_match(claim, class_name, lookups, node_info) if node_info else None
            if pv is not None:
                await client.patch(volumes_rt, pv["metadata"]["name"], {"spec": {"claimRef": {
                    "apiVersion": "v1", "kind": "PersistentVolumeClaim", "name": meta["name"],
                    "namespace": meta["namespace"], "uid": meta.get("uid")}}})
            else:
                await client.patch(claims_rt, meta["name"], {"metadata": {"annotations": {
                    SELECTED_NODE: node_name}}}, meta["namespace"])
        # wait until the volume controller has bound every claim
        deadline = asyncio.get_running_loop().time() + self.bind_timeout
        while True:
            unbound = []
            for claim, _, _ in delayed:
                meta = claim["metadata"]
                current = await client.get_or_none(claims_rt, meta["name"], meta["namespace"])
                if current is None:
                    return unresolvable(f'persistentvolumeclaim "{meta["name"]}" not found')
                if (current.get("status") or {}).get("phase") != "Bound":
                    unbound.append(meta["name"])
            if not unbound:
                return None
            if asyncio.get_running_loop().time() > deadline:
                return Status(ERROR, "binding volumes: context deadline exceeded")
            await asyncio.sleep(0.5)
