# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The API server: assembles the store, the object path, the handlers and the HTTP app."""
from __future__ import annotations

import asyncio
import logging
import ssl
import time
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from kybernetes.api import crd as crds
from kybernetes.api import schema as k8s_schema
from kybernetes.api.openapi import OpenAPIDocuments
from kybernetes.api.resources import ResourceType, builtin_registry
from kybernetes.apiserver import bootstrap, errors, nonresource
from kybernetes.apiserver.admission import Admission, ServiceAllocation, discovered_plugins
from kybernetes.apiserver.allocators import (NODE_PORTS_KEY, SERVICE_IPS_KEY, IPAllocator,
                                             PortAllocator, SharedRange)
from kybernetes.apiserver.auth import Authenticator
from kybernetes.apiserver.authn import AuthenticationError
from kybernetes.apiserver.authn.chain import options_from_config, without_token_protocol
from kybernetes.apiserver.authn.x509 import request_client_certificates
from kybernetes.apiserver.audit_http import AuditOptions, Auditor
from kybernetes.apiserver.authz import Authorization
from kybernetes.apiserver.authz import admission_plugins as authz_admission_plugins
from kybernetes.apiserver.codec import TablePrinter
from kybernetes.apiserver.encrypted_store import encrypted_store
from kybernetes.apiserver.handlers import ResourceHandlers, json_response
from kybernetes.apiserver.metrics import Metrics
from kybernetes.apiserver.objects import Objects
from kybernetes.apiserver.requestinfo import parse
from kybernetes.apiserver.subresources import Subresources
from kybernetes.apiserver.virtual import VirtualKinds
from kybernetes.storage import open_store
from kybernetes.storage.interface import Store

log = logging.getLogger("kybernetes.apiserver")


@dataclass
class APIServerConfig:
    datastore: str = "sqlite:state.db"  # memory:, sqlite:PATH, etcd:URL[,URL]
    etcd_cafile: str | None = None
    etcd_certfile: str | None = None
    etcd_keyfile: str | None = None
    bind_address: str = "0.0.0.0"
    port: int = 6443
    service_cidr: str = "10.96.0.0/12"
    node_port_range: str = "30000-32767"
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    client_ca_file: Path | None = None
    advertise_address: str = "127.0.0.1"
    anonymous_auth: bool = True  # --anonymous-auth, on by default as upstream
    token_auth_file: Path | None = None
    service_account_key_files: list[Path] = field(default_factory=list)
    service_account_signing_key_file: Path | None = None
    service_account_issuers: list[str] = field(default_factory=list)  # first one signs
    api_audiences: list[str] = field(default_factory=list)  # default: the issuer
    enable_bootstrap_token_auth: bool = False
    service_account_max_token_expiration: int = 0  # seconds; 0: no maximum
    service_account_extend_token_expiration: bool = True
    disabled_admission_plugins: list[str] = field(default_factory=list)  # --disable-admission-plugins
    event_ttl: float = 3600.0  # seconds an Event lives after its last update (--event-ttl)
    internal_socket: Path | None = None  # Unix socket for in-process components
    compaction_interval: float = 300.0  # --etcd-compaction-interval (upstream: 5m)
    # how the API server reaches kubelets (logs, exec, port-forward); default: kubeadm's
    # apiserver-kubelet-client.crt/.key beside tls_cert_file, kubelet certs not verified
    kubelet_client_certificate: Path | None = None
    kubelet_client_key: Path | None = None
    kubelet_certificate_authority: Path | None = None
    encryption_provider_config: Path | None = None  # EncryptionConfiguration file
    encryption_provider_config_automatic_reload: bool = False
    audit: AuditOptions | None = None  # --audit-policy-file and --audit-log-*
    authorization_mode: str = "AlwaysAllow"  # --authorization-mode (the CLI: Node,RBAC)
    extra: dict = field(default_factory=dict)


class APIServer:
    def __init__(self, config: APIServerConfig, store: Store | None = None) -> None:
        self.config = config
        self.registry = builtin_registry()
        self.store = store or open_store(config.datastore, ca_file=config.etcd_cafile,
                                         cert_file=config.etcd_certfile,
                                         key_file=config.etcd_keyfile)
        if config.encryption_provider_config is not None:
            self.store = encrypted_store(self.store, config, self._storage_resource)
        self.ips = IPAllocator(config.service_cidr)
        self.ports = PortAllocator(config.node_port_range)
        # the ranges live in the store: API servers sharing it never hand out one value twice
        self.service_allocation = ServiceAllocation(SharedRange(self.ips, self.store, SERVICE_IPS_KEY),
                                                    SharedRange(self.ports, self.store, NODE_PORTS_KEY))
        self.admission = Admission([self.service_allocation])
        self.objects = Objects(self.store, self.registry, self.admission)
        self.objects.after_write.append(self._on_write)
        self.admission.plugins.extend(
            p for p in discovered_plugins(self)
            if getattr(p, "name", None) not in config.disabled_admission_plugins)
        self.openapi = OpenAPIDocuments(self.registry)
        self.metrics = Metrics()
        self.authenticator = Authenticator(options_from_config(config), server=self)
        self.authorizer = Authorization(self, config.authorization_mode)
        self.admission.plugins.extend(authz_admission_plugins(self))  # RBAC escalation checks
        self.auditor = Auditor.from_options(config.audit)
        self.resources = ResourceHandlers(self)
        self.subresources = Subresources(self)
        from kybernetes.apiserver.nodeproxy import NodeProxy
        self.node_proxy = NodeProxy(self)  # pods/log|exec|attach|portforward, nodes/proxy
        self.node_proxy.register(self.subresources.node_handlers)
        self.virtual_kinds = VirtualKinds(self)
        self._printers: dict[tuple, TablePrinter] = {}
        self._crd_columns: dict[tuple[str, str, str], list[dict]] = {}
        self._crd_types: dict[str, list[ResourceType]] = {}
        self.started_at = 0.0
        self.ready = False
        self._runner: web.AppRunner | None = None
        self._event_expiry: asyncio.Task | None = None
        self._compactor: asyncio.Task | None = None

    # ---------------------------------------------------------------- lifecycle
    async def start(self) -> None:
        self.started_at = time.monotonic()
        crd_rt = self.registry.by_kind("apiextensions.k8s.io", "v1", "CustomResourceDefinition")
        await self.objects.start()
        items, _ = self.objects.cache(crd_rt).list()
        for item in items:
            await self._register_crd(item.obj)
        services, _ = self.objects.cache(self.registry.by_kind("", "v1", "Service")).list()
        await self.service_allocation.load([item.obj for item in services])
        await bootstrap.ensure_defaults(self)
        await self.authorizer.start()  # indexes the caches, reconciles the RBAC policy
        self._event_expiry = asyncio.create_task(self._expire_events())
        self._compactor = asyncio.create_task(self._compact_periodically())
        self.ready = True

    async def stop(self) -> None:
        self.ready = False
        for task in (self._event_expiry, self._compactor):
            if task is not None:
                task.cancel()
        self.authorizer.stop()
        await self.objects.stop()  # ends every watch first, so connections can close
        if self._runner is not None:
            await self._runner.cleanup()
        await self.node_proxy.close()
        self.auditor.close()  # writes every queued event
        await self.store.close()

    def ssl_context(self) -> ssl.SSLContext | None:
        if not self.config.tls_cert_file:
            return None
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(self.config.tls_cert_file), str(self.config.tls_key_file))
        if self.config.client_ca_file:
            context.load_verify_locations(str(self.config.client_ca_file))
            # ask for a certificate; the authenticator verifies it (bad one: 401)
            request_client_certificates(context)
        context.set_alpn_protocols(["http/1.1"])
        return context

    async def serve(self) -> None:
        """Start and listen; returns once the socket is open."""
        await self.start()
        self._runner = web.AppRunner(self.app(), access_log=None, handle_signals=False,
                                     shutdown_timeout=1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.config.bind_address, self.config.port,
                           ssl_context=self.ssl_context(), backlog=1024, reuse_address=True)
        await site.start()
        if self.config.internal_socket is not None:
            path = self.config.internal_socket
            path.unlink(missing_ok=True)
            unix = web.UnixSite(self._runner, str(path))
            await unix.start()
            path.chmod(0o600)

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware], client_max_size=4 * 1024 * 1024)
        app.router.add_route("*", "/{path:.*}", self._dispatch)
        self.auditor.install(app)  # outermost: it sees every response, 401/403 included
        return app

    # ---------------------------------------------------------------- HTTP
    @web.middleware
    async def _middleware(self, request: web.Request, handler):
        started = time.perf_counter()
        code = 500
        try:
            try:
                user = await self.authenticator.authenticate(request)
            except AuthenticationError:
                raise errors.unauthorized() from None
            request["user"] = user
            request = without_token_protocol(request)  # a clone, sharing the state so far
            if request["user"] is None and not nonresource.is_public(request.path):
                raise errors.unauthorized()
            if request["user"] is not None:
                self.authorizer.filter(request)  # impersonation, then 403 or on
            response = await handler(request)
            code = response.status
            return response
        except errors.ApiError as exc:
            code = exc.code
            return json_response(exc.status(), exc.code)
        except web.HTTPException:
            raise
        except (ConnectionResetError, asyncio.CancelledError):
            raise
        except Exception as exc:  # a bug: answer as upstream does, and log it
            log.exception("internal error serving %s %s", request.method, request.path)
            code = 500
            request["panic"] = exc  # the audit log's Panic stage
            return json_response(errors.internal(str(exc)).status(), 500)
        finally:
            self.metrics.observe(request, code, time.perf_counter() - started)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        info = parse(request.path)
        if info is None or not info.resource:
            return await nonresource.handle(self, request, info)
        rt = self.registry.by_resource(info.group, info.version, info.resource)
        if rt is None:
            raise errors.ApiError(404, "NotFound", "the server could not find the requested resource")
        return await self.resources.handle(request, info, rt)

    # ---------------------------------------------------------------- schemas, tables
    def schema_of(self, rt: ResourceType) -> dict | None:
        if rt.custom:
            return rt.schema
        name = k8s_schema.definition_name(rt.group, rt.version, rt.kind)
        return k8s_schema.definitions()[name] if name else None

    def table_printer(self, rt: ResourceType) -> TablePrinter:
        key = (rt.group, rt.version, rt.kind)
        printer = self._printers.get(key)
        if printer is None:
            printer = TablePrinter(rt, self._crd_columns.get(key) if rt.custom else None)
            self._printers[key] = printer
        return printer

    async def store_health(self) -> list[tuple[str, bool, str]]:
        if hasattr(self.store, "member_health"):
            return await self.store.member_health()
        try:
            await self.store.current_revision()
            return [("etcd-0", True, "ok")]
        except Exception as exc:  # the store is down: report, do not crash
            return [("etcd-0", False, str(exc))]

    async def _compact_periodically(self) -> None:
        """Forget store history older than one interval, as kube-apiserver compacts etcd:
        each tick compacts to the revision the previous tick saw, so watchers always have
        at least one interval of history to resume from."""
        previous = 0
        while True:
            await asyncio.sleep(self.config.compaction_interval)
            try:
                if previous:
                    await self.store.compact(previous)
                previous = await self.store.current_revision()
            except Exception:  # a failed compaction is retried next interval
                log.exception("compaction failed")

    async def _expire_events(self) -> None:
        """Delete Events not updated for --event-ttl, as the TTL upstream attaches to
        every Event write in etcd does."""
        events = self.registry.by_kind("", "v1", "Event")
        interval = min(60.0, max(self.config.event_ttl / 10, 0.5))
        while True:
            await asyncio.sleep(interval)
            cutoff = time.time() - self.config.event_ttl
            items, _ = self.objects.cache(events).list()
            for item in items:
                if _last_written(item.obj) < cutoff:
                    try:
                        await self.objects.delete(events, item.namespace, item.name, {})
                    except errors.ApiError:
                        pass

    def _storage_resource(self, prefix: str) -> tuple[str, str] | None:
        """The (group, resource) whose objects live under a store prefix, for encryption."""
        from kybernetes.apiserver.conversion import storage_type
        for rt in self.registry.all():
            stored = storage_type(self.registry, rt)
            if stored.storage_prefix() == prefix:
                return stored.group, stored.plural
        return None

    # ---------------------------------------------------------------- custom resources
    async def _on_write(self, rt: ResourceType, old: dict | None, new: dict | None) -> None:
        if rt.group == "apiextensions.k8s.io" and rt.kind == "CustomResourceDefinition":
            if new is None:
                await self._unregister_crd(old)
            else:
                await self._register_crd(new)

    async def _register_crd(self, crd: dict) -> None:
        name = crd["metadata"]["name"]
        await self._unregister_crd(crd, keep_data=True)
        types = crds.resource_types(crd)
        for rt in types:
            self.registry.register(rt)
            self._crd_columns[(rt.group, rt.version, rt.kind)] = crds.printer_columns(crd, rt.version)
        self._crd_types[name] = types
        if types:
            await self.objects.ensure_cache(types[0])
        self.openapi.invalidate()

    async def _unregister_crd(self, crd: dict, keep_data: bool = False) -> None:
        name = crd["metadata"]["name"]
        types = self._crd_types.pop(name, [])
        for rt in types:
            self.registry.unregister(rt)
            self._crd_columns.pop((rt.group, rt.version, rt.kind), None)
            self._printers.pop((rt.group, rt.version, rt.kind), None)
        if types and not keep_data:
            # a deleted definition takes its objects with it
            prefix = types[0].storage_prefix()
            items, _ = await self.store.range(prefix)
            for kv in items:
                try:
                    await self.store.delete(kv.key)
                except Exception:  # already gone
                    pass
            await self.objects.drop_cache(types[0])
        self.openapi.invalidate()


def _last_written(event: dict) -> float:
    """The newest of an Event's timestamps, as seconds since the epoch."""
    from datetime import datetime
    stamps = [event.get("lastTimestamp"), event.get("eventTime"),
              (event.get("series") or {}).get("lastObservedTime"),
              event.get("metadata", {}).get("creationTimestamp")]
    newest = 0.0
    for stamp in stamps:
        if isinstance(stamp, str) and stamp:
            try:
                newest = max(newest, datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())
            except ValueError:
                continue
    return newest
