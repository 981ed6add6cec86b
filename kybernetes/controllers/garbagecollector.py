# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The garbage collector: a graph of ownerReferences over every kind with deletable
objects (built-in kinds and custom resources), kept by informers, and the deletions and
patches that carry out the Background, Foreground and Orphan propagation policies.

The graph is two indexes over the informers' stores: uid -> object, and owner uid ->
the objects referring to it. An item in the work queue is `group|plural|namespace/name`;
what to do with it is decided in `gc_graph` from the item, its owners' states and its
dependents. An owner not in the graph is looked up with a live GET before its dependents
are judged dangling, because informers of different kinds lag each other."""
from __future__ import annotations

from functools import partial

from kybernetes.api.crd import resource_types
from kybernetes.api.resources import VIRTUAL_KINDS, ResourceType, builtin_registry
from kybernetes.apiserver.errors import ApiError
from kybernetes.client.informer import Informer, object_key, split_key
from kybernetes.client.rest import resource
from kybernetes.controllers.base import Controller
from kybernetes.controllers.gc_graph import (
    DANGLING, CheckDependents, DeleteObject, RemoveFinalizer, SetOwnerReferences,
    being_deleted, decide_for_dependent, decide_for_owner, deleting_dependents,
    graph_relevant_change, meta, orphaning, owner_references, owner_state, reference_to)

CRDS = resource("customresourcedefinitions.apiextensions.k8s.io")
# upstream's default --ignored resources: events are never owners worth tracking
IGNORED = {("", "events"), ("events.k8s.io", "events")}
UNKNOWN_KIND_RETRY_SECONDS = 30.0


def deletable_builtin_types() -> list[ResourceType]:
    """Every built-in resource the collector watches (one version per resource)."""
    return [rt for rt in builtin_registry().all()
            if rt.preferred and rt.kind not in VIRTUAL_KINDS
            and (rt.group, rt.plural) not in IGNORED
            and all(verb in rt.verbs for verb in ("delete", "list", "watch"))]


def item_id(rt: ResourceType, obj: dict) -> str:
    return f"{rt.group}|{rt.plural}|{object_key(obj)}"


def established_type(crd: dict) -> ResourceType | None:
    conditions = (crd.get("status") or {}).get("conditions") or []
    if not any(c.get("type") == "Established" and c.get("status") == "True" for c in conditions):
        return None
    served = resource_types(crd)
    for rt in served:
        if rt.preferred:
            return rt
    return served[0] if served else None


class GarbageCollector(Controller):
    name = "garbagecollector"
    workers = 4

    def setup(self) -> None:
        self.by_uid: dict[str, str] = {}  # uid -> item id
        self.dependents: dict[str, set[str]] = {}  # owner uid -> item ids referring to it
        self.watched: dict[tuple[str, str], Informer] = {}  # (group, plural) -> informer
        self.types: dict[tuple[str, str], ResourceType] = {}  # (group, plural) -> type
        self.kinds: dict[tuple[str, str], ResourceType] = {}  # (group, kind) -> type
        for rt in deletable_builtin_types():
            self.watch(rt)
        self.crds = self.informer(CRDS)
        self.crds.add_handler(self.on_crd)

    # ---------------------------------------------------------------- graph upkeep
    def watch(self, rt: ResourceType) -> Informer:
        informer = self.informer(rt)
        self.watched[(rt.group, rt.plural)] = informer
        self.types[(rt.group, rt.plural)] = rt
        self.kinds[(rt.group, rt.kind)] = rt
        informer.add_handler(partial(self.on_change, rt))
        return informer

    async def on_crd(self, kind: str, old: dict | None, new: dict | None) -> None:
        if kind == "DELETED":
            old, new = old or new, None
        if new is not None:
            rt = established_type(new)
            if rt is not None and (rt.group, rt.plural) not in self.watched:
                self.watch(rt).start()  # the factory has started already
            return
        rt = established_type(old) if old is not None else None
        if rt is None:
            return
        informer = self.watched.pop((rt.group, rt.plural), None)
        self.types.pop((rt.group, rt.plural), None)
        self.kinds.pop((rt.group, rt.kind), None)
        if informer is not None:
            for factory_key, shared in list(self.informers.informers.items()):
                if shared is informer:
                    del self.informers.informers[factory_key]
            await informer.stop()
            prefix = f"{rt.group}|{rt.plural}|"
            for uid, known in list(self.by_uid.items()):
                if known.startswith(prefix):
                    del self.by_uid[uid]

    def on_change(self, rt: ResourceType, kind: str, old: dict | None, new: dict | None) -> None:
        if kind == "DELETED":  # a watch's DELETED carries the final state as `new`
            old, new = old or new, None
        if not graph_relevant_change(old, new):
            return
        obj = new if new is not None else old
        this = item_id(rt, obj)
        old_refs = {ref.get("uid") for ref in owner_references(old)} if old else set()
        new_refs = {ref.get("uid") for ref in owner_references(new)} if new else set()
        old_uid = meta(old).get("uid") if old else None
        new_uid = meta(new).get("uid") if new else None
        if old_uid and old_uid != new_uid and self.by_uid.get(old_uid) == this:
            del self.by_uid[old_uid]
            # the owner is gone: its dependents may now be dangling
            for dependent in self.dependents.get(old_uid, ()):
                self.queue.add(dependent)
        if new_uid:
            self.by_uid[new_uid] = this
        for uid in old_refs - new_refs:
            bucket = self.dependents.get(uid)
            if bucket is not None:
                bucket.discard(this)
                if not bucket:
                    del self.dependents[uid]
        for uid in new_refs - old_refs:
            self.dependents.setdefault(uid, set()).add(this)
        if new is not None and (new_refs or orphaning(new) or deleting_dependents(new)):
            self.queue.add(this)
        # an owner in the middle of orphaning or foreground deletion waits on this change
        for uid in old_refs | new_refs:
            owner_id = self.by_uid.get(uid)
            owner = self.lookup(owner_id) if owner_id else None
            if owner is not None and being_deleted(owner):
                self.queue.add(owner_id)

    def lookup(self, item: str) -> dict | None:
        group, plural, key = item.split("|", 2)
        informer = self.watched.get((group, plural))
        return informer.get(key) if informer is not None else None

    def dependents_of(self, uid: str) -> list[tuple[str, dict]]:
        out = []
        for dependent_id in sorted(self.dependents.get(uid, ())):
            dependent = self.lookup(dependent_id)
            if dependent is not None and reference_to(dependent, uid) is not None:
                out.append((dependent_id, dependent))
        return out

    def kind_type(self, api_version: str, kind: str) -> ResourceType | None:
        group = api_version.rpartition("/")[0]
        return self.kinds.get((group, kind))

    # ---------------------------------------------------------------- reconcile
    async def reconcile(self, key: str) -> None:
        group, plural, object_name = key.split("|", 2)
        rt = self.types.get((group, plural))
        obj = self.lookup(key)
        if rt is None or obj is None:
            return
        uid = meta(obj).get("uid", "")
        if being_deleted(obj):
            actions = decide_for_owner(obj, self.dependents_of(uid))
        elif owner_references(obj):
            states: dict[str, str] = {}
            for ref in owner_references(obj):
                state = await self.resolve(obj, ref)
                if state is None:
                    self.queue.add_after(key, UNKNOWN_KIND_RETRY_SECONDS)
                else:
                    states[ref.get("uid")] = state
            actions = decide_for_dependent(obj, states, bool(self.dependents_of(uid)))
        else:
            return
        await self.apply(rt, key, obj, actions)

    async def resolve(self, dependent: dict, ref: dict) -> str | None:
        """SOLID, DANGLING or WAITING for one owner reference; None for an unknown kind."""
        owner_rt = self.kind_type(ref.get("apiVersion", ""), ref.get("kind", ""))
        if owner_rt is None:
            return None
        namespace = meta(dependent).get("namespace")
        if owner_rt.namespaced and not namespace:
            self.recorder.event(dependent, "Warning", "OwnerRefInvalidNamespace",
                                f"ownerRef [{ref.get('apiVersion')}/{ref.get('kind')}, "
                                f"namespace: , name: {ref.get('name')}, uid: {ref.get('uid')}] "
                                "does not exist in namespace \"\"")
            return DANGLING
        owner_id = self.by_uid.get(ref.get("uid", ""))
        owner = self.lookup(owner_id) if owner_id else None
        if owner is not None and meta(owner).get("uid") == ref.get("uid"):
            return owner_state(owner, ref)
        # not in the graph (yet): ask the server, as upstream does, before judging
        live = await self.client.get_or_none(owner_rt, ref.get("name", ""),
                                             namespace if owner_rt.namespaced else None)
        return owner_state(live, ref)

    async def apply(self, rt: ResourceType, key: str, obj: dict, actions: list) -> None:
        namespace, name = split_key(key.split("|", 2)[2])
        for action in actions:
            if isinstance(action, DeleteObject):
                self.log.info("deleting %s %s/%s (%s)", rt.kind, namespace or "", name,
                              action.propagation)
                await self._ignore_gone(self.client.delete(
                    rt, name, namespace, propagation=action.propagation,
                    uid=meta(obj).get("uid")))
            elif isinstance(action, SetOwnerReferences):
                target_id = action.dependent or key
                target = obj if not action.dependent else self.lookup(target_id)
                if target is None:
                    continue
                group, plural, target_key = target_id.split("|", 2)
                target_rt = self.types.get((group, plural))
                if target_rt is None:
                    continue
                target_ns, target_name = split_key(target_key)
                patch = {"metadata": {"ownerReferences": list(action.owner_references) or None,
                                      "resourceVersion": meta(target).get("resourceVersion")}}
                await self._ignore_gone(self.client.patch(target_rt, target_name, patch, target_ns))
            elif isinstance(action, RemoveFinalizer):
                finalizers = [f for f in meta(obj).get("finalizers") or [] if f != action.finalizer]
                patch = {"metadata": {"finalizers": finalizers or None,
                                      "resourceVersion": meta(obj).get("resourceVersion")}}
                await self._ignore_gone(self.client.patch(rt, name, patch, namespace))
            elif isinstance(action, CheckDependents):
                for dependent in action.dependents:
                    self.queue.add(dependent)

    @staticmethod
    async def _ignore_gone(call) -> None:
        try:
            await call
        except ApiError as exc:
            # 404: already gone; a uid precondition failing on delete: a new object
            if exc.code == 404 or (exc.code == 409 and "Precondition failed: UID" in exc.message):
                return
            raise


CONTROLLERS = [GarbageCollector]
