# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Kubelet client-certificate rotation (the kubelet's certificate manager with
RotateCertificates on, as kubeadm configures it).

The current pair lives in `<root-dir>/pki/kubelet-client-<timestamp>.pem` (certificate
and key in one file) behind the symlink `kubelet-client-current.pem`, which the
kubelet's kubeconfig names as both client-certificate and client-key. When 70-90%
(jittered) of the certificate's lifetime has passed, the kubelet asks for a new one
with a CertificateSigningRequest made with its current certificate (the csrapproving
controller approves a node renewing its own: selfnodeclient), stores it, and switches
its client to it without restarting; connections made with the old certificate are
closed, as upstream's kubelet closes them.
"""
from __future__ import annotations

import asyncio
import base64
import datetime
import logging
import os
import random
import ssl
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import yaml
from cryptography import x509

log = logging.getLogger("kybernetes.kubelet.certrotation")
CURRENT_NAME = "kubelet-client-current.pem"
FILE_PREFIX = "kubelet-client-"
KUBELET_CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet"
# never ask again sooner than this after a rotation: a certificate shorter than the
# signer's 5-minute backdate would otherwise be renewed in a tight loop
MIN_ROTATION_INTERVAL = 5.0
RETRY_INITIAL, RETRY_MAX = 1.0, 60.0  # backoff after a failed request
POLL_INTERVAL = 0.5
CERTIFICATE_WAIT_TIMEOUT = 15 * 60.0  # upstream's wait for a CSR to be signed
OLD_SESSION_GRACE = 5.0


# ------------------------------------------------------------------ pure
def rotation_deadline(not_before: float, not_after: float, jitter: float) -> float:
    """When to renew: 70% of the lifetime plus up to 20% more by `jitter` in [0, 1)
    (upstream's jittery deadline, 70-90% of NotBefore..NotAfter)."""
    total = max(0.0, not_after - not_before)
    return not_before + total * (0.7 + 0.2 * jitter)


def certificate_times(cert_pem: bytes) -> tuple[float, float, int]:
    """(notBefore, notAfter) as epoch seconds, and the serial number, of the first
    certificate in a PEM bundle."""
    cert = x509.load_pem_x509_certificate(cert_pem)
    return (cert.not_valid_before_utc.timestamp(), cert.not_valid_after_utc.timestamp(),
            cert.serial_number)


def split_pem(bundle: bytes) -> tuple[bytes, bytes]:
    """(certificate PEM, key PEM) of a kubelet-client-*.pem file."""
    certs, keys, current, kind = [], [], [], None
    for line in bundle.splitlines(keepends=True):
        if line.startswith(b"-----BEGIN "):
            kind = "cert" if b"CERTIFICATE" in line else "key"
            current = [line]
            continue
        if kind is None:
            continue
        current.append(line)
        if line.startswith(b"-----END "):
            (certs if kind == "cert" else keys).append(b"".join(current))
            kind = None
    if not certs or not keys:
        raise ValueError("the file needs a certificate and a private key")
    return b"".join(certs), keys[0]


def pem_file_name(now: datetime.datetime) -> str:
    return f"{FILE_PREFIX}{now.strftime('%Y-%m-%d-%H-%M-%S')}.pem"


def rotation_csr(csr_pem: bytes) -> dict:
    return {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
            "metadata": {"generateName": "csr-"},
            "spec": {"request": base64.b64encode(csr_pem).decode(), "signerName": KUBELET_CLIENT_SIGNER,
                     "usages": ["digital signature", "client auth"]}}


def kubeconfig_with_cert_file(server: str | list[str], ca_pem: bytes, pem_path: Path,
                              extensions: list | None = None) -> str:
    """The kubelet's kubeconfig naming the rotating pem file (kubeadm's kubelet.conf)."""
    cluster: dict = {"server": server if isinstance(server, str) else server[0],
                     "certificate-authority-data": base64.b64encode(ca_pem).decode()}
    if extensions:
        cluster["extensions"] = extensions
    return yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "default-cluster", "cluster": cluster}],
        "users": [{"name": "default-auth", "user": {"client-certificate": str(pem_path),
                                                    "client-key": str(pem_path)}}],
        "contexts": [{"name": "default-context", "context": {
            "cluster": "default-cluster", "user": "default-auth", "namespace": "default"}}],
        "current-context": "default-context", "preferences": {}}, sort_keys=False)


# ------------------------------------------------------------------ the store on disk
class CertificateStore:
    """`<pki_dir>/kubelet-client-<time>.pem` files and the `-current` symlink."""

    def __init__(self, pki_dir: str | os.PathLike) -> None:
        self.dir = Path(pki_dir)
        self.current = self.dir / CURRENT_NAME

    def load(self) -> tuple[bytes, bytes] | None:
        try:
            return split_pem(self.current.read_bytes())
        except (FileNotFoundError, ValueError):
            return None

    def update(self, cert_pem: bytes, key_pem: bytes, now: datetime.datetime | None = None) -> Path:
        """Write a new pem file and point the symlink at it (atomically: a new link renamed)."""
        from kybernetes.pki.certs import write_file_atomic
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o755)
        name = pem_file_name(now or datetime.datetime.now(datetime.timezone.utc))
        target = self.dir / name
        write_file_atomic(target, cert_pem.rstrip(b"\n") + b"\n" + key_pem, 0o600)
        link = self.dir / f".{CURRENT_NAME}.{os.getpid()}"
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(name)
        os.replace(link, self.current)
        return target


# ------------------------------------------------------------------ the client
def ssl_context_for(cert_pem: bytes, key_pem: bytes, ca_pem: bytes | None) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if ca_pem:
        context.load_verify_locations(cadata=ca_pem.decode())
    with tempfile.TemporaryDirectory(prefix="kybernetes-client-") as tmp:
        (Path(tmp) / "c.crt").write_bytes(cert_pem)
        key_path = Path(tmp) / "c.key"
        key_path.touch(mode=0o600)
        key_path.write_bytes(key_pem)
        context.load_cert_chain(str(Path(tmp) / "c.crt"), str(key_path))
    return context


def switch_client_certificate(client, cert_pem: bytes, key_pem: bytes, ca_pem: bytes | None):
    """Give `client` (a kybernetes.client.rest.Client) a new session that presents the new
    certificate, so every request from now on authenticates with it; returns the old
    session, which the caller closes once requests under way on it had time to finish
    (its watches then end and resume on the new session, as upstream's kubelet closes
    the connections made with the old certificate)."""
    import aiohttp
    import orjson
    old = client.session
    connector = aiohttp.TCPConnector(ssl=ssl_context_for(cert_pem, key_pem, ca_pem),
                                     limit=old.connector.limit if old.connector else 0)
    client.session = aiohttp.ClientSession(
        connector=connector, headers=dict(old.headers),
        json_serialize=lambda o: orjson.dumps(o).decode(), timeout=old.timeout)
    return old


# ------------------------------------------------------------------ the kubeconfig
def pki_dir_for(root_dir: str | os.PathLike) -> Path:
    """The kubelet's --cert-dir: `<root-dir>/pki`."""
    return Path(root_dir) / "pki"


def rotating_pem_of(kubeconfig_path: str | os.PathLike) -> Path | None:
    """The kubelet-client-current.pem a kubeconfig names, if it names one."""
    from kybernetes.pki.kubeconfig import load_kubeconfig
    user = load_kubeconfig(kubeconfig_path).user()
    named = user.get("client-certificate") or ""
    if Path(named).name != CURRENT_NAME:
        return None
    path = Path(named)
    return path if path.is_absolute() else Path(kubeconfig_path).parent / path


def write_bootstrapped(kubeconfig_path: str | os.PathLike, pki_dir: Path, server: str, ca_pem: bytes,
                       cert_pem: bytes, key_pem: bytes, extensions: list | None = None) -> Path:
    """Store a bootstrapped pair as the current pem and write a kubeconfig naming it
    (what the kubelet writes after TLS bootstrap); returns the current pem's path."""
    from kybernetes.pki.kubeconfig import write_kubeconfig
    store = CertificateStore(Path(pki_dir).resolve())
    store.update(cert_pem, key_pem)
    write_kubeconfig(kubeconfig_path, kubeconfig_with_cert_file(server, ca_pem, store.current, extensions))
    return store.current


def adopt_embedded(kubeconfig_path: str | os.PathLike, pki_dir: Path) -> Path | None:
    """With rotation on and a kubeconfig that embeds its certificate: move the pair into
    the rotating store and make the kubeconfig name it (so a restart finds the newest
    certificate). None when the kubeconfig has no client certificate."""
    from kybernetes.client.loadbalancer import servers_from_cluster
    from kybernetes.pki.kubeconfig import load_kubeconfig
    config = load_kubeconfig(kubeconfig_path)
    cert_pem, key_pem, ca_pem = config.client_cert_pem(), config.client_key_pem(), config.ca_pem()
    if not cert_pem or not key_pem or not ca_pem:
        return None
    return write_bootstrapped(kubeconfig_path, pki_dir, servers_from_cluster(config.cluster())[0],
                              ca_pem, cert_pem, key_pem, config.cluster().get("extensions"))


# ------------------------------------------------------------------ the manager
@dataclass
class RotationSettings:
    node_name: str
    pki_dir: Path
    ca_pem: bytes | None


class CertificateManager:
    """Renews the kubelet's client certificate before it expires, for as long as it runs."""

    def __init__(self, client, settings: RotationSettings, *, clock: Callable[[], float] = time.time,
                 jitter: Callable[[], float] = random.random) -> None:
        self.client = client
        self.settings = settings
        self.store = CertificateStore(settings.pki_dir)
        self.clock = clock
        self.jitter = jitter
        self.rotations = 0
        self.followers: list = []
        self.retired: list = []  # sessions of old certificates, closed after OLD_SESSION_GRACE

    def current_certificate(self) -> bytes | None:
        pair = self.store.load()
        return pair[0] if pair else None

    async def request_certificate(self) -> tuple[bytes, bytes]:
        """A new (certificate, key) through a CSR made with the current certificate."""
        from kybernetes.cli.bootstrap_join import csr_outcome, node_csr
        from kybernetes.client.rest import resource
        csrs = resource("certificatesigningrequests.certificates.k8s.io")
        key_pem, csr_pem = node_csr(self.settings.node_name)
        created = await self.client.create(csrs, rotation_csr(csr_pem))
        name = created["metadata"]["name"]
        log.info("certificate rotation: requested %s for system:node:%s", name, self.settings.node_name)
        deadline = time.monotonic() + CERTIFICATE_WAIT_TIMEOUT
        while True:
            cert_pem = csr_outcome(await self.client.get(csrs, name))
            if cert_pem is not None:
                return cert_pem, key_pem
            if time.monotonic() > deadline:
                raise TimeoutError(f"certificate signing request {name} was not signed in time")
            await asyncio.sleep(POLL_INTERVAL)

    def follow(self, client) -> None:
        """Switch this client too (another component on the node's own credentials)."""
        self.followers.append(client)

    async def rotate(self) -> int:
        """One rotation; returns the new certificate's serial number."""
        cert_pem, key_pem = await self.request_certificate()
        self.store.update(cert_pem, key_pem)
        self.retired.extend(switch_client_certificate(client, cert_pem, key_pem, self.settings.ca_pem)
                            for client in (self.client, *self.followers))
        self.rotations += 1
        serial = certificate_times(cert_pem)[2]
        log.info("certificate rotation: now using the certificate with serial %x", serial)
        return serial

    def next_deadline(self) -> float | None:
        cert_pem = self.current_certificate()
        if cert_pem is None:
            return None
        not_before, not_after, _ = certificate_times(cert_pem)
        return rotation_deadline(not_before, not_after, self.jitter())

    async def _close_retired(self, grace: float) -> None:
        sessions, self.retired = self.retired, []
        if grace:
            await asyncio.sleep(grace)
        for session in sessions:
            await session.close()

    async def run(self) -> None:
        try:
            await self._rotate_forever()
        finally:
            await self._close_retired(0)

    async def _rotate_forever(self) -> None:
        backoff = RETRY_INITIAL
        last_rotation = 0.0
        while True:
            deadline = self.next_deadline()
            if deadline is None:  # removed by hand: look again later, as upstream's manager does
                log.warning("certificate rotation: no certificate at %s", self.store.current)
                await asyncio.sleep(RETRY_MAX)
                continue
            earliest = last_rotation + MIN_ROTATION_INTERVAL
            if self.retired:  # requests on the old certificate's connections have finished by now
                await self._close_retired(OLD_SESSION_GRACE)
            await asyncio.sleep(max(0.0, deadline - self.clock(), earliest - self.clock()))
            try:
                await self.rotate()
                backoff = RETRY_INITIAL
                last_rotation = self.clock()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the server may be away or the request denied: retry later
                log.warning("certificate rotation failed, retrying in %.0fs: %s", backoff, exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, RETRY_MAX)


def cert_dir(args) -> Path:
    """--cert-dir, else `<root-dir>/pki` (the agent's root dir default when not given)."""
    if getattr(args, "cert_dir", None):
        return Path(args.cert_dir)
    from kybernetes.kubelet.kubelet import kubelet_root_dir
    root = getattr(args, "root_dir", "") or kubelet_root_dir("/")
    return pki_dir_for(root)


def manager_for(args, client, node_name: str) -> CertificateManager | None:
    """The agent's certificate manager: on with --rotate-certificates, by default when
    the kubeconfig names the rotating pem (the certificate came from TLS bootstrap)."""
    from kybernetes.pki.kubeconfig import load_kubeconfig
    pem = rotating_pem_of(args.kubeconfig)
    enabled = getattr(args, "rotate_certificates", None)
    if enabled is None:
        enabled = pem is not None
    if not enabled:
        return None
    if pem is None:
        pem = adopt_embedded(args.kubeconfig, cert_dir(args))
        if pem is None:
            log.warning("--rotate-certificates: %s has no client certificate to rotate", args.kubeconfig)
            return None
    ca_pem = load_kubeconfig(args.kubeconfig).ca_pem()
    return CertificateManager(client, RotationSettings(node_name, pem.parent, ca_pem))
