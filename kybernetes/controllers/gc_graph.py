# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The garbage collector's decisions, as plain functions: given an object, what is known
of its owners and its dependents, which writes follow.

Three deletion modes meet here. Background: an owner is simply gone, so its dependents
find their owner reference dangling and are deleted. Foreground: the owner stays, with a
deletionTimestamp and the `foregroundDeletion` finalizer, while its dependents are deleted;
the finalizer goes once no dependent with blockOwnerDeletion is left. Orphan: the owner
stays with the `orphan` finalizer until every dependent has lost its reference to it."""
from __future__ import annotations

from dataclasses import dataclass, field

ORPHAN = "orphan"
FOREGROUND = "foregroundDeletion"

# what an owner reference resolves to
SOLID = "solid"  # the owner exists and is not waiting for its dependents
DANGLING = "dangling"  # no such owner (absent, or a different uid under that name)
WAITING = "waiting"  # the owner is being deleted in the foreground


@dataclass(frozen=True)
class DeleteObject:
    """Delete the object itself (with its uid as precondition) using `propagation`."""
    propagation: str


@dataclass(frozen=True)
class SetOwnerReferences:
    """Replace the object's ownerReferences (some removed); `dependent` names whose."""
    dependent: str
    owner_references: tuple = field(default=())


@dataclass(frozen=True)
class RemoveFinalizer:
    finalizer: str


@dataclass(frozen=True)
class CheckDependents:
    """Look at these dependents again (the owner began foreground deletion)."""
    dependents: tuple


def meta(obj: dict) -> dict:
    return obj.get("metadata") or {}


def owner_references(obj: dict) -> list[dict]:
    return meta(obj).get("ownerReferences") or []


def being_deleted(obj: dict) -> bool:
    return bool(meta(obj).get("deletionTimestamp"))


def deleting_dependents(obj: dict) -> bool:
    """Deleted with propagationPolicy=Foreground and not yet released."""
    return being_deleted(obj) and FOREGROUND in (meta(obj).get("finalizers") or [])


def orphaning(obj: dict) -> bool:
    return being_deleted(obj) and ORPHAN in (meta(obj).get("finalizers") or [])


def owner_state(owner: dict | None, ref: dict) -> str:
    """How `ref` resolves, given the live owner under that name (None when absent)."""
    if owner is None or meta(owner).get("uid") != ref.get("uid"):
        return DANGLING
    if deleting_dependents(owner):
        return WAITING
    return SOLID


def reference_to(dependent: dict, owner_uid: str) -> dict | None:
    for ref in owner_references(dependent):
        if ref.get("uid") == owner_uid:
            return ref
    return None


def decide_for_owner(owner: dict, dependents: list[tuple[str, dict]]) -> list:
    """Actions for an owner being deleted with the orphan or foregroundDeletion finalizer.
    `dependents` are (id, object) pairs of every object referring to the owner's uid."""
    uid = meta(owner).get("uid")
    if orphaning(owner):
        actions: list = []
        for dependent_id, dependent in dependents:
            refs = owner_references(dependent)
            kept = tuple(ref for ref in refs if ref.get("uid") != uid)
            if len(kept) != len(refs):
                actions.append(SetOwnerReferences(dependent_id, kept))
        actions.append(RemoveFinalizer(ORPHAN))
        return actions
    if deleting_dependents(owner):
        blocking = [(dependent_id, d) for dependent_id, d in dependents
                    if (reference_to(d, uid) or {}).get("blockOwnerDeletion")]
        if not blocking:
            return [RemoveFinalizer(FOREGROUND)]
        waiting = tuple(dependent_id for dependent_id, d in dependents if not being_deleted(d))
        return [CheckDependents(waiting)] if waiting else []
    return []


def decide_for_dependent(dependent: dict, states: dict[str, str], has_dependents: bool) -> list:
    """Actions for an object with owner references, given each reference's state
    (uid -> SOLID | DANGLING | WAITING). One solid owner keeps it alive, minus the
    references that no longer hold; with none it is deleted."""
    refs = owner_references(dependent)
    if not refs or being_deleted(dependent):
        return []
    solid = [ref for ref in refs if states.get(ref.get("uid")) == SOLID]
    stale = [ref for ref in refs if states.get(ref.get("uid")) in (DANGLING, WAITING)]
    if solid:
        if not stale:
            return []
        stale_uids = {ref.get("uid") for ref in stale}
        kept = tuple(ref for ref in refs if ref.get("uid") not in stale_uids)
        return [SetOwnerReferences("", kept)]
    if len(stale) != len(refs):
        return []  # some owner's state is unknown: decide later
    waiting = any(states.get(ref.get("uid")) == WAITING for ref in refs)
    if waiting and has_dependents:
        # an owner waits for us: our own dependents must go first, so it waits for them too
        return [DeleteObject("Foreground")]
    finalizers = meta(dependent).get("finalizers") or []
    if ORPHAN in finalizers:
        return [DeleteObject("Orphan")]
    if FOREGROUND in finalizers:
        return [DeleteObject("Foreground")]
    return [DeleteObject("Background")]


def graph_relevant_change(old: dict | None, new: dict | None) -> bool:
    """Whether a change can matter to the collector (cheap: most updates, such as Lease
    renewals and status writes, do not)."""
    if old is None or new is None:
        return True
    old_meta, new_meta = meta(old), meta(new)
    return (old_meta.get("ownerReferences") != new_meta.get("ownerReferences")
            or old_meta.get("deletionTimestamp") != new_meta.get("deletionTimestamp")
            or old_meta.get("finalizers") != new_meta.get("finalizers")
            or old_meta.get("uid") != new_meta.get("uid"))
