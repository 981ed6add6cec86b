# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""What every controller shares: informers feed a work queue of keys, workers call
`reconcile(key)`. A controller decides in plain functions (objects in, actions out)
and `reconcile` only reads its informers and writes the decided actions."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from kybernetes.api.resources import ResourceType
from kybernetes.client.events import EventRecorder
from kybernetes.client.informer import Informer, InformerFactory, object_key
from kybernetes.client.rest import Client
from kybernetes.client.workqueue import WorkQueue, run_workers


@dataclass
class ControllerOptions:
    """The controller manager's settings, with upstream's flag names in comments."""
    cluster_cidr: str = "10.244.0.0/16"  # --cluster-cidr
    allocate_node_cidrs: bool = True  # --allocate-node-cidrs
    node_cidr_mask_size: int = 24  # --node-cidr-mask-size
    service_cidr: str = "10.96.0.0/12"  # --service-cluster-ip-range
    root_ca_file: Path | None = None  # --root-ca-file
    cluster_signing_cert_file: Path | None = None  # --cluster-signing-cert-file
    cluster_signing_key_file: Path | None = None  # --cluster-signing-key-file
    cluster_signing_duration: float = 365 * 24 * 3600.0  # --cluster-signing-duration (seconds)
    service_account_private_key_file: Path | None = None  # --service-account-private-key-file
    node_monitor_grace_period: float = 50.0  # --node-monitor-grace-period (1.32: 50s)
    node_monitor_period: float = 5.0  # --node-monitor-period
    terminated_pod_gc_threshold: int = 12500  # --terminated-pod-gc-threshold
    data_dir: Path | None = None  # where the local-path provisioner makes volumes
    extra: dict = field(default_factory=dict)


@dataclass
class ControllerContext:
    client: Client
    informers: InformerFactory
    recorder: EventRecorder
    options: ControllerOptions = field(default_factory=ControllerOptions)


class Controller:
    """Subclasses set `name`, implement `setup()` (create informers, add handlers that
    enqueue keys) and `reconcile(key)`. Modules in this package make a controller known
    to the manager by naming it in a module-level `CONTROLLERS = [TheController]`."""

    name = "controller"
    workers = 2

    def __init__(self, ctx: ControllerContext) -> None:
        self.ctx = ctx
        self.client = ctx.client
        self.informers = ctx.informers
        self.recorder = ctx.recorder
        self.options = ctx.options
        self.queue = WorkQueue(self.name)
        self.log = logging.getLogger(f"kybernetes.controllers.{self.name}")

    def setup(self) -> None:
        raise NotImplementedError

    async def reconcile(self, key: str) -> None:
        raise NotImplementedError

    # helpers for setup()
    def informer(self, rt: ResourceType, **kwargs) -> Informer:
        return self.informers.informer(rt, **kwargs)

    def enqueue(self, obj: dict | None) -> None:
        if obj is not None:
            self.queue.add(object_key(obj))

    def enqueue_on_change(self, informer: Informer,
                          key_of: Callable[[dict], list[str] | str | None] | None = None) -> None:
        """Queue the key of every changed object (or the keys `key_of` maps it to)."""

        def handler(kind: str, old: dict | None, new: dict | None) -> None:
            for obj in (old, new):
                if obj is None:
                    continue
                if key_of is None:
                    self.queue.add(object_key(obj))
                    continue
                keys = key_of(obj)
                if isinstance(keys, str):
                    keys = [keys]
                for key in keys or ():
                    self.queue.add(key)
        informer.add_handler(handler)

    async def run(self) -> None:
        await run_workers(self.queue, self.reconcile, self.workers, self.name)

    async def stopped(self) -> None:
        self.queue.shutdown()


def owner_keys(kind: str, api_version_prefix: str = "") -> Callable[[dict], list[str]]:
    """Map an object to the keys of its controller owner of `kind` (same namespace)."""

    def keys(obj: dict) -> list[str]:
        meta = obj.get("metadata") or {}
        out = []
        for ref in meta.get("ownerReferences") or []:
            if ref.get("kind") == kind and ref.get("controller") and \
                    ref.get("apiVersion", "").startswith(api_version_prefix):
                namespace = meta.get("namespace")
                out.append(f"{namespace}/{ref['name']}" if namespace else ref["name"])
        return out
    return keys


def controller_of(obj: dict) -> dict | None:
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return ref
    return None


async def gather_cancel_on_error(*coroutines) -> None:
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
