# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Two per-namespace publishers: the `default` ServiceAccount (serviceaccount controller)
and the `kube-root-ca.crt` ConfigMap holding the cluster CA (root-ca-cert-publisher).
Each is recreated when deleted; the ConfigMap is put back when its contents drift."""
from __future__ import annotations

from pathlib import Path

from kybernetes.apiserver.errors import ApiError
from kybernetes.client.rest import resource
from kybernetes.controllers.base import Controller, ControllerOptions

NAMESPACES = resource("namespaces")
SERVICE_ACCOUNTS = resource("serviceaccounts")
CONFIG_MAPS = resource("configmaps")
DEFAULT_SERVICE_ACCOUNT = "default"
ROOT_CA_CONFIG_MAP = "kube-root-ca.crt"
ROOT_CA_KEY = "ca.crt"
DESCRIPTION_ANNOTATION = "kubernetes.io/description"
ROOT_CA_DESCRIPTION = (
    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal "
    "endpoints such as the internal service IP or kubernetes.default.svc. No other usage is "
    "guaranteed across distributions of Kubernetes clusters.")


def namespace_active(namespace: dict | None) -> bool:
    """Objects are only created in a namespace that exists and is not terminating."""
    if namespace is None or namespace["metadata"].get("deletionTimestamp"):
        return False
    return (namespace.get("status") or {}).get("phase", "Active") == "Active"


def namespace_of_key(obj: dict) -> str:
    return obj["metadata"].get("namespace", "")


def default_service_account(namespace: str) -> dict:
    return {"apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": {"name": DEFAULT_SERVICE_ACCOUNT, "namespace": namespace}}


def root_ca_config_map(namespace: str, ca_pem: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": ROOT_CA_CONFIG_MAP, "namespace": namespace,
                         "annotations": {DESCRIPTION_ANNOTATION: ROOT_CA_DESCRIPTION}},
            "data": {ROOT_CA_KEY: ca_pem}}


def root_ca_needs_update(current: dict, ca_pem: str) -> bool:
    annotations = current["metadata"].get("annotations") or {}
    return ((current.get("data") or {}) != {ROOT_CA_KEY: ca_pem}
            or annotations.get(DESCRIPTION_ANNOTATION) != ROOT_CA_DESCRIPTION)


def root_ca_path(options: ControllerOptions) -> Path | None:
    """--root-ca-file, else the cluster CA that `kybernetes server` keeps in its data dir."""
    if options.root_ca_file:
        return Path(options.root_ca_file)
    if options.data_dir and (Path(options.data_dir) / "pki" / "ca.crt").exists():
        return Path(options.data_dir) / "pki" / "ca.crt"
    return None


class ServiceAccountController(Controller):
    name = "serviceaccount"
    workers = 1

    def setup(self) -> None:
        self.namespaces = self.informer(NAMESPACES)
        self.service_accounts = self.informer(SERVICE_ACCOUNTS)
        self.enqueue_on_change(self.namespaces)
        self.enqueue_on_change(self.service_accounts, lambda sa: (
            namespace_of_key(sa) if sa["metadata"]["name"] == DEFAULT_SERVICE_ACCOUNT else None))

    async def reconcile(self, key: str) -> None:
        if not namespace_active(self.namespaces.get(key)):
            return
        if self.service_accounts.get_by(key, DEFAULT_SERVICE_ACCOUNT) is not None:
            return
        try:
            await self.client.create(SERVICE_ACCOUNTS, default_service_account(key), key)
        except ApiError as exc:
            # AlreadyExists: the informer lags; Forbidden: the namespace began terminating
            if exc.code not in (409, 403):
                raise


class RootCACertPublisher(Controller):
    name = "root-ca-cert-publisher"
    workers = 1

    def setup(self) -> None:
        self.namespaces = self.informer(NAMESPACES)
        self.config_maps = self.informer(CONFIG_MAPS)
        self.enqueue_on_change(self.namespaces)
        self.enqueue_on_change(self.config_maps, lambda cm: (
            namespace_of_key(cm) if cm["metadata"]["name"] == ROOT_CA_CONFIG_MAP else None))
        self.ca_pem: str | None = None
        self.warned = False

    def load_ca(self) -> str | None:
        if self.ca_pem is None:
            path = root_ca_path(self.options)
            self.ca_pem = path.read_text() if path is not None else ""
        return self.ca_pem

    async def reconcile(self, key: str) -> None:
        if not namespace_active(self.namespaces.get(key)):
            return
        ca_pem = self.load_ca()
        if not ca_pem:
            if not self.warned:
                self.log.warning("no root CA to publish: set --root-ca-file")
                self.warned = True
            return
        current = self.config_maps.get_by(key, ROOT_CA_CONFIG_MAP)
        try:
            if current is None:
                await self.client.create(CONFIG_MAPS, root_ca_config_map(key, ca_pem), key)
            elif root_ca_needs_update(current, ca_pem):
                wanted = root_ca_config_map(key, ca_pem)
                annotations = dict(current["metadata"].get("annotations") or {})
                annotations.update(wanted["metadata"]["annotations"])
                # an update, as upstream's (root-ca-cert-publisher may update, not patch)
                await self.client.update(CONFIG_MAPS, {
                    **current, "metadata": {**current["metadata"], "annotations": annotations},
                    "data": {ROOT_CA_KEY: ca_pem}})
        except ApiError as exc:
            if exc.code == 409 and current is None:
                return  # AlreadyExists: the informer lags and will bring it
            if exc.code == 403:
                return  # the namespace began terminating
            raise


CONTROLLERS = [ServiceAccountController, RootCACertPublisher]
