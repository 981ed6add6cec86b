# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The runc ContainerRuntime driven directly: real OCI containers from a busybox
rootfs, the CNI bridge network, logs, exit codes, OOM kills, exec, attach,
port-forward, and nothing left behind after a sandbox is removed."""
from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import uuid
from pathlib import Path

import pytest

from kybernetes.kubelet.cri import (ContainerConfig, ContainerError, Mount, PortMapping,
                                    Resources, SandboxConfig, SandboxError)
from kybernetes.kubelet.runtimes.runc import RuncRuntime
from tests.support.runtimes import LoopThread, cri_lines, make_busybox_rootfs, read_until
from tests.support.waiting import wait_for

pytestmark = pytest.mark.skipif(RuncRuntime.available() is not None,
                                reason=str(RuncRuntime.available()))

BRIDGE = "kybtest0"  # a bridge of our own, so other users of cni0 are not disturbed
POD_CIDR = "10.244.213.0/24"


@pytest.fixture(scope="module")
def loop():
    thread = LoopThread()
    yield thread
    thread.stop()


@pytest.fixture(scope="module")
def layer(tmp_path_factory):
    return make_busybox_rootfs(tmp_path_factory.mktemp("busybox-layer"))


@pytest.fixture(scope="module", autouse=True)
def test_bridge():
    yield
    subprocess.run(["ip", "link", "delete", BRIDGE], capture_output=True)


class Pods:
    """A runtime under a fresh root, and the pods a test makes with it; every
    sandbox is removed at the end and checked for leftovers."""

    def __init__(self, loop: LoopThread, root: Path, layer: Path, **options) -> None:
        self.loop = loop
        self.root = root
        self.layer = layer
        self.options = dict(options, pod_cidr=options.get("pod_cidr", POD_CIDR),
                            bridge=options.get("bridge", BRIDGE))
        self.runtime = RuncRuntime(root / "runc", **self.options)
        self.sandboxes: list[str] = []

    def run(self, coro, timeout: float = 120):
        return self.loop.run(coro, timeout)

    def sandbox(self, name: str = "pod", **fields):
        uid = str(uuid.uuid4())
        files = self.root / "pods" / uid
        files.mkdir(parents=True)
        (files / "hosts").write_text(f"127.0.0.1\tlocalhost\n10.0.0.1\t{name}\n")
        (files / "resolv.conf").write_text("nameserver 10.96.0.10\noptions ndots:5\n")
        (files / "hostname").write_text(name + "\n")
        config = SandboxConfig(uid=uid, name=name, namespace="default", hostname=name,
                               hosts_file=files / "hosts", resolv_conf=files / "resolv.conf",
                               hostname_file=files / "hostname", **fields)
        status = self.run(self.runtime.run_sandbox(config))
        self.sandboxes.append(status.id)
        return status

    def container(self, sandbox_id: str, argv: list[str], name: str = "main",
                  start: bool = True, **fields) -> str:
        config = ContainerConfig(name=name, attempt=0, image_id="sha256:busybox",
                                 image_ref="docker.io/library/busybox:latest",
                                 rootfs_layers=[self.layer], argv=argv,
                                 log_path=self.root / "logs" / f"{name}-{uuid.uuid4().hex[:6]}.log",
                                 **fields)
        container_id = self.run(self.runtime.create_container(sandbox_id, config))
        if start:
            self.run(self.runtime.start_container(container_id))
        return container_id

    def status(self, container_id: str):
        return self.run(self.runtime.container_status(container_id))

    def wait(self, container_id: str):
        return self.run(self.runtime.wait_container(container_id))

    def log(self, container_id: str) -> list[tuple[str, str, str]]:
        return cri_lines(self.status(container_id).log_path)

    def remove_all(self) -> None:
        for sandbox_id in self.sandboxes:
            self.run(self.runtime.remove_sandbox(sandbox_id))


@pytest.fixture
def pods(loop, tmp_path, layer):
    made = Pods(loop, tmp_path, layer)
    before = leftovers(made, [])
    try:
        yield made
    finally:
        records = sandbox_records(made)
        made.remove_all()
        assert leftovers(made, records) == before
        made.run(made.runtime.close())


def sandbox_records(pods: Pods) -> list[dict]:
    out = []
    for sandbox_id in pods.sandboxes:
        path = pods.root / "runc" / "sandboxes" / sandbox_id / "sandbox.json"
        if path.exists():
            out.append(json.loads(path.read_text()))
    return out


def leftovers(pods: Pods, records: list[dict]) -> dict:
    """Everything a pod of this runtime could leave behind."""
    root = str(pods.root)
    with open("/proc/self/mountinfo") as f:
        mounts = [line.split()[4] for line in f if root in line.split()[4]]
    netns = sorted(n for n in os.listdir("/var/run/netns") if n.startswith("kyb-")
                   and any(r["id"].startswith(n[4:]) for r in records)) \
        if os.path.isdir("/var/run/netns") else []
    cgroups = []
    for record in records:
        for hierarchy in ("memory", "cpu", "pids", "unified"):
            path = Path("/sys/fs/cgroup") / hierarchy / record["cgroup_parent"]
            if path.exists():
                cgroups.append(str(path))
    runc = subprocess.run(["runc", "--root", str(pods.root / "runc" / "runc"), "list", "-q"],
                          capture_output=True, text=True).stdout.split()
    links = subprocess.run(["ip", "-o", "link", "show"], capture_output=True,
                           text=True).stdout
    veths = []
    for record in records:
        for interface in (record.get("cni_result") or {}).get("interfaces", []):
            if not interface.get("sandbox") and interface["name"] != BRIDGE and \
                    f" {interface['name']}@" in links:
                veths.append(interface["name"])
    rules = subprocess.run(["iptables-save"], capture_output=True, text=True).stdout
    iptables = [line for line in rules.splitlines()
                if any(r["id"] in line for r in records)]
    return {"mounts": mounts, "netns": netns, "cgroups": cgroups, "runc": runc,
            "veths": veths, "iptables": iptables, "zombies": zombie_children()}


def zombie_children() -> list[int]:
    """Ended children nobody reaped (we are the containers' subreaper)."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if stat[0] == "Z" and int(stat[1]) == os.getpid():
                out.append(int(entry))
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(host: str, port: int) -> str:
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
    return data.decode(errors="replace")


def try_http_get(host: str, port: int) -> str:
    try:
        return http_get(host, port)
    except OSError:
        return ""


HTTPD = ["httpd", "-f", "-p", "8080", "-h", "/www"]


# ---------------------------------------------------------------------- lifecycle
def test_hello_world_logs_and_exit_code(pods):
    sandbox = pods.sandbox("hello")
    assert sandbox.state == "ready" and sandbox.ips
    cid = pods.container(sandbox.id, ["sh", "-c", "echo Hello World; echo oops >&2; "
                                      "printf 'no newline'; exit 3"])
    status = pods.wait(cid)
    assert (status.state, status.exit_code, status.reason) == ("exited", 3, "Error")
    assert status.finished_at >= status.started_at
    lines = pods.log(cid)
    assert ("stdout", "F", "Hello World") in lines
    assert ("stderr", "F", "oops") in lines
    assert ("stdout", "P", "no newline") in lines
    done = pods.container(sandbox.id, ["true"], name="ok")
    assert (pods.wait(done).exit_code, pods.wait(done).reason) == (0, "Completed")


def test_pod_files_volumes_and_readonly_rootfs(pods):
    sandbox = pods.sandbox("files")
    volume = pods.root / "volume"
    volume.mkdir()
    (volume / "data.txt").write_text("from the volume\n")
    key = pods.root / "key"
    key.write_text("secret-value\n")
    cid = pods.container(sandbox.id, ["sh", "-c", "hostname; cat /etc/resolv.conf; "
                                      "touch /x || echo readonly; cat /data/data.txt; "
                                      "touch /data/new || echo volume-readonly; "
                                      "cat /etc/app/key; echo shared > /dev/shm/s; id -u"],
                         readonly_rootfs=True, uid=65534, gid=65534,
                         mounts=[Mount(volume, "/data", readonly=True),
                                 Mount(key, "/etc/app/key", is_file=True)])
    assert pods.wait(cid).exit_code == 0
    texts = [text for stream, _, text in pods.log(cid) if stream == "stdout"]
    assert texts[0] == "files"
    assert "nameserver 10.96.0.10" in texts
    assert "readonly" in texts and "volume-readonly" in texts
    assert "from the volume" in texts and "secret-value" in texts
    assert texts[-1] == "65534"
    assert not (volume / "new").exists()
    # /dev/shm is the pod's: a second container sees the first one's file
    reader = pods.container(sandbox.id, ["cat", "/dev/shm/s"], name="reader")
    assert pods.wait(reader).exit_code == 0
    assert pods.log(reader) == [("stdout", "F", "shared")]


def test_missing_executable_is_a_container_error(pods):
    sandbox = pods.sandbox("missing")
    with pytest.raises(ContainerError) as error:
        pods.container(sandbox.id, ["/no/such/binary"])
    assert "no/such/binary" in error.value.message
    assert pods.run(pods.runtime.list_containers(sandbox.id)) == []


def test_memory_limit_oom_killed(pods):
    sandbox = pods.sandbox("oom")
    cid = pods.container(sandbox.id, ["dd", "if=/dev/zero", "of=/dev/null", "bs=64M",
                                      "count=1"],
                         resources=Resources(memory_limit=16 * 1024 * 1024))
    status = pods.wait(cid)
    assert (status.exit_code, status.reason) == (137, "OOMKilled")


def test_stop_sends_sigterm_then_sigkill(pods):
    sandbox = pods.sandbox("stop")
    graceful = pods.container(sandbox.id, ["sh", "-c", "trap 'echo got TERM; exit 7' TERM; "
                                           "echo ready; while :; do sleep 0.1; done"],
                              name="graceful")
    stubborn = pods.container(sandbox.id, ["sh", "-c", "trap '' TERM; echo ready; "
                                           "while :; do sleep 0.1; done"], name="stubborn")
    wait_for(lambda: ("stdout", "F", "ready") in pods.log(graceful)
             and ("stdout", "F", "ready") in pods.log(stubborn))
    assert pods.status(graceful).state == "running"
    pods.run(pods.runtime.stop_container(graceful, 30))
    status = pods.status(graceful)
    assert (status.state, status.exit_code) == ("exited", 7)
    assert ("stdout", "F", "got TERM") in pods.log(graceful)
    pods.run(pods.runtime.stop_container(stubborn, 0.5))
    status = pods.status(stubborn)
    assert (status.state, status.exit_code, status.reason) == ("exited", 137, "Error")


# ---------------------------------------------------------------------- streaming
def test_exec_without_tty(pods):
    sandbox = pods.sandbox("exec")
    cid = pods.container(sandbox.id, ["sleep", "3600"])

    async def scenario():
        proc = await pods.runtime.exec(cid, ["sh", "-c", "read x; echo got $x; "
                                             "echo to-err >&2; exit 5"],
                                       tty=False, stdin=True)
        proc.stdin.write(b"hello\n")
        await proc.stdin.drain()
        out = await proc.stdout.read()
        err = await proc.stderr.read()
        return out, err, await proc.wait()

    assert pods.run(scenario()) == (b"got hello\n", b"to-err\n", 5)
    async def killed():
        proc = await pods.runtime.exec(cid, ["sleep", "3600"], tty=False, stdin=False)
        await asyncio.sleep(0.2)
        await proc.kill()
        return await proc.wait()

    assert pods.run(killed()) != 0
    with pytest.raises(ContainerError) as error:
        pods.run(pods.runtime.exec(cid, ["no-such-tool"], tty=False, stdin=False))
    assert 'exec: "no-such-tool": executable file not found in $PATH' in error.value.message


def test_exec_with_tty(pods):
    sandbox = pods.sandbox("tty")
    cid = pods.container(sandbox.id, ["sleep", "3600"])

    async def scenario():
        proc = await pods.runtime.exec(cid, ["sh"], tty=True, stdin=True)
        assert proc.stderr is None
        proc.resize(100, 30)
        proc.stdin.write(b"tty; stty size; echo $((6*7)); exit 9\n")
        await proc.stdin.drain()
        out = await read_until(proc.stdout, b"42")
        return out, await proc.wait()

    out, code = pods.run(scenario())
    assert b"/dev/pts/" in out and b"30 100" in out and b"42" in out
    assert code == 9


def test_attach_to_stdin_container(pods):
    sandbox = pods.sandbox("attach")
    cid = pods.container(sandbox.id, ["sh", "-c", "while read line; do echo echo:$line; "
                                      "done; echo bye"], stdin=True, stdin_once=True)

    async def scenario():
        session = await pods.runtime.attach(cid, stdin=True)
        session.stdin.write(b"hi\n")
        await session.stdin.drain()
        out = await read_until(session.stdout, b"echo:hi")
        session.stdin.close()
        return out, await session.wait()

    out, code = pods.run(scenario())
    assert b"echo:hi" in out and code == 0
    assert ("stdout", "F", "bye") in pods.log(cid)


def test_attach_to_tty_shell(pods):
    """What `kubectl run -it ... -- sh` does: a TTY shell, attach, type, exit."""
    sandbox = pods.sandbox("shell")
    cid = pods.container(sandbox.id, ["sh"], tty=True, stdin=True, stdin_once=True)

    async def scenario():
        session = await pods.runtime.attach(cid, stdin=True)
        assert session.stderr is None
        session.resize(90, 20)
        session.stdin.write(b"stty size; echo $((2+3))x\n")
        await session.stdin.drain()
        out = await read_until(session.stdout, b"5x")
        session.stdin.write(b"exit 4\n")
        await session.stdin.drain()
        return out, await session.wait()

    out, code = pods.run(scenario())
    assert b"20 90" in out and b"5x" in out and code == 4
    assert any("5x" == text for _, _, text in pods.log(cid))


def test_tty_container_logs_as_stdout(pods):
    sandbox = pods.sandbox("ttyc")
    cid = pods.container(sandbox.id, ["sh", "-c", "tty; echo err >&2"], tty=True)
    assert pods.wait(cid).exit_code == 0
    lines = pods.log(cid)
    assert ("stdout", "F", "/dev/console") in lines or \
        any(text.startswith("/dev/pts/") for _, _, text in lines)
    assert ("stdout", "F", "err") in lines


# ---------------------------------------------------------------------- network
def test_port_forward_pod_ip_and_shared_localhost(pods):
    sandbox = pods.sandbox("web")
    pods.container(sandbox.id, HTTPD, name="web")

    async def forward():
        reader, writer = await pods.runtime.port_forward(sandbox.id, 8080)
        writer.write(b"GET / HTTP/1.0\r\n\r\n")
        await writer.drain()
        data = await reader.read()
        writer.close()
        return data

    wait_for(lambda: "hello from the pod" in try_http_get(sandbox.ips[0], 8080))
    assert b"hello from the pod" in pods.run(forward())
    client = pods.container(sandbox.id, ["sh", "-c", "wget -qO- http://127.0.0.1:8080/; "
                                         "hostname"], name="client")
    assert pods.wait(client).exit_code == 0
    texts = [text for _, _, text in pods.log(client)]
    assert texts == ["hello from the pod", "web"]


def test_host_port_through_portmap(pods):
    port = free_port()
    sandbox = pods.sandbox("hostport", port_mappings=[PortMapping(8080, port)])
    pods.container(sandbox.id, HTTPD)
    wait_for(lambda: "hello from the pod" in try_http_get("127.0.0.1", port))


def test_share_process_namespace(pods):
    sandbox = pods.sandbox("sharepid", share_process_namespace=True)
    pods.container(sandbox.id, ["sleep", "3601"], name="sleeper")
    own = pods.sandbox("ownpid")
    pods.container(own.id, ["sleep", "3602"], name="sleeper2")
    shared_ps = pods.container(sandbox.id, ["ps"], name="ps")
    own_ps = pods.container(own.id, ["ps"], name="ps2")
    # its exit status still reaches us, though its PID namespace has its own init
    assert (pods.wait(shared_ps).exit_code, pods.wait(shared_ps).reason) == (0, "Completed")
    pods.wait(own_ps)
    failing = pods.container(sandbox.id, ["sh", "-c", "exit 3"], name="failing")
    assert (pods.wait(failing).exit_code, pods.wait(failing).reason) == (3, "Error")
    assert any("sleep 3601" in text for _, _, text in pods.log(shared_ps))
    assert not any("sleep 3602" in text for _, _, text in pods.log(own_ps))


def test_host_network_sandbox(pods):
    sandbox = pods.sandbox("hostnet", host_network=True)
    assert sandbox.ips == [] and sandbox.netns_path == ""
    cid = pods.container(sandbox.id, ["hostname"])
    pods.wait(cid)
    assert pods.log(cid)[0][2] == socket.gethostname()


def test_no_ip_left_is_a_sandbox_error(loop, tmp_path, layer):
    small = Pods(loop, tmp_path, layer, pod_cidr="10.244.214.0/30", bridge="kybtest1")
    try:
        small.sandbox("first")
        with pytest.raises(SandboxError) as error:
            small.sandbox("second")
        assert "no IP addresses available" in str(error.value)
        assert len(small.run(small.runtime.list_sandboxes())) == 1
    finally:
        small.remove_all()
        subprocess.run(["ip", "link", "delete", "kybtest1"], capture_output=True)
        small.run(small.runtime.close())


# ---------------------------------------------------------------------- state
def test_restarted_runtime_finds_running_container(pods):
    sandbox = pods.sandbox("restart")
    cid = pods.container(sandbox.id, ["sh", "-c", "echo before; trap 'echo after; exit 0' "
                                      "TERM; while :; do sleep 0.1; done"])
    wait_for(lambda: ("stdout", "F", "before") in pods.log(cid))
    pods.run(pods.runtime.close())
    pods.runtime = RuncRuntime(pods.root / "runc", **pods.options)
    assert [s.id for s in pods.run(pods.runtime.list_sandboxes())] == [sandbox.id]
    assert pods.status(cid).state == "running"
    pods.run(pods.runtime.stop_container(cid, 30))
    status = pods.status(cid)
    assert (status.state, status.exit_code, status.reason) == ("exited", 0, "Completed")
    assert ("stdout", "F", "after") in pods.log(cid)
    # a container that ends while no runtime watches it is found ended
    other = pods.container(sandbox.id, ["sleep", "3600"], name="other")
    pods.run(pods.runtime.close())
    runc_root = str(pods.root / "runc" / "runc")
    subprocess.run(["runc", "--root", runc_root, "kill", other, "KILL"], check=True)
    wait_for(lambda: '"stopped"' in subprocess.run(["runc", "--root", runc_root, "state",
                                                     other], capture_output=True,
                                                    text=True).stdout)
    pods.runtime = RuncRuntime(pods.root / "runc", **pods.options)
    status = pods.status(other)
    # still this process's child, so its real status is known (137 after SIGKILL);
    # one whose parent was another process is reported as ContainerStatusUnknown
    assert (status.state, status.exit_code) == ("exited", 137)


def test_remove_sandbox_leaves_nothing(pods):
    sandbox = pods.sandbox("leak", port_mappings=[PortMapping(8080, free_port())])
    pods.container(sandbox.id, HTTPD, name="a")
    pods.container(sandbox.id, ["sleep", "3600"], name="b")
    records = sandbox_records(pods)
    during = leftovers(pods, records)
    assert during["netns"] and during["cgroups"] and len(during["runc"]) == 2  # a, b: no holder
    assert during["veths"] and during["iptables"] and len(during["mounts"]) >= 3
    pods.run(pods.runtime.stop_sandbox(sandbox.id))
    pods.run(pods.runtime.stop_sandbox(sandbox.id))  # idempotent
    pods.run(pods.runtime.remove_sandbox(sandbox.id))
    pods.run(pods.runtime.remove_sandbox(sandbox.id))
    assert leftovers(pods, records) == {"mounts": [], "netns": [], "cgroups": [], "runc": [],
                                        "veths": [], "iptables": [], "zombies": []}
    assert pods.run(pods.runtime.sandbox_status(sandbox.id)) is None
