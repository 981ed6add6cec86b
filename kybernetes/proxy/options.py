# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""`kybernetes proxy`'s flags (upstream kube-proxy's names) and how they combine with
`--config` into the ProxySettings it runs with (pure).

As upstream: without --config the flags are the settings; with it the file is, and
the flags it replaces are ignored (logged here, silently upstream); a non-empty
--hostname-override and --master still apply."""
from __future__ import annotations

import argparse

from kybernetes.componentconfig import explicit_flags, track_explicit_flags
from kybernetes.proxy.config import (HEALTHZ_PORT, METRICS_PORT, ProxyConfigError, ProxySettings,
                                     check_mode, load_proxy_config, validate)

# flags that still apply when --config is given (they are not settings of the file)
APPLIES_WITH_CONFIG = {"config", "cleanup", "verbosity", "hostname_override", "master"}


def _duration_flag(text: str) -> float:
    from kybernetes.kubelet.eviction import ThresholdError, parse_duration
    try:
        return parse_duration(text)
    except ThresholdError:
        raise argparse.ArgumentTypeError(f'invalid duration "{text}"') from None


def add_proxy_flags(parser: argparse.ArgumentParser) -> None:
    track_explicit_flags(parser)  # to name the flags --config makes kube-proxy ignore
    parser.add_argument("--config", default="",
                        help="a KubeProxyConfiguration (kubeproxy.config.k8s.io/v1alpha1) file; "
                             "as upstream, it replaces the other flags but --hostname-override")
    parser.add_argument("--kubeconfig", default="", help="kubeconfig of the proxy's identity")
    parser.add_argument("--master", default="",
                        help="the API server's address (overrides the kubeconfig's)")
    parser.add_argument("--hostname-override", default="", help="the node name (default: hostname)")
    parser.add_argument("--bind-address", default="0.0.0.0",
                        help="the node's primary IP, as kube-proxy's flag (nothing binds to it)")
    parser.add_argument("--healthz-bind-address", default=f"0.0.0.0:{HEALTHZ_PORT}",
                        help="IP:port of the /healthz and /livez server ('' disables it)")
    parser.add_argument("--metrics-bind-address", default=f"127.0.0.1:{METRICS_PORT}",
                        help="IP:port of upstream's metrics server (accepted; kybernetes's "
                             "proxy serves no /metrics)")
    parser.add_argument("--bind-address-hard-fail", action="store_true",
                        help="exit if the healthz server cannot bind its address")
    parser.add_argument("--cluster-cidr", default="10.244.0.0/16",
                        help="pod CIDR: traffic from outside it to a ClusterIP is masqueraded")
    parser.add_argument("--proxy-mode", default="",
                        help="iptables (default as root with iptables) or userspace")
    parser.add_argument("--nodeport-addresses", default="",
                        help="CIDRs of the local addresses that serve NodePorts, comma "
                             "separated (default: every local address)")
    parser.add_argument("--masquerade-all", action="store_true",
                        help="SNAT all traffic sent via Service cluster IPs")
    parser.add_argument("--iptables-masquerade-bit", type=int, default=14,
                        help="the fwmark bit that marks packets to SNAT, 0 to 31")
    parser.add_argument("--iptables-sync-period", type=_duration_flag, default=30.0,
                        help="how often the rules are rewritten anyway (e.g. 30s, 1m)")
    parser.add_argument("--iptables-min-sync-period", type=_duration_flag, default=1.0,
                        help="the least time between two rule syncs (e.g. 1s)")
    parser.add_argument("--cleanup", action="store_true",
                        help="remove every rule kube-proxy made, then exit")
    parser.add_argument("-v", "--v", dest="verbosity", type=int, default=0)


def settings_from_flags(args: argparse.Namespace) -> ProxySettings:
    settings = ProxySettings(
        kubeconfig=args.kubeconfig, master=args.master, hostname_override=args.hostname_override,
        bind_address=args.bind_address, healthz_bind_address=args.healthz_bind_address,
        metrics_bind_address=args.metrics_bind_address,
        bind_address_hard_fail=args.bind_address_hard_fail, mode=args.proxy_mode,
        cluster_cidr=args.cluster_cidr,
        nodeport_addresses=[c for c in args.nodeport_addresses.split(",") if c],
        masquerade_all=args.masquerade_all, masquerade_bit=args.iptables_masquerade_bit,
        sync_period=args.iptables_sync_period, min_sync_period=args.iptables_min_sync_period)
    try:
        validate(settings)
    except ProxyConfigError as exc:  # name the flags, not the file's fields
        raise ProxyConfigError(_flag_wording(str(exc))) from None
    return settings


def _flag_wording(message: str) -> str:
    for path, flag in (("iptables.masqueradeBit", "--iptables-masquerade-bit"),
                       ("iptables.syncPeriod", "--iptables-sync-period"),
                       ("iptables.minSyncPeriod", "--iptables-min-sync-period"),
                       ("bindAddress", "--bind-address"), ("healthzBindAddress", "--healthz-bind-address"),
                       ("metricsBindAddress", "--metrics-bind-address"), ("clusterCIDR", "--cluster-cidr"),
                       ("nodePortAddresses", "--nodeport-addresses"), ("mode", "--proxy-mode")):
        message = message.replace(f"KubeProxyConfiguration.{path}:", f"{flag}:")
    return message


def resolve_settings(args: argparse.Namespace) -> ProxySettings:
    """The settings kube-proxy runs with; raises ProxyConfigError."""
    if not args.config:
        check_mode(args.proxy_mode)
        return settings_from_flags(args)
    settings = load_proxy_config(args.config)
    ignored = sorted(explicit_flags(args) - APPLIES_WITH_CONFIG)
    if ignored:
        names = ", ".join("--" + dest.replace("_", "-") for dest in ignored)
        settings.warnings.append(f"{names} ignored: --config {args.config} gives kube-proxy's settings "
                                 f"(as upstream, only --hostname-override and --master apply with it)")
    if args.hostname_override.strip():
        settings.hostname_override = args.hostname_override.strip().lower()
    elif args.hostname_override:
        raise ProxyConfigError("empty hostname-override is invalid")
    if args.master:
        settings.master = args.master
    return settings


def agent_proxy_settings(args: argparse.Namespace) -> ProxySettings:
    """The in-process kube-proxy's settings in `kybernetes agent`: `--proxy-config`'s
    file if given, where the agent's own flags (--cluster-cidr, --nodeport-addresses,
    --proxy-kubeconfig) were not given, as the agent's flags win over its kubelet's
    --config too. Without a file: the agent's flags, and no health server (a file
    turns it on at its healthzBindAddress). Raises ProxyConfigError."""
    if not getattr(args, "proxy_config", None):
        proxy_kubeconfig = getattr(args, "proxy_kubeconfig", None)
        return ProxySettings(cluster_cidr=args.cluster_cidr, healthz_bind_address="", metrics_bind_address="",
                             nodeport_addresses=[c for c in args.nodeport_addresses.split(",") if c],
                             kubeconfig=str(proxy_kubeconfig) if proxy_kubeconfig is not None else "")
    settings = load_proxy_config(args.proxy_config)
    given = explicit_flags(args)
    if "cluster_cidr" in given or not settings.cluster_cidr:
        settings.cluster_cidr = args.cluster_cidr
    if "nodeport_addresses" in given:
        settings.nodeport_addresses = [c for c in args.nodeport_addresses.split(",") if c]
    if getattr(args, "proxy_kubeconfig", None) is not None:
        settings.kubeconfig = str(args.proxy_kubeconfig)
    if settings.hostname_override:
        settings.warnings.append(f"hostnameOverride {settings.hostname_override!r} in {args.proxy_config} "
                                 "ignored: the agent's kube-proxy serves the agent's own node")
    return settings
