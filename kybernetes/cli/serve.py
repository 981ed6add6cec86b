# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""`kybernetes server` and `kybernetes apiserver`: data dir, PKI, kubeconfig, then serve."""
from __future__ import annotations

import argparse
import asyncio
import ipaddress
import os
import signal
import time
from pathlib import Path

from kybernetes.apiserver.server import APIServer, APIServerConfig
from kybernetes.pki import certs, kubeconfig


def _advertise_address(requested: str, bind: str) -> str:
    if requested:
        return requested
    if bind not in ("0.0.0.0", "::", ""):
        return bind
    addresses = certs.host_addresses()
    return addresses[0] if addresses else "127.0.0.1"


def prepare(args: argparse.Namespace) -> tuple[APIServerConfig, Path]:
    """Make the data dir, the PKI and the admin kubeconfig; return the server config."""
    from kybernetes.cli.main import UsageError, default_data_dir, parse_duration
    data_dir: Path = (args.data_dir or default_data_dir()).expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    if not 1 <= args.port <= 65535:
        raise UsageError(f"--port: {args.port} is not a TCP port (1-65535)")
    try:
        ipaddress.ip_network(args.service_cidr, strict=False)
    except ValueError:
        raise UsageError(f"--service-cluster-ip-range: invalid CIDR {args.service_cidr!r}") from None
    advertise = _advertise_address(args.advertise_address, args.bind_address)
    sans = certs.default_serving_sans(args.service_cidr, extra=[advertise, *args.tls_san])
    pki = certs.ensure_pki(data_dir / "pki", sans)
    host = "127.0.0.1" if args.bind_address in ("0.0.0.0", "::", "127.0.0.1") else args.bind_address
    server_url = f"https://{host}:{args.port}"
    admin_path = data_dir / "admin.kubeconfig"
    kubeconfig.write_kubeconfig(admin_path, kubeconfig.kubeconfig_yaml(
        server_url, pki.ca.cert_pem, client=pki.admin))
    datastore = args.datastore or f"sqlite:{data_dir / 'state.db'}"
    if bool(args.tls_cert_file) != bool(args.tls_private_key_file):
        raise UsageError("--tls-cert-file and --tls-private-key-file go together")
    for flag, path in (("--tls-cert-file", args.tls_cert_file),
                       ("--tls-private-key-file", args.tls_private_key_file),
                       ("--client-ca-file", args.client_ca_file)):
        if path is not None and not path.is_file():
            raise UsageError(f"{flag}: {path} does not exist")
    config = APIServerConfig(
        datastore=datastore, bind_address=args.bind_address, port=args.port,
        service_cidr=args.service_cidr, node_port_range=args.node_port_range,
        tls_cert_file=args.tls_cert_file or pki.path("apiserver.crt"),
        tls_key_file=args.tls_private_key_file or pki.path("apiserver.key"),
        client_ca_file=args.client_ca_file or pki.path("ca.crt"), advertise_address=advertise,
        anonymous_auth=args.anonymous_auth == "true", event_ttl=parse_duration(args.event_ttl))
    return config, admin_path


async def serve_forever(args: argparse.Namespace, components: bool) -> int:
    started = time.monotonic()
    config, admin_path = prepare(args)
    server = APIServer(config)
    await server.serve()
    ready = time.monotonic() - started
    print(f"kybernetes {'server' if components else 'apiserver'} ready in {ready:.2f}s on "
          f"https://{config.bind_address}:{config.port}\n"
          f"  export KUBECONFIG={admin_path}\n"
          f"  kubectl get namespaces", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.stop()
    return 0


__all__ = ["prepare", "serve_forever", "os"]
