# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Detached JWS (RFC 7515 appendix F) with HS256, as the bootstrap signer signs the
cluster-info kubeconfig: the key is the token's secret half, the header is
{"alg":"HS256","kid":"<token id>"} and the payload is left out (`header..signature`)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json

__all__ = ["sign_detached", "verify_detached"]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_detached(payload: bytes, token_id: str, token_secret: str) -> str:
    header = _b64url(json.dumps({"alg": "HS256", "kid": token_id}, separators=(",", ":")).encode())
    signing_input = f"{header}.{_b64url(payload)}".encode("ascii")
    signature = hmac.new(token_secret.encode(), signing_input, hashlib.sha256).digest()
    return f"{header}..{_b64url(signature)}"


def verify_detached(jws: str, payload: bytes, token_id: str, token_secret: str) -> bool:
    """True when `jws` is a detached HS256 signature of `payload` by this token."""
    parts = jws.strip().split(".")
    if len(parts) != 3 or parts[1] != "":
        return False
    try:
        header = json.loads(_unb64url(parts[0]))
        signature = _unb64url(parts[2])
    except (ValueError, UnicodeDecodeError):
        return False
    if not isinstance(header, dict) or header.get("alg") != "HS256" or header.get("kid") != token_id:
        return False
    signing_input = f"{parts[0]}.{_b64url(payload)}".encode("ascii")
    expected = hmac.new(token_secret.encode(), signing_input, hashlib.sha256).digest()
    return hmac.compare_digest(expected, signature)
