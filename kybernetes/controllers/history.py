# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""ControllerRevisions, as upstream's pkg/controller/history keeps them for StatefulSets
and DaemonSets: each distinct pod template is stored once, as the patch that restores it
(`{"spec": {"template": {..., "$patch": "replace"}}}`), named `<owner>-<hash>`, numbered
by `revision`, and pruned down to `revisionHistoryLimit` once no pod uses it.

The pure helpers come first; `RevisionHistory` at the end does the writes."""
from __future__ import annotations

import copy

import orjson

from kybernetes.apiserver.errors import ApiError
from kybernetes.client.rest import Client, resource

CONTROLLER_REVISIONS = resource("controllerrevisions.apps")
REVISION_HASH_LABEL = "controller.kubernetes.io/hash"  # on the ControllerRevision
POD_REVISION_LABEL = "controller-revision-hash"  # on pods (apps.ControllerRevisionHashLabelKey)
# apimachinery's rand.SafeEncodeString alphabet: no vowels, no look-alike characters
_SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_MAX_PREFIX = 223  # 253 minus room for "-" and a hash


# ---------------------------------------------------------------- hashing and naming
def fnv32a(data: bytes) -> int:
    value = 0x811C9DC5
    for byte in data:
        value ^= byte
        value = (value * 0x01000193) & 0xFFFFFFFF
    return value


def safe_encode(text: str) -> str:
    return "".join(_SAFE_ALPHABET[ord(ch) % len(_SAFE_ALPHABET)] for ch in text)


def go_json(value: object) -> bytes:
    """JSON as Go's encoding/json writes a map: sorted keys, compact, <>& escaped."""
    raw = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    return raw.replace(b"<", b"\\u003c").replace(b">", b"\\u003e").replace(b"&", b"\\u0026")


def hash_revision_data(data: object, collision_count: int | None = None) -> str:
    """FNV-32a of the revision's data (plus the collision count, when there is one),
    encoded with the safe alphabet: the `<hash>` in `<owner>-<hash>`."""
    payload = go_json(data)
    if collision_count is not None:
        payload += str(collision_count).encode()
    return safe_encode(str(fnv32a(payload)))


def revision_name(prefix: str, hash_: str) -> str:
    return f"{prefix[:_MAX_PREFIX]}-{hash_}"


def template_patch(owner: dict) -> dict:
    """The data a StatefulSet or DaemonSet revision stores: its pod template as a
    strategic merge patch that replaces the template wholesale."""
    template = copy.deepcopy((owner.get("spec") or {}).get("template") or {})
    template["$patch"] = "replace"
    return {"spec": {"template": template}}


def template_from_revision(revision: dict) -> dict:
    """The pod template a revision restores (its data without the `$patch` marker)."""
    template = copy.deepcopy(((revision.get("data") or {}).get("spec") or {}).get("template") or {})
    template.pop("$patch", None)
    return template


def controller_ref(owner: dict) -> dict:
    return {"apiVersion": owner.get("apiVersion", "apps/v1"), "kind": owner["kind"],
            "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"],
            "controller": True, "blockOwnerDeletion": True}


def new_revision(owner: dict, revision: int, collision_count: int | None,
                 hash_label: str = REVISION_HASH_LABEL) -> dict:
    """A ControllerRevision for `owner`'s current template (not yet stored). StatefulSets
    label it with `controller.kubernetes.io/hash`, DaemonSets with `controller-revision-hash`."""
    data = template_patch(owner)
    template_meta = ((owner.get("spec") or {}).get("template") or {}).get("metadata") or {}
    hash_ = hash_revision_data(data, collision_count)
    labels = dict(template_meta.get("labels") or {})
    labels[hash_label] = hash_
    meta = {"name": revision_name(owner["metadata"]["name"], hash_),
            "namespace": owner["metadata"]["namespace"], "labels": labels,
            "ownerReferences": [controller_ref(owner)]}
    annotations = dict(owner["metadata"].get("annotations") or {})
    if annotations:  # upstream copies the owner's (kubectl shows change-cause from them)
        meta["annotations"] = annotations
    return {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": meta,
            "data": data, "revision": revision}


# ---------------------------------------------------------------- choosing revisions
def sort_revisions(revisions: list[dict]) -> list[dict]:
    """Oldest first: by revision number, then creation time, then name."""
    return sorted(revisions, key=lambda r: (r.get("revision", 0),
                                            r["metadata"].get("creationTimestamp", ""),
                                            r["metadata"]["name"]))


def next_revision_number(revisions: list[dict]) -> int:
    return max((r.get("revision", 0) for r in revisions), default=0) + 1


def equal_revisions(revisions: list[dict], needle: dict) -> list[dict]:
    """Stored revisions with the same data as `needle`."""
    data = go_json(needle.get("data"))
    return [r for r in revisions if go_json(r.get("data")) == data]


def revisions_to_prune(revisions: list[dict], live_names: set[str], limit: int) -> list[dict]:
    """Revisions no pod or status refers to, oldest first, beyond `limit` of them."""
    history = [r for r in sort_revisions(revisions) if r["metadata"]["name"] not in live_names]
    excess = len(history) - max(limit, 0)
    return history[:excess] if excess > 0 else []


def owned_revisions(revisions: list[dict], owner: dict) -> list[dict]:
    uid = owner["metadata"]["uid"]
    return [r for r in revisions
            if any(ref.get("controller") and ref.get("uid") == uid
                   for ref in r["metadata"].get("ownerReferences") or [])]


class RevisionCollision(Exception):
    """A revision of that name exists with other data: the owner's collisionCount must grow."""


# ---------------------------------------------------------------- writes
class RevisionHistory:
    """Creates, renumbers and deletes an owner's ControllerRevisions."""

    def __init__(self, client: Client) -> None:
        self.client = client

    async def current_and_update(self, owner: dict, revisions: list[dict],
                                 hash_label: str = REVISION_HASH_LABEL) -> tuple[dict, dict, int]:
        """(current revision, update revision, collisionCount): the update revision is
        the owner's template, reusing (and renumbering) an equal older revision as a
        rollback does; the current one is the revision status names, else the update."""
        revisions = sort_revisions(revisions)
        status = owner.get("status") or {}
        collision_count = status.get("collisionCount") or 0
        wanted = new_revision(owner, next_revision_number(revisions), collision_count, hash_label)
        equal = equal_revisions(revisions, wanted)
        if equal and equal[-1]["metadata"]["name"] == revisions[-1]["metadata"]["name"]:
            update = equal[-1]
        elif equal:
            update = await self.renumber(equal[-1], wanted["revision"])
        else:
            update, collision_count = await self.create(wanted, owner, collision_count)
        current_name = status.get("currentRevision")
        current = next((r for r in revisions if r["metadata"]["name"] == current_name), update)
        return current, update, collision_count

    async def renumber(self, revision: dict, number: int) -> dict:
        return await self.client.patch(CONTROLLER_REVISIONS, revision["metadata"]["name"],
                                       {"revision": number}, revision["metadata"]["namespace"])

    async def create(self, revision: dict, owner: dict, collision_count: int) -> tuple[dict, int]:
        namespace = revision["metadata"]["namespace"]
        try:
            return await self.client.create(CONTROLLER_REVISIONS, revision, namespace), collision_count
        except ApiError as exc:
            if exc.code != 409:
                raise
        existing = await self.client.get(CONTROLLER_REVISIONS, revision["metadata"]["name"], namespace)
        if go_json(existing.get("data")) == go_json(revision.get("data")) and \
                owned_revisions([existing], owner):
            return existing, collision_count
        # same hash, other data (or another owner): retry later with a new hash
        raise RevisionCollision(revision["metadata"]["name"])

    async def prune(self, revisions: list[dict], live_names: set[str], limit: int) -> None:
        for revision in revisions_to_prune(revisions, live_names, limit):
            try:
                await self.client.delete(CONTROLLER_REVISIONS, revision["metadata"]["name"],
                                         revision["metadata"]["namespace"])
            except ApiError as exc:
                if exc.code != 404:
                    raise
