# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""`kybernetes server` and `kybernetes apiserver`: data dir, PKI, kubeconfig, then serve."""
from __future__ import annotations

import argparse
import asyncio
import ipaddress
import time
from pathlib import Path

from kybernetes.apiserver.server import APIServer, APIServerConfig
from kybernetes.cli.encryption_audit import encryption_audit_settings
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


def _authorization_mode(text: str) -> str:
    from kybernetes.apiserver.authz import parse_modes
    from kybernetes.cli.main import UsageError
    try:
        return ",".join(parse_modes(text))
    except ValueError as exc:
        raise UsageError(str(exc)) from None


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
    from kybernetes.cli.main import disabled_components
    disabled_components(args)  # a misspelt --disable is an error before anything starts
    if bool(args.tls_cert_file) != bool(args.tls_private_key_file):
        raise UsageError("--tls-cert-file and --tls-private-key-file go together")
    for flag, path in (("--tls-cert-file", args.tls_cert_file),
                       ("--tls-private-key-file", args.tls_private_key_file),
                       ("--client-ca-file", args.client_ca_file),
                       ("--token-auth-file", args.token_auth_file),
                       ("--service-account-signing-key-file", args.service_account_signing_key_file),
                       *(("--service-account-key-file", f) for f in args.service_account_key_file)):
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
        authorization_mode=_authorization_mode(args.authorization_mode),
        internal_socket=data_dir / "apiserver.sock",
        compaction_interval=parse_duration(args.etcd_compaction_interval),
        **authentication_settings(args, pki), **encryption_audit_settings(args))
    return config, admin_path


def authentication_settings(args: argparse.Namespace, pki: certs.ClusterPKI) -> dict:
    """The authentication and admission flags as APIServerConfig fields, checked
    here so a bad file is a one-line error, not a traceback."""
    from kybernetes.apiserver.authn.tokenfile import TokenFileError, parse_token_file
    from kybernetes.cli.main import UsageError, parse_duration
    from kybernetes.pki import jwt
    signing = args.service_account_signing_key_file or pki.path("sa.key")
    verifying = list(args.service_account_key_file) or [pki.path("sa.pub")]
    try:
        jwt.load_private_key(signing.read_bytes())
    except (jwt.JWTError, ValueError) as exc:
        raise UsageError(f"--service-account-signing-key-file: {signing}: {exc}") from None
    for path in verifying:
        try:
            if not jwt.load_public_keys(path.read_bytes()):
                raise UsageError(f"--service-account-key-file: {path}: no public key found")
        except (jwt.JWTError, ValueError) as exc:
            raise UsageError(f"--service-account-key-file: {path}: {exc}") from None
    if args.token_auth_file is not None:
        try:
            parse_token_file(args.token_auth_file.read_text(), str(args.token_auth_file))
        except (TokenFileError, UnicodeDecodeError) as exc:
            raise UsageError(f"--token-auth-file: {exc}") from None
    issuers = [i for i in args.service_account_issuer if i]
    bootstrap = args.enable_bootstrap_token_auth
    return {"token_auth_file": args.token_auth_file,
            "service_account_key_files": verifying,
            "service_account_signing_key_file": signing,
            "service_account_issuers": issuers,
            "api_audiences": [a.strip() for a in args.api_audiences.split(",") if a.strip()],
            "enable_bootstrap_token_auth": (getattr(args, "command", "") == "server")
            if bootstrap is None else bootstrap,
            "service_account_max_token_expiration": int(parse_duration(
                args.service_account_max_token_expiration)),
            "service_account_extend_token_expiration": args.service_account_extend_token_expiration,
            "disabled_admission_plugins": [
                p.strip() for p in args.disable_admission_plugins.split(",") if p.strip()],
            "extra": admission_config_settings(args)}


def admission_config_settings(args: argparse.Namespace) -> dict:
    """--admission-control-config-file, checked now: a bad file is a one-line error."""
    from kybernetes.cli.main import UsageError
    from kybernetes.podsecurity import ConfigError, load_admission_configuration
    path = getattr(args, "admission_control_config_file", None)
    if path is None:
        return {}
    try:
        load_admission_configuration(path)
    except ConfigError as exc:
        raise UsageError(f"--admission-control-config-file: {exc}") from None
    return {"admission_control_config_file": str(Path(path).resolve())}


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
    builder = None
    if getattr(args, "use_service_account_credentials", False):
        from kybernetes.controllers.clientbuilder import (ServiceAccountClientBuilder,
                                                          in_process_client_factory)
        builder = ServiceAccountClientBuilder(cm_client, in_process_client_factory(config.internal_socket))
    from kybernetes.cli.main import DISABLEABLE_CONTROLLERS, disabled_components
    disabled = disabled_components(args)
    controllers = ",".join([args.controllers] + [f"-{DISABLEABLE_CONTROLLERS[name]}" for name in sorted(
        disabled) if name in DISABLEABLE_CONTROLLERS])
    manager = ControllerManager(cm_client, controller_options(args, data_dir=Path(
        str(config.internal_socket)).parent), controllers, leader_elect=True,
        client_builder=builder)
    tasks = [asyncio.create_task(manager.run(), name="controller-manager")]
    from kybernetes.scheduler.scheduler import Scheduler
    scheduler_client = Client.in_process(config.internal_socket, "system:kube-scheduler",
                                         user_agent="kube-scheduler")
    _clients.append(scheduler_client)
    tasks.append(asyncio.create_task(Scheduler(scheduler_client).run(), name="scheduler"))
    if "dns" not in disabled:  # pods still get the .10 address: a DNS of the user's own serves it
        tasks.append(asyncio.create_task(_local_dns(config, args).run(fatal=False),
                                         name="dns"))
    # The server's own node (k3s's default): real pods with runc as root, host processes
    # otherwise, or a simulated node with `--runtime fake`; `--disable-agent` for none.
    # Stopping the server leaves containers running, as stopping a kubelet does.
    from kybernetes.cli.main import UsageError
    from kybernetes.dns.addon import cluster_dns_ip
    from kybernetes.kubelet.eviction import ThresholdError
    from kybernetes.kubelet.kubelet import default_runtime, local_kubelet, local_node_name
    from kybernetes.kubelet.runtimes import RuntimeNotAvailable
    from kybernetes.network.node import pod_network_options
    if getattr(args, "disable_agent", False):
        return tasks
    chosen = getattr(args, "runtime", None)
    node = local_node_name()
    kubelet_client = Client.in_process(config.internal_socket, f"system:node:{node}",
                                       user_agent="kubelet")
    _clients.append(kubelet_client)
    try:
        kubelet = local_kubelet(kubelet_client, chosen or default_runtime(), node_name=node,
                                node_ip=config.advertise_address, data_dir=str(Path(
                                    str(config.internal_socket)).parent),
                                disable_default_registry_endpoint=getattr(
                                    args, "disable_default_registry_endpoint", False),
                                cluster_dns=[cluster_dns_ip(config.service_cidr)],
                                cluster_domain=getattr(args, "cluster_domain", "cluster.local"),
                                eviction_hard=args.eviction_hard, eviction_soft=args.eviction_soft,
                                eviction_soft_grace_period=args.eviction_soft_grace_period,
                                eviction_pressure_transition_period=args.eviction_pressure_transition_period,
                                network_options=pod_network_options(args))
    except ThresholdError as exc:
        for task in tasks:
            task.cancel()
        raise UsageError(f"--eviction-hard/--eviction-soft: {exc}") from None
    except RuntimeNotAvailable as exc:
        if chosen:
            for task in tasks:
                task.cancel()
            raise UsageError(str(exc)) from None
        import logging
        logging.getLogger("kybernetes.server").warning("not registering this machine as a node: %s", exc)
        return tasks
    tasks.append(asyncio.create_task(kubelet.run(), name="kubelet"))
    proxy = _local_proxy(config, node, chosen or default_runtime(), args)
    if proxy is not None:
        tasks.append(asyncio.create_task(proxy.run(), name="kube-proxy"))
        network_policy = _local_network_policy(config, node, proxy.mode, args)
        if network_policy is not None:
            tasks.append(asyncio.create_task(network_policy.run(), name="network-policy"))
    # --flannel-backend=none: a third-party network plugin routes pods between nodes
    host_gateway = _local_host_gateway(config, node, chosen or default_runtime()) \
        if pod_network_options(args)["builtin_network"] else None
    if host_gateway is not None:
        tasks.append(asyncio.create_task(host_gateway.run(), name="host-gw"))
    ingress = _local_ingress(config, args)
    if ingress is not None:
        tasks.append(asyncio.create_task(ingress.run(fatal=False), name="ingress"))
    return tasks


def _local_ingress(config: APIServerConfig, args: argparse.Namespace):
    """The ingress controller on this node's host ports (k3s runs traefik there), with
    the default IngressClass "nginx"; off with `--disable ingress`."""
    from kybernetes.ingress.setup import local_ingress
    controller = local_ingress(config, args)
    if controller is not None:
        _clients.extend([controller.client, controller.installer])
    return controller


def _local_dns(config: APIServerConfig, args: argparse.Namespace):
    """The cluster DNS add-on on the advertise address (or, when that is loopback and
    pods run on a real network, on an address they route to: dns.addon's
    pod_reachable_address), port 53 when free (else a free port), published as
    kube-system/kube-dns at the service range's .10."""
    from kybernetes.client.rest import Client
    from kybernetes.dns.addon import READER
    from kybernetes.dns.component import DNSComponent
    reader = Client.in_process(config.internal_socket, READER, user_agent="coredns")
    # the add-on objects are written as kubeadm and k3s write theirs: with admin rights
    installer = Client.in_process(config.internal_socket, "system:apiserver", user_agent="kybernetes-dns")
    _clients.extend([reader, installer])
    from kybernetes.dns.addon import pod_reachable_address
    from kybernetes.kubelet.kubelet import default_runtime
    pod_network = not getattr(args, "disable_agent", False) and \
        (getattr(args, "runtime", None) or default_runtime()) == "runc"
    address = pod_reachable_address(config.advertise_address, certs.host_addresses()
                                    if pod_network else [], pod_network)
    return DNSComponent(reader, bind_address=address, port=53,
                        cluster_domain=getattr(args, "cluster_domain", "cluster.local"),
                        upstream_resolv=getattr(args, "resolv_conf", "/etc/resolv.conf"),
                        service_cidr=config.service_cidr, publish_client=installer,
                        node_name="" if getattr(args, "disable_agent", False) else _node_name())


def _node_name() -> str:
    from kybernetes.kubelet.kubelet import local_node_name
    return local_node_name()


def _local_proxy(config: APIServerConfig, node: str, runtime: str, args: argparse.Namespace):
    """kube-proxy for the server's own node: iptables with the runc pod network (as
    root with iptables), the userspace fallback for the process runtime."""
    import os
    from kybernetes.client.rest import Client
    from kybernetes.proxy.iptables import iptables_available
    from kybernetes.proxy.proxier import Proxier
    from kybernetes.proxy.rules import ProxyConfig
    if runtime == "runc" and os.geteuid() == 0 and iptables_available():
        mode = "iptables"
    elif runtime == "process":
        mode = "userspace"
    else:
        return None
    client = Client.in_process(config.internal_socket, "system:kube-proxy", user_agent="kube-proxy")
    _clients.append(client)
    # egress masquerade is the built-in network's (flannel's) rule, not a third party's
    from kybernetes.network.node import pod_network_options
    masquerade = mode == "iptables" and pod_network_options(args)["builtin_network"]
    return Proxier(client, ProxyConfig(node_name=node, cluster_cidr=getattr(
        args, "cluster_cidr", "10.244.0.0/16"), pod_egress_masquerade=masquerade), mode)


def _local_network_policy(config: APIServerConfig, node: str, proxy_mode: str,
                          args: argparse.Namespace):
    """NetworkPolicy enforcement beside an iptables kube-proxy (k3s embeds kube-router's
    the same way), with the proxy's identity; off with `--disable-network-policy`."""
    from kybernetes.client.rest import Client
    from kybernetes.netpol.controller import network_policy_controller
    if proxy_mode != "iptables" or getattr(args, "disable_network_policy", False):
        return None
    client = Client.in_process(config.internal_socket, "system:kube-proxy",
                               user_agent="kybernetes-netpol")
    _clients.append(client)
    return network_policy_controller(client, node)


def _local_host_gateway(config: APIServerConfig, node: str, runtime: str):
    """host-gw routes from this node to the other nodes' pod CIDRs (runc pods, as root)."""
    from kybernetes.client.rest import Client
    from kybernetes.network.hostgw import HostGateway, available
    from kybernetes.network.node import has_pod_network
    if not has_pod_network(runtime) or not available():
        return None
    # the proxy's identity: system:node-proxier reads Nodes, as flannel's account does
    client = Client.in_process(config.internal_socket, "system:kube-proxy", user_agent="kybernetes-hostgw")
    _clients.append(client)
    return HostGateway(client, node)


__all__ = ["prepare", "serve_forever"]
