# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The token cleaner: deletes bootstrap token Secrets once their expiration has passed."""
from __future__ import annotations

import datetime

from kybernetes.apiserver.errors import ApiError
from kybernetes.client.rest import resource
from kybernetes.controllers.base import Controller
from kybernetes.pki import tokens

SECRETS = resource("secrets")


def expiry_delay(secret: dict, now: datetime.datetime) -> float | None:
    """Seconds until the token Secret expires (0: expired now), None when it never does
    or is not a bootstrap token."""
    token = tokens.token_from_secret(secret)
    if token is None or token.expires is None:
        return None
    return max(0.0, (token.expires - now).total_seconds())


class TokenCleanerController(Controller):
    name = "tokencleaner"
    workers = 1

    def setup(self) -> None:
        self.secrets = self.informer(SECRETS, namespace=tokens.NAMESPACE)
        self.enqueue_on_change(self.secrets,
                               lambda obj: None if obj.get("type") != tokens.SECRET_TYPE else
                               f"{obj['metadata']['namespace']}/{obj['metadata']['name']}")

    async def reconcile(self, key: str) -> None:
        secret = self.secrets.get(key)
        if secret is None or secret["metadata"].get("deletionTimestamp"):
            return
        delay = expiry_delay(secret, datetime.datetime.now(datetime.timezone.utc))
        if delay is None:
            return
        if delay > 0:
            self.queue.add_after(key, delay + 0.5)
            return
        self.log.info("deleting expired bootstrap token %s", key)
        try:
            await self.client.delete(SECRETS, secret["metadata"]["name"], tokens.NAMESPACE,
                                     uid=secret["metadata"].get("uid"))
        except ApiError as exc:
            if exc.code not in (404, 409):
                raise


CONTROLLERS = [TokenCleanerController]
