# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Registry authentication, pure parts: the WWW-Authenticate challenges a registry
answers with (Bearer realm/service/scope as Docker Hub sends them, or Basic), the token
request they imply, and the credentials an imagePullSecret holds for a registry host
(the kubelet's keyring matching rules)."""
from __future__ import annotations

import base64
import fnmatch
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

import orjson

from kybernetes.kubelet.images.reference import DEFAULT_DOMAIN, DOCKER_HUB_API_HOST, LEGACY_DEFAULT_DOMAIN

SECRET_TYPE_DOCKERCONFIGJSON = "kubernetes.io/dockerconfigjson"
SECRET_TYPE_DOCKERCFG = "kubernetes.io/dockercfg"
_DOCKER_HUB_HOSTS = {DEFAULT_DOMAIN, LEGACY_DEFAULT_DOMAIN, DOCKER_HUB_API_HOST}


@dataclass(frozen=True, slots=True)
class Credentials:
    username: str = ""
    password: str = ""
    identity_token: str = ""  # a refresh token: sent to the token endpoint instead of a password
    registry_token: str = ""  # a bearer token used as is

    def basic_header(self) -> str:
        raw = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(raw).decode()


@dataclass(slots=True)
class Challenge:
    scheme: str  # "bearer" | "basic" (lower case)
    params: dict[str, str] = field(default_factory=dict)


# auth-param = token "=" ( token / quoted-string ), RFC 7235
_PARAM = re.compile(r'\s*([!#$%&\'*+.^_`|~0-9A-Za-z-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*)\s*(,|$)')
_SCHEME = re.compile(r"\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)")


def parse_www_authenticate(header: str) -> list[Challenge]:
    """Every challenge in one WWW-Authenticate value, e.g.
    `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"`."""
    challenges: list[Challenge] = []
    pos = 0
    while pos < len(header):
        scheme_match = _SCHEME.match(header, pos)
        if not scheme_match:
            break
        challenge = Challenge(scheme=scheme_match.group(1).lower())
        pos = scheme_match.end()
        while pos < len(header):
            param = _PARAM.match(header, pos)
            if not param:
                break
            value = param.group(2)
            if value.startswith('"'):
                value = re.sub(r"\\(.)", r"\1", value[1:-1])
            challenge.params[param.group(1).lower()] = value
            pos = param.end()
        challenges.append(challenge)
        while pos < len(header) and header[pos] in ", ":
            pos += 1
    return challenges


def token_request_url(challenge: Challenge, scope: str, credentials: Credentials | None) -> str:
    """The GET the token dance makes: realm?service=...&scope=... (the scope the registry
    asked for, else ours)."""
    query = {}
    if challenge.params.get("service"):
        query["service"] = challenge.params["service"]
    query["scope"] = challenge.params.get("scope") or scope
    if credentials and credentials.username:
        query["account"] = credentials.username
    realm = challenge.params["realm"]
    return realm + ("&" if "?" in realm else "?") + urlencode(query)


def token_from_response(body: bytes) -> str:
    """The token endpoint's answer: {"token": ...} (Docker) or {"access_token": ...} (OAuth2)."""
    data = orjson.loads(body)
    token = data.get("token") or data.get("access_token")
    if not token:
        raise ValueError("token response has no token")
    return token


def repository_scope(repository_path: str) -> str:
    return f"repository:{repository_path}:pull"


# ------------------------------------------------------------------ pull secrets
def _decode_entry(entry: dict) -> Credentials | None:
    username, password = entry.get("username", ""), entry.get("password", "")
    if entry.get("auth"):
        try:
            decoded = base64.b64decode(entry["auth"]).decode()
        except (ValueError, UnicodeDecodeError):
            return None
        username, _, password = decoded.partition(":")
    if not (username or entry.get("identitytoken") or entry.get("registrytoken")):
        return None
    return Credentials(username=username, password=password,
                       identity_token=entry.get("identitytoken", ""),
                       registry_token=entry.get("registrytoken", ""))


def auths_from_secret(secret: dict) -> dict[str, dict]:
    """The `auths` map of a dockerconfigjson secret, or the map a legacy dockercfg secret
    holds directly; {} for any other secret or undecodable data."""
    data = secret.get("data") or {}
    kind = secret.get("type", "")
    key = ".dockerconfigjson" if kind == SECRET_TYPE_DOCKERCONFIGJSON else (
        ".dockercfg" if kind == SECRET_TYPE_DOCKERCFG else None)
    if key is None or key not in data:
        return {}
    try:
        parsed = orjson.loads(base64.b64decode(data[key]))
    except (ValueError, orjson.JSONDecodeError):
        return {}
    if not isinstance(parsed, dict):
        return {}
    auths = parsed.get("auths", {}) if key == ".dockerconfigjson" else parsed
    return auths if isinstance(auths, dict) else {}


def _split_key(key: str) -> tuple[str, str, str]:
    """(host, port, path) of a keyring key: `https://index.docker.io/v1/`, `reg:5000`,
    `*.example.com/team`."""
    if "://" not in key:
        key = "https://" + key
    parts = urlsplit(key)
    host, path = parts.hostname or "", parts.path.strip("/")
    if host in _DOCKER_HUB_HOSTS:
        # `https://index.docker.io/v1/` is the classic Docker Hub key: its path is the
        # API version, not a repository prefix.
        return DEFAULT_DOMAIN, "", "" if path in ("v1", "v2") else path
    return host, str(parts.port or ""), path


def _key_matches(key: str, image_name: str) -> bool:
    """The kubelet keyring's rule: hosts match label by label with `*` globs, the port
    exactly, and the key's path is a prefix of the repository path."""
    key_host, key_port, key_path = _split_key(key)
    host, port, path = _split_key(image_name)
    key_labels, labels = key_host.split("."), host.split(".")
    if len(key_labels) != len(labels):
        return False
    if not all(fnmatch.fnmatchcase(label, pattern) for pattern, label in zip(key_labels, labels)):
        return False
    if key_port != port:
        return False
    return not key_path or path == key_path or path.startswith(key_path + "/")


def credentials_for(image_name: str, pull_secrets: list[dict] | tuple = ()) -> list[Credentials]:
    """Every credential the secrets hold for `image_name` (docker.io/library/nginx),
    longest (most specific) key first, as the kubelet tries them."""
    matches: list[tuple[int, Credentials]] = []
    for secret in pull_secrets:
        for key, entry in auths_from_secret(secret).items():
            if isinstance(entry, dict) and _key_matches(key, image_name):
                creds = _decode_entry(entry)
                if creds and creds not in [c for _, c in matches]:
                    matches.append((len(key), creds))
    matches.sort(key=lambda item: -item[0])
    return [creds for _, creds in matches]
