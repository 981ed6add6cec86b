# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Real etcd members for tests (Debian's etcd-server; `make install` installs it as root).

`EtcdMember` is one member, plain HTTP by default. `EtcdCluster` is three (or any number
of) members on loopback ports with TLS from a cluster CA as seed 000's unit file sets
them up: one certificate for serving and for peers, client and peer certificates
required (`--client-cert-auth`, `--peer-client-cert-auth`), and a client certificate
for the API servers (`--etcd-cafile/--etcd-certfile/--etcd-keyfile`).
"""
from __future__ import annotations

import datetime
import ipaddress
import shutil
import signal
import socket
import ssl
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from kybernetes.pki.certs import CertPair, new_ca


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def etcd_available() -> bool:
    return shutil.which("etcd") is not None


def _issue(ca: CertPair, common_name: str, usages: list, sans: bool) -> CertPair:
    ca_cert = x509.load_pem_x509_certificate(ca.cert_pem)
    ca_key = serialization.load_pem_private_key(ca.key_pem, password=None)
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
               .issuer_name(ca_cert.subject).public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + datetime.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.ExtendedKeyUsage(usages), critical=False))
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
    cert = builder.sign(ca_key, hashes.SHA256())
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return CertPair(cert.public_bytes(serialization.Encoding.PEM), key_pem)


@dataclass
class EtcdTLS:
    """File paths of an etcd cluster's certificates, all signed by one CA."""
    ca_file: Path
    cert_file: Path          # serving and peer certificate of every member (seed 000)
    key_file: Path
    client_cert_file: Path   # what API servers and etcdctl present
    client_key_file: Path

    @classmethod
    def issue(cls, directory: Path, ca: CertPair | None = None) -> "EtcdTLS":
        """Certificates under `directory`, signed by `ca` (the cluster CA; a new one if
        not given)."""
        directory.mkdir(parents=True, exist_ok=True)
        ca = ca or new_ca("etcd-ca")
        member = _issue(ca, "etcd", [ExtendedKeyUsageOID.SERVER_AUTH,
                                     ExtendedKeyUsageOID.CLIENT_AUTH], sans=True)
        client = _issue(ca, "kube-apiserver-etcd-client", [ExtendedKeyUsageOID.CLIENT_AUTH],
                        sans=False)
        tls = cls(directory / "ca.pem", directory / "etcd.pem", directory / "etcd-key.pem",
                  directory / "client.pem", directory / "client-key.pem")
        for path, data in ((tls.ca_file, ca.cert_pem), (tls.cert_file, member.cert_pem),
                           (tls.key_file, member.key_pem), (tls.client_cert_file, client.cert_pem),
                           (tls.client_key_file, client.key_pem)):
            path.write_bytes(data)
            path.chmod(0o600)
        return tls

    def client_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.ca_file))
        context.load_cert_chain(str(self.client_cert_file), str(self.client_key_file))
        return context

    def apiserver_flags(self) -> list[str]:
        return ["--etcd-cafile", str(self.ca_file), "--etcd-certfile", str(self.client_cert_file),
                "--etcd-keyfile", str(self.client_key_file)]


class EtcdMember:
    """One etcd member on loopback ports in its own data dir (alone, or one of an
    EtcdCluster when `initial_cluster` is set before `start`)."""

    def __init__(self, data_dir: Path, name: str = "default", tls: EtcdTLS | None = None) -> None:
        self.data_dir = data_dir
        self.name = name
        self.tls = tls
        self.process: subprocess.Popen | None = None
        self._pick_ports()

    def _pick_ports(self) -> None:
        self.client_port = _free_port()
        self.peer_port = _free_port()
        scheme = "https" if self.tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.client_port}"
        self.peer_url = f"{scheme}://127.0.0.1:{self.peer_port}"
        self.initial_cluster = f"{self.name}={self.peer_url}"

    def command(self) -> list[str]:
        args = ["etcd", "--name", self.name, "--data-dir", str(self.data_dir / "data"),
                "--listen-client-urls", self.url, "--advertise-client-urls", self.url,
                "--listen-peer-urls", self.peer_url, "--initial-advertise-peer-urls", self.peer_url,
                "--initial-cluster", self.initial_cluster, "--initial-cluster-state", "new",
                "--initial-cluster-token", f"kybernetes-test-{self.data_dir.parent.name}"]
        if self.tls:
            args += ["--cert-file", str(self.tls.cert_file), "--key-file", str(self.tls.key_file),
                     "--peer-cert-file", str(self.tls.cert_file),
                     "--peer-key-file", str(self.tls.key_file),
                     "--trusted-ca-file", str(self.tls.ca_file),
                     "--peer-trusted-ca-file", str(self.tls.ca_file),
                     "--client-cert-auth", "--peer-client-cert-auth"]
        return args

    def launch(self) -> "EtcdMember":
        """Start the process without waiting (a cluster member is healthy only once a
        quorum of its peers runs)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.data_dir / "etcd.log", "ab") as log:
            self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL)
        return self

    def healthy(self) -> bool:
        context = self.tls.client_context() if self.tls else None
        try:
            with urllib.request.urlopen(self.url + "/health", timeout=1, context=context) as response:
                return b"true" in response.read()
        except OSError:
            return False

    def wait_healthy(self, timeout: float = 30) -> "EtcdMember":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                break
            if self.healthy():
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"etcd did not start: {(self.data_dir / 'etcd.log').read_text()[-2000:]}")

    def start(self) -> "EtcdMember":
        """Start a lone member; a port another process took between the pick and the
        bind is picked again (a cluster member's ports are fixed by its peers)."""
        for attempt in range(3):
            try:
                return self.launch().wait_healthy()
            except RuntimeError as exc:
                alone = self.initial_cluster == f"{self.name}={self.peer_url}"
                if attempt == 2 or not alone or "address already in use" not in str(exc):
                    raise
                shutil.rmtree(self.data_dir / "data", ignore_errors=True)
                self._pick_ports()
        raise AssertionError("unreachable")

    def kill(self) -> None:
        """SIGKILL, as a crashed machine would."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class EtcdCluster:
    """`size` members on loopback, with TLS from `ca` (or a new CA) unless tls=False."""

    def __init__(self, base_dir: Path, size: int = 3, tls: bool = True,
                 ca: CertPair | None = None) -> None:
        self.tls = EtcdTLS.issue(base_dir / "pki", ca) if tls else None
        self.members = [EtcdMember(base_dir / f"etcd-{i}", f"etcd-{i}", self.tls)
                        for i in range(size)]
        initial = ",".join(f"{m.name}={m.peer_url}" for m in self.members)
        for member in self.members:
            member.initial_cluster = initial

    @property
    def urls(self) -> str:
        """--etcd-servers"""
        return ",".join(m.url for m in self.members)

    def apiserver_flags(self) -> list[str]:
        return ["--datastore", "etcd", "--etcd-servers", self.urls,
                *(self.tls.apiserver_flags() if self.tls else [])]

    def start(self) -> "EtcdCluster":
        try:
            for member in self.members:
                member.launch()
            for member in self.members:
                member.wait_healthy()
        except Exception:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for member in self.members:
            member.stop()
