# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Leader election through a coordination.k8s.io/v1 Lease, as client-go's leaderelection
with its defaults (lease 15 s, renew deadline 10 s, retry every 2 s)."""
from __future__ import annotations

import asyncio
import logging
import socket
import uuid
from datetime import datetime, timezone
from typing import Awaitable, Callable

from kybernetes.apiserver.errors import ApiError
from kybernetes.client.rest import Client, resource

log = logging.getLogger("kybernetes.leaderelection")
LEASES = resource("leases.coordination.k8s.io")


def micro_time(moment: datetime | None = None) -> str:
    moment = moment or datetime.now(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def default_identity() -> str:
    return f"{socket.gethostname()}_{uuid.uuid4()}"


class LeaderElector:
    def __init__(self, client: Client, name: str, namespace: str = "kube-system", *,
                 identity: str | None = None, lease_duration: float = 15.0,
                 renew_deadline: float = 10.0, retry_period: float = 2.0) -> None:
        self.client = client
        self.name = name
        self.namespace = namespace
        self.identity = identity or default_identity()
        self.lease_duration = lease_duration
        self.renew_deadline = renew_deadline
        self.retry_period = retry_period
        self.is_leader = False

    async def try_acquire_or_renew(self) -> bool:
        now = datetime.now(timezone.utc)
        lease = await self.client.get_or_none(LEASES, self.name, self.namespace)
        spec_new = {"holderIdentity": self.identity,
                    "leaseDurationSeconds": int(self.lease_duration),
                    "renewTime": micro_time(now)}
        if lease is None:
            body = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                    "metadata": {"name": self.name, "namespace": self.namespace},
                    "spec": dict(spec_new, acquireTime=micro_time(now), leaseTransitions=0)}
            try:
                await self.client.create(LEASES, body, self.namespace)
                return True
            except ApiError as exc:
                if exc.code == 409:
                    return False
                raise
        spec = lease.get("spec") or {}
        holder = spec.get("holderIdentity") or ""
        renewed = parse_time(spec.get("renewTime"))
        duration = spec.get("leaseDurationSeconds") or self.lease_duration
        expired = renewed is None or (now - renewed).total_seconds() > duration
        if holder and holder != self.identity and not expired:
            return False
        if holder != self.identity:
            spec_new["acquireTime"] = micro_time(now)
            spec_new["leaseTransitions"] = (spec.get("leaseTransitions") or 0) + 1
        else:
            spec_new["acquireTime"] = spec.get("acquireTime") or micro_time(now)
            spec_new["leaseTransitions"] = spec.get("leaseTransitions") or 0
        lease["spec"] = spec_new
        try:
            await self.client.update(LEASES, lease)  # resourceVersion makes this a CAS
            return True
        except ApiError as exc:
            if exc.code in (409, 404):
                return False
            raise

    async def run(self, lead: Callable[[], Awaitable[None]]) -> None:
        """Wait to lead, then run `lead()` while renewing; if renewal fails past the
        renew deadline, cancel `lead()` and return (the caller exits, as upstream's
        components do, or calls run again)."""
        while True:
            try:
                if await self.try_acquire_or_renew():
                    break
            except Exception as exc:  # the API is unreachable: keep trying
                log.debug("lease %s: %s", self.name, exc)
            await asyncio.sleep(self.retry_period)
        self.is_leader = True
        log.info("%s became leader of %s/%s", self.identity, self.namespace, self.name)
        task = asyncio.create_task(lead())
        loop = asyncio.get_running_loop()
        last_renew = loop.time()
        try:
            while not task.done():
                await asyncio.wait([task], timeout=self.retry_period)
                if task.done():
                    break
                try:
                    if await self.try_acquire_or_renew():
                        last_renew = loop.time()
                        continue
                except Exception as exc:
                    log.debug("lease %s renew: %s", self.name, exc)
                if loop.time() - last_renew > self.renew_deadline:
                    log.warning("%s lost the %s lease", self.identity, self.name)
                    break
        finally:
            self.is_leader = False
            if not task.done():
                task.cancel()
                try:
                    await task
                except (asyncio.CancelledError, Exception):
                    pass
            elif task.exception() is not None:
                raise task.exception()

    async def release(self) -> None:
        """Give the lease up at shutdown so another candidate need not wait it out."""
        lease = await self.client.get_or_none(LEASES, self.name, self.namespace)
        if lease and (lease.get("spec") or {}).get("holderIdentity") == self.identity:
            lease["spec"]["holderIdentity"] = ""
            lease["spec"]["leaseDurationSeconds"] = 1
            try:
                await self.client.update(LEASES, lease)
            except ApiError:
                pass
