# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Running the components, alone (`--kubeconfig F`) or inside `kybernetes server`."""
from __future__ import annotations

import argparse
import asyncio
import signal

from kybernetes.client.rest import Client
from kybernetes.controllers.base import ControllerOptions
from kybernetes.controllers.manager import ControllerManager


def controller_options(args: argparse.Namespace, data_dir=None) -> ControllerOptions:
    from kybernetes.cli.main import parse_duration
    return ControllerOptions(
        cluster_cidr=args.cluster_cidr, allocate_node_cidrs=args.allocate_node_cidrs,
        node_cidr_mask_size=args.node_cidr_mask_size, service_cidr=args.service_cidr,
        root_ca_file=args.root_ca_file, cluster_signing_cert_file=args.cluster_signing_cert_file,
        cluster_signing_key_file=args.cluster_signing_key_file,
        cluster_signing_duration=_signing_duration(args.cluster_signing_duration),
        service_account_private_key_file=args.service_account_private_key_file,
        node_monitor_grace_period=parse_duration(args.node_monitor_grace_period),
        data_dir=data_dir)


def _signing_duration(text: str) -> float:
    from kybernetes.cli.main import UsageError, parse_duration
    seconds = parse_duration(text)
    if seconds <= 0:
        raise UsageError(f"--cluster-signing-duration: {text} is not a positive duration")
    return seconds


def lease_timing(args: argparse.Namespace) -> dict:
    """--leader-elect-lease-duration/-renew-deadline/-retry-period (upstream 15s/10s/2s:
    a dead leader is replaced 15 to 17 s after its last renewal)."""
    from kybernetes.cli.main import parse_duration
    return {"lease_duration": parse_duration(args.leader_elect_lease_duration),
            "renew_deadline": parse_duration(args.leader_elect_renew_deadline),
            "retry_period": parse_duration(args.leader_elect_retry_period)}


async def until_signalled(*tasks: asyncio.Task) -> None:
    """Wait for SIGINT/SIGTERM or for any task to end (an error ends the process)."""
    stop = asyncio.get_running_loop().create_future()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    done, _ = await asyncio.wait([stop, *tasks], return_when=asyncio.FIRST_COMPLETED)
    for task in tasks:
        if task in done and task.exception() is not None:
            raise task.exception()


async def controller_manager_main(args: argparse.Namespace) -> int:
    client = Client.from_kubeconfig(args.kubeconfig, servers=args.master or None,
                                    user_agent="kube-controller-manager")
    try:
        builder = None
        if args.use_service_account_credentials:
            from kybernetes.controllers.clientbuilder import (ServiceAccountClientBuilder,
                                                              kubeconfig_client_factory)
            builder = ServiceAccountClientBuilder(client, kubeconfig_client_factory(
                args.kubeconfig, args.master or None))
        manager = ControllerManager(client, controller_options(args), args.controllers,
                                    leader_elect=args.leader_elect,
                                    lease_timing=lease_timing(args), client_builder=builder)
        task = asyncio.create_task(manager.run())
        await until_signalled(task)
        task.cancel()
        if manager.elector is not None and manager.elector.is_leader:
            await manager.elector.release()
    finally:
        await client.close()
    return 0
