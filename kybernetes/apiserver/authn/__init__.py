# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Authentication as kube-apiserver does it: x509 client certificates, bearer tokens (a
static token file, bootstrap tokens, service-account JWTs), the in-process components'
Unix socket, and anonymous requests.

Every authenticator produces the same user dict, the one authorizers consume:
`{"name": str, "groups": [str], "uid": str, "extra": {str: [str]}}`.
A credential that is presented but does not check out raises AuthenticationError (401);
no credential at all is anonymous when --anonymous-auth allows it.
"""
from __future__ import annotations

AUTHENTICATED = "system:authenticated"
UNAUTHENTICATED = "system:unauthenticated"
ANONYMOUS_NAME = "system:anonymous"


class AuthenticationError(Exception):
    """A credential was presented and refused; the request gets 401 Unauthorized."""


def make_user(name: str, groups: list[str] | None = None, uid: str = "",
              extra: dict[str, list[str]] | None = None) -> dict:
    return {"name": name, "groups": list(groups or []), "uid": uid, "extra": dict(extra or {})}


def anonymous_user() -> dict:
    return make_user(ANONYMOUS_NAME, [UNAUTHENTICATED])


def with_authenticated_group(user: dict) -> dict:
    """Every authenticated user is in system:authenticated (upstream's group adder)."""
    if user["name"] != ANONYMOUS_NAME and AUTHENTICATED not in user["groups"] \
            and UNAUTHENTICATED not in user["groups"]:
        user["groups"].append(AUTHENTICATED)
    return user
