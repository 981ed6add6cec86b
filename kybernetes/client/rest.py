# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The API client every component uses: get, list, watch, create, update, patch, delete.

One client, two ways to reach the server: HTTPS with a kubeconfig (components running
alone, `--kubeconfig F`), or the server's own Unix socket (components running inside
`kybernetes server`), which the server trusts as the identity it was told. Both go through
the API server's one write path. Objects are plain dicts; the caller owns what it gets.

Over HTTPS the client may know several API servers (`https://a:6443,https://b:6444`, or
the kubeconfig's `kybernetes.io/servers` cluster extension): it balances as a k3s agent
does, sticking to one and failing over to the next when it stops answering; a watch cut
by a dying server resumes from its last resourceVersion on the next (loadbalancer.py).
"""
from __future__ import annotations

import asyncio
import ssl
import tempfile
from pathlib import Path
from typing import AsyncIterator
from urllib.parse import quote, urlencode

import aiohttp
import orjson

from kybernetes.api.resources import ResourceType, builtin_registry
from kybernetes.apiserver.errors import ApiError
from kybernetes.client.loadbalancer import (FAILOVER_STATUSES, ServerPool, servers_from_cluster,
                                            should_retry)

_REGISTRY = builtin_registry()


def resource(name: str) -> ResourceType:
    """A built-in resource by the names kubectl accepts: `pods`, `deployments.apps`,
    `horizontalpodautoscalers.autoscaling/v1` (a version picks a non-preferred one)."""
    name, _, version = name.partition("/")
    plural, _, group = name.partition(".")
    for rt in _REGISTRY.all():
        if rt.plural == plural and rt.group == group and (
                rt.version == version if version else rt.preferred):
            return rt
    raise KeyError(f"unknown resource {name!r}")


def custom_resource(group: str, version: str, plural: str, kind: str,
                    namespaced: bool = True) -> ResourceType:
    return ResourceType(group, version, kind, plural, kind.lower(), namespaced, custom=True)


def api_error(status: int, body: bytes) -> ApiError:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        data = {}
    if not isinstance(data, dict) or data.get("kind") != "Status":
        return ApiError(status, "", body.decode(errors="replace")[:500] or f"HTTP {status}")
    details = data.get("details") or {}
    return ApiError(data.get("code", status), data.get("reason", ""), data.get("message", ""),
                    name=details.get("name", ""), group=details.get("group", ""),
                    kind=details.get("kind", ""), causes=details.get("causes") or [],
                    retry_after=details.get("retryAfterSeconds", 0))


def _path(rt: ResourceType, namespace: str | None = None, name: str = "",
          subresource: str = "") -> str:
    base = f"/apis/{rt.group}/{rt.version}" if rt.group else f"/api/{rt.version}"
    if rt.namespaced and namespace:
        base += f"/namespaces/{quote(namespace)}"
    base += f"/{rt.plural}"
    if name:
        base += f"/{quote(name)}"
    if subresource:
        base += f"/{subresource}"
    return base


PATCH_CONTENT_TYPES = {
    "merge": "application/merge-patch+json",
    "strategic": "application/strategic-merge-patch+json",
    "json": "application/json-patch+json",
    "apply": "application/apply-patch+yaml",
}


class Client:
    """An asyncio API client. Create it inside a running event loop; `close()` when done.
    Connections are unlimited by default: every informer holds one for its watch."""

    def __init__(self, base_url: str | list[str], *, ssl_context: ssl.SSLContext | bool | None = None,
                 unix_socket: str | None = None, token: str | None = None,
                 user_agent: str = "kybernetes", field_manager: str = "",
                 max_connections: int = 0, component: str = "") -> None:
        if unix_socket:
            connector: aiohttp.BaseConnector = aiohttp.UnixConnector(
                path=unix_socket, limit=max_connections)
        else:
            connector = aiohttp.TCPConnector(ssl=ssl_context, limit=max_connections)
        self.pool = ServerPool(base_url)
        self.field_manager = field_manager or user_agent
        headers = {"User-Agent": user_agent, "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if component and unix_socket:
            headers["Kybernetes-Component"] = component
        self.session = aiohttp.ClientSession(
            connector=connector, headers=headers, json_serialize=lambda o: orjson.dumps(o).decode(),
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=10))

    @property
    def base_url(self) -> str:
        """The API server requests go to now."""
        return self.pool.preferred

    @base_url.setter
    def base_url(self, value: str | list[str]) -> None:
        """Replace the servers (one URL, a comma-separated list, or a list)."""
        self.pool = ServerPool(value)

    @property
    def servers(self) -> list[str]:
        return list(self.pool.servers)

    # ---------------------------------------------------------------- construction
    @classmethod
    def from_kubeconfig(cls, path: str | Path, servers: str | list[str] | None = None,
                        **kwargs) -> "Client":
        """A client with the kubeconfig's credentials; `servers` (e.g. a `--server`
        flag's comma-separated list) overrides the servers the kubeconfig names."""
        from kybernetes.pki.kubeconfig import load_kubeconfig
        config = load_kubeconfig(path)
        context: ssl.SSLContext | bool
        if config.insecure_skip_tls_verify():
            context = False
        else:
            context = ssl.create_default_context()
            ca = config.ca_pem()
            if ca:
                context.load_verify_locations(cadata=ca.decode())
            cert, key = config.client_cert_pem(), config.client_key_pem()
            if cert and key:
                # ssl wants files: keep them in a private temporary directory
                tmp = Path(tempfile.mkdtemp(prefix="kybernetes-client-"))
                (tmp / "c.crt").write_bytes(cert)
                (tmp / "c.key").write_bytes(key)
                (tmp / "c.key").chmod(0o600)
                context.load_cert_chain(str(tmp / "c.crt"), str(tmp / "c.key"))
                for item in tmp.iterdir():
                    item.unlink()
                tmp.rmdir()
        return cls(servers or servers_from_cluster(config.cluster()), ssl_context=context,
                   token=config.token(), **kwargs)

    @classmethod
    def in_process(cls, socket_path: str | Path, component: str, **kwargs) -> "Client":
        """A client for a component running inside `kybernetes server`."""
        return cls("http://localhost", unix_socket=str(socket_path), component=component,
                   user_agent=kwargs.pop("user_agent", component.rsplit(":", 1)[-1]), **kwargs)

    async def close(self) -> None:
        await self.session.close()

    # ---------------------------------------------------------------- plumbing
    async def request(self, method: str, path: str, *, params: dict | None = None,
                      body: object = None, content_type: str = "application/json") -> dict:
        if params:
            path += "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")},
                                    doseq=True)
        data = None if body is None else (body if isinstance(body, bytes) else orjson.dumps(body))
        headers = {"Content-Type": content_type} if data is not None else None
        candidates = self.pool.candidates()
        for attempt, server in enumerate(candidates):
            last = attempt == len(candidates) - 1
            try:
                async with self.session.request(method, server + path, data=data,
                                                headers=headers) as response:
                    status, payload = response.status, await response.read()
            except aiohttp.ClientConnectorError:
                self.pool.failed(server)  # never reached it: any request may go elsewhere
                if last:
                    raise
                continue
            except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError,
                    aiohttp.ClientPayloadError):
                self.pool.failed(server)
                if last or not should_retry(method, sent=True):
                    raise
                continue
            if status in FAILOVER_STATUSES and len(candidates) > 1:
                self.pool.failed(server)  # a dying server: the next request goes elsewhere
                if not last and should_retry(method, sent=True):
                    continue
            else:
                self.pool.succeeded(server)
            if status >= 400:
                raise api_error(status, payload)
            return orjson.loads(payload) if payload else {}
        raise AssertionError("unreachable: the pool always has a server")

    # ---------------------------------------------------------------- verbs
    async def get(self, rt: ResourceType, name: str, namespace: str | None = None,
                  subresource: str = "") -> dict:
        return await self.request("GET", _path(rt, namespace, name, subresource))

    async def get_or_none(self, rt: ResourceType, name: str,
                          namespace: str | None = None) -> dict | None:
        try:
            return await self.get(rt, name, namespace)
        except ApiError as exc:
            if exc.code == 404:
                return None
            raise

    async def list(self, rt: ResourceType, namespace: str | None = None, *,
                   label_selector: str = "", field_selector: str = "",
                   resource_version: str = "", limit: int = 0) -> tuple[list[dict], str]:
        """Every item (following continue tokens) and the list's resourceVersion."""
        items: list[dict] = []
        token = ""
        while True:
            body = await self.request("GET", _path(rt, namespace), params={
                "labelSelector": label_selector, "fieldSelector": field_selector,
                "resourceVersion": resource_version if not token else "",
                "limit": limit or None, "continue": token})
            items.extend(body.get("items") or [])
            token = (body.get("metadata") or {}).get("continue", "")
            if not token:
                return items, (body.get("metadata") or {}).get("resourceVersion", "")

    async def watch(self, rt: ResourceType, namespace: str | None = None, *,
                    resource_version: str = "", label_selector: str = "",
                    field_selector: str = "", timeout_seconds: int | None = None,
                    bookmarks: bool = True) -> AsyncIterator[tuple[str, dict]]:
        """(type, object) pairs until the server ends the stream. An ERROR event with a
        410 Status raises ApiError(410) so informers know to list again.

        A stream cut by a server that died (no clean end) is reopened on the next server
        from the last resourceVersion seen, so the caller misses no event; after every
        server failed several times in a row the connection error is raised."""
        failures = 0
        while True:
            params = {"watch": "true", "resourceVersion": resource_version,
                      "labelSelector": label_selector, "fieldSelector": field_selector,
                      "timeoutSeconds": timeout_seconds,
                      "allowWatchBookmarks": "true" if bookmarks else None}
            server = self.pool.candidates()[0]
            url = server + _path(rt, namespace) + "?" + urlencode(
                {k: v for k, v in params.items() if v not in (None, "")})
            try:
                async with self.session.get(url) as response:
                    if response.status >= 400:
                        payload = await response.read()
                        if response.status in FAILOVER_STATUSES and len(self.pool.servers) > 1 \
                                and failures < 3 * len(self.pool.servers):
                            self.pool.failed(server)
                            failures += 1
                            await self._pause_after_round(failures)
                            continue
                        raise api_error(response.status, payload)
                    self.pool.succeeded(server)
                    buffer = b""
                    async for chunk in response.content.iter_any():
                        buffer += chunk
                        while b"\n" in buffer:
                            line, buffer = buffer.split(b"\n", 1)
                            if not line.strip():
                                continue
                            event = orjson.loads(line)
                            if event.get("type") == "ERROR":
                                status = event.get("object") or {}
                                raise api_error(status.get("code", 500), orjson.dumps(status))
                            seen = (event["object"].get("metadata") or {}).get("resourceVersion")
                            if seen:
                                resource_version = seen
                            failures = 0
                            yield event["type"], event["object"]
                    return  # the server ended the stream cleanly
            except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError):
                self.pool.failed(server)
                failures += 1
                if len(self.pool.servers) == 1 or failures >= 3 * len(self.pool.servers):
                    raise
                await self._pause_after_round(failures)

    async def _pause_after_round(self, failures: int) -> None:
        """Back off a little once every server has been tried in a row."""
        if failures % len(self.pool.servers) == 0:
            await asyncio.sleep(min(0.2 * failures, 2.0))

    async def create(self, rt: ResourceType, obj: dict, namespace: str | None = None, *,
                     subresource: str = "", name: str = "", dry_run: bool = False) -> dict:
        namespace = namespace or (obj.get("metadata") or {}).get("namespace")
        return await self.request("POST", _path(rt, namespace, name, subresource), params={
            "fieldManager": self.field_manager, "dryRun": "All" if dry_run else None}, body=obj)

    async def update(self, rt: ResourceType, obj: dict, *, subresource: str = "") -> dict:
        meta = obj["metadata"]
        return await self.request("PUT", _path(rt, meta.get("namespace"), meta["name"], subresource),
                                  params={"fieldManager": self.field_manager}, body=obj)

    async def update_status(self, rt: ResourceType, obj: dict) -> dict:
        return await self.update(rt, obj, subresource="status")

    async def patch(self, rt: ResourceType, name: str, patch: object,
                    namespace: str | None = None, *, patch_type: str = "merge",
                    subresource: str = "", force: bool = False) -> dict:
        params = {"fieldManager": self.field_manager}
        if patch_type == "apply":
            params["force"] = "true" if force else "false"
        return await self.request("PATCH", _path(rt, namespace, name, subresource), params=params,
                                  body=patch, content_type=PATCH_CONTENT_TYPES[patch_type])

    async def delete(self, rt: ResourceType, name: str, namespace: str | None = None, *,
                     propagation: str | None = None, grace_period: int | None = None,
                     uid: str | None = None, resource_version: str | None = None) -> dict:
        options: dict = {}
        if propagation:
            options["propagationPolicy"] = propagation
        if grace_period is not None:
            options["gracePeriodSeconds"] = grace_period
        preconditions = {k: v for k, v in (("uid", uid), ("resourceVersion", resource_version)) if v}
        if preconditions:
            options["preconditions"] = preconditions
        return await self.request("DELETE", _path(rt, namespace, name), body=options or None)

    async def wait_ready(self, timeout: float = 30.0) -> None:
        """Until the server answers /readyz (components started beside it)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for server in self.pool.candidates():
                try:
                    async with self.session.get(server + "/readyz") as response:
                        if response.status == 200:
                            self.pool.succeeded(server)
                            return
                except aiohttp.ClientError:
                    self.pool.failed(server)
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError("the API server did not become ready")
            await asyncio.sleep(0.1)
