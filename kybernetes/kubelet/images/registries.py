# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""registries.yaml in k3s's format: mirrors per registry host (tried in order, then the
registry itself) and per-host auth and TLS settings.

    mirrors:
      docker.io:
        endpoint: ["http://127.0.0.1:5000"]
    configs:
      "127.0.0.1:5000":
        auth: {username: u, password: p}
        tls: {ca_file: /path/ca.crt, insecure_skip_verify: false}
"""
from __future__ import annotations

import base64
import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from kybernetes.kubelet.images.auth import Credentials
from kybernetes.kubelet.images.reference import DEFAULT_DOMAIN, DOCKER_HUB_API_HOST


class RegistriesConfigError(ValueError):
    """registries.yaml cannot be used; the message names the file and the field."""


@dataclass(frozen=True, slots=True)
class TLSConfig:
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""
    insecure_skip_verify: bool = False


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One place to fetch a repository from: `http://127.0.0.1:5000` (its /v2/ API)."""
    url: str  # scheme://host[:port][/prefix], no trailing slash, no /v2
    host: str  # host[:port], the key of its `configs` entry
    is_mirror: bool = False

    @property
    def api(self) -> str:
        return self.url + "/v2"


@dataclass(slots=True)
class RegistryHostConfig:
    credentials: Credentials | None = None
    tls: TLSConfig = field(default_factory=TLSConfig)


@dataclass(slots=True)
class RegistriesConfig:
    mirrors: dict[str, list[str]] = field(default_factory=dict)
    configs: dict[str, RegistryHostConfig] = field(default_factory=dict)
    # k3s's --disable-default-registry-endpoint: a registry with mirrors is reached only
    # through them (no fallback to the registry itself, e.g. on an offline machine).
    disable_default_endpoint: bool = False

    @classmethod
    def load(cls, path: Path | str, disable_default_endpoint: bool = False) -> "RegistriesConfig":
        """Parse the file; a missing file means no mirrors and no credentials."""
        path = Path(path)
        try:
            text = path.read_text()
        except FileNotFoundError:
            return cls(disable_default_endpoint=disable_default_endpoint)
        except OSError as exc:
            raise RegistriesConfigError(f"{path}: {exc.strerror}") from None
        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise RegistriesConfigError(f"{path}: not valid YAML: {exc}") from None
        config = cls.from_dict(data, source=str(path))
        config.disable_default_endpoint = disable_default_endpoint
        return config

    @classmethod
    def from_dict(cls, data: dict, source: str = "registries.yaml") -> "RegistriesConfig":
        if not isinstance(data, dict):
            raise RegistriesConfigError(f"{source}: expected a mapping with mirrors and configs")
        config = cls()
        for section in ("mirrors", "configs"):
            if not isinstance(data.get(section) or {}, dict):
                raise RegistriesConfigError(f"{source}: {section} must be a mapping of registry hosts")
        for host, mirror in (data.get("mirrors") or {}).items():
            endpoints = (mirror or {}).get("endpoint", []) if isinstance(mirror, (dict, type(None))) else None
            if not isinstance(endpoints, list) or not all(
                    isinstance(e, str) for e in endpoints):
                raise RegistriesConfigError(f"{source}: mirrors.{host}.endpoint must be a list of URLs")
            config.mirrors[str(host)] = [_normalize_endpoint_url(e) for e in endpoints]
        for host, entry in (data.get("configs") or {}).items():
            if not isinstance(entry, dict):
                raise RegistriesConfigError(f"{source}: configs.{host} must be a mapping")
            auth, tls = entry.get("auth") or {}, entry.get("tls") or {}
            if not isinstance(auth, dict) or not isinstance(tls, dict):
                raise RegistriesConfigError(f"{source}: configs.{host}.auth and .tls must be mappings")
            credentials = None
            if auth.get("username") or auth.get("identity_token") or auth.get("auth"):
                username, password = str(auth.get("username", "")), str(auth.get("password", ""))
                if auth.get("auth"):
                    try:
                        decoded = base64.b64decode(str(auth["auth"]), validate=True).decode()
                    except (ValueError, UnicodeDecodeError):
                        raise RegistriesConfigError(f"{source}: configs.{host}.auth.auth is not "
                                                    "base64 of user:password") from None
                    username, _, password = decoded.partition(":")
                credentials = Credentials(username=username, password=password,
                                          identity_token=str(auth.get("identity_token", "")))
            config.configs[_host_key(str(host))] = RegistryHostConfig(
                credentials=credentials,
                tls=TLSConfig(ca_file=str(tls.get("ca_file", "")), cert_file=str(tls.get("cert_file", "")),
                              key_file=str(tls.get("key_file", "")),
                              insecure_skip_verify=bool(tls.get("insecure_skip_verify", False))))
        return config

    def endpoints(self, domain: str) -> list[Endpoint]:
        """Where to pull a repository of `domain` from: its mirrors in order (the `*`
        mirror when it has none of its own), then the registry itself."""
        mirror_urls = self.mirrors.get(domain, self.mirrors.get("*", []))
        endpoints = [Endpoint(url=url, host=urlsplit(url).netloc, is_mirror=True) for url in mirror_urls]
        upstream = default_endpoint(domain)
        if endpoints and self.disable_default_endpoint:
            return endpoints
        if upstream.url not in [e.url for e in endpoints]:
            endpoints.append(upstream)
        return endpoints

    def host_config(self, host: str) -> RegistryHostConfig:
        return self.configs.get(host) or self.configs.get(_host_key(host)) or RegistryHostConfig()


def _normalize_endpoint_url(url: str) -> str:
    if "://" not in url:
        url = "https://" + url
    url = url.rstrip("/")
    return url[: -len("/v2")] if url.endswith("/v2") else url


def _host_key(host: str) -> str:
    """Config keys may be written as URLs; docker.io's key also covers its API host."""
    if "://" in host:
        host = urlsplit(host).netloc
    return DOCKER_HUB_API_HOST if host == DEFAULT_DOMAIN else host


def is_local_host(host: str) -> bool:
    """localhost and loopback addresses are spoken to over plain HTTP, as containerd does."""
    name = urlsplit("//" + host).hostname or ""
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def default_endpoint(domain: str) -> Endpoint:
    host = DOCKER_HUB_API_HOST if domain == DEFAULT_DOMAIN else domain
    scheme = "http" if is_local_host(host) else "https"
    return Endpoint(url=f"{scheme}://{host}", host=host)
