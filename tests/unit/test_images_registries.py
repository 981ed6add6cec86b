# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""registries.yaml in k3s's format: mirrors in order then the registry, per-host auth and
TLS, and the errors a bad file gets."""
from __future__ import annotations

import pytest

from kybernetes.kubelet.images.auth import Credentials
from kybernetes.kubelet.images.registries import RegistriesConfig, RegistriesConfigError

K3S_EXAMPLE = """\
mirrors:
  docker.io:
    endpoint:
      - "http://127.0.0.1:5000"
      - "https://mirror.example.com/v2/"
  "*":
    endpoint: ["https://everything.example.com"]
configs:
  "127.0.0.1:5000":
    auth:
      username: alice
      password: secret
  "mirror.example.com":
    auth:
      auth: Ym9iOnB3
    tls:
      ca_file: /etc/ssl/mirror-ca.pem
      insecure_skip_verify: true
"""


def test_missing_file_is_defaults(tmp_path):
    config = RegistriesConfig.load(tmp_path / "registries.yaml")
    assert config.mirrors == {} and config.configs == {}
    assert [e.url for e in config.endpoints("docker.io")] == ["https://registry-1.docker.io"]
    assert [e.url for e in config.endpoints("quay.io")] == ["https://quay.io"]
    # loopback registries are spoken to over plain HTTP, as containerd does
    assert [e.url for e in config.endpoints("localhost:5000")] == ["http://localhost:5000"]
    assert [e.url for e in config.endpoints("127.0.0.1:5000")] == ["http://127.0.0.1:5000"]


def test_k3s_file(tmp_path):
    path = tmp_path / "registries.yaml"
    path.write_text(K3S_EXAMPLE)
    config = RegistriesConfig.load(path)
    endpoints = config.endpoints("docker.io")
    assert [(e.url, e.host, e.is_mirror) for e in endpoints] == [
        ("http://127.0.0.1:5000", "127.0.0.1:5000", True),
        ("https://mirror.example.com", "mirror.example.com", True),
        ("https://registry-1.docker.io", "registry-1.docker.io", False)]
    assert endpoints[0].api == "http://127.0.0.1:5000/v2"
    # a registry without mirrors of its own uses the "*" mirror, then itself
    assert [e.url for e in config.endpoints("quay.io")] == ["https://everything.example.com", "https://quay.io"]
    assert config.host_config("127.0.0.1:5000").credentials == Credentials("alice", "secret")
    mirror = config.host_config("mirror.example.com")
    assert mirror.credentials == Credentials("bob", "pw")
    assert mirror.tls.ca_file == "/etc/ssl/mirror-ca.pem" and mirror.tls.insecure_skip_verify
    assert config.host_config("elsewhere").credentials is None


def test_disable_default_endpoint(tmp_path):
    path = tmp_path / "registries.yaml"
    path.write_text(K3S_EXAMPLE)
    config = RegistriesConfig.load(path, disable_default_endpoint=True)
    assert [e.url for e in config.endpoints("docker.io")] == ["http://127.0.0.1:5000", "https://mirror.example.com"]
    # no mirror at all: the registry itself is still the way
    assert [e.url for e in RegistriesConfig(disable_default_endpoint=True).endpoints("quay.io")] == ["https://quay.io"]


@pytest.mark.parametrize("text, message", [
    ("mirrors: [1, 2]", "mirrors"),
    ("mirrors:\n  docker.io:\n    endpoint: http://x\n", "mirrors.docker.io.endpoint must be a list"),
    ("configs:\n  x: 3\n", "configs.x must be a mapping"),
    ("configs:\n  x:\n    auth:\n      auth: '%%%'\n", "configs.x.auth.auth is not base64"),
    ("mirrors: {\n", "not valid YAML"),
    ("- a\n- b\n", "expected a mapping"),
])
def test_bad_files(tmp_path, text, message):
    path = tmp_path / "registries.yaml"
    path.write_text(text)
    with pytest.raises(RegistriesConfigError) as info:
        RegistriesConfig.load(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)
