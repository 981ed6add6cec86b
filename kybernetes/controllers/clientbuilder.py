# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""--use-service-account-credentials: each controller talks to the API as its own
kube-system ServiceAccount (system:serviceaccount:kube-system:<name>), as
kube-controller-manager's service-account token client builder does. The controller
manager, on its own identity, makes the account if missing and asks the TokenRequest API
for a token; each controller's client carries that token alone (no client
certificate) and gets a fresh one when 80% of the old one's lifetime has passed. The
shared informers and leader election stay on the manager's own identity."""
from __future__ import annotations

import asyncio
import logging
import ssl
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from kybernetes.apiserver.errors import ApiError
from kybernetes.client.rest import Client, resource

log = logging.getLogger("kybernetes.controller-manager.clientbuilder")
SERVICE_ACCOUNTS = resource("serviceaccounts")
NAMESPACE = "kube-system"
EXPIRATION_SECONDS = 3600  # upstream's client builder asks for an hour
REFRESH_FRACTION = 0.8  # a new token once 80% of the old one's life has passed
RETRY_DELAY = 1.0
MAX_SLEEP = 60.0

# controller name -> the kube-system ServiceAccount it runs as (upstream's names; the
# roles are system:controller:<account>). Controllers not listed keep the manager's own
# identity, as upstream's token controller does; the taint-eviction controller runs as
# node-controller, whose role covers it (it was part of node lifecycle before 1.29).
CONTROLLER_SERVICE_ACCOUNTS = {
    "bootstrapsigner": "bootstrap-signer",
    "clusterrole-aggregation": "clusterrole-aggregation-controller",
    "cronjob": "cronjob-controller",
    "csrapproving": "certificate-controller",
    "csrsigning": "certificate-controller",
    "daemonset": "daemon-set-controller",
    "deployment": "deployment-controller",
    "disruption": "disruption-controller",
    "endpoint": "endpoint-controller",
    "endpointslice": "endpointslice-controller",
    "garbagecollector": "generic-garbage-collector",
    "horizontal-pod-autoscaler": "horizontal-pod-autoscaler",
    "job": "job-controller",
    "namespace": "namespace-controller",
    "nodeipam": "node-controller",
    "nodelifecycle": "node-controller",
    "taint-eviction-controller": "node-controller",
    "persistentvolume-binder": "persistent-volume-binder",
    "podgc": "pod-garbage-collector",
    "replicaset": "replicaset-controller",
    "replicationcontroller": "replication-controller",
    "resourcequota": "resourcequota-controller",
    "root-ca-cert-publisher": "root-ca-cert-publisher",
    "serviceaccount": "service-account-controller",
    "statefulset": "statefulset-controller",
    "tokencleaner": "token-cleaner",
    "ttl-after-finished": "ttl-after-finished-controller",
}


def service_account_user(account: str) -> str:
    return f"system:serviceaccount:{NAMESPACE}:{account}"


def token_request(expiration_seconds: int = EXPIRATION_SECONDS) -> dict:
    return {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
            "spec": {"expirationSeconds": expiration_seconds}}


def refresh_at(issued: float, expires: float, fraction: float = REFRESH_FRACTION) -> float:
    """When a token issued at `issued` and expiring at `expires` should be replaced."""
    return issued + max(0.0, expires - issued) * fraction


def expiry_of(token_request_status: dict, issued: float) -> float:
    """The expiration (epoch seconds) a TokenRequest status names."""
    from datetime import datetime
    stamp = token_request_status.get("expirationTimestamp") or ""
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return issued + EXPIRATION_SECONDS


@dataclass
class _Credential:
    account: str
    clients: list[Client]
    refresh_at: float = 0.0


def set_bearer_token(client: Client, token: str) -> None:
    """Replace the token a client sends on every request from now on."""
    client.session.headers["Authorization"] = f"Bearer {token}"


class ServiceAccountClientBuilder:
    """Clients authenticated as kube-system service accounts, tokens kept fresh.

    `client_for(account)` returns a client at once (usable after `start()`); `start()`
    obtains every token, then `run()` renews them until cancelled."""

    def __init__(self, root: Client, new_client: Callable[[str], Client],
                 expiration_seconds: int = EXPIRATION_SECONDS, clock=time.time) -> None:
        self.root = root
        self.new_client = new_client  # account -> a client without credentials
        self.expiration_seconds = expiration_seconds
        self.clock = clock
        self.credentials: dict[str, _Credential] = {}

    def client_for(self, account: str) -> Client:
        credential = self.credentials.setdefault(account, _Credential(account, []))
        client = self.new_client(account)
        credential.clients.append(client)
        return client

    async def _ensure_account(self, account: str) -> None:
        body = {"apiVersion": "v1", "kind": "ServiceAccount",
                "metadata": {"name": account, "namespace": NAMESPACE}}
        if await self.root.get_or_none(SERVICE_ACCOUNTS, account, NAMESPACE) is None:
            try:
                await self.root.create(SERVICE_ACCOUNTS, body, NAMESPACE)
            except ApiError as exc:
                if exc.code != 409:
                    raise

    async def _renew(self, credential: _Credential) -> None:
        await self._ensure_account(credential.account)
        issued = self.clock()
        answer = await self.root.create(SERVICE_ACCOUNTS, token_request(self.expiration_seconds),
                                        NAMESPACE, name=credential.account, subresource="token")
        status = answer.get("status") or {}
        for client in credential.clients:
            set_bearer_token(client, status["token"])
        credential.refresh_at = refresh_at(issued, expiry_of(status, issued))
        log.debug("token for %s renewed; next at %.0f", service_account_user(credential.account),
                  credential.refresh_at)

    async def _renew_until_done(self, credential: _Credential) -> None:
        while True:
            try:
                await self._renew(credential)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the server may be starting or briefly away
                log.warning("getting a token for %s: %s", service_account_user(credential.account), exc)
                await asyncio.sleep(RETRY_DELAY)

    async def start(self) -> None:
        await asyncio.gather(*(self._renew_until_done(c) for c in self.credentials.values()))

    async def run(self) -> None:
        while True:
            now = self.clock()
            due = [c for c in self.credentials.values() if c.refresh_at <= now]
            for credential in due:
                await self._renew_until_done(credential)
            upcoming = [c.refresh_at for c in self.credentials.values()]
            # at least once a minute: a clock that jumped (a suspended machine) is noticed
            wait = min(upcoming) - self.clock() if upcoming else MAX_SLEEP
            await asyncio.sleep(min(MAX_SLEEP, max(0.5, wait)))

    async def close(self) -> None:
        for credential in self.credentials.values():
            for client in credential.clients:
                await client.close()


def in_process_client_factory(socket_path: str | Path, user_agent: str = "kube-controller-manager"
                              ) -> Callable[[str], Client]:
    """Clients on `kybernetes server`'s Unix socket that authenticate by their token."""
    def make(account: str) -> Client:
        return Client("http://localhost", unix_socket=str(socket_path), field_manager=user_agent,
                      user_agent=f"{user_agent}/{account}")
    return make


def kubeconfig_client_factory(kubeconfig: str | Path, servers: str | list[str] | None = None,
                              user_agent: str = "kube-controller-manager") -> Callable[[str], Client]:
    """Clients for the kubeconfig's servers, trusting its CA but presenting none of its
    credentials (upstream's anonymous client config plus the token)."""
    from kybernetes.client.loadbalancer import servers_from_cluster
    from kybernetes.pki.kubeconfig import load_kubeconfig
    config = load_kubeconfig(kubeconfig)
    ca = config.ca_pem()
    insecure = config.insecure_skip_tls_verify()
    targets = servers or servers_from_cluster(config.cluster())

    def make(account: str) -> Client:
        context: ssl.SSLContext | bool = False
        if not insecure:
            context = ssl.create_default_context()
            if ca:
                context.load_verify_locations(cadata=ca.decode())
        return Client(targets, ssl_context=context, field_manager=user_agent,
                      user_agent=f"{user_agent}/{account}")
    return make
