# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Registry auth, pure parts: WWW-Authenticate challenges, the token request, and which
imagePullSecret credentials apply to an image (the kubelet keyring's matching)."""
from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from kybernetes.kubelet.images.auth import (Credentials, credentials_for, parse_www_authenticate,
                                            token_from_response, token_request_url)


def test_docker_hub_bearer_challenge():
    [challenge] = parse_www_authenticate(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",'
        'scope="repository:library/nginx:pull"')
    assert challenge.scheme == "bearer"
    assert challenge.params == {"realm": "https://auth.docker.io/token", "service": "registry.docker.io",
                                "scope": "repository:library/nginx:pull"}


def test_basic_and_multiple_challenges_and_escapes():
    challenges = parse_www_authenticate('Basic realm="Registry Realm", Bearer realm="https://x/t",'
                                        'error="insufficient_scope", scope="a \\"b\\""')
    assert [c.scheme for c in challenges] == ["basic", "bearer"]
    assert challenges[0].params == {"realm": "Registry Realm"}
    assert challenges[1].params["error"] == "insufficient_scope"
    assert challenges[1].params["scope"] == 'a "b"'
    assert parse_www_authenticate("bearer realm=https://unquoted/token")[0].params["realm"] == \
        "https://unquoted/token"
    assert parse_www_authenticate("") == []


def test_token_request_url():
    [challenge] = parse_www_authenticate('Bearer realm="https://auth.docker.io/token",service="registry.docker.io"')
    url = token_request_url(challenge, "repository:library/nginx:pull", Credentials("alice", "pw"))
    parts = urlsplit(url)
    assert parts.netloc == "auth.docker.io" and parts.path == "/token"
    assert parse_qs(parts.query) == {"service": ["registry.docker.io"],
                                     "scope": ["repository:library/nginx:pull"], "account": ["alice"]}
    # the registry's own scope wins over ours; anonymous sends no account
    [challenge] = parse_www_authenticate('Bearer realm="https://t/x?a=1",scope="repository:other:pull"')
    assert parse_qs(urlsplit(token_request_url(challenge, "repository:mine:pull", None)).query) == \
        {"a": ["1"], "scope": ["repository:other:pull"]}


def test_token_response_forms():
    assert token_from_response(b'{"token": "t1", "expires_in": 300}') == "t1"
    assert token_from_response(b'{"access_token": "t2"}') == "t2"
    with pytest.raises(ValueError):
        token_from_response(b"{}")


def _dockerconfigjson(auths: dict) -> dict:
    payload = base64.b64encode(json.dumps({"auths": auths}).encode()).decode()
    return {"type": "kubernetes.io/dockerconfigjson", "data": {".dockerconfigjson": payload}}


def _auth(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


def test_dockerconfigjson_matching_rules():
    secret = _dockerconfigjson({
        "https://index.docker.io/v1/": {"auth": _auth("hub", "h")},
        "registry.example.com:5000": {"username": "port", "password": "p"},
        "*.example.org": {"auth": _auth("wild", "w")},
        "quay.io/team": {"auth": _auth("team", "t")},
        "quay.io": {"auth": _auth("quay", "q")},
    })
    assert credentials_for("docker.io/library/nginx", [secret]) == [Credentials("hub", "h")]
    assert credentials_for("registry.example.com:5000/app", [secret]) == [Credentials("port", "p")]
    assert credentials_for("registry.example.com/app", [secret]) == []  # ports must match
    assert credentials_for("a.example.org/app", [secret]) == [Credentials("wild", "w")]
    assert credentials_for("a.b.example.org/app", [secret]) == []  # * is one label
    # the longer (more specific) key first, then the rest: the kubelet tries them in turn
    assert credentials_for("quay.io/team/app", [secret]) == [Credentials("team", "t"), Credentials("quay", "q")]
    assert credentials_for("quay.io/teams/app", [secret]) == [Credentials("quay", "q")]


def test_legacy_dockercfg_and_other_secrets():
    legacy = {"type": "kubernetes.io/dockercfg",
              "data": {".dockercfg": base64.b64encode(json.dumps(
                  {"127.0.0.1:5000": {"auth": _auth("old", "o")}}).encode()).decode()}}
    opaque = {"type": "Opaque", "data": {".dockerconfigjson": "e30="}}
    broken = {"type": "kubernetes.io/dockerconfigjson", "data": {".dockerconfigjson": "!!"}}
    assert credentials_for("127.0.0.1:5000/x", [opaque, broken, legacy]) == [Credentials("old", "o")]


def test_docker_io_key_forms():
    for key in ("docker.io", "https://index.docker.io/v1/", "registry-1.docker.io", "index.docker.io"):
        secret = _dockerconfigjson({key: {"auth": _auth("u", "p")}})
        assert credentials_for("docker.io/library/busybox", [secret]) == [Credentials("u", "p")], key
    assert credentials_for("docker.io/library/busybox",
                           [_dockerconfigjson({"docker.io/someone": {"auth": _auth("u", "p")}})]) == []
