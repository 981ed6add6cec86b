# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The StatefulSet controller: pods `<set>-0..N-1` with stable names, hostnames and
storage, created in order (OrderedReady) or all at once (Parallel), replaced by
RollingUpdate down to the partition or left for OnDelete, their templates kept as
ControllerRevisions. Decisions live in `statefulset_util`; this module reads the
informers and writes what they decide."""
from __future__ import annotations

from datetime import datetime, timezone

from kybernetes.api.selectors import SelectorError, selector_from_label_selector_object
from kybernetes.apiserver.errors import ApiError
from kybernetes.client.rest import resource
from kybernetes.controllers.base import Controller, controller_of, owner_keys
from kybernetes.controllers.history import (CONTROLLER_REVISIONS, POD_REVISION_LABEL,
                                            RevisionCollision, RevisionHistory, owned_revisions)
from kybernetes.controllers.statefulset_util import (Action, claim_owner_refs, claims_for,
                                                     is_available, is_member, is_ready,
                                                     ordinal_of, plan_sync, stateful_set_ref)

STATEFUL_SETS = resource("statefulsets.apps")
PODS = resource("pods")
CLAIMS = resource("persistentvolumeclaims")


def _with_kind(sts: dict) -> dict:
    return {**sts, "kind": "StatefulSet", "apiVersion": "apps/v1"}


class StatefulSetController(Controller):
    name = "statefulset"
    workers = 2

    def setup(self) -> None:
        self.sets = self.informer(STATEFUL_SETS)
        self.pods = self.informer(PODS)
        self.claims = self.informer(CLAIMS)
        self.revisions = self.informer(CONTROLLER_REVISIONS)
        self.history = RevisionHistory(self.client)
        self.enqueue_on_change(self.sets)
        self.enqueue_on_change(self.pods, self._keys_for_pod)
        self.enqueue_on_change(self.revisions, owner_keys("StatefulSet", "apps/"))

    def _keys_for_pod(self, pod: dict) -> list[str]:
        keys = owner_keys("StatefulSet", "apps/")(pod)
        if keys or controller_of(pod):
            return keys
        # an orphan: every set that would adopt it
        namespace = pod["metadata"].get("namespace")
        return [f"{namespace}/{s['metadata']['name']}" for s in self.sets.list(namespace)
                if is_member(s, pod) and self._selects(s, pod)]

    @staticmethod
    def _selects(sts: dict, pod: dict) -> bool:
        try:
            selector = selector_from_label_selector_object(sts["spec"].get("selector"))
        except SelectorError:
            return False
        return not selector.matches_nothing() and selector.matches(pod["metadata"].get("labels") or {})

    # ---------------------------------------------------------------- sync
    async def reconcile(self, key: str) -> None:
        sts = self.sets.get(key)
        if sts is None:
            return
        sts = _with_kind(sts)
        namespace = sts["metadata"]["namespace"]
        pods = await self._claim_pods(sts)
        revisions = owned_revisions(self.revisions.list(namespace), sts)
        try:
            current, update, collisions = await self.history.current_and_update(sts, revisions)
        except RevisionCollision:
            count = ((sts.get("status") or {}).get("collisionCount") or 0) + 1
            await self.client.update_status(STATEFUL_SETS, {
                **sts, "status": {**(sts.get("status") or {}), "collisionCount": count}})
            raise
        now = datetime.now(timezone.utc)
        plan = plan_sync(sts, pods, current, update, collisions, now)
        try:
            for action in plan.actions:
                await self._apply(sts, action)
            await self._sync_claim_owners(sts, pods)
        finally:
            await self._write_status(sts, plan.status)
        live = {current["metadata"]["name"], update["metadata"]["name"]}
        live |= {(p["metadata"].get("labels") or {}).get(POD_REVISION_LABEL, "") for p in pods}
        await self.history.prune(revisions + [r for r in (current, update) if r not in revisions],
                                 live, sts["spec"].get("revisionHistoryLimit", 10))
        self._recheck_availability(key, sts, pods, now)

    async def _claim_pods(self, sts: dict) -> list[dict]:
        """The set's pods: those it controls, plus matching orphans it adopts; those it
        controls that no longer match are released (controller-ref manager rules)."""
        uid = sts["metadata"]["uid"]
        deleting = bool(sts["metadata"].get("deletionTimestamp"))
        owned = []
        for pod in self.pods.list(sts["metadata"]["namespace"]):
            ref = controller_of(pod)
            matches = is_member(sts, pod) and self._selects(sts, pod)
            if ref is not None and ref.get("uid") == uid:
                if matches or deleting:
                    owned.append(pod)
                else:
                    await self._set_owner_refs(pod, [r for r in pod["metadata"]["ownerReferences"]
                                                     if r.get("uid") != uid])
            elif ref is None and matches and not deleting and not pod["metadata"].get("deletionTimestamp"):
                refs = list(pod["metadata"].get("ownerReferences") or []) + [stateful_set_ref(sts)]
                adopted = await self._set_owner_refs(pod, refs)
                if adopted is not None:
                    owned.append(adopted)
        return owned

    async def _set_owner_refs(self, pod: dict, refs: list[dict]) -> dict | None:
        patch = {"metadata": {"ownerReferences": refs,
                              "resourceVersion": pod["metadata"]["resourceVersion"]}}
        try:
            return await self.client.patch(PODS, pod["metadata"]["name"], patch,
                                           pod["metadata"]["namespace"])
        except ApiError as exc:
            if exc.code in (404, 409):
                return None
            raise

    async def _apply(self, sts: dict, action: Action) -> None:
        pod, namespace = action.pod, sts["metadata"]["namespace"]
        set_name, pod_name = sts["metadata"]["name"], action.pod["metadata"]["name"]
        if action.verb == "create":
            await self._create_claims(sts, action)
            try:
                await self.client.create(PODS, pod, namespace)
            except ApiError as exc:
                if exc.code == 409:
                    return  # our cache is behind: the next sync sees it
                self.recorder.event(sts, "Warning", "FailedCreate",
                                    f"create Pod {pod_name} in StatefulSet {set_name} failed error: {exc.message}")
                raise
            self.recorder.event(sts, "Normal", "SuccessfulCreate",
                                f"create Pod {pod_name} in StatefulSet {set_name} successful")
        elif action.verb == "delete":
            if action.reason.startswith("recreate-"):
                self.recorder.event(sts, "Warning", "RecreatingFailedPod" if action.reason.endswith("failed")
                                    else "RecreatingTerminatedPod",
                                    f"StatefulSet {namespace}/{set_name} is recreating "
                                    f"{'failed' if action.reason.endswith('failed') else 'terminated'} Pod {pod_name}")
            if action.reason == "scale-down":
                await self._sync_claim_owners(sts, [pod])
            try:
                await self.client.delete(PODS, pod_name, namespace, uid=pod["metadata"]["uid"])
            except ApiError as exc:
                if exc.code in (404, 409):
                    return
                self.recorder.event(sts, "Warning", "FailedDelete",
                                    f"delete Pod {pod_name} in StatefulSet {set_name} failed error: {exc.message}")
                raise
            self.recorder.event(sts, "Normal", "SuccessfulDelete",
                                f"delete Pod {pod_name} in StatefulSet {set_name} successful")
        elif action.verb == "relabel":
            ordinal = ordinal_of(pod)
            labels = {"statefulset.kubernetes.io/pod-name": pod_name,
                      "apps.kubernetes.io/pod-index": str(ordinal)}
            await self.client.patch(PODS, pod_name, {"metadata": {"labels": labels}}, namespace)
            self.recorder.event(sts, "Normal", "SuccessfulUpdate",
                                f"update Pod {pod_name} in StatefulSet {set_name} successful")

    async def _create_claims(self, sts: dict, action: Action) -> None:
        """Create the pod's missing PVCs first (they outlive it)."""
        set_name, pod_name = sts["metadata"]["name"], action.pod["metadata"]["name"]
        for claim in claims_for(sts, action.ordinal):
            namespace, name = claim["metadata"]["namespace"], claim["metadata"]["name"]
            existing = self.claims.get_by(namespace, name)
            if existing is not None:
                if existing["metadata"].get("deletionTimestamp"):
                    message = f"pvc {name} is being deleted"
                    self.recorder.event(sts, "Warning", "FailedCreate",
                                        f"create Claim {name} for Pod {pod_name} in StatefulSet "
                                        f"{set_name} failed error: {message}")
                    raise ApiError(409, "Conflict", message)
                continue
            refs = claim_owner_refs(claim, sts, action.ordinal, None)
            if refs:
                claim["metadata"]["ownerReferences"] = refs
            try:
                await self.client.create(CLAIMS, claim, namespace)
            except ApiError as exc:
                if exc.code == 409:
                    continue
                self.recorder.event(sts, "Warning", "FailedCreate",
                                    f"create Claim {name} for Pod {pod_name} in StatefulSet "
                                    f"{set_name} failed error: {exc.message}")
                raise
            self.recorder.event(sts, "Normal", "SuccessfulCreate",
                                f"create Claim {name} Pod {pod_name} in StatefulSet {set_name} success")

    async def _sync_claim_owners(self, sts: dict, pods: list[dict]) -> None:
        """Point each existing claim's owner references where the retention policy says."""
        if not sts["spec"].get("volumeClaimTemplates") or sts["metadata"].get("deletionTimestamp"):
            return
        for pod in pods:
            if pod["metadata"].get("deletionTimestamp"):
                continue
            ordinal = ordinal_of(pod)
            for claim in claims_for(sts, ordinal):
                existing = self.claims.get_by(claim["metadata"]["namespace"], claim["metadata"]["name"])
                if existing is None or existing["metadata"].get("deletionTimestamp"):
                    continue
                refs = claim_owner_refs(existing, sts, ordinal, pod)
                if refs is None:
                    continue
                try:
                    # an update, as upstream's (statefulset-controller may update claims, not patch)
                    await self.client.update(CLAIMS, {**existing, "metadata": {
                        **existing["metadata"], "ownerReferences": refs}})
                except ApiError as exc:
                    if exc.code != 404:
                        raise

    async def _write_status(self, sts: dict, status: dict) -> None:
        old = sts.get("status") or {}
        if all(old.get(k, 0 if isinstance(v, int) else "") == v for k, v in status.items()):
            return
        try:
            # an update, as upstream's (the controller's role may update status, not patch it)
            await self.client.update_status(STATEFUL_SETS, {**sts, "status": {**old, **status}})
        except ApiError as exc:
            if exc.code != 404:
                raise

    def _recheck_availability(self, key: str, sts: dict, pods: list[dict], now: datetime) -> None:
        """With minReadySeconds, a ready pod becomes available later without any event."""
        min_ready = sts["spec"].get("minReadySeconds") or 0
        if min_ready and any(is_ready(p) and not is_available(p, min_ready, now) for p in pods):
            self.queue.add_after(key, min(float(min_ready), 5.0))


CONTROLLERS = [StatefulSetController]
