# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""securityContext end to end with runc: pods that print what the kernel says about
them (`id`, /proc/self/status, `stat` of their volumes, namespaces) and the values
upstream's kubelet and containerd would give them."""
from __future__ import annotations

import json
import os
import socket

import pytest

from tests.integration.conftest import Kubectl
from tests.support.runc_cluster import (fresh_namespace, needs_runc, ready_kubectl,
                                        runc_cluster as runc_cluster_running)
from tests.support.waiting import wait_for

pytestmark = needs_runc

# capability numbers (linux/capability.h)
CAP_BITS = {"CHOWN": 0, "DAC_OVERRIDE": 1, "FOWNER": 3, "FSETID": 4, "KILL": 5, "SETGID": 6,
            "SETUID": 7, "SETPCAP": 8, "NET_BIND_SERVICE": 10, "NET_ADMIN": 12, "NET_RAW": 13,
            "SYS_CHROOT": 18, "SYS_ADMIN": 21, "MKNOD": 27, "AUDIT_WRITE": 29, "SETFCAP": 31}
# containerd's default set for a container without securityContext.capabilities
CONTAINERD_DEFAULT = ["CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID",
                      "SETUID", "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL",
                      "AUDIT_WRITE"]
DENY_MKDIR_PROFILE = {"defaultAction": "SCMP_ACT_ALLOW",
                      "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO",
                                    "errnoRet": 1}]}


def cap_mask(*names: str) -> str:
    return f"{sum(1 << CAP_BITS[n] for n in names):016x}"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with runc_cluster_running(tmp_path_factory, "secctx") as server:
        profiles = server.data_dir / "kubelet" / "seccomp" / "profiles"
        profiles.mkdir(parents=True, exist_ok=True)
        (profiles / "deny-mkdir.json").write_text(json.dumps(DENY_MKDIR_PROFILE))
        yield server


@pytest.fixture(scope="module")
def rk(cluster, tmp_path_factory) -> Kubectl:
    return ready_kubectl(cluster, tmp_path_factory.mktemp("secctx-kubectl"))


@pytest.fixture
def ns(rk) -> str:
    with fresh_namespace(rk, "sc") as name:
        yield name


def get_pod(rk: Kubectl, ns: str, name: str) -> dict:
    return rk.json("get", "pod", name, "-n", ns)


def run_to_completion(rk: Kubectl, ns: str, name: str, spec: dict) -> dict[str, str]:
    """Apply the pod (restartPolicy Never), wait until it has finished, and return
    each container's log."""
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
           "spec": {"restartPolicy": "Never", **spec}}
    rk.run("apply", "-n", ns, "-f", "-", input=json.dumps(pod))
    try:
        wait_for(lambda: get_pod(rk, ns, name).get("status", {}).get("phase") in ("Succeeded", "Failed"),
                 timeout=120)
    except AssertionError:
        events = rk.run("get", "events", "-n", ns, check=False).stdout
        raise AssertionError(f"{name} did not finish: {get_pod(rk, ns, name).get('status')}\n{events}")
    return {c["name"]: rk.run("logs", name, "-c", c["name"], "-n", ns).stdout
            for c in spec["containers"]}


def status_field(log: str, field: str) -> str:
    for line in log.splitlines():
        if line.startswith(field + ":"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"{field} not in {log!r}")


def busybox(name: str, script: str, **fields) -> dict:
    return {"name": name, "image": "busybox", "command": ["sh", "-c", script], **fields}


STATUS = "cat /proc/self/status"


def test_capabilities_privileged_and_no_new_privs(rk: Kubectl, ns: str):
    logs = run_to_completion(rk, ns, "caps", {"containers": [
        busybox("default", STATUS),
        busybox("only-net-admin", STATUS, securityContext={
            "capabilities": {"drop": ["ALL"], "add": ["NET_ADMIN"]}}),
        busybox("drop-chown", STATUS, securityContext={
            "capabilities": {"drop": ["CHOWN", "NET_RAW"]}, "allowPrivilegeEscalation": False}),
        busybox("privileged", STATUS, securityContext={"privileged": True})]})
    assert status_field(logs["default"], "CapEff") == cap_mask(*CONTAINERD_DEFAULT)
    assert status_field(logs["default"], "CapBnd") == cap_mask(*CONTAINERD_DEFAULT)
    assert status_field(logs["default"], "NoNewPrivs") == "0"
    assert status_field(logs["only-net-admin"], "CapEff") == cap_mask("NET_ADMIN")
    rest = [c for c in CONTAINERD_DEFAULT if c not in ("CHOWN", "NET_RAW")]
    assert status_field(logs["drop-chown"], "CapEff") == cap_mask(*rest)
    assert status_field(logs["drop-chown"], "NoNewPrivs") == "1"
    with open("/proc/self/status") as own:  # privileged: every capability this kernel has
        host_bounding = status_field(own.read(), "CapBnd")
    assert status_field(logs["privileged"], "CapEff") == host_bounding
    assert status_field(logs["privileged"], "Seccomp") == "0"


def test_users_groups_and_fs_group_volume_ownership(rk: Kubectl, ns: str):
    rk.run("create", "secret", "generic", "creds", "--from-literal=password=s3cret", "-n", ns)
    rk.run("create", "configmap", "settings", "--from-literal=mode=fast", "-n", ns)
    paths = ["/data", "/sec", "/sec/..data/password", "/cm/..data/mode", "/proj/..data/mode",
             "/proj/..data/name", "/dapi/..data/name", "/data/made-by-pod"]
    script = ("id; touch /data/made-by-pod; "
              + "; ".join(f"stat -c '%n %g %a' {p}" for p in paths)
              + "; ls -ln /sec/; cat /sec/password; echo; touch /probe 2>&1; echo touch-rc=$?")
    downward = {"items": [{"path": "name", "fieldRef": {"fieldPath": "metadata.name"}}]}
    logs = run_to_completion(rk, ns, "ids", {
        "securityContext": {"runAsUser": 1000, "runAsGroup": 3000, "fsGroup": 2000,
                            "supplementalGroups": [4000]},
        "volumes": [{"name": "data", "emptyDir": {}},
                    {"name": "sec", "secret": {"secretName": "creds", "defaultMode": 0o400}},
                    {"name": "cm", "configMap": {"name": "settings"}},
                    {"name": "proj", "projected": {"sources": [
                        {"configMap": {"name": "settings"}}, {"downwardAPI": downward}]}},
                    {"name": "dapi", "downwardAPI": downward}],
        "containers": [busybox("show", script, securityContext={"readOnlyRootFilesystem": True},
                               volumeMounts=[{"name": v, "mountPath": f"/{v}"}
                                             for v in ("data", "sec", "cm", "proj", "dapi")])]})
    out = logs["show"]
    assert out.splitlines()[0] == "uid=1000 gid=3000 groups=2000,3000,4000"
    stats = {line.split()[0]: line.split()[1:] for line in out.splitlines()
             if line.startswith("/") and len(line.split()) == 3}
    assert stats["/data"] == ["2000", "2777"]  # world-writable, setgid, the fsGroup's
    assert stats["/data/made-by-pod"][0] == "2000"  # inherited through setgid
    sec_mode = int(stats["/sec"][1], 8)
    assert stats["/sec"][0] == "2000" and sec_mode & 0o2050 == 0o2050
    assert stats["/sec/..data/password"] == ["2000", "440"]  # defaultMode 0400 + group read
    for path in ("/cm/..data/mode", "/proj/..data/mode", "/proj/..data/name", "/dapi/..data/name"):
        assert stats[path] == ["2000", "644"], path
    listing = [line.split() for line in out.splitlines() if "password ->" in line]
    assert listing and listing[0][3] == "2000"  # the user-visible symlink is the group's too
    assert "s3cret" in out  # readable by uid 1000 only through the fsGroup
    assert "Read-only file system" in out and "touch-rc=1" in out


def test_run_as_non_root_with_a_root_image_is_a_config_error(rk: Kubectl, ns: str):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "nonroot"}, "spec": {
        "restartPolicy": "Never", "securityContext": {"runAsNonRoot": True},
        "containers": [busybox("app", "id")]}}
    rk.run("apply", "-n", ns, "-f", "-", input=json.dumps(pod))

    def waiting() -> dict:
        statuses = get_pod(rk, ns, "nonroot").get("status", {}).get("containerStatuses") or []
        return (statuses[0].get("state") or {}).get("waiting") or {} if statuses else {}
    wait_for(lambda: waiting().get("reason") == "CreateContainerConfigError", timeout=90)
    uid = get_pod(rk, ns, "nonroot")["metadata"]["uid"]
    assert waiting()["message"] == (f'container has runAsNonRoot and image will run as root '
                                    f'(pod: "nonroot_{ns}({uid})", container: app)')
    events = rk.run("get", "events", "-n", ns, "--field-selector", "involvedObject.name=nonroot").stdout
    assert "container has runAsNonRoot and image will run as root" in events
    # with a non-root user it runs
    logs = run_to_completion(rk, ns, "nonroot-ok", {
        "securityContext": {"runAsNonRoot": True, "runAsUser": 1234},
        "containers": [busybox("app", "id -u")]})
    assert logs["app"].strip() == "1234"


def test_seccomp_profiles(rk: Kubectl, ns: str):
    logs = run_to_completion(rk, ns, "seccomp", {
        "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [
            busybox("runtime-default", STATUS + "; unshare -U true; echo unshare-rc=$?"),
            busybox("unconfined", STATUS + "; mkdir /tmp/d && echo mkdir-ok; unshare -U true; "
                                  "echo unshare-rc=$?",
                    securityContext={"seccompProfile": {"type": "Unconfined"}}),
            busybox("localhost", STATUS + "; mkdir /tmp/d 2>&1; echo mkdir-rc=$?",
                    securityContext={"seccompProfile": {
                        "type": "Localhost", "localhostProfile": "profiles/deny-mkdir.json"}})]})
    assert status_field(logs["runtime-default"], "Seccomp") == "2"
    # a user namespace needs no capability; the default profile still refuses it
    assert "unshare-rc=0" not in logs["runtime-default"]
    assert status_field(logs["unconfined"], "Seccomp") == "0"
    assert "mkdir-ok" in logs["unconfined"] and "unshare-rc=0" in logs["unconfined"]
    assert status_field(logs["localhost"], "Seccomp") == "2"
    assert "Operation not permitted" in logs["localhost"] and "mkdir-rc=1" in logs["localhost"]


def test_missing_localhost_profile_is_a_create_error(rk: Kubectl, ns: str):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "noprofile"}, "spec": {
        "restartPolicy": "Never", "containers": [busybox("app", "true", securityContext={
            "seccompProfile": {"type": "Localhost", "localhostProfile": "profiles/missing.json"}})]}}
    rk.run("apply", "-n", ns, "-f", "-", input=json.dumps(pod))

    def waiting() -> dict:
        statuses = get_pod(rk, ns, "noprofile").get("status", {}).get("containerStatuses") or []
        return (statuses[0].get("state") or {}).get("waiting") or {} if statuses else {}
    wait_for(lambda: waiting().get("reason") == "CreateContainerError", timeout=90)
    assert "profiles/missing.json" in waiting()["message"]


def test_safe_sysctls_are_set_in_the_pod(rk: Kubectl, ns: str):
    with open("/proc/sys/net/ipv4/ip_unprivileged_port_start") as host:
        node_value = host.read()
    logs = run_to_completion(rk, ns, "sysctls", {
        "securityContext": {"sysctls": [{"name": "net.ipv4.ip_unprivileged_port_start", "value": "0"},
                                        {"name": "kernel.shm_rmid_forced", "value": "1"}]},
        "containers": [busybox("show", "cat /proc/sys/net/ipv4/ip_unprivileged_port_start "
                                       "/proc/sys/kernel/shm_rmid_forced")]})
    assert logs["show"].split() == ["0", "1"]
    with open("/proc/sys/net/ipv4/ip_unprivileged_port_start") as host:  # the node's is untouched
        assert host.read() == node_value


def host_namespace(kind: str) -> str:
    return os.readlink(f"/proc/self/ns/{kind}")


NAMESPACES = ("for k in net ipc pid; do readlink /proc/self/ns/$k; done; hostname; "
              "cat /etc/hostname; echo $HOSTNAME")


def test_host_namespaces(rk: Kubectl, ns: str):
    host_logs = run_to_completion(rk, ns, "hostns", {
        "hostNetwork": True, "hostPID": True, "hostIPC": True,
        "containers": [busybox("show", NAMESPACES)]})
    pod_logs = run_to_completion(rk, ns, "podns", {"containers": [busybox("show", NAMESPACES)]})
    net, ipc, pid, hostname, etc_hostname, env_hostname = host_logs["show"].split()
    assert (net, ipc, pid) == (host_namespace("net"), host_namespace("ipc"), host_namespace("pid"))
    assert hostname == etc_hostname == env_hostname == socket.gethostname()
    own = pod_logs["show"].split()
    assert own[0] != net and own[1] != ipc and own[2] != pid
    assert own[3:] == ["podns", "podns", "podns"]
    pod = get_pod(rk, ns, "hostns")
    node = rk.json("get", "node", pod["spec"]["nodeName"])
    internal = [a["address"] for a in node["status"]["addresses"] if a["type"] == "InternalIP"]
    assert pod["status"]["podIP"] == internal[0]
    assert pod["spec"]["nodeName"] == hostname.lower()


def test_share_process_namespace(rk: Kubectl, ns: str):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "shared"}, "spec": {
        "restartPolicy": "Never", "shareProcessNamespace": True, "containers": [
            busybox("sleeper", "exec sleep 3600"),
            busybox("viewer", "until ps | grep -q '[s]leep 3600'; do sleep 0.2; done; ps")]}}
    rk.run("apply", "-n", ns, "-f", "-", input=json.dumps(pod))
    wait_for(lambda: "sleep 3600" in rk.run("logs", "shared", "-c", "viewer", "-n", ns,
                                            check=False).stdout, timeout=90)
    # without it each container sees only its own processes
    logs = run_to_completion(rk, ns, "apart", {"containers": [
        busybox("sleeper", "sleep 5"),
        busybox("viewer", "sleep 1; ps")]})
    assert "sleep 5" not in logs["viewer"]
    rk.run("delete", "pod", "shared", "-n", ns, "--grace-period=1", "--wait=false")


def test_fs_group_change_policy_on_a_local_volume(rk: Kubectl, ns: str, tmp_path):
    volume_dir = tmp_path / "local-volume"
    volume_dir.mkdir()
    (volume_dir / "old").write_text("x")
    os.chmod(volume_dir / "old", 0o600)
    os.chown(volume_dir, -1, 2000)  # the root already looks owned: OnRootMismatch skips the walk
    os.chmod(volume_dir, 0o2770)
    node = rk.json("get", "nodes")["items"][0]["metadata"]["name"]
    pv_name = f"{ns}-local"
    pv = {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": pv_name}, "spec": {
        "capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
        "storageClassName": pv_name, "local": {"path": str(volume_dir)},
        "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
            {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}]}]}}}}
    claim = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "claim"},
             "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": pv_name,
                      "resources": {"requests": {"storage": "1Gi"}}}}
    rk.run("apply", "-f", "-", input=json.dumps(pv))
    try:
        rk.run("apply", "-n", ns, "-f", "-", input=json.dumps(claim))
        wait_for(lambda: rk.json("get", "pvc", "claim", "-n", ns).get("status", {}).get("phase")
                 == "Bound", timeout=60)

        def run(name: str, policy: str) -> str:
            return run_to_completion(rk, ns, name, {
                "securityContext": {"fsGroup": 2000, "fsGroupChangePolicy": policy},
                "volumes": [{"name": "vol", "persistentVolumeClaim": {"claimName": "claim"}}],
                "containers": [busybox("show", "stat -c '%g %a' /vol/old",
                                       volumeMounts=[{"name": "vol", "mountPath": "/vol"}])]})["show"]
        assert run("on-root-mismatch", "OnRootMismatch").split() == ["0", "600"]
        assert run("always", "Always").split() == ["2000", "660"]
        assert (volume_dir / "old").stat().st_gid == 2000
    finally:
        rk.run("delete", "pods,pvc", "--all", "-n", ns, "--wait=true", "--timeout=60s", check=False)
        rk.run("delete", "pv", pv_name, "--wait=false", check=False)


def test_unsafe_sysctl_is_refused(rk: Kubectl, ns: str):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "unsafe"}, "spec": {
        "restartPolicy": "Never",
        "securityContext": {"sysctls": [{"name": "net.core.somaxconn", "value": "1024"}]},
        "containers": [busybox("app", "cat /proc/sys/net/core/somaxconn")]}}
    rk.run("apply", "-n", ns, "-f", "-", input=json.dumps(pod))
    expected = 'forbidden sysctl: "net.core.somaxconn" not allowlisted'

    def refusal() -> str:
        status = get_pod(rk, ns, "unsafe").get("status", {})
        if status.get("reason") == "SysctlForbidden":  # the kubelet's admission
            return status.get("message", "")
        for container in status.get("containerStatuses") or []:
            waiting = (container.get("state") or {}).get("waiting") or {}
            if waiting.get("reason") == "CreateContainerConfigError":
                return waiting.get("message", "")
        return ""
    assert expected in wait_for(refusal, timeout=90)
    statuses = get_pod(rk, ns, "unsafe").get("status", {}).get("containerStatuses") or []
    assert not any("running" in c.get("state", {}) or "terminated" in c.get("state", {})
                   for c in statuses)
