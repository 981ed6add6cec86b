# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""kubeadm's bootstrap commands: `kybernetes token create|list|delete` here, and the
flags of `join` (bootstrap_join.py), `certs` (bootstrap_certs.py) and `init`
(bootstrap_init.py). Token commands talk to the API with the admin kubeconfig."""
from __future__ import annotations

import argparse
import asyncio
import datetime
import sys
from pathlib import Path

from kybernetes.cli.errors import UsageError

# where `kybernetes init` puts things (kubeadm's /etc/kubernetes layout)
INIT_DIR = Path("/etc/kybernetes")


def add_token_flags(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="token_command", metavar="COMMAND")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--kubeconfig", type=Path, default=None,
                        help="admin kubeconfig (default /etc/kybernetes/admin.conf after "
                             "`kybernetes init`, else DATA_DIR/admin.kubeconfig)")
    common.add_argument("--data-dir", type=Path, default=None)
    create = sub.add_parser("create", parents=[common], help="create a bootstrap token and print it")
    create.add_argument("token", nargs="?", default="", help="the token to create (default: a random one)")
    create.add_argument("--ttl", default="24h", help="time before the token expires (0: never)")
    create.add_argument("--description", default="", help="a human-friendly description")
    create.add_argument("--groups", default="system:bootstrappers:kubeadm:default-node-token",
                        help="extra groups the token authenticates as, comma separated")
    create.add_argument("--usages", default="signing,authentication",
                        help="signing and/or authentication, comma separated")
    create.add_argument("--print-join-command", action="store_true",
                        help="print the whole `kybernetes join` command instead of the token")
    sub.add_parser("list", parents=[common], help="list bootstrap tokens")
    delete = sub.add_parser("delete", parents=[common], help="delete bootstrap tokens")
    delete.add_argument("tokens", nargs="+", metavar="TOKEN|ID")
    sub.add_parser("generate", help="print a random token without creating it")


def admin_kubeconfig(kubeconfig: Path | None, data_dir: Path | None) -> Path:
    if kubeconfig is not None:
        return kubeconfig
    if data_dir is None and (INIT_DIR / "admin.conf").is_file():
        return INIT_DIR / "admin.conf"
    from kybernetes.cli.main import default_data_dir
    return (data_dir or default_data_dir()).expanduser() / "admin.kubeconfig"


def parse_ttl(text: str) -> datetime.timedelta | None:
    """None for "0" (never expires)."""
    from kybernetes.cli.main import parse_duration
    if text.strip() in ("0", "0s"):
        return None
    seconds = parse_duration(text.strip())
    return None if seconds == 0 else datetime.timedelta(seconds=seconds)


def join_command(server_url: str, token: str, ca_pem: bytes) -> str:
    """The `kybernetes join` line `token create --print-join-command` and `init` print."""
    from kybernetes.pki.certs import ca_hash
    endpoint = server_url.removeprefix("https://").rstrip("/")
    return f"kybernetes join {endpoint} --token {token} --discovery-token-ca-cert-hash {ca_hash(ca_pem)}"


async def create_token(client, token) -> None:
    from kybernetes.apiserver.errors import ApiError
    from kybernetes.client.rest import resource
    from kybernetes.pki import tokens
    try:
        await client.create(resource("secrets"), tokens.token_secret(token), tokens.NAMESPACE)
    except ApiError as exc:
        if exc.code == 409:
            raise UsageError(f'a token with id "{token.token_id}" already exists') from None
        raise UsageError(f"failed to create bootstrap token: {exc}") from None


async def _token_main(args: argparse.Namespace) -> int:
    from kybernetes.apiserver.errors import ApiError
    from kybernetes.client.rest import Client, resource
    from kybernetes.pki import tokens
    from kybernetes.pki.kubeconfig import KubeconfigError, load_kubeconfig
    path = admin_kubeconfig(args.kubeconfig, args.data_dir)
    if not path.is_file():
        raise UsageError(f"{path} does not exist: pass --kubeconfig (the admin kubeconfig)")
    try:
        config = load_kubeconfig(path)
        client = Client.from_kubeconfig(path, user_agent="kybernetes-token")
    except (KubeconfigError, OSError, ValueError) as exc:
        raise UsageError(f"{path}: {exc}") from None
    secrets = resource("secrets")
    now = datetime.datetime.now(datetime.timezone.utc)
    try:
        if args.token_command == "create":
            text = args.token or tokens.generate_token()
            token_id, token_secret = tokens.parse_token(text)
            ttl = parse_ttl(args.ttl)
            token = tokens.BootstrapToken(
                token_id, token_secret, args.description, None if ttl is None else now + ttl,
                tokens.validate_usages([u.strip() for u in args.usages.split(",") if u.strip()]),
                tokens.validate_groups([g.strip() for g in args.groups.split(",") if g.strip()]))
            await create_token(client, token)
            if args.print_join_command:
                print(join_command(config.server(), token.token, config.ca_pem() or b""))
            else:
                print(token.token)
        elif args.token_command == "list":
            found, _ = await client.list(secrets, tokens.NAMESPACE)
            listed = [t for t in (tokens.token_from_secret(s) for s in found) if t]
            sys.stdout.write(tokens.token_table(sorted(listed, key=lambda t: t.token_id), now))
        elif args.token_command == "delete":
            for item in args.tokens:
                token_id = item.split(".", 1)[0]
                if not tokens.ID_PATTERN.match(token_id) or ("." in item and not tokens.TOKEN_PATTERN.match(item)):
                    raise UsageError(f'given token "{item}" didn\'t match pattern '
                                     f'"{tokens.ID_PATTERN.pattern[1:-1]}" or "{tokens.TOKEN_PATTERN.pattern[1:-1]}"')
                try:
                    await client.delete(secrets, tokens.secret_name(token_id), tokens.NAMESPACE)
                except ApiError as exc:
                    if exc.code == 404:
                        raise UsageError(f'bootstrap token "{token_id}" not found') from None
                    raise
                print(f'bootstrap token "{token_id}" deleted')
        return 0
    except tokens.TokenError as exc:
        raise UsageError(str(exc)) from None
    except ApiError as exc:
        raise UsageError(str(exc)) from None
    finally:
        await client.close()


def token_main(args: argparse.Namespace) -> int:
    if args.token_command == "generate":
        from kybernetes.pki.tokens import generate_token
        print(generate_token())
        return 0
    if args.token_command not in ("create", "list", "delete"):
        raise UsageError("usage: kybernetes token create|list|delete|generate")
    try:
        return asyncio.run(_token_main(args))
    except OSError as exc:
        raise UsageError(f"cannot reach the API server: {exc}") from None


def add_bootstrap_commands(commands) -> None:
    """Register token, join, certs and init on the `kybernetes` command."""
    token = commands.add_parser("token", help="manage bootstrap tokens (kubeadm token)")
    add_token_flags(token)
    join = commands.add_parser("join", help="join this machine to a cluster as a node "
                               "(kubeadm join with a bootstrap token)")
    from kybernetes.cli.bootstrap_join import add_join_flags
    add_join_flags(join)
    certs = commands.add_parser("certs", help="check and renew the cluster's certificates")
    from kybernetes.cli.bootstrap_certs import add_certs_flags
    add_certs_flags(certs)
    init = commands.add_parser("init", help="set up a control plane as kubeadm init does")
    from kybernetes.cli.bootstrap_init import add_init_flags
    add_init_flags(init)


def bootstrap_main(args: argparse.Namespace) -> int:
    if args.command == "token":
        return token_main(args)
    if args.command == "join":
        from kybernetes.cli.main import run_async
        return run_async(args, "kybernetes.cli.bootstrap_join", "join_main")
    if args.command == "certs":
        from kybernetes.cli.bootstrap_certs import certs_main
        return certs_main(args)
    from kybernetes.cli.bootstrap_init import init_main
    return init_main(args)
