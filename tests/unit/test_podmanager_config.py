# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""What a container's CRI config takes from its spec: the user (image User, names from
the image's /etc/passwd, runAsUser/runAsGroup, runAsNonRoot), cgroup resources and the
QoS class, the pull policy default, Go-style durations, CRI log tails."""
from __future__ import annotations

import pytest

from kybernetes.kubelet.containerconfig import (ConfigError, container_resources, effective_user,
                                                image_user, qos_class, security_settings)
from kybernetes.kubelet.containerlogs import tail_log
from kybernetes.kubelet.containerstart import go_duration, pull_policy


@pytest.fixture
def layers(tmp_path):
    low, high = tmp_path / "low", tmp_path / "high"
    (low / "etc").mkdir(parents=True)
    (high / "etc").mkdir(parents=True)
    (low / "etc" / "passwd").write_text("root:x:0:0::/root:/bin/sh\nold:x:5:5::/:/bin/sh\n")
    (high / "etc" / "passwd").write_text("root:x:0:0::/root:/bin/sh\nnginx:x:101:102::/:/bin/false\n")
    (high / "etc" / "group").write_text("root:x:0:\nweb:x:33:nginx\n")
    return [low, high]


def test_image_user_forms(layers):
    assert image_user("", layers) == (0, 0, "")
    assert image_user("1000", layers) == (1000, 0, "")
    assert image_user("101", layers) == (101, 102, "")  # the primary group from passwd
    assert image_user("1000:1001", layers) == (1000, 1001, "")
    assert image_user("nginx", layers) == (101, 102, "nginx")
    assert image_user("nginx:web", layers) == (101, 33, "nginx")
    with pytest.raises(ConfigError, match="unable to find user old"):  # the top layer's file wins
        image_user("old", layers)
    with pytest.raises(ConfigError, match="unable to find group nope"):
        image_user("nginx:nope", layers)


def pod(container: dict, **pod_context) -> dict:
    return {"metadata": {"name": "p", "namespace": "n", "uid": "u"},
            "spec": {"securityContext": pod_context, "containers": [container]}}


def test_effective_user_precedence(layers):
    image = {"User": "nginx"}
    container = {"name": "c"}
    assert effective_user(pod(container), container, image, layers)[:2] == (101, 102)
    assert effective_user(pod(container, runAsUser=7, runAsGroup=8), container, image, layers)[:2] == (7, 8)
    container = {"name": "c", "securityContext": {"runAsUser": 9}}
    assert effective_user(pod(container, runAsUser=7), container, image, layers)[:2] == (9, 0)
    groups = effective_user(pod(container, supplementalGroups=[4, 5], fsGroup=6), container, {}, layers)[2]
    assert groups == [4, 5, 6]


def test_run_as_non_root(layers):
    container = {"name": "c"}
    with pytest.raises(ConfigError, match=r'container has runAsNonRoot and image will run as root '
                                          r'\(pod: "p_n\(u\)", container: c\)'):
        effective_user(pod(container, runAsNonRoot=True), container, {}, layers)
    with pytest.raises(ConfigError, match=r"image has non-numeric user \(nginx\)"):
        effective_user(pod(container, runAsNonRoot=True), container, {"User": "nginx"}, layers)
    assert effective_user(pod(container, runAsNonRoot=True, runAsUser=1000), container, {}, layers)[0] == 1000


def test_security_settings():
    container = {"name": "c", "securityContext": {
        "privileged": True, "readOnlyRootFilesystem": True,
        "capabilities": {"add": ["NET_ADMIN", "CAP_SYS_TIME"], "drop": ["ALL"]}}}
    settings = security_settings(pod(container), container)
    assert settings["privileged"] and settings["readonly_rootfs"]
    assert settings["capabilities_add"] == ["NET_ADMIN", "SYS_TIME"] and settings["capabilities_drop"] == ["ALL"]
    assert not settings["no_new_privileges"]  # unset allowPrivilegeEscalation allows it
    container["securityContext"]["allowPrivilegeEscalation"] = False
    assert security_settings(pod(container), container)["no_new_privileges"]


def test_resources():
    guaranteed = {"resources": {"requests": {"cpu": "500m", "memory": "64Mi"},
                                "limits": {"cpu": "500m", "memory": "64Mi"}}}
    resources = container_resources(guaranteed, "Guaranteed", 8 * 2**30)
    assert (resources.cpu_shares, resources.cpu_quota, resources.cpu_period) == (512, 50_000, 100_000)
    assert resources.memory_limit == 64 * 2**20 and resources.oom_score_adj == -997
    best_effort = container_resources({}, "BestEffort", 8 * 2**30)
    assert (best_effort.cpu_shares, best_effort.cpu_quota, best_effort.memory_limit) == (2, 0, 0)
    assert best_effort.oom_score_adj == 1000
    burstable = container_resources({"resources": {"requests": {"cpu": "1m", "memory": "1Gi"}}},
                                    "Burstable", 4 * 2**30)
    assert burstable.cpu_shares == 2 and burstable.oom_score_adj == 750
    tiny_quota = container_resources({"resources": {"limits": {"cpu": "1m"}}}, "Burstable", 0)
    assert tiny_quota.cpu_quota == 1000 and tiny_quota.cpu_shares == 2


def test_qos_class():
    assert qos_class({"status": {"qosClass": "Burstable"}, "spec": {}}) == "Burstable"
    assert qos_class({"spec": {"containers": [{}]}}) == "BestEffort"
    limits = {"cpu": "1", "memory": "1Gi"}
    assert qos_class({"spec": {"containers": [{"resources": {"limits": limits}}]}}) == "Guaranteed"
    assert qos_class({"spec": {"containers": [{"resources": {"requests": {"cpu": "1"}}}]}}) == "Burstable"


def test_pull_policy_default():
    assert pull_policy({"image": "nginx"}) == "Always"
    assert pull_policy({"image": "nginx:latest"}) == "Always"
    assert pull_policy({"image": "nginx:1.7.9"}) == "IfNotPresent"
    assert pull_policy({"image": "localhost:5000/x"}) == "Always"
    assert pull_policy({"image": "x@sha256:" + "a" * 64}) == "IfNotPresent"
    assert pull_policy({"image": "nginx", "imagePullPolicy": "Never"}) == "Never"


def test_go_duration():
    assert go_duration(1.2345) == "1.234s" or go_duration(1.2345) == "1.235s"
    assert go_duration(0.5) == "500ms"
    assert go_duration(2.0) == "2s"
    assert go_duration(75.5) == "1m15.5s"


def test_tail_log(tmp_path):
    log = tmp_path / "0.log"
    lines = [f"2026-01-01T00:00:00Z stdout F line {i}" for i in range(100)]
    log.write_text("\n".join(lines) + "\n")
    tail = tail_log(log)
    assert tail.splitlines()[0] == "line 20" and tail.splitlines()[-1] == "line 99"
    assert len(tail_log(log, max_bytes=10)) == 10
    assert tail_log(tmp_path / "missing") == ""
