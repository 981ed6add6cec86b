# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Static pods end to end: `kybernetes agent --pod-manifest-path DIR` runs the pods in
DIR's files, keeps their mirror pods in the API (what `kubectl get pods` shows), and
follows edits and removals of the files; NodeRestriction lets a node create mirrors only.

The mirror lifecycle runs on the fake runtime (fast); real containers run on the process
runtime (started while the API server is down) and on runc (root)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.conftest import Kubectl, Server, free_port
from tests.support.image_builder import busybox_available
from tests.support.kubelet_agent import Agent, leftover_processes
from tests.support.waiting import wait_for

NODE = "static-node"


def manifest(name: str, message: str, **extra) -> str:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"tier": "static"}},
           "spec": {"containers": [{"name": "main", "image": "busybox:1.36",
                                    "command": ["sh", "-c", f"echo {message}; exec sleep 600"]}],
                    "terminationGracePeriodSeconds": 1, **extra}}
    return json.dumps(pod)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("static-cluster"), command="server").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def admin(cluster, tmp_path_factory) -> Kubectl:
    return Kubectl(cluster, tmp_path_factory.mktemp("static-kubectl"))


@pytest.fixture(scope="module")
def manifests(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("manifests")


@pytest.fixture(scope="module")
def agent(cluster, manifests, tmp_path_factory):
    node = Agent(cluster, tmp_path_factory.mktemp("static-agent"), NODE,
                 ["--runtime", "fake", "--pod-manifest-path", str(manifests),
                  "--file-check-frequency", "1s"]).start()
    yield node
    node.stop()


def get_pod(admin: Kubectl, name: str) -> dict | None:
    result = admin.run("get", "pod", name, "-o", "json", check=False)
    return json.loads(result.stdout) if result.returncode == 0 else None


def running_mirror(admin: Kubectl, name: str):
    def check():
        pod = get_pod(admin, name)
        return pod if pod and (pod.get("status") or {}).get("phase") == "Running" else None
    return check


def test_a_manifest_runs_and_its_mirror_shows_in_the_api(admin, agent, manifests):
    (manifests / "web.yaml").write_text(manifest("web", "hello", priorityClassName="system-node-critical"))
    mirror = wait_for(running_mirror(admin, f"web-{NODE}"), timeout=60)
    assert mirror["spec"]["priority"] == 2000001000  # resolved by the Priority admission plugin
    meta = mirror["metadata"]
    annotations = meta["annotations"]
    assert annotations["kubernetes.io/config.source"] == "file"
    assert annotations["kubernetes.io/config.mirror"] == annotations["kubernetes.io/config.hash"]
    assert annotations["kubernetes.io/config.seen"].endswith("Z")
    assert meta["uid"] != annotations["kubernetes.io/config.hash"]  # the API's own uid
    node = json.loads(admin.run("get", "node", NODE, "-o", "json").stdout)
    assert meta["ownerReferences"] == [{"apiVersion": "v1", "kind": "Node", "name": NODE,
                                        "uid": node["metadata"]["uid"], "controller": True}]
    assert meta["labels"] == {"tier": "static"}
    assert mirror["spec"]["nodeName"] == NODE
    assert {"operator": "Exists", "effect": "NoExecute"} in mirror["spec"]["tolerations"]
    assert mirror["status"]["containerStatuses"][0]["ready"] is True
    table = admin.run("get", "pods", "-o", "wide").stdout
    assert any(line.split()[:3] == [f"web-{NODE}", "1/1", "Running"] and NODE in line
               for line in table.splitlines())


def test_a_deleted_mirror_is_made_again(admin, agent, manifests):
    first = wait_for(running_mirror(admin, f"web-{NODE}"), timeout=60)
    admin.run("delete", "pod", f"web-{NODE}", "--wait=false")
    again = wait_for(lambda: (lambda p: p if p and p["metadata"]["uid"] != first["metadata"]["uid"]
                              and not p["metadata"].get("deletionTimestamp") else None)(
        get_pod(admin, f"web-{NODE}")), timeout=60)
    assert (again["metadata"]["annotations"]["kubernetes.io/config.mirror"]
            == first["metadata"]["annotations"]["kubernetes.io/config.mirror"])
    wait_for(running_mirror(admin, f"web-{NODE}"), timeout=60)


def test_editing_the_file_replaces_the_pod(admin, agent, manifests):
    before = wait_for(running_mirror(admin, f"web-{NODE}"), timeout=60)
    old_hash = before["metadata"]["annotations"]["kubernetes.io/config.hash"]
    (manifests / "web.yaml").write_text(manifest("web", "edited"))

    def replaced():
        pod = get_pod(admin, f"web-{NODE}")
        if not pod or pod["metadata"]["annotations"]["kubernetes.io/config.hash"] == old_hash:
            return None
        return pod if pod.get("status", {}).get("phase") == "Running" else None
    after = wait_for(replaced, timeout=60)
    assert after["metadata"]["annotations"]["kubernetes.io/config.mirror"] == \
        after["metadata"]["annotations"]["kubernetes.io/config.hash"]
    assert "edited" in after["spec"]["containers"][0]["command"][2]


def test_a_bad_manifest_is_reported_and_the_others_still_run(admin, agent, manifests):
    (manifests / "broken.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: broken}\nspec: {}\n")
    (manifests / ".hidden.yaml").write_text("not: [valid")
    (manifests / "db.yaml").write_text(manifest("db", "db"))
    wait_for(running_mirror(admin, f"db-{NODE}"), timeout=60)

    def reported():
        events = json.loads(admin.run("get", "events", "-n", "default", "-o", "json").stdout)["items"]
        return [e for e in events if e["reason"] == "FailedStaticPod"
                and e["involvedObject"]["kind"] == "Node" and e["involvedObject"]["name"] == NODE]
    event = wait_for(reported, timeout=60)[0]
    assert event["type"] == "Warning"
    assert str(manifests / "broken.yaml") in event["message"]
    assert "spec.containers: Required value" in event["message"]
    assert "hidden" not in json.dumps(reported())
    assert f"could not process manifest file \"{manifests / 'broken.yaml'}\"" in agent.output()
    assert get_pod(admin, f"broken-{NODE}") is None
    (manifests / "broken.yaml").unlink()
    (manifests / ".hidden.yaml").unlink()


def test_removing_the_file_stops_the_pod_and_deletes_the_mirror(admin, agent, manifests):
    wait_for(running_mirror(admin, f"db-{NODE}"), timeout=60)
    (manifests / "db.yaml").unlink()
    wait_for(lambda: get_pod(admin, f"db-{NODE}") is None, timeout=60)
    assert get_pod(admin, f"web-{NODE}") is not None


def test_a_mirror_without_a_static_pod_is_deleted_and_node_restriction_holds(cluster, admin, agent):
    """A node may create only mirror pods bound to itself, referencing no secrets,
    configmaps or service accounts; the kubelet deletes a mirror it has no file for."""
    node_kubeconfig = agent.kubeconfig
    node = Kubectl(cluster, admin.cache_dir)

    def as_node(*args, body: dict) -> subprocess.CompletedProcess:
        return node.run("--kubeconfig", str(node_kubeconfig), *args, "-f", "-", input=json.dumps(body),
                        check=False)

    wait_for(lambda: admin.run("get", "node", NODE, check=False).returncode == 0, timeout=60)
    node_uid = admin.json("get", "node", NODE)["metadata"]["uid"]

    def pod(name: str, annotations: dict | None = None, **spec) -> dict:
        owners = [{"apiVersion": "v1", "kind": "Node", "name": NODE, "uid": node_uid,
                   "controller": True}] if annotations else []
        return {"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": name, "namespace": "default", "annotations": annotations or {},
                             "ownerReferences": owners},
                "spec": {"nodeName": NODE, "containers": [{"name": "c", "image": "busybox:1.36"}], **spec}}
    mirror_mark = {"kubernetes.io/config.mirror": "0123456789abcdef"}
    refused = as_node("create", body=pod("plain"))
    assert refused.returncode != 0
    assert 'pod does not have "kubernetes.io/config.mirror" annotation' in refused.stderr
    assert "Forbidden" in refused.stderr or "forbidden" in refused.stderr
    secret_volume = [{"name": "s", "secret": {"secretName": "s"}}]
    refused = as_node("create", body=pod("with-secret", mirror_mark, volumes=secret_volume))
    assert refused.returncode != 0 and "secrets" in refused.stderr
    config_env = [{"name": "c", "image": "busybox:1.36", "envFrom": [{"configMapRef": {"name": "cm"}}]}]
    refused = as_node("create", body=pod("with-configmap", mirror_mark, containers=config_env))
    assert refused.returncode != 0 and "configmaps" in refused.stderr
    refused = as_node("create", body=pod("with-sa", mirror_mark, serviceAccountName="default"))
    assert refused.returncode != 0 and "a mirror pod may not reference service accounts" in refused.stderr
    ownerless = pod("ownerless", mirror_mark)
    ownerless["metadata"]["ownerReferences"] = []
    refused = as_node("create", body=ownerless)
    assert refused.returncode != 0 and "owner reference set to itself" in refused.stderr
    other_node = pod("elsewhere", mirror_mark)
    other_node["spec"]["nodeName"] = "another-node"
    refused = as_node("create", body=other_node)
    assert refused.returncode != 0 and "spec.nodeName set to itself" in refused.stderr
    created = as_node("create", body=pod("orphan", mirror_mark))
    assert created.returncode == 0, created.stderr
    # no manifest makes "orphan": the kubelet deletes the mirror, as upstream's does
    wait_for(lambda: get_pod(admin, "orphan") is None, timeout=60)


def _pod_log(log_root: Path, pod_name: str) -> str:
    """Every log file of the pod's container, each run's, together."""
    return "".join(path.read_text(errors="replace")
                   for path in sorted(log_root.glob(f"default_{pod_name}_*/main/*.log")))


def _kubelet_get(port: int, path: str) -> str:
    import ssl
    import urllib.request
    with urllib.request.urlopen(f"https://127.0.0.1:{port}{path}", timeout=30,
                                context=ssl._create_unverified_context()) as response:
        return response.read().decode()


@pytest.mark.skipif(not busybox_available(), reason="needs busybox-static to build the image")
def test_static_pods_run_without_the_api_server_and_mirror_once_it_is_up(tmp_path_factory):
    """The process runtime, the image imported beforehand: the pod starts while no API
    server answers; when one does, the mirror appears for the same running container."""
    from tests.support.registry import busybox_image, save_docker_archive
    root = tmp_path_factory.mktemp("offline-root")
    manifests = tmp_path_factory.mktemp("offline-manifests")
    archive = save_docker_archive(root / "busybox.tar", {"busybox:1.36": busybox_image()})
    subprocess.run([sys.executable, "-m", "kybernetes.cli.main", "images", "import", str(archive),
                    "--data-dir", str(root)], check=True, capture_output=True)
    token = f"offline-{os.getpid()}-{free_port()}"
    (manifests / "offline.yaml").write_text(manifest("offline", token))
    log_root = Path("/var/log/pods") if os.geteuid() == 0 else root / "logs"
    server = Server(tmp_path_factory.mktemp("offline-cluster"), command="server")
    server.data_dir.mkdir(parents=True, exist_ok=True)
    # the node's credentials need the cluster's CA: start once, make them, stop
    server.start()
    port = free_port()
    agent = Agent(server, tmp_path_factory.mktemp("offline-agent"), "offline-node",
                  ["--runtime", "process", "--root-dir", str(root), "--pod-manifest-path", str(manifests),
                   "--file-check-frequency", "1s", "--port", str(port), "--anonymous-auth",
                   "--authorization-mode", "AlwaysAllow"])
    agent.args()
    server.stop()
    try:
        agent.start()
        name = "offline-offline-node"
        wait_for(lambda: token in _pod_log(log_root, name), timeout=90)
        assert agent.running()
        # the kubelet's own /pods lists it, under the UID hashed from the manifest
        listed = json.loads(_kubelet_get(port, "/pods"))["items"]
        assert [(p["metadata"]["name"], p["metadata"]["annotations"]["kubernetes.io/config.source"])
                for p in listed] == [(name, "file")]
        assert listed[0]["metadata"]["uid"] == listed[0]["metadata"]["annotations"]["kubernetes.io/config.hash"]
        server.start()
        admin = Kubectl(server, tmp_path_factory.mktemp("offline-kubectl"))
        mirror = wait_for(running_mirror(admin, name), timeout=90)
        assert mirror["status"]["containerStatuses"][0]["restartCount"] == 0
        assert token in admin.run("logs", name).stdout  # through the kubelet, the static pod's log
        # a restarted kubelet finds the same UID in the same file: it adopts the running
        # container and keeps the mirror
        agent.stop()
        agent.start()
        wait_for(lambda: agent.output().count("registered (runtime") == 2, timeout=60)
        # a pod added now is synced after the first scan's: by then the old pod was handled
        (manifests / "later.yaml").write_text(manifest("later", token + "-later"))
        wait_for(running_mirror(admin, "later-offline-node"), timeout=90)
        after = wait_for(running_mirror(admin, name), timeout=60)
        assert after["metadata"]["uid"] == mirror["metadata"]["uid"]
        assert after["status"]["containerStatuses"][0]["restartCount"] == 0
        assert _pod_log(log_root, name).count(token) == 1  # never started twice
        (manifests / "offline.yaml").unlink()
        (manifests / "later.yaml").unlink()
        wait_for(lambda: get_pod(admin, name) is None and get_pod(admin, "later-offline-node") is None,
                 timeout=60)
        wait_for(lambda: not leftover_processes(token), timeout=60)
    finally:
        agent.stop()
        server.stop()
        for pid in leftover_processes(token):
            os.kill(pid, 9)
        for pattern in ("default_offline-offline-node_*", "default_later-offline-node_*"):
            for directory in log_root.glob(pattern):
                shutil.rmtree(directory, ignore_errors=True)


needs_runc = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("runc") or not busybox_available(),
    reason="needs root, runc and busybox-static")


@needs_runc
def test_static_pod_in_runc_follows_its_file(tmp_path_factory):
    """Real containers: the pod's output through `kubectl logs` of the mirror; an edit
    restarts it with the new spec; removing the file removes the container."""
    from tests.support.registry import busybox_image, save_docker_archive
    from tests.support.runc_cluster import mounts_under
    root = tmp_path_factory.mktemp("runc-static-root")
    manifests = tmp_path_factory.mktemp("runc-static-manifests")
    archive = save_docker_archive(root / "busybox.tar", {"busybox:1.36": busybox_image()})
    subprocess.run([sys.executable, "-m", "kybernetes.cli.main", "images", "import", str(archive),
                    "--data-dir", str(root)], check=True, capture_output=True)
    server = Server(tmp_path_factory.mktemp("runc-static-cluster"), command="server").start()
    agent = Agent(server, tmp_path_factory.mktemp("runc-static-agent"), "runc-static",
                  ["--runtime", "runc", "--root-dir", str(root), "--pod-manifest-path", str(manifests),
                   "--file-check-frequency", "1s"])
    admin = Kubectl(server, tmp_path_factory.mktemp("runc-static-kubectl"))
    sandboxes = root / "runc" / "sandboxes"
    name = "control-runc-static"
    try:
        agent.start()
        (manifests / "control.yaml").write_text(manifest("control", "first-run", hostNetwork=True))
        first = wait_for(running_mirror(admin, name), timeout=120)
        wait_for(lambda: "first-run" in admin.run("logs", name, check=False).stdout, timeout=60)
        assert admin.run("exec", name, "--", "echo", "inside").stdout == "inside\n"  # the static pod's container
        (manifests / "control.yaml").write_text(manifest("control", "second-run", hostNetwork=True))

        def restarted():
            pod = get_pod(admin, name)
            return pod if (pod and pod["metadata"]["uid"] != first["metadata"]["uid"]
                           and pod.get("status", {}).get("phase") == "Running") else None
        wait_for(restarted, timeout=120)
        wait_for(lambda: "second-run" in admin.run("logs", name, check=False).stdout, timeout=60)
        wait_for(lambda: len(list(sandboxes.iterdir())) == 1, timeout=60)  # the old one is gone
        (manifests / "control.yaml").unlink()
        wait_for(lambda: get_pod(admin, name) is None, timeout=60)
        wait_for(lambda: not list(sandboxes.iterdir()) and not mounts_under(root), timeout=60)
    finally:
        for leftover in manifests.iterdir():
            leftover.unlink()
        if agent.running():
            wait_for(lambda: not sandboxes.is_dir() or not list(sandboxes.iterdir()), timeout=60)
        agent.stop()
        server.stop()
        for mount in mounts_under(root):
            subprocess.run(["umount", "-l", mount], check=False)
        subprocess.run([sys.executable, "-m", "kybernetes.cli.main", "proxy", "--cleanup"],
                       check=False, capture_output=True)
