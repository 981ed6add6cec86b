# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The OCI config.json the runc runtime writes, the CRI log format and the container
status rules, as pure functions."""
from __future__ import annotations

from pathlib import Path

from kybernetes.kubelet.cri import ContainerConfig, Mount, Resources, SandboxConfig
from kybernetes.kubelet.runtimes import oci
from kybernetes.kubelet.runtimes.crilog import LineSplitter, format_line, timestamp
from kybernetes.kubelet.runtimes.state import (container_status, sandbox_config_from_json,
                                               sandbox_config_to_json)
from kybernetes.kubelet.cri import PortMapping

SANDBOX = SandboxConfig(uid="u-1", name="web", namespace="default", hostname="web",
                        hosts_file=Path("/pods/u-1/etc-hosts"),
                        resolv_conf=Path("/pods/u-1/resolv.conf"),
                        hostname_file=Path("/pods/u-1/hostname"))
JOINED = oci.Namespaces(network="/var/run/netns/kyb-1", ipc="/proc/9/ns/ipc",
                        uts="/proc/9/ns/uts", pid="")


def config(**fields) -> ContainerConfig:
    base = dict(name="app", attempt=0, image_id="sha256:1", image_ref="busybox",
                rootfs_layers=[Path("/layers/1")], argv=["sh", "-c", "echo hi"])
    base.update(fields)
    return ContainerConfig(**base)


def spec(**fields) -> dict:
    return oci.container_spec(SANDBOX, config(**fields), rootfs="/bundle/rootfs",
                              namespaces=JOINED, cgroups_path="/kubepods/podu-1/c1",
                              hostname="web", shm_path="/pods/u-1/shm")


def test_process_fields():
    s = spec(env=[("A", "1"), ("B", "x=y")], working_dir="/app", uid=1000, gid=3000,
             supplemental_groups=[4000], tty=True)
    process = s["process"]
    assert process["args"] == ["sh", "-c", "echo hi"]
    assert process["env"][:3] == [f"PATH={oci.DEFAULT_PATH}", "A=1", "B=x=y"]
    assert "TERM=xterm" in process["env"] and "HOSTNAME=web" in process["env"]
    assert process["cwd"] == "/app" and process["terminal"] is True
    assert process["user"] == {"uid": 1000, "gid": 3000, "additionalGids": [4000]}
    assert s["root"] == {"path": "/bundle/rootfs", "readonly": False}


def test_own_path_kept_and_readonly_root():
    s = spec(env=[("PATH", "/opt/bin")], readonly_rootfs=True)
    assert [e for e in s["process"]["env"] if e.startswith("PATH=")] == ["PATH=/opt/bin"]
    assert s["root"]["readonly"] is True


def test_no_new_privileges_follows_the_container_config():
    assert spec()["process"]["noNewPrivileges"] is False
    assert spec(no_new_privileges=True)["process"]["noNewPrivileges"] is True


def test_capabilities_default_add_drop_all():
    caps = spec(capabilities_add=["NET_ADMIN"], capabilities_drop=["KILL", "CAP_CHOWN"])
    bounding = caps["process"]["capabilities"]["bounding"]
    assert "CAP_NET_ADMIN" in bounding and "CAP_NET_RAW" in bounding
    assert "CAP_KILL" not in bounding and "CAP_CHOWN" not in bounding
    assert "CAP_SYS_ADMIN" not in bounding
    assert caps["process"]["capabilities"]["ambient"] == []
    only = oci.capabilities(config(capabilities_drop=["ALL"],
                                   capabilities_add=["NET_BIND_SERVICE"]))
    assert only == ["CAP_NET_BIND_SERVICE"]
    assert oci.capabilities(config(capabilities_add=["ALL"])) == oci.ALL_CAPABILITIES


def test_privileged_lifts_restrictions():
    s = spec(privileged=True)
    assert s["process"]["capabilities"]["bounding"] == oci.ALL_CAPABILITIES
    assert "maskedPaths" not in s["linux"] and "readonlyPaths" not in s["linux"]
    assert s["linux"]["resources"]["devices"] == [{"allow": True, "access": "rwm"}]
    sys_mount = next(m for m in s["mounts"] if m["destination"] == "/sys")
    assert "ro" not in sys_mount["options"]
    plain = spec()
    assert plain["linux"]["maskedPaths"] == oci.MASKED_PATHS
    assert plain["linux"]["resources"]["devices"][0] == {"allow": False, "access": "rwm"}
    assert "ro" in next(m for m in plain["mounts"] if m["destination"] == "/sys")["options"]


def test_mounts_pod_files_and_volumes():
    s = spec(mounts=[Mount(Path("/var/lib/vol"), "/data", readonly=True),
                     Mount(Path("/var/lib/cm/key"), "/etc/key", is_file=True),
                     Mount(Path("/host"), "/host", propagation="rslave")])
    by_destination = {m["destination"]: m for m in s["mounts"]}
    for destination in ("/proc", "/dev", "/dev/pts", "/dev/mqueue", "/sys", "/sys/fs/cgroup"):
        assert destination in by_destination
    assert by_destination["/dev/shm"]["source"] == "/pods/u-1/shm"
    assert by_destination["/etc/hosts"]["source"] == "/pods/u-1/etc-hosts"
    assert by_destination["/etc/resolv.conf"]["source"] == "/pods/u-1/resolv.conf"
    assert by_destination["/etc/hostname"]["source"] == "/pods/u-1/hostname"
    assert by_destination["/data"]["options"] == ["rbind", "ro", "rprivate"]
    assert by_destination["/etc/key"]["type"] == "bind"
    assert by_destination["/host"]["options"][-1] == "rslave"
    assert s["linux"]["rootfsPropagation"] == "rslave"
    assert "rootfsPropagation" not in spec()["linux"]


def test_resources_and_cgroups():
    s = spec(resources=Resources(cpu_shares=512, cpu_quota=50_000, cpu_period=100_000,
                                 memory_limit=16 << 20, oom_score_adj=-997))
    resources = s["linux"]["resources"]
    assert resources["cpu"] == {"shares": 512, "quota": 50_000, "period": 100_000}
    assert resources["memory"] == {"limit": 16 << 20, "swap": 16 << 20}
    assert s["linux"]["cgroupsPath"] == "/kubepods/podu-1/c1"
    assert s["process"]["oomScoreAdj"] == -997
    unlimited = spec()["linux"]["resources"]
    assert "memory" not in unlimited and unlimited["cpu"] == {"shares": 2}
    clamped = oci.container_spec(SANDBOX, config(resources=Resources(oom_score_adj=-997)),
                                 rootfs="/r", namespaces=JOINED, cgroups_path="/c",
                                 hostname="web", min_oom_score_adj=0)
    assert clamped["process"]["oomScoreAdj"] == 0
    no_swap = oci.container_spec(SANDBOX, config(resources=Resources(memory_limit=1 << 20)),
                                 rootfs="/r", namespaces=JOINED, cgroups_path="/c",
                                 hostname="web", swap_accounting=False)
    assert no_swap["linux"]["resources"]["memory"] == {"limit": 1 << 20}
    pids = oci.container_spec(SANDBOX, config(), rootfs="/r", namespaces=JOINED,
                              cgroups_path="/c", hostname="web", pids_limit=1024)
    assert pids["linux"]["resources"]["pids"] == {"limit": 1024}


def test_namespaces_joined_by_path():
    s = spec()
    assert s["linux"]["namespaces"] == [
        {"type": "mount"}, {"type": "network", "path": "/var/run/netns/kyb-1"},
        {"type": "ipc", "path": "/proc/9/ns/ipc"}, {"type": "uts", "path": "/proc/9/ns/uts"},
        {"type": "pid"}]
    assert "hostname" not in s  # the sandbox's UTS namespace already has it
    host = oci.Namespaces(network=None, ipc=None, uts=None, pid=None).to_spec()
    assert host == [{"type": "mount"}]


def test_sandbox_holder_spec():
    s = oci.sandbox_spec(SANDBOX, rootfs="/holder", netns_path="/var/run/netns/kyb-1",
                         cgroups_path="/kubepods/podu-1/s1", shm_path="/pods/u-1/shm")
    types = {n["type"]: n.get("path") for n in s["linux"]["namespaces"]}
    assert types == {"mount": None, "network": "/var/run/netns/kyb-1", "ipc": None,
                     "uts": None, "pid": None}
    assert s["hostname"] == "web"
    assert s["root"]["readonly"] is True
    assert s["process"]["capabilities"]["bounding"] == []
    assert not any(m["destination"].startswith("/etc/") for m in s["mounts"])
    host = oci.sandbox_spec(SandboxConfig(uid="u", name="n", namespace="d", hostname="n",
                                          host_network=True, host_ipc=True, host_pid=True),
                            rootfs="/holder", netns_path=None, cgroups_path="/c")
    assert host["linux"]["namespaces"] == [{"type": "mount"}]
    assert "hostname" not in host


# ---------------------------------------------------------------------- CRI log lines
def test_timestamp_is_rfc3339_nano_utc():
    assert timestamp(1700000000.5) == "2023-11-14T22:13:20.500000000Z"
    assert format_line("stdout", b"hi", False, 1700000000.0) == \
        b"2023-11-14T22:13:20.000000000Z stdout F hi\n"
    assert format_line("stderr", b"x", True, 1700000000.0).split(b" ")[1:3] == \
        [b"stderr", b"P"]


def test_line_splitter_full_partial_and_long_lines():
    splitter = LineSplitter(max_line=8)
    assert splitter.feed(b"one\ntw") == [(b"one", False)]
    assert splitter.feed(b"o\r\n") == [(b"two", False)]
    assert splitter.feed(b"0123456789abcdefXY\n") == [(b"01234567", True), (b"89abcdef", True),
                                                     (b"XY", False)]
    assert splitter.feed(b"tail") == []
    assert splitter.finish() == [(b"tail", True)]
    assert splitter.finish() == []
    exact = LineSplitter(max_line=4)
    assert exact.feed(b"abcd\n") == [(b"abcd", False)]


# ---------------------------------------------------------------------- status records
META = {"name": "app", "sandbox_id": "s", "attempt": 2, "created_at": 1.0,
        "image_id": "sha256:1", "image_ref": "busybox", "log_path": "/l/app/2.log"}


def test_status_states():
    created = container_status("c", dict(META, started_at=None), None, running=True)
    assert created.state == "created" and created.attempt == 2
    running = container_status("c", dict(META, started_at=2.0), None, running=True, pid=7)
    assert (running.state, running.pid) == ("running", 7)
    exited = container_status("c", dict(META, started_at=2.0),
                              {"exit_code": 137, "reason": "OOMKilled", "finished_at": 3.0},
                              running=False)
    assert (exited.state, exited.exit_code, exited.reason, exited.finished_at) == \
        ("exited", 137, "OOMKilled", 3.0)
    lost = container_status("c", dict(META, started_at=2.0), None, running=False)
    assert (lost.state, lost.exit_code, lost.reason) == ("exited", 137,
                                                         "ContainerStatusUnknown")


def test_sandbox_config_round_trip():
    config = SandboxConfig(uid="u", name="n", namespace="d", hostname="h",
                           hosts_file=Path("/x/hosts"),
                           port_mappings=[PortMapping(80, 8080, "TCP", "")],
                           labels={"a": "b"})
    assert sandbox_config_from_json(sandbox_config_to_json(config)) == config
