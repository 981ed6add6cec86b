# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Several nodes on one machine: each node is a network namespace on a host bridge,
the way kind's containers or a rack of hosts on one switch look to the cluster.

`netns_nodes(n)` makes a bridge `kybt<hex>` with a /24 of 172.31.0.0/16 (the host side
is .1), and n network namespaces, each with a veth into the bridge as its eth0 at
.10+i, lo up, a default route via .1, net.ipv4.ip_forward=1 and
bridge-nf-call-iptables=1 (per network namespace on this kernel). The host reaches
every node IP and each node reaches the host's .1, where the API server listens when
started with `network.server_args()` (bound to 0.0.0.0, advertised and certified on
the bridge address, so the server's own node is a peer on the same segment).

    with netns_nodes(2) as network:
        with runc_cluster(tmp_path_factory, "multi", network.server_args()) as server:
            for node in network.nodes:
                kubeconfig = make_user(server, f"system:node:{node.name}", "system:nodes")
                node.start_agent(kubeconfig, network.api_url(server.port),
                                 extra_args=["--disable-default-registry-endpoint"],
                                 registries_yaml=server.data_dir / "registries.yaml")
            wait_for(lambda: all_nodes_ready(...))
            node = network.nodes[0]
            print(node.run("ip", "route").stdout)     # a command inside the node
            ...                                        # pods are deleted by runc_cluster's teardown
        # leaving: agents stopped (after their sandboxes are released), leftovers removed

(tests/support/multinode_cluster.py is exactly this, ready made.) The test registry
listens on the host's loopback only; `start_agent(registries_yaml=...)` relays each
127.0.0.1 endpoint it names into the node (`node.forward_host_port(port)`), so the
same registries.yaml works inside. The host-gw routes, kube-proxy rules and conntrack
table of a node live in its namespace and vanish with it.

Agents run under `nsenter --net=` rather than `ip netns exec`: the latter remounts /sys,
which hides /sys/fs/cgroup from runc. So an agent shares the host's mount namespace:
its container mounts and pod network namespaces are the host's, and the teardown can
see and release every one of them even after a failure. Stop order on exit: for each
agent, wait (briefly) until its pods' sandboxes are gone, SIGTERM it, then remove what
is left with the runc runtime's own code run inside the node (containers killed, CNI
DEL, pod netns, mounts, cgroups), then unmount whatever remains under its root dir,
then delete the node namespaces, the veths (they go with their namespace) and the bridge.
"""
from __future__ import annotations

import contextlib
import ctypes
import ipaddress
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest

NODE_SUBNETS = ipaddress.ip_network("172.31.0.0/16")
FIRST_NODE_HOST = 10
REPO = Path(__file__).resolve().parents[2]

def netns_missing() -> str | None:
    """Why node namespaces cannot be made here, or None."""
    if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("nsenter"):
        return "needs root, ip and nsenter"
    return None


needs_netns = pytest.mark.skipif(netns_missing() is not None, reason="needs root, ip and nsenter")


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(["ip", *args], capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {result.stderr.strip()}")
    return result


def _used_subnets() -> set[ipaddress.IPv4Network]:
    """The /24s of 172.31.0.0/16 some interface of the host already sits in."""
    used = set()
    for line in _ip("-4", "-o", "addr", "show").stdout.splitlines():
        words = line.split()
        if "inet" in words:
            interface = ipaddress.ip_interface(words[words.index("inet") + 1])
            if interface.ip in NODE_SUBNETS:
                used.add(ipaddress.ip_network(f"{interface.ip}/24", strict=False))
    return used


_libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000


def _listen_in_netns(netns_path: str, port: int) -> socket.socket:
    """A listening TCP socket on 127.0.0.1:port inside the namespace; setns changes only
    the calling thread's namespace, so this runs in a thread of its own."""
    result: list = []

    def make() -> None:
        own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        target = os.open(netns_path, os.O_RDONLY)
        try:
            if _libc.setns(target, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), f"setns {netns_path}")
            try:
                sock = socket.socket()
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind(("127.0.0.1", port))
                sock.listen(64)
                result.append(sock)
            finally:
                _libc.setns(own, CLONE_NEWNET)
        except OSError as exc:
            result.append(exc)
        finally:
            os.close(own)
            os.close(target)
    thread = threading.Thread(target=make)
    thread.start()
    thread.join()
    if isinstance(result[0], OSError):
        raise result[0]
    return result[0]


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
        sink.shutdown(socket.SHUT_WR)
    except OSError:
        pass


class PortForward:
    """127.0.0.1:port inside a node relayed to 127.0.0.1:port of the host (e.g. the test
    registry, which listens on the host's loopback only)."""

    def __init__(self, netns_path: str, port: int) -> None:
        self.port = port
        self.listener = _listen_in_netns(netns_path, port)
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                inside, _ = self.listener.accept()
            except OSError:
                return  # closed
            try:
                outside = socket.create_connection(("127.0.0.1", self.port), timeout=10)
                outside.settimeout(None)
            except OSError:
                inside.close()
                continue
            for source, sink in ((inside, outside), (outside, inside)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()

    def close(self) -> None:
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        self.thread.join(timeout=5)


def _loopback_ports(text: str) -> list[int]:
    """The ports of http(s)://127.0.0.1:PORT endpoints a registries.yaml names."""
    return sorted({int(p) for p in re.findall(r"https?://127\.0\.0\.1:(\d+)", text)})


def _mounts_under(directory: Path) -> list[str]:
    prefix = str(directory).rstrip("/") + "/"
    with open("/proc/mounts") as handle:
        points = [line.split()[1] for line in handle]
    return sorted((p for p in points if p.startswith(prefix)), key=len, reverse=True)


# Run inside a node after its agent stopped: the runc runtime removes every sandbox it
# still records (its containers, CNI DEL, the pod netns, shm, cgroups), as a kubelet would.
_RELEASE_SANDBOXES = """
import asyncio, sys
from pathlib import Path
from kybernetes.kubelet.runtimes.runc import RuncRuntime
async def main():
    runtime = RuncRuntime(Path(sys.argv[1]) / "runc")
    for sandbox in await runtime.list_sandboxes():
        try:
            await runtime.remove_sandbox(sandbox.id)
        except Exception as exc:
            print(f"sandbox {sandbox.id}: {exc}", file=sys.stderr)
    await runtime.close()
asyncio.run(main())
"""


@dataclass
class Agent:
    """One `kybernetes agent` running inside a node."""
    process: subprocess.Popen
    root_dir: Path
    log: Path

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


@dataclass
class NetnsNode:
    name: str  # the node name agents register (and the netns's name)
    ip: str
    netns: str
    host_veth: str
    work_dir: Path
    agents: list[Agent] = field(default_factory=list)
    forwards: list[PortForward] = field(default_factory=list)

    @property
    def netns_path(self) -> str:
        return f"/var/run/netns/{self.netns}"

    def run(self, *argv: str, check: bool = True, timeout: float = 60,
            input: str | None = None) -> subprocess.CompletedProcess:
        """A command inside the node's network namespace (`ip netns exec`)."""
        result = subprocess.run(["ip", "netns", "exec", self.netns, *argv], capture_output=True,
                                text=True, timeout=timeout, input=input)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(argv)} in {self.name} failed ({result.returncode}):\n"
                                 f"{result.stdout}\n{result.stderr}")
        return result

    def popen(self, *argv: str, **options) -> subprocess.Popen:
        """A process inside the node's network namespace, in the host's mount namespace."""
        return subprocess.Popen(["nsenter", f"--net={self.netns_path}", *argv], **options)

    def start_agent(self, kubeconfig: Path, server_url: str, *, kubelet_port: int = 10250,
                    root_dir: Path | None = None, extra_args: list[str] = (),
                    registries_yaml: Path | None = None) -> Agent:
        """`kybernetes agent --runtime runc` as this node (its name, its IP, its own root
        dir); `registries_yaml` is copied into the root dir, where the runtime reads it,
        and the host-loopback registries it names are forwarded into the node."""
        root = root_dir or self.work_dir / "kubelet"
        root.mkdir(parents=True, exist_ok=True)
        args = ["--kubeconfig", str(kubeconfig), "--server", server_url, "--runtime", "runc",
                "--hostname-override", self.name, "--node-ip", self.ip,
                "--kubelet-port", str(kubelet_port), "--root-dir", str(root), *extra_args]
        if registries_yaml is not None:  # the runc runtime reads ROOT/registries.yaml
            shutil.copy(registries_yaml, root / "registries.yaml")
            forwarded = {f.port for f in self.forwards}
            for port in _loopback_ports(Path(registries_yaml).read_text()):
                if port not in forwarded:
                    self.forward_host_port(port)
        log = self.work_dir / f"agent-{len(self.agents)}.log"
        process = self.popen(sys.executable, "-m", "kybernetes.cli.main", "agent", *args,
                             cwd=str(REPO), stdout=open(log, "ab"), stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL)
        agent = Agent(process, root, log)
        self.agents.append(agent)
        return agent

    def forward_host_port(self, port: int) -> PortForward:
        """Make the host's 127.0.0.1:port answer at 127.0.0.1:port inside this node too
        (so a registries.yaml naming the test registry works unchanged in the node)."""
        forward = PortForward(self.netns_path, port)
        self.forwards.append(forward)
        return forward

    def sandboxes_left(self) -> list[Path]:
        found = []
        for agent in self.agents:
            directory = agent.root_dir / "runc" / "sandboxes"
            if directory.is_dir():
                found += list(directory.iterdir())
        return found

    def stop_agents(self, release_timeout: float = 60) -> None:
        """Stop every agent once its sandboxes are released (or the wait ran out), then
        remove what a stopped or crashed agent left: sandboxes, mounts under its root."""
        deadline = time.monotonic() + release_timeout
        while self.sandboxes_left() and any(a.running() for a in self.agents) \
                and time.monotonic() < deadline:
            time.sleep(0.3)
        for agent in self.agents:
            agent.stop()
        for agent in self.agents:
            if (agent.root_dir / "runc" / "sandboxes").is_dir() and \
                    any((agent.root_dir / "runc" / "sandboxes").iterdir()):
                process = self.popen(sys.executable, "-c", _RELEASE_SANDBOXES, str(agent.root_dir),
                                     cwd=str(REPO), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                try:
                    process.communicate(timeout=120)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.communicate()
            for mount in _mounts_under(agent.root_dir):
                subprocess.run(["umount", "-l", mount], check=False)


@dataclass
class NodeNetwork:
    bridge: str
    subnet: ipaddress.IPv4Network
    host_ip: str
    nodes: list[NetnsNode]
    work_dir: Path

    def api_url(self, port: int) -> str:
        return f"https://{self.host_ip}:{port}"

    def server_args(self) -> list[str]:
        """Flags for `kybernetes server` so nodes reach it and its own node is their peer."""
        return ["--bind-address", "0.0.0.0", "--advertise-address", self.host_ip,
                "--tls-san", self.host_ip]

    def node(self, name: str) -> NetnsNode:
        return next(n for n in self.nodes if n.name == name)


def _free_subnet() -> ipaddress.IPv4Network:
    used = _used_subnets()
    candidates = [s for s in NODE_SUBNETS.subnets(new_prefix=24) if s not in used
                  and s.network_address.packed[2] != 0]
    return candidates[secrets.randbelow(len(candidates))]


@contextlib.contextmanager
def netns_nodes(count: int, *, prefix: str = "node") -> Iterator[NodeNetwork]:
    """A bridge and `count` node namespaces; everything removed on exit, also on failure."""
    tag = secrets.token_hex(3)
    bridge = f"kybt{tag}"
    subnet = _free_subnet()
    hosts = list(subnet.hosts())
    host_ip = str(hosts[0])
    work_dir = Path(tempfile.mkdtemp(prefix=f"{bridge}-"))
    network = NodeNetwork(bridge, subnet, host_ip, [], work_dir)
    try:
        _ip("link", "add", bridge, "type", "bridge")
        _ip("addr", "add", f"{host_ip}/{subnet.prefixlen}", "dev", bridge)
        _ip("link", "set", bridge, "up")
        for index in range(count):
            name = f"{prefix}-{tag}-{index}"
            node = NetnsNode(name=name, ip=str(hosts[FIRST_NODE_HOST - 1 + index]),
                             netns=f"kybt{tag}-{index}", host_veth=f"kybt{tag}h{index}",
                             work_dir=work_dir / name)
            node.work_dir.mkdir(parents=True)
            network.nodes.append(node)
            _add_node(node, bridge, host_ip, subnet.prefixlen)
        yield network
    finally:
        first_error: BaseException | None = None
        for node in network.nodes:  # every node is taken down, whatever failed before
            try:
                node.stop_agents()
                for forward in node.forwards:
                    forward.close()
            except BaseException as exc:
                first_error = first_error or exc
            finally:
                _ip("netns", "delete", node.netns, check=False)
                _ip("link", "delete", node.host_veth, check=False)  # gone with the netns already
        _ip("link", "delete", bridge, check=False)
        for mount in _mounts_under(work_dir):
            subprocess.run(["umount", "-l", mount], check=False)
        shutil.rmtree(work_dir, ignore_errors=True)
        if first_error is not None and sys.exc_info()[1] is None:  # never hide the test's own
            raise first_error


def _add_node(node: NetnsNode, bridge: str, host_ip: str, prefixlen: int) -> None:
    peer = f"kybt{node.netns[4:10]}p{node.netns.rsplit('-', 1)[1]}"
    _ip("netns", "add", node.netns)
    _ip("link", "add", node.host_veth, "type", "veth", "peer", "name", peer)
    _ip("link", "set", peer, "netns", node.netns)
    _ip("link", "set", node.host_veth, "master", bridge, "up")
    _ip("-n", node.netns, "link", "set", peer, "name", "eth0")
    _ip("-n", node.netns, "addr", "add", f"{node.ip}/{prefixlen}", "dev", "eth0")
    _ip("-n", node.netns, "link", "set", "eth0", "up")
    _ip("-n", node.netns, "link", "set", "lo", "up")
    _ip("-n", node.netns, "route", "add", "default", "via", host_ip)
    # what a node needs of its kernel; the bridge sysctls exist per netns with br_netfilter
    node.run("sysctl", "-q", "-w", "net.ipv4.ip_forward=1")
    if Path("/proc/sys/net/bridge").exists():
        node.run("sysctl", "-q", "-w", "net.bridge.bridge-nf-call-iptables=1")
