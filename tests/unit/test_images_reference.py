# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Image reference parsing and normalization (docker.io/library defaults, tags, digests,
registries with ports), as Docker and containerd read them."""
from __future__ import annotations

import pytest

from kybernetes.kubelet.images.reference import InvalidReference, familiar, normalize, parse_reference

DIGEST = "sha256:" + "ab" * 32


@pytest.mark.parametrize("text, expected", [
    ("nginx", "docker.io/library/nginx:latest"),
    ("nginx:1.7.9", "docker.io/library/nginx:1.7.9"),
    ("library/busybox:1.28", "docker.io/library/busybox:1.28"),
    ("bitnami/redis", "docker.io/bitnami/redis:latest"),
    ("docker.io/nginx", "docker.io/library/nginx:latest"),
    ("index.docker.io/library/nginx:1", "docker.io/library/nginx:1"),
    ("localhost:5000/x", "localhost:5000/x:latest"),
    ("localhost/x:2", "localhost/x:2"),
    ("127.0.0.1:5000/team/app:v1.2", "127.0.0.1:5000/team/app:v1.2"),
    ("registry.k8s.io/pause:3.9", "registry.k8s.io/pause:3.9"),
    ("k8s.gcr.io/test-webserver", "k8s.gcr.io/test-webserver:latest"),
    (f"nginx@{DIGEST}", f"docker.io/library/nginx@{DIGEST}"),
    (f"nginx:1.7.9@{DIGEST}", f"docker.io/library/nginx:1.7.9@{DIGEST}"),
    ("myhost/app", "docker.io/myhost/app:latest"),  # no dot, no port: a Docker Hub user
    ("a.b-c.example/e__f.g", "a.b-c.example/e__f.g:latest"),
    ("Registry.Example.com/app", "Registry.Example.com/app:latest"),
])
def test_normalize(text, expected):
    assert normalize(text) == expected


def test_parts_and_api_host():
    ref = parse_reference("nginx:1.7.9")
    assert (ref.domain, ref.path, ref.tag, ref.digest) == ("docker.io", "library/nginx", "1.7.9", "")
    assert ref.api_host == "registry-1.docker.io"
    assert ref.object == "1.7.9"
    pinned = parse_reference(f"localhost:5000/x@{DIGEST}")
    assert pinned.api_host == "localhost:5000"
    assert pinned.object == DIGEST and pinned.tag == ""
    assert pinned.with_digest(DIGEST) == f"localhost:5000/x@{DIGEST}"


@pytest.mark.parametrize("text, message", [
    ("", "invalid reference format"),
    ("Nginx", "invalid reference format: repository name must be lowercase"),
    ("nginx:", "invalid reference format"),
    ("nginx:-bad", "invalid reference format"),
    ("nginx@sha256:123", "invalid reference format"),
    ("nginx@sha256:" + "g" * 64, "invalid checksum digest format"),
    ("foo//bar", "invalid reference format"),
    ("foo/-bar", "invalid reference format"),
    (" nginx", "invalid reference format"),
    ("<image", "invalid reference format"),
])
def test_invalid(text, message):
    with pytest.raises(InvalidReference) as info:
        parse_reference(text)
    assert str(info.value) == message


def test_familiar_columns():
    assert familiar("nginx:1.7.9") == ("docker.io/library/nginx", "1.7.9")
    assert familiar(f"nginx@{DIGEST}") == ("docker.io/library/nginx", "<none>")
