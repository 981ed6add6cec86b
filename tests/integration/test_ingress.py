# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The ingress controller end to end with Debian's nginx.

- nginx itself: the rendered configuration passes `nginx -t -c`; a configuration nginx
  refuses leaves the running one serving.
- `kybernetes ingress` alone against a `kybernetes server`, as the ingress-nginx role's
  user, with Services whose EndpointSlices point at HTTP servers in this process: hosts,
  paths, TLS, the default backend, reloads without a failed request, status, classes.
- `kybernetes server --runtime runc` running it in-process in front of real nginx pods.
"""
from __future__ import annotations

import asyncio
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

from tests.integration.conftest import Kubectl, Server, free_port, make_user
from tests.support.waiting import wait_for
from tests.unit.ingress_fixtures import certificate, tls_secret

pytestmark = pytest.mark.skipif(not shutil.which("nginx", path=f"{os.defpath}:/usr/sbin")
                                or not shutil.which("curl"), reason="needs nginx and curl")
NGINX = shutil.which("nginx", path=f"{os.defpath}:/usr/sbin") or "nginx"


# ------------------------------------------------------------------ helpers
class Backend:
    """An HTTP server on loopback answering `<name> <path> host=... xff=... proto=...`."""

    def __init__(self, name: str) -> None:
        self.name = name
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                body = (f"{outer.name} {self.path} host={self.headers.get('Host')} "
                        f"xff={self.headers.get('X-Forwarded-For')} "
                        f"proto={self.headers.get('X-Forwarded-Proto')} "
                        f"real={self.headers.get('X-Real-IP')}\n").encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def curl(url: str, *args: str) -> tuple[int, str]:
    """(HTTP status, body); status 0 when the request failed."""
    result = subprocess.run(["curl", "-s", "-S", "--max-time", "10", "-o", "-", "-w",
                             "\n%{http_code}", *args, url], capture_output=True, text=True)
    body, _, code = result.stdout.rpartition("\n")
    return (int(code) if code.isdigit() else 0), body


def resolve(host: str, port: int) -> list[str]:
    return ["--resolve", f"{host}:{port}:127.0.0.1"]


def service_with_endpoints(name: str, port: int) -> list[dict]:
    """A Service without selector and an EndpointSlice sending it to 127.0.0.1:port."""
    return [{"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
             "spec": {"ports": [{"name": "http", "port": 80, "targetPort": port}]}},
            {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
             "metadata": {"name": f"{name}-manual", "labels": {
                 "kubernetes.io/service-name": name,
                 "endpointslice.kubernetes.io/managed-by": "test.kybernetes.io"}},
             "addressType": "IPv4",
             "ports": [{"name": "http", "port": port, "protocol": "TCP"}],
             "endpoints": [{"addresses": ["127.0.0.1"], "conditions": {"ready": True}}]}]


def ingress_object(name: str, rules: list[dict], **spec) -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": name},
            "spec": {"rules": rules, **spec}}


def host_rule(host: str, *paths: tuple[str, str, str]) -> dict:
    return {"host": host, "http": {"paths": [
        {"path": p, "pathType": t, "backend": {"service": {"name": s, "port": {"number": 80}}}}
        for p, t, s in paths]}}


def apply(k: Kubectl, namespace: str, *objects: dict) -> None:
    k.run("apply", "-n", namespace, "-f", "-",
          input=json.dumps({"apiVersion": "v1", "kind": "List", "items": list(objects)}))


def nginx_masters_of(directory: Path) -> list[int]:
    """nginx master processes started with a configuration under `directory`."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        title = b" ".join(argv)  # nginx rewrites its title: "nginx: master process <argv>"
        if b"nginx: master process" in title and str(directory).encode() in title:
            out.append(int(entry.name))
    return out


# ------------------------------------------------------------------ nginx alone
def test_rendered_configuration_passes_nginx_t(tmp_path):
    from kybernetes.ingress import model
    from kybernetes.ingress.nginx import prepare_directory, sync_certificates
    from kybernetes.ingress.render import Layout, render
    from tests.unit.ingress_fixtures import (backend, endpoint_slice, ingress, path, rule,
                                             service)
    layout = Layout(tmp_path / "ing", free_port(), free_port())
    prepare_directory(layout)
    cert, key = certificate(["secure.example.test"])
    built = model.build(
        [ingress("one", [rule("a.example.test", path("/", "a"), path("/api", "b"),
                              path("/exact", "b", "Exact")),
                         rule("secure.example.test", path("/", "a")),
                         rule("broken.example.test", path("/", "a")),
                         rule("*.wild.example.test", path("/x", "missing")),
                         rule("", path("/root", "a"))],
                 tls=[{"hosts": ["secure.example.test"], "secretName": "good"},
                      {"hosts": ["broken.example.test"], "secretName": "absent"}],
                 default_backend=backend("b")),
         ingress("two", [rule("a.example.test", path("/api", "a"), path("/healthz", "a"))],
                 created="2026-02-01T00:00:00Z")],
        [service("a"), service("b")],
        [endpoint_slice("a", ["10.244.0.5"]), endpoint_slice("b", ["10.244.0.6", "fd00::6"])],
        [tls_secret("good", cert, key)])
    sync_certificates(layout, built.certificates)
    layout.config.write_text(render(built, layout))
    result = subprocess.run([NGINX, "-t", "-c", str(layout.config), "-p", str(layout.directory),
                             "-e", str(layout.error_log)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr
    for pem in layout.certificates.iterdir():
        assert pem.stat().st_mode & 0o777 == 0o600


def test_nginx_reload_and_a_refused_configuration_keeps_the_old_one(tmp_path):
    from kybernetes.ingress import model
    from kybernetes.ingress.nginx import ConfigurationRefused, Nginx, prepare_directory
    from kybernetes.ingress.render import Layout, render
    from tests.unit.ingress_fixtures import endpoint_slice, ingress, path, rule, service
    backend_a, backend_b = Backend("alpha"), Backend("beta")
    layout = Layout(tmp_path / "ing", free_port(), free_port(), bind_address="127.0.0.1")
    prepare_directory(layout)
    nginx = Nginx(layout, NGINX)

    def config(port: int) -> str:
        return render(model.build([ingress(rules=[rule("h.test", path("/", "a"))])], [service("a")],
                                  [endpoint_slice("a", ["127.0.0.1"], [("", port)])], []), layout)

    async def scenario() -> None:
        try:
            await nginx.apply(config(backend_a.port))
            assert nginx.running
            url = f"http://h.test:{layout.http_port}/"
            assert curl(url, *resolve("h.test", layout.http_port))[1].startswith("alpha /")
            first_workers = nginx.workers()
            await nginx.apply(config(backend_b.port))
            assert nginx.workers() - first_workers  # new workers: the reload happened
            assert curl(url, *resolve("h.test", layout.http_port))[1].startswith("beta /")
            master = nginx.process.pid
            with pytest.raises(ConfigurationRefused, match="unknown directive"):
                await nginx.apply(config(backend_a.port).replace("sendfile on;", "nonsense on;"))
            assert nginx.process.pid == master
            assert curl(url, *resolve("h.test", layout.http_port))[1].startswith("beta /")
            assert "nonsense" not in layout.config.read_text()
        finally:
            await nginx.stop()
    try:
        asyncio.run(scenario())
    finally:
        backend_a.stop()
        backend_b.stop()
    assert not nginx_masters_of(layout.directory)
    assert (layout.directory / "error.log").exists()


# ------------------------------------------------------------------ the controller alone
@pytest.fixture(scope="module")
def standalone(tmp_path_factory):
    """`kybernetes server` (no node) and `kybernetes ingress` as system:kybernetes-ingress."""
    server = Server(tmp_path_factory.mktemp("ingress-server"), command="server").start()
    k = Kubectl(server, tmp_path_factory.mktemp("ingress-kubectl"))
    data_dir = tmp_path_factory.mktemp("ingress-data")
    kubeconfig = make_user(server, "system:kybernetes-ingress")
    http_port, https_port = free_port(), free_port()
    log = open(data_dir / "controller.log", "ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "kybernetes.cli.main", "ingress", "--kubeconfig", str(kubeconfig),
         "--data-dir", str(data_dir / "nginx"), "--http-port", str(http_port),
         "--https-port", str(https_port), "--bind-address", "127.0.0.1",
         "--publish-status-address", "127.0.0.1"],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    backends = {name: Backend(name) for name in ("alpha", "beta")}
    try:
        k.run("apply", "-f", "-", input=json.dumps({
            "apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
            "metadata": {"name": "nginx", "annotations": {
                "ingressclass.kubernetes.io/is-default-class": "true"}},
            "spec": {"controller": "kybernetes.io/ingress-nginx"}}))
        wait_for(lambda: curl(f"http://127.0.0.1:{http_port}/healthz")[0] == 200, timeout=60)
        yield {"k": k, "http": http_port, "https": https_port, "backends": backends,
               "dir": data_dir / "nginx", "process": process, "log": data_dir / "controller.log"}
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for master in nginx_masters_of(data_dir / "nginx"):  # whatever a failure left
            os.kill(master, 9)
        for backend in backends.values():
            backend.stop()
        server.stop()


@pytest.fixture
def ns(standalone) -> str:
    k: Kubectl = standalone["k"]
    name = f"ing-{uuid.uuid4().hex[:8]}"
    k.run("create", "namespace", name)
    yield name
    k.run("delete", "namespace", name, "--wait=false", check=False)


def test_default_backend_404_and_healthz_200(standalone):
    port = standalone["http"]
    assert curl(f"http://127.0.0.1:{port}/healthz")[0] == 200
    assert curl(f"http://127.0.0.1:{port}/anything")[0] == 404
    assert curl(f"http://nobody.example.test:{port}/", *resolve("nobody.example.test", port))[0] == 404
    assert curl(f"https://127.0.0.1:{standalone['https']}/", "-k")[0] == 404


def test_hosts_paths_headers_status_and_classes(standalone, ns):
    k, port = standalone["k"], standalone["http"]
    alpha, beta = standalone["backends"]["alpha"], standalone["backends"]["beta"]
    apply(k, ns, *service_with_endpoints("a", alpha.port), *service_with_endpoints("b", beta.port),
          ingress_object("web", [host_rule("a.example.test", ("/", "Prefix", "a"),
                                           ("/api", "Prefix", "b")),
                                 host_rule("b.example.test", ("/", "Prefix", "b"),
                                           ("/only", "Exact", "a"))]),
          {**ingress_object("foreign", [host_rule("other.example.test", ("/", "Prefix", "a"))],
                            ingressClassName="traefik")})
    a = lambda p: curl(f"http://a.example.test:{port}{p}", *resolve("a.example.test", port))  # noqa: E731
    b = lambda p: curl(f"http://b.example.test:{port}{p}", *resolve("b.example.test", port))  # noqa: E731
    wait_for(lambda: a("/")[1].startswith("alpha /"), timeout=60)
    assert a("/api")[1].startswith("beta /api ")
    assert a("/api/v1")[1].startswith("beta /api/v1 ")
    assert a("/apiary")[1].startswith("alpha /apiary ")  # Prefix is element-wise
    assert b("/x")[1].startswith("beta /x ")
    assert b("/only")[1].startswith("alpha /only ")
    assert b("/only/more")[1].startswith("beta /only/more ")  # Exact is exact
    body = a("/")[1]
    assert "host=a.example.test" in body and "proto=http" in body
    assert "xff=127.0.0.1" in body and "real=127.0.0.1" in body
    # the Ingress of another class is not served, and its status stays empty
    assert curl(f"http://other.example.test:{port}/", *resolve("other.example.test", port))[0] == 404
    wait_for(lambda: k.json("get", "ingress", "web", "-n", ns).get("status", {})
             .get("loadBalancer", {}).get("ingress") == [{"ip": "127.0.0.1"}], timeout=30)
    assert not k.json("get", "ingress", "foreign", "-n", ns).get("status", {}).get(
        "loadBalancer", {}).get("ingress")
    listing = k.run("get", "ingress", "web", "-n", ns).stdout
    assert "127.0.0.1" in listing and "nginx" in listing  # DefaultIngressClass filled the class
    events = k.json("get", "events", "-n", ns, "--field-selector", "involvedObject.name=web")
    assert any(e["reason"] == "Sync" and e["source"]["component"] == "nginx-ingress-controller"
               for e in events["items"])


def test_tls_host_with_secret_redirect_and_bad_secret(standalone, ns, tmp_path):
    k, port, tls_port = standalone["k"], standalone["http"], standalone["https"]
    alpha = standalone["backends"]["alpha"]
    cert, key = certificate(["secure.example.test"])
    (tmp_path / "ca.pem").write_bytes(cert)
    secret = tls_secret("secure-tls", cert, key)
    del secret["metadata"]["namespace"]
    apply(k, ns, *service_with_endpoints("a", alpha.port), secret,
          ingress_object("secure", [host_rule("secure.example.test", ("/", "Prefix", "a")),
                                    host_rule("broken.example.test", ("/", "Prefix", "a"))],
                         tls=[{"hosts": ["secure.example.test"], "secretName": "secure-tls"},
                              {"hosts": ["broken.example.test"], "secretName": "missing"}]))
    url = f"https://secure.example.test:{tls_port}/page"
    wait_for(lambda: curl(url, "--cacert", str(tmp_path / "ca.pem"),
                          *resolve("secure.example.test", tls_port))[0] == 200, timeout=60)
    status, body = curl(url, "--cacert", str(tmp_path / "ca.pem"),
                        *resolve("secure.example.test", tls_port))
    assert body.startswith("alpha /page ") and "proto=https" in body
    status, _ = curl(f"http://secure.example.test:{port}/page", "-D", "-",
                     *resolve("secure.example.test", port))
    assert status == 308
    headers = subprocess.run(["curl", "-s", "-D", "-", "-o", "/dev/null",
                              *resolve("secure.example.test", port),
                              f"http://secure.example.test:{port}/page?q=1"],
                             capture_output=True, text=True).stdout.lower()
    assert f"location: https://secure.example.test:{tls_port}/page?q=1" in headers
    # the host whose Secret is missing is served with the fake certificate, and an event says so
    broken = f"https://broken.example.test:{tls_port}/"
    assert curl(broken, "--cacert", str(tmp_path / "ca.pem"),
                *resolve("broken.example.test", tls_port))[0] == 0  # not our CA's certificate
    assert curl(broken, "-k", *resolve("broken.example.test", tls_port))[1].startswith("alpha /")
    issuer = subprocess.run(["curl", "-s", "-k", "-v", "-o", "/dev/null",
                             *resolve("broken.example.test", tls_port), broken],
                            capture_output=True, text=True).stderr
    assert "Kubernetes Ingress Controller Fake Certificate" in issuer

    def warned() -> bool:
        events = k.json("get", "events", "-n", ns, "--field-selector", "involvedObject.name=secure")
        return any(e["reason"] == "InvalidTLSSecret" and "missing" in e["message"]
                   for e in events["items"])
    wait_for(warned, timeout=30)
    certs = list((standalone["dir"] / "certs").iterdir())
    assert certs and all(p.stat().st_mode & 0o777 == 0o600 for p in certs)


def test_backend_change_moves_traffic_with_no_failed_request(standalone, ns):
    k, port = standalone["k"], standalone["http"]
    alpha, beta = standalone["backends"]["alpha"], standalone["backends"]["beta"]
    apply(k, ns, *service_with_endpoints("a", alpha.port), *service_with_endpoints("b", beta.port),
          ingress_object("moving", [host_rule("move.example.test", ("/", "Prefix", "a"))]))
    url, extra = f"http://move.example.test:{port}/", resolve("move.example.test", port)
    wait_for(lambda: curl(url, *extra)[1].startswith("alpha /"), timeout=60)
    results: list[tuple[int, str]] = []
    stop = threading.Event()

    def hammer() -> None:
        while not stop.is_set():
            results.append(curl(url, *extra))
    thread = threading.Thread(target=hammer)
    thread.start()
    try:
        wait_for(lambda: len(results) >= 5, timeout=30)
        apply(k, ns, ingress_object("moving", [host_rule("move.example.test", ("/", "Prefix", "b"))]))
        wait_for(lambda: any(body.startswith("beta /") for _, body in results[-3:]), timeout=60)
        seen = len(results)
        wait_for(lambda: len(results) >= seen + 5, timeout=30)
    finally:
        stop.set()
        thread.join()
    failures = [r for r in results if r[0] != 200]
    assert failures == [], failures[:5]
    names = [body.split(" ")[0] for _, body in results]
    switch = names.index("beta")
    assert set(names[:switch]) == {"alpha"} and names[-1] == "beta"


def test_endpoint_removal_gives_503(standalone, ns):
    k, port = standalone["k"], standalone["http"]
    alpha = standalone["backends"]["alpha"]
    apply(k, ns, *service_with_endpoints("a", alpha.port),
          ingress_object("gone", [host_rule("gone.example.test", ("/", "Prefix", "a"))]))
    url, extra = f"http://gone.example.test:{port}/", resolve("gone.example.test", port)
    wait_for(lambda: curl(url, *extra)[0] == 200, timeout=60)
    k.run("delete", "endpointslice", "a-manual", "-n", ns)
    wait_for(lambda: curl(url, *extra)[0] == 503, timeout=60)


def test_controller_stops_its_nginx_on_exit(tmp_path):
    """SIGTERM to `kybernetes ingress` stops the nginx master it started; so does a
    SIGKILL (the master quits with its parent)."""
    server = Server(tmp_path / "server", command="server").start()
    data = tmp_path / "nginx"

    def start() -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "kybernetes.cli.main", "ingress", "--kubeconfig",
             str(server.kubeconfig), "--data-dir", str(data), "--http-port", str(free_port()),
             "--https-port", str(free_port()), "--bind-address", "127.0.0.1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    process = start()
    try:
        wait_for(lambda: nginx_masters_of(data), timeout=60)
        process.terminate()
        process.wait(timeout=30)
        assert not nginx_masters_of(data)
        process = start()
        wait_for(lambda: nginx_masters_of(data), timeout=60)
        process.kill()
        process.wait(timeout=30)
        wait_for(lambda: not nginx_masters_of(data), timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for master in nginx_masters_of(data):
            os.kill(master, 9)
        server.stop()


def test_bad_flags_are_one_line_errors(tmp_path):
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "kybernetes.cli.main", *args],
                              capture_output=True, text=True)
    result = run("ingress", "--kubeconfig", str(tmp_path / "none"), "--http-port", "70000")
    assert result.returncode == 2 and "--http-port: 70000 is not a TCP port" in result.stderr
    result = run("server", "--data-dir", str(tmp_path / "d"), "--disable", "ingres")
    assert result.returncode == 2
    assert "--disable: unknown component ingres (valid: ingress, servicelb, local-storage, dns)" in result.stderr
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------------ in `kybernetes server`
needs_runc = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("runc") or not shutil.which("docker-registry"),
    reason="needs root, runc and docker-registry")


def site(name: str, text: str) -> list[dict]:
    """A Deployment of nginx serving `text` (index.html from a ConfigMap) and its Service."""
    labels = {"app": name}
    return [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{name}-html"},
             "data": {"index.html": f"{text}\n"}},
            {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
             "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                      "template": {"metadata": {"labels": labels}, "spec": {
                          "containers": [{"name": "nginx", "image": "nginx",
                                          "ports": [{"name": "http", "containerPort": 80}],
                                          "readinessProbe": {"httpGet": {"path": "/", "port": 80},
                                                             "periodSeconds": 1},
                                          "volumeMounts": [{"name": "html",
                                                            "mountPath": "/usr/share/nginx/html"}]}],
                          "volumes": [{"name": "html", "configMap": {"name": f"{name}-html"}}]}}}},
            {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
             "spec": {"selector": labels, "ports": [{"name": "web", "port": 80,
                                                     "targetPort": "http"}]}}]


@pytest.fixture(scope="module")
def runc_server(tmp_path_factory):
    from tests.support.runc_cluster import runc_cluster
    http_port, https_port = free_port(), free_port()
    with runc_cluster(tmp_path_factory, "ingress", ["--ingress-http-port", str(http_port),
                                                    "--ingress-https-port", str(https_port)],
                      ingress=True) as server:
        k = Kubectl(server, tmp_path_factory.mktemp("ingress-runc-kubectl"))
        try:
            wait_for(lambda: any(c["type"] == "Ready" and c["status"] == "True"
                                 for node in k.json("get", "nodes")["items"]
                                 for c in node["status"].get("conditions", [])), timeout=60)
            yield {"k": k, "http": http_port, "https": https_port, "server": server}
        finally:
            k.run("delete", "ingress", "--all", "-A", check=False)
    assert not nginx_masters_of(server.data_dir / "ingress")  # the server stopped its nginx


@needs_runc
def test_server_routes_hosts_and_paths_to_pods_with_tls_and_status(runc_server, tmp_path):
    k, port, tls_port = runc_server["k"], runc_server["http"], runc_server["https"]
    ns = f"ing-{uuid.uuid4().hex[:8]}"
    k.run("create", "namespace", ns)
    wait_for(lambda: k.run("get", "serviceaccount", "default", "-n", ns, check=False).returncode == 0)
    # the packaged default class, as k3s installs traefik's
    klass = k.json("get", "ingressclass", "nginx")
    assert klass["spec"]["controller"] == "kybernetes.io/ingress-nginx"
    assert klass["metadata"]["annotations"]["ingressclass.kubernetes.io/is-default-class"] == "true"
    cert, key = certificate(["secure.example.test"])
    (tmp_path / "ca.pem").write_bytes(cert)
    secret = tls_secret("secure-tls", cert, key)
    del secret["metadata"]["namespace"]
    apply(k, ns, *site("a", "site-a"), *site("b", "site-b"), secret,
          ingress_object("web", [host_rule("a.example.test", ("/", "Prefix", "a"),
                                           ("/api", "Prefix", "b")),
                                 host_rule("b.example.test", ("/", "Prefix", "b")),
                                 host_rule("secure.example.test", ("/", "Prefix", "a"))],
                         tls=[{"hosts": ["secure.example.test"], "secretName": "secure-tls"}]),
          ingress_object("foreign", [host_rule("other.example.test", ("/", "Prefix", "a"))],
                         ingressClassName="other"))
    for name in ("a", "b"):
        k.run("rollout", "status", f"deployment/{name}", "-n", ns, "--timeout=180s")
    assert k.json("get", "ingress", "web", "-n", ns)["spec"]["ingressClassName"] == "nginx"

    def get(host: str, path: str = "/", *extra: str, scheme: str = "http") -> tuple[int, str]:
        p = tls_port if scheme == "https" else port
        return curl(f"{scheme}://{host}:{p}{path}", *resolve(host, p), *extra)
    wait_for(lambda: get("a.example.test")[1].strip() == "site-a", timeout=90)
    assert get("b.example.test")[1].strip() == "site-b"
    assert get("a.example.test", "/api")[0] == 404  # site b has no /api page: b's nginx says so
    assert "nginx" in get("a.example.test", "/api/x")[1]
    assert get("nowhere.example.test")[0] == 404
    assert curl(f"http://127.0.0.1:{port}/healthz")[0] == 200
    assert get("other.example.test")[0] == 404  # another class's Ingress is not served
    assert get("secure.example.test", "/", "--cacert", str(tmp_path / "ca.pem"),
               scheme="https")[1].strip() == "site-a"
    assert get("secure.example.test")[0] == 308
    node = k.json("get", "nodes")["items"][0]
    node_ip = next(a["address"] for a in node["status"]["addresses"] if a["type"] == "InternalIP")
    wait_for(lambda: k.json("get", "ingress", "web", "-n", ns).get("status", {})
             .get("loadBalancer", {}).get("ingress") == [{"ip": node_ip}], timeout=30)
    assert not k.json("get", "ingress", "foreign", "-n", ns).get("status", {}).get(
        "loadBalancer", {}).get("ingress")

    # move a.example.test to site b while requests keep coming: none fails
    results: list[tuple[int, str]] = []
    stop = threading.Event()

    def hammer() -> None:
        while not stop.is_set():
            results.append(get("a.example.test"))
    thread = threading.Thread(target=hammer)
    thread.start()
    try:
        wait_for(lambda: len(results) >= 5, timeout=30)
        k.run("patch", "ingress", "web", "-n", ns, "--type=json", "-p", json.dumps(
            [{"op": "replace", "path": "/spec/rules/0/http/paths/0/backend/service/name",
              "value": "b"}]))
        wait_for(lambda: any(body.strip() == "site-b" for _, body in results[-3:]), timeout=60)
        seen = len(results)
        wait_for(lambda: len(results) >= seen + 5, timeout=30)
    finally:
        stop.set()
        thread.join()
    assert [r for r in results if r[0] != 200] == []
    bodies = [body.strip() for _, body in results]
    switch = bodies.index("site-b")
    assert set(bodies[:switch]) == {"site-a"} and bodies[-1] == "site-b"
    k.run("delete", "namespace", ns, "--wait=false", check=False)
