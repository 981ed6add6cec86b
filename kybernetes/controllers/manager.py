# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The controller manager: every controller in this package, sharing informers, run by
the one instance that holds the kube-controller-manager Lease."""
from __future__ import annotations

import asyncio
import importlib
import logging
import pkgutil
from typing import TYPE_CHECKING

from kybernetes.client.events import EventRecorder
from kybernetes.client.informer import InformerFactory
from kybernetes.client.leaderelection import LeaderElector
from kybernetes.client.rest import Client
from kybernetes.controllers.base import Controller, ControllerContext, ControllerOptions

if TYPE_CHECKING:
    from kybernetes.controllers.clientbuilder import ServiceAccountClientBuilder

log = logging.getLogger("kybernetes.controller-manager")
LEASE_NAME = "kube-controller-manager"


def known_controllers() -> dict[str, type[Controller]]:
    """name -> class, from every module of this package that lists `CONTROLLERS`."""
    import kybernetes.controllers as package
    found: dict[str, type[Controller]] = {}
    for module_info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if module_info.name in ("base", "manager"):
            continue
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        for cls in getattr(module, "CONTROLLERS", []):
            found[cls.name] = cls
    return found


def select(names: str, known: dict[str, type[Controller]]) -> list[type[Controller]]:
    """Upstream's --controllers syntax: `*` for all, `foo` to add, `-foo` to remove."""
    chosen: set[str] = set()
    for item in (part.strip() for part in names.split(",") if part.strip()):
        if item == "*":
            chosen |= set(known)
        elif item.startswith("-"):
            chosen.discard(item[1:])
        elif item in known:
            chosen.add(item)
        else:
            raise ValueError(f'"{item}" is not in the list of known controllers: {", ".join(sorted(known))}')
    return [known[name] for name in sorted(chosen)]


class ControllerManager:
    def __init__(self, client: Client, options: ControllerOptions | None = None,
                 controllers: str = "*", leader_elect: bool = True,
                 identity: str | None = None, lease_timing: dict | None = None,
                 client_builder: "ServiceAccountClientBuilder | None" = None) -> None:
        self.client = client
        self.informers = InformerFactory(client)
        self.recorder = EventRecorder(client, "kube-controller-manager")
        self.ctx = ControllerContext(client, self.informers, self.recorder,
                                     options or ControllerOptions())
        # --use-service-account-credentials: each controller writes as its own account
        self.client_builder = client_builder
        self.recorders = [self.recorder]
        self.controllers = [cls(self._context_for(cls))
                            for cls in select(controllers, known_controllers())]
        self.leader_elect = leader_elect
        self.elector = LeaderElector(client, LEASE_NAME, identity=identity,
                                     **(lease_timing or {})) if leader_elect else None

    def _context_for(self, cls: type[Controller]) -> ControllerContext:
        from kybernetes.controllers.clientbuilder import CONTROLLER_SERVICE_ACCOUNTS
        account = CONTROLLER_SERVICE_ACCOUNTS.get(cls.name)
        if self.client_builder is None or account is None:
            return self.ctx
        client = self.client_builder.client_for(account)
        recorder = EventRecorder(client, "kube-controller-manager")
        self.recorders.append(recorder)
        return ControllerContext(client, self.informers, recorder, self.ctx.options)

    async def _lead(self) -> None:
        renewing = None
        if self.client_builder is not None:
            await self.client_builder.start()
            renewing = asyncio.create_task(self.client_builder.run(), name="controller-tokens")
        try:
            await self._run_controllers()
        finally:
            if renewing is not None:
                renewing.cancel()

    async def _run_controllers(self) -> None:
        for controller in self.controllers:
            controller.setup()
        self.informers.start()
        await self.informers.wait_synced()
        log.info("controllers running: %s", ", ".join(c.name for c in self.controllers))
        await asyncio.gather(*(c.run() for c in self.controllers))

    async def run(self) -> None:
        try:
            if self.elector is None:
                await self._lead()
            else:
                await self.elector.run(self._lead)
        finally:
            for controller in self.controllers:
                await controller.stopped()
            await self.informers.stop()
            for recorder in self.recorders:
                await recorder.flush()
            if self.client_builder is not None:
                await self.client_builder.close()
