# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""`kybernetes agent`: the kubelet of this machine (TLS bootstrap, the config file, the
runtime) and, beside it, the node's share of the network (kybernetes.network.node) and
client-certificate rotation."""
from __future__ import annotations

import asyncio
import logging

from kybernetes.client.rest import Client
from kybernetes.kubelet.kubelet import default_runtime, local_kubelet, local_node_name, usage_error

log = logging.getLogger("kybernetes.kubelet")


def _client_ca(args) -> bytes | None:
    """--client-ca-file, else the CA the kubeconfig trusts (the cluster's)."""
    if getattr(args, "client_ca_file", None) is not None:
        return args.client_ca_file.read_bytes()
    from kybernetes.pki.kubeconfig import load_kubeconfig
    return load_kubeconfig(args.kubeconfig).ca_pem()


async def agent_main(args) -> int:
    """`kybernetes agent`: this machine joins the cluster as a node."""
    from kybernetes.cli.components import until_signalled
    from kybernetes.kubelet.node import parse_labels, parse_taints
    from kybernetes.kubelet.runtimes import RuntimeNotAvailable
    from kybernetes.kubelet.kubeletconfig import KubeletConfigError, apply_config_file, configure_kubelet
    try:
        for warning in apply_config_file(args):  # --config; flags given win over its fields
            log.warning("%s", warning)
    except KubeletConfigError as exc:
        return usage_error(str(exc))
    runtime_name = args.runtime or default_runtime()
    try:
        labels = parse_labels(args.node_labels)
        taints = parse_taints(args.register_with_taints)
    except ValueError as exc:
        return usage_error(str(exc))
    if getattr(args, "bootstrap_kubeconfig", None) is not None and not args.kubeconfig.is_file():
        # TLS bootstrap, as the kubelet's: a client certificate through a CSR made with
        # the bootstrap kubeconfig's token, written to --kubeconfig
        from kybernetes.cli.bootstrap_join import JoinError, kubelet_tls_bootstrap
        try:
            from kybernetes.kubelet.certrotation import cert_dir
            await kubelet_tls_bootstrap(args.bootstrap_kubeconfig, args.kubeconfig,
                                        local_node_name(args.hostname_override), pki_dir=cert_dir(args))
        except (JoinError, OSError, ValueError) as exc:
            return usage_error(f"--bootstrap-kubeconfig: {exc}")
    if not args.kubeconfig.is_file():
        return usage_error(f"--kubeconfig: {args.kubeconfig} does not exist")
    if getattr(args, "client_ca_file", None) is not None and not args.client_ca_file.is_file():
        return usage_error(f"--client-ca-file: {args.client_ca_file} does not exist")
    from kybernetes.network.node import check_node_network_flags, pod_network_options
    if (network_error := check_node_network_flags(args)) is not None:
        return usage_error(network_error)
    client = Client.from_kubeconfig(args.kubeconfig, user_agent="kubelet")
    if args.server:
        client.base_url = args.server.rstrip("/")
    try:
        try:
            kubelet = local_kubelet(client, runtime_name, node_name=args.hostname_override,
                                    node_ip=args.node_ip, labels=labels, taints=taints,
                                    max_pods=args.max_pods, pod_cidr=args.pod_cidr,
                                    kubelet_address=args.kubelet_address,
                                    kubelet_port=args.kubelet_port,
                                    client_ca_pem=_client_ca(args),
                                    root_dir=str(getattr(args, "root_dir", "") or ""),
                                    disable_default_registry_endpoint=args.disable_default_registry_endpoint,
                                    cluster_dns=[ip for ip in args.cluster_dns.split(",") if ip],
                                    cluster_domain=args.cluster_domain,
                                    eviction_hard=args.eviction_hard, eviction_soft=args.eviction_soft,
                                    eviction_soft_grace_period=args.eviction_soft_grace_period,
                                    eviction_pressure_transition_period=args.eviction_pressure_transition_period,
                                    authorization_mode=args.authorization_mode,
                                    healthz_port=args.healthz_port,
                                    healthz_bind_address=args.healthz_bind_address,
                                    network_options=pod_network_options(args))
            configure_kubelet(kubelet, args)  # static pods, image GC, the server's authn
        except RuntimeNotAvailable as exc:
            return usage_error(str(exc))
        except ValueError as exc:  # an eviction flag upstream would refuse too
            return usage_error(str(exc))
        # the built-in pod network takes the node's range from spec.podCIDR when not given
        # (a third-party plugin has its own IPAM: its pods wait for its config instead)
        kubelet.requires_pod_cidr = runtime_name == "runc" and not args.pod_cidr and \
            pod_network_options(args)["builtin_network"]
        task = asyncio.create_task(kubelet.run(), name="kubelet")
        # kube-proxy, NetworkPolicy and host-gw routes beside the kubelet, in this node's
        # network namespace, as system:kube-proxy
        from kybernetes.network.node import start_node_network
        network_tasks, network_clients = start_node_network(
            args, kubelet.node_name, runtime_name, args.server)
        # client certificate rotation for the node's own credential
        from kybernetes.kubelet.certrotation import manager_for
        rotation = manager_for(args, client, kubelet.node_name)
        if rotation is not None:
            network_tasks = [*network_tasks, asyncio.create_task(rotation.run(), name="certificate-rotation")]
        try:
            await until_signalled(task, *network_tasks)
        finally:
            for running in (task, *network_tasks):
                running.cancel()
            await asyncio.gather(task, *network_tasks, return_exceptions=True)
            for network_client in network_clients:
                await network_client.close()
    finally:
        await client.close()
    return 0
