# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Two `kybernetes apiserver --datastore etcd` on one 3-member TLS etcd cluster and one
PKI: each sees the other's writes and watches, Service ClusterIPs and NodePorts are
never handed out twice across them, /readyz reports etcd, and the client-side load
balancer moves requests and watches to the surviving server when one dies."""
from __future__ import annotations

import asyncio
import json
import ssl
import subprocess
import urllib.error
import urllib.request
import uuid

import pytest

from kybernetes.apiserver.errors import ApiError
from kybernetes.client.rest import Client, resource
from tests.integration.conftest import Kubectl, Server
from tests.support.etcd import EtcdCluster, EtcdMember, etcd_available
from tests.support.ha import start_apiservers, write_ha_kubeconfig
from tests.support.waiting import wait_for

pytestmark = pytest.mark.skipif(not etcd_available(), reason="etcd is not installed")

CONFIGMAPS = resource("configmaps")
SERVICES = resource("services")


@pytest.fixture(scope="module")
def control_plane(tmp_path_factory):
    base = tmp_path_factory.mktemp("ha")
    etcd = EtcdCluster(base / "etcd").start()
    try:
        servers = start_apiservers(base, 2, etcd.apiserver_flags())
    except Exception:
        etcd.stop()
        raise
    kubeconfig = write_ha_kubeconfig(servers, base / "ha.kubeconfig")
    yield etcd, servers, kubeconfig
    for server in servers:
        server.stop()
    etcd.stop()


def kubectl_for(server: Server, tmp_path) -> Kubectl:
    return Kubectl(server, tmp_path / f"cache-{server.port}")


def run(coroutine):
    return asyncio.run(coroutine)


def configmap(name: str, value: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
            "data": {"value": value}}


def test_each_server_sees_the_others_writes_and_watches(control_plane, tmp_path):
    _, (first, second), _ = control_plane
    kubectl_a, kubectl_b = kubectl_for(first, tmp_path), kubectl_for(second, tmp_path)
    namespace = f"ha-{uuid.uuid4().hex[:6]}"
    kubectl_a.run("create", "namespace", namespace)
    kubectl_a.run("create", "configmap", "-n", namespace, "from-a", "--from-literal=k=a")
    got = wait_for(lambda: kubectl_b.run("get", "configmap", "-n", namespace, "from-a",
                                         "-o", "json", check=False).stdout)
    assert json.loads(got)["data"] == {"k": "a"}

    async def watch_on_b_write_on_a() -> list[tuple[str, str]]:
        on_a = Client.from_kubeconfig(first.kubeconfig)
        on_b = Client.from_kubeconfig(second.kubeconfig)
        try:
            _, rv = await on_b.list(CONFIGMAPS, namespace)
            seen: list[tuple[str, str]] = []

            async def watch() -> None:
                async for kind, obj in on_b.watch(CONFIGMAPS, namespace, resource_version=rv):
                    if kind != "BOOKMARK":
                        seen.append((kind, obj["metadata"]["name"]))
                    if len(seen) == 3:
                        return
            task = asyncio.create_task(watch())
            await on_a.create(CONFIGMAPS, configmap("w1", "1"), namespace)
            await on_a.patch(CONFIGMAPS, "w1", {"data": {"value": "2"}}, namespace)
            await on_a.delete(CONFIGMAPS, "w1", namespace)
            await asyncio.wait_for(task, 30)
            return seen
        finally:
            await on_a.close()
            await on_b.close()
    assert run(watch_on_b_write_on_a()) == [("ADDED", "w1"), ("MODIFIED", "w1"), ("DELETED", "w1")]


def test_service_ips_and_node_ports_are_unique_across_servers(control_plane, tmp_path):
    _, (first, second), _ = control_plane
    namespace = f"ha-{uuid.uuid4().hex[:6]}"
    kubectl_for(first, tmp_path).run("create", "namespace", namespace)

    def service(name: str, node_port: int | None = None) -> dict:
        port = {"port": 80, "targetPort": 8080}
        if node_port:
            port["nodePort"] = node_port
        return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
                "spec": {"type": "NodePort", "selector": {"app": name}, "ports": [port]}}

    async def create_many() -> list[dict]:
        clients = [Client.from_kubeconfig(first.kubeconfig), Client.from_kubeconfig(second.kubeconfig)]
        try:
            created = await asyncio.gather(*(
                clients[i % 2].create(SERVICES, service(f"s{i}"), namespace) for i in range(24)))
            # a port one server handed out is refused by the other
            taken = created[0]["spec"]["ports"][0]["nodePort"]
            with pytest.raises(ApiError) as refused:
                await clients[1].create(SERVICES, service("dup", taken), namespace)
            assert refused.value.code == 422
            assert "provided port is already allocated" in refused.value.message
            # a released port can be taken again through the other server
            await clients[0].delete(SERVICES, "s0", namespace)
            again = await clients[1].create(SERVICES, service("again", taken), namespace)
            assert again["spec"]["ports"][0]["nodePort"] == taken
            return created
        finally:
            for client in clients:
                await client.close()
    created = run(create_many())
    ips = [s["spec"]["clusterIP"] for s in created]
    ports = [s["spec"]["ports"][0]["nodePort"] for s in created]
    assert len(set(ips)) == len(ips), ips
    assert len(set(ports)) == len(ports), ports


def test_readyz_verbose_lists_etcd(control_plane, tmp_path):
    _, (first, second), _ = control_plane
    for server in (first, second):
        out = kubectl_for(server, tmp_path).run("get", "--raw", "/readyz?verbose").stdout
        assert "[+]etcd ok" in out and out.strip().endswith("readyz check passed")


def test_readyz_reports_etcd_down_while_livez_stays_ok(tmp_path):
    etcd = EtcdMember(tmp_path / "etcd").start()
    server = Server(tmp_path / "apiserver", ["--datastore", "etcd", "--etcd-servers", etcd.url])
    try:
        server.start()
        context = ssl.create_default_context(cafile=str(server.data_dir / "pki" / "ca.crt"))

        def get(path: str) -> tuple[int, str]:
            try:
                with urllib.request.urlopen(server.url + path, context=context, timeout=10) as r:
                    return r.status, r.read().decode()
            except urllib.error.HTTPError as exc:
                return exc.code, exc.read().decode()
        assert get("/readyz") == (200, "ok")
        etcd.stop()
        status, text = wait_for(lambda: (lambda r: r[0] == 500 and r)(get("/readyz?verbose")))
        assert "[-]etcd failed: reason withheld" in text
        assert "[+]ping ok" in text and text.strip().endswith("readyz check failed")
        assert get("/livez")[0] == 200
    finally:
        server.stop()
        etcd.stop()


def test_client_load_balancer_fails_over_requests_and_resumes_watches(control_plane, tmp_path):
    """Last in this module: it kills the first API server."""
    _, (first, second), kubeconfig = control_plane
    # kubectl still works with the extension in its kubeconfig (it talks to `server`)
    kubectl_ha = Kubectl(Server.__new__(Server), tmp_path / "cache-ha")
    kubectl_ha.server.kubeconfig = kubeconfig
    namespace = f"ha-{uuid.uuid4().hex[:6]}"
    kubectl_ha.run("create", "namespace", namespace)

    async def scenario() -> None:
        balanced = Client.from_kubeconfig(kubeconfig)
        writer = Client.from_kubeconfig(second.kubeconfig)
        assert balanced.servers == [first.url, second.url]
        assert balanced.base_url == first.url
        try:
            await balanced.create(CONFIGMAPS, configmap("k", "0"), namespace)
            _, rv = await balanced.list(CONFIGMAPS, namespace)
            seen: list[str] = []
            written: list[str] = []

            async def watch() -> None:
                async for kind, obj in balanced.watch(CONFIGMAPS, namespace, resource_version=rv):
                    if kind == "MODIFIED":
                        seen.append(obj["metadata"]["resourceVersion"])
                    if len(seen) == 10:
                        return
            task = asyncio.create_task(watch())
            for i in range(1, 11):
                updated = await writer.patch(CONFIGMAPS, "k", {"data": {"value": str(i)}}, namespace)
                written.append(updated["metadata"]["resourceVersion"])
                if i == 4:
                    await asyncio.sleep(0.5)  # the watch on the first server has these
                    first.kill()
            await asyncio.wait_for(task, 60)
            assert seen == written  # nothing missed across the failover, nothing twice
            # requests fail over too: the first server is gone
            got = await balanced.get(CONFIGMAPS, "k", namespace)
            assert got["data"]["value"] == "10"
            assert balanced.base_url == second.url
        finally:
            await balanced.close()
            await writer.close()
    run(scenario())


def _nginx_stream_module() -> str | None:
    for path in ("/usr/lib/nginx/modules/ngx_stream_module.so",
                 "/usr/share/nginx/modules/ngx_stream_module.so"):
        try:
            open(path).close()
            return path
        except OSError:
            continue
    return None


@pytest.mark.skipif(_nginx_stream_module() is None,
                    reason="nginx has no stream module (Debian's nginx-light lacks libnginx-mod-stream)")
def test_nginx_stream_load_balancer_in_front(control_plane, tmp_path):  # pragma: no cover
    _, servers, _ = control_plane
    alive = [s for s in servers if s.process and s.process.poll() is None]
    from tests.integration.conftest import free_port
    port = free_port()
    upstreams = "".join(f"    server 127.0.0.1:{s.port} max_fails=1 fail_timeout=5s;\n" for s in alive)
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"load_module {_nginx_stream_module()};\npid {tmp_path}/nginx.pid;\n"
                    f"error_log {tmp_path}/error.log;\nevents {{}}\n"
                    f"stream {{\n  upstream apiservers {{\n{upstreams}  }}\n"
                    f"  server {{\n    listen 127.0.0.1:{port};\n    proxy_pass apiservers;\n  }}\n}}\n")
    nginx = subprocess.Popen(["nginx", "-c", str(conf), "-g", "daemon off;"],
                             stderr=subprocess.DEVNULL)
    try:
        front = Server.__new__(Server)
        front.kubeconfig = tmp_path / "lb.kubeconfig"
        front.kubeconfig.write_text(alive[0].kubeconfig.read_text().replace(
            alive[0].url, f"https://127.0.0.1:{port}"))
        kubectl = Kubectl(front, tmp_path / "cache-nginx")
        wait_for(lambda: kubectl.run("get", "--raw", "/readyz", check=False).returncode == 0)
        assert "default" in kubectl.run("get", "namespaces").stdout
    finally:
        nginx.terminate()
        nginx.wait(10)
