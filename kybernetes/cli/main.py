# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The `kybernetes` command: one entry point for every component."""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

# Flags upstream has removed, with what replaced them: a one-line error, not a traceback.
REMOVED_FLAGS = {
    "--experimental-encryption-provider-config": "--encryption-provider-config",
    "--kubelet-https": "nothing (kubelet connections are always HTTPS)",
    "--enable-swagger-ui": "nothing (the OpenAPI documents are served at /openapi/v2 and /openapi/v3)",
    "--insecure-port": "nothing (only --secure-port is served)",
    "--insecure-bind-address": "nothing (only --bind-address with TLS is served)",
}


from kybernetes.cli.errors import UsageError  # noqa: E402  (re-exported for the components)

# What `kybernetes server --disable NAME` can turn off (k3s's --disable), and the
# controller each name removes from --controllers, if it is one.
DISABLEABLE = ("ingress", "servicelb", "local-storage", "dns")
DISABLEABLE_CONTROLLERS = {"servicelb": "servicelb", "local-storage": "local-path-provisioner"}


def disabled_components(args: argparse.Namespace) -> set[str]:
    """--disable values (repeated or comma separated), checked against DISABLEABLE."""
    names = {n.strip() for item in getattr(args, "disable", None) or [] for n in item.split(",")
             if n.strip()}
    unknown = sorted(names - set(DISABLEABLE))
    if unknown:
        raise UsageError(f"--disable: unknown component {', '.join(unknown)} "
                         f"(valid: {', '.join(DISABLEABLE)})")
    return names


def default_data_dir() -> Path:
    if os.geteuid() == 0:
        return Path("/var/lib/kybernetes")
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "kybernetes"


def add_apiserver_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="where the database, PKI and admin.kubeconfig live "
                             "(default /var/lib/kybernetes as root, ~/.local/share/kybernetes otherwise)")
    parser.add_argument("--bind-address", default="0.0.0.0")
    parser.add_argument("--port", "--secure-port", dest="port", type=int, default=6443)
    parser.add_argument("--advertise-address", default="",
                        help="the address other members of the cluster reach this server on")
    parser.add_argument("--service-cluster-ip-range", dest="service_cidr", default="10.96.0.0/12")
    parser.add_argument("--service-node-port-range", dest="node_port_range", default="30000-32767")
    parser.add_argument("--tls-san", action="append", default=[],
                        help="extra name or IP for the serving certificate (repeatable)")
    parser.add_argument("--datastore", default="",
                        help="sqlite (default, <data-dir>/state.db), sqlite:PATH, memory:, "
                             "or etcd (with --etcd-servers) / etcd:URL[,URL]")
    parser.add_argument("--etcd-servers", default="",
                        help="etcd client URLs, comma separated (implies --datastore etcd)")
    parser.add_argument("--etcd-cafile", default=None)
    parser.add_argument("--etcd-certfile", default=None)
    parser.add_argument("--etcd-keyfile", default=None)
    parser.add_argument("--authorization-mode", default="Node,RBAC",
                        help="ordered authorizers, comma separated: AlwaysAllow, AlwaysDeny, "
                             "Node, RBAC")
    parser.add_argument("--anonymous-auth", default="true", choices=("true", "false"),
                        help="treat requests without credentials as system:anonymous "
                             "(false: they get 401)")
    parser.add_argument("--token-auth-file", type=Path, default=None,
                        help="static bearer tokens: CSV lines token,user,uid,\"group1,group2\"")
    parser.add_argument("--service-account-key-file", type=Path, action="append", default=[],
                        help="PEM public (or private) keys that verify service-account tokens "
                             "(repeatable; default <data-dir>/pki/sa.pub)")
    parser.add_argument("--service-account-signing-key-file", type=Path, default=None,
                        help="PEM private key that signs service-account tokens "
                             "(default <data-dir>/pki/sa.key)")
    parser.add_argument("--service-account-issuer", action="append", default=[],
                        help="issuer (iss) of service-account tokens; the first signs, all are "
                             "accepted (default https://kubernetes.default.svc.cluster.local)")
    parser.add_argument("--service-account-max-token-expiration", default="0s",
                        help="longest lifetime a requested token gets (e.g. 24h; 0s: no maximum)")
    parser.add_argument("--service-account-extend-token-expiration", type=_bool, default=True,
                        nargs="?", const=True,
                        help="give kubelets' pod tokens (3607 s) a year of life, warning after the hour")
    parser.add_argument("--api-audiences", default="",
                        help="audiences the API accepts in tokens, comma separated "
                             "(default: the first --service-account-issuer)")
    parser.add_argument("--enable-bootstrap-token-auth", type=_bool, default=None, nargs="?",
                        const=True, help="accept bootstrap tokens (kube-system "
                                         "bootstrap-token-<id> Secrets) as bearer tokens "
                                         "(default: on for `server`, off for `apiserver`)")
    parser.add_argument("--enable-admission-plugins", default="",
                        help="admission plugins to run besides the defaults, comma separated "
                             "(every plugin kybernetes has is on by default)")
    parser.add_argument("--disable-admission-plugins", default="",
                        help="default admission plugins to turn off, comma separated "
                             "(e.g. ServiceAccount for an API server without controllers)")
    parser.add_argument("--admission-control-config-file", type=Path, default=None,
                        help="AdmissionConfiguration (apiserver.config.k8s.io/v1) with the "
                             "plugins' configurations (PodSecurity defaults and exemptions)")
    parser.add_argument("--etcd-compaction-interval", default="5m",
                        help="how often old revisions are removed from the store")
    parser.add_argument("--event-ttl", default="1h",
                        help="how long an Event is kept after its last update (e.g. 1h, 30m, 90s)")
    parser.add_argument("--tls-cert-file", type=Path, default=None,
                        help="serving certificate (default: issued under <data-dir>/pki)")
    parser.add_argument("--tls-private-key-file", type=Path, default=None)
    parser.add_argument("--client-ca-file", type=Path, default=None,
                        help="CA that signs client certificates (default <data-dir>/pki/ca.crt)")
    parser.add_argument("-v", "--v", dest="verbosity", type=int, default=0)
    from kybernetes.cli.encryption_audit import add_encryption_audit_flags
    add_encryption_audit_flags(parser)


def parse_duration(text: str) -> float:
    """Go-style durations as upstream flags take them: 1h, 30m, 90s, 1h30m, 500ms."""
    import re
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise UsageError(f"invalid duration {text!r} (use e.g. 1h, 30m, 90s)")
    scale = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    return sum(float(n) * scale[u] for n, u in parts)


def _bool(text: str) -> bool:
    if text.lower() in ("true", "1", "yes"):
        return True
    if text.lower() in ("false", "0", "no"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def add_controller_manager_flags(parser: argparse.ArgumentParser, standalone: bool = True) -> None:
    if standalone:
        parser.add_argument("--kubeconfig", type=Path, required=True,
                            help="kubeconfig of the controller manager's identity")
        parser.add_argument("--master", default="",
                            help="API server URL, or several comma separated for the client-side load balancer "
                                 "(overrides the kubeconfig's server and kybernetes.io/servers)")
        parser.add_argument("--leader-elect", type=_bool, default=True, nargs="?", const=True)
        parser.add_argument("--leader-elect-lease-duration", default="15s")
        parser.add_argument("--leader-elect-renew-deadline", default="10s")
        parser.add_argument("--leader-elect-retry-period", default="2s")
        parser.add_argument("-v", "--v", dest="verbosity", type=int, default=0)
        parser.add_argument("--cluster-cidr", default="10.244.0.0/16")
        parser.add_argument("--service-cluster-ip-range", dest="service_cidr", default="10.96.0.0/12")
    parser.add_argument("--controllers", default="*",
                        help="controllers to run: * for all, foo to add, -foo to remove")
    parser.add_argument("--allocate-node-cidrs", type=_bool, default=True, nargs="?", const=True)
    parser.add_argument("--node-cidr-mask-size", type=int, default=24)
    parser.add_argument("--root-ca-file", type=Path, default=None)
    parser.add_argument("--cluster-signing-cert-file", type=Path, default=None)
    parser.add_argument("--cluster-signing-key-file", type=Path, default=None)
    parser.add_argument("--service-account-private-key-file", type=Path, default=None)
    parser.add_argument("--cluster-signing-duration", default="8760h",
                        help="the longest lifetime of certificates the CSR signer issues (e.g. 8760h, 60s)")
    parser.add_argument("--use-service-account-credentials", type=_bool, default=False,
                        nargs="?", const=True)
    parser.add_argument("--node-monitor-grace-period", default="50s")
    parser.add_argument("--cluster-name", default="kubernetes")


def _check_removed_flags(argv: list[str]) -> None:
    for arg in argv:
        flag = arg.split("=", 1)[0]
        if flag in REMOVED_FLAGS:
            raise UsageError(f"flag {flag} has been removed; use {REMOVED_FLAGS[flag]} instead")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kybernetes",
                                     description="Kubernetes, rewritten in Python.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    server = commands.add_parser("server", help="run a single-node cluster (API server and the components)")
    add_apiserver_flags(server)
    add_controller_manager_flags(server, standalone=False)
    server.add_argument("--cluster-cidr", default="10.244.0.0/16")
    server.add_argument("--runtime", default=None, choices=("fake", "runc", "process"),
                        help="how this machine runs pods as the cluster's node: runc (OCI "
                             "containers; the default as root with runc installed), process "
                             "(host processes, the default otherwise) or fake (simulated)")
    from kybernetes.kubelet.flags import add_eviction_flags
    add_eviction_flags(server)
    server.add_argument("--disable-agent", action="store_true",
                        help="do not run a kubelet: this machine is not a node (k3s's flag)")
    server.add_argument("--disable-network-policy", action="store_true",
                        help="do not enforce NetworkPolicies on this node (k3s's flag)")
    from kybernetes.network.node import add_pod_network_flags
    add_pod_network_flags(server)  # --flannel-backend, --cni-conf-dir, --cni-bin-dir
    server.add_argument("--cluster-domain", default="cluster.local",
                        help="the cluster's DNS domain, served by the in-process cluster DNS")
    server.add_argument("--resolv-conf", default="/etc/resolv.conf",
                        help="resolv.conf whose nameservers the cluster DNS forwards other names to")
    server.add_argument("--disable-default-registry-endpoint", action="store_true",
                        help="pull only from the mirrors in registries.yaml, never from the "
                             "registry an image names (k3s's flag)")
    server.add_argument("--disable", action="append", default=[], metavar="COMPONENT",
                        help="do not run a packaged component (k3s's flag; repeat or comma "
                             f"separate): {', '.join(DISABLEABLE)}")
    server.add_argument("--ingress-http-port", type=int, default=80,
                        help="host port the ingress controller's nginx serves HTTP on")
    server.add_argument("--ingress-https-port", type=int, default=443,
                        help="host port the ingress controller's nginx serves HTTPS on")
    apiserver = commands.add_parser("apiserver", help="run the API server alone")
    add_apiserver_flags(apiserver)
    cm = commands.add_parser("controller-manager", help="run the controllers alone")
    add_controller_manager_flags(cm)
    scheduler = commands.add_parser("scheduler", help="run the scheduler alone")
    from kybernetes.cli.scheduler import add_scheduler_flags
    add_scheduler_flags(scheduler)
    agent = commands.add_parser("agent", help="run the kubelet: join a cluster as a node")
    from kybernetes.kubelet.flags import add_agent_flags
    add_agent_flags(agent)
    proxy = commands.add_parser("proxy", help="run kube-proxy: program this node's Services "
                                "(iptables, or a userspace proxy without a pod network)")
    from kybernetes.proxy.options import add_proxy_flags
    add_proxy_flags(proxy)
    netpol = commands.add_parser("netpol", help="enforce NetworkPolicies on this node with "
                                 "iptables (kube-router's way); --cleanup removes the rules")
    from kybernetes.netpol.controller import add_netpol_flags
    add_netpol_flags(netpol)
    dns = commands.add_parser("dns", help="run the cluster DNS server (CoreDNS's kubernetes "
                              "records; other names forwarded to the node's resolvers)")
    from kybernetes.dns.flags import add_dns_flags
    add_dns_flags(dns)
    ingress = commands.add_parser("ingress", help="run the ingress controller: nginx configured "
                                  "from Ingress objects")
    from kybernetes.ingress.component import add_ingress_flags
    add_ingress_flags(ingress)
    simulate = commands.add_parser("simulate", help="simulate many nodes (fake runtime) against $KUBECONFIG")
    from kybernetes.kubelet.flags import add_simulate_flags
    add_simulate_flags(simulate)
    snapshot = commands.add_parser("snapshot", help="save or restore a snapshot of the store "
                                   "(SQLite online backup or etcd snapshot)")
    from kybernetes.cli.snapshot import add_snapshot_flags
    add_snapshot_flags(snapshot)
    migrate = commands.add_parser("migrate", help="copy every object between stores (sqlite:PATH, "
                                  "etcd:URL); resourceVersions change")
    from kybernetes.cli.migrate import add_migrate_flags
    add_migrate_flags(migrate)
    images = commands.add_parser("images", help="import, list and remove the node's container "
                                 "images (DATA_DIR/images)")
    from kybernetes.cli.images import add_images_flags
    add_images_flags(images)
    kubectl = commands.add_parser("kubectl", help="run kubectl against the local cluster",
                                  add_help=False)
    kubectl.add_argument("args", nargs=argparse.REMAINDER)
    kubeconfig_parser = commands.add_parser("kubeconfig", help="kubeconfig files: `kubeconfig user "
                                            "NAME --group G` issues one for a new user")
    from kybernetes.cli.kubeconfig_user import add_kubeconfig_flags
    add_kubeconfig_flags(kubeconfig_parser)
    from kybernetes.cli.bootstrap import add_bootstrap_commands
    add_bootstrap_commands(commands)
    commands.add_parser("version", help="print the version")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["kubectl"]:
        return run_kubectl(argv[1:])
    parser = build_parser()
    try:
        _check_removed_flags(argv)
        args = parser.parse_args(argv)
        if args.command in ("server", "apiserver"):
            return run_server(args, components=args.command == "server")
        if args.command == "controller-manager":
            return run_async(args, "kybernetes.cli.components", "controller_manager_main")
        if args.command == "scheduler":
            return run_async(args, "kybernetes.cli.scheduler", "scheduler_main")
        if args.command == "agent":
            return run_async(args, "kybernetes.kubelet.agent", "agent_main")
        if args.command == "proxy":
            return run_async(args, "kybernetes.proxy.proxier", "proxy_main")
        if args.command == "netpol":
            return run_async(args, "kybernetes.netpol.controller", "netpol_main")
        if args.command == "dns":
            return run_async(args, "kybernetes.dns.component", "dns_main")
        if args.command == "ingress":
            return run_async(args, "kybernetes.ingress.component", "ingress_main")
        if args.command == "simulate":
            return run_async(args, "kybernetes.kubelet.simulate", "simulate_main")
        if args.command == "snapshot":
            return run_async(args, "kybernetes.cli.snapshot", "snapshot_main")
        if args.command == "migrate":
            return run_async(args, "kybernetes.cli.migrate", "migrate_main")
        if args.command == "images":
            from kybernetes.cli.images import images_main
            return images_main(args)
        if args.command == "kubeconfig":
            from kybernetes.cli.kubeconfig_user import kubeconfig_main
            return kubeconfig_main(args)
        if args.command in ("token", "join", "certs", "init"):
            from kybernetes.cli.bootstrap import bootstrap_main
            return bootstrap_main(args)
        if args.command == "version":
            from kybernetes import KUBERNETES_VERSION, __version__
            print(f"kybernetes {__version__} (Kubernetes {KUBERNETES_VERSION} API)")
            return 0
        parser.print_help()
        return 2
    except UsageError as exc:
        print(f"kybernetes: error: {exc}", file=sys.stderr)
        return 2


def run_kubectl(args: list[str]) -> int:
    data_dir = Path(os.environ.get("KYBERNETES_DATA_DIR") or default_data_dir())
    kubeconfig = data_dir / "admin.kubeconfig"
    if not kubeconfig.exists():
        print(f"kybernetes: error: {kubeconfig} does not exist; start the cluster with "
              f"`kybernetes server` first", file=sys.stderr)
        return 1
    kubectl = os.environ.get("KUBECTL", "kubectl")
    env = dict(os.environ, KUBECONFIG=str(kubeconfig))
    try:
        os.execvpe(kubectl, [kubectl, *args], env)
    except FileNotFoundError:
        print(f"kybernetes: error: {kubectl} not found on PATH", file=sys.stderr)
        return 127
    return 0


def _fixed_mmap_threshold() -> None:
    """Keep glibc from raising its mmap threshold after big lists are freed: large
    response buffers then stay mmapped and go back to the OS when freed, instead of
    staying in the heap as resident memory the process never uses again."""
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        M_MMAP_THRESHOLD = -3
        libc.mallopt(M_MMAP_THRESHOLD, 1 << 20)
    except (OSError, AttributeError):  # not glibc: nothing to tune
        pass


def _setup_runtime(verbosity: int) -> None:
    _fixed_mmap_threshold()
    logging.basicConfig(level=logging.DEBUG if verbosity >= 4 else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        import uvloop
        uvloop.install()
    except ImportError:  # uvloop is optional on platforms without it
        pass


def run_async(args: argparse.Namespace, module: str, function: str) -> int:
    """Run `module.function(args)` on the event loop with the common error handling."""
    import importlib
    _setup_runtime(getattr(args, "verbosity", 0))
    entry = getattr(importlib.import_module(module), function)
    try:
        return asyncio.run(entry(args)) or 0
    except KeyboardInterrupt:
        return 0
    except UsageError as exc:
        print(f"kybernetes: error: {exc}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(f"kybernetes: error: {exc}", file=sys.stderr)
        return 1


def run_server(args: argparse.Namespace, components: bool) -> int:
    from kybernetes.cli.serve import serve_forever
    _setup_runtime(args.verbosity)
    try:
        return asyncio.run(serve_forever(args, components))
    except KeyboardInterrupt:
        return 0
    except UsageError as exc:
        print(f"kybernetes: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"kybernetes: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
