# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The kubelet server's authentication webhook (`authentication.webhook.enabled`,
`--authentication-token-webhook`): a bearer token is checked with a TokenReview the API
server answers; answers are cached for cacheTTL (2 minutes), as upstream caches them."""
from __future__ import annotations

import hashlib
import logging
import time
from typing import Callable

from kybernetes.client.rest import Client, resource

log = logging.getLogger("kybernetes.kubelet.auth")
TOKEN_REVIEWS = resource("tokenreviews.authentication.k8s.io")
CACHE_TTL = 120.0


def user_from_review(review: dict) -> dict | None:
    """The user a TokenReview's status names, in the form the authorizer takes, or None."""
    status = review.get("status") or {}
    if not status.get("authenticated"):
        return None
    user = status.get("user") or {}
    if not user.get("username"):
        return None
    return {"name": user["username"], "groups": list(user.get("groups") or []),
            "uid": user.get("uid", ""), "extra": dict(user.get("extra") or {})}


class TokenReviewAuthenticator:
    def __init__(self, client: Client, ttl: float = CACHE_TTL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.ttl = ttl
        self.clock = clock
        self._cache: dict[str, tuple[float, dict | None]] = {}

    async def __call__(self, token: str) -> dict | None:
        key = hashlib.sha256(token.encode()).hexdigest()  # no tokens kept in memory
        cached = self._cache.get(key)
        now = self.clock()
        if cached is not None and now - cached[0] < self.ttl:
            return cached[1]
        review = await self.client.create(TOKEN_REVIEWS, {
            "apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": {"token": token}})
        user = user_from_review(review)
        if len(self._cache) > 1024:
            self._cache.clear()
        self._cache[key] = (now, user)
        return user
