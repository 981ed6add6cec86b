# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""kubectl logs, exec, attach, cp and port-forward end to end: the real kubectl (1.27,
1.32, 1.33) and the Python client against a real `kybernetes apiserver`, which proxies
to a kubelet running in this test process. The kubelet's runtime here runs exec'd
commands as host processes, reads log files the test writes and forwards ports to a
local echo server, so these tests need neither root nor runc."""
from __future__ import annotations

import asyncio
import fcntl
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import termios
import threading
import time
import uuid
from pathlib import Path

import pytest

from kybernetes.kubelet.cri import StreamingProcess
from kybernetes.kubelet.runtimes import ContainerState, PodRuntimeStatus, Runtime
from tests.integration.conftest import KUBECTL_DIR, KUBECTL_VERSIONS, Kubectl
from tests.support.waiting import wait_for

pytestmark = pytest.mark.skipif(
    not all((KUBECTL_DIR / f"kubectl.{v}").exists() for v in KUBECTL_VERSIONS)
    or shutil.which("tar") is None or shutil.which("script") is None,
    reason="needs kubectl 1.27/1.32/1.33, tar and script")

NODE = f"stream-node-{uuid.uuid4().hex[:6]}"
ECHO_PORT_IN_POD = 8080


# ------------------------------------------------------------------ the in-test runtime
class HostRuntime(Runtime):
    """Containers that are always running; exec runs host processes, logs are files the
    test writes, and every pod's port 8080 is a local echo server."""
    name = "host-test"
    version = "0.1.0"

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.echo_port = 0
        self.started = time.time()

    async def start_pod(self, pod: dict) -> None:
        pass

    async def stop_pod(self, pod: dict, grace_seconds: float) -> None:
        pass

    async def cleanup(self, uid: str) -> None:
        pass

    async def pod_status(self, pod: dict) -> PodRuntimeStatus:
        # a container called "stopped" has exited, for the errors of exec into one
        containers = [ContainerState(c["name"], "running", image=c.get("image", ""),
                                     container_id=f"host://{c['name']}", started_at=self.started,
                                     ready=True, started=True) if c["name"] != "stopped"
                      else ContainerState(c["name"], "terminated", reason="Error", exit_code=1,
                                          started_at=self.started, finished_at=self.started + 1)
                      for c in pod["spec"]["containers"]]
        return PodRuntimeStatus(True, ["127.0.0.1"], containers, started_at=self.started)

    def log_path(self, pod: dict, container: str, previous: bool = False):
        meta = pod["metadata"]
        path = self.log_dir / f"{meta['namespace']}_{meta['name']}_{container}{'.1' if previous else ''}.log"
        return path if path.exists() else None

    async def exec(self, pod, container, argv, *, tty, stdin, stdout=True, stderr=True):
        if tty:
            return await _pty_process(argv)
        proc = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.PIPE if stdin else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            cwd="/", start_new_session=True)

        async def kill() -> None:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        return StreamingProcess(proc.stdin, proc.stdout, proc.stderr if stderr else None,
                                proc.wait, lambda w, h: None, kill)

    async def attach(self, pod, container, *, stdin, stdout=True, stderr=True):
        # the "main process" here echoes what it is sent
        return await self.exec(pod, container, ["cat"], tty=False, stdin=stdin)

    async def port_forward(self, pod: dict, port: int):
        if port != ECHO_PORT_IN_POD:
            raise ConnectionRefusedError(f"dial tcp4 127.0.0.1:{port}: connect: connection refused")
        return await asyncio.open_connection("127.0.0.1", self.echo_port)


async def _pty_process(argv: list[str]) -> StreamingProcess:
    master, slave = os.openpty()
    proc = await asyncio.create_subprocess_exec(*argv, stdin=slave, stdout=slave, stderr=slave,
                                                start_new_session=True, cwd="/",
                                                preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
    os.close(slave)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    write_fd = os.dup(master)
    os.set_blocking(master, False)

    def readable() -> None:
        # a terminal's master reads EIO once the process side has closed: that is EOF
        # (asyncio's pipe transport would turn it into an error and drop what is buffered)
        try:
            data = os.read(master, 65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data:
            reader.feed_data(data)
        else:
            loop.remove_reader(master)
            os.close(master)
            reader.feed_eof()
    loop.add_reader(master, readable)
    transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin,
                                                        os.fdopen(write_fd, "wb", 0))
    writer = asyncio.StreamWriter(transport, protocol, None, loop)

    def resize(width: int, height: int) -> None:
        try:
            fcntl.ioctl(write_fd, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
        except OSError:
            pass

    async def kill() -> None:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()

    async def wait() -> int:
        code = await proc.wait()
        return code
    return StreamingProcess(writer, reader, None, wait, resize, kill)


# ------------------------------------------------------------------ a node in this process
class NodeThread:
    def __init__(self, server, log_dir: Path) -> None:
        self.server = server
        self.runtime = HostRuntime(log_dir)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.task: asyncio.Task | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.ready = threading.Event()

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported by the fixture
            self.error = exc
            self.ready.set()

    async def _main(self) -> None:
        from kybernetes.client.rest import Client
        from kybernetes.kubelet.kubelet import Kubelet
        from kybernetes.kubelet.node import NodeConfig
        from kybernetes.kubelet.server import KubeletServer, ServingCertificate, load_cluster_ca
        self.loop = asyncio.get_running_loop()

        async def echo(reader, writer) -> None:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
            writer.close()
        echo_server = await asyncio.start_server(echo, "127.0.0.1", 0)
        self.runtime.echo_port = echo_server.sockets[0].getsockname()[1]
        client = Client.from_kubeconfig(self.server.kubeconfig, user_agent="kubelet")
        config = NodeConfig(name=NODE, capacity={"cpu": "4", "memory": "8Gi", "pods": "110"},
                            internal_ip="127.0.0.1", runtime_version=self.runtime.runtime_version)
        kubelet = Kubelet(client, config, self.runtime)
        ca = load_cluster_ca(self.server.data_dir / "pki")
        kubelet.serving = KubeletServer(kubelet, address="127.0.0.1", port=0,
                                        certificate=ServingCertificate(NODE, ["127.0.0.1"],
                                                                       ca.cert_pem, ca))
        self.task = asyncio.create_task(kubelet.run())
        self.ready.set()
        try:
            await self.task
        except asyncio.CancelledError:
            pass
        finally:
            echo_server.close()
            await client.close()

    def start(self) -> "NodeThread":
        self.thread.start()
        self.ready.wait(30)
        if self.error:
            raise self.error
        return self

    def stop(self) -> None:
        if self.loop is not None and self.task is not None:
            self.loop.call_soon_threadsafe(self.task.cancel)
        self.thread.join(30)


@pytest.fixture(scope="module")
def node(server, tmp_path_factory):
    log_dir = tmp_path_factory.mktemp("pod-logs")
    thread = NodeThread(server, log_dir).start()
    kubectl = Kubectl(server, tmp_path_factory.mktemp("node-cache"))
    wait_for(lambda: kubectl.run("get", "node", NODE, check=False).returncode == 0)
    yield thread
    thread.stop()
    kubectl.run("delete", "node", NODE, "--wait=false", check=False)


def make_pod(kubectl: Kubectl, namespace: str, name: str, containers=("main",),
             node_name: str | None = NODE, wait_running: bool = True) -> dict:
    spec: dict = {"containers": [{"name": c, "image": "busybox"} for c in containers]}
    if node_name:
        spec["nodeName"] = node_name
    # `kybernetes apiserver` runs no controllers: the default service account is ours to make
    kubectl.run("create", "serviceaccount", "default", "-n", namespace, check=False)
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": name, "namespace": namespace}, "spec": spec}
    kubectl.run("apply", "-f", "-", input=json.dumps(pod))
    if wait_running:
        wait_for(lambda: kubectl.json("get", "pod", name, "-n", namespace)
                 .get("status", {}).get("phase") == "Running")
    return pod


def write_log(node: NodeThread, namespace: str, pod: str, container: str, lines: list[str],
              previous: bool = False, append: bool = False) -> None:
    path = node.runtime.log_dir / f"{namespace}_{pod}_{container}{'.1' if previous else ''}.log"
    with open(path, "a" if append else "w") as handle:
        for line in lines:
            handle.write(line + "\n")


def cri(stamp_seconds: int, text: str, stream: str = "stdout", tag: str = "F") -> str:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(stamp_seconds))
    return f"{stamp}.123456789Z {stream} {tag} {text}"


@pytest.fixture(params=KUBECTL_VERSIONS)
def versioned(request, server, tmp_path) -> Kubectl:
    return Kubectl(server, tmp_path / "cache", request.param)


# ------------------------------------------------------------------ logs
def test_logs(node, versioned, namespace):
    make_pod(versioned, namespace, "web")
    now = int(time.time())
    write_log(node, namespace, "web", "main", [
        cri(now - 7200, "first"), cri(now - 60, "sec", tag="P"), cri(now - 60, "ond"),
        cri(now - 30, "third", "stderr"), cri(now - 10, "fourth")])
    out = versioned.run("logs", "web", "-n", namespace).stdout
    assert out == "first\nsecond\nthird\nfourth\n"
    assert versioned.run("logs", "web", "-n", namespace, "--tail=2").stdout == "third\nfourth\n"
    assert versioned.run("logs", "web", "-n", namespace, "--since=1h").stdout == "second\nthird\nfourth\n"
    assert versioned.run("logs", "web", "-n", namespace, "--limit-bytes=8").stdout == "first\nse"
    stamped = versioned.run("logs", "web", "-n", namespace, "--timestamps", "--tail=1").stdout
    expected_stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now - 10))
    assert stamped == f"{expected_stamp}.123456789Z fourth\n"
    assert versioned.run("logs", "pod/web", "-c", "main", "-n", namespace).stdout.endswith("fourth\n")
    missing = versioned.run("logs", "web", "-n", namespace, "--previous", check=False)
    assert missing.returncode != 0
    assert 'previous terminated container "main" in pod "web" not found' in missing.stderr
    write_log(node, namespace, "web", "main", [cri(now - 9000, "before the restart")], previous=True)
    assert versioned.run("logs", "web", "-n", namespace, "-p").stdout == "before the restart\n"


def test_logs_of_a_container_among_several(node, kubectl, namespace, api_client):
    from kubernetes import client
    from kubernetes.client.rest import ApiException
    make_pod(kubectl, namespace, "two", containers=("app", "sidecar"))
    write_log(node, namespace, "two", "sidecar", [cri(int(time.time()), "from the sidecar")])
    assert kubectl.run("logs", "two", "-c", "sidecar", "-n", namespace).stdout == "from the sidecar\n"
    core = client.CoreV1Api(api_client)
    with pytest.raises(ApiException) as caught:
        core.read_namespaced_pod_log("two", namespace)
    assert caught.value.status == 400
    assert "a container name must be specified for pod two, choose one of: [app sidecar]" in caught.value.body
    with pytest.raises(ApiException) as caught:
        core.read_namespaced_pod_log("two", namespace, container="nope")
    assert caught.value.status == 400
    assert "container nope is not valid for pod two" in caught.value.body
    assert core.read_namespaced_pod_log("two", namespace, container="sidecar") == "from the sidecar\n"


def test_logs_follow(node, kubectl, namespace):
    make_pod(kubectl, namespace, "tailing")
    write_log(node, namespace, "tailing", "main", [cri(int(time.time()), "one")])
    process = subprocess.Popen(
        [kubectl.binary, "--cache-dir", str(kubectl.cache_dir), "logs", "-f", "tailing", "-n", namespace],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, KUBECONFIG=str(kubectl.server.kubeconfig)))
    try:
        assert process.stdout.readline() == "one\n"
        write_log(node, namespace, "tailing", "main", [cri(int(time.time()), "two")], append=True)
        assert process.stdout.readline() == "two\n"
        # a rotated log: the file is replaced, following goes on in the new one
        path = node.runtime.log_dir / f"{namespace}_tailing_main.log"
        path.rename(path.with_suffix(".log.old"))
        write_log(node, namespace, "tailing", "main", [cri(int(time.time()), "three")])
        assert process.stdout.readline() == "three\n"
    finally:
        process.terminate()
        process.wait(30)
        process.stdout.close()
        process.stderr.close()


# ------------------------------------------------------------------ exec, attach, cp
@pytest.mark.parametrize("websockets", ["", "false"])
def test_exec_exit_code(node, versioned, namespace, websockets):
    make_pod(versioned, namespace, "runner")
    env = {"KUBECTL_REMOTE_COMMAND_WEBSOCKETS": websockets} if websockets else None
    result = versioned.run("exec", "runner", "-n", namespace, "--", "sh", "-c",
                           "echo out; echo err >&2; exit 3", check=False, env=env)
    assert result.returncode == 3, result.stderr
    assert result.stdout == "out\n"
    assert "err\n" in result.stderr
    assert "command terminated with exit code 3" in result.stderr
    ok = versioned.run("exec", "runner", "-n", namespace, "--", "echo", "fine", env=env)
    assert ok.stdout == "fine\n"
    piped = versioned.run("exec", "-i", "runner", "-n", namespace, "--", "tr", "a-z", "A-Z",
                          input="hello stdin\n", env=env)
    assert piped.stdout == "HELLO STDIN\n"


@pytest.mark.parametrize("websockets", ["", "false"])
def test_exec_with_a_terminal(node, kubectl, namespace, websockets, tmp_path):
    make_pod(kubectl, namespace, "shell")
    env = dict(os.environ, KUBECONFIG=str(kubectl.server.kubeconfig))
    if websockets:
        env["KUBECTL_REMOTE_COMMAND_WEBSOCKETS"] = websockets
    command = (f"{kubectl.binary} --cache-dir {kubectl.cache_dir} exec -it shell -n {namespace} "
               f"-- sh -c 'test -t 0 && echo TTY-IS-$(stty size | tr \" \" x); exit 4'")
    result = subprocess.run(["script", "-qec", f"stty cols 91 rows 33; {command}", "/dev/null"],
                            capture_output=True, text=True, env=env, timeout=120,
                            stdin=subprocess.DEVNULL)
    assert "TTY-IS-33x91" in result.stdout, result.stdout + result.stderr
    assert result.returncode == 4


def test_attach(node, versioned, namespace):
    make_pod(versioned, namespace, "attached")
    result = versioned.run("attach", "-i", "attached", "-n", namespace, input="hello attach\n")
    assert "hello attach" in result.stdout


def test_cp_both_ways(node, versioned, namespace, tmp_path):
    make_pod(versioned, namespace, "files")
    source = tmp_path / "upload.txt"
    source.write_text("payload " * 1000)
    inside = tmp_path / "in-pod"
    inside.mkdir()
    versioned.run("cp", str(source), f"{namespace}/files:{inside}/copied.txt")
    assert (inside / "copied.txt").read_text() == source.read_text()
    back = tmp_path / "back.txt"
    versioned.run("cp", f"{namespace}/files:{inside}/copied.txt", str(back))
    assert back.read_text() == source.read_text()


def test_exec_errors(node, kubectl, namespace):
    make_pod(kubectl, namespace, "floating", node_name=None, wait_running=False)
    # kubectl refuses pods that are not running itself; the API's answer is the point here
    from kubernetes import client, config
    configuration = client.Configuration()
    config.load_kube_config(config_file=str(kubectl.server.kubeconfig),
                            client_configuration=configuration)
    core = client.CoreV1Api(client.ApiClient(configuration))
    from kubernetes.client.rest import ApiException
    with pytest.raises(ApiException) as caught:
        core.connect_get_namespaced_pod_exec("floating", namespace, command=["true"], stdout=True)
    assert caught.value.status == 400
    assert "pod floating does not have a host assigned" in caught.value.body
    make_pod(kubectl, namespace, "placed", containers=("main", "stopped"))
    bad = kubectl.run("exec", "placed", "-c", "other", "-n", namespace, "--", "true", check=False)
    assert bad.returncode != 0
    assert "container other is not valid for pod placed" in bad.stderr
    for websockets in ("true", "false"):
        stopped = kubectl.run("exec", "placed", "-c", "stopped", "-n", namespace, "--", "true",
                              check=False, env={"KUBECTL_REMOTE_COMMAND_WEBSOCKETS": websockets})
        assert stopped.returncode != 0
        assert 'container not found ("stopped")' in stopped.stderr


def test_node_proxy_and_kubelet_authentication(node, kubectl, namespace):
    make_pod(kubectl, namespace, "listed")
    assert kubectl.run("get", "--raw", f"/api/v1/nodes/{NODE}/proxy/healthz").stdout == "ok"
    pods = json.loads(kubectl.run("get", "--raw", f"/api/v1/nodes/{NODE}/proxy/pods").stdout)
    assert pods["kind"] == "PodList"
    assert ("listed", namespace) in {(p["metadata"]["name"], p["metadata"]["namespace"])
                                     for p in pods["items"]}
    missing = kubectl.run("get", "--raw", "/api/v1/nodes/no-such-node/proxy/healthz", check=False)
    assert 'nodes "no-such-node" not found' in missing.stderr
    # the kubelet itself wants a client certificate from the cluster CA
    import ssl
    import urllib.error
    import urllib.request
    port = kubectl.json("get", "node", NODE)["status"]["daemonEndpoints"]["kubeletEndpoint"]["Port"]
    context = ssl.create_default_context(cafile=str(kubectl.server.data_dir / "pki" / "ca.crt"))
    context.check_hostname = False
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(f"https://127.0.0.1:{port}/pods", context=context, timeout=30)
    assert caught.value.code == 401
    pki = kubectl.server.data_dir / "pki"
    context.load_cert_chain(str(pki / "apiserver-kubelet-client.crt"), str(pki / "apiserver-kubelet-client.key"))
    with urllib.request.urlopen(f"https://127.0.0.1:{port}/healthz", context=context, timeout=30) as reply:
        assert reply.read() == b"ok"


# ------------------------------------------------------------------ port-forward
def _round_trip(port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(payload)
        sock.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("websockets", ["", "false"])
def test_port_forward(node, versioned, namespace, websockets):
    make_pod(versioned, namespace, "echo")
    local = _free_port()
    env = dict(os.environ, KUBECONFIG=str(versioned.server.kubeconfig))
    if websockets:
        env["KUBECTL_PORT_FORWARD_WEBSOCKETS"] = websockets
    process = subprocess.Popen(
        [versioned.binary, "--cache-dir", str(versioned.cache_dir), "port-forward", "-n", namespace,
         "pod/echo", f"{local}:{ECHO_PORT_IN_POD}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert "Forwarding from" in process.stdout.readline()
        for size in (5, 300_000):
            payload = os.urandom(size)
            assert _round_trip(local, payload) == payload
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()


# ------------------------------------------------------------------ the Python client
def test_python_client_exec_and_port_forward(node, kubectl, namespace, api_client):
    from kubernetes import client
    from kubernetes.stream import portforward, stream
    make_pod(kubectl, namespace, "py")
    core = client.CoreV1Api(api_client)
    out = stream(core.connect_get_namespaced_pod_exec, "py", namespace,
                 command=["sh", "-c", "echo from python"], stderr=True, stdin=False,
                 stdout=True, tty=False)
    assert out == "from python\n"
    session = stream(core.connect_get_namespaced_pod_exec, "py", namespace,
                     command=["sh", "-c", "exit 7"], stderr=True, stdin=False, stdout=True,
                     tty=False, _preload_content=False)
    session.run_forever(timeout=30)
    assert session.returncode == 7
    interactive = stream(core.connect_get_namespaced_pod_exec, "py", namespace, command=["cat"],
                         stderr=True, stdin=True, stdout=True, tty=False, _preload_content=False)
    interactive.write_stdin("typed into cat\n")
    echoed = ""
    deadline = time.monotonic() + 60
    while "typed into cat" not in echoed and interactive.is_open() and time.monotonic() < deadline:
        interactive.update(timeout=1)
        echoed += interactive.read_stdout(timeout=1)
    interactive.close()
    assert echoed == "typed into cat\n"
    forward = portforward(core.connect_get_namespaced_pod_portforward, "py", namespace,
                          ports=str(ECHO_PORT_IN_POD))
    sock = forward.socket(ECHO_PORT_IN_POD)
    sock.setblocking(True)
    sock.sendall(b"ping through python")
    received = b""
    while len(received) < len(b"ping through python"):
        received += sock.recv(1024)
    assert received == b"ping through python"
    sock.close()
    forward.close()
