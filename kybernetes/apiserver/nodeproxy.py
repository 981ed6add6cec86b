# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The API server's side of pods/log, pods/exec, pods/attach, pods/portforward and
nodes/proxy: find the pod's node and its kubelet, then stream the kubelet's answer
back (logs) or, for upgrade requests, forward the request with its Upgrade headers
and splice bytes both ways, as upstream's UpgradeAwareHandler does. Every streaming
protocol is spoken by the kubelet; this side only moves bytes.

The API server presents its kubelet-client certificate (kubeadm's
apiserver-kubelet-client.crt). The kubelet's serving certificate is verified only when
--kubelet-certificate-authority is given, as upstream.
"""
from __future__ import annotations

import asyncio
import logging
import ssl
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

import aiohttp
import orjson
from aiohttp import web

from kybernetes.api.resources import ResourceType
from kybernetes.apiserver import errors
from kybernetes.apiserver.requestinfo import RequestInfo
from kybernetes.streaming.io import hijack, splice

if TYPE_CHECKING:
    from kybernetes.apiserver.server import APIServer

log = logging.getLogger("kybernetes.apiserver.nodeproxy")

LOG_PARAMETERS = ("follow", "tailLines", "previous", "timestamps", "sinceSeconds", "sinceTime",
                  "limitBytes", "insecureSkipTLSVerifyBackend")
# request headers an upgrade carries to the kubelet (the rest is the API server's business)
_FORWARDED = {"upgrade", "connection", "sec-websocket-key", "sec-websocket-version",
              "sec-websocket-protocol", "sec-websocket-extensions", "x-stream-protocol-version",
              "user-agent", "origin"}
# the kubelet's 101 headers the client needs
_SWITCHED = {"upgrade", "connection", "sec-websocket-accept", "sec-websocket-protocol",
             "sec-websocket-extensions", "x-stream-protocol-version"}
_MAX_ERROR_BODY = 1 << 20
DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container"


def container_names(pod: dict, key: str) -> list[str]:
    return [c.get("name", "") for c in (pod.get("spec") or {}).get(key) or []]


def resolve_container(pod: dict, requested: str) -> str:
    """The container a log/exec/attach request means, with upstream's messages."""
    name = pod["metadata"]["name"]
    containers = container_names(pod, "containers")
    if not requested:
        annotated = (pod["metadata"].get("annotations") or {}).get(DEFAULT_CONTAINER_ANNOTATION)
        if annotated and annotated in containers:
            return annotated
        if len(containers) == 1:
            return containers[0]
        message = (f"a container name must be specified for pod {name}, choose one of: "
                   f"[{' '.join(containers)}]")
        init = container_names(pod, "initContainers")
        if init:
            message += f" or one of the init containers: [{' '.join(init)}]"
        ephemeral = container_names(pod, "ephemeralContainers")
        if ephemeral:
            message += f" or one of the ephemeral containers: [{' '.join(ephemeral)}]"
        raise errors.bad_request(message)
    every = containers + container_names(pod, "initContainers") + \
        container_names(pod, "ephemeralContainers")
    if requested not in every:
        raise errors.bad_request(f"container {requested} is not valid for pod {name}")
    return requested


def kubelet_address(node: dict) -> tuple[str, int]:
    """(address, port) of a node's kubelet: its InternalIP (else another address) and
    the port it reports in daemonEndpoints."""
    status = node.get("status") or {}
    addresses = {}
    for item in status.get("addresses") or []:
        addresses.setdefault(item.get("type"), item.get("address"))
    host = next((addresses[t] for t in ("InternalIP", "ExternalIP", "Hostname", "InternalDNS",
                                        "ExternalDNS") if addresses.get(t)), "")
    port = ((status.get("daemonEndpoints") or {}).get("kubeletEndpoint") or {}).get("Port") or 0
    name = node["metadata"]["name"]
    if not host:
        raise errors.bad_request(f"node {name} has no address")
    if not port:
        raise errors.bad_request(f"node {name} reports no kubelet port")
    return host, int(port)


def status_from_kubelet(code: int, body: bytes) -> errors.ApiError:
    """The kubelet's error answer as an API error: its Status when it sent one, else its
    text as the message."""
    try:
        status = orjson.loads(body)
    except orjson.JSONDecodeError:
        status = None
    if isinstance(status, dict) and status.get("kind") == "Status":
        return errors.ApiError(status.get("code") or code, status.get("reason") or errors.http_reason(code),
                               status.get("message", ""))
    text = body.decode("utf-8", "replace").strip()
    return errors.ApiError(code, errors.http_reason(code), text or f"the kubelet answered {code}")


class NodeProxy:
    def __init__(self, server: "APIServer") -> None:
        self.server = server
        self._context: ssl.SSLContext | None = None
        self._session: aiohttp.ClientSession | None = None

    def register(self, node_handlers: dict) -> None:
        node_handlers.update({"log": self.log, "exec": self.remote_command,
                              "attach": self.remote_command, "portforward": self.port_forward,
                              "proxy": self.proxy})

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # -------------------------------------------------------------- TLS to kubelets
    def _client_files(self) -> tuple[Path | None, Path | None, Path | None]:
        config = self.server.config
        cert = getattr(config, "kubelet_client_certificate", None)
        key = getattr(config, "kubelet_client_key", None)
        if cert is None and config.tls_cert_file is not None:
            # kubeadm's layout: beside apiserver.crt
            candidate = Path(config.tls_cert_file).parent / "apiserver-kubelet-client.crt"
            if candidate.is_file() and candidate.with_suffix(".key").is_file():
                cert, key = candidate, candidate.with_suffix(".key")
        return cert, key, getattr(config, "kubelet_certificate_authority", None)

    def ssl_context(self) -> ssl.SSLContext:
        if self._context is None:
            cert, key, ca = self._client_files()
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            if ca is not None:
                context.load_verify_locations(str(ca))
                context.check_hostname = False  # kubelets are reached by address
            else:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            if cert is not None and key is not None:
                context.load_cert_chain(str(cert), str(key))
            context.set_alpn_protocols(["http/1.1"])
            self._context = context
        return self._context

    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=self.ssl_context()),
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=30),
                auto_decompress=False)
        return self._session

    # -------------------------------------------------------------- lookups
    async def _pod(self, rt: ResourceType, info: RequestInfo) -> dict:
        return await self.server.objects.get(rt, info.namespace, info.name)

    async def _kubelet_of(self, node_name: str, for_pod: bool = True) -> tuple[str, int]:
        nodes = self.server.registry.by_kind("", "v1", "Node")
        try:
            node = await self.server.objects.get(nodes, None, node_name)
        except errors.ApiError as exc:
            if exc.code == 404 and for_pod:
                raise errors.bad_request(f'node "{node_name}" not found') from None
            raise
        return kubelet_address(node)

    # -------------------------------------------------------------- pods/log
    async def log(self, request: web.Request, info: RequestInfo, rt: ResourceType) -> web.StreamResponse:
        if rt.kind != "Pod" or request.method != "GET":
            raise errors.method_not_allowed()
        pod = await self._pod(rt, info)
        container = resolve_container(pod, request.query.get("container", ""))
        node_name = (pod.get("spec") or {}).get("nodeName")
        if not node_name:
            # upstream: a pod not yet on a node has an empty log
            return web.Response(body=b"", content_type="text/plain")
        host, port = await self._kubelet_of(node_name)
        query = {k: request.query[k] for k in LOG_PARAMETERS if k in request.query}
        url = (f"https://{_host(host)}:{port}/containerLogs/{quote(info.namespace or '')}/"
               f"{quote(info.name)}/{quote(container)}")
        try:
            upstream = await self.session().get(url, params=query)
        except (aiohttp.ClientError, OSError) as exc:
            raise errors.internal(f"Get \"{url}\": {exc}") from None
        async with upstream:
            if upstream.status != 200:
                raise status_from_kubelet(upstream.status, await upstream.content.read(_MAX_ERROR_BODY))
            response = web.StreamResponse(headers={"Content-Type": "text/plain"})
            response.enable_chunked_encoding()
            await response.prepare(request)
            try:
                while True:
                    try:
                        chunk = await asyncio.wait_for(upstream.content.readany(), timeout=1.0)
                    except asyncio.TimeoutError:
                        # a quiet follow: notice a client that has gone
                        if request.transport is None or request.transport.is_closing():
                            break
                        continue
                    if not chunk:
                        break
                    await response.write(chunk)
                await response.write_eof()
            except (ConnectionError, aiohttp.ClientError):
                pass
        return response

    # -------------------------------------------------------------- exec, attach
    async def remote_command(self, request: web.Request, info: RequestInfo,
                             rt: ResourceType) -> web.StreamResponse:
        if rt.kind != "Pod":
            raise errors.ApiError(404, "NotFound", "the server could not find the requested resource")
        if request.method not in ("GET", "POST"):
            raise errors.method_not_allowed()
        pod = await self._pod(rt, info)
        container = resolve_container(pod, request.query.get("container", ""))
        node_name = (pod.get("spec") or {}).get("nodeName")
        if not node_name:
            raise errors.bad_request(f"pod {info.name} does not have a host assigned")
        host, port = await self._kubelet_of(node_name)
        query = [(k, v) for k, v in request.query.items() if k != "container"]
        path = (f"/{info.subresource}/{quote(info.namespace or '')}/{quote(info.name)}/"
                f"{quote(container)}")
        return await self._upgrade(request, host, port, path, query)

    # -------------------------------------------------------------- port-forward
    async def port_forward(self, request: web.Request, info: RequestInfo,
                           rt: ResourceType) -> web.StreamResponse:
        if rt.kind != "Pod":
            raise errors.ApiError(404, "NotFound", "the server could not find the requested resource")
        if request.method not in ("GET", "POST"):
            raise errors.method_not_allowed()
        pod = await self._pod(rt, info)
        node_name = (pod.get("spec") or {}).get("nodeName")
        if not node_name:
            raise errors.bad_request(f"pod {info.name} does not have a host assigned")
        host, port = await self._kubelet_of(node_name)
        path = f"/portForward/{quote(info.namespace or '')}/{quote(info.name)}"
        return await self._upgrade(request, host, port, path, list(request.query.items()))

    async def _upgrade(self, request: web.Request, host: str, port: int, path: str,
                       query: list[tuple[str, str]]) -> web.StreamResponse:
        """Send the client's request to the kubelet; on 101 hand the client the
        kubelet's answer and splice the two connections."""
        if "upgrade" not in request.headers.get("Connection", "").lower() or \
                not request.headers.get("Upgrade"):
            raise errors.bad_request("Upgrade request required")
        try:
            reader, writer = await asyncio.open_connection(
                host, port, ssl=self.ssl_context(), server_hostname=host, limit=1 << 20)
        except (OSError, ssl.SSLError) as exc:
            raise errors.internal(f"error dialing backend: {exc}") from None
        try:
            target = path + ("?" + urlencode(query) if query else "")
            head = [f"{request.method} {target} HTTP/1.1", f"Host: {_host(host)}:{port}"]
            for name, value in request.headers.items():
                if name.lower() in _FORWARDED:
                    head.append(f"{name}: {value}")
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
            await writer.drain()
            raw = await reader.readuntil(b"\r\n\r\n")
        except (OSError, ssl.SSLError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
            writer.close()
            raise errors.internal(f"error dialing backend: {exc}") from None
        code, reason, headers = _parse_head(raw)
        if code != 101:
            body = await _read_body(reader, headers)
            writer.close()
            content_type = next((v for k, v in headers if k.lower() == "content-type"), "text/plain")
            if "json" in content_type:
                return web.Response(status=code, body=body, content_type="application/json")
            raise status_from_kubelet(code, body)
        switched = [(k, v) for k, v in headers if k.lower() in _SWITCHED]
        channel, response = await hijack(request, switched, 101, reason or "Switching Protocols")
        await splice(channel, reader, writer)
        return response

    # -------------------------------------------------------------- nodes/proxy
    async def proxy(self, request: web.Request, info: RequestInfo, rt: ResourceType) -> web.StreamResponse:
        if rt.kind != "Node":
            raise errors.ApiError(503, "ServiceUnavailable",
                                  f"no proxy for {rt.plural} is available on this server")
        host, port = await self._kubelet_of(info.name, for_pod=False)
        path = "/" + "/".join(quote(part) for part in info.parts)
        if request.path.endswith("/") and path != "/":
            path += "/"
        url = f"https://{_host(host)}:{port}{path}"
        body = await request.read() if request.can_read_body else None
        headers = {k: v for k, v in request.headers.items()
                   if k.lower() in ("accept", "content-type", "user-agent")}
        try:
            upstream = await self.session().request(request.method, url, params=list(request.query.items()),
                                                    data=body, headers=headers)
        except (aiohttp.ClientError, OSError) as exc:
            raise errors.ApiError(503, "ServiceUnavailable",
                                  f"error trying to reach service: {exc}") from None
        async with upstream:
            response = web.StreamResponse(status=upstream.status)
            for name in ("Content-Type",):
                if name in upstream.headers:
                    response.headers[name] = upstream.headers[name]
            response.enable_chunked_encoding()
            await response.prepare(request)
            async for chunk in upstream.content.iter_any():
                await response.write(chunk)
            await response.write_eof()
        return response


def _host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _parse_head(raw: bytes) -> tuple[int, str, list[tuple[str, str]]]:
    lines = raw.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    try:
        code = int(parts[1])
    except (IndexError, ValueError):
        raise errors.internal(f"the kubelet sent a bad response: {lines[0][:80]!r}") from None
    headers = []
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
    return code, parts[2] if len(parts) > 2 else "", headers


async def _read_body(reader: asyncio.StreamReader, headers: list[tuple[str, str]]) -> bytes:
    values = {k.lower(): v for k, v in headers}
    try:
        if "content-length" in values:
            return await reader.readexactly(min(int(values["content-length"]), _MAX_ERROR_BODY))
        if values.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while len(body) < _MAX_ERROR_BODY:
                size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    break
                body += await reader.readexactly(size)
                await reader.readline()
            return body
        return await reader.read(_MAX_ERROR_BODY)
    except (OSError, ValueError, asyncio.IncompleteReadError):
        return b""
