# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Kubeconfig files: writing the ones the server hands out, reading any a user has.

Written kubeconfigs embed everything (certificate-authority-data, client-certificate-data,
client-key-data) so the file works when copied elsewhere. Reading also understands file
references (certificate-authority, client-certificate, client-key, tokenFile), relative to
the kubeconfig's directory as kubectl resolves them, because hand-built clusters use them.
"""
from __future__ import annotations

import base64
import os
from pathlib import Path

import yaml

from kybernetes.pki.certs import CertPair, write_file_atomic

__all__ = ["KubeconfigError", "Kubeconfig", "kubeconfig_yaml", "write_kubeconfig", "load_kubeconfig"]


class KubeconfigError(ValueError):
    """A kubeconfig without the entry the caller needs."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def kubeconfig_yaml(server_url: str, ca_pem: bytes, client: CertPair | None = None, token: str | None = None,
                    cluster_name: str = "kybernetes", user_name: str = "admin",
                    context_name: str = "kybernetes", namespace: str | None = None) -> str:
    """A kubeconfig with one cluster, one user (client certificate and/or token) and one context."""
    user: dict = {}
    if client is not None:
        user["client-certificate-data"] = _b64(client.cert_pem)
        user["client-key-data"] = _b64(client.key_pem)
    if token is not None:
        user["token"] = token
    context: dict = {"cluster": cluster_name, "user": user_name}
    if namespace:
        context["namespace"] = namespace
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": cluster_name,
                      "cluster": {"server": server_url, "certificate-authority-data": _b64(ca_pem)}}],
        "users": [{"name": user_name, "user": user}],
        "contexts": [{"name": context_name, "context": context}],
        "current-context": context_name,
        "preferences": {},
    }
    return yaml.safe_dump(config, sort_keys=False, default_flow_style=False)


def write_kubeconfig(path: str | os.PathLike, text: str) -> None:
    """Write atomically (temporary file, then rename) with mode 0600: it holds credentials."""
    write_file_atomic(Path(path), text.encode("utf-8"), 0o600)


def _named(entries: list | None, name: str, what: str) -> dict:
    for entry in entries or []:
        if entry.get("name") == name:
            return entry.get(what) or {}
    raise KubeconfigError(f"no {what} named {name!r} in kubeconfig")


class Kubeconfig(dict):
    """A parsed kubeconfig (a plain dict) with accessors for the chosen context."""

    def __init__(self, data: dict, base_dir: Path | None = None) -> None:
        super().__init__(data)
        self.base_dir = base_dir or Path.cwd()

    def context_name(self, context: str | None = None) -> str:
        name = context or self.get("current-context")
        if not name:
            raise KubeconfigError("kubeconfig has no current-context")
        return name

    def context(self, context: str | None = None) -> dict:
        return _named(self.get("contexts"), self.context_name(context), "context")

    def cluster(self, context: str | None = None) -> dict:
        return _named(self.get("clusters"), self.context(context).get("cluster", ""), "cluster")

    def user(self, context: str | None = None) -> dict:
        name = self.context(context).get("user")
        return _named(self.get("users"), name, "user") if name else {}

    def namespace(self, context: str | None = None) -> str:
        return self.context(context).get("namespace") or "default"

    def server(self, context: str | None = None) -> str:
        server = self.cluster(context).get("server")
        if not server:
            raise KubeconfigError("cluster has no server")
        return server

    def insecure_skip_tls_verify(self, context: str | None = None) -> bool:
        return bool(self.cluster(context).get("insecure-skip-tls-verify"))

    def _data_or_file(self, section: dict, data_key: str, file_key: str) -> bytes | None:
        if section.get(data_key):
            return base64.b64decode(section[data_key])
        if section.get(file_key):
            return (self.base_dir / os.path.expanduser(section[file_key])).read_bytes()
        return None

    def ca_pem(self, context: str | None = None) -> bytes | None:
        return self._data_or_file(self.cluster(context), "certificate-authority-data", "certificate-authority")

    def client_cert_pem(self, context: str | None = None) -> bytes | None:
        return self._data_or_file(self.user(context), "client-certificate-data", "client-certificate")

    def client_key_pem(self, context: str | None = None) -> bytes | None:
        return self._data_or_file(self.user(context), "client-key-data", "client-key")

    def token(self, context: str | None = None) -> str | None:
        user = self.user(context)
        if user.get("token"):
            return user["token"]
        if user.get("tokenFile"):
            return (self.base_dir / os.path.expanduser(user["tokenFile"])).read_text().strip()
        return None


def load_kubeconfig(path: str | os.PathLike) -> Kubeconfig:
    """Parse a kubeconfig file; file references resolve against its directory."""
    path = Path(path)
    data = yaml.safe_load(path.read_text()) or {}
    if not isinstance(data, dict):
        raise KubeconfigError(f"{path}: not a kubeconfig (top level is not a mapping)")
    return Kubeconfig(data, base_dir=path.resolve().parent)
