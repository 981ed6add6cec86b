# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""A token server for docker-registry's `auth: token` mode: the Bearer dance as Docker
Hub's auth.docker.io does it (GET realm?service=...&scope=...[&account=...], optional
Basic credentials, a JWT signed with a key whose certificate the registry trusts).

Anonymous callers get `pull` on repositories under `public/`; a known user gets pull
and push everywhere. Every request is recorded in `requests` for assertions.
"""
from __future__ import annotations

import base64
import datetime
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

SERVICE = "kybernetes-test-registry"
ISSUER = "kybernetes-test-token-issuer"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenServer:
    def __init__(self, directory: Path, users: dict[str, str]) -> None:
        self.users = users
        # refresh token -> user: what `docker login` stores as identitytoken for OAuth registries
        self.refresh_tokens = {f"refresh-token-of-{user}": user for user in users}
        self.requests: list[dict] = []
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = datetime.datetime.now(datetime.timezone.utc)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kybernetes test token signer")])
        self.certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                            .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                            .not_valid_before(now - datetime.timedelta(hours=1))
                            .not_valid_after(now + datetime.timedelta(days=1))
                            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                            .sign(self.key, hashes.SHA256()))
        self.certificate_path = Path(directory) / "token-signer.crt"
        self.certificate_path.write_bytes(self.certificate.public_bytes(serialization.Encoding.PEM))
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/token"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    # -- tokens
    def _granted(self, user: str | None, scope: str) -> list[dict]:
        access = []
        for item in scope.split(" ") if scope else []:
            kind, _, rest = item.partition(":")
            name, _, actions = rest.rpartition(":")
            wanted = [a for a in actions.split(",") if a]
            if user is not None:
                allowed = wanted
            else:
                allowed = [a for a in wanted if a == "pull" and name.startswith("public/")]
            if kind == "repository" and allowed:
                access.append({"type": kind, "name": name, "actions": allowed})
        return access

    def issue(self, user: str | None, scope: str) -> str:
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256",
                  "x5c": [base64.b64encode(self.certificate.public_bytes(serialization.Encoding.DER)).decode()]}
        claims = {"iss": ISSUER, "sub": user or "", "aud": SERVICE, "exp": now + 300, "nbf": now - 10,
                  "iat": now, "jti": uuid.uuid4().hex, "access": self._granted(user, scope)}
        signing_input = _b64url(json.dumps(header).encode()) + "." + _b64url(json.dumps(claims).encode())
        signature = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + _b64url(signature)

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                query = parse_qs(urlsplit(self.path).query)
                user = None
                header = self.headers.get("Authorization", "")
                record = {"service": query.get("service", [""])[0], "scope": query.get("scope", [""])[0],
                          "account": query.get("account", [""])[0], "basic": header.startswith("Basic ")}
                server.requests.append(record)
                if header.startswith("Basic "):
                    name, _, password = base64.b64decode(header[6:]).decode().partition(":")
                    if server.users.get(name) != password:
                        self._answer(401, {"details": "incorrect username or password"})
                        return
                    user = name
                token = server.issue(user, record["scope"])
                self._answer(200, {"token": token, "access_token": token, "expires_in": 300})

            def do_POST(self) -> None:  # noqa: N802
                """OAuth2 refresh-token grant, as clients with an identity token use it."""
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                server.requests.append({"service": form.get("service", ""), "scope": form.get("scope", ""),
                                        "account": "", "basic": False, "grant": form.get("grant_type", "")})
                user = server.refresh_tokens.get(form.get("refresh_token", ""))
                if form.get("grant_type") != "refresh_token" or user is None:
                    self._answer(401, {"details": "invalid refresh token"})
                    return
                token = server.issue(user, form.get("scope", ""))
                self._answer(200, {"access_token": token, "expires_in": 300})

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def registry_auth_section(self) -> str:
        """The `auth:` part of docker-registry's config.yml trusting this server."""
        return (f"auth:\n  token:\n    realm: {self.url}\n    service: {SERVICE}\n"
                f"    issuer: {ISSUER}\n    rootcertbundle: {self.certificate_path}\n")
