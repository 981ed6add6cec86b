# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The OCI distribution client: manifests and blobs from one registry endpoint over
HTTP or HTTPS, with the Bearer token dance (as Docker Hub does it) or Basic auth.
Errors read as containerd's do, since they end up in the kubelet's events."""
from __future__ import annotations

import hashlib
import os
import ssl
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import orjson

from kybernetes.kubelet.images.auth import (Challenge, Credentials, parse_www_authenticate,
                                            repository_scope, token_from_response, token_request_url)
from kybernetes.kubelet.images.manifest import MANIFEST_ACCEPT
from kybernetes.kubelet.images.registries import Endpoint, TLSConfig

USER_AGENT = "kybernetes/0.1 (containerd-compatible distribution client)"
_CHUNK = 1 << 20
MANIFEST_SIZE_LIMIT = 4 << 20  # containerd's limit on manifests and indexes


class RegistryError(Exception):
    """A registry request failed; str() is the reason an event shows."""


class NotFound(RegistryError):
    pass


class Unauthorized(RegistryError):
    pass


def _server_message(body: bytes) -> str:
    """`CODE: message` from a distribution error body, or ""."""
    try:
        errors = orjson.loads(body).get("errors") or []
        return "; ".join(f"{e.get('code', '')}: {e.get('message', '')}".strip(": ") for e in errors)
    except (orjson.JSONDecodeError, AttributeError, TypeError):
        return ""


def _connection_reason(url: str, method: str, exc: Exception) -> str:
    """Go's wording for dial errors (`dial tcp 127.0.0.1:5000: connect: connection refused`)."""
    if isinstance(exc, aiohttp.ClientConnectorError):
        host = f"{exc.host}:{exc.port}"
        os_error = exc.os_error
        if isinstance(os_error, ConnectionRefusedError):
            why = f"dial tcp {host}: connect: connection refused"
        elif isinstance(exc, aiohttp.ClientConnectorCertificateError) or isinstance(os_error, ssl.SSLError):
            why = f"tls: failed to verify certificate: {_x509_reason(exc)}"
        elif getattr(os_error, "errno", None) is not None and os_error.errno < 0:  # getaddrinfo
            why = f"dial tcp: lookup {exc.host}: no such host"
        else:
            why = f"dial tcp {host}: {os_error}"
    else:
        why = str(exc) or type(exc).__name__
    return f'failed to do request: {method.capitalize()} "{url}": {why}'


def _x509_reason(exc: Exception) -> str:
    """Go's x509 wording for the common verification failures."""
    error = getattr(exc, "certificate_error", None) or getattr(exc, "os_error", None) or exc
    message = getattr(error, "verify_message", "") or str(error)
    if "self-signed" in message or "self signed" in message or "unable to get local issuer" in message:
        return "x509: certificate signed by unknown authority"
    if "Hostname mismatch" in message or "IP address mismatch" in message:
        return f"x509: certificate is not valid for this host ({message})"
    if "expired" in message:
        return "x509: certificate has expired or is not yet valid"
    return message


def make_ssl_context(tls: TLSConfig) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=tls.ca_file or None)
    if tls.cert_file:
        context.load_cert_chain(tls.cert_file, tls.key_file or None)
    if tls.insecure_skip_verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


@dataclass(slots=True)
class Manifest:
    body: bytes
    content_type: str
    digest: str  # sha256 of the body (what a digest reference pins)


class RegistryClient:
    """Requests to one endpoint on behalf of one repository, trying each credential
    until one is accepted (anonymous when there are none)."""

    def __init__(self, session: aiohttp.ClientSession, endpoint: Endpoint, repository: str,
                 credentials: list[Credentials], tls: TLSConfig | None = None) -> None:
        self.session = session
        self.endpoint = endpoint
        self.repository = repository
        self.scope = repository_scope(repository)
        self.candidates: list[Credentials | None] = list(credentials) or [None]
        self.ssl: ssl.SSLContext | bool = (make_ssl_context(tls or TLSConfig())
                                           if endpoint.url.startswith("https://") else False)
        self._authorization: str | None = None

    # -- auth
    async def _authorize(self, challenges: list[Challenge], credentials: Credentials | None) -> str | None:
        """The Authorization header answering the registry's challenge, or None when we
        have nothing to answer with."""
        for challenge in challenges:
            if challenge.scheme == "bearer" and challenge.params.get("realm"):
                if credentials and credentials.registry_token:
                    return f"Bearer {credentials.registry_token}"
                return f"Bearer {await self._fetch_token(challenge, credentials)}"
            if challenge.scheme == "basic" and credentials and credentials.username:
                return credentials.basic_header()
        return None

    async def _fetch_token(self, challenge: Challenge, credentials: Credentials | None) -> str:
        url = token_request_url(challenge, self.scope, credentials)
        headers = {"User-Agent": USER_AGENT}
        method, form = "GET", None
        if credentials and credentials.identity_token:
            # a refresh token (docker login's identitytoken): the OAuth2 POST form
            method, url = "POST", challenge.params["realm"]
            form = {"grant_type": "refresh_token", "refresh_token": credentials.identity_token,
                    "service": challenge.params.get("service", ""), "client_id": "kybernetes",
                    "scope": challenge.params.get("scope") or self.scope}
        elif credentials and credentials.username:
            headers["Authorization"] = credentials.basic_header()
        try:
            async with self.session.request(method, url, headers=headers, data=form, ssl=self.ssl) as response:
                body = await response.read()
                if response.status != 200:
                    kind = "oauth token" if credentials else "anonymous token"
                    message = _server_message(body)
                    reason = (f"failed to authorize: failed to fetch {kind}: unexpected status from "
                              f"{method} request to {url.split('?')[0]}: {response.status} {response.reason}")
                    raise Unauthorized(reason + (f": {message}" if message else ""))
                return token_from_response(body)
        except aiohttp.ClientError as exc:
            raise RegistryError("failed to authorize: " + _connection_reason(url, method, exc)) from None
        except ValueError as exc:
            raise RegistryError(f"failed to authorize: {exc}") from None

    async def _request(self, path: str, accept: str = "") -> aiohttp.ClientResponse:
        """GET `path` under the endpoint's /v2, answering auth challenges; the caller
        reads and releases the response. Raises NotFound / Unauthorized / RegistryError."""
        url = f"{self.endpoint.api}/{self.repository}/{path}"
        headers = {"User-Agent": USER_AGENT}
        if accept:
            headers["Accept"] = accept
        last_denial, token_refusal = "", None
        for index, credentials in enumerate(self.candidates):
            # A header that worked before (same credential, same scope) is reused.
            authorization = self._authorization if index == 0 else None
            for attempt in range(2):  # the first try may draw a challenge; answer it once
                headers.pop("Authorization", None)
                if authorization:
                    headers["Authorization"] = authorization
                try:
                    response = await self.session.get(url, headers=headers, ssl=self.ssl)
                except aiohttp.ClientError as exc:
                    raise RegistryError(_connection_reason(url, "GET", exc)) from None
                if response.status == 200:
                    self._authorization = authorization
                    # keep the credential that worked first for the next request
                    self.candidates.insert(0, self.candidates.pop(index))
                    return response
                body = await response.read()
                response.release()
                if response.status == 404:
                    raise NotFound(_server_message(body) or "not found")
                if response.status != 401:
                    message = _server_message(body)
                    raise RegistryError(f"unexpected status from GET request to {url}: "
                                        f"{response.status} {response.reason}"
                                        + (f": {message}" if message else ""))
                last_denial = _server_message(body) or f"{response.status} {response.reason}"
                if attempt == 1:
                    break  # our answer was refused: the next credential
                challenges = [challenge for value in response.headers.getall("WWW-Authenticate", [])
                              for challenge in parse_www_authenticate(value)]
                try:
                    authorization = await self._authorize(challenges, credentials)
                except Unauthorized as exc:
                    token_refusal = exc
                    break
                if authorization is None:
                    break
            self._authorization = None
        if token_refusal is not None:
            raise token_refusal
        raise Unauthorized("pull access denied, repository does not exist or may require "
                           f"authorization: server message: {last_denial}")

    # -- the API
    async def get_manifest(self, reference: str) -> Manifest:
        response = await self._request(f"manifests/{reference}", accept=MANIFEST_ACCEPT)
        try:
            body = await response.content.read(MANIFEST_SIZE_LIMIT + 1)
        finally:
            response.release()
        if len(body) > MANIFEST_SIZE_LIMIT:
            raise RegistryError(f"manifest {reference} is larger than {MANIFEST_SIZE_LIMIT} bytes")
        digest = "sha256:" + hashlib.sha256(body).hexdigest()
        if reference.startswith("sha256:") and reference != digest:
            raise RegistryError(f"manifest {reference} does not match its content (got {digest})")
        return Manifest(body=body, content_type=response.headers.get("Content-Type", ""), digest=digest)

    async def get_blob_bytes(self, digest: str, limit: int = 16 << 20) -> bytes:
        """A small blob (an image config), verified against its digest."""
        response = await self._request(f"blobs/{digest}")
        try:
            body = await response.content.read(limit + 1)
        finally:
            response.release()
        if len(body) > limit:
            raise RegistryError(f"blob {digest} is larger than {limit} bytes")
        verify_digest(digest, hashlib.sha256(body).hexdigest())
        return body

    async def download_blob(self, digest: str, destination: Path, expected_size: int = 0) -> int:
        """Stream a blob into `destination` (a temp path the caller renames), verifying
        its digest and size. Returns the byte count."""
        response = await self._request(f"blobs/{digest}")
        hasher, size = hashlib.sha256(), 0
        try:
            with open(destination, "wb") as out:
                async for chunk in response.content.iter_chunked(_CHUNK):
                    hasher.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
        except aiohttp.ClientError as exc:
            raise RegistryError(f"failed to copy {digest}: {exc}") from None
        finally:
            response.release()
        if expected_size and size != expected_size:
            raise RegistryError(f"failed to copy {digest}: unexpected size {size}, expected {expected_size}")
        verify_digest(digest, hasher.hexdigest())
        return size


def verify_digest(digest: str, actual_hex: str) -> None:
    algorithm, _, expected = digest.partition(":")
    if algorithm != "sha256":
        raise RegistryError(f"unsupported digest algorithm {algorithm!r}")
    if expected != actual_hex:
        raise RegistryError(f"digest mismatch: {digest} != sha256:{actual_hex}")
