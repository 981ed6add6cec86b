# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The kubelet's KubeletConfiguration file read into flag settings, flags winning."""
from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from kybernetes.kubelet.flags import add_agent_flags
from kybernetes.kubelet.kubeletconfig import (KubeletConfigError, load_kubelet_config, merge_into_args,
                                              parse_kubelet_config, unknown_fields)

SEED_CONFIG = """kind: KubeletConfiguration
apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: "/var/lib/kubernetes/ca.pem"
authorization:
  mode: Webhook
clusterDomain: "cluster.local"
clusterDNS:
  - "10.20.0.10"
runtimeRequestTimeout: "15m"
tlsCertFile: "/var/lib/kubelet/node-1.pem"
tlsPrivateKeyFile: "/var/lib/kubelet/node-1-key.pem"
"""

SEED_CONFIG_AS_PRINTED = """kind: KubeletConfiguration
apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
 anonymous:
 enabled: false
 webhook:
 enabled: true
 x509:
 clientCAFile: "/var/lib/kubernetes/ca.pem"
authorization:
 mode: Webhook
clusterDomain: "cluster.local"
clusterDNS:
 - "10.20.0.10"
runtimeRequestTimeout: "15m"
tlsCertFile: "/var/lib/kubelet/node-1.pem"
tlsPrivateKeyFile: "/var/lib/kubelet/node-1-key.pem"
"""


def test_the_seed_config_sets_what_its_flags_would():
    config = parse_kubelet_config(SEED_CONFIG)
    assert config.warnings == []
    assert config.settings == {
        "anonymous_auth": False, "authentication_token_webhook": True,
        "client_ca_file": Path("/var/lib/kubernetes/ca.pem"), "authorization_mode": "Webhook",
        "cluster_domain": "cluster.local", "cluster_dns": "10.20.0.10", "runtime_request_timeout": "15m",
        "tls_cert_file": "/var/lib/kubelet/node-1.pem",
        "tls_private_key_file": "/var/lib/kubelet/node-1-key.pem"}


def test_every_named_field_maps_to_its_flag(tmp_path):
    text = """apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
staticPodPath: manifests
fileCheckFrequency: 1s
address: 127.0.0.1
port: 10260
healthzPort: 0
healthzBindAddress: 127.0.0.2
maxPods: 20
podCIDR: 10.244.7.0/24
evictionHard: {memory.available: "100Mi", nodefs.available: "10%"}
evictionSoft: {memory.available: "200Mi"}
evictionSoftGracePeriod: {memory.available: "1m30s"}
evictionPressureTransitionPeriod: 30s
imageGCHighThresholdPercent: 90
imageGCLowThresholdPercent: 70
imageMinimumGCAge: 0s
registerNode: false
failSwapOn: false
registerWithTaints: [{key: dedicated, value: infra, effect: NoSchedule}]
"""
    settings = parse_kubelet_config(text, tmp_path).settings
    assert settings == {
        "authentication_token_webhook": True,  # v1beta1's default when the file says nothing
        "pod_manifest_path": str(tmp_path / "manifests"),  # relative to the file's directory
        "file_check_frequency": "1s", "kubelet_address": "127.0.0.1", "kubelet_port": 10260,
        "healthz_port": 0, "healthz_bind_address": "127.0.0.2", "max_pods": 20,
        "pod_cidr": "10.244.7.0/24",
        "eviction_hard": "memory.available<100Mi,nodefs.available<10%",
        "eviction_soft": "memory.available<200Mi",
        "eviction_soft_grace_period": "memory.available=1m30s",
        "eviction_pressure_transition_period": "30s", "image_gc_high_threshold": 90,
        "image_gc_low_threshold": 70, "minimum_image_ttl_duration": "0s", "register_node": False,
        "fail_swap_on": False, "register_with_taints": "dedicated=infra:NoSchedule"}


def test_unknown_fields_are_named_and_the_rest_applies():
    """As upstream decodes v1beta1: strict first, then lenient with the strict error logged."""
    # the seed's YAML as it lost its indentation: the nested fields land one level up
    broken = SEED_CONFIG.replace("  anonymous:\n    enabled: false\n", "  anonymous:\n  enabledd: false\n")
    broken += "bogusField: 1\n"
    config = parse_kubelet_config(broken)
    assert config.warnings == ['Using lenient decoding as strict decoding failed: strict decoding error: '
                               'unknown field "bogusField", unknown field "authentication.enabledd"']
    assert config.settings["cluster_domain"] == "cluster.local"
    assert unknown_fields({"authorization": {"webhook": {"cacheAuthorizedTTL": "5m", "x": 1}}}) == [
        "authorization.webhook.x"]


@pytest.mark.parametrize("text, message", [
    ("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeProxyConfiguration\n",
     'no kind "KubeProxyConfiguration" is registered for version "kubelet.config.k8s.io/v1beta1"'),
    ("apiVersion: kubelet.config.k8s.io/v1alpha1\nkind: KubeletConfiguration\n",
     'no kind "KubeletConfiguration" is registered for version "kubelet.config.k8s.io/v1alpha1"'),
    ("apiVersion: kubelet.config.k8s.io/v1beta1\n", "Object 'Kind' is missing"),
    ("kind: KubeletConfiguration\n", "Object 'apiVersion' is missing in kind KubeletConfiguration"),
    ("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nmaxPods: many\n",
     "cannot unmarshal string into Go struct field KubeletConfiguration.maxPods of type int32"),
    ("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nclusterDNS: 10.0.0.10\n",
     "cannot unmarshal string into Go struct field KubeletConfiguration.clusterDNS of type []string"),
    ("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nfileCheckFrequency: soon\n",
     'time: invalid duration "soon"'),
    ("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nauthorization: {mode: RBAC}\n",
     'authorization.mode "RBAC" is not one of AlwaysAllow, Webhook'),
    ("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
     "imageGCHighThresholdPercent: 50\nimageGCLowThresholdPercent: 60\n",
     "imageGCLowThresholdPercent (60) must be less than imageGCHighThresholdPercent (50)"),
])
def test_what_the_kubelet_cannot_start_with(text, message):
    with pytest.raises(KubeletConfigError) as caught:
        parse_kubelet_config(text)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_load_names_the_file(tmp_path):
    with pytest.raises(KubeletConfigError, match=f"path: {tmp_path / 'nope.yaml'}, error: No such file"):
        load_kubelet_config(tmp_path / "nope.yaml")


def test_flags_given_win_over_the_file():
    parser = argparse.ArgumentParser()
    add_agent_flags(parser)
    args = parser.parse_args(["--kubeconfig", "k", "--max-pods", "110", "--cluster-domain", "corp.local",
                              "--register-node=false"])
    config = parse_kubelet_config("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
                                  "maxPods: 5\nclusterDomain: file.local\nclusterDNS: [10.9.0.10]\n"
                                  "registerNode: true\n")
    merge_into_args(args, config)
    assert args.max_pods == 110  # given as the default value, still given
    assert args.cluster_domain == "corp.local"
    assert args.register_node is False
    assert args.cluster_dns == "10.9.0.10"  # not given: the file's
    assert parser.parse_args(["--kubeconfig", "k"]).anonymous_auth is False
    assert parser.parse_args(["--kubeconfig", "k", "--anonymous-auth"]).anonymous_auth is True


def test_a_token_review_names_the_user_or_nobody():
    from kybernetes.kubelet.tokenauth import user_from_review
    review = {"status": {"authenticated": True, "user": {
        "username": "system:serviceaccount:default:reader", "uid": "u1",
        "groups": ["system:serviceaccounts", "system:authenticated"]}}}
    assert user_from_review(review) == {"name": "system:serviceaccount:default:reader", "uid": "u1",
                                        "groups": ["system:serviceaccounts", "system:authenticated"],
                                        "extra": {}}
    assert user_from_review({"status": {"authenticated": False, "error": "invalid bearer token"}}) is None
    assert user_from_review({}) is None


def test_the_seed_config_as_it_lost_its_indentation_starts_with_warnings():
    """Seed 000's file with one-space indentation: the nested fields land one level up and
    `enabled` twice. Upstream's kubelet logs the strict errors and starts on the rest."""
    config = parse_kubelet_config(SEED_CONFIG_AS_PRINTED)
    assert config.warnings == [
        'Using lenient decoding as strict decoding failed: strict decoding error: unknown field '
        '"authentication.enabled", unknown field "authentication.clientCAFile", '
        'duplicate field "enabled"']
    assert "anonymous_auth" not in config.settings and "client_ca_file" not in config.settings
    assert config.settings["cluster_dns"] == "10.20.0.10"
    assert config.settings["authorization_mode"] == "Webhook"
