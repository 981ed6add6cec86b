# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""`kybernetes ingress`: the ingress controller alone, against a kubeconfig, and the
pieces `kybernetes server` uses to run it in-process."""
from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from kybernetes.apiserver.authz.policy import INGRESS_USER
from kybernetes.client.rest import Client
from kybernetes.ingress.classes import CONTROLLER_NAME, DEFAULT_CLASS_NAME, ClassSelection
from kybernetes.ingress.controller import IngressController, IngressOptions
from kybernetes.ingress.nginx import NginxError, nginx_binary
from kybernetes.ingress.render import Layout

# The identity the in-process controller uses, bound to the ingress-nginx role in the
# default RBAC policy (kybernetes/apiserver/authz/policy.py).
USER = INGRESS_USER


def add_ingress_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kubeconfig", type=Path, required=True,
                        help="kubeconfig of an identity with ingress-nginx's rights")
    parser.add_argument("--data-dir", type=Path, default=Path("/var/lib/kybernetes/ingress"),
                        help="where nginx's configuration, certificates, pid file and logs live")
    parser.add_argument("--http-port", type=int, default=80)
    parser.add_argument("--https-port", type=int, default=443)
    parser.add_argument("--bind-address", default="",
                        help="address nginx listens on (default: every address)")
    parser.add_argument("--controller-class", default=CONTROLLER_NAME,
                        help="spec.controller of the IngressClasses this controller serves")
    parser.add_argument("--ingress-class", default=DEFAULT_CLASS_NAME,
                        help="the kubernetes.io/ingress.class annotation value served")
    parser.add_argument("--watch-ingress-without-class", action="store_true",
                        help="also serve Ingresses without a class when none of ours is default")
    parser.add_argument("--publish-status-address", default="",
                        help="address written to status.loadBalancer of served Ingresses "
                             "(default: this host's first address)")
    parser.add_argument("--nginx-binary", default="nginx")
    parser.add_argument("-v", "--v", dest="verbosity", type=int, default=0)


def check_port(flag: str, port: int) -> None:
    from kybernetes.cli.main import UsageError
    if not 1 <= port <= 65535:
        raise UsageError(f"{flag}: {port} is not a TCP port (1-65535)")


def ingress_options(directory: Path, http_port: int, https_port: int, status_address: str,
                    *, bind_address: str = "", selection: ClassSelection = ClassSelection(),
                    binary: str = "nginx") -> IngressOptions:
    return IngressOptions(layout=Layout(directory.resolve(), http_port, https_port, bind_address),
                          selection=selection, status_address=status_address,
                          nginx_binary=binary)


async def ingress_main(args: argparse.Namespace) -> int:
    from kybernetes.cli.main import UsageError
    check_port("--http-port", args.http_port)
    check_port("--https-port", args.https_port)
    if args.http_port == args.https_port:
        raise UsageError("--http-port and --https-port must differ")
    if not args.kubeconfig.is_file():
        raise UsageError(f"--kubeconfig: {args.kubeconfig} does not exist")
    binary = nginx_binary(args.nginx_binary)
    if binary is None:
        raise UsageError(f"--nginx-binary: {args.nginx_binary} not found (install nginx-light)")
    address = args.publish_status_address
    if not address:
        from kybernetes.pki.certs import host_addresses
        address = (host_addresses() or ["127.0.0.1"])[0]
    selection = ClassSelection(args.controller_class, args.ingress_class,
                               args.watch_ingress_without_class)
    client = Client.from_kubeconfig(args.kubeconfig, user_agent="nginx-ingress-controller")
    try:
        controller = IngressController(client, ingress_options(
            args.data_dir, args.http_port, args.https_port, address,
            bind_address=args.bind_address, selection=selection, binary=binary))
        from kybernetes.cli.components import until_signalled
        task = asyncio.create_task(controller.run(), name="ingress")
        try:
            await until_signalled(task)
        except NginxError as exc:
            import sys
            print(f"kybernetes: error: {exc}", file=sys.stderr)
            return 1
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    finally:
        await client.close()
    return 0


