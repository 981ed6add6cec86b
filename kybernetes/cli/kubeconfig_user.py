# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""`kybernetes kubeconfig user NAME --group G`: issue a client certificate for NAME
(CN) in groups G (O) from the cluster CA and print a kubeconfig for it on stdout, as
`kubeadm kubeconfig user --client-name NAME --org G` does."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kybernetes.cli.errors import UsageError

# where `kybernetes init` keeps the PKI and the admin kubeconfig (kubeadm's layout)
INIT_PKI = Path("/etc/kybernetes/pki")
INIT_ADMIN = Path("/etc/kybernetes/admin.conf")


def add_kubeconfig_flags(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="kubeconfig_command", metavar="COMMAND")
    user = sub.add_parser("user", help="print a kubeconfig with a new client certificate for a user")
    user.add_argument("name", help="the user name (the certificate's CN)")
    user.add_argument("--group", "--org", dest="groups", action="append", default=[],
                      help="a group of the user (the certificate's O); repeatable")
    user.add_argument("--data-dir", type=Path, default=None,
                      help="the cluster's data dir (default: /etc/kybernetes after "
                           "`kybernetes init`, else the server's default data dir)")
    user.add_argument("--server", default="", help="API server URL (default: the admin kubeconfig's)")
    user.add_argument("--validity-period", "--days", dest="days", type=int, default=365,
                      help="days the certificate is valid (default 365)")
    user.add_argument("--namespace", default="", help="the context's namespace")


def _locations(data_dir: Path | None) -> tuple[Path, Path]:
    """(pki dir, admin kubeconfig) of the cluster."""
    from kybernetes.cli.main import default_data_dir
    if data_dir is None and (INIT_PKI / "ca.key").exists():
        return INIT_PKI, INIT_ADMIN
    base = (data_dir or default_data_dir()).expanduser()
    return base / "pki", base / "admin.kubeconfig"


def user_kubeconfig(name: str, groups: list[str], pki_dir: Path, server: str, days: int = 365,
                    namespace: str = "") -> str:
    from kybernetes.pki import certs, kubeconfig
    ca_cert, ca_key = pki_dir / "ca.crt", pki_dir / "ca.key"
    if not ca_cert.is_file() or not ca_key.is_file():
        raise UsageError(f"{pki_dir} has no ca.crt and ca.key: is this a kybernetes data dir "
                         f"(start `kybernetes server --data-dir DIR` first)?")
    ca = certs.load_pair(ca_cert, ca_key)
    client = certs.new_client_cert(ca, name, list(dict.fromkeys(groups)), days=days)
    return kubeconfig.kubeconfig_yaml(server, ca.cert_pem, client=client, user_name=name,
                                      context_name=f"{name}@kybernetes",
                                      namespace=namespace or None)


def kubeconfig_main(args: argparse.Namespace) -> int:
    if args.kubeconfig_command != "user":
        raise UsageError("usage: kybernetes kubeconfig user NAME [--group G]...")
    if not args.name.strip():
        raise UsageError("the user name must not be empty")
    if args.days <= 0:
        raise UsageError(f"--validity-period: {args.days} is not a positive number of days")
    pki_dir, admin = _locations(args.data_dir)
    server = args.server
    if not server:
        from kybernetes.pki.kubeconfig import KubeconfigError, load_kubeconfig
        try:
            server = load_kubeconfig(admin).server()
        except (OSError, KubeconfigError) as exc:
            raise UsageError(f"cannot read the API server URL from {admin} ({exc}); "
                             f"pass --server URL") from None
    sys.stdout.write(user_kubeconfig(args.name, args.groups, pki_dir, server, args.days,
                                     args.namespace))
    return 0
