# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Admission: the plugins every write passes after validation and before storage.

A plugin may mutate (`admit`), check (`validate`), undo a reservation when the store
refuses the write (`rollback`) and free what a deleted object held (`released`).
Later components add plugins here (quota, limit ranges, service accounts, webhooks).
"""
from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator

from kybernetes.api.resources import ResourceType
from kybernetes.apiserver import errors
from kybernetes.apiserver.allocators import (AllocationError, SharedRange,
                                             needs_node_ports, service_ips, service_node_ports)

if TYPE_CHECKING:
    from kybernetes.apiserver.objects import Objects


@dataclass
class AdmissionOutput:
    """What admission hands back for one API request besides its decision: warnings
    (the response's Warning headers) and audit annotations (the request's audit events).
    The resource handlers collect it with `collecting_output()` around each request."""
    warnings: list[str] = field(default_factory=list)
    audit_annotations: dict[str, str] = field(default_factory=dict)


_OUTPUT: contextvars.ContextVar[AdmissionOutput | None] = contextvars.ContextVar(
    "admission_output", default=None)


@contextlib.contextmanager
def collecting_output() -> Iterator[AdmissionOutput]:
    """Every AdmissionRequest made inside shares the yielded output's warnings and
    audit annotations (a context variable, so concurrent requests stay apart)."""
    output = AdmissionOutput()
    token = _OUTPUT.set(output)
    try:
        yield output
    finally:
        _OUTPUT.reset(token)


def _request_warnings() -> list[str]:
    output = _OUTPUT.get()
    return output.warnings if output is not None else []


def _request_audit_annotations() -> dict[str, str]:
    output = _OUTPUT.get()
    return output.audit_annotations if output is not None else {}


@dataclass
class AdmissionRequest:
    operation: str  # CREATE, UPDATE, DELETE
    rt: ResourceType
    obj: dict | None
    old: dict | None
    user: dict | None
    dry_run: bool
    objects: "Objects"
    subresource: str = ""
    # plugins append here; shared by all AdmissionRequests of one API request
    warnings: list[str] = field(default_factory=_request_warnings)
    audit_annotations: dict[str, str] = field(default_factory=_request_audit_annotations)


class Plugin:
    async def admit(self, request: AdmissionRequest) -> None: ...
    async def validate(self, request: AdmissionRequest) -> None: ...
    async def rollback(self, request: AdmissionRequest) -> None: ...
    async def released(self, rt: ResourceType, obj: dict) -> None: ...


def discovered_plugins(server) -> list[Plugin]:
    """Plugins from the modules of kybernetes/apiserver/admission_plugins/: each module
    defines `ORDER` (int, lower runs first) and `plugins(server) -> list[Plugin]`."""
    import importlib
    import pkgutil

    import kybernetes.apiserver.admission_plugins as package
    modules = [importlib.import_module(f"{package.__name__}.{m.name}")
               for m in pkgutil.iter_modules(package.__path__)]
    out: list[Plugin] = []
    for module in sorted(modules, key=lambda m: (getattr(m, "ORDER", 100), m.__name__)):
        out.extend(module.plugins(server))
    return out


class Admission:
    def __init__(self, plugins: list[Plugin] | None = None) -> None:
        self.plugins: list[Plugin] = list(plugins or [])

    async def admit(self, request: AdmissionRequest) -> None:
        for plugin in self.plugins:
            await plugin.admit(request)

    async def validate(self, request: AdmissionRequest) -> None:
        for plugin in self.plugins:
            await plugin.validate(request)

    async def rollback(self, request: AdmissionRequest) -> None:
        for plugin in self.plugins:
            await plugin.rollback(request)

    async def released(self, rt: ResourceType, obj: dict) -> None:
        for plugin in self.plugins:
            await plugin.released(rt, obj)


def _invalid_service(service: dict, field: str, value: Any, why: str) -> errors.ApiError:
    name = service["metadata"].get("name", "")
    shown = f'[]string{{"{value}"}}' if isinstance(value, list) else value
    cause = {"reason": "FieldValueInvalid", "message": f"Invalid value: {shown}: {why}",
             "field": field}
    return errors.ApiError(422, "Invalid",
                           f'Service "{name}" is invalid: {field}: Invalid value: {shown}: {why}',
                           name=name, kind="Service", causes=[cause])


class ServiceAllocation(Plugin):
    """Gives Services their ClusterIPs and NodePorts (upstream does this in the Service
    REST storage; it is the same step on the same path)."""

    def __init__(self, ips: SharedRange, ports: SharedRange) -> None:
        self.ips = ips
        self.ports = ports

    @staticmethod
    def _is_service(rt: ResourceType) -> bool:
        return rt.group == "" and rt.kind == "Service"

    async def load(self, services: list[dict]) -> None:
        """Record in the shared ranges what the stored Services already hold."""
        await self.ips.ensure_allocated(ip for service in services for ip in service_ips(service))
        await self.ports.ensure_allocated(
            port for service in services for port in service_node_ports(service))

    async def admit(self, request: AdmissionRequest) -> None:
        if not self._is_service(request.rt) or request.subresource or request.obj is None:
            return
        service, old = request.obj, request.old
        spec = service.setdefault("spec", {})
        kind = spec.get("type", "ClusterIP")
        new_ips: list[str] = []
        new_ports: list[int] = []
        try:
            if kind == "ExternalName":
                spec.pop("clusterIP", None)
                spec.pop("clusterIPs", None)
            elif old is None or not service_ips(old) and (old.get("spec") or {}).get(
                    "clusterIP") != "None":
                requested = spec.get("clusterIP") or (spec.get("clusterIPs") or [None])[0]
                if requested == "None":
                    spec["clusterIP"], spec["clusterIPs"] = "None", ["None"]
                else:
                    try:
                        ip = await self.ips.allocate(requested) if not request.dry_run or not requested \
                            else requested
                    except AllocationError as exc:
                        field = "spec.clusterIPs" if spec.get("clusterIPs") else "spec.clusterIP"
                        value = [requested] if field == "spec.clusterIPs" else requested
                        raise _invalid_service(service, field, value, str(exc)) from None
                    if request.dry_run and not requested:
                        await self.ips.release(ip)
                    elif not request.dry_run:
                        new_ips.append(ip)
                    spec["clusterIP"], spec["clusterIPs"] = ip, [ip]
            old_ports = {p.get("port"): p.get("nodePort") for p in
                         ((old or {}).get("spec") or {}).get("ports") or []} if old else {}
            if needs_node_ports(service):
                for index, port in enumerate(spec.get("ports") or []):
                    wanted = port.get("nodePort")
                    if old is not None and wanted and wanted in service_node_ports(old):
                        continue
                    if not wanted and old_ports.get(port.get("port")):
                        port["nodePort"] = old_ports[port.get("port")]
                        continue
                    try:
                        got = await self.ports.allocate(wanted)
                    except AllocationError as exc:
                        raise _invalid_service(service, f"spec.ports[{index}].nodePort",
                                               wanted, str(exc)) from None
                    if request.dry_run:
                        await self.ports.release(got)
                    else:
                        new_ports.append(got)
                    port["nodePort"] = got
            else:
                for port in spec.get("ports") or []:
                    port.pop("nodePort", None)
        except errors.ApiError:
            for ip in new_ips:
                await self.ips.release(ip)
            for port in new_ports:
                await self.ports.release(port)
            raise

    async def validate(self, request: AdmissionRequest) -> None:
        if self._is_service(request.rt) and request.obj is not None:
            if request.old is not None and not request.dry_run:
                kept = set(service_node_ports(request.obj))
                for port in service_node_ports(request.old):
                    if port not in kept:
                        await self.ports.release(port)

    async def rollback(self, request: AdmissionRequest) -> None:
        if self._is_service(request.rt) and request.obj is not None:
            for ip in service_ips(request.obj):
                await self.ips.release(ip)
            for port in service_node_ports(request.obj):
                await self.ports.release(port)

    async def released(self, rt: ResourceType, obj: dict) -> None:
        if self._is_service(rt):
            for ip in service_ips(obj):
                await self.ips.release(ip)
            for port in service_node_ports(obj):
                await self.ports.release(port)
