# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""A third-party CNI plugin instead of the built-in network: `kybernetes server
--flannel-backend none --cni-conf-dir D`. The node is NotReady and pods wait until an
installer (played by the test, as a Weave/Calico/Flannel DaemonSet would be) writes a
configuration into D; hostNetwork pods run meanwhile. Then pods get addresses from that
network, and their teardown releases them with the configuration they were set up
with, even after it changed."""
from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from kybernetes.kubelet.node import NETWORK_NOT_READY
from tests.integration.conftest import Kubectl
from tests.support.runc_cluster import mounts_under, needs_runc, runc_cluster
from tests.support.waiting import wait_for

PLUGIN_DIR = Path("/usr/lib/cni")
BRIDGES = ("tp0", "tp1")

pytestmark = [needs_runc, pytest.mark.skipif(
    not all(os.access(PLUGIN_DIR / p, os.X_OK) for p in ("bridge", "host-local")) or
    not os.access("/usr/sbin/ip", os.X_OK) and not os.access("/sbin/ip", os.X_OK),
    reason="needs containernetworking-plugins in /usr/lib/cni and iproute2")]


def bridge_network(bridge: str, subnet: str, ipam_dir: Path) -> dict:
    """A plugin's config as a third-party installer would write it: its own bridge and
    host-local leases in a directory of its own."""
    return {"type": "bridge", "bridge": bridge, "isGateway": True, "ipMasq": False,
            "ipam": {"type": "host-local", "ranges": [[{"subnet": subnet}]],
                     "routes": [{"dst": "0.0.0.0/0"}], "dataDir": str(ipam_dir)}}


def install(conf_dir: Path, name: str, config: dict) -> Path:
    """Written whole, then renamed in place, as installers do (no half-read file)."""
    path = conf_dir / name
    tmp = conf_dir / (name + ".tmp")
    tmp.write_text(json.dumps(config, indent=2))
    os.replace(tmp, path)
    return path


def remove_bridges() -> None:
    for bridge in BRIDGES:
        if Path(f"/sys/class/net/{bridge}").exists():
            subprocess.run(["ip", "link", "del", bridge], check=False)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    conf_dir = tmp_path_factory.mktemp("third-party-net.d")
    ipam_dir = tmp_path_factory.mktemp("third-party-ipam")
    stack = contextlib.ExitStack()
    stack.callback(remove_bridges)  # after the cluster is gone, with every pod on them
    with stack:
        server = stack.enter_context(runc_cluster(
            tmp_path_factory, "third-party-cni",
            ["--flannel-backend", "none", "--cni-conf-dir", str(conf_dir),
             "--cni-bin-dir", str(PLUGIN_DIR)]))
        k = Kubectl(server, tmp_path_factory.mktemp("third-party-kubectl"))
        node = wait_for(lambda: k.json("get", "nodes")["items"], timeout=60)[0]["metadata"]["name"]
        yield k, server, node, conf_dir, ipam_dir


def ready_condition(k: Kubectl, node: str) -> dict:
    """The node's Ready condition ({} until it has registered)."""
    found = k.run("get", "node", node, "-o", "json", check=False)
    if found.returncode != 0:
        return {}
    conditions = (json.loads(found.stdout).get("status") or {}).get("conditions") or []
    return next((c for c in conditions if c["type"] == "Ready"), {})


def pod_manifest(name: str, node: str, host_network: bool = False) -> str:
    return json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": {
        # bound by name: the scheduler keeps pods off a NotReady node, a kubelet does not
        "nodeName": node, "hostNetwork": host_network, "terminationGracePeriodSeconds": 1,
        "containers": [{"name": "main", "image": "busybox", "command": ["sleep", "3600"]}]}})


def running_ip(k: Kubectl, ns: str, name: str) -> str:
    status = k.json("get", "pod", name, "-n", ns).get("status") or {}
    return status.get("podIP", "") if status.get("phase") == "Running" else ""


def sandbox_netns(server, uid: str) -> Path:
    """The network namespace the server's runtime pinned for the pod `uid`."""
    return sandbox_netns_under(server.data_dir / "kubelet" / "runc", uid)


def sandbox_netns_under(runtime_root: Path, uid: str) -> Path:
    for record in (runtime_root / "sandboxes").glob("*/sandbox.json"):
        data = json.loads(record.read_text())
        if data["config"].get("uid") == uid and data.get("netns_path"):
            return Path(data["netns_path"])
    raise AssertionError(f"no sandbox with a network namespace for pod {uid}")


@pytest.fixture
def ns(cluster):
    k = cluster[0]
    name = f"tp-{uuid.uuid4().hex[:8]}"
    k.run("create", "namespace", name)
    wait_for(lambda: k.run("get", "serviceaccount", "default", "-n", name, check=False).returncode == 0)
    yield name
    k.run("delete", "namespace", name, "--wait=false", check=False)


def delete_pod_and_check_release(k: Kubectl, ns: str, name: str, lease: Path, netns: Path) -> None:
    k.run("delete", "pod", name, "-n", ns, "--wait=false")
    wait_for(lambda: k.run("get", "pod", name, "-n", ns, check=False).returncode != 0, timeout=90)
    wait_for(lambda: not lease.exists(), timeout=60)
    wait_for(lambda: not netns.exists(), timeout=60)


def test_node_waits_for_a_cni_config_then_pods_use_it(cluster, ns):
    k, server, node, conf_dir, ipam_dir = cluster
    # no configuration yet: NotReady with containerd's message, pods hold
    wait_for(lambda: ready_condition(k, node).get("status") == "False", timeout=60)
    ready = ready_condition(k, node)
    assert (ready["reason"], ready["message"]) == ("KubeletNotReady", NETWORK_NOT_READY)
    k.run("apply", "-n", ns, "-f", "-", input=pod_manifest("waiting", node))
    k.run("apply", "-n", ns, "-f", "-", input=pod_manifest("installer", node, host_network=True))

    def network_not_ready_event():
        events = k.json("get", "events", "-n", ns, "--field-selector",
                        "involvedObject.name=waiting,reason=NetworkNotReady")["items"]
        return events[0] if events else None
    event = wait_for(network_not_ready_event, timeout=60)
    assert event["type"] == "Warning"
    assert event["message"] == f"network is not ready: {NETWORK_NOT_READY}"
    # a host-network pod (the plugin's own DaemonSet) runs without the pod network
    wait_for(lambda: running_ip(k, ns, "installer"), timeout=120)
    waiting = k.json("get", "pod", "waiting", "-n", ns)
    assert waiting["status"]["phase"] == "Pending" and not waiting["status"].get("podIP")
    assert ready_condition(k, node)["status"] == "False"

    # the installer writes its network: the node turns Ready and the pod gets an address
    install(conf_dir, "10-third-party.conflist", {
        "cniVersion": "1.0.0", "name": "tp-net",
        "plugins": [bridge_network("tp0", "10.250.0.0/24", ipam_dir)]})
    wait_for(lambda: ready_condition(k, node).get("status") == "True", timeout=60)
    ip = wait_for(lambda: running_ip(k, ns, "waiting"), timeout=120)
    assert ipaddress.ip_address(ip) in ipaddress.ip_network("10.250.0.0/24")
    lease = ipam_dir / "tp-net" / ip
    assert lease.is_file()
    netns = sandbox_netns(server, waiting["metadata"]["uid"])
    assert netns.exists()
    # the pod's address is on its eth0, inside its own network namespace
    shown = k.run("exec", "waiting", "-n", ns, "--", "ip", "-4", "addr", "show", "eth0").stdout
    assert f"inet {ip}/24" in shown
    delete_pod_and_check_release(k, ns, "waiting", lease, netns)
    k.run("delete", "pod", "installer", "-n", ns, "--wait=false")
    wait_for(lambda: k.run("get", "pod", "installer", "-n", ns, check=False).returncode != 0,
             timeout=90)


def test_single_plugin_conf_and_teardown_with_the_config_of_setup(cluster, ns):
    k, server, node, conf_dir, ipam_dir = cluster
    conflist = install(conf_dir, "10-third-party.conflist", {
        "cniVersion": "1.0.0", "name": "tp-net",
        "plugins": [bridge_network("tp0", "10.250.0.0/24", ipam_dir)]})
    wait_for(lambda: ready_condition(k, node).get("status") == "True", timeout=60)
    k.run("apply", "-n", ns, "-f", "-", input=pod_manifest("first", node))
    first_ip = wait_for(lambda: running_ip(k, ns, "first"), timeout=120)
    assert ipaddress.ip_address(first_ip) in ipaddress.ip_network("10.250.0.0/24")
    first_uid = k.json("get", "pod", "first", "-n", ns)["metadata"]["uid"]
    first_lease = ipam_dir / "tp-net" / first_ip
    assert first_lease.is_file()

    # the plugin is replaced by another, configured by a single-plugin .conf file
    conflist.unlink()
    wait_for(lambda: ready_condition(k, node).get("status") == "False", timeout=60)
    conf = bridge_network("tp1", "10.250.1.0/24", ipam_dir)
    install(conf_dir, "20-other.conf", {"cniVersion": "0.4.0", "name": "tp-conf", **conf})
    wait_for(lambda: ready_condition(k, node).get("status") == "True", timeout=60)
    k.run("apply", "-n", ns, "-f", "-", input=pod_manifest("second", node))
    second_ip = wait_for(lambda: running_ip(k, ns, "second"), timeout=120)
    assert ipaddress.ip_address(second_ip) in ipaddress.ip_network("10.250.1.0/24")
    second_lease = ipam_dir / "tp-conf" / second_ip
    assert second_lease.is_file()

    # the first pod's network is gone from the directory: its DEL uses what its ADD had
    assert running_ip(k, ns, "first") == first_ip
    delete_pod_and_check_release(k, ns, "first", first_lease, sandbox_netns(server, first_uid))
    second_uid = k.json("get", "pod", "second", "-n", ns)["metadata"]["uid"]
    delete_pod_and_check_release(k, ns, "second", second_lease, sandbox_netns(server, second_uid))
    assert not list((ipam_dir / "tp-net").glob("10.*")) and \
        not list((ipam_dir / "tp-conf").glob("10.*"))


def test_agent_with_a_third_party_network(cluster, ns, tmp_path):
    """`kybernetes agent --flannel-backend none`: the same, on a joined node with its own
    configuration directory (and no wait for a podCIDR: the plugin has its own IPAM)."""
    from tests.support.kubelet_agent import Agent
    k, server, _, _, ipam_dir = cluster
    conf_dir = tmp_path / "agent-net.d"  # made by the installer, not there yet
    root = tmp_path / "agent-root"
    root.mkdir()  # the node pulls through the cluster's registry mirror too
    shutil.copy(server.data_dir / "registries.yaml", root / "registries.yaml")
    agent = Agent(server, tmp_path, "tp-agent", [
        "--runtime", "runc", "--root-dir", str(root), "--disable-default-registry-endpoint",
        "--flannel-backend", "none", "--cni-conf-dir", str(conf_dir), "--cni-bin-dir",
        str(PLUGIN_DIR), "--disable-kube-proxy", "--disable-network-policy"]).start()
    try:
        wait_for(lambda: ready_condition(k, "tp-agent").get("message") == NETWORK_NOT_READY,
                 timeout=90)
        assert not conf_dir.exists()  # the kubelet never writes a configuration of its own
        k.run("apply", "-n", ns, "-f", "-", input=pod_manifest("joined", "tp-agent"))
        conf_dir.mkdir()
        install(conf_dir, "10-third-party.conflist", {
            "cniVersion": "1.0.0", "name": "tp-net",
            "plugins": [bridge_network("tp0", "10.250.0.0/24", ipam_dir)]})
        wait_for(lambda: ready_condition(k, "tp-agent").get("status") == "True", timeout=60)
        ip = wait_for(lambda: running_ip(k, ns, "joined"), timeout=120)
        assert ipaddress.ip_address(ip) in ipaddress.ip_network("10.250.0.0/24")
        uid = k.json("get", "pod", "joined", "-n", ns)["metadata"]["uid"]
        netns = sandbox_netns_under(root / "runc", uid)
        delete_pod_and_check_release(k, ns, "joined", ipam_dir / "tp-net" / ip, netns)
        wait_for(lambda: not list((root / "runc" / "sandboxes").iterdir()), timeout=60)
    finally:
        try:  # the agent's kubelet releases its sandboxes before it stops
            k.run("delete", "pods", "--all", "-n", ns, "--grace-period=1", "--wait=false",
                  check=False)
            wait_for(lambda: not k.json("get", "pods", "-n", ns)["items"], timeout=120)
            sandboxes = root / "runc" / "sandboxes"
            wait_for(lambda: not sandboxes.is_dir() or not list(sandboxes.iterdir()), timeout=60)
        finally:
            agent.stop()
            k.run("delete", "node", "tp-agent", check=False)
            for mount in mounts_under(root):  # whatever a failure left behind
                subprocess.run(["umount", "-l", mount], check=False)
