# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The kubelet's authorization mode Webhook: each request to its server becomes
attributes on nodes/<name> (upstream's mapping of paths to subresources and methods to
verbs) and a SubjectAccessReview the API server answers, cached as upstream caches
(allowed 5 minutes, denied 30 seconds)."""
from __future__ import annotations

import logging
import time
from typing import Callable

from kybernetes.client.rest import Client, resource

log = logging.getLogger("kybernetes.kubelet.auth")
SUBJECT_ACCESS_REVIEWS = resource("subjectaccessreviews.authorization.k8s.io")

ALLOWED_TTL, DENIED_TTL = 300.0, 30.0
_VERBS = {"POST": "create", "GET": "get", "HEAD": "get", "PUT": "update", "PATCH": "patch",
          "DELETE": "delete"}
# path -> subresource, as upstream's kubelet auth filter subdivides its API
_SUBPATHS = (("/stats", "stats"), ("/metrics", "metrics"), ("/logs", "log"), ("/spec", "spec"),
             ("/checkpoint", "checkpoint"))


def _is_subpath(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def request_attributes(method: str, path: str, node_name: str) -> dict:
    """The authorization attributes of a request to the kubelet (nodes/proxy by default)."""
    subresource = "proxy"
    for prefix, name in _SUBPATHS:
        if _is_subpath(path, prefix):
            subresource = name
            break
    return {"verb": _VERBS.get(method.upper(), ""), "resource": "nodes", "subresource": subresource,
            "name": node_name, "path": path}


def forbidden_message(user: dict, attributes: dict) -> str:
    return (f"Forbidden (user={user.get('name', '')}, verb={attributes['verb']}, "
            f"resource={attributes['resource']}, subresource={attributes['subresource']})")


def access_review(user: dict, attributes: dict) -> dict:
    spec = {"user": user.get("name", ""), "groups": list(user.get("groups") or []),
            "resourceAttributes": {"verb": attributes["verb"], "version": "v1", "group": "",
                                   "resource": attributes["resource"],
                                   "subresource": attributes["subresource"],
                                   "name": attributes["name"]}}
    if user.get("uid"):
        spec["uid"] = user["uid"]
    if user.get("extra"):
        spec["extra"] = user["extra"]
    return {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": spec}


class WebhookAuthorizer:
    """authorize(user, attributes) -> (allowed, reason), asking the API server."""

    def __init__(self, client: Client, clock: Callable[[], float] = time.monotonic,
                 allowed_ttl: float = ALLOWED_TTL, denied_ttl: float = DENIED_TTL) -> None:
        self.client = client
        self.clock = clock
        self.allowed_ttl, self.denied_ttl = allowed_ttl, denied_ttl
        self._cache: dict[tuple, tuple[float, bool, str]] = {}

    @staticmethod
    def _key(user: dict, attributes: dict) -> tuple:
        return (user.get("name"), tuple(sorted(user.get("groups") or [])), user.get("uid"),
                attributes["verb"], attributes["subresource"], attributes["name"])

    async def __call__(self, user: dict, attributes: dict) -> tuple[bool, str]:
        key = self._key(user, attributes)
        now = self.clock()
        cached = self._cache.get(key)
        if cached is not None and cached[0] > now:
            return cached[1], cached[2]
        review = await self.client.create(SUBJECT_ACCESS_REVIEWS, access_review(user, attributes))
        status = review.get("status") or {}
        allowed = bool(status.get("allowed")) and not status.get("denied")
        reason = status.get("reason", "") or status.get("evaluationError", "")
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[key] = (now + (self.allowed_ttl if allowed else self.denied_ttl), allowed, reason)
        return allowed, reason
