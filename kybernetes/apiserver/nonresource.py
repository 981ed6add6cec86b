# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Non-resource endpoints: /version, health checks, /metrics, discovery roots, OpenAPI."""
from __future__ import annotations

import asyncio
import platform
from typing import TYPE_CHECKING

from aiohttp import web

from kybernetes import KUBERNETES_VERSION, __version__
from kybernetes.apiserver import discovery, errors
from kybernetes.apiserver.handlers import json_response
from kybernetes.apiserver.requestinfo import RequestInfo

if TYPE_CHECKING:
    from kybernetes.apiserver.server import APIServer

# Answered without credentials, as upstream's system:public-info-viewer allows.
PUBLIC_PATHS = {"/version", "/version/", "/healthz", "/livez", "/readyz"}
BUILD_DATE = "2026-11-22T00:00:00Z"


def _pb_string(field: int, text: str) -> bytes:
    data = text.encode()
    return bytes([field << 3 | 2, len(data)]) + data


# kubectl asks for the protobuf (gnostic) OpenAPI v2 document only for a group-version the
# v3 root does not list, i.e. an API this server does not serve (extensions/v1beta1).
# A document with no definitions lets kubectl go on to its own "no matches for kind"
# error, the one a 1.32 cluster gives; everything it does serve is described in v3.
# Fields: swagger=1, info=2 {title=1, version=2}, paths=8 (empty).
OPENAPI_V2_PROTOBUF_STUB = (
    _pb_string(1, "2.0")
    + bytes([2 << 3 | 2]) + bytes([len(_pb_string(1, "Kubernetes") + _pb_string(2, "v1.32.4"))])
    + _pb_string(1, "Kubernetes") + _pb_string(2, "v1.32.4")
    + bytes([8 << 3 | 2, 0]))


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(("/healthz/", "/livez/", "/readyz/"))


def version_info() -> dict:
    major, minor, _ = KUBERNETES_VERSION.lstrip("v").split(".")
    machine = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    return {"major": major, "minor": minor,
            "gitVersion": f"{KUBERNETES_VERSION}+kybernetes-{__version__}",
            "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
            "buildDate": BUILD_DATE, "goVersion": f"python{platform.python_version()}",
            "compiler": "cpython", "platform": f"linux/{machine}"}


async def handle(server: "APIServer", request: web.Request, info: RequestInfo | None) -> web.StreamResponse:
    path = request.path.rstrip("/") or "/"
    if request.method not in ("GET", "HEAD"):
        if info is not None:
            raise errors.method_not_allowed()
        raise errors.ApiError(404, "NotFound", "the server could not find the requested resource")
    if path == "/version":
        return json_response(version_info())
    if path in ("/healthz", "/livez", "/readyz") or path.startswith(("/healthz/", "/livez/", "/readyz/")):
        return await health(server, request, path)
    if path == "/metrics":
        counts = {prefix.split("/")[2]: len(cache) for prefix, cache in server.objects.caches.items()}
        return web.Response(body=server.metrics.render(counts).encode(),
                            headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"})
    if path == "/openapi/v2":
        if "protobuf" in request.headers.get("Accept", "") and \
                "application/json" not in request.headers.get("Accept", ""):
            return web.Response(body=OPENAPI_V2_PROTOBUF_STUB,
                                content_type="application/com.github.proto-openapi.spec.v2.v1.0+protobuf")
        return web.Response(body=server.openapi.v2_document(), content_type="application/json")
    if path == "/openapi/v3":
        return json_response(server.openapi.v3_root())
    if path.startswith("/openapi/v3/"):
        found = server.openapi.v3_document(path[len("/openapi/v3/"):])
        if found is None:
            raise errors.ApiError(404, "NotFound", "the server could not find the requested resource")
        body, digest = found
        headers = {"ETag": f'"{digest}"'}
        if request.query.get("hash") == digest:
            headers["Cache-Control"] = "public, immutable"
            headers["Expires"] = "Thu, 31 Dec 2099 23:59:59 GMT"
        else:
            headers["Cache-Control"] = "no-cache, private"
        if request.headers.get("If-None-Match") == f'"{digest}"':
            return web.Response(status=304, headers=headers)
        return web.Response(body=body, content_type="application/json", headers=headers)
    if path == "/":
        paths = sorted(["/api", "/api/v1", "/apis", "/healthz", "/livez", "/readyz", "/metrics",
                        "/openapi/v2", "/openapi/v3", "/version"] +
                       [f"/apis/{g}" for g in server.registry.group_versions() if g] +
                       [f"/apis/{g}/{v}" for g, vs in server.registry.group_versions().items()
                        if g for v in vs])
        return json_response({"paths": paths})
    if info is not None:
        return discovery_response(server, request, info)
    raise errors.ApiError(404, "NotFound", "the server could not find the requested resource")


def discovery_response(server: "APIServer", request: web.Request, info: RequestInfo) -> web.Response:
    registry = server.registry
    path = request.path.rstrip("/")
    accept = request.headers.get("Accept", "")
    if path in ("/api", "/apis"):
        aggregated_version = discovery.wants_aggregated(accept)
        if aggregated_version:
            body = discovery.aggregated(registry, legacy=path == "/api", version=aggregated_version)
            response = json_response(body)
            response.content_type = "application/json"
            response.headers["Content-Type"] = (
                f"application/json;g=apidiscovery.k8s.io;v={aggregated_version};as=APIGroupDiscoveryList")
            return response
        if path == "/api":
            host = request.host or f"{server.config.advertise_address}:{server.config.port}"
            return json_response(discovery.api_versions(host))
        return json_response(discovery.api_group_list(registry))
    if info.version:
        body = discovery.api_resource_list(registry, info.group, info.version)
    elif info.group:
        body = discovery.api_group(registry, info.group)
    else:
        body = None
    if body is None:
        raise errors.ApiError(404, "NotFound", "the server could not find the requested resource")
    return json_response(body)


STORE_CHECK_TIMEOUT = 2.0  # seconds a /readyz store read may take before "failed"


async def store_reachable(server: "APIServer") -> bool:
    """The store answers a read now. For etcd that is a linearizable read through any
    member, i.e. the cluster has quorum: one dead member out of three is still ok, as
    upstream's etcd check (a read through its client) sees it."""
    try:
        await asyncio.wait_for(server.store.current_revision(), STORE_CHECK_TIMEOUT)
        return True
    except Exception:  # unreachable, no quorum, timed out: not ready
        return False


async def health(server: "APIServer", request: web.Request, path: str) -> web.Response:
    checks = [("ping", True), ("log", True)]
    if path.startswith("/readyz") or path.startswith("/healthz"):
        checks += [("etcd", await store_reachable(server)), ("informer-sync", server.ready),
                   ("poststarthook/bootstrap-controller", server.ready)]
    wanted = path.split("/", 2)[2] if path.count("/") >= 2 else ""
    if wanted:
        found = [c for c in checks if c[0] == wanted or f"poststarthook/{wanted}" == c[0]]
        if not found:
            raise errors.ApiError(404, "NotFound", "the server could not find the requested resource")
        checks = found
    healthy = all(ok for _, ok in checks)
    if "verbose" in request.query:
        lines = [f"[{'+' if ok else '-'}]{name} {'ok' if ok else 'failed: reason withheld'}"
                 for name, ok in checks]
        lines.append(f"{path.strip('/').split('/')[0]} check {'passed' if healthy else 'failed'}")
        text = "\n".join(lines) + "\n"
    else:
        text = "ok" if healthy else f"[-]{[n for n, ok in checks if not ok][0]} failed: reason withheld\n{path.strip('/')} check failed"
    return web.Response(text=text, status=200 if healthy else 500, content_type="text/plain")


__all__ = ["handle", "is_public", "version_info", "__version__"]
