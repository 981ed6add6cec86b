# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Who is asking (authentication) and may they (authorization).

Here: x509 client certificates signed by the cluster CA (CN = user, O = groups), and an
authorizer that allows every authenticated request. The security issue replaces the
authorizer with RBAC and the Node authorizer and adds bearer tokens.
"""
from __future__ import annotations

from aiohttp import web

AUTHENTICATED = "system:authenticated"
ANONYMOUS = {"name": "system:anonymous", "groups": ["system:unauthenticated"]}


def user_from_peercert(peercert: dict | None) -> dict | None:
    """The user a verified client certificate names, or None."""
    if not peercert:
        return None
    name, groups = "", []
    for rdn in peercert.get("subject", ()):
        for key, value in rdn:
            if key == "commonName" and not name:
                name = value
            elif key == "organizationName":
                groups.append(value)
    if not name:
        return None
    if AUTHENTICATED not in groups:
        groups.append(AUTHENTICATED)
    return {"name": name, "groups": groups}


# Components inside `kybernetes server` reach the API through a Unix socket that only this
# process's user can open (mode 0600); they name themselves with this header, as each
# upstream component names itself with its own client certificate.
COMPONENT_HEADER = "Kybernetes-Component"


def internal_user(request: web.Request) -> dict:
    name = request.headers.get(COMPONENT_HEADER, "") or "system:apiserver"
    groups = ["system:masters"] if name == "system:apiserver" else []
    if name.startswith("system:node:"):
        groups.append("system:nodes")
    return {"name": name, "groups": groups + [AUTHENTICATED]}


class Authenticator:
    def __init__(self, anonymous: bool = False) -> None:
        self.anonymous = anonymous
        self.tokens: dict[str, dict] = {}

    def authenticate(self, request: web.Request) -> dict | None:
        transport = request.transport
        if transport is not None and isinstance(transport.get_extra_info("sockname"), str):
            return internal_user(request)
        peercert = transport.get_extra_info("peercert") if transport is not None else None
        user = user_from_peercert(peercert)
        if user is not None:
            return user
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            user = self.tokens.get(header[7:].strip())
            if user is not None:
                return user
        # the in-process and test transports set the user themselves
        if request.get("user") is not None:
            return request["user"]
        return dict(ANONYMOUS) if self.anonymous else None

    async def authenticate_token(self, token: str) -> dict | None:
        return self.tokens.get(token)


class AlwaysAllowAuthorizer:
    def authorize_attributes(self, user: dict, resource_attributes: dict,
                             non_resource_attributes: dict | None) -> tuple[bool, str]:
        return bool(user.get("name")), ""

    def rules_for(self, user: dict, namespace: str) -> tuple[list[dict], list[dict]]:
        return ([{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}],
                [{"verbs": ["*"], "nonResourceURLs": ["*"]}])
