# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""`kybernetes scheduler`: the scheduler alone, as kube-scheduler is run (`--config` with a
KubeSchedulerConfiguration, or `--kubeconfig`), leading through the kube-scheduler Lease."""
from __future__ import annotations

import argparse
import asyncio


def add_scheduler_flags(parser: argparse.ArgumentParser) -> None:
    from kybernetes.cli.main import _bool
    parser.add_argument("--kubeconfig", default="",
                        help="kubeconfig of the scheduler's identity (or clientConnection.kubeconfig in --config)")
    parser.add_argument("--master", default="",
                        help="API server URL, or several comma separated for the client-side load balancer "
                             "(overrides the kubeconfig's server and kybernetes.io/servers)")
    parser.add_argument("--config", default="", help="a KubeSchedulerConfiguration file")
    parser.add_argument("--leader-elect", type=_bool, default=None, nargs="?", const=True)
    parser.add_argument("--leader-elect-resource-name", default="")
    parser.add_argument("--leader-elect-resource-namespace", default="")
    parser.add_argument("-v", "--v", dest="verbosity", type=int, default=0)
    # accepted for compatibility with kube-scheduler command lines; not served here
    for flag in ("--bind-address", "--secure-port", "--authentication-kubeconfig",
                 "--authorization-kubeconfig", "--tls-cert-file", "--tls-private-key-file"):
        parser.add_argument(flag, default=None, help=argparse.SUPPRESS)


def load(args: argparse.Namespace):
    """The configuration from --config and the flags; ConfigError (a ValueError, which
    the CLI prints as a one-line error) when it is unusable."""
    from kybernetes.scheduler.config import ConfigError, SchedulerConfig, load_config
    config = load_config(args.config) if args.config else SchedulerConfig()
    if args.kubeconfig:
        config.kubeconfig = args.kubeconfig
    if args.leader_elect is not None:
        config.leader_elect = args.leader_elect
    if args.leader_elect_resource_name:
        config.lease_name = args.leader_elect_resource_name
    if args.leader_elect_resource_namespace:
        config.lease_namespace = args.leader_elect_resource_namespace
    if not config.kubeconfig:
        raise ConfigError("--kubeconfig (or clientConnection.kubeconfig in --config) is required")
    return config


async def scheduler_main(args: argparse.Namespace) -> int:
    from kybernetes.cli.components import until_signalled
    from kybernetes.client.rest import Client
    from kybernetes.scheduler.scheduler import Scheduler
    config = load(args)
    client = Client.from_kubeconfig(config.kubeconfig, servers=args.master or None,
                                    user_agent="kube-scheduler")
    try:
        scheduler = Scheduler(client, config)
        task = asyncio.create_task(scheduler.run(), name="scheduler")
        await until_signalled(task)
        task.cancel()
        try:
            await task
        except (asyncio.CancelledError, Exception):
            pass
        if scheduler.elector is not None and scheduler.elector.is_leader:
            await scheduler.elector.release()
    finally:
        await client.close()
    return 0
