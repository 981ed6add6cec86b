# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Real pods end to end: `kybernetes server` with the runc runtime, images pulled from a
local docker-registry that mirrors docker.io, driven by the real kubectl as the seeds do."""
from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.integration.conftest import Kubectl
from tests.support.runc_cluster import (fresh_namespace, needs_runc, ready_kubectl,
                                        runc_cluster as runc_cluster_running)
from tests.support.waiting import wait_for

pytestmark = needs_runc

HERE = Path(__file__).parent / "seeds"


@pytest.fixture(scope="module")
def runc_cluster(tmp_path_factory):
    with runc_cluster_running(tmp_path_factory, "pods") as server:
        yield server


@pytest.fixture(scope="module")
def rk(runc_cluster, tmp_path_factory) -> Kubectl:
    return ready_kubectl(runc_cluster, tmp_path_factory.mktemp("runc-kubectl"))


@pytest.fixture
def ns(rk) -> str:
    with fresh_namespace(rk, "r") as name:
        yield name


def pod_phase(k: Kubectl, ns: str, name: str) -> str:
    return (k.json("get", "pod", name, "-n", ns).get("status") or {}).get("phase", "")


def container_status(k: Kubectl, ns: str, name: str, index: int = 0) -> dict:
    statuses = (k.json("get", "pod", name, "-n", ns).get("status") or {}).get("containerStatuses") or []
    return statuses[index] if len(statuses) > index else {}


def test_seed_hello_pod_prints_hello_world(rk: Kubectl, ns: str):
    rk.run("apply", "-n", ns, "-f", str(HERE / "000-hello-pod.yaml"))
    wait_for(lambda: pod_phase(rk, ns, "hello-pod") in ("Succeeded", "Running"), timeout=90)
    wait_for(lambda: "Hello World" in rk.run("logs", "hello-pod", "-n", ns, check=False).stdout, timeout=60)
    events = rk.run("get", "events", "-n", ns, "--field-selector", "involvedObject.name=hello-pod").stdout
    assert "Pulled" in events and "Started" in events


def test_allow_privilege_escalation_false_sets_no_new_privs(rk: Kubectl, ns: str):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "nnp"}, "spec": {
        "restartPolicy": "Never", "containers": [
            {"name": "locked", "image": "busybox", "command": ["grep", "NoNewPrivs", "/proc/self/status"],
             "securityContext": {"allowPrivilegeEscalation": False}},
            {"name": "open", "image": "busybox", "command": ["grep", "NoNewPrivs", "/proc/self/status"]}]}}
    rk.run("apply", "-n", ns, "-f", "-", input=json.dumps(pod))
    wait_for(lambda: pod_phase(rk, ns, "nnp") == "Succeeded", timeout=90)
    assert rk.run("logs", "nnp", "-c", "locked", "-n", ns).stdout.split() == ["NoNewPrivs:", "1"]
    assert rk.run("logs", "nnp", "-c", "open", "-n", ns).stdout.split() == ["NoNewPrivs:", "0"]


def test_nginx_deployment_serves_http_on_every_pod_ip(rk: Kubectl, ns: str):
    rk.run("apply", "-n", ns, "-f", str(HERE / "000-nginx-deployment.yaml"))
    rk.run("rollout", "status", "deployment/nginx-deployment", "-n", ns, "--timeout=120s")
    pods = rk.json("get", "pods", "-n", ns, "-l", "app=nginx")["items"]
    assert len(pods) == 3
    for pod in pods:
        ip = pod["status"]["podIP"]
        body = urllib.request.urlopen(f"http://{ip}/", timeout=10).read().decode()
        assert "Welcome to nginx!" in body


def test_memory_limit_is_enforced_with_oomkilled(rk: Kubectl, ns: str):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "hog"},
           "spec": {"restartPolicy": "Never", "containers": [{
               "name": "hog", "image": "busybox",
               "command": ["sh", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo $x | wc -c"],
               "resources": {"limits": {"memory": "32Mi"}}}]}}
    rk.run("apply", "-n", ns, "-f", "-", input=json.dumps(pod))
    wait_for(lambda: pod_phase(rk, ns, "hog") == "Failed", timeout=90)
    terminated = container_status(rk, ns, "hog")["state"]["terminated"]
    assert terminated["reason"] == "OOMKilled" and terminated["exitCode"] == 137


def test_crashing_container_reaches_crashloopbackoff(rk: Kubectl, ns: str):
    rk.run("run", "crasher", "-n", ns, "--image=busybox", "--", "sh", "-c", "echo dying; exit 3")
    wait_for(lambda: (container_status(rk, ns, "crasher").get("state", {}).get("waiting", {})
                      .get("reason") == "CrashLoopBackOff"), timeout=90)
    status = container_status(rk, ns, "crasher")
    assert status["restartCount"] >= 1
    assert status["lastState"]["terminated"]["exitCode"] == 3
    assert status["lastState"]["terminated"]["reason"] == "Error"
    assert "dying" in rk.run("logs", "crasher", "-n", ns, "--previous").stdout
    first = status["restartCount"]
    wait_for(lambda: container_status(rk, ns, "crasher")["restartCount"] > first, timeout=60)


def test_readiness_probe_flips_ready(rk: Kubectl, ns: str):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "probed"},
           "spec": {"containers": [{
               "name": "app", "image": "busybox", "command": ["sh", "-c", "sleep 3600"],
               "readinessProbe": {"exec": {"command": ["cat", "/tmp/ready"]},
                                  "periodSeconds": 1, "failureThreshold": 1}}]}}
    rk.run("apply", "-n", ns, "-f", "-", input=json.dumps(pod))
    wait_for(lambda: pod_phase(rk, ns, "probed") == "Running", timeout=90)
    assert container_status(rk, ns, "probed")["ready"] is False
    rk.run("exec", "probed", "-n", ns, "--", "touch", "/tmp/ready")
    wait_for(lambda: container_status(rk, ns, "probed")["ready"] is True, timeout=30)
    rk.run("exec", "probed", "-n", ns, "--", "rm", "/tmp/ready")
    wait_for(lambda: container_status(rk, ns, "probed")["ready"] is False, timeout=30)


def test_exec_passes_exit_codes_and_stdin(rk: Kubectl, ns: str):
    rk.run("run", "shell", "-n", ns, "--image=busybox", "--", "sleep", "3600")
    wait_for(lambda: pod_phase(rk, ns, "shell") == "Running", timeout=90)
    failed = rk.run("exec", "shell", "-n", ns, "--", "sh", "-c", "exit 7", check=False)
    assert failed.returncode == 7
    echoed = rk.run("exec", "-i", "shell", "-n", ns, "--", "cat", input="through stdin\n")
    assert echoed.stdout == "through stdin\n"
    hostname = rk.run("exec", "shell", "-n", ns, "--", "hostname").stdout.strip()
    assert hostname == "shell"


def test_exec_with_a_terminal_runs_a_shell(rk: Kubectl, ns: str, tmp_path):
    rk.run("run", "tty", "-n", ns, "--image=busybox", "--", "sleep", "3600")
    wait_for(lambda: pod_phase(rk, ns, "tty") == "Running", timeout=90)
    script = f"{rk.binary} --cache-dir {rk.cache_dir} exec -it tty -n {ns} -- sh"
    env = dict(os.environ, KUBECONFIG=str(rk.server.kubeconfig))
    result = subprocess.run(["script", "-qec", script, "/dev/null"], input="tty; echo marker-$((6*7))\nexit 5\n",
                            capture_output=True, text=True, env=env, timeout=60)
    assert "/dev/pts/" in result.stdout and "marker-42" in result.stdout
    assert result.returncode == 5


def test_port_forward_reaches_nginx(rk: Kubectl, ns: str):
    from tests.integration.conftest import free_port
    rk.run("run", "web", "-n", ns, "--image=nginx:1.7.9")
    wait_for(lambda: pod_phase(rk, ns, "web") == "Running", timeout=90)
    port = free_port()
    env = dict(os.environ, KUBECONFIG=str(rk.server.kubeconfig))
    forward = subprocess.Popen([rk.binary, "--cache-dir", str(rk.cache_dir), "port-forward", "-n", ns,
                                "pod/web", f"{port}:80"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        body = wait_for(lambda: _get(f"http://127.0.0.1:{port}/"), timeout=30)
        assert "Welcome to nginx!" in body
    finally:
        forward.terminate()
        forward.wait(timeout=10)


def _get(url: str) -> str | None:
    try:
        return urllib.request.urlopen(url, timeout=5).read().decode()
    except OSError:
        return None


def test_seed_secret_and_configmap_as_env_and_files(rk: Kubectl, ns: str):
    text = (HERE / "000-config-and-secret.yaml").read_text().replace(
        "image: busybox", "image: busybox\n    command: [\"sleep\", \"3600\"]\n"
        "    volumeMounts:\n    - {name: conf, mountPath: /etc/conf}\n"
        "    - {name: sec, mountPath: /etc/sec}")
    text += ("  volumes:\n  - {name: conf, configMap: {name: my-config}}\n"
             "  - {name: sec, secret: {secretName: kube-secret}}\n")
    rk.run("apply", "-n", ns, "-f", "-", input=text)
    wait_for(lambda: pod_phase(rk, ns, "secret-pod") == "Running", timeout=90)
    env = rk.run("exec", "secret-pod", "-n", ns, "--", "env").stdout
    assert "SECRET_VAR=You Have Decoded My Secret! Congratz!" in env
    assert "CONFMAP_VAR=wow" in env
    assert rk.run("exec", "secret-pod", "-n", ns, "--", "cat", "/etc/conf/super.data").stdout == "much-data"
    assert rk.run("exec", "secret-pod", "-n", ns, "--", "cat", "/etc/sec/password").stdout == \
        "You Have Decoded My Secret! Congratz!"
    rk.run("patch", "configmap", "my-config", "-n", ns, "--type=merge", "-p", '{"data":{"super.data":"changed"}}')
    wait_for(lambda: rk.run("exec", "secret-pod", "-n", ns, "--", "cat", "/etc/conf/super.data").stdout
             == "changed", timeout=90)


def test_missing_image_backs_off_with_a_clear_event(rk: Kubectl, ns: str):
    rk.run("run", "ghost", "-n", ns, "--image=does-not-exist:1.0")
    wait_for(lambda: (container_status(rk, ns, "ghost").get("state", {}).get("waiting", {})
                      .get("reason") == "ImagePullBackOff"), timeout=90)
    events = rk.run("get", "events", "-n", ns, "--field-selector", "involvedObject.name=ghost").stdout
    assert "Failed" in events and "does-not-exist" in events and "BackOff" in events


def _leftovers(uid: str) -> list[str]:
    found = [line for line in Path("/proc/self/mountinfo").read_text().splitlines() if uid in line]
    for root in Path("/sys/fs/cgroup").glob("*"):
        found += [str(p) for p in root.rglob(f"*{uid}*")] if root.is_dir() and not root.is_symlink() else []
    return found


def test_deleting_a_pod_stops_processes_and_leaks_nothing(rk: Kubectl, ns: str):
    rk.run("run", "doomed", "-n", ns, "--image=busybox", "--", "sleep", "98765")

    def sleeping() -> bool:
        return "sleep 98765" in subprocess.run(["ps", "-eo", "args"], capture_output=True,
                                               text=True).stdout
    wait_for(lambda: pod_phase(rk, ns, "doomed") == "Running", timeout=90)
    uid = rk.json("get", "pod", "doomed", "-n", ns)["metadata"]["uid"]
    assert sleeping() and _leftovers(uid)  # it does hold a process, mounts and cgroups
    rk.run("delete", "pod", "doomed", "-n", ns, "--grace-period=1")
    wait_for(lambda: not _leftovers(uid) and not sleeping(), timeout=60)


def test_kubectl_run_interactive_removes_the_pod(rk: Kubectl, ns: str):
    script = (f"{rk.binary} --cache-dir {rk.cache_dir} run -it --rm shell-once -n {ns} "
              f"--image=busybox --restart=Never -- sh")
    env = dict(os.environ, KUBECONFIG=str(rk.server.kubeconfig))
    result = subprocess.run(["script", "-qec", script, "/dev/null"],
                            input="echo inside-$((6*7))\nexit\n", capture_output=True, text=True,
                            env=env, timeout=120)
    assert "inside-42" in result.stdout, result.stdout + result.stderr
    assert 'pod "shell-once" deleted' in result.stdout
    assert result.returncode == 0
    wait_for(lambda: rk.run("get", "pod", "shell-once", "-n", ns, check=False).returncode != 0)


def test_kubectl_run_attached_reports_the_containers_exit_code(rk: Kubectl, ns: str):
    result = rk.run("run", "-i", "--rm", "fails", "-n", ns, "--image=busybox", "--restart=Never",
                    "--", "sh", "-c", "echo before-failing; exit 3", check=False)
    # a container this quick may be gone before the attach: kubectl then reads the logs,
    # as it does against any cluster; either way its output and exit code come through
    assert "before-failing" in result.stdout
    assert result.returncode == 3
