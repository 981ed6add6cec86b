# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The API server's audit hook: an aiohttp middleware (outermost, so it sees every
response, failed authentication and authorization included) and a response-prepare
signal (the moment headers go out: Audit-Id, and ResponseStarted for long-running
requests).

Every response carries an Audit-Id header (the client's own Audit-ID when it sent one),
with or without a policy, as upstream's WithAuditInit does. Other parts of the server
add annotations with `annotate(request, key, value)`, e.g. the authorizer's
authorization.k8s.io/decision and authorization.k8s.io/reason.
"""
from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
import uuid
from dataclasses import dataclass

import orjson
from aiohttp import web

from kybernetes.apiserver import audit, codec, errors
from kybernetes.apiserver.audit_log import AuditLogBackend
from kybernetes.apiserver.requestinfo import parse

log = logging.getLogger("kybernetes.apiserver.audit")

AUDIT_ID_HEADER = "Audit-Id"
_STATE = "audit"


@dataclass
class AuditOptions:
    """The --audit-* flags."""
    policy_file: str = ""
    log_path: str = ""
    log_maxsize: int = 0  # MB; 0 is lumberjack's default of 100
    log_maxbackup: int = 0
    log_maxage: int = 0  # days
    log_compress: bool = False
    log_format: str = "json"


def annotate(request: web.Request, key: str, value: str) -> None:
    """Add an annotation to the request's audit events (the first value wins)."""
    state = request.get(_STATE)
    if isinstance(state, _RequestState) and state.event is not None:
        state.event.annotations.setdefault(key, value)
    elif isinstance(state, _RequestState):
        state.pending_annotations.setdefault(key, value)


class _RequestState:
    __slots__ = ("audit_id", "received", "event", "pending_annotations", "received_logged",
                 "started_logged")

    def __init__(self, audit_id: str, received: float) -> None:
        self.audit_id = audit_id
        self.received = received
        self.event: audit.AuditEvent | None = None
        self.pending_annotations: dict[str, str] = {}
        self.received_logged = False
        self.started_logged = False


class Auditor:
    def __init__(self, policy: audit.Policy | None, backend: AuditLogBackend | None) -> None:
        self.policy = policy
        self.backend = backend

    @classmethod
    def from_options(cls, options: AuditOptions | None) -> "Auditor":
        """Auditing is on with both a policy file and a log path, as upstream (a policy
        alone has nowhere to write; a log path alone has nothing to log)."""
        if options is None or not options.policy_file or not options.log_path:
            if options is not None and options.log_path:
                log.info("no audit policy file provided: no events will be recorded for the "
                         "log backend")
            return cls(None, None)
        policy = audit.load_policy(options.policy_file)
        backend = AuditLogBackend(options.log_path, options.log_maxsize, options.log_maxbackup,
                                  options.log_maxage, options.log_compress)
        return cls(policy, backend)

    @property
    def enabled(self) -> bool:
        return self.policy is not None and self.backend is not None

    def install(self, app: web.Application) -> None:
        app.middlewares.insert(0, self.middleware)
        app.on_response_prepare.append(self._on_prepare)

    def close(self) -> None:
        if self.backend is not None:
            self.backend.close()

    # ---- HTTP --------------------------------------------------------------------------
    @web.middleware
    async def middleware(self, request: web.Request, handler):
        audit_id = request.headers.get("Audit-ID", "") or str(uuid.uuid4())
        state = _RequestState(audit_id, time.time())
        request[_STATE] = state
        if not self.enabled:
            return await handler(request)
        code = 0
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            code = exc.status
            self._finish(request, state, code, None, "ResponseComplete")
            raise
        except (asyncio.CancelledError, ConnectionResetError):
            self._finish(request, state, code or 499, None, "ResponseComplete")
            raise
        except Exception as exc:
            self._finish(request, state, 500, _panic_status(exc), "Panic")
            raise
        body = None
        if isinstance(response, web.Response) and isinstance(response.body, (bytes, bytearray)):
            body = bytes(response.body)
        panic = request.get("panic")
        if panic is not None:  # a bug the server answered with a 500: upstream's Panic
            self._finish(request, state, 500, _panic_status(panic), "Panic")
            return response
        state_event = self._event(request, state)
        if state_event is not None:
            await self._capture_bodies(request, state_event, response.status, body)
        self._finish(request, state, response.status, None, "ResponseComplete")
        return response

    async def _on_prepare(self, request: web.Request, response: web.StreamResponse) -> None:
        state = request.get(_STATE)
        if not isinstance(state, _RequestState):
            return
        response.headers[AUDIT_ID_HEADER] = state.audit_id
        if not self.enabled:
            return
        event = self._event(request, state)
        if event is None or not audit.is_long_running(event.attrs):
            return
        event.response_status = {"metadata": {}, "code": response.status}
        self._emit(state, event, "RequestReceived")
        self._emit(state, event, "ResponseStarted")

    # ---- events ------------------------------------------------------------------------
    def _event(self, request: web.Request, state: _RequestState) -> audit.AuditEvent | None:
        """The request's audit event, made once the user is known (None at level None)."""
        if state.event is not None:
            return state.event if state.event.config.level != "None" else None
        info = parse(request.path)
        resource_request = info is not None and bool(info.resource)
        watch = resource_request and (info.watch_path or request.query.get("watch") in ("true", "1"))
        # with impersonation, the authorizer keeps who asked in "impersonator"
        impersonator = request.get("impersonator")
        user = impersonator or request.get("user") or {}
        verb = audit.request_verb(request.method, resource_request,
                                  bool(resource_request and info.name), bool(watch))
        attrs = audit.Attributes(
            user=user, verb=verb, path=request.path, resource_request=resource_request,
            group=info.group if resource_request else "",
            resource=info.resource if resource_request else "",
            subresource=info.subresource if resource_request else "",
            namespace=(info.namespace or "") if resource_request else "",
            name=info.name if resource_request else "")
        config = self.policy.evaluate(attrs)
        impersonated = request.get("user") if impersonator else None
        state.event = audit.AuditEvent(
            audit_id=state.audit_id, config=config, attrs=attrs,
            request_uri=request.raw_path, received=state.received,
            source_ips=source_ips(request), user_agent=request.headers.get("User-Agent", ""),
            api_version=info.version if resource_request else "",
            impersonated_user=impersonated, annotations=dict(state.pending_annotations))
        return state.event if config.level != "None" else None

    async def _capture_bodies(self, request: web.Request, event: audit.AuditEvent, code: int,
                              body: bytes | None) -> None:
        parsed = None
        if body and (code >= 300 or body.startswith(b'{"kind":"Status"')
                     or audit.level_at_least(event.config.level, "RequestResponse")):
            parsed = _decode(body)
        event.response_status = audit.response_status(code, parsed)
        if audit.level_at_least(event.config.level, "RequestResponse") and \
                isinstance(parsed, (dict, list)):
            event.response_object = parsed
        raw = request.get("request_body")  # what the handler read (handlers.read_body)
        if raw:
            requested = _decode(raw, request.headers.get("Content-Type", ""))
            if isinstance(requested, dict):
                if event.attrs.resource_request and event.attrs.verb in ("create", "update"):
                    meta = requested.get("metadata")
                    if isinstance(meta, dict):
                        event.object_meta = {k: meta[k] for k in ("name", "uid", "resourceVersion")
                                             if isinstance(meta.get(k), str) and meta[k]}
                if audit.level_at_least(event.config.level, "Request"):
                    event.request_object = requested

    def _finish(self, request: web.Request, state: _RequestState, code: int,
                status_body: dict | None, stage: str) -> None:
        event = self._event(request, state)
        if event is None:
            return
        if event.response_status is None or status_body is not None:
            event.response_status = audit.response_status(code, status_body)
        self._emit(state, event, "RequestReceived")
        self._emit(state, event, stage)

    def _emit(self, state: _RequestState, event: audit.AuditEvent, stage: str) -> None:
        if stage == "RequestReceived":
            if state.received_logged:
                return
            state.received_logged = True
        elif stage == "ResponseStarted":
            if state.started_logged:
                return
            state.started_logged = True
        if stage in event.config.omit_stages:
            return
        when = state.received if stage == "RequestReceived" else time.time()
        self.backend.process(orjson.dumps(event.build(stage, when)) + b"\n")


def _panic_status(exc: BaseException) -> dict:
    return {"kind": "Status", "status": "Failure", "reason": "InternalError",
            "message": f"APIServer panic'd: {exc}"}


def source_ips(request: web.Request) -> list[str]:
    """X-Forwarded-For, then X-Real-Ip, then the peer, as upstream's SourceIPs."""
    found: list[str] = []
    for text in request.headers.get("X-Forwarded-For", "").split(","):
        _add_ip(found, text.strip())
    _add_ip(found, request.headers.get("X-Real-Ip", "").strip())
    _add_ip(found, request.remote or "")
    return found


def _add_ip(found: list[str], text: str) -> None:
    try:
        address = str(ipaddress.ip_address(text))
    except ValueError:
        return
    if address not in found:
        found.append(address)


def _decode(body: bytes, content_type: str = "application/json") -> object:
    """A body as the server decoded it (JSON, YAML or protobuf); None if it is not one."""
    try:
        return codec.decode_body(body, content_type)
    except errors.ApiError:
        return None
