# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""A container's environment: upstream's order, $(VAR) expansion, references to
config maps, secrets, the pod's fields and resources, service variables, errors."""
from __future__ import annotations

import base64

import pytest

from kybernetes.kubelet.env import (EnvError, EnvSources, container_env, field_ref_value,
                                    merge_image_env, referenced_objects, resource_field_value,
                                    service_env)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def make_pod(container: dict, **spec) -> dict:
    return {"metadata": {"name": "web", "namespace": "shop", "uid": "u-1",
                         "labels": {"app": "web", "tier": "front"},
                         "annotations": {"note": "hi"}},
            "spec": {"nodeName": "n1", "serviceAccountName": "sa", "containers": [container], **spec}}


def cm(name: str, data: dict) -> dict:
    return {"metadata": {"name": name}, "data": data}


def secret(name: str, data: dict) -> dict:
    return {"metadata": {"name": name}, "data": {k: b64(v) for k, v in data.items()}}


def service(name: str, ip: str, *ports) -> dict:
    return {"metadata": {"name": name}, "spec": {"clusterIP": ip, "ports": list(ports)}}


def test_order_env_from_then_env_with_expansion():
    container = {"name": "c",
                 "envFrom": [{"configMapRef": {"name": "cfg"}},
                             {"secretRef": {"name": "creds"}, "prefix": "S_"}],
                 "env": [{"name": "GREETING", "value": "hello $(USER) $$(USER) $(NOPE)"},
                         {"name": "MODE", "value": "override"}]}
    sources = EnvSources(config_maps={"cfg": cm("cfg", {"MODE": "base", "USER": "ann"})},
                         secrets={"creds": secret("creds", {"TOKEN": "t0p"})})
    resolved = container_env(make_pod(container, enableServiceLinks=False), container, sources)
    assert resolved.env == [("MODE", "override"), ("USER", "ann"), ("S_TOKEN", "t0p"),
                            ("GREETING", "hello ann $(USER) $(NOPE)")]


def test_invalid_env_from_keys_are_skipped_and_reported():
    container = {"name": "c", "envFrom": [{"configMapRef": {"name": "cfg"}}]}
    sources = EnvSources(config_maps={"cfg": cm("cfg", {"GOOD": "1", "1BAD": "2", "bad key": "3"})})
    resolved = container_env(make_pod(container, enableServiceLinks=False), container, sources)
    assert resolved.env == [("GOOD", "1")]
    assert resolved.invalid_keys == [("configMap", "shop/cfg", ["1BAD", "bad key"])]


@pytest.mark.parametrize("env,sources,message", [
    ([{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "x", "key": "k"}}}], EnvSources(),
     'configmap "x" not found'),
    ([{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "x", "key": "k"}}}],
     EnvSources(config_maps={"x": cm("x", {"other": "1"})}), "couldn't find key k in ConfigMap shop/x"),
    ([{"name": "X", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}], EnvSources(),
     'secret "s" not found'),
    ([{"name": "X", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}],
     EnvSources(secrets={"s": secret("s", {})}), "couldn't find key k in Secret shop/s"),
])
def test_missing_references_fail_with_upstream_messages(env, sources, message):
    container = {"name": "c", "env": env}
    with pytest.raises(EnvError) as caught:
        container_env(make_pod(container, enableServiceLinks=False), container, sources)
    assert str(caught.value) == message


def test_missing_env_from_object_fails_unless_optional():
    container = {"name": "c", "envFrom": [{"configMapRef": {"name": "absent"}}]}
    with pytest.raises(EnvError, match='configmap "absent" not found'):
        container_env(make_pod(container), container, EnvSources())
    container = {"name": "c", "envFrom": [{"secretRef": {"name": "absent", "optional": True}}],
                 "env": [{"name": "O", "valueFrom": {"configMapKeyRef": {"name": "x", "key": "k",
                                                                         "optional": True}}}]}
    assert container_env(make_pod(container, enableServiceLinks=False), container, EnvSources()).env == []


def test_field_refs():
    pod = make_pod({"name": "c"})
    values = {path: field_ref_value(pod, path, ["10.244.0.5", "fd00::5"], ["192.0.2.1"]) for path in (
        "metadata.name", "metadata.namespace", "metadata.uid", "metadata.labels['app']",
        "metadata.annotations['note']", "metadata.labels['absent']", "spec.nodeName",
        "spec.serviceAccountName", "status.podIP", "status.podIPs", "status.hostIP",
        "status.hostIPs", "metadata.labels")}
    assert values == {"metadata.name": "web", "metadata.namespace": "shop", "metadata.uid": "u-1",
                      "metadata.labels['app']": "web", "metadata.annotations['note']": "hi",
                      "metadata.labels['absent']": "", "spec.nodeName": "n1",
                      "spec.serviceAccountName": "sa", "status.podIP": "10.244.0.5",
                      "status.podIPs": "10.244.0.5,fd00::5", "status.hostIP": "192.0.2.1",
                      "status.hostIPs": "192.0.2.1", "metadata.labels": 'app="web"\ntier="front"'}


def test_resource_field_refs_default_limits_to_allocatable():
    container = {"name": "c", "resources": {"requests": {"cpu": "250m", "memory": "64Mi"},
                                            "limits": {"memory": "128Mi"}}}
    pod = make_pod(container)
    allocatable = {"cpu": "2", "memory": "4Gi"}
    assert resource_field_value(pod, "c", "limits.memory", None, allocatable) == str(128 * 2**20)
    assert resource_field_value(pod, "c", "limits.memory", "1Mi", allocatable) == "128"
    assert resource_field_value(pod, "c", "limits.cpu", None, allocatable) == "2"
    assert resource_field_value(pod, "c", "requests.cpu", None, allocatable) == "1"  # rounded up
    assert resource_field_value(pod, "c", "requests.cpu", "1m", allocatable) == "250"
    assert resource_field_value(pod, "c", "requests.memory", "1Ki", allocatable) == "65536"


def test_service_variables():
    pod = make_pod({"name": "c"})
    sources = EnvSources(
        services=[service("redis-master", "10.96.0.20", {"port": 6379, "protocol": "TCP", "name": "redis"}),
                  service("headless", "None", {"port": 80})],
        master_services=[service("kubernetes", "10.96.0.1", {"port": 443, "name": "https"})])
    env = service_env(pod, sources)
    assert env["KUBERNETES_SERVICE_HOST"] == "10.96.0.1"
    assert env["KUBERNETES_SERVICE_PORT"] == "443"
    assert env["KUBERNETES_SERVICE_PORT_HTTPS"] == "443"
    assert env["KUBERNETES_PORT"] == "tcp://10.96.0.1:443"
    assert env["KUBERNETES_PORT_443_TCP_ADDR"] == "10.96.0.1"
    assert env["REDIS_MASTER_SERVICE_HOST"] == "10.96.0.20"
    assert env["REDIS_MASTER_PORT_6379_TCP"] == "tcp://10.96.0.20:6379"
    assert not any(key.startswith("HEADLESS") for key in env)
    pod["spec"]["enableServiceLinks"] = False
    env = service_env(pod, sources)
    assert "REDIS_MASTER_SERVICE_HOST" not in env and env["KUBERNETES_SERVICE_HOST"] == "10.96.0.1"


def test_service_variables_do_not_override_and_can_be_expanded():
    container = {"name": "c", "env": [{"name": "KUBERNETES_SERVICE_HOST", "value": "mine"},
                                      {"name": "URL", "value": "https://$(KUBERNETES_SERVICE_HOST):1"},
                                      {"name": "DB", "value": "$(REDIS_MASTER_SERVICE_HOST)"}]}
    sources = EnvSources(services=[service("redis-master", "10.96.0.20", {"port": 6379})],
                         master_services=[service("kubernetes", "10.96.0.1", {"port": 443})])
    env = dict(container_env(make_pod(container), container, sources).env)
    assert env["KUBERNETES_SERVICE_HOST"] == "mine"
    assert env["URL"] == "https://mine:1"
    assert env["DB"] == "10.96.0.20"


def test_image_env_comes_first_and_is_overridden_in_place():
    assert merge_image_env(["PATH=/bin", "A=1"], [("A", "2"), ("B", "3")]) == \
        [("PATH", "/bin"), ("A", "2"), ("B", "3")]


def test_referenced_objects():
    container = {"envFrom": [{"configMapRef": {"name": "a"}}, {"secretRef": {"name": "s1"}}],
                 "env": [{"name": "x", "valueFrom": {"configMapKeyRef": {"name": "b", "key": "k"}}},
                         {"name": "y", "valueFrom": {"secretKeyRef": {"name": "s2", "key": "k"}}}]}
    assert referenced_objects({}, [container]) == ({"a", "b"}, {"s1", "s2"})
