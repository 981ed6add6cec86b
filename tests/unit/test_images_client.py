# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The distribution client's wording: errors read as containerd's (Go's dial and x509
messages), and digests are checked."""
from __future__ import annotations

import socket

import aiohttp
import pytest
from aiohttp.client_reqrep import ConnectionKey

from kybernetes.kubelet.images.client import (RegistryError, _connection_reason, _server_message,
                                              verify_digest)


def _key(host: str, port: int) -> ConnectionKey:
    return ConnectionKey(host, port, port == 443, True, None, None, None)


def test_dial_errors_in_go_words():
    refused = aiohttp.ClientConnectorError(_key("127.0.0.1", 5000), ConnectionRefusedError(111, "refused"))
    assert _connection_reason("http://127.0.0.1:5000/v2/x/manifests/1", "GET", refused) == (
        'failed to do request: Get "http://127.0.0.1:5000/v2/x/manifests/1": '
        "dial tcp 127.0.0.1:5000: connect: connection refused")
    unknown = aiohttp.ClientConnectorError(_key("registry-1.docker.io", 443),
                                           socket.gaierror(-2, "Name or service not known"))
    assert _connection_reason("https://registry-1.docker.io/v2/", "GET", unknown).endswith(
        "dial tcp: lookup registry-1.docker.io: no such host")


def test_server_message():
    body = b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{}}]}'
    assert _server_message(body) == "MANIFEST_UNKNOWN: manifest unknown"
    assert _server_message(b"<html>") == ""
    assert _server_message(b'["x"]') == ""


def test_verify_digest():
    verify_digest("sha256:" + "a" * 64, "a" * 64)
    with pytest.raises(RegistryError, match="digest mismatch"):
        verify_digest("sha256:" + "a" * 64, "b" * 64)
    with pytest.raises(RegistryError, match="unsupported digest algorithm"):
        verify_digest("sha512:" + "a" * 128, "a" * 64)
