# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""JSON Web Tokens (RFC 7519) in the compact JWS form service-account tokens use.

RS256 for RSA keys and ES256 for P-256 keys, chosen from the signing key as upstream's
token generator does; `kid` is the unpadded base64url SHA-256 of the public key's DER
SubjectPublicKeyInfo, as kube-apiserver names its keys. Pure: no clock, no I/O.
"""
from __future__ import annotations

import base64
import hashlib
import re

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (decode_dss_signature,
                                                             encode_dss_signature)
from cryptography import x509

__all__ = ["JWTError", "b64url_encode", "b64url_decode", "key_id", "sign", "verify",
           "unverified_claims", "load_public_keys", "load_private_key"]


class JWTError(Exception):
    """The token is malformed or its signature does not verify."""


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise JWTError("invalid base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _algorithm(key) -> str:
    if isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        return "RS256"
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)) and \
            isinstance(key.curve, ec.SECP256R1):
        return "ES256"
    raise JWTError(f"unsupported key type {type(key).__name__} (RSA or EC P-256 only)")


def key_id(public_key) -> str:
    der = public_key.public_bytes(serialization.Encoding.DER,
                                  serialization.PublicFormat.SubjectPublicKeyInfo)
    return b64url_encode(hashlib.sha256(der).digest())


def sign(claims: dict, private_key) -> str:
    """The compact JWS of `claims` signed with `private_key` (RSA → RS256, P-256 → ES256)."""
    alg = _algorithm(private_key)
    header = {"alg": alg, "kid": key_id(private_key.public_key())}
    signing_input = (b64url_encode(orjson.dumps(header)) + "." +
                     b64url_encode(orjson.dumps(claims))).encode()
    if alg == "RS256":
        signature = private_key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    else:
        r, s = decode_dss_signature(private_key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")  # JWS wants raw R || S
    return signing_input.decode() + "." + b64url_encode(signature)


def _split(token: str) -> tuple[dict, dict, bytes, bytes]:
    parts = token.split(".")
    if len(parts) != 3:
        raise JWTError("not a compact JWS (three dot-separated parts)")
    try:
        header = orjson.loads(b64url_decode(parts[0]))
        claims = orjson.loads(b64url_decode(parts[1]))
        signature = b64url_decode(parts[2])
    except (ValueError, orjson.JSONDecodeError) as exc:
        raise JWTError(f"malformed token: {exc}") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise JWTError("malformed token: header and claims must be JSON objects")
    return header, claims, (parts[0] + "." + parts[1]).encode(), signature


def looks_like_jwt(token: str) -> bool:
    """Cheap check before trying signatures, as upstream's JWT authenticator does."""
    try:
        header, _, _, _ = _split(token)
    except JWTError:
        return False
    return isinstance(header.get("alg"), str)


def unverified_claims(token: str) -> dict:
    """The claims, without checking the signature (to pick the issuer's validator)."""
    return _split(token)[1]


def _verifies(alg: str, key, signing_input: bytes, signature: bytes) -> bool:
    try:
        if alg == "RS256" and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
            return True
        if alg == "ES256" and isinstance(key, ec.EllipticCurvePublicKey) and len(signature) == 64:
            der = encode_dss_signature(int.from_bytes(signature[:32], "big"),
                                       int.from_bytes(signature[32:], "big"))
            key.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
            return True
    except InvalidSignature:
        return False
    return False


def verify(token: str, public_keys: list) -> dict:
    """The claims of a token whose signature one of `public_keys` verifies; JWTError otherwise."""
    header, claims, signing_input, signature = _split(token)
    alg = header.get("alg")
    if alg not in ("RS256", "ES256"):
        raise JWTError(f"unsupported signing algorithm {alg!r}")
    kid = header.get("kid")
    candidates = [k for k in public_keys if kid and key_id(k) == kid] or public_keys
    for key in candidates:
        if _verifies(alg, key, signing_input, signature):
            return claims
    raise JWTError("invalid signature")


_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z ]+)-----.+?-----END \1-----", re.S)


def load_public_keys(pem: bytes) -> list:
    """Every public key in a PEM bundle: public keys, private keys (their public half) and
    certificates, as --service-account-key-file accepts them."""
    keys = []
    for match in _PEM_BLOCK.finditer(pem):
        block, kind = match.group(0), match.group(1)
        if kind == b"CERTIFICATE":
            keys.append(x509.load_pem_x509_certificate(block).public_key())
        elif kind.endswith(b"PRIVATE KEY"):
            keys.append(serialization.load_pem_private_key(block, password=None).public_key())
        elif kind.endswith(b"PUBLIC KEY"):
            keys.append(serialization.load_pem_public_key(block))
    for key in keys:
        _algorithm(key)
    return keys


def load_private_key(pem: bytes):
    """The first private key of a PEM file (--service-account-signing-key-file)."""
    for match in _PEM_BLOCK.finditer(pem):
        if match.group(1).endswith(b"PRIVATE KEY"):
            key = serialization.load_pem_private_key(match.group(0), password=None)
            _algorithm(key)
            return key
    raise JWTError("no private key in the file")
