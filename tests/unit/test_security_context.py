# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""securityContext as the kubelet and containerd apply it, pure parts: the seccomp
profiles (RuntimeDefault built here, Localhost converted), sysctl admission, fsGroup
volume ownership, procMount, supplementary groups and their place in the OCI spec."""
from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from kybernetes.kubelet.containerconfig import additional_gids, security_settings
from kybernetes.kubelet.cri import ContainerConfig, SandboxConfig
from kybernetes.kubelet.runtimes import oci, seccomp
from kybernetes.kubelet.sysctls import (dotted, kernel_release, namespace_of, sysctl_rejection,
                                        validate_unsafe_patterns)
from kybernetes.kubelet.volumeownership import needs_change, owned_mode, set_volume_ownership

SANDBOX = SandboxConfig(uid="u", name="p", namespace="n", hostname="p")


def config(**fields) -> ContainerConfig:
    base = dict(name="c", attempt=0, image_id="sha256:1", image_ref="busybox",
                rootfs_layers=[Path("/l")], argv=["sh"])
    base.update(fields)
    return ContainerConfig(**base)


def spec(host_capabilities: list[str] | None = None, **fields) -> dict:
    return oci.container_spec(SANDBOX, config(**fields), rootfs="/r", namespaces=oci.Namespaces(),
                              cgroups_path="/k/c", hostname="p", host_capabilities=host_capabilities)


def allowed_names(profile: dict) -> set[str]:
    return {name for rule in profile["syscalls"] if rule["action"] == "SCMP_ACT_ALLOW"
            and not rule.get("args") for name in rule["names"]}


# ---------------------------------------------------------------- seccomp
def test_runtime_default_denies_with_eperm_and_allows_the_ordinary():
    profile = seccomp.default_profile(oci.DEFAULT_CAPABILITIES, "x86_64")
    assert profile["defaultAction"] == "SCMP_ACT_ERRNO" and profile["defaultErrnoRet"] == 1
    assert profile["architectures"] == ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]
    names = allowed_names(profile)
    assert {"read", "write", "execve", "openat", "arch_prctl", "chroot"} <= names  # SYS_CHROOT is default
    assert not {"mount", "ptrace", "reboot", "unshare", "setns", "kexec_load", "clone"} & names
    clone = [r for r in profile["syscalls"] if r["names"] == ["clone"]]
    assert clone[0]["args"] == [{"index": 0, "value": 0x7E020000, "valueTwo": 0,
                                 "op": "SCMP_CMP_MASKED_EQ"}]
    clone3 = [r for r in profile["syscalls"] if r["names"] == ["clone3"]][0]
    assert clone3["action"] == "SCMP_ACT_ERRNO" and clone3["errnoRet"] == 38
    personalities = [r["args"][0]["value"] for r in profile["syscalls"] if r["names"] == ["personality"]]
    assert 0 in personalities and 0xFFFFFFFF in personalities


def test_runtime_default_follows_capabilities():
    caps = oci.DEFAULT_CAPABILITIES + ["CAP_SYS_ADMIN", "CAP_SYS_PTRACE"]
    profile = seccomp.default_profile(caps, "x86_64")
    assert {"mount", "unshare", "clone", "clone3", "ptrace", "process_vm_readv"} <= allowed_names(profile)
    assert not any(r["names"] == ["clone3"] and r["action"] != "SCMP_ACT_ALLOW"
                   for r in profile["syscalls"])
    no_chroot = [c for c in oci.DEFAULT_CAPABILITIES if c != "CAP_SYS_CHROOT"]
    assert "chroot" not in allowed_names(seccomp.default_profile(no_chroot, "x86_64"))


def test_oci_seccomp_choice(tmp_path):
    caps = list(oci.DEFAULT_CAPABILITIES)
    assert seccomp.oci_seccomp(None, caps, False, tmp_path) is None
    assert seccomp.oci_seccomp({"type": "Unconfined"}, caps, False, tmp_path) is None
    assert seccomp.oci_seccomp({"type": "RuntimeDefault"}, caps, True, tmp_path) is None  # privileged
    assert seccomp.oci_seccomp({"type": "RuntimeDefault"}, caps, False, tmp_path)["defaultAction"] \
        == "SCMP_ACT_ERRNO"
    assert seccomp.effective_profile({"type": "Unconfined"}, {"type": "RuntimeDefault"}) == \
        {"type": "RuntimeDefault"}
    assert seccomp.effective_profile(None, None) is None
    assert seccomp.effective_profile(None, None, seccomp_default=True) == {"type": "RuntimeDefault"}


def test_localhost_profile_is_read_and_converted(tmp_path):
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "audit.json").write_text(json.dumps({
        "defaultAction": "SCMP_ACT_LOG",
        "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]},
                    {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}],
        "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
                     {"name": "mount", "action": "SCMP_ACT_ALLOW",
                      "includes": {"caps": ["CAP_SYS_ADMIN"]}},
                     {"names": ["uname"], "action": "SCMP_ACT_ALLOW", "excludes": {"arches": ["s390x"]}}]}))
    profile = {"type": "Localhost", "localhostProfile": "profiles/audit.json"}
    out = seccomp.oci_seccomp(profile, list(oci.DEFAULT_CAPABILITIES), False, tmp_path)
    if os.uname().machine == "x86_64":
        assert out["architectures"] == ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"]
    assert out["defaultAction"] == "SCMP_ACT_LOG"
    assert out["syscalls"] == [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
                               {"names": ["uname"], "action": "SCMP_ACT_ALLOW"}]
    with pytest.raises(seccomp.SeccompProfileError, match="cannot load seccomp profile.*no such file"):
        seccomp.oci_seccomp({"type": "Localhost", "localhostProfile": "nope.json"}, [], False, tmp_path)
    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(seccomp.SeccompProfileError, match="no defaultAction"):
        seccomp.oci_seccomp({"type": "Localhost", "localhostProfile": "bad.json"}, [], False, tmp_path)


# ---------------------------------------------------------------- the OCI spec
def test_privileged_gets_the_capabilities_the_runtime_holds():
    host = oci.capabilities_from_mask(0x1fffeffffff)  # a parent without CAP_SYS_RESOURCE
    assert "CAP_SYS_RESOURCE" not in host and "CAP_CHECKPOINT_RESTORE" in host
    assert oci.capabilities_from_mask(0xa80425fb) == sorted(oci.DEFAULT_CAPABILITIES,
                                                            key=oci.ALL_CAPABILITIES.index)
    assert spec(privileged=True, host_capabilities=host)["process"]["capabilities"]["bounding"] == host
    assert oci.capabilities(config(capabilities_add=["ALL"], capabilities_drop=["NET_RAW"]), host) == \
        [c for c in host if c != "CAP_NET_RAW"]


def test_spec_carries_seccomp_sysctls_and_proc_mount():
    profile = seccomp.default_profile(oci.DEFAULT_CAPABILITIES)
    s = spec(seccomp=profile, sysctls={"net.ipv4.ip_unprivileged_port_start": "0"})
    assert s["linux"]["seccomp"] is profile
    assert s["linux"]["sysctl"] == {"net.ipv4.ip_unprivileged_port_start": "0"}
    assert "/proc/kcore" in s["linux"]["maskedPaths"]
    unmasked = spec(proc_mount="Unmasked")
    assert "maskedPaths" not in unmasked["linux"] and "readonlyPaths" not in unmasked["linux"]
    assert "seccomp" not in unmasked["linux"] and "sysctl" not in unmasked["linux"]


def pod(container: dict, **pod_context) -> dict:
    return {"metadata": {"name": "p", "namespace": "n", "uid": "u"},
            "spec": {"securityContext": pod_context, "containers": [container]}}


def test_security_settings_read_seccomp_proc_mount_and_sysctls():
    container = {"name": "c", "securityContext": {"procMount": "Unmasked",
                                                  "seccompProfile": {"type": "Unconfined"}}}
    settings = security_settings(pod(container, seccompProfile={"type": "RuntimeDefault"},
                                     sysctls=[{"name": "net/ipv4/tcp_syncookies", "value": "1"}]),
                                 container)
    assert settings["seccomp_profile"] == {"type": "Unconfined"}  # the container's wins
    assert settings["proc_mount"] == "Unmasked"
    assert settings["sysctls"] == {"net.ipv4.tcp_syncookies": "1"}
    plain = {"name": "c"}
    settings = security_settings(pod(plain, seccompProfile={"type": "RuntimeDefault"}), plain)
    assert settings["seccomp_profile"] == {"type": "RuntimeDefault"} and settings["proc_mount"] == "Default"


def test_additional_gids_as_containerd(tmp_path):
    layer = tmp_path / "layer"
    (layer / "etc").mkdir(parents=True)
    (layer / "etc" / "passwd").write_text("root:x:0:0::/root:/bin/sh\nweb:x:33:33::/:/bin/sh\n")
    (layer / "etc" / "group").write_text("root:x:0:\nwheel:x:10:root\nwww:x:80:web,root\n")
    assert additional_gids(0, 0, [], [layer]) == [0, 10, 80]
    assert additional_gids(33, 3000, [2000, 4000, 3000], [layer]) == [3000, 80, 2000, 4000]
    assert additional_gids(1000, 3000, [4000, 2000], [layer]) == [3000, 4000, 2000]


# ---------------------------------------------------------------- sysctls
def test_sysctl_names_and_namespaces():
    assert dotted("net/ipv4/conf/eth0.100/rp_filter") == "net.ipv4.conf.eth0/100.rp_filter"
    assert dotted("kernel.shm_rmid_forced") == "kernel.shm_rmid_forced"
    assert namespace_of("net.core.somaxconn") == "net"
    assert namespace_of("kernel.msgmax") == namespace_of("fs.mqueue.msg_max") == "ipc"
    assert namespace_of("kernel.pid_max") == ""
    assert kernel_release("6.1.0-18-amd64") == (6, 1)


def sysctl_pod(*names: str, **spec) -> dict:
    return {"spec": {"securityContext": {"sysctls": [{"name": n, "value": "1"} for n in names]},
                     **spec}}


def test_sysctl_admission():
    assert sysctl_rejection(sysctl_pod("kernel.shm_rmid_forced", "net.ipv4.tcp_syncookies")) is None
    assert sysctl_rejection(sysctl_pod("net.core.somaxconn")) == (
        "SysctlForbidden", 'Pod was rejected: forbidden sysctl: "net.core.somaxconn" not allowlisted')
    assert sysctl_rejection(sysctl_pod("net.core.somaxconn"), ["net.core.*"]) is None
    assert sysctl_rejection(sysctl_pod("kernel.msgmax"), ["kernel.msgmax"]) is None
    assert sysctl_rejection(sysctl_pod("net.ipv4.tcp_syncookies", hostNetwork=True))[1].endswith(
        '"net.ipv4.tcp_syncookies" not allowed with host net enabled')
    assert sysctl_rejection(sysctl_pod("kernel.shm_rmid_forced", hostIPC=True))[1].endswith(
        '"kernel.shm_rmid_forced" not allowed with host ipc enabled')
    assert sysctl_rejection(sysctl_pod("net.ipv4.tcp_rmem"), kernel=(4, 14))[1].endswith("not allowlisted")
    validate_unsafe_patterns(["net.core.*", "kernel.msg*", "kernel.sem"])
    with pytest.raises(ValueError, match="kernel.pid_max"):
        validate_unsafe_patterns(["kernel.pid_max"])


# ---------------------------------------------------------------- fsGroup
def test_owned_mode_and_root_mismatch():
    assert owned_mode(0o644, False, True) == 0o644
    assert owned_mode(0o400, False, True) == 0o440
    assert owned_mode(0o600, False, False) == 0o660
    assert owned_mode(0o755, True, True) == 0o2755
    assert owned_mode(0o777, True, False) == 0o2777
    assert not needs_change(2000, 0o2775 | stat.S_IFDIR, 2000, False)
    assert needs_change(0, 0o2775, 2000, False)
    assert needs_change(2000, 0o775, 2000, False)  # no setgid
    assert needs_change(2000, 0o2755, 2000, False)  # group may not write


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another group needs root")
def test_set_volume_ownership_walks_unless_root_matches(tmp_path):
    root = tmp_path / "vol"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "f").write_text("x")
    os.chmod(root / "sub" / "f", 0o600)
    os.symlink("sub/f", root / "link")
    assert set_volume_ownership(root, 2345)
    for path in (root, root / "sub", root / "sub" / "f"):
        assert path.stat().st_gid == 2345
    assert os.lstat(root / "link").st_gid == 2345
    assert stat.S_IMODE((root / "sub").stat().st_mode) & 0o2070 == 0o2070
    assert stat.S_IMODE((root / "sub" / "f").stat().st_mode) == 0o660
    os.chown(root / "sub" / "f", -1, 0)
    assert not set_volume_ownership(root, 2345, policy="OnRootMismatch")  # the root matches
    assert (root / "sub" / "f").stat().st_gid == 0
    assert set_volume_ownership(root, 2345, policy="Always")
    assert (root / "sub" / "f").stat().st_gid == 2345
    assert not set_volume_ownership(root, None)
