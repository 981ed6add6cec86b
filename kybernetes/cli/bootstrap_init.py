# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""`kybernetes init`, as `kubeadm init`: the PKI under /etc/kybernetes/pki and the
component kubeconfigs beside it (admin.conf, super-admin.conf, controller-manager.conf,
scheduler.conf, kubelet.conf), a systemd unit running `kybernetes server` with the chosen
flags, the server started (in the foreground, or left running with --detach), a bootstrap
token, and the `kybernetes join` line for worker nodes. Every path is a flag, so tests
(and unusual hosts) never touch /etc."""
from __future__ import annotations

import argparse
import asyncio
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

from kybernetes.cli.bootstrap_preflight import run_preflight
from kybernetes.cli.errors import UsageError

KUBEADM_CLUSTER_ADMINS = "kubeadm:cluster-admins"
ADMIN_USER = "kubernetes-admin"
CONTROL_PLANE_ROLE = "node-role.kubernetes.io/control-plane"


def add_init_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--control-plane-endpoint", default="",
                        help="a stable host:port for the control plane (put in every kubeconfig, "
                             "cluster-info and the serving certificate)")
    parser.add_argument("--apiserver-advertise-address", default="",
                        help="the address the API server advertises (default: the first host address)")
    parser.add_argument("--apiserver-bind-port", type=int, default=6443)
    parser.add_argument("--bind-address", default="0.0.0.0", help="the address the API server listens on")
    parser.add_argument("--apiserver-cert-extra-sans", default="", help="extra names/IPs, comma separated")
    parser.add_argument("--pod-network-cidr", default="10.244.0.0/16", help="the pods' CIDR (--cluster-cidr)")
    parser.add_argument("--service-cidr", default="10.96.0.0/12", help="the Services' CIDR")
    parser.add_argument("--data-dir", type=Path, default=Path("/var/lib/kybernetes"),
                        help="the server's data dir (store, logs)")
    parser.add_argument("--pki-dir", "--cert-dir", dest="pki_dir", type=Path,
                        default=Path("/etc/kybernetes/pki"), help="where the certificates go")
    parser.add_argument("--kubeconfig-dir", type=Path, default=None,
                        help="where admin.conf and the other kubeconfigs go (default: the PKI dir's parent)")
    parser.add_argument("--systemd-dir", type=Path, default=Path("/etc/systemd/system"),
                        help="where kybernetes.service is written")
    parser.add_argument("--ignore-preflight-errors", action="append", default=[],
                        help="checks whose errors become warnings, comma separated (e.g. Swap,Port-6443; all)")
    parser.add_argument("--token", default="", help="the bootstrap token to create (default: a random one)")
    parser.add_argument("--token-ttl", default="24h", help="the token's lifetime (0: never expires)")
    parser.add_argument("--runtime", default=None, choices=("fake", "runc", "process"),
                        help="how the control plane's own node runs pods (as `kybernetes server`)")
    parser.add_argument("--disable-agent", action="store_true", help="the control plane is not a node")
    parser.add_argument("--detach", action="store_true",
                        help="leave the server running in the background (pid in DATA_DIR/server.pid)")


def server_argv(args: argparse.Namespace, advertise: str) -> list[str]:
    """`kybernetes server`'s flags for this control plane."""
    argv = ["server", "--data-dir", str(args.data_dir), "--port", str(args.apiserver_bind_port),
            "--bind-address", args.bind_address, "--advertise-address", advertise,
            "--cluster-cidr", args.pod_network_cidr, "--service-cluster-ip-range", args.service_cidr,
            "--client-ca-file", str(args.pki_dir / "ca.crt"),
            "--cluster-signing-cert-file", str(args.pki_dir / "ca.crt"),
            "--cluster-signing-key-file", str(args.pki_dir / "ca.key")]
    for san in tls_sans(args):
        argv += ["--tls-san", san]
    if args.runtime:
        argv += ["--runtime", args.runtime]
    if args.disable_agent:
        argv.append("--disable-agent")
    return argv


def tls_sans(args: argparse.Namespace) -> list[str]:
    sans = [s.strip() for s in args.apiserver_cert_extra_sans.split(",") if s.strip()]
    if args.control_plane_endpoint:
        sans.append(split_endpoint(args.control_plane_endpoint)[0])
    return list(dict.fromkeys(sans))


def split_endpoint(endpoint: str) -> tuple[str, int | None]:
    host, sep, port = endpoint.rpartition(":")
    if not sep or "]" in port:
        return endpoint.strip("[]"), None
    try:
        return host.strip("[]"), int(port)
    except ValueError:
        raise UsageError(f"--control-plane-endpoint: {endpoint!r} is not host[:port]") from None


def server_url(args: argparse.Namespace, advertise: str) -> str:
    if args.control_plane_endpoint:
        host, port = split_endpoint(args.control_plane_endpoint)
        port = port or args.apiserver_bind_port
    else:
        host, port = advertise, args.apiserver_bind_port
    return f"https://[{host}]:{port}" if ":" in host else f"https://{host}:{port}"


def systemd_unit(argv: list[str]) -> str:
    command = " ".join(shlex.quote(a) for a in [sys.executable, "-m", "kybernetes.cli.main", *argv])
    return ("[Unit]\nDescription=kybernetes control plane (kybernetes server)\n"
            "Documentation=https://kubernetes.io/docs/\nWants=network-online.target\n"
            "After=network-online.target\n\n[Service]\nType=simple\n"
            f"ExecStart={command}\nRestart=always\nRestartSec=5\nKillMode=process\n"
            "LimitNOFILE=1048576\n\n[Install]\nWantedBy=multi-user.target\n")


def write_pki_and_kubeconfigs(args: argparse.Namespace, advertise: str, node: str) -> Path:
    """The PKI and kubeconfigs; the data dir's pki/ points at the PKI dir so that the server
    uses the same CA. Returns admin.conf's path."""
    from kybernetes.pki import certs, kubeconfig
    kubeconfig_dir = args.kubeconfig_dir or args.pki_dir.parent
    sans = certs.default_serving_sans(args.service_cidr, extra=[advertise, *tls_sans(args)])
    pki = certs.ensure_pki(args.pki_dir, sans)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    link = args.data_dir / "pki"
    if link.is_symlink() or not link.exists():
        if link.is_symlink():
            link.unlink()
        link.symlink_to(args.pki_dir.resolve())
    elif link.resolve() != args.pki_dir.resolve():
        raise UsageError(f"[preflight] {link} already holds another PKI; remove it or choose another --data-dir")
    url = server_url(args, advertise)
    identities = {
        "admin.conf": (ADMIN_USER, [KUBEADM_CLUSTER_ADMINS]),
        "super-admin.conf": (ADMIN_USER, ["system:masters"]),
        "controller-manager.conf": ("system:kube-controller-manager", []),
        "scheduler.conf": ("system:kube-scheduler", []),
        "kubelet.conf": (f"system:node:{node}", ["system:nodes"]),
    }
    for file_name, (user, groups) in identities.items():
        client = certs.new_client_cert(pki.ca, user, groups)
        kubeconfig.write_kubeconfig(kubeconfig_dir / file_name, kubeconfig.kubeconfig_yaml(
            url, pki.ca.cert_pem, client=client, cluster_name="kubernetes", user_name=user,
            context_name=f"{user}@kubernetes"))
    return kubeconfig_dir / "admin.conf"


def _wait_for_server(process: subprocess.Popen, admin_conf: Path, log: Path, timeout: float = 120) -> None:
    import ssl
    import urllib.request
    from kybernetes.pki.kubeconfig import load_kubeconfig
    config = load_kubeconfig(admin_conf)
    context = ssl.create_default_context(cadata=(config.ca_pem() or b"").decode())
    context.check_hostname = False  # the endpoint may be an address the certificate also covers
    deadline = time.monotonic() + timeout
    url = config.server() + "/readyz"
    while True:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise UsageError(f"the API server exited ({process.returncode}); its log ({log}):\n{tail}")
        try:
            with urllib.request.urlopen(url, context=context, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise UsageError(f"the API server did not become ready at {url}; see {log}")
        time.sleep(0.5)


def cluster_configuration(args: argparse.Namespace) -> dict:
    """kubeadm's ClusterConfiguration, kept in kube-system/kubeadm-config as kubeadm keeps it."""
    from kybernetes import KUBERNETES_VERSION
    config = {"apiVersion": "kubeadm.k8s.io/v1beta4", "kind": "ClusterConfiguration",
              "clusterName": "kubernetes", "kubernetesVersion": KUBERNETES_VERSION,
              "certificatesDir": str(args.pki_dir),
              "networking": {"dnsDomain": "cluster.local", "podSubnet": args.pod_network_cidr,
                             "serviceSubnet": args.service_cidr}}
    if args.control_plane_endpoint:
        config["controlPlaneEndpoint"] = args.control_plane_endpoint
    return config


async def _mark_control_plane(client, node: str) -> None:
    """kubeadm's mark-control-plane phase: the role label and the NoSchedule taint."""
    from kybernetes.client.rest import resource
    nodes = resource("nodes")
    for _ in range(120):  # the server's kubelet registers its node shortly after start
        found = await client.get_or_none(nodes, node)
        if found is not None:
            break
        await asyncio.sleep(0.5)
    else:
        print(f"[mark-control-plane] node {node} did not register; not marked", flush=True)
        return
    taints = [t for t in (found.get("spec") or {}).get("taints") or [] if t.get("key") != CONTROL_PLANE_ROLE]
    taints.append({"key": CONTROL_PLANE_ROLE, "effect": "NoSchedule"})
    await client.patch(nodes, node, {"metadata": {"labels": {
        CONTROL_PLANE_ROLE: "", "node.kubernetes.io/exclude-from-external-load-balancers": ""}},
        "spec": {"taints": taints}})
    print(f"[mark-control-plane] Marking the node {node} as control-plane by adding the labels: "
          f"[{CONTROL_PLANE_ROLE} node.kubernetes.io/exclude-from-external-load-balancers] and the taints "
          f"[{CONTROL_PLANE_ROLE}:NoSchedule]", flush=True)


async def _publish(admin_conf: Path, url: str, args: argparse.Namespace, node: str) -> str:
    """Create the bootstrap token; point cluster-info at the control-plane URL; keep the
    configuration in kubeadm-config; mark the control-plane node."""
    token_text, ttl = args.token, args.token_ttl
    import datetime
    from kybernetes.cli.bootstrap import create_token, parse_ttl
    from kybernetes.client.rest import Client, resource
    from kybernetes.pki import tokens
    import yaml
    client = Client.from_kubeconfig(admin_conf, user_agent="kybernetes-init")
    try:
        text = token_text or tokens.generate_token()
        token_id, secret = tokens.parse_token(text)
        lifetime = parse_ttl(ttl)
        now = datetime.datetime.now(datetime.timezone.utc)
        await create_token(client, tokens.BootstrapToken(token_id, secret, "The default bootstrap token "
                                                         "generated by 'kybernetes init'.",
                                                         None if lifetime is None else now + lifetime))
        configmaps = resource("configmaps")
        for _ in range(50):  # the server creates cluster-info right after it starts
            info = await client.get_or_none(configmaps, "cluster-info", "kube-public")
            if info is not None:
                break
            await asyncio.sleep(0.2)
        else:
            raise UsageError("kube-public/cluster-info was not created by the API server")
        config = yaml.safe_load(info["data"]["kubeconfig"])
        if config["clusters"][0]["cluster"].get("server") != url:
            config["clusters"][0]["cluster"]["server"] = url
            info["data"]["kubeconfig"] = yaml.safe_dump(config, sort_keys=False)
            await client.update(configmaps, info)
        from kybernetes.apiserver.errors import ApiError
        try:
            await client.create(configmaps, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {
                "name": "kubeadm-config", "namespace": "kube-system"}, "data": {
                "ClusterConfiguration": yaml.safe_dump(cluster_configuration(args), sort_keys=False)}})
        except ApiError as exc:
            if exc.code != 409:
                raise
        print("[upload-config] Storing the configuration used in ConfigMap \"kubeadm-config\" in the "
              "\"kube-system\" Namespace", flush=True)
        if not args.disable_agent:
            await _mark_control_plane(client, node)
        return text
    except tokens.TokenError as exc:
        raise UsageError(str(exc)) from None
    finally:
        await client.close()


def _join_banner(admin_conf: Path, line: str) -> str:
    endpoint_and_token, _, hash_part = line.partition(" --discovery-token-ca-cert-hash ")
    return ("\nYour Kubernetes control-plane has initialized successfully!\n\n"
            "To start using your cluster, you need to run the following as a regular user:\n\n"
            "  mkdir -p $HOME/.kube\n"
            f"  sudo cp -i {admin_conf} $HOME/.kube/config\n"
            "  sudo chown $(id -u):$(id -g) $HOME/.kube/config\n\n"
            "Alternatively, if you are the root user, you can run:\n\n"
            f"  export KUBECONFIG={admin_conf}\n\n"
            "You should now deploy a pod network to the cluster.\n\n"
            "Then you can join any number of worker nodes by running the following on each as root:\n\n"
            f"{endpoint_and_token} \\\n\t--discovery-token-ca-cert-hash {hash_part}\n")


def preflight_checks(args: argparse.Namespace, kubeconfig_dir: Path) -> list:
    from kybernetes.cli import bootstrap_preflight as checks
    found = [checks.privileged_user(), checks.port_free(args.apiserver_bind_port, args.bind_address),
             checks.file_available(kubeconfig_dir / "admin.conf"), checks.swap_off(),
             checks.file_content(Path("/proc/sys/net/ipv4/ip_forward"), "1"), checks.file_existing("iptables")]
    if args.runtime == "runc":
        found.append(checks.file_existing("runc"))
    return found


def init_main(args: argparse.Namespace) -> int:
    from kybernetes.cli.bootstrap import join_command
    from kybernetes.cli.serve import _advertise_address
    from kybernetes.kubelet.kubelet import local_node_name
    kubeconfig_dir = args.kubeconfig_dir or args.pki_dir.parent
    if not 1 <= args.apiserver_bind_port <= 65535:
        raise UsageError(f"--apiserver-bind-port: {args.apiserver_bind_port} is not a TCP port")
    print("[preflight] Running pre-flight checks", flush=True)
    for warning in run_preflight(preflight_checks(args, kubeconfig_dir), {
            item.strip() for flag in args.ignore_preflight_errors for item in flag.split(",") if item.strip()}):
        print(warning, flush=True)
    advertise = _advertise_address(args.apiserver_advertise_address, args.bind_address)
    node = local_node_name()  # the name `kybernetes server` registers its node under
    print(f"[certs] Using certificateDir folder {args.pki_dir}", flush=True)
    admin_conf = write_pki_and_kubeconfigs(args, advertise, node)
    print(f"[kubeconfig] Wrote admin.conf, super-admin.conf, controller-manager.conf, scheduler.conf "
          f"and kubelet.conf to {kubeconfig_dir}", flush=True)
    argv = server_argv(args, advertise)
    unit = args.systemd_dir / "kybernetes.service"
    from kybernetes.pki.certs import write_file_atomic
    write_file_atomic(unit, systemd_unit(argv).encode(), 0o644)
    print(f"[control-plane] Wrote {unit}", flush=True)
    log = args.data_dir / "server.log"
    with open(log, "ab") as log_file:
        process = subprocess.Popen([sys.executable, "-m", "kybernetes.cli.main", *argv], stdout=log_file,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=args.detach)
    (args.data_dir / "server.pid").write_text(f"{process.pid}\n")
    try:
        _wait_for_server(process, admin_conf, log)
        print(f"[control-plane] the API server is ready (log {log})", flush=True)
        url = server_url(args, advertise)
        token = asyncio.run(_publish(admin_conf, url, args, node))
        from kybernetes.pki.kubeconfig import load_kubeconfig
        print(f"[bootstrap-token] Using token: {token}", flush=True)
        line = join_command(url, token, load_kubeconfig(admin_conf).ca_pem() or b"")
        sys.stdout.write(_join_banner(admin_conf, line))
        sys.stdout.flush()
    except BaseException:
        process.terminate()
        process.wait()
        raise
    if args.detach:
        return 0
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: process.terminate())
    return process.wait()
