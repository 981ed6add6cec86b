# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The CSR signing controller: signs approved CertificateSigningRequests for the
kubernetes.io/kube-apiserver-client, kube-apiserver-client-kubelet and kubelet-serving
signers with the cluster CA (--cluster-signing-cert-file/--cluster-signing-key-file,
default the data dir's pki/ca.crt and ca.key), after checking the request against the
signer's rules; a request that breaks them gets a Failed condition, as upstream."""
from __future__ import annotations

import base64
import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from kybernetes.apiserver.errors import ApiError
from kybernetes.client.rest import resource
from kybernetes.controllers.base import Controller

CSRS = resource("certificatesigningrequests.certificates.k8s.io")
KUBE_APISERVER_CLIENT = "kubernetes.io/kube-apiserver-client"
KUBELET_CLIENT = "kubernetes.io/kube-apiserver-client-kubelet"
KUBELET_SERVING = "kubernetes.io/kubelet-serving"
SIGNERS = (KUBE_APISERVER_CLIENT, KUBELET_CLIENT, KUBELET_SERVING)
NODE_GROUP = "system:nodes"
NODE_PREFIX = "system:node:"
DEFAULT_DURATION = datetime.timedelta(days=365)  # --cluster-signing-duration
MIN_EXPIRATION_SECONDS = 600
BACKDATE = datetime.timedelta(minutes=5)

# signer -> (usages a request may ask for, usages it must ask for)
_USAGES = {
    KUBE_APISERVER_CLIENT: ({"digital signature", "key encipherment", "client auth"}, {"client auth"}),
    KUBELET_CLIENT: ({"digital signature", "key encipherment", "client auth"},
                     {"digital signature", "client auth"}),
    KUBELET_SERVING: ({"digital signature", "key encipherment", "server auth"},
                      {"digital signature", "server auth"}),
}


class InvalidRequest(ValueError):
    """The request breaks its signer's rules."""


def load_request(spec: dict) -> x509.CertificateSigningRequest:
    """The parsed PKCS#10 request of a CSR's spec.request (base64 of PEM)."""
    try:
        pem = base64.b64decode(spec.get("request") or "")
        request = x509.load_pem_x509_csr(pem)
    except ValueError as exc:
        raise InvalidRequest(f"unable to parse csr: {exc}") from None
    if not request.is_signature_valid:
        raise InvalidRequest("the request's signature is invalid")
    return request


def subject_of(request: x509.CertificateSigningRequest) -> tuple[str, list[str]]:
    cn = [a.value for a in request.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    orgs = [a.value for a in request.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
    return (cn[0] if cn else ""), orgs


def _sans(request: x509.CertificateSigningRequest) -> x509.SubjectAlternativeName | None:
    try:
        return request.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None


def validate(signer: str, request: x509.CertificateSigningRequest, usages: list[str]) -> None:
    """Raise InvalidRequest when the signer must not sign this request."""
    if signer not in SIGNERS:
        raise InvalidRequest(f"signer {signer} is not handled by this controller")
    allowed, required = _USAGES[signer]
    extra = sorted(set(usages) - allowed)
    if extra:
        raise InvalidRequest(f"usages not allowed for {signer}: {', '.join(extra)}")
    if not required <= set(usages):
        raise InvalidRequest(f"{signer} requires the usages {', '.join(sorted(required))}")
    cn, orgs = subject_of(request)
    sans = _sans(request)
    if signer == KUBE_APISERVER_CLIENT:
        if not cn:
            raise InvalidRequest("the subject's common name must not be empty")
        return
    if orgs != [NODE_GROUP]:
        raise InvalidRequest(f"subject organization is not {NODE_GROUP}")
    if not cn.startswith(NODE_PREFIX) or cn == NODE_PREFIX:
        raise InvalidRequest(f'subject common name does not begin with "{NODE_PREFIX}"')
    if signer == KUBELET_CLIENT:
        if sans is not None and len(list(sans)):
            raise InvalidRequest("subjectAltNames are not allowed for kubelet client certificates")
        return
    if sans is None or not (sans.get_values_for_type(x509.DNSName) or sans.get_values_for_type(x509.IPAddress)):
        raise InvalidRequest("a kubelet serving certificate needs at least one DNS or IP subjectAltName")
    if sans.get_values_for_type(x509.RFC822Name) or sans.get_values_for_type(x509.UniformResourceIdentifier):
        raise InvalidRequest("email and URI subjectAltNames are not allowed for kubelet serving certificates")


def duration(spec: dict, maximum: datetime.timedelta = DEFAULT_DURATION) -> datetime.timedelta:
    """spec.expirationSeconds honoured within [10 minutes, the signing duration]."""
    seconds = spec.get("expirationSeconds")
    if not seconds:
        return maximum
    return min(maximum, datetime.timedelta(seconds=max(int(seconds), MIN_EXPIRATION_SECONDS)))


_KEY_USAGE_FLAGS = {"digital signature": "digital_signature", "key encipherment": "key_encipherment"}
_EKU = {"client auth": ExtendedKeyUsageOID.CLIENT_AUTH, "server auth": ExtendedKeyUsageOID.SERVER_AUTH}


def sign(request: x509.CertificateSigningRequest, usages: list[str], ca_cert: x509.Certificate,
         ca_key, lifetime: datetime.timedelta, now: datetime.datetime) -> bytes:
    """The PEM certificate for the request (its subject and SANs, the asked usages)."""
    flags = {name: False for name in ("digital_signature", "content_commitment", "key_encipherment",
                                      "data_encipherment", "key_agreement", "key_cert_sign",
                                      "crl_sign", "encipher_only", "decipher_only")}
    for usage in usages:
        if usage in _KEY_USAGE_FLAGS:
            flags[_KEY_USAGE_FLAGS[usage]] = True
    not_after = min(now + lifetime, ca_cert.not_valid_after_utc)
    builder = (x509.CertificateBuilder()
               .subject_name(request.subject).issuer_name(ca_cert.subject)
               .public_key(request.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - BACKDATE).not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(**flags), critical=True)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                              critical=False))
    ekus = [_EKU[u] for u in usages if u in _EKU]
    if ekus:
        builder = builder.add_extension(x509.ExtendedKeyUsage(ekus), critical=False)
    sans = _sans(request)
    if sans is not None and len(list(sans)):
        builder = builder.add_extension(sans, critical=False)
    return builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


def _condition(csr: dict, kind: str) -> bool:
    return any(c.get("type") == kind and c.get("status", "True") == "True"
               for c in (csr.get("status") or {}).get("conditions") or [])


def needs_signing(csr: dict) -> bool:
    return (_condition(csr, "Approved") and not _condition(csr, "Denied")
            and not _condition(csr, "Failed") and not (csr.get("status") or {}).get("certificate")
            and (csr.get("spec") or {}).get("signerName") in SIGNERS)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _timestamp(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class CSRSigningController(Controller):
    name = "csrsigning"

    def setup(self) -> None:
        self.csrs = self.informer(CSRS)
        self.enqueue_on_change(self.csrs)
        self._ca: tuple[float, x509.Certificate, object] | None = None

    def _signing_files(self) -> tuple[Path, Path] | None:
        cert, key = self.options.cluster_signing_cert_file, self.options.cluster_signing_key_file
        if cert and key:
            return Path(cert), Path(key)
        if self.options.data_dir is not None:
            pki = Path(self.options.data_dir) / "pki"
            if (pki / "ca.key").is_file():
                return pki / "ca.crt", pki / "ca.key"
        return None

    def _load_ca(self):
        files = self._signing_files()
        if files is None:
            return None
        mtime = max(files[0].stat().st_mtime, files[1].stat().st_mtime)
        if self._ca is None or self._ca[0] != mtime:  # reload after rotation
            cert = x509.load_pem_x509_certificate(files[0].read_bytes())
            key = serialization.load_pem_private_key(files[1].read_bytes(), password=None)
            self._ca = (mtime, cert, key)
        return self._ca[1], self._ca[2]

    async def reconcile(self, key: str) -> None:
        csr = self.csrs.get(key)
        if csr is None or not needs_signing(csr):
            return
        ca = self._load_ca()
        if ca is None:
            self.log.warning("no --cluster-signing-cert-file/--cluster-signing-key-file: cannot sign %s", key)
            return
        spec = csr.get("spec") or {}
        status = dict(csr.get("status") or {})
        try:
            request = load_request(spec)
            validate(spec["signerName"], request, list(spec.get("usages") or []))
            status["certificate"] = base64.b64encode(
                sign(request, list(spec.get("usages") or []), ca[0], ca[1], duration(spec, datetime.timedelta(
                    seconds=self.options.cluster_signing_duration)), _now())).decode()
        except InvalidRequest as exc:
            now = _timestamp(_now())
            status["conditions"] = [*(status.get("conditions") or []), {
                "type": "Failed", "status": "True", "reason": "SignerValidationFailure",
                "message": str(exc), "lastUpdateTime": now, "lastTransitionTime": now}]
        try:
            await self.client.update_status(CSRS, {**csr, "status": status})
        except ApiError as exc:
            if exc.code == 404:
                return
            raise


CONTROLLERS = [CSRSigningController]
