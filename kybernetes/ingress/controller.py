# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The ingress controller's loop: informers on Ingresses, IngressClasses, Services,
EndpointSlices and Secrets; after each burst of changes the configuration is rendered
again and, when it differs, checked and loaded by the nginx master we own. Ingress
status gets the published address; problems become Events on the Ingress."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from kybernetes.apiserver.errors import ApiError
from kybernetes.client.events import EventRecorder
from kybernetes.client.informer import InformerFactory
from kybernetes.client.rest import Client, resource
from kybernetes.ingress import classes as ingress_classes
from kybernetes.ingress import model as ingress_model
from kybernetes.ingress.nginx import (ConfigurationRefused, Nginx, NginxError, prepare_directory,
                                      sync_certificates)
from kybernetes.ingress.render import Layout, render

log = logging.getLogger("kybernetes.ingress")

INGRESSES = resource("ingresses.networking.k8s.io")
INGRESS_CLASSES = resource("ingressclasses.networking.k8s.io")
SERVICES = resource("services")
ENDPOINT_SLICES = resource("endpointslices.discovery.k8s.io")
SECRETS = resource("secrets")
COMPONENT = "nginx-ingress-controller"  # the event source ingress-nginx reports
RETRY_SECONDS = 10.0
RECHECK_SECONDS = 30.0  # a master that died is started again at the latest this much later


@dataclass(frozen=True)
class IngressOptions:
    layout: Layout
    selection: ingress_classes.ClassSelection = ingress_classes.ClassSelection()
    status_address: str = ""  # --publish-status-address: written to handled Ingresses
    nginx_binary: str = "nginx"
    debounce: float = 0.1  # seconds of quiet gathered into one reload


def desired_status(address: str) -> list[dict]:
    if not address:
        return []
    return [{"hostname": address}] if any(c.isalpha() for c in address) and ":" not in address \
        else [{"ip": address}]


def current_status(ingress: dict) -> list[dict]:
    return ((ingress.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []


class IngressController:
    def __init__(self, client: Client, options: IngressOptions,
                 installer: Client | None = None) -> None:
        self.client = client
        self.options = options
        self.installer = installer  # writes the default IngressClass (kybernetes server)
        self.nginx = Nginx(options.layout, options.nginx_binary)
        self.recorder = EventRecorder(client, COMPONENT)
        self.factory = InformerFactory(client)
        self.ingresses = self.factory.informer(INGRESSES)
        self.classes = self.factory.informer(INGRESS_CLASSES)
        self.services = self.factory.informer(SERVICES)
        self.slices = self.factory.informer(ENDPOINT_SLICES)
        self.secrets = self.factory.informer(SECRETS)
        for informer in (self.classes, self.services, self.slices, self.secrets):
            informer.add_handler(self._changed)
        self.ingresses.add_handler(self._ingress_changed)
        self._dirty = asyncio.Event()
        self.applied = ""  # the configuration nginx runs
        self.failed = ""  # the last configuration nginx refused
        self.start_error = ""  # why nginx last failed to start
        self.reported: set[ingress_model.Problem] = set()
        self.reloads = 0

    # ---------------------------------------------------------------- changes
    def _changed(self, kind: str, old: dict | None, new: dict | None) -> None:
        self._dirty.set()

    def _ingress_changed(self, kind: str, old: dict | None, new: dict | None) -> None:
        if new is not None and kind in ("ADDED", "MODIFIED") and self.handled(new) and (
                old is None or old["metadata"].get("generation") != new["metadata"].get("generation")):
            self.recorder.event(new, "Normal", "Sync", "Scheduled for sync")
        self._dirty.set()

    def our_classes(self) -> dict[str, dict]:
        return ingress_classes.our_classes(self.classes.list(), self.options.selection)

    def handled(self, ingress: dict, ours: dict[str, dict] | None = None) -> bool:
        ours = self.our_classes() if ours is None else ours
        return not ingress["metadata"].get("deletionTimestamp") and \
            ingress_classes.handles(ingress, ours, self.options.selection)

    def handled_ingresses(self) -> list[dict]:
        ours = self.our_classes()
        return [i for i in self.ingresses.list() if self.handled(i, ours)]

    # ---------------------------------------------------------------- one pass
    async def sync(self) -> bool:
        """Render and load the configuration; write statuses. True when nginx runs
        the current configuration."""
        handled = self.handled_ingresses()
        built = ingress_model.build(handled, self.services.list(), self.slices.list(),
                                    self.secrets.list())
        self._report(built.problems, {ingress_model.ingress_key(i): i for i in handled})
        text = render(built, self.options.layout)
        ok = True
        if text != self.applied or not self.nginx.running:
            ok = await self._load(text, built.certificates, handled)
        await self._write_statuses(handled)
        return ok

    async def _load(self, text: str, certificates: dict[str, bytes], handled: list[dict]) -> bool:
        stale = sync_certificates(self.options.layout, certificates)
        try:
            await self.nginx.apply(text)
        except ConfigurationRefused as exc:
            if text != self.failed:  # say it once per refused configuration
                self.failed = text
                log.error("nginx refused the new configuration; keeping the running one: %s", exc)
                for ingress in handled:
                    self.recorder.event(ingress, "Warning", "RELOAD", f"Error reloading NGINX: {exc}")
            return False
        except (NginxError, OSError) as exc:
            if not self.start_error:  # retried every RETRY_SECONDS: say it once
                log.error("cannot start nginx (trying again every %ds): %s", RETRY_SECONDS, exc)
            self.start_error = str(exc)
            return False
        self.applied, self.failed, self.start_error = text, "", ""
        self.reloads += 1
        for path in stale:
            path.unlink(missing_ok=True)
        log.info("nginx configuration loaded (%d ingresses)", len(handled))
        return True

    def _report(self, problems: list[ingress_model.Problem], by_key: dict[str, dict]) -> None:
        current = set(problems)
        for problem in problems:
            if problem in self.reported:
                continue
            log.warning("ingress %s: %s", problem.ingress, problem.message)
            if problem.reason != "NoEndpoints" and problem.ingress in by_key:
                self.recorder.event(by_key[problem.ingress], "Warning", problem.reason,
                                    problem.message)
        self.reported = current

    async def _write_statuses(self, handled: list[dict]) -> None:
        wanted = desired_status(self.options.status_address)
        if not wanted:
            return
        for ingress in handled:
            if current_status(ingress) == wanted:
                continue
            meta = ingress["metadata"]
            try:
                await self.client.patch(INGRESSES, meta["name"],
                                        {"status": {"loadBalancer": {"ingress": wanted}}},
                                        meta["namespace"], subresource="status")
            except ApiError as exc:
                if exc.code != 404:
                    log.warning("cannot update the status of ingress %s/%s: %s",
                                meta["namespace"], meta["name"], exc.message)

    # ---------------------------------------------------------------- running
    async def install_default_class(self) -> None:
        """Create the default IngressClass unless it exists (a user's edits are kept)."""
        desired = ingress_classes.default_ingress_class(self.options.selection.ingress_class,
                                                        self.options.selection.controller)
        delay = 0.2
        while True:
            try:
                await self.installer.create(INGRESS_CLASSES, desired)
                log.info("created IngressClass %s", desired["metadata"]["name"])
                return
            except ApiError as exc:
                if exc.code == 409:
                    return
                log.debug("IngressClass not created yet: %s", exc.message)
            except Exception as exc:  # the API server may still be starting
                log.debug("IngressClass not created yet: %r", exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5)

    async def run(self, fatal: bool = True) -> None:
        """Serve until cancelled. With fatal=False (inside `kybernetes server`) an nginx
        that cannot start is logged and retried; alone, it ends the command."""
        await asyncio.to_thread(prepare_directory, self.options.layout)
        installing = asyncio.create_task(self.install_default_class()) if self.installer else None
        self.factory.start()
        try:
            for informer in (self.ingresses, self.classes, self.services, self.slices, self.secrets):
                await informer.synced.wait()
            first = True
            while True:
                ok = await self.sync()
                if first and not ok and fatal and not self.nginx.running:
                    raise NginxError(f"nginx did not start; see {self.options.layout.error_log}")
                first = False
                try:  # a refused or failed load is tried again even without changes
                    await asyncio.wait_for(self._dirty.wait(), RETRY_SECONDS if not ok
                                           else RECHECK_SECONDS)
                except asyncio.TimeoutError:
                    pass
                await asyncio.sleep(self.options.debounce)
                self._dirty.clear()
        finally:
            if installing is not None:
                installing.cancel()
            await self.nginx.stop()
            await self.factory.stop()
            await self.recorder.flush()
