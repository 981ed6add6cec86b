# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""An HTTPS admission webhook server for tests (aiohttp in a thread of its own), with
a test CA made with `cryptography`. Its paths: /validate refuses objects labelled
bad=true (and warns about warn=true), /mutate adds the label mutated=by-webhook,
/invalidate adds a label key the API server must refuse, /reinvoke-first and
/reinvoke-second exercise reinvocationPolicy, /slow answers after 4 seconds."""
from __future__ import annotations

import asyncio
import base64
import datetime
import ipaddress
import json
import ssl
import threading
from pathlib import Path

from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


# ---------------------------------------------------------------------- certificates
def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_certificates(directory: Path, dns_names: list[str]) -> tuple[bytes, Path, Path]:
    """(CA PEM, serving cert path, serving key path); the serving cert is for 127.0.0.1
    and `dns_names`."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("webhook-test-ca"))
          .issuer_name(_name("webhook-test-ca")).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(minutes=5))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    sans = [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))] + [x509.DNSName(n) for n in dns_names]
    cert = (x509.CertificateBuilder().subject_name(_name("webhook")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    cert_path, key_path = directory / "webhook.crt", directory / "webhook.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return ca.public_bytes(serialization.Encoding.PEM), cert_path, key_path


# ---------------------------------------------------------------------- webhook server
def _labels(review: dict) -> dict:
    request = review["request"]
    obj = request.get("object") or request.get("oldObject") or {}
    return (obj.get("metadata") or {}).get("labels") or {}


def _allow(review: dict, **extra) -> dict:
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "response": {"uid": review["request"]["uid"], "allowed": True, **extra}}


def _patch(operations: list) -> dict:
    return {"patchType": "JSONPatch",
            "patch": base64.b64encode(json.dumps(operations).encode()).decode()}


def _add_label(review: dict, key: str, value: str) -> dict:
    if not _labels(review):
        return _patch([{"op": "add", "path": "/metadata/labels", "value": {key: value}}])
    return _patch([{"op": "add", "path": f"/metadata/labels/{key.replace('/', '~1')}",
                    "value": value}])


class WebhookServer:
    """An HTTPS admission webhook in a thread of its own; records every review."""

    def __init__(self, cert: Path, key: Path) -> None:
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(str(cert), str(key))
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.received: list[tuple[str, str, dict]] = []  # (path, Host header, review)
        self.port = 0
        self._runner: web.AppRunner | None = None

    def start(self) -> "WebhookServer":
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(30)
        return self

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_post("/{name}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self.context)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(30)
        self.loop.close()

    def url(self, path: str) -> str:
        return f"https://127.0.0.1:{self.port}/{path}"

    def reviews(self, path: str, name: str | None = None) -> list[dict]:
        return [r for p, _, r in list(self.received) if p == path and
                (name is None or r["request"].get("name") == name)]

    async def _handle(self, request: web.Request) -> web.Response:
        review = await request.json()
        path = request.match_info["name"]
        self.received.append((path, request.headers.get("Host", ""), review))
        labels = _labels(review)
        if path == "validate":
            warnings = ["pod is labelled warn=true"] if labels.get("warn") == "true" else []
            if labels.get("bad") == "true":
                return web.json_response({
                    "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                    "response": {"uid": review["request"]["uid"], "allowed": False,
                                 "warnings": warnings, "status": {
                                     "code": 403, "message": "pods labelled bad=true are not allowed"}}})
            if labels.get("warn") == "true":
                return web.json_response(_allow(review, warnings=["pod is labelled warn=true"],
                                                auditAnnotations={"seen": "warn"}))
            return web.json_response(_allow(review))
        if path == "mutate":
            return web.json_response(_allow(review, **_add_label(review, "mutated", "by-webhook")))
        if path == "reinvoke-first":  # marks that it saw the second webhook's label
            if labels.get("second") == "done":
                return web.json_response(_allow(review, **_add_label(review, "first-saw-second", "true")))
            return web.json_response(_allow(review))
        if path == "reinvoke-second":
            if labels.get("second") != "done":
                return web.json_response(_allow(review, **_add_label(review, "second", "done")))
            return web.json_response(_allow(review))
        if path == "invalidate":
            return web.json_response(_allow(review, **_add_label(review, "not a valid key!", "x")))
        if path == "slow":
            await asyncio.sleep(4)
            return web.json_response(_allow(review))
        return web.json_response({"error": "unknown path"}, status=404)
