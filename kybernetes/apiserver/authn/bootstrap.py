# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Bootstrap tokens (`<id>.<secret>`, kubeadm join): a kube-system Secret
`bootstrap-token-<id>` of type bootstrap.kubernetes.io/token holds the secret half, its
usages, expiration and extra groups. The user is system:bootstrap:<id> in
system:bootstrappers plus the Secret's auth-extra-groups."""
from __future__ import annotations

import datetime
import hmac
import re
from typing import Awaitable, Callable

from kybernetes.apiserver.authn import make_user, with_authenticated_group
from kybernetes.pki.tokens import TOKEN_PATTERN, secret_field

SECRET_TYPE = "bootstrap.kubernetes.io/token"
SECRET_PREFIX = "bootstrap-token-"
NAMESPACE = "kube-system"
GROUP = "system:bootstrappers"
USER_PREFIX = "system:bootstrap:"
EXTRA_GROUP_PATTERN = re.compile(r"^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$")


def parse_token(token: str) -> tuple[str, str] | None:
    """(token id, token secret) of a well-formed bootstrap token, else None."""
    match = TOKEN_PATTERN.match(token)
    return (match.group(1), match.group(2)) if match else None


def _expired(secret: dict, now: datetime.datetime) -> bool:
    text = secret_field(secret, "expiration")
    if not text:
        return False
    try:
        expiration = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return True  # an unreadable expiration is treated as expired, as upstream
    if expiration.tzinfo is None:
        expiration = expiration.replace(tzinfo=datetime.timezone.utc)
    return now >= expiration


def user_from_secret(token_id: str, token_secret: str, secret: dict | None,
                     now: datetime.datetime) -> dict | None:
    """The bootstrap user when `secret` authenticates the token, else None."""
    if secret is None or secret.get("type") != SECRET_TYPE:
        return None
    if (secret.get("metadata") or {}).get("deletionTimestamp"):
        return None
    if secret_field(secret, "token-id") != token_id:
        return None
    if not hmac.compare_digest(secret_field(secret, "token-secret").encode(), token_secret.encode()):
        return None
    if _expired(secret, now):
        return None
    if secret_field(secret, "usage-bootstrap-authentication") != "true":
        return None
    extra = [g.strip() for g in secret_field(secret, "auth-extra-groups").split(",") if g.strip()]
    if any(not EXTRA_GROUP_PATTERN.match(g) for g in extra):
        return None
    return with_authenticated_group(make_user(USER_PREFIX + token_id, [GROUP, *extra]))


SecretGetter = Callable[[str, str], Awaitable[dict | None]]


class BootstrapTokenAuthenticator:
    def __init__(self, get_secret: SecretGetter) -> None:
        self.get_secret = get_secret

    async def authenticate_token(self, token: str) -> dict | None:
        parsed = parse_token(token)
        if parsed is None:
            return None
        secret = await self.get_secret(NAMESPACE, SECRET_PREFIX + parsed[0])
        return user_from_secret(parsed[0], parsed[1], secret,
                                datetime.datetime.now(datetime.timezone.utc))
