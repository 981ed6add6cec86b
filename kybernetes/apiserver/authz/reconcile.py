# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Bringing the default RBAC policy into the store at start-up, as upstream's
rbac/bootstrap-roles post-start hook does: create what is missing; for objects that
keep rbac.authorization.kubernetes.io/autoupdate "true" (or absent), add missing rules,
labels, annotations, aggregation selectors and subjects, never removing what users
added; a binding whose roleRef changed is re-created (roleRef is immutable)."""
from __future__ import annotations

import asyncio
import copy
import logging
from typing import TYPE_CHECKING

from kybernetes.apiserver import errors
from kybernetes.apiserver.authz import controller_policy, policy, rbac

if TYPE_CHECKING:
    from kybernetes.apiserver.server import APIServer

log = logging.getLogger("kybernetes.authz")
MANAGER = "kube-apiserver"


def default_policy() -> list[dict]:
    """Every default object, roles before the bindings that name them."""
    cm_role, cm_binding = controller_policy.controller_manager_grant()
    return (policy.cluster_roles() + controller_policy.controller_cluster_roles() + [cm_role]
            + policy.namespace_roles() + policy.cluster_role_bindings()
            + controller_policy.controller_cluster_role_bindings() + [cm_binding]
            + policy.namespace_role_bindings())


def _autoupdate(obj: dict) -> bool:
    return ((obj.get("metadata") or {}).get("annotations") or {}).get(policy.AUTOUPDATE) != "false"


def reconciled(existing: dict, wanted: dict) -> dict | None:
    """`existing` with what `wanted` adds, or None when nothing is missing. Pure."""
    if not _autoupdate(existing):
        return None
    result = copy.deepcopy(existing)
    changed = False
    meta = result.setdefault("metadata", {})
    for field in ("labels", "annotations"):
        for key, value in ((wanted.get("metadata") or {}).get(field) or {}).items():
            if key not in (meta.get(field) or {}):
                meta.setdefault(field, {})[key] = value
                changed = True
    kind = wanted.get("kind")
    if kind in ("ClusterRole", "Role"):
        selectors = (wanted.get("aggregationRule") or {}).get("clusterRoleSelectors") or []
        if selectors:
            have = result.setdefault("aggregationRule", {}).setdefault("clusterRoleSelectors", [])
            for selector in selectors:
                if selector not in have:
                    have.append(selector)
                    changed = True
        else:
            # aggregated roles' rules belong to the aggregation controller
            missing = rbac.uncovered(result.get("rules") or [], wanted.get("rules") or [])
            if missing:
                result["rules"] = list(result.get("rules") or []) + rbac.compact(missing)
                changed = True
    else:
        have = result.get("subjects") or []
        for item in wanted.get("subjects") or []:
            if item not in have:
                have.append(item)
                changed = True
        result["subjects"] = have
    return result if changed else None


async def reconcile_policy(server: "APIServer") -> None:
    async def one(wanted: dict) -> None:
        try:
            await _reconcile_one(server, wanted)
        except errors.ApiError as exc:  # one bad object must not stop the server
            log.warning("could not reconcile %s %s: %s", wanted["kind"],
                        wanted["metadata"]["name"], exc.message)
    # all at once: the store commits concurrent writes together
    await asyncio.gather(*(one(wanted) for wanted in default_policy()))


async def _reconcile_one(server: "APIServer", wanted: dict) -> None:
    rt = server.registry.by_kind(rbac.RBAC_GROUP, "v1", wanted["kind"])
    namespace = wanted["metadata"].get("namespace")
    name = wanted["metadata"]["name"]
    cached = await server.objects.get_cached(rt, namespace, name)
    if cached is None:
        try:
            await server.objects.create(rt, namespace, copy.deepcopy(wanted), manager=MANAGER)
        except errors.ApiError as exc:
            if exc.code != 409:
                raise
        return
    existing = cached.obj
    if wanted["kind"].endswith("Binding") and existing.get("roleRef") != wanted["roleRef"] \
            and _autoupdate(existing):
        await server.objects.delete(rt, namespace, name, {})
        await server.objects.create(rt, namespace, copy.deepcopy(wanted), manager=MANAGER)
        return
    if reconciled(existing, wanted) is None:
        return

    def mutate(current: dict) -> dict:
        return reconciled(current, wanted) or current
    await server.objects.update(rt, namespace, name, mutate, manager=MANAGER)
