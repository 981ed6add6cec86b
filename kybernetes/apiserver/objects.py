# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The one write path and the cached read path for every stored resource.

create, update, patch and delete all go through here: decode is done by the caller;
here objects are defaulted, validated, admitted, given their metadata and stored with
compare-and-swap. Reads come from the per-resource watch caches.
"""
from __future__ import annotations

import asyncio
import base64
import random
import uuid
from datetime import datetime, timezone
from typing import Awaitable, Callable

import orjson

from kybernetes.api import defaults, validation
from kybernetes.api.resources import Registry, ResourceType, VIRTUAL_KINDS
from kybernetes.apiserver import apply, errors, managedfields, strategies
from kybernetes.apiserver.admission import Admission, AdmissionRequest
from kybernetes.apiserver.conversion import from_storage, storage_type, to_storage
from kybernetes.storage.interface import (KeyExistsError, KeyNotFoundError,
                                          RevisionMismatchError, Store)
from kybernetes.storage.watchcache import CachedObject, WatchCache

GENERATE_NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789"
WATCH_HISTORY = 1000  # events each resource's watch cache keeps for resuming watches
# Server-owned metadata a client body cannot set.
_SERVER_META = ("uid", "resourceVersion", "creationTimestamp", "generation", "selfLink",
                "deletionTimestamp", "deletionGracePeriodSeconds")


def now_rfc3339() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def deep_copy(obj: dict) -> dict:
    return orjson.loads(orjson.dumps(obj))


def _pod_indexers() -> dict:
    return {"spec.nodeName": lambda obj: [(obj.get("spec") or {}).get("nodeName") or ""]}


class Objects:
    """Generic object semantics over a Store, as kube-apiserver's registry store."""

    def __init__(self, store: Store, registry: Registry, admission: Admission) -> None:
        self.store = store
        self.registry = registry
        self.admission = admission
        self.caches: dict[str, WatchCache] = {}
        self._write_locks: dict[str, asyncio.Lock] = {}
        # hooks run after a successful write: (rt, old, new) — used for CRDs
        self.after_write: list[Callable[[ResourceType, dict | None, dict | None], Awaitable[None]]] = []

    # ------------------------------------------------------------------ caches
    async def start(self) -> None:
        for rt in self.registry.all():
            await self.ensure_cache(rt)

    async def ensure_cache(self, rt: ResourceType) -> WatchCache | None:
        if rt.kind in VIRTUAL_KINDS:
            return None
        prefix = storage_type(self.registry, rt).storage_prefix()
        cache = self.caches.get(prefix)
        if cache is None:
            indexers = _pod_indexers() if prefix == "/registry/pods/" else None
            # a short history, as upstream's watch cache keeps: an older resume gets 410
            # and the client lists again (a full object per event is costly to keep)
            cache = WatchCache(self.store, prefix, indexers=indexers, history_size=WATCH_HISTORY)
            self.caches[prefix] = cache
            await cache.start()
        return cache

    async def drop_cache(self, rt: ResourceType) -> None:
        cache = self.caches.pop(rt.storage_prefix(), None)
        if cache:
            await cache.stop()

    def cache(self, rt: ResourceType) -> WatchCache:
        cache = self.caches.get(storage_type(self.registry, rt).storage_prefix())
        if cache is None:
            raise errors.not_found(rt, "")
        return cache

    async def fresh_cache(self, rt: ResourceType) -> WatchCache:
        """The cache, caught up with every write acknowledged so far (consistent read)."""
        cache = self.cache(rt)
        await cache.wait_fresh(await self.store.current_revision())
        return cache

    async def stop(self) -> None:
        for cache in self.caches.values():
            await cache.stop()

    # ------------------------------------------------------------------ reads
    def key(self, rt: ResourceType, namespace: str | None, name: str) -> str:
        return storage_type(self.registry, rt).storage_key(namespace, name)

    def view(self, rt: ResourceType, cached: CachedObject) -> dict:
        """The cached object as `rt`'s version sees it (read-only unless converted). The
        parsed cache copy has no managedFields; a converted view is decoded whole."""
        if storage_type(self.registry, rt) is not rt:
            return from_storage(rt, orjson.loads(cached.raw))
        return cached.obj

    async def get(self, rt: ResourceType, namespace: str | None, name: str) -> dict:
        cache = await self.fresh_cache(rt)
        cached = cache.get(self.key(rt, namespace, name))
        if cached is None:
            self.check_readable(self.key(rt, namespace, name))
            raise errors.not_found(rt, name)
        return self.view(rt, cached)

    async def get_cached(self, rt: ResourceType, namespace: str | None,
                         name: str) -> CachedObject | None:
        cache = await self.fresh_cache(rt)
        cached = cache.get(self.key(rt, namespace, name))
        if cached is None:
            self.check_readable(self.key(rt, namespace, name))
        return cached

    async def _stored_stale(self, key: str) -> bool:
        """True when the stored bytes are encrypted with an old key (encryption at rest)."""
        is_stale = getattr(self.store, "is_stale", None)
        return await is_stale(key) if is_stale is not None else False

    def check_readable(self, key: str) -> None:
        """A key the store holds but cannot decrypt (encryption at rest) is an internal
        error naming the key, not a NotFound."""
        reason = getattr(self.store, "unreadable", {}).get(key)
        if reason:
            raise errors.internal(reason)

    # ------------------------------------------------------------------ create
    async def create(self, rt: ResourceType, namespace: str | None, obj: dict, *,
                     manager: str, dry_run: bool = False, user: dict | None = None,
                     manage_fields: bool = True) -> dict:
        meta = obj.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise errors.bad_request("metadata must be an object")
        for field in _SERVER_META:
            meta.pop(field, None)
        if rt.namespaced:
            body_ns = meta.get("namespace")
            if body_ns and namespace and body_ns != namespace:
                raise errors.bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request")
            meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + "".join(
                random.choice(GENERATE_NAME_CHARS) for _ in range(5))
        obj["apiVersion"], obj["kind"] = rt.api_version, rt.kind
        now = now_rfc3339()
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = now
        strategies.prepare_for_create(rt, obj)
        self.default(rt, obj)
        self.validate(rt, obj, None)
        if rt.namespaced and not dry_run:
            await self._check_namespace_accepts(rt, namespace or "")
        await self.admission.admit(AdmissionRequest("CREATE", rt, obj, None, user, dry_run, self))
        if manage_fields:
            managedfields.update_managed_fields(
                None, obj, manager=manager, api_version=rt.api_version, schema=_schema(rt),
                now=now, status_subresource=strategies.has_status_subresource(rt))
        await self.admission.validate(AdmissionRequest("CREATE", rt, obj, None, user, dry_run, self))
        if dry_run:
            return obj
        key = self.key(rt, namespace, meta["name"])
        stored = to_storage(self.registry, rt, obj)
        try:
            revision = await self.store.create(key, orjson.dumps(stored))
        except KeyExistsError:
            await self.admission.rollback(AdmissionRequest("CREATE", rt, obj, None, user, dry_run, self))
            raise errors.already_exists(rt, meta["name"]) from None
        meta["resourceVersion"] = str(revision)
        for hook in self.after_write:
            await hook(rt, None, obj)
        return obj

    async def _check_namespace_accepts(self, rt: ResourceType, namespace: str) -> None:
        ns_type = self.registry.by_kind("", "v1", "Namespace")
        # as upstream's NamespaceLifecycle: the cache as it is, and a consistent read only
        # when the namespace is not there (it may have just been created)
        cached = self.cache(ns_type).get(self.key(ns_type, None, namespace))
        if cached is None:
            cached = await self.get_cached(ns_type, None, namespace)
        if cached is None:
            raise errors.ApiError(404, "NotFound", f'namespaces "{namespace}" not found',
                                  name=namespace, kind="namespaces")
        if cached.obj.get("metadata", {}).get("deletionTimestamp") or \
                (cached.obj.get("status") or {}).get("phase") == "Terminating":
            raise errors.forbidden(
                f'{rt.plural} "{"" }" is forbidden: unable to create new content in namespace '
                f'{namespace} because it is being terminated', rt)

    # ------------------------------------------------------------------ update
    async def update(self, rt: ResourceType, namespace: str | None, name: str,
                     mutate: Callable[[dict | None], Awaitable[dict] | dict], *,
                     manager: str, subresource: str = "", dry_run: bool = False,
                     user: dict | None = None,
                     create_missing: bool = False,
                     manage_fields: bool = True) -> tuple[dict, bool]:
        """Read-modify-write with compare-and-swap, retried on a lost race as upstream's
        GuaranteedUpdate does. `mutate(current)` returns the desired object (current is a
        private copy, None when absent). Returns (object, created). Server-side apply passes
        manage_fields=False: its mutate already computed managedFields."""
        key = self.key(rt, namespace, name)
        for attempt in range(16):
            cache = self.cache(rt)
            await cache.wait_fresh(await self.store.current_revision())
            cached = cache.get(key)
            if cached is None:
                self.check_readable(key)
                if not create_missing:
                    raise errors.not_found(rt, name)
                desired = mutate(None)
                if asyncio.iscoroutine(desired):
                    desired = await desired
                desired.setdefault("metadata", {})["name"] = name
                return await self.create(rt, namespace, desired, manager=manager,
                                         dry_run=dry_run, user=user,
                                         manage_fields=manage_fields), True
            current = from_storage(rt, orjson.loads(cached.raw))
            current_rv = current["metadata"].get("resourceVersion")
            desired = mutate(deep_copy(current))
            if asyncio.iscoroutine(desired):
                desired = await desired
            try:
                result = await self._update_one(rt, key, current, desired, cached.revision,
                                                manager=manager, subresource=subresource,
                                                dry_run=dry_run, user=user,
                                                current_rv=current_rv,
                                                manage_fields=manage_fields)
                return result, False
            except (RevisionMismatchError, KeyNotFoundError):
                continue  # lost a race (or the object just went): read again
        raise errors.conflict(rt, name, errors.MODIFIED)

    async def _update_one(self, rt: ResourceType, key: str, old: dict, new: dict,
                          revision: int, *, manager: str, subresource: str, dry_run: bool,
                          user: dict | None, current_rv: str | None,
                          manage_fields: bool) -> dict:
        name = old["metadata"]["name"]
        meta = new.get("metadata")
        if not isinstance(meta, dict):
            raise errors.bad_request("metadata must be an object")
        body_rv = meta.get("resourceVersion")
        if body_rv and body_rv != current_rv:
            raise errors.conflict(rt, name, errors.MODIFIED)
        if meta.get("name") and meta["name"] != name:
            raise errors.bad_request(
                f"the name of the object ({meta['name']}) does not match the name on the URL ({name})")
        if rt.namespaced and meta.get("namespace") and \
                meta["namespace"] != old["metadata"].get("namespace"):
            raise errors.bad_request(
                "the namespace of the provided object does not match the namespace sent on the request")
        old_meta = old["metadata"]
        for field in ("name", "namespace", "uid", "creationTimestamp", "deletionTimestamp",
                      "deletionGracePeriodSeconds"):
            if field in old_meta:
                meta[field] = old_meta[field]
            else:
                meta.pop(field, None)
        meta.pop("resourceVersion", None)
        new["apiVersion"], new["kind"] = rt.api_version, rt.kind
        strategies.prepare_for_update(rt, new, old, subresource)
        self.default(rt, new)
        self.validate(rt, new, old, subresource)
        now = now_rfc3339()
        await self.admission.admit(AdmissionRequest("UPDATE", rt, new, old, user, dry_run, self,
                                                     subresource))
        if manage_fields:
            managedfields.update_managed_fields(
                old, new, manager=manager, api_version=rt.api_version, schema=_schema(rt),
                now=now, subresource=subresource,
                status_subresource=strategies.has_status_subresource(rt))
        await self.admission.validate(AdmissionRequest("UPDATE", rt, new, old, user, dry_run,
                                                        self, subresource))
        old_cmp = dict(old, metadata={k: v for k, v in old_meta.items()
                                      if k not in ("resourceVersion", "managedFields")})
        new_cmp = dict(new, metadata={k: v for k, v in new["metadata"].items()
                                      if k not in ("resourceVersion", "managedFields")})
        if old_cmp == new_cmp and not await self._stored_stale(key):
            # no-op: no write, no new resourceVersion (upstream skips it too, unless the
            # stored value is encrypted with an old key: then it is rewritten)
            return old
        if dry_run:
            new["metadata"]["resourceVersion"] = current_rv
            return new
        if new["metadata"].get("deletionTimestamp") and not strategies.pending_finalizers(rt, new) \
                and not strategies.graceful_delete_seconds(rt, new, None):
            # the last finalizer is gone: the delete completes now
            revision = await self.store.delete(key, revision)
            new["metadata"]["resourceVersion"] = str(revision)
            for hook in self.after_write:
                await hook(rt, old, None)
            return new
        stored = to_storage(self.registry, rt, new)
        revision = await self.store.update(key, orjson.dumps(stored), revision)
        new["metadata"]["resourceVersion"] = str(revision)
        for hook in self.after_write:
            await hook(rt, old, new)
        return new

    # ------------------------------------------------------------------ delete
    async def delete(self, rt: ResourceType, namespace: str | None, name: str,
                     options: dict, *, user: dict | None = None) -> tuple[dict, bool]:
        """Returns (last state, removed now). With finalizers or a grace period the object
        stays with deletionTimestamp set, as upstream."""
        key = self.key(rt, namespace, name)
        dry_run = "All" in (options.get("dryRun") or [])
        preconditions = options.get("preconditions") or {}
        propagation = options.get("propagationPolicy")
        if options.get("orphanDependents") is not None and propagation is None:
            propagation = "Orphan" if options["orphanDependents"] else "Background"
        for attempt in range(16):
            cache = self.cache(rt)
            await cache.wait_fresh(await self.store.current_revision())
            cached = cache.get(key)
            if cached is None:
                self.check_readable(key)
                raise errors.not_found(rt, name)
            obj = from_storage(rt, orjson.loads(cached.raw))
            meta = obj["metadata"]
            if preconditions.get("uid") and preconditions["uid"] != meta.get("uid"):
                raise errors.conflict(
                    rt, name, f"Precondition failed: UID in precondition: {preconditions['uid']}, "
                    f"UID in object meta: {meta.get('uid')}")
            if preconditions.get("resourceVersion") and \
                    preconditions["resourceVersion"] != meta.get("resourceVersion"):
                raise errors.conflict(
                    rt, name, f"Precondition failed: ResourceVersion in precondition: "
                    f"{preconditions['resourceVersion']}, ResourceVersion in object meta: "
                    f"{meta.get('resourceVersion')}")
            await self.admission.admit(AdmissionRequest("DELETE", rt, None, obj, user, dry_run, self))
            finalizers = list(meta.get("finalizers") or [])
            pending = strategies.pending_finalizers(rt, obj)
            if propagation == "Orphan" and "orphan" not in finalizers:
                finalizers.append("orphan")
            elif propagation == "Foreground" and "foregroundDeletion" not in finalizers:
                finalizers.append("foregroundDeletion")
            grace = strategies.graceful_delete_seconds(rt, obj, options.get("gracePeriodSeconds"))
            if not pending and not finalizers and not grace:
                if dry_run:
                    return obj, True
                try:
                    revision = await self.store.delete(key, cached.revision)
                except RevisionMismatchError:
                    continue
                except KeyNotFoundError:
                    raise errors.not_found(rt, name) from None
                meta["resourceVersion"] = str(revision)
                await self.admission.released(rt, obj)
                for hook in self.after_write:
                    await hook(rt, obj, None)
                return obj, True
            # graceful: mark and keep
            changed = False
            if finalizers != (meta.get("finalizers") or []):
                meta["finalizers"] = finalizers
                changed = True
            if not meta.get("deletionTimestamp"):
                meta["deletionTimestamp"] = now_rfc3339()
                meta["deletionGracePeriodSeconds"] = grace
                changed = True
            elif grace < (meta.get("deletionGracePeriodSeconds") or 0):
                meta["deletionGracePeriodSeconds"] = grace
                changed = True
            if strategies.tracks_generation(rt) and changed:
                meta["generation"] = meta.get("generation", 1) + 1
            if (rt.group, rt.kind) == ("", "Namespace"):
                obj.setdefault("status", {})["phase"] = "Terminating"
                changed = True
            if not changed or dry_run:
                return obj, False
            meta.pop("resourceVersion", None)
            stored = to_storage(self.registry, rt, obj)
            try:
                revision = await self.store.update(key, orjson.dumps(stored), cached.revision)
            except RevisionMismatchError:
                continue
            meta["resourceVersion"] = str(revision)
            for hook in self.after_write:
                await hook(rt, obj, obj)
            return obj, False
        raise errors.conflict(rt, name, errors.MODIFIED)

    # ------------------------------------------------------------------ lists
    async def list(self, rt: ResourceType, namespace: str | None, *,
                   predicate: Callable[[dict], bool] | None = None,
                   index: tuple[str, str] | None = None, limit: int = 0,
                   continue_token: str = "", resource_version: str = "",
                   match: str = "") -> tuple[list[CachedObject], str, str, int | None]:
        """(items, list resourceVersion, continue token, remainingItemCount)."""
        cache = self.cache(rt)
        start_after = ""
        if continue_token:
            token_rv, start_after = decode_continue(continue_token)
            oldest = getattr(cache, "oldest_revision", 0)
            if token_rv < oldest:
                raise errors.gone(
                    "The provided continue parameter is too old to display a consistent list "
                    "result. You can start a new list without the continue parameter, or use "
                    "the continue token in this response to retrieve the remainder of the "
                    "results. Continuing with the provided token results in an inconsistent "
                    "list - objects that were created, modified, or deleted between the time "
                    "the first chunk was returned and now may show up in the list.")
        elif resource_version in ("", None):
            await cache.wait_fresh(await self.store.current_revision())
        elif resource_version != "0":
            wanted = parse_rv(resource_version)
            if match == "Exact" and wanted < getattr(cache, "oldest_revision", 0):
                raise errors.gone(f"too old resource version: {wanted} ({cache.revision})")
            current = await self.store.current_revision()
            if wanted > current:
                raise errors.ApiError(
                    504, "Timeout",
                    f"Too large resource version: {wanted}, current: {current}",
                    causes=[{"reason": "ResourceVersionTooLarge",
                             "message": "Too large resource version"}])
            await cache.wait_fresh(wanted)
        ns = namespace if rt.namespaced else None
        unreadable = getattr(self.store, "unreadable", None)
        if unreadable:  # as upstream, a list fails on an object it cannot decrypt
            scope = cache.prefix + (f"{ns}/" if ns else "")
            for key in unreadable:
                if key.startswith(scope):
                    self.check_readable(key)
        items, revision = cache.list(namespace=ns or None, index=index, predicate=predicate)
        if start_after:
            lo, hi = 0, len(items)
            while lo < hi:
                mid = (lo + hi) // 2
                if items[mid].key <= start_after:
                    lo = mid + 1
                else:
                    hi = mid
            items = items[lo:]
        list_rv = revision
        if continue_token:
            list_rv = token_rv
        if limit and len(items) > limit:
            remaining = len(items) - limit
            items = items[:limit]
            token = encode_continue(list_rv, items[-1].key)
            return items, str(list_rv), token, remaining
        return items, str(list_rv), "", None

    # ------------------------------------------------------------------ helpers
    def default(self, rt: ResourceType, obj: dict) -> None:
        if rt.custom:
            from kybernetes.api import crd
            if rt.schema:
                crd.prune_and_default(obj, rt.schema)
            return
        defaults.apply_defaults(rt.group, rt.version, rt.kind, obj)

    def validate(self, rt: ResourceType, obj: dict, old: dict | None,
                  subresource: str = "") -> None:
        if rt.custom:
            from kybernetes.api import crd
            causes = validation.validate(rt.group, rt.version, rt.kind, obj, old,
                                         subresource=subresource, namespaced=rt.namespaced)
            if rt.schema and not subresource:
                causes += crd.validate_custom_object(obj, rt.schema)
        else:
            causes = validation.validate(rt.group, rt.version, rt.kind, obj, old,
                                         subresource=subresource)
            if (rt.group, rt.kind) == ("apiextensions.k8s.io", "CustomResourceDefinition") \
                    and not subresource:
                from kybernetes.api import crd
                causes += crd.validate_crd(obj)
        if causes:
            name = obj.get("metadata", {}).get("name") or ""
            raise errors.invalid(rt, name, causes,
                                 validation.invalid_message(rt.kind, name, causes, rt.group))


def _schema(rt: ResourceType) -> dict | None:
    if rt.custom:
        return rt.schema
    return apply.schema_for(rt.group, rt.version, rt.kind)


def parse_rv(text: str) -> int:
    try:
        value = int(text)
        if value < 0:
            raise ValueError
        return value
    except ValueError:
        raise errors.bad_request(f'invalid resource version "{text}"') from None


def encode_continue(revision: int, last_key: str) -> str:
    raw = orjson.dumps({"v": "meta.k8s.io/v1", "rv": revision, "start": last_key + "\x00"})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_continue(token: str) -> tuple[int, str]:
    try:
        padded = token + "=" * (-len(token) % 4)
        data = orjson.loads(base64.urlsafe_b64decode(padded))
        if data.get("v") != "meta.k8s.io/v1":
            raise ValueError
        return int(data["rv"]), data["start"].rstrip("\x00")
    except (ValueError, KeyError, TypeError, orjson.JSONDecodeError):
        raise errors.bad_request("continue key is not valid: incorrect encoded start "
                                 "resourceVersion (version meta.k8s.io/v1)") from None
