# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""x509 client certificates: CN is the user, each O a group, verified against the
--client-ca-file bundle by the authenticator (not by the TLS handshake), so that an
expired or foreign certificate gets 401 Unauthorized as from kube-apiserver, whose TLS
layer only requests a certificate and leaves verification to this step."""
from __future__ import annotations

import copy
import ctypes
import datetime
import logging
import ssl
from collections import OrderedDict

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from kybernetes.apiserver.authn import AuthenticationError, make_user, with_authenticated_group

log = logging.getLogger("kybernetes.apiserver.authn")


CREDENTIAL_ID = "authentication.kubernetes.io/credential-id"


def user_from_certificate(cert: x509.Certificate) -> dict:
    """CN is the user, each O a group; the credential id is the certificate's SHA-256
    fingerprint (`X509SHA256=<hex>`), as kube-apiserver 1.32 records it."""
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    groups = [str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
    fingerprint = "X509SHA256=" + cert.fingerprint(hashes.SHA256()).hex()
    return with_authenticated_group(make_user(str(names[0].value) if names else "", groups,
                                              extra={CREDENTIAL_ID: [fingerprint]}))


def user_from_peercert(peercert: dict | None) -> dict | None:
    """The user named by an already verified certificate in ssl's dict form, or None."""
    if not peercert:
        return None
    name, groups = "", []
    for rdn in peercert.get("subject", ()):
        for key, value in rdn:
            if key == "commonName" and not name:
                name = value
            elif key == "organizationName":
                groups.append(value)
    return with_authenticated_group(make_user(name, groups)) if name else None


class ClientCertificateAuthenticator:
    # verified certificates remembered, as upstream's verify cache: every request on a
    # connection presents the same certificate, and a signature check per request is waste
    CACHE_SIZE = 1024

    def __init__(self, ca_bundle_pem: bytes) -> None:
        self.cas = x509.load_pem_x509_certificates(ca_bundle_pem)
        self._verified: OrderedDict[bytes, tuple[dict, datetime.datetime, datetime.datetime]] = \
            OrderedDict()

    def authenticate(self, der: bytes, now: datetime.datetime | None = None) -> dict | None:
        """The user of a DER client certificate; AuthenticationError when it is not
        signed by a client CA, is outside its validity period or not for client auth;
        None (no opinion, as upstream) for a valid one without a common name."""
        now = now or datetime.datetime.now(datetime.timezone.utc)
        known = self._verified.get(der)
        if known is not None and known[1] <= now <= known[2]:
            self._verified.move_to_end(der)
            return copy.deepcopy(known[0])
        user, cert = self._verify(der, now)
        self._verified[der] = (user, cert.not_valid_before_utc, cert.not_valid_after_utc)
        if len(self._verified) > self.CACHE_SIZE:
            self._verified.popitem(last=False)
        return copy.deepcopy(user)

    def _verify(self, der: bytes, now: datetime.datetime) -> tuple[dict | None, x509.Certificate]:
        try:
            cert = x509.load_der_x509_certificate(der)
        except ValueError:
            raise AuthenticationError("x509: malformed certificate") from None
        if now > cert.not_valid_after_utc:
            raise AuthenticationError(
                f"x509: certificate has expired or is not yet valid: current time "
                f"{now:%Y-%m-%dT%H:%M:%SZ} is after {cert.not_valid_after_utc:%Y-%m-%dT%H:%M:%SZ}")
        if now < cert.not_valid_before_utc:
            raise AuthenticationError(
                f"x509: certificate has expired or is not yet valid: current time "
                f"{now:%Y-%m-%dT%H:%M:%SZ} is before {cert.not_valid_before_utc:%Y-%m-%dT%H:%M:%SZ}")
        if not any(_issued_by(cert, ca, now) for ca in self.cas):
            raise AuthenticationError("x509: certificate signed by unknown authority")
        try:
            usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
            if ExtendedKeyUsageOID.CLIENT_AUTH not in usages and \
                    ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE not in usages:
                raise AuthenticationError("x509: certificate specifies an incompatible key usage")
        except x509.ExtensionNotFound:
            pass
        user = user_from_certificate(cert)
        return (user if user["name"] else None), cert


def _issued_by(cert: x509.Certificate, ca: x509.Certificate, now: datetime.datetime) -> bool:
    if not ca.not_valid_before_utc <= now <= ca.not_valid_after_utc:
        return False
    try:
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


# --- asking for a client certificate without failing the handshake on it ---------------
# Python's ssl has no verification callback: with CERT_OPTIONAL a bad certificate aborts
# the handshake with a TLS alert instead of the 401 clients expect. OpenSSL keeps a
# callback set on the SSL_CTX when ssl sets the verify mode, so one that accepts every
# chain is installed through libssl; the certificate is then checked above.
_SSL_VERIFY_PEER = 0x01
_VERIFY_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_void_p)


@_VERIFY_CALLBACK  # module level: OpenSSL keeps calling it for the process's life
def _accept_any_chain(preverify_ok: int, store_ctx: int) -> int:
    return 1


def request_client_certificates(context: ssl.SSLContext) -> bool:
    """Make `context` request a client certificate and hand it over unverified. False
    (and CERT_OPTIONAL verification kept) when libssl cannot be reached safely."""
    context.verify_mode = ssl.CERT_OPTIONAL
    try:
        import _ssl
        # symbols looked up through the _ssl module resolve to the very libssl it uses
        libssl = ctypes.CDLL(_ssl.__file__)
        libssl.SSL_CTX_get_verify_mode.argtypes = [ctypes.c_void_p]
        libssl.SSL_CTX_get_verify_mode.restype = ctypes.c_int
        libssl.SSL_CTX_set_verify.argtypes = [ctypes.c_void_p, ctypes.c_int, _VERIFY_CALLBACK]
        libssl.SSL_CTX_set_verify.restype = None
        # the SSL_CTX* is the first field after the object header of CPython's SSLContext
        ctx_pointer = ctypes.c_void_p.from_address(id(context) + object.__basicsize__).value
        if not ctx_pointer or libssl.SSL_CTX_get_verify_mode(ctx_pointer) != _SSL_VERIFY_PEER:
            raise OSError("unexpected SSLContext layout")
        context.verify_mode = ssl.CERT_REQUIRED  # probe: the mode must follow
        if libssl.SSL_CTX_get_verify_mode(ctx_pointer) != 0x03:
            raise OSError("unexpected SSLContext layout")
        context.verify_mode = ssl.CERT_OPTIONAL
        libssl.SSL_CTX_set_verify(ctx_pointer, _SSL_VERIFY_PEER, _accept_any_chain)
        return True
    except (OSError, AttributeError) as exc:
        context.verify_mode = ssl.CERT_OPTIONAL
        log.warning("client certificates are verified during the TLS handshake (%s): a bad "
                    "certificate gets a TLS alert rather than 401", exc)
        return False
