# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The request authenticator: the in-process components' Unix socket, then the client
certificate, then the bearer token (Authorization header, or the websocket subprotocol
`base64url.bearer.authorization.k8s.io.<token>`) tried by every token authenticator,
and anonymous last. As upstream's union with anonymous ("fail on error"): a credential
that is presented and refused is 401, never anonymous."""
from __future__ import annotations

import base64
import binascii
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kybernetes.apiserver.authn import (AUTHENTICATED, AuthenticationError, anonymous_user,
                                        make_user)
from kybernetes.apiserver.authn.bootstrap import BootstrapTokenAuthenticator
from kybernetes.apiserver.authn.serviceaccount import (DEFAULT_ISSUER,
                                                       ServiceAccountTokenAuthenticator,
                                                       TokenIssuer)
from kybernetes.apiserver.authn.tokenfile import TokenFileAuthenticator
from kybernetes.apiserver.authn.x509 import ClientCertificateAuthenticator
from kybernetes.pki import jwt

if TYPE_CHECKING:
    from aiohttp import web

log = logging.getLogger("kybernetes.apiserver.authn")

# Components inside `kybernetes server` reach the API through a Unix socket only this
# process's user can open (mode 0600); they name themselves with this header, as each
# upstream component names itself with its own client certificate.
COMPONENT_HEADER = "Kybernetes-Component"
WEBSOCKET_TOKEN_PREFIX = "base64url.bearer.authorization.k8s.io."


@dataclass
class AuthenticationOptions:
    """kube-apiserver's authentication flags."""
    anonymous: bool = True  # --anonymous-auth
    client_ca_file: Path | None = None  # --client-ca-file
    token_auth_file: Path | None = None  # --token-auth-file
    service_account_key_files: list[Path] = field(default_factory=list)  # --service-account-key-file
    service_account_signing_key_file: Path | None = None  # --service-account-signing-key-file
    service_account_issuers: list[str] = field(default_factory=lambda: [DEFAULT_ISSUER])
    api_audiences: list[str] = field(default_factory=list)  # --api-audiences (default: the issuer)
    bootstrap_tokens: bool = False  # --enable-bootstrap-token-auth
    max_token_expiration: int = 0  # --service-account-max-token-expiration (0: none)
    extend_token_expiration: bool = True  # --service-account-extend-token-expiration


def internal_user(request: "web.Request") -> dict:
    name = request.headers.get(COMPONENT_HEADER, "") or "system:apiserver"
    groups = ["system:masters"] if name == "system:apiserver" else []
    if name.startswith("system:node:"):
        groups.append("system:nodes")
    return make_user(name, groups + [AUTHENTICATED])


def bearer_token(request: "web.Request") -> str | None:
    """The bearer token of a request, or None when it carries none."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() == "bearer":
        token = value.strip()
        return token or None
    if request.headers.get("Upgrade", "").lower() == "websocket":
        for protocol in request.headers.get("Sec-WebSocket-Protocol", "").split(","):
            protocol = protocol.strip()
            if protocol.startswith(WEBSOCKET_TOKEN_PREFIX):
                encoded = protocol[len(WEBSOCKET_TOKEN_PREFIX):]
                try:
                    token = base64.b64decode(encoded + "=" * (-len(encoded) % 4), altchars=b"-_",
                                             validate=True).decode()
                except (binascii.Error, ValueError, UnicodeDecodeError):
                    raise AuthenticationError("invalid bearer token") from None
                return token or None
    return None


class Authenticator:
    def __init__(self, options: AuthenticationOptions | None = None, server=None) -> None:
        self.options = options or AuthenticationOptions()
        self.anonymous = self.options.anonymous
        self.server = server
        self.client_certs: ClientCertificateAuthenticator | None = None
        if self.options.client_ca_file:
            self.client_certs = ClientCertificateAuthenticator(
                Path(self.options.client_ca_file).read_bytes())
        self.token_file = TokenFileAuthenticator.from_file(str(self.options.token_auth_file)) \
            if self.options.token_auth_file else TokenFileAuthenticator({})
        self.bootstrap = BootstrapTokenAuthenticator(self._get_secret) \
            if self.options.bootstrap_tokens else None
        keys: list = []
        for path in self.options.service_account_key_files:
            keys.extend(jwt.load_public_keys(Path(path).read_bytes()))
        self.issuer: TokenIssuer | None = None
        issuers = self.options.service_account_issuers or [DEFAULT_ISSUER]
        if self.options.service_account_signing_key_file:
            private = jwt.load_private_key(
                Path(self.options.service_account_signing_key_file).read_bytes())
            self.issuer = TokenIssuer(private, issuers[0])
            # what this server signs it must accept, whatever --service-account-key-file
            # lists (a seed-style unit names only the legacy key there)
            own = jwt.key_id(private.public_key())
            if all(jwt.key_id(k) != own for k in keys):
                keys.append(private.public_key())
        self.api_audiences = list(self.options.api_audiences or issuers[:1])
        self.service_accounts = ServiceAccountTokenAuthenticator(
            keys, issuers, self.api_audiences, self._get_object) if keys else None

    @property
    def tokens(self) -> dict[str, dict]:
        """The static tokens (--token-auth-file), token -> user."""
        return self.token_file.tokens

    # ------------------------------------------------------------ lookups for validation
    async def _get_object(self, kind: str, namespace: str, name: str) -> dict | None:
        """The object from the server's watch cache, or a consistent read on a miss (a
        token issued a moment ago may name an object the cache has not seen yet)."""
        objects = self.server.objects
        rt = self.server.registry.by_kind("", "v1", kind)
        cached = objects.cache(rt).get(objects.key(rt, namespace or None, name))
        if cached is None:
            cached = await objects.get_cached(rt, namespace or None, name)
        return cached.obj if cached is not None else None

    async def _get_secret(self, namespace: str, name: str) -> dict | None:
        return await self._get_object("Secret", namespace, name)

    # ------------------------------------------------------------ the chain
    async def authenticate(self, request: "web.Request") -> dict | None:
        """The request's user; None when it has no credentials and anonymous requests
        are off. AuthenticationError for a refused credential."""
        transport = request.transport
        if transport is not None and isinstance(transport.get_extra_info("sockname"), str):
            # a component that brings a token (a controller under
            # --use-service-account-credentials) is who the token says
            if bearer_token(request) is None:
                return internal_user(request)
        # as upstream's union: the first authenticator that succeeds wins; a refused
        # credential fails the request only when no other one succeeds
        refused: AuthenticationError | None = None
        if self.client_certs is not None and transport is not None:
            ssl_object = transport.get_extra_info("ssl_object")
            der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
            if der:
                try:
                    user = self.client_certs.authenticate(der)
                    if user is not None:
                        return user
                except AuthenticationError as exc:
                    refused = exc
        token = bearer_token(request)
        if token is not None:
            found = await self.authenticate_token(token)
            if found is None:
                raise AuthenticationError("invalid bearer token")
            return found[0]
        if refused is not None:
            raise refused
        if request.get("user") is not None:  # in-process test transports set it themselves
            return request["user"]
        return anonymous_user() if self.anonymous else None

    async def authenticate_token(self, token: str, audiences: list[str] | None = None
                                 ) -> tuple[dict, list[str]] | None:
        """(user, audiences) of a bearer token, or None when no authenticator accepts it
        (TokenReview's entry point, too)."""
        wanted = list(audiences or self.api_audiences)
        user = self.token_file.authenticate_token(token)
        if user is not None:
            return user, wanted
        if self.bootstrap is not None:
            user = await self.bootstrap.authenticate_token(token)
            if user is not None:
                return user, wanted
        if self.service_accounts is not None and self.service_accounts.handles(token):
            try:
                return await self.service_accounts.authenticate_token(
                    token, int(time.time()), wanted)
            except AuthenticationError as exc:
                log.debug("service account token refused: %s", exc)
                return None
        return None


def options_from_config(config) -> AuthenticationOptions:
    """The authentication part of an APIServerConfig."""
    return AuthenticationOptions(
        anonymous=config.anonymous_auth, client_ca_file=config.client_ca_file,
        token_auth_file=getattr(config, "token_auth_file", None),
        service_account_key_files=list(getattr(config, "service_account_key_files", []) or []),
        service_account_signing_key_file=getattr(config, "service_account_signing_key_file", None),
        service_account_issuers=list(getattr(config, "service_account_issuers", []) or [])
        or [DEFAULT_ISSUER],
        api_audiences=list(getattr(config, "api_audiences", []) or []),
        bootstrap_tokens=bool(getattr(config, "enable_bootstrap_token_auth", False)),
        max_token_expiration=int(getattr(config, "service_account_max_token_expiration", 0) or 0),
        extend_token_expiration=bool(getattr(config, "service_account_extend_token_expiration", True)))


def without_token_protocol(request: "web.Request") -> "web.Request":
    """The request minus a `base64url.bearer.authorization.k8s.io.` websocket subprotocol,
    so the token is not passed on (to a kubelet) nor offered back; as upstream strips it."""
    offered = request.headers.get("Sec-WebSocket-Protocol", "")
    if WEBSOCKET_TOKEN_PREFIX not in offered:
        return request
    kept = [p.strip() for p in offered.split(",")
            if p.strip() and not p.strip().startswith(WEBSOCKET_TOKEN_PREFIX)]
    headers = request.headers.copy()
    del headers["Sec-WebSocket-Protocol"]
    if kept:
        headers["Sec-WebSocket-Protocol"] = ", ".join(kept)
    return request.clone(headers=headers)
