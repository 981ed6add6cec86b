# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The PersistentVolume binder (upstream's persistentvolume-binder controller).

A claim binds to the best matching Available volume (kybernetes.controllers.volume_util
.find_best_match): the volume's `spec.claimRef` is written first, then the claim's
`spec.volumeName`, then both statuses become Bound; the annotations
`pv.kubernetes.io/bind-completed` and `pv.kubernetes.io/bound-by-controller` record
how. A claim with no fitting volume and a StorageClass is handed to the class's
provisioner: the claim is annotated `volume.kubernetes.io/storage-provisioner` and an
ExternalProvisioning event says what it waits for (kybernetes's own local-path
provisioner, kybernetes.controllers.localpath, answers to `rancher.io/local-path`).
A WaitForFirstConsumer claim waits until a pod using it is scheduled: the scheduler's
`volume.kubernetes.io/selected-node` annotation, or the node of a bound pod.
A volume whose claim is gone becomes Released; Retain keeps it so, Delete leaves it
to its provisioner (a volume without one fails to delete, as upstream without a
deleter plugin)."""
from __future__ import annotations

import asyncio
import copy
from datetime import datetime, timezone

from kybernetes.apiserver.admission_plugins.storageclass import default_class, wants_default_class
from kybernetes.apiserver.errors import ApiError
from kybernetes.client.events import EventRecorder
from kybernetes.client.rest import resource
from kybernetes.controllers import volume_util as vu
from kybernetes.controllers.base import Controller

PVS = resource("persistentvolumes")
PVCS = resource("persistentvolumeclaims")
PODS = resource("pods")
NODES = resource("nodes")
STORAGE_CLASSES = resource("storageclasses.storage.k8s.io")
RESYNC_SECONDS = 15.0  # --pvclaimbinder-sync-period


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def bound_volume(volume: dict, claim: dict) -> dict | None:
    """The volume with its claimRef pointing at `claim`, or None if it already does."""
    meta = claim["metadata"]
    ref = (volume.get("spec") or {}).get("claimRef") or {}
    if ref.get("name") == meta["name"] and ref.get("namespace") == meta["namespace"] and \
            ref.get("uid") == meta.get("uid"):
        return None
    out = copy.deepcopy(volume)
    if not vu.is_bound_to(volume, claim):
        out["metadata"].setdefault("annotations", {})[vu.ANN_BOUND_BY_CONTROLLER] = "yes"
    out["spec"]["claimRef"] = {"kind": "PersistentVolumeClaim", "apiVersion": "v1",
                               "namespace": meta["namespace"], "name": meta["name"],
                               "uid": meta.get("uid"), "resourceVersion": meta.get("resourceVersion")}
    return out


def bound_claim(claim: dict, volume: dict) -> dict | None:
    """The claim naming `volume` and marked bind-completed, or None if it already is."""
    name = volume["metadata"]["name"]
    notes = vu.annotations(claim)
    if (claim.get("spec") or {}).get("volumeName") == name and vu.ANN_BIND_COMPLETED in notes:
        return None
    out = copy.deepcopy(claim)
    out_notes = out["metadata"].setdefault("annotations", {})
    if out["spec"].get("volumeName") != name:
        out["spec"]["volumeName"] = name
        out_notes[vu.ANN_BOUND_BY_CONTROLLER] = "yes"
    out_notes[vu.ANN_BIND_COMPLETED] = "yes"
    return out


def claim_status(phase: str, volume: dict | None = None) -> dict:
    status: dict = {"phase": phase}
    if volume is not None:
        status["accessModes"] = list(volume["spec"].get("accessModes") or [])
        status["capacity"] = dict(volume["spec"].get("capacity") or {})
    return status


class PersistentVolumeBinder(Controller):
    name = "persistentvolume-binder"
    workers = 1  # one worker, as upstream: two could give one volume to two claims

    def setup(self) -> None:
        self.volumes = self.informer(PVS)
        self.claims = self.informer(PVCS)
        self.classes = self.informer(STORAGE_CLASSES)
        self.nodes = self.informer(NODES)
        self.pods = self.informer(PODS, indexers={"pvc": vu.claims_of_pod})
        self.events = EventRecorder(self.client, "persistentvolume-controller")
        self.enqueue_on_change(self.claims, self._claim_keys)
        self.enqueue_on_change(self.volumes, self._volume_keys)
        self.enqueue_on_change(self.pods, lambda p: ["claim:" + k for k in vu.claims_of_pod(p)])
        self.enqueue_on_change(self.classes, lambda c: self._unbound_claim_keys())

    @staticmethod
    def _claim_keys(claim: dict) -> list[str]:
        # a deleted claim releases its volume: look at that volume at once
        volume = (claim.get("spec") or {}).get("volumeName")
        return ["claim:" + vu.claim_key(claim), *(["volume:" + volume] if volume else [])]

    def _unbound_claim_keys(self) -> list[str]:
        return ["claim:" + vu.claim_key(c) for c in self.claims.list()
                if vu.ANN_BIND_COMPLETED not in vu.annotations(c)]

    def _volume_keys(self, volume: dict) -> list[str]:
        # a new or freed volume may be what a waiting claim needs
        return ["volume:" + volume["metadata"]["name"], *self._unbound_claim_keys()]

    async def run(self) -> None:
        await asyncio.gather(super().run(), self._resync())

    async def _resync(self) -> None:
        while True:
            await asyncio.sleep(RESYNC_SECONDS)
            for claim in self.claims.list():
                self.queue.add("claim:" + vu.claim_key(claim))
            for volume in self.volumes.list():
                self.queue.add("volume:" + volume["metadata"]["name"])

    async def reconcile(self, key: str) -> None:
        kind, _, name = key.partition(":")
        try:
            if kind == "claim":
                claim = self.claims.get(name)
                if claim is not None:
                    await self.sync_claim(claim)
            else:
                volume = self.volumes.get(name)
                if volume is not None:
                    await self.sync_volume(volume)
        except ApiError as exc:
            if exc.code != 404:
                raise

    # ---------------------------------------------------------------- claims
    async def sync_claim(self, claim: dict) -> None:
        if vu.ANN_BIND_COMPLETED in vu.annotations(claim):
            await self._sync_bound_claim(claim)
        else:
            await self._sync_unbound_claim(claim)

    async def _sync_unbound_claim(self, claim: dict) -> None:
        classes = {c["metadata"]["name"]: c for c in self.classes.list()}
        if wants_default_class(claim):
            chosen = default_class(list(classes.values()))
            if chosen is not None:  # a default class appeared after the claim (1.28+)
                fresh = copy.deepcopy(claim)
                fresh["spec"]["storageClassName"] = chosen["metadata"]["name"]
                try:
                    await self.client.update(PVCS, fresh)
                    return
                except ApiError as exc:
                    if exc.code != 422:  # 422: this server's validation refuses it; go on
                        raise
        wanted = (claim.get("spec") or {}).get("volumeName")
        if wanted:  # the claim asks for one volume by name
            volume = self.volumes.get(wanted)
            if volume is not None and (not volume["spec"].get("claimRef") or vu.is_bound_to(volume, claim)):
                await self._bind(volume, claim)
                return
            await self._set_claim_phase(claim, "Pending")
            return
        delay = vu.is_delay_binding(claim, classes)
        node_name = None
        if delay:
            users = self.pods.by_index("pvc", vu.claim_key(claim))
            node_name = vu.selected_node(claim, users)
            if node_name and not vu.annotations(claim).get(vu.ANN_SELECTED_NODE):
                # what the scheduler's VolumeBinding plugin records when it places the pod
                fresh = copy.deepcopy(claim)
                fresh["metadata"].setdefault("annotations", {})[vu.ANN_SELECTED_NODE] = node_name
                await self.client.update(PVCS, fresh)
                return
        node = self.nodes.get(node_name) if node_name else None
        volume = vu.find_best_match(claim, self.volumes.list(), delay_binding=delay,
                                    node=node if node_name else None)
        if volume is not None:
            await self._bind(volume, claim)
            return
        if delay and not node_name:
            reason, message = vu.wait_for_consumer_event(self.pods.by_index("pvc", vu.claim_key(claim)))
            await self.events.record(claim, "Normal", reason, message)
        elif vu.claim_class(claim):
            await self._provision(claim, classes.get(vu.claim_class(claim)))
            return
        else:
            await self.events.record(claim, "Normal", "FailedBinding",
                              "no persistent volumes available for this claim and no storage class is set")
        await self._set_claim_phase(claim, "Pending")

    async def _provision(self, claim: dict, storage_class: dict | None) -> None:
        class_name = vu.claim_class(claim)
        if storage_class is None:
            await self.events.record(claim, "Warning", "ProvisioningFailed",
                              f'storageclass.storage.k8s.io "{class_name}" not found')
            await self._set_claim_phase(claim, "Pending")
            return
        provisioner, error = vu.provisioner_for(storage_class.get("provisioner", ""))
        if error:
            await self.events.record(claim, "Warning", "ProvisioningFailed", error)
            await self._set_claim_phase(claim, "Pending")
            return
        notes = vu.annotations(claim)
        if notes.get(vu.ANN_STORAGE_PROVISIONER) != provisioner or \
                notes.get(vu.ANN_BETA_STORAGE_PROVISIONER) != provisioner:
            fresh = copy.deepcopy(claim)
            fresh_notes = fresh["metadata"].setdefault("annotations", {})
            fresh_notes[vu.ANN_STORAGE_PROVISIONER] = provisioner
            fresh_notes[vu.ANN_BETA_STORAGE_PROVISIONER] = provisioner
            claim = await self.client.update(PVCS, fresh)
        await self.events.record(claim, "Normal", "ExternalProvisioning",
                          vu.external_provisioning_message(provisioner))
        await self._set_claim_phase(claim, "Pending")

    async def _sync_bound_claim(self, claim: dict) -> None:
        name = (claim.get("spec") or {}).get("volumeName")
        if not name:
            await self._lose(claim, "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!")
            return
        volume = self.volumes.get(name)
        if volume is None:
            await self._lose(claim, "Bound claim has lost its PersistentVolume. Data on the volume is lost!")
            return
        if not volume["spec"].get("claimRef") or vu.is_bound_to(volume, claim):
            await self._bind(volume, claim)
            return
        await self._lose(claim, "Two claims are bound to the same volume, this one is bound incorrectly")

    async def _lose(self, claim: dict, message: str) -> None:
        if (claim.get("status") or {}).get("phase") != "Lost":
            await self.events.record(claim, "Warning", "ClaimLost", message)
            await self._set_claim_phase(claim, "Lost")

    async def _bind(self, volume: dict, claim: dict) -> None:
        """Volume first, then claim, each spec before status: a failure part way is
        finished by the next sync, from whichever side is seen first."""
        updated = bound_volume(volume, claim)
        if updated is not None:
            volume = await self.client.update(PVS, updated)
        volume = await self._set_volume_phase(volume, "Bound")
        updated_claim = bound_claim(claim, volume)
        if updated_claim is not None:
            claim = await self.client.update(PVCS, updated_claim)
        status = claim.get("status") or {}
        wanted = claim_status("Bound", volume)
        if any(status.get(k) != v for k, v in wanted.items()):
            fresh = copy.deepcopy(claim)
            fresh["status"] = {**status, **wanted}
            await self.client.update_status(PVCS, fresh)

    async def _set_claim_phase(self, claim: dict, phase: str) -> None:
        status = claim.get("status") or {}
        if status.get("phase") == phase:
            return
        fresh = copy.deepcopy(claim)
        fresh["status"] = {**status, "phase": phase}
        if phase != "Bound":
            fresh["status"].pop("capacity", None)
            fresh["status"].pop("accessModes", None)
        await self.client.update_status(PVCS, fresh)

    async def _set_volume_phase(self, volume: dict, phase: str, message: str | None = None) -> dict:
        status = volume.get("status") or {}
        if status.get("phase") == phase and status.get("message") == message:
            return volume
        fresh = copy.deepcopy(volume)
        fresh["status"] = {"phase": phase, "lastPhaseTransitionTime": _now()}
        if message:
            fresh["status"]["message"] = message
        return await self.client.update_status(PVS, fresh)

    # ---------------------------------------------------------------- volumes
    async def sync_volume(self, volume: dict) -> None:
        ref = (volume.get("spec") or {}).get("claimRef")
        if not ref or not ref.get("uid"):
            await self._set_volume_phase(volume, "Available")
            return
        claim = self.claims.get_by(ref.get("namespace"), ref.get("name", ""))
        if claim is not None and claim["metadata"].get("uid") != ref.get("uid"):
            claim = None  # a new claim of the same name is not this volume's claim
        if claim is None:
            # the informer may lag behind a claim just created: ask the server
            live = await self.client.get_or_none(PVCS, ref.get("name", ""), ref.get("namespace"))
            if live is not None and live["metadata"].get("uid") == ref.get("uid"):
                return
            await self._release(volume)
            return
        bound_to = (claim.get("spec") or {}).get("volumeName")
        if not bound_to:
            self.queue.add("claim:" + vu.claim_key(claim))  # binding still in progress
        elif bound_to == volume["metadata"]["name"]:
            await self._set_volume_phase(volume, "Bound")
        else:
            await self._unbind(volume)

    async def _release(self, volume: dict) -> None:
        phase = (volume.get("status") or {}).get("phase")
        if phase not in ("Released", "Failed"):
            volume = await self._set_volume_phase(volume, "Released")
        policy = volume["spec"].get("persistentVolumeReclaimPolicy") or "Retain"
        if policy != "Delete" or (volume.get("status") or {}).get("phase") == "Failed":
            return  # Retain: the administrator decides; Recycle is gone in practice
        if vu.annotations(volume).get(vu.ANN_PROVISIONED_BY):
            return  # its provisioner deletes it (local-path does: kybernetes.controllers.localpath)
        message = (f'error getting deleter volume plugin for volume "{volume["metadata"]["name"]}": '
                   f"no deletable volume plugin matched")
        await self.events.record(volume, "Warning", "VolumeFailedDelete", message)
        await self._set_volume_phase(volume, "Failed", message)

    async def _unbind(self, volume: dict) -> None:
        fresh = copy.deepcopy(volume)
        if vu.ANN_BOUND_BY_CONTROLLER in vu.annotations(volume):
            fresh["spec"].pop("claimRef", None)
            fresh["metadata"]["annotations"].pop(vu.ANN_BOUND_BY_CONTROLLER, None)
        else:  # reserved by its creator for that claim name: keep the reservation
            fresh["spec"]["claimRef"].pop("uid", None)
            fresh["spec"]["claimRef"].pop("resourceVersion", None)
        volume = await self.client.update(PVS, fresh)
        await self._set_volume_phase(volume, "Available")


CONTROLLERS = [PersistentVolumeBinder]
