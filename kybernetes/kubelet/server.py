# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The kubelet's HTTPS server (port 10250): container logs, exec, attach,
port-forward, /pods, /runningpods/, /healthz, /stats/summary, /metrics,
/metrics/resource and /spec, with upstream's paths (and /healthz in plain HTTP on
127.0.0.1:10248).

Callers authenticate with a client certificate signed by the cluster CA (the API
server presents apiserver-kubelet-client). Authorization is the `authorize` hook:
a SubjectAccessReview to the API server (webhookauth.py) in a real kubelet.
"""
from __future__ import annotations

import asyncio
import errno
import inspect
import logging
import shutil
import ssl
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import orjson
from aiohttp import web

from kybernetes.apiserver.auth import user_from_peercert
from kybernetes.kubelet import logs, metrics, portforwarder, stats, streamserver, webhookauth
from kybernetes.kubelet.runtimes import Runtime, RuntimeNotAvailable

if TYPE_CHECKING:
    from kybernetes.kubelet.kubelet import Kubelet

log = logging.getLogger("kybernetes.kubelet.server")

_PROCESS_START = time.time()


def status_response(code: int, reason: str, message: str) -> web.Response:
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}
    return web.Response(status=code, body=orjson.dumps(body), content_type="application/json")


_REASONS = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
            405: "MethodNotAllowed", 500: "InternalError", 501: "NotImplemented"}


def error(code: int, message: str) -> web.Response:
    return status_response(code, _REASONS.get(code, "InternalError"), message)


# ------------------------------------------------------------------ TLS
class ServingCertificate:
    """The kubelet's serving certificate and the CA its clients must present certs of,
    as files in a private directory (ssl wants files)."""

    def __init__(self, node_name: str, addresses: list[str], client_ca_pem: bytes | None,
                 ca_pair=None) -> None:
        from kybernetes.pki import certs
        self.directory = Path(tempfile.mkdtemp(prefix="kybernetes-kubelet-"))
        # With the cluster CA's key at hand (in `kybernetes server`) the cert is the
        # cluster's; otherwise self-signed by its own CA, as upstream's kubelet does
        # when no --tls-cert-file is given.
        signer = ca_pair or certs.new_ca(f"{node_name}-ca@{int(time.time())}")
        import ipaddress
        dns, ips = [node_name, "localhost"], ["127.0.0.1"]
        for address in filter(None, addresses):
            try:
                ips.append(str(ipaddress.ip_address(address)))
            except ValueError:
                dns.append(address)
        dns, ips = list(dict.fromkeys(dns)), list(dict.fromkeys(ips))
        pair = certs.new_serving_cert(signer, node_name, dns, ips)
        self.cert_file, self.key_file = self.directory / "kubelet.crt", self.directory / "kubelet.key"
        certs.write_pair(pair, self.cert_file, self.key_file)
        self.client_ca_file: Path | None = None
        if client_ca_pem:
            self.client_ca_file = self.directory / "client-ca.crt"
            self.client_ca_file.write_bytes(client_ca_pem)

    def context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(self.cert_file), str(self.key_file))
        if self.client_ca_file is not None:
            context.load_verify_locations(str(self.client_ca_file))
            context.verify_mode = ssl.CERT_OPTIONAL
        context.set_alpn_protocols(["http/1.1"])
        return context

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


def load_cluster_ca(pki_dir: Path):
    """The cluster CA (cert and key) of a data dir, or None."""
    from kybernetes.pki import certs
    cert, key = pki_dir / "ca.crt", pki_dir / "ca.key"
    if cert.is_file() and key.is_file():
        return certs.load_pair(cert, key)
    return None


# ------------------------------------------------------------------ the server
Authorizer = Callable[[dict, dict], tuple[bool, str]]


def allow_authenticated(user: dict, attributes: dict) -> tuple[bool, str]:
    """The authorization hook until the security issue delegates to the API server
    with a SubjectAccessReview (attributes: verb, resource nodes, subresource, name)."""
    return bool(user.get("name")), ""


class KubeletServer:
    def __init__(self, kubelet: "Kubelet", *, address: str = "0.0.0.0", port: int = 10250,
                 certificate: ServingCertificate | None = None,
                 authorize: Authorizer = allow_authenticated,
                 fall_back_to_ephemeral: bool = False, healthz_address: str = "127.0.0.1",
                 healthz_port: int = 0) -> None:
        self.kubelet = kubelet
        self.address = address
        self.port = port
        self.certificate = certificate
        self.authorize = authorize
        self.fall_back_to_ephemeral = fall_back_to_ephemeral
        self._runner: web.AppRunner | None = None
        # upstream's plain-HTTP /healthz (10248 on localhost; 0 turns it off)
        self.healthz_address, self.healthz_port = healthz_address, healthz_port
        self._healthz_runner: web.AppRunner | None = None
        self.anonymous_auth = False  # --anonymous-auth: no credentials is system:anonymous
        self.authenticate_token = None  # async token -> user | None (the TokenReview webhook)

    @property
    def runtime(self) -> Runtime:
        return self.kubelet.runtime

    async def start(self) -> int:
        """Listen; returns the bound port (the one the Node reports)."""
        self._runner = web.AppRunner(self.app(), access_log=None, handle_signals=False,
                                     shutdown_timeout=1)
        await self._runner.setup()
        context = self.certificate.context() if self.certificate else None
        try:
            site = web.TCPSite(self._runner, self.address, self.port, ssl_context=context,
                               reuse_address=True)
            await site.start()
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE or not self.fall_back_to_ephemeral:
                await self._runner.cleanup()
                raise
            # another kubelet on this machine has the port: take any, the Node says which
            log.warning("kubelet port %s is in use; serving on an ephemeral port", self.port)
            site = web.TCPSite(self._runner, self.address, 0, ssl_context=context)
            await site.start()
        addresses = [a for a in self._runner.addresses if isinstance(a, tuple)]
        if addresses:
            self.port = addresses[0][1]
        if self.healthz_port:
            await self._start_healthz()
        return self.port

    async def _start_healthz(self) -> None:
        app = web.Application()
        app.router.add_route("GET", "/healthz", self.healthz)
        self._healthz_runner = web.AppRunner(app, access_log=None, handle_signals=False,
                                             shutdown_timeout=1)
        await self._healthz_runner.setup()
        try:
            await web.TCPSite(self._healthz_runner, self.healthz_address, self.healthz_port,
                              reuse_address=True).start()
        except OSError as exc:  # another kubelet on this machine has it: go on without
            log.warning("kubelet healthz on %s:%s not served: %s", self.healthz_address,
                        self.healthz_port, exc)
            await self._healthz_runner.cleanup()
            self._healthz_runner = None

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._healthz_runner is not None:
            await self._healthz_runner.cleanup()
            self._healthz_runner = None
        if self.certificate is not None:
            self.certificate.remove()

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._auth])
        route = app.router.add_route
        route("GET", "/healthz", self.healthz)
        route("GET", "/pods", self.pods)
        route("GET", "/pods/", self.pods)
        route("GET", "/runningpods/", self.running_pods)
        for path in ("/stats/summary", "/stats/summary/"):
            route("GET", path, self.stats_summary)
        for path in ("/spec", "/spec/"):
            route("GET", path, self.spec)
        route("GET", "/metrics", self.metrics)
        route("GET", "/metrics/resource", self.resource_metrics)
        route("GET", "/containerLogs/{namespace}/{pod}/{container}", self.container_logs)
        for verb in ("exec", "attach"):
            handler = self.exec_ if verb == "exec" else self.attach
            for method in ("GET", "POST"):
                route(method, f"/{verb}/{{namespace}}/{{pod}}/{{container}}", handler)
                route(method, f"/{verb}/{{namespace}}/{{pod}}/{{uid}}/{{container}}", handler)
        for method in ("GET", "POST"):
            route(method, "/portForward/{namespace}/{pod}", self.port_forward)
            route(method, "/portForward/{namespace}/{pod}/{uid}", self.port_forward)
        return app

    @web.middleware
    async def _auth(self, request: web.Request, handler):
        transport = request.transport
        user = user_from_peercert(transport.get_extra_info("peercert") if transport else None)
        if user is None:
            try:
                user = await self._token_or_anonymous(request)
            except Exception as exc:  # the API server could not review the token
                log.warning("authenticating a bearer token: %s", exc)
        if user is None:
            return web.Response(status=401, text="Unauthorized")
        attributes = webhookauth.request_attributes(request.method, request.path, self.kubelet.node_name)
        try:
            decision = self.authorize(user, attributes)
            allowed, reason = (await decision) if inspect.isawaitable(decision) else decision
        except Exception as exc:  # the API server could not answer: upstream says 500
            log.warning("authorizing %s: %s", user.get("name"), exc)
            return web.Response(status=500, text=webhookauth.forbidden_message(user, attributes).replace(
                "Forbidden", "Authorization error", 1))
        if not allowed:
            log.info("forbidden: %s %s", webhookauth.forbidden_message(user, attributes), reason)
            return web.Response(status=403, text=webhookauth.forbidden_message(user, attributes))
        try:
            return await handler(request)
        except streamserver.StreamRequestError as exc:
            return error(exc.code, exc.message)
        except RuntimeNotAvailable as exc:
            return error(501, str(exc))

    async def _token_or_anonymous(self, request: web.Request) -> dict | None:
        """Upstream's order after the client certificate: a bearer token (when the webhook
        is on; a bad one is 401), then anonymous (when allowed)."""
        header = request.headers.get("Authorization", "")
        if header[:7].lower() == "bearer " and header[7:].strip():
            if self.authenticate_token is None:
                return None
            return await self.authenticate_token(header[7:].strip())
        if self.anonymous_auth:
            from kybernetes.apiserver.authn import anonymous_user
            return anonymous_user()
        return None

    # -------------------------------------------------------------- pods
    def _pods(self) -> list[dict]:
        source = getattr(self.kubelet, "pod_source", None)
        pods = list(source.list()) if source is not None else []
        static = getattr(self.kubelet, "static_pods", None)
        if static is None:
            return pods
        pods = [static.static_for(pod) for pod in pods]  # static pods, not their mirrors
        listed = {pod["metadata"].get("uid") for pod in pods}
        return pods + [pod for pod in static.running.values() if pod["metadata"]["uid"] not in listed]

    def _pod(self, namespace: str, name: str, uid: str = "") -> dict:
        source = getattr(self.kubelet, "pod_source", None)
        pod = source.get_by(namespace, name) if source is not None else None
        if pod is None or (uid and pod["metadata"].get("uid") != uid):
            raise streamserver.StreamRequestError(404, f'pod "{name}" not found')
        static = getattr(self.kubelet, "static_pods", None)
        return static.static_for(pod) if static is not None else pod  # a mirror: what runs

    @staticmethod
    def _container(pod: dict, name: str) -> dict:
        spec = pod.get("spec") or {}
        for key in ("containers", "initContainers", "ephemeralContainers"):
            for container in spec.get(key) or []:
                if container.get("name") == name:
                    return container
        raise streamserver.StreamRequestError(
            404, f'container "{name}" not found in pod "{pod["metadata"]["name"]}"')

    async def healthz(self, request: web.Request) -> web.Response:
        return web.Response(text="ok")

    # -------------------------------------------------------------- stats and metrics
    def _stats_builder(self) -> stats.SummaryBuilder:
        if getattr(self.kubelet, "stats", None) is None:
            self.kubelet.stats = stats.SummaryBuilder(self.kubelet.node_name, Path("/"))
        return self.kubelet.stats

    async def stats_summary(self, request: web.Request) -> web.Response:
        self._stats_builder()
        body = await stats.kubelet_summary(self.kubelet)
        if request.query.get("only_cpu_and_memory", "").lower() == "true":
            body = stats.cpu_and_memory_only(body)
        return web.Response(body=orjson.dumps(body), content_type="application/json")

    async def spec(self, request: web.Request) -> web.Response:
        from kybernetes.api.quantity import parse_quantity
        memory = int(parse_quantity(self.kubelet.config.capacity.get("memory", "0")))
        body = metrics.machine_info(self.kubelet.node_name, memory)
        return web.Response(body=orjson.dumps(body), content_type="application/json")

    async def metrics(self, request: web.Request) -> web.Response:
        inputs = await stats.running_pod_inputs(self.kubelet)
        text = metrics.kubelet_metrics(self.kubelet.node_name, len(inputs),
                                     sum(len(item.containers) for item in inputs), _PROCESS_START)
        return web.Response(text=text, content_type="text/plain", charset="utf-8",
                            headers={"X-Content-Type-Options": "nosniff"})

    async def resource_metrics(self, request: web.Request) -> web.Response:
        self._stats_builder()
        summary = await stats.kubelet_summary(self.kubelet)
        return web.Response(text=metrics.resource_metrics(summary, time.time()), content_type="text/plain",
                            charset="utf-8")

    async def pods(self, request: web.Request) -> web.Response:
        body = {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": self._pods()}
        return web.Response(body=orjson.dumps(body), content_type="application/json")

    async def running_pods(self, request: web.Request) -> web.Response:
        items = []
        for pod in self._pods():
            status = await self.runtime.pod_status(pod)
            if status is None or not status.sandbox_ready:
                continue
            meta = pod["metadata"]
            items.append({"metadata": {"name": meta["name"], "namespace": meta.get("namespace"),
                                       "uid": meta["uid"], "creationTimestamp": None},
                          "spec": {"containers": [
                              {"name": c.name, "image": c.image, "resources": {}}
                              for c in status.containers if c.state == "running"]},
                          "status": {}})
        body = {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": items}
        return web.Response(body=orjson.dumps(body), content_type="application/json")

    # -------------------------------------------------------------- logs
    async def container_logs(self, request: web.Request) -> web.StreamResponse:
        info = request.match_info
        pod = self._pod(info["namespace"], info["pod"])
        name = info["container"]
        self._container(pod, name)
        query = request.query
        try:
            options = log_options(query, time.time())
        except ValueError as exc:
            return error(400, str(exc))
        previous = query.get("previous", "").lower() in ("1", "true")
        path = self.runtime.log_path(pod, name, previous=previous)
        if path is None or not Path(path).exists():
            pod_name = pod["metadata"]["name"]
            if previous:
                return error(400, f'previous terminated container "{name}" in pod "{pod_name}" not found')
            if type(self.runtime).log_path is Runtime.log_path:
                return error(400, f"the {self.runtime.name} runtime keeps no container logs")
            state = _api_container_status(pod, name).get("state") or {"waiting": {}}
            if "waiting" in state:
                return error(400, f'container "{name}" in pod "{pod_name}" is waiting to start: '
                                  f'{state["waiting"].get("reason") or "ContainerCreating"}')
            return error(404, f'no log is available for container "{name}" in pod "{pod_name}"')
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        response.enable_chunked_encoding()
        await response.prepare(request)

        async def write(data: bytes) -> None:
            await response.write(data)

        def client_gone() -> bool:
            return request.transport is None or request.transport.is_closing()

        container_running = self._running_check(pod, name) if not previous else _never
        current = (lambda: self.runtime.log_path(pod, name)) if not previous else None
        try:
            await logs.stream_log(Path(path), options, write, running=container_running,
                                  current_path=current, client_gone=client_gone)
            await response.write_eof()
        except (ConnectionError, asyncio.CancelledError):
            pass
        return response

    async def _is_running(self, pod: dict, name: str) -> bool:
        status = await self.runtime.pod_status(pod)
        return status is not None and any(
            c.name == name and c.state == "running"
            for c in (*status.containers, *status.init_containers))

    def _running_check(self, pod: dict, name: str):
        async def running() -> bool:
            return await self._is_running(pod, name)
        return running

    # -------------------------------------------------------------- exec, attach
    async def exec_(self, request: web.Request) -> web.StreamResponse:
        return await self._remote_command(request, exec_=True)

    async def attach(self, request: web.Request) -> web.StreamResponse:
        return await self._remote_command(request, exec_=False)

    async def _remote_command(self, request: web.Request, exec_: bool) -> web.StreamResponse:
        info = request.match_info
        pod = self._pod(info["namespace"], info["pod"], info.get("uid", ""))
        name = info["container"]
        self._container(pod, name)
        options = streamserver.command_options(request.query, exec_)
        streamserver.upgrade_kind(request)
        if not await self._is_running(pod, name):
            raise streamserver.StreamRequestError(500, f'container not found ("{name}")')
        # a runtime without processes says so before the upgrade, as a Status
        method = "exec" if exec_ else "attach"
        if getattr(type(self.runtime), method) is getattr(Runtime, method):
            raise RuntimeNotAvailable(f"the {self.runtime.name} runtime does not support {method}")

        async def start():
            if exec_:
                return await self.runtime.exec(pod, name, options.argv, tty=options.tty,
                                               stdin=options.stdin, stdout=options.stdout,
                                               stderr=options.stderr)
            return await self.runtime.attach(pod, name, stdin=options.stdin,
                                             stdout=options.stdout, stderr=options.stderr)
        return await streamserver.serve_remote_command(request, options, start)

    # -------------------------------------------------------------- port-forward
    async def port_forward(self, request: web.Request) -> web.StreamResponse:
        info = request.match_info
        pod = self._pod(info["namespace"], info["pod"], info.get("uid", ""))
        meta = pod["metadata"]

        async def forward(port: int):
            return await self.runtime.port_forward(pod, port)
        return await portforwarder.serve_port_forward(request, forward, meta["name"], meta["uid"])


def _api_container_status(pod: dict, name: str) -> dict:
    status = pod.get("status") or {}
    for key in ("containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"):
        for item in status.get(key) or []:
            if item.get("name") == name:
                return item
    return {}


async def _never() -> bool:
    return False


def log_options(query, now: float) -> logs.LogOptions:
    """PodLogOptions from the query, with upstream's validation messages."""
    def number(name: str, minimum: int) -> int | None:
        text = query.get(name)
        if text is None or text == "":
            return None
        try:
            value = int(text)
        except ValueError:
            raise ValueError(f"{name}: Invalid value: {text!r}: must be an integer") from None
        if value < minimum:
            raise ValueError(f"{name}: Invalid value: {value}: must be greater than or equal to {minimum}")
        return value
    options = logs.LogOptions(follow=query.get("follow", "").lower() in ("1", "true"),
                              timestamps=query.get("timestamps", "").lower() in ("1", "true"))
    options.tail_lines = number("tailLines", 0)
    options.limit_bytes = number("limitBytes", 1)
    since_seconds = number("sinceSeconds", 1)
    since_time = query.get("sinceTime")
    if since_seconds is not None and since_time:
        raise ValueError("at most one of sinceTime or sinceSeconds may be specified")
    if since_seconds is not None:
        options.since_nanos = int((now - since_seconds) * 1_000_000_000)
    elif since_time:
        try:
            options.since_nanos = logs.parse_timestamp(since_time)
        except logs.LogFormatError:
            raise ValueError(f"sinceTime: Invalid value: {since_time!r}: must be RFC 3339") from None
    return options
