# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The HTTPS POST of an AdmissionReview to a webhook, and where a webhook lives.

TLS is verified against the webhook's caBundle (the system roots when it has none).
A webhook behind a Service is reached at a ready endpoint of the Service (as upstream
does with --enable-aggregator-routing: the API server on the host need not route
ClusterIPs), while the URL, the TLS server name and the certificate check stay the
Service's DNS name `<service>.<namespace>.svc`. Failures are worded as Go's HTTP
client words them, since they end up in the client's error message."""
from __future__ import annotations

import asyncio
import base64
import socket
import ssl
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import quote

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

MAX_RESPONSE_BYTES = 3 * 1024 * 1024
# OpenSSL verify codes Go reports as "certificate signed by unknown authority": no
# issuer found, a bad signature from a same-named issuer, self-signed certificates
_UNKNOWN_AUTHORITY_CODES = {2, 7, 18, 19, 20, 21}


class CallFailed(Exception):
    """The call did not produce an answer; the text follows `failed to call webhook: `."""


@dataclass(frozen=True)
class Destination:
    url: str  # as shown in errors and sent (host: the Service's DNS name or the URL's)
    connect_to: tuple[str, int] | None = None  # where to dial instead of the URL's host


def service_url(service: Mapping, timeout: int) -> str:
    """https://<name>.<namespace>.svc:<port><path>?timeout=<n>s"""
    path = service.get("path") or ""
    port = service.get("port") or 443
    return (f"https://{service.get('name')}.{service.get('namespace')}.svc:{port}{quote(path)}"
            f"?timeout={timeout}s")


def url_with_timeout(url: str, timeout: int) -> str:
    return f"{url}{'&' if '?' in url else '?'}timeout={timeout}s"


_contexts: dict[str, ssl.SSLContext] = {}


def tls_context(ca_bundle: str) -> ssl.SSLContext:
    """A verifying client context for the base64 caBundle (cached: building one costs)."""
    context = _contexts.get(ca_bundle)
    if context is None:
        if ca_bundle:
            pem = base64.b64decode(ca_bundle).decode("ascii", "replace")
            context = ssl.create_default_context(cadata=pem)
        else:
            context = ssl.create_default_context()
        context.set_alpn_protocols(["http/1.1"])
        if len(_contexts) > 64:
            _contexts.clear()
        _contexts[ca_bundle] = context
    return context


class _FixedResolver(AbstractResolver):
    """Every name resolves to one address and port: the Service endpoint picked."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        address_family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        return [{"hostname": host, "host": self.host, "port": self.port,
                 "family": address_family, "proto": 0, "flags": socket.AI_NUMERICHOST}]

    async def close(self) -> None:
        return None


def _go_reason(exc: BaseException, url: str) -> str:
    """What Go's client says for the failure (`Post "<url>": ...`)."""
    if isinstance(exc, asyncio.TimeoutError):
        why = "context deadline exceeded"
    elif isinstance(exc, aiohttp.ClientConnectorCertificateError):
        error = exc.certificate_error
        detail = str(getattr(error, "verify_message", "") or error)
        if getattr(error, "verify_code", None) in _UNKNOWN_AUTHORITY_CODES:
            why = "tls: failed to verify certificate: x509: certificate signed by unknown authority"
        else:
            why = f"tls: failed to verify certificate: x509: {detail}"
    elif isinstance(exc, aiohttp.ClientConnectorError):
        host, port = exc.host, exc.port
        os_error = exc.os_error
        if isinstance(os_error, ConnectionRefusedError):
            why = f"dial tcp {host}:{port}: connect: connection refused"
        else:
            why = f"dial tcp {host}:{port}: {os_error.strerror or os_error}"
    elif isinstance(exc, aiohttp.ServerDisconnectedError):
        why = "EOF"
    else:
        why = str(exc) or type(exc).__name__
    return f'Post "{url}": {why}'


def _status_reason(status: int, body: bytes) -> str:
    """A non-2xx answer, as the Go REST client turns it into an error."""
    import orjson
    try:
        decoded = orjson.loads(body)
    except orjson.JSONDecodeError:
        decoded = None
    if isinstance(decoded, dict) and decoded.get("kind") == "Status" and decoded.get("message"):
        return str(decoded["message"])
    text = body.decode("utf-8", "replace").strip()
    if status >= 500 and text:
        return f'an error on the server ("{text[:1024]}") has prevented the request from succeeding'
    return f"the server responded with the status code {status} but did not return more information"


async def post_review(destination: Destination, body: bytes, *, ca_bundle: str,
                      timeout: float) -> bytes:
    """POST the review, return the response body; CallFailed with Go's wording."""
    resolver = _FixedResolver(*destination.connect_to) if destination.connect_to else None
    connector = aiohttp.TCPConnector(resolver=resolver, use_dns_cache=False, force_close=True)
    try:
        context = tls_context(ca_bundle)
    except (ValueError, ssl.SSLError, UnicodeError) as exc:
        raise CallFailed(f'Post "{destination.url}": tls: invalid caBundle: {exc}') from None
    try:
        async with aiohttp.ClientSession(connector=connector) as session:
            async with asyncio.timeout(timeout):
                async with session.post(destination.url, data=body, ssl=context,
                                        headers={"Content-Type": "application/json",
                                                 "Accept": "application/json, */*"}) as response:
                    data = await response.content.read(MAX_RESPONSE_BYTES + 1)
                    if len(data) > MAX_RESPONSE_BYTES:
                        raise CallFailed(f'Post "{destination.url}": response body too large')
                    if not 200 <= response.status < 300:
                        raise CallFailed(_status_reason(response.status, data))
                    return data
    except CallFailed:
        raise
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError, ssl.SSLError) as exc:
        raise CallFailed(_go_reason(exc, destination.url)) from None
