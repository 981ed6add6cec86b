# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""`kybernetes certs check-expiration|renew`, as kubeadm's: the leaf certificates of the
PKI directory and the client certificates embedded in the component kubeconfigs, with
the CA that signed each; renewal re-issues with the same key, subject, SANs and usages
from the same CA. Works on `kybernetes server`'s data dir (DATA/pki, DATA/admin.kubeconfig)
and on `kybernetes init`'s layout (/etc/kybernetes/pki, /etc/kybernetes/*.conf)."""
from __future__ import annotations

import argparse
import base64
import datetime
import sys
from dataclasses import dataclass
from pathlib import Path

from kybernetes.cli.errors import UsageError

# kubeadm's leaf certificates: base name -> the CA (base name) that signs it
LEAF_CERTS = {"apiserver": "ca", "apiserver-kubelet-client": "ca", "front-proxy-client": "front-proxy-ca",
              "apiserver-etcd-client": "etcd/ca"}
CAS = ("ca", "front-proxy-ca", "etcd/ca")
# kubeconfigs with embedded client certificates signed by ca (kubeadm does not list kubelet.conf:
# the kubelet rotates its own)
KUBECONFIGS = ("admin.conf", "admin.kubeconfig", "controller-manager.conf", "scheduler.conf", "super-admin.conf")
RENEW_DAYS = 365


def add_certs_flags(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="certs_command", metavar="COMMAND")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", type=Path, default=None,
                        help="`kybernetes server`'s data dir (its pki/ and admin.kubeconfig)")
    common.add_argument("--pki-dir", "--cert-dir", dest="pki_dir", type=Path, default=None,
                        help="the PKI directory (default /etc/kybernetes/pki after `kybernetes init`)")
    common.add_argument("--kubeconfig-dir", type=Path, default=None,
                        help="where the component kubeconfigs are (default: the PKI dir's parent)")
    sub.add_parser("check-expiration", parents=[common], help="show when each certificate expires")
    renew = sub.add_parser("renew", parents=[common], help="re-issue certificates with the same CA")
    renew.add_argument("name", help="all, or a name from check-expiration (apiserver, admin.conf, ...)")


@dataclass
class Entry:
    name: str
    path: Path
    kind: str  # "cert" or "kubeconfig"
    ca: str


def locate(args: argparse.Namespace) -> tuple[Path, Path]:
    """(pki dir, kubeconfig dir)."""
    from kybernetes.cli.bootstrap import INIT_DIR
    from kybernetes.cli.main import default_data_dir
    if args.pki_dir is not None:
        return args.pki_dir, args.kubeconfig_dir or args.pki_dir.parent
    if args.data_dir is None and (INIT_DIR / "pki" / "ca.crt").is_file():
        return INIT_DIR / "pki", args.kubeconfig_dir or INIT_DIR
    base = (args.data_dir or default_data_dir()).expanduser()
    return base / "pki", args.kubeconfig_dir or base


def entries(pki_dir: Path, kubeconfig_dir: Path) -> list[Entry]:
    found = [Entry(name, kubeconfig_dir / name, "kubeconfig", "ca")
             for name in KUBECONFIGS if (kubeconfig_dir / name).is_file()]
    found += [Entry(name, pki_dir / f"{name}.crt", "cert", ca)
              for name, ca in LEAF_CERTS.items() if (pki_dir / f"{name}.crt").is_file()]
    return sorted(found, key=lambda e: e.name)


def _kubeconfig_pair(path: Path) -> tuple[bytes, bytes]:
    from kybernetes.pki.kubeconfig import load_kubeconfig
    config = load_kubeconfig(path)
    cert, key = config.client_cert_pem(), config.client_key_pem()
    if not cert or not key:
        raise UsageError(f"{path} has no embedded client certificate")
    return cert, key


def cert_pem_of(entry: Entry) -> bytes:
    return _kubeconfig_pair(entry.path)[0] if entry.kind == "kubeconfig" else entry.path.read_bytes()


def residual(delta: datetime.timedelta) -> str:
    """kubeadm's short human durations (ShortHumanDuration)."""
    seconds = int(delta.total_seconds())
    if seconds < -1:
        return "<invalid>"
    if seconds < 60:
        return f"{max(seconds, 0)}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 48 * 3600:
        return f"{seconds // 3600}h"
    if seconds < 365 * 86400:
        return f"{seconds // 86400}d"
    return f"{seconds // (365 * 86400)}y"


def _expiry(cert_pem: bytes) -> datetime.datetime:
    from cryptography import x509
    return x509.load_pem_x509_certificate(cert_pem).not_valid_after_utc


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "".join("   ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() + "\n" for r in rows)


def expiration_report(pki_dir: Path, kubeconfig_dir: Path, now: datetime.datetime) -> str:
    def when(cert_pem: bytes) -> tuple[str, str]:
        expires = _expiry(cert_pem)
        return expires.strftime("%b %d, %Y %H:%M UTC"), residual(expires - now)

    rows = [["CERTIFICATE", "EXPIRES", "RESIDUAL TIME", "CERTIFICATE AUTHORITY", "EXTERNALLY MANAGED"]]
    for entry in entries(pki_dir, kubeconfig_dir):
        expires, left = when(cert_pem_of(entry))
        rows.append([entry.name, expires, left, entry.ca, "no"])
    ca_rows = [["CERTIFICATE AUTHORITY", "EXPIRES", "RESIDUAL TIME", "EXTERNALLY MANAGED"]]
    for ca in CAS:
        if (pki_dir / f"{ca}.crt").is_file():
            expires, left = when((pki_dir / f"{ca}.crt").read_bytes())
            ca_rows.append([ca, expires, left, "no" if (pki_dir / f"{ca}.key").is_file() else "yes"])
    return _table(rows) + "\n" + _table(ca_rows)


def reissue(cert_pem: bytes, key_pem: bytes, ca_cert_pem: bytes, ca_key_pem: bytes,
            days: int = RENEW_DAYS) -> bytes:
    """A new certificate for the same key, subject, SANs and usages, from the CA."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from kybernetes.pki.certs import CLOCK_SKEW
    old = x509.load_pem_x509_certificate(cert_pem)
    key = serialization.load_pem_private_key(key_pem, password=None)
    ca_cert = x509.load_pem_x509_certificate(ca_cert_pem)
    ca_key = serialization.load_pem_private_key(ca_key_pem, password=None)
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(old.subject).issuer_name(ca_cert.subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - CLOCK_SKEW)
               .not_valid_after(min(now + datetime.timedelta(days=days), ca_cert.not_valid_after_utc)))
    for extension in old.extensions:
        if isinstance(extension.value, x509.AuthorityKeyIdentifier):
            continue
        builder = builder.add_extension(extension.value, extension.critical)
    builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                                    critical=False)
    return builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


def renew(entry: Entry, pki_dir: Path) -> None:
    import yaml
    from kybernetes.pki.certs import write_file_atomic
    ca_cert, ca_key = pki_dir / f"{entry.ca}.crt", pki_dir / f"{entry.ca}.key"
    if not ca_key.is_file():
        raise UsageError(f"{entry.name}: the CA key {ca_key} is missing (externally managed CA): "
                         f"cannot renew")
    if entry.kind == "cert":
        key_path = entry.path.with_suffix(".key")
        new = reissue(entry.path.read_bytes(), key_path.read_bytes(), ca_cert.read_bytes(), ca_key.read_bytes())
        write_file_atomic(entry.path, new, 0o644)
        return
    cert_pem, key_pem = _kubeconfig_pair(entry.path)
    new = reissue(cert_pem, key_pem, ca_cert.read_bytes(), ca_key.read_bytes())
    config = yaml.safe_load(entry.path.read_text())
    context = next(c["context"] for c in config["contexts"] if c["name"] == config["current-context"])
    for user in config["users"]:
        if user["name"] == context["user"]:
            user["user"]["client-certificate-data"] = base64.b64encode(new).decode()
    write_file_atomic(entry.path, yaml.safe_dump(config, sort_keys=False).encode(), 0o600)
    if entry.name == "admin.kubeconfig" and (pki_dir / "admin.crt").is_file():
        # `kybernetes server` rewrites admin.kubeconfig from pki/admin.crt at start
        write_file_atomic(pki_dir / "admin.crt", new, 0o644)
        write_file_atomic(pki_dir / "admin.key", key_pem, 0o600)


def certs_main(args: argparse.Namespace) -> int:
    if args.certs_command not in ("check-expiration", "renew"):
        raise UsageError("usage: kybernetes certs check-expiration|renew all|NAME")
    pki_dir, kubeconfig_dir = locate(args)
    if not (pki_dir / "ca.crt").is_file():
        raise UsageError(f"{pki_dir} has no ca.crt: pass --data-dir or --pki-dir of a cluster")
    found = entries(pki_dir, kubeconfig_dir)
    if args.certs_command == "check-expiration":
        sys.stdout.write(expiration_report(pki_dir, kubeconfig_dir, datetime.datetime.now(datetime.timezone.utc)))
        return 0
    chosen = found if args.name == "all" else [e for e in found if e.name == args.name]
    if not chosen:
        raise UsageError(f'unknown certificate "{args.name}" (known: all, '
                         f'{", ".join(e.name for e in found)})')
    for entry in chosen:
        renew(entry, pki_dir)
        what = "the certificate embedded in the kubeconfig file" if entry.kind == "kubeconfig" else "certificate"
        print(f"{what} {entry.name} renewed" if entry.kind == "cert" else f"{what} for {entry.name} renewed")
    print("\nDone renewing certificates. You must restart the API server and the components "
          "so that they use the new certificates.")
    return 0
