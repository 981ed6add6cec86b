# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Image references as Docker and containerd normalize them.

`nginx` → docker.io/library/nginx:latest; `localhost:5000/x` keeps its registry;
`name@sha256:<hex>` pins a digest. The rules (what makes the first component a registry
host, the allowed characters, "library/" for official images) are the distribution
project's reference grammar.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_DOMAIN = "docker.io"
LEGACY_DEFAULT_DOMAIN = "index.docker.io"
# Where docker.io's API really lives.
DOCKER_HUB_API_HOST = "registry-1.docker.io"
OFFICIAL_REPO_PREFIX = "library/"

_PATH_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_DOMAIN = re.compile(
    r"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*"
    r"(?::[0-9]+)?$|^\[[0-9a-fA-F:.]+\](?::[0-9]+)?$")
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_DIGEST = re.compile(r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$")
_SHA256_DIGEST = re.compile(r"^sha256:[a-f0-9]{64}$")
NAME_TOTAL_LENGTH_MAX = 255


class InvalidReference(ValueError):
    """The text is not an image reference; the message is Docker's wording."""


@dataclass(frozen=True, slots=True)
class Reference:
    domain: str  # docker.io, localhost:5000, registry.k8s.io
    path: str  # library/nginx
    tag: str = ""  # "" when only a digest pins it
    digest: str = ""  # sha256:<hex>

    @property
    def name(self) -> str:
        """docker.io/library/nginx"""
        return f"{self.domain}/{self.path}"

    @property
    def api_host(self) -> str:
        """The host whose /v2/ API serves this repository when no mirror is used."""
        return DOCKER_HUB_API_HOST if self.domain == DEFAULT_DOMAIN else self.domain

    @property
    def object(self) -> str:
        """What the manifest URL ends with: the digest when pinned, else the tag."""
        return self.digest or self.tag

    def with_digest(self, digest: str) -> str:
        return f"{self.name}@{digest}"

    def __str__(self) -> str:
        text = self.name
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def _is_domain(component: str) -> bool:
    """Docker's rule: the first path component is a registry host when it has a dot or
    a port, or is `localhost`; anything else (even `myhost`) is a Docker Hub user."""
    return "." in component or ":" in component or component == "localhost" or (
        component != component.lower())


def parse_reference(text: str) -> Reference:
    """Parse and normalize an image reference; InvalidReference on bad input."""
    if not text or text != text.strip():
        raise InvalidReference("invalid reference format")
    remainder, digest = text, ""
    if "@" in remainder:
        remainder, digest = remainder.split("@", 1)
        if not _DIGEST.match(digest):
            raise InvalidReference("invalid reference format")
        if digest.startswith("sha256:") and not _SHA256_DIGEST.match(digest):
            raise InvalidReference("invalid checksum digest format")
    tag = ""
    last_slash = remainder.rfind("/")
    colon = remainder.rfind(":")
    if colon > last_slash:
        remainder, tag = remainder[:colon], remainder[colon + 1:]
        if not _TAG.match(tag):
            raise InvalidReference("invalid reference format")
    if "/" in remainder and _is_domain(remainder.split("/", 1)[0]):
        domain, path = remainder.split("/", 1)
        if not _DOMAIN.match(domain):
            raise InvalidReference("invalid reference format")
    else:
        domain, path = DEFAULT_DOMAIN, remainder
    if domain == LEGACY_DEFAULT_DOMAIN:
        domain = DEFAULT_DOMAIN
    if not path:
        raise InvalidReference("invalid reference format")
    if path != path.lower():
        raise InvalidReference("invalid reference format: repository name must be lowercase")
    if not all(_PATH_COMPONENT.match(part) for part in path.split("/")):
        raise InvalidReference("invalid reference format")
    if domain == DEFAULT_DOMAIN and "/" not in path:
        path = OFFICIAL_REPO_PREFIX + path
    if len(f"{domain}/{path}") > NAME_TOTAL_LENGTH_MAX:
        raise InvalidReference(f"repository name must not be more than {NAME_TOTAL_LENGTH_MAX} characters")
    if not tag and not digest:
        tag = "latest"
    return Reference(domain=domain, path=path, tag=tag, digest=digest)


def normalize(text: str) -> str:
    """`nginx` → `docker.io/library/nginx:latest`."""
    return str(parse_reference(text))


def familiar(ref: str) -> tuple[str, str]:
    """(repository, tag) as `crictl images` shows them: docker.io/library/nginx, 1.7.9;
    a digest-only reference shows tag <none>."""
    parsed = parse_reference(ref)
    return parsed.name, parsed.tag or "<none>"
