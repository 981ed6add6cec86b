# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The process ContainerRuntime driven directly: containers as host processes that
run the image's busybox, with CRI logs, exit codes, stop, exec, attach and
port-forward, and a restarted runtime that finds them again."""
from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path

import pytest

from kybernetes.kubelet.cri import ContainerConfig, ContainerError, SandboxConfig
from kybernetes.kubelet.runtimes.imagepath import find_executable
from kybernetes.kubelet.runtimes.process import ProcessRuntime
from tests.support.runtimes import BUSYBOX, LoopThread, cri_lines, make_busybox_rootfs, read_until
from tests.support.waiting import wait_for

pytestmark = pytest.mark.skipif(not os.access(BUSYBOX, os.X_OK),
                                reason="busybox-static is not installed")


@pytest.fixture(scope="module")
def loop():
    thread = LoopThread()
    yield thread
    thread.stop()


@pytest.fixture(scope="module")
def layer(tmp_path_factory):
    return make_busybox_rootfs(tmp_path_factory.mktemp("busybox-layer"))


class Pods:
    def __init__(self, loop: LoopThread, root: Path, layer: Path) -> None:
        self.loop = loop
        self.root = root
        self.layer = layer
        self.runtime = ProcessRuntime(root / "process")
        self.sandboxes: list[str] = []

    def run(self, coro, timeout: float = 120):
        return self.loop.run(coro, timeout)

    def sandbox(self, name: str = "pod"):
        status = self.run(self.runtime.run_sandbox(SandboxConfig(
            uid=str(uuid.uuid4()), name=name, namespace="default", hostname=name)))
        self.sandboxes.append(status.id)
        return status

    def container(self, sandbox_id: str, argv: list[str], name: str = "main", **fields) -> str:
        config = ContainerConfig(name=name, attempt=0, image_id="sha256:busybox",
                                 image_ref="docker.io/library/busybox:latest",
                                 rootfs_layers=[self.layer], argv=argv,
                                 log_path=self.root / "logs" / f"{name}-{uuid.uuid4().hex[:6]}.log",
                                 **fields)
        container_id = self.run(self.runtime.create_container(sandbox_id, config))
        self.run(self.runtime.start_container(container_id))
        return container_id

    def status(self, container_id: str):
        return self.run(self.runtime.container_status(container_id))

    def wait(self, container_id: str):
        return self.run(self.runtime.wait_container(container_id))

    def log(self, container_id: str):
        return cri_lines(self.status(container_id).log_path)


@pytest.fixture
def pods(loop, tmp_path, layer):
    made = Pods(loop, tmp_path, layer)
    try:
        yield made
    finally:
        pids = [meta.get("pid") for meta in made.runtime.metas.values() if meta.get("pid")]
        for sandbox_id in made.sandboxes:
            made.run(made.runtime.remove_sandbox(sandbox_id))
        made.run(made.runtime.close())
        assert not list((tmp_path / "process" / "containers").iterdir())
        for pid in pids:
            assert not os.path.exists(f"/proc/{pid}") or \
                open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] == "Z"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_executable_resolved_in_image_layers(layer, tmp_path):
    upper = tmp_path / "upper"
    (upper / "bin").mkdir(parents=True)
    (upper / "bin" / "tool").symlink_to("/bin/busybox")  # absolute: inside the image
    assert find_executable("sh", [layer], "/usr/bin:/bin") == str(layer / "bin" / "busybox")
    assert find_executable("/bin/tool", [layer, upper], "/bin") == str(layer / "bin" / "busybox")
    assert find_executable("python3-not-here", [layer], "/bin") is None
    assert find_executable("ls", [], os.environ["PATH"]) is not None  # host PATH


def test_hello_world_logs_exit_code_and_env(pods):
    sandbox = pods.sandbox("hello")
    assert sandbox.ips == ["127.0.0.1"]
    cid = pods.container(sandbox.id, ["sh", "-c", "echo Hello World; echo oops >&2; "
                                      "echo $GREETING-$HOSTNAME; exit 3"],
                         env=[("GREETING", "hi")])
    status = pods.wait(cid)
    assert (status.state, status.exit_code, status.reason) == ("exited", 3, "Error")
    lines = pods.log(cid)
    assert ("stdout", "F", "Hello World") in lines
    assert ("stderr", "F", "oops") in lines
    assert ("stdout", "F", "hi-hello") in lines
    ok = pods.container(sandbox.id, ["true"], name="ok")
    assert (pods.wait(ok).exit_code, pods.wait(ok).reason) == (0, "Completed")


def test_missing_executable(pods):
    sandbox = pods.sandbox("missing")
    with pytest.raises(ContainerError) as error:
        pods.container(sandbox.id, ["no-such-command-anywhere"])
    assert "executable file not found" in error.value.message


def test_stop_sigterm_then_sigkill(pods):
    sandbox = pods.sandbox("stop")
    graceful = pods.container(sandbox.id, ["sh", "-c", "trap 'echo got TERM; exit 7' TERM; "
                                           "echo ready; while :; do sleep 0.1; done"])
    stubborn = pods.container(sandbox.id, ["sh", "-c", "trap '' TERM; echo ready; "
                                           "while :; do sleep 0.1; done"], name="stubborn")
    wait_for(lambda: ("stdout", "F", "ready") in pods.log(graceful)
             and ("stdout", "F", "ready") in pods.log(stubborn))
    pods.run(pods.runtime.stop_container(graceful, 30))
    assert pods.status(graceful).exit_code == 7
    assert ("stdout", "F", "got TERM") in pods.log(graceful)
    pods.run(pods.runtime.stop_container(stubborn, 0.5))
    assert pods.status(stubborn).exit_code == 137


def test_exec_and_attach(pods):
    sandbox = pods.sandbox("exec")
    cid = pods.container(sandbox.id, ["sh", "-c", "while read line; do echo echo:$line; done"],
                         stdin=True)

    async def scenario():
        proc = await pods.runtime.exec(cid, ["sh", "-c", "read x; echo got $x; exit 5"],
                                       tty=False, stdin=True)
        proc.stdin.write(b"hello\n")
        await proc.stdin.drain()
        plain = (await proc.stdout.read(), await proc.wait())
        term = await pods.runtime.exec(cid, ["sh"], tty=True, stdin=True)
        term.resize(100, 30)
        term.stdin.write(b"stty size; echo $((6*7)); exit 9\n")
        await term.stdin.drain()
        tty = (await read_until(term.stdout, b"42"), await term.wait())
        session = await pods.runtime.attach(cid, stdin=True)
        session.stdin.write(b"hi\n")
        await session.stdin.drain()
        attached = await read_until(session.stdout, b"echo:hi")
        await session.kill()
        return plain, tty, attached

    plain, tty, attached = pods.run(scenario())
    assert plain == (b"got hello\n", 5)
    assert b"30 100" in tty[0] and tty[1] == 9
    assert b"echo:hi" in attached
    assert pods.status(cid).state == "running"


def test_port_forward_reaches_host_loopback(pods):
    sandbox = pods.sandbox("web")
    port = free_port()
    pods.container(sandbox.id, ["httpd", "-f", "-p", f"127.0.0.1:{port}", "-h",
                                str(pods.layer / "www")])

    async def forward():
        reader, writer = await pods.runtime.port_forward(sandbox.id, port)
        writer.write(b"GET / HTTP/1.0\r\n\r\n")
        await writer.drain()
        data = await reader.read()
        writer.close()
        return data

    def served():
        try:
            return b"hello from the pod" in pods.run(forward())
        except OSError:
            return False

    wait_for(served)


def test_restarted_runtime_finds_running_container(pods):
    sandbox = pods.sandbox("restart")
    cid = pods.container(sandbox.id, ["sh", "-c", "echo before; trap 'echo after; exit 0' "
                                      "TERM; while :; do sleep 0.1; done"])
    wait_for(lambda: ("stdout", "F", "before") in pods.log(cid))
    pods.run(pods.runtime.close())
    pods.runtime = ProcessRuntime(pods.root / "process")
    assert pods.status(cid).state == "running"
    pods.run(pods.runtime.stop_container(cid, 30))
    status = pods.status(cid)
    # the old runtime's asyncio watcher reaps it; a new one cannot learn its status
    assert status.state == "exited"
    assert ("stdout", "F", "after") in pods.log(cid)


def test_log_rotation_reopens_the_file(pods):
    sandbox = pods.sandbox("rotate")
    cid = pods.container(sandbox.id, ["sh", "-c", "while read line; do echo $line; done"],
                         stdin=True)
    log_path = pods.status(cid).log_path

    async def say(text: bytes):
        session = await pods.runtime.attach(cid, stdin=True, stdout=False, stderr=False)
        session.stdin.write(text + b"\n")
        await session.stdin.drain()
        await session.kill()

    pods.run(say(b"one"))
    wait_for(lambda: ("stdout", "F", "one") in cri_lines(log_path))
    rotated = log_path.with_name(log_path.name + ".1")
    log_path.rename(rotated)
    pods.run(pods.runtime.reopen_container_log(cid))
    pods.run(say(b"two"))
    wait_for(lambda: cri_lines(log_path) == [("stdout", "F", "two")])
    assert cri_lines(rotated) == [("stdout", "F", "one")]
