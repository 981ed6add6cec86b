# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""`kybernetes server` and `kybernetes apiserver`: data dir, PKI, kubeconfig, then serve."""
from __future__ import annotations

import argparse
import asyncio
import ipaddress
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


def datastore_spec(args: argparse.Namespace, data_dir: Path) -> str:
    """--datastore and --etcd-servers as one open_store() spec."""
    from kybernetes.cli.main import UsageError
    choice = args.datastore
    if choice in ("", "sqlite"):
        if args.etcd_servers and not choice:
            return f"etcd:{args.etcd_servers}"
        return f"sqlite:{data_dir / 'state.db'}"
    if choice == "etcd":
        if not args.etcd_servers:
            raise UsageError("--datastore etcd needs --etcd-servers URL[,URL...]")
        return f"etcd:{args.etcd_servers}"
    if choice.split(":", 1)[0] in ("sqlite", "memory", "etcd") and ":" in choice:
        return choice
    raise UsageError(f"--datastore: {choice!r} is not one of sqlite, sqlite:PATH, memory:, etcd, etcd:URL")


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
    datastore = datastore_spec(args, data_dir)
    if bool(args.tls_cert_file) != bool(args.tls_private_key_file):
        raise UsageError("--tls-cert-file and --tls-private-key-file go together")
    for flag, path in (("--tls-cert-file", args.tls_cert_file),
                       ("--tls-private-key-file", args.tls_private_key_file),
                       ("--client-ca-file", args.client_ca_file)):
        if path is not None and not path.is_file():
            raise UsageError(f"{flag}: {path} does not exist")
    config = APIServerConfig(
        datastore=datastore, etcd_cafile=args.etcd_cafile, etcd_certfile=args.etcd_certfile,
        etcd_keyfile=args.etcd_keyfile, bind_address=args.bind_address, port=args.port,
        service_cidr=args.service_cidr, node_port_range=args.node_port_range,
        tls_cert_file=args.tls_cert_file or pki.path("apiserver.crt"),
        tls_key_file=args.tls_private_key_file or pki.path("apiserver.key"),
        client_ca_file=args.client_ca_file or pki.path("ca.crt"), advertise_address=advertise,
        anonymous_auth=args.anonymous_auth == "true", event_ttl=parse_duration(args.event_ttl),
        internal_socket=data_dir / "apiserver.sock",
        compaction_interval=parse_duration(args.etcd_compaction_interval))
    return config, admin_path


async def serve_forever(args: argparse.Namespace, components: bool) -> int:
    started = time.monotonic()
    config, admin_path = prepare(args)
    server = APIServer(config)
    await server.serve()
    tasks = await start_components(args, config) if components else []
    ready = time.monotonic() - started
    print(f"kybernetes {'server' if components else 'apiserver'} ready in {ready:.2f}s on "
          f"https://{config.bind_address}:{config.port}\n"
          f"  export KUBECONFIG={admin_path}\n"
          f"  kubectl get namespaces", flush=True)
    from kybernetes.cli.components import until_signalled
    try:
        await until_signalled(*tasks) if tasks else await until_signalled()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for client in _clients:
            await client.close()
        await server.stop()
    return 0


_clients: list = []


async def start_components(args: argparse.Namespace, config: APIServerConfig) -> list[asyncio.Task]:
    """The components of a single-node cluster, each with its own identity on the
    server's Unix socket."""
    from kybernetes.cli.components import controller_options
    from kybernetes.client.rest import Client
    from kybernetes.controllers.manager import ControllerManager
    cm_client = Client.in_process(config.internal_socket, "system:kube-controller-manager",
                                  user_agent="kube-controller-manager")
    _clients.append(cm_client)
    args.service_cidr = config.service_cidr
    manager = ControllerManager(cm_client, controller_options(args, data_dir=Path(
        str(config.internal_socket)).parent), args.controllers, leader_elect=True)
    tasks = [asyncio.create_task(manager.run(), name="controller-manager")]
    from kybernetes.scheduler.scheduler import Scheduler
    scheduler_client = Client.in_process(config.internal_socket, "system:kube-scheduler",
                                         user_agent="kube-scheduler")
    _clients.append(scheduler_client)
    tasks.append(asyncio.create_task(Scheduler(scheduler_client).run(), name="scheduler"))
    # The server's own node: `--runtime fake` makes it a simulated one; without --runtime
    # no node is registered (the runc runtime comes with the kubelet issue).
    if getattr(args, "runtime", None):
        from kybernetes.cli.main import UsageError
        from kybernetes.kubelet.kubelet import local_kubelet, local_node_name
        from kybernetes.kubelet.runtimes import RuntimeNotAvailable
        node = local_node_name()
        kubelet_client = Client.in_process(config.internal_socket, f"system:node:{node}",
                                           user_agent="kubelet")
        _clients.append(kubelet_client)
        try:
            kubelet = local_kubelet(kubelet_client, args.runtime, node_name=node,
                                    node_ip=config.advertise_address, data_dir=str(Path(
                                        str(config.internal_socket)).parent))
        except RuntimeNotAvailable as exc:
            for task in tasks:
                task.cancel()
            raise UsageError(str(exc)) from None
        tasks.append(asyncio.create_task(kubelet.run(), name="kubelet"))
    return tasks


__all__ = ["prepare", "serve_forever"]
