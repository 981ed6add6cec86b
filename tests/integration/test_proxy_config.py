# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""`kybernetes proxy --config` with seed 000's KubeProxyConfiguration: a real proxy
process against a real `kybernetes server --disable-agent`, both inside a scratch
network namespace (so its iptables rules and `--cleanup` touch no other cluster on
this machine). The file's clusterCIDR shapes the rules, its healthzBindAddress
serves /healthz and /livez, an unknown field is a warning, and a bad file is one
line and exit status 2."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.integration.conftest import KUBECTL_DIR, free_port, make_user
from tests.support.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
needs_netns_iptables = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("iptables-restore"),
    reason="needs root, ip and iptables")

SEED_PROXY_CONFIG = """kind: KubeProxyConfiguration
apiVersion: kubeproxy.config.k8s.io/v1alpha1
clientConnection:
 kubeconfig: "{kubeconfig}"
mode: "iptables"
clusterCIDR: "10.30.0.0/16"
healthzBindAddress: "127.0.0.1:{healthz_port}"
udpIdleTimeout: 250ms
"""

HEALTH_GET = """
import sys, urllib.request, urllib.error
try:
    response = urllib.request.urlopen(sys.argv[1], timeout=5)
    print(response.status, response.headers["Content-Type"], response.read().decode())
except urllib.error.HTTPError as exc:
    print(exc.code, exc.headers["Content-Type"], exc.read().decode())
"""


def kybernetes(*argv: str) -> list[str]:
    return [sys.executable, "-m", "kybernetes.cli.main", *argv]


class Netns:
    def __init__(self) -> None:
        self.name = f"kybpc-{uuid.uuid4().hex[:6]}"

    def run(self, *argv: str, check: bool = True, timeout: float = 60, **options) -> subprocess.CompletedProcess:
        return subprocess.run(["ip", "netns", "exec", self.name, *argv], capture_output=True, text=True,
                              check=check, timeout=timeout, cwd=ROOT, **options)

    def popen(self, argv: list[str], log: Path) -> subprocess.Popen:
        return subprocess.Popen(["ip", "netns", "exec", self.name, *argv], cwd=ROOT,
                                stdout=open(log, "ab"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def kube_chains(netns: Netns) -> list[str]:
    return [line.split()[0][1:] for line in netns.run("iptables-save").stdout.splitlines()
            if line.startswith(":KUBE-")]


@pytest.fixture
def netns_server(tmp_path):
    """A scratch netns with `kybernetes server --disable-agent` listening on its loopback."""
    netns = Netns()
    subprocess.run(["ip", "netns", "add", netns.name], check=True)
    server = None
    try:
        netns.run("ip", "link", "set", "lo", "up")
        data_dir, port = tmp_path / "server", free_port()
        data_dir.mkdir()
        server = netns.popen(kybernetes("server", "--disable-agent", "--data-dir", str(data_dir),
                                        "--port", str(port), "--bind-address", "127.0.0.1"),
                             tmp_path / "server.log")
        admin = data_dir / "admin.kubeconfig"

        def ready() -> bool:
            assert server.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
            return admin.exists() and netns.run(str(KUBECTL_DIR / "kubectl.1.32"), "--kubeconfig", str(admin),
                                                "get", "--raw", "/readyz", check=False).returncode == 0
        wait_for(ready, timeout=90)
        yield netns, data_dir
    finally:
        if server is not None:
            stop(server)
        subprocess.run(["ip", "netns", "del", netns.name], check=False)


@needs_netns_iptables
def test_proxy_runs_from_the_seed_config_file_and_serves_healthz(netns_server, tmp_path):
    netns, data_dir = netns_server
    admin = data_dir / "admin.kubeconfig"

    def kubectl(*argv: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return netns.run(str(KUBECTL_DIR / "kubectl.1.32"), "--kubeconfig", str(admin), *argv, input=stdin)

    class DataDir:  # what make_user needs of a Server
        pass
    holder = DataDir()
    holder.data_dir = data_dir
    proxy_kubeconfig = make_user(holder, "system:kube-proxy")
    healthz_port = free_port()
    config = tmp_path / "kube-proxy-config.yaml"
    config.write_text(SEED_PROXY_CONFIG.format(kubeconfig=proxy_kubeconfig, healthz_port=healthz_port))
    log = tmp_path / "proxy.log"
    # a flag the file replaces, as upstream: ignored with a warning
    proxy = netns.popen(kybernetes("proxy", "--config", str(config), "--cluster-cidr", "10.99.0.0/16",
                                   "--hostname-override", "seed-node"), log)
    try:
        kubectl("create", "service", "clusterip", "web", "--tcp=80:8080")
        kubectl("apply", "-f", "-", stdin=json.dumps({
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": "web-manual", "labels": {"kubernetes.io/service-name": "web"}},
            "addressType": "IPv4", "ports": [{"name": "80-8080", "port": 8080, "protocol": "TCP"}],
            "endpoints": [{"addresses": ["10.30.1.5"], "conditions": {"ready": True}}]}))
        ip = json.loads(kubectl("get", "service", "web", "-o", "json").stdout)["spec"]["clusterIP"]

        def programmed() -> bool:
            assert proxy.poll() is None, log.read_text()[-3000:]
            return any(f"-d {ip}/32" in line and "! -s 10.30.0.0/16" in line and "KUBE-MARK-MASQ" in line
                       for line in netns.run("iptables-save", "-t", "nat").stdout.splitlines())
        wait_for(programmed, timeout=60)

        def health(path: str) -> list[str]:
            out = netns.run(sys.executable, "-c", HEALTH_GET, f"http://127.0.0.1:{healthz_port}{path}",
                            check=False).stdout
            return out.split(" ", 2) if out else []
        answer = wait_for(lambda: health("/healthz"), timeout=30)
        assert answer[:2] == ["200", "application/json"]
        body = json.loads(answer[2])
        assert body["nodeEligible"] is True and body["lastUpdated"].endswith(" +0000 UTC")
        assert health("/livez")[0] == "200"
        text = log.read_text()
        assert ('Using lenient decoding as strict decoding failed: strict decoding error: '
                'unknown field "udpIdleTimeout"') in text
        assert "--cluster-cidr ignored" in text
    finally:
        stop(proxy)
        netns.run(*kybernetes("proxy", "--cleanup"))
    assert kube_chains(netns) == []


@pytest.mark.parametrize("body,message", [
    ('kind: KubeProxyConfiguration\napiVersion: kubeproxy.config.k8s.io/v1alpha1\nmode: "ipvs"\n',
     'proxy mode "ipvs" is not supported: kybernetes implements only the iptables mode'),
    ("kind: KubeProxyConfiguration\napiVersion: componentconfig/v1alpha1\n",
     'no kind "KubeProxyConfiguration" is registered for version "componentconfig/v1alpha1"'),
    ("kind: KubeProxyConfiguration\napiVersion: kubeproxy.config.k8s.io/v1alpha1\niptables:\n"
     " masqueradeBit: high\n", "cannot unmarshal string into Go struct field "
     "KubeProxyConfiguration.iptables.masqueradeBit of type int32"),
    ("kind: KubeProxyConfiguration\n  apiVersion: [\n", "failed to decode: yaml: line 2"),
])
def test_bad_config_file_is_one_line_and_exit_status_2(tmp_path, body, message):
    config = tmp_path / "kube-proxy-config.yaml"
    config.write_text(body)
    result = subprocess.run(kybernetes("proxy", "--config", str(config)), capture_output=True, text=True,
                            cwd=ROOT, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert result.stderr.startswith(f"kybernetes: error: kube-proxy config file {config}: ")
