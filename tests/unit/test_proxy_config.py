# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""kube-proxy's KubeProxyConfiguration file and flags resolved into ProxySettings, and
the masquerade settings in the generated rules."""
from __future__ import annotations

import argparse

import pytest

from kybernetes.proxy.config import ProxyConfigError, load_proxy_config, parse_proxy_config
from kybernetes.proxy.options import add_proxy_flags, agent_proxy_settings, resolve_settings

# seed 000's file, its one-space indentation kept
SEED_CONFIG = """kind: KubeProxyConfiguration
apiVersion: kubeproxy.config.k8s.io/v1alpha1
clientConnection:
 kubeconfig: "/var/lib/kube-proxy/kubeconfig"
mode: "iptables"
clusterCIDR: "10.30.0.0/16"
"""

HEADER = "kind: KubeProxyConfiguration\napiVersion: kubeproxy.config.k8s.io/v1alpha1\n"


def parse_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_proxy_flags(parser)
    return parser.parse_args(list(argv))


def test_seed_file_gives_kubeconfig_mode_and_cluster_cidr_with_upstream_defaults():
    settings = parse_proxy_config(SEED_CONFIG)
    assert settings.kubeconfig == "/var/lib/kube-proxy/kubeconfig"
    assert settings.mode == "iptables"
    assert settings.cluster_cidr == "10.30.0.0/16"
    assert settings.warnings == []
    # v1alpha1's defaults for what the file leaves out
    assert settings.healthz_bind_address == "0.0.0.0:10256"
    assert settings.metrics_bind_address == "127.0.0.1:10249"
    assert settings.bind_address == "0.0.0.0"
    assert (settings.masquerade_bit, settings.masquerade_all) == (14, False)
    assert (settings.sync_period, settings.min_sync_period) == (30.0, 1.0)


def test_every_supported_field_is_read():
    settings = parse_proxy_config(HEADER + """
bindAddress: 10.0.0.5
healthzBindAddress: 127.0.0.1:12256
metricsBindAddress: 127.0.0.1
hostnameOverride: node-7
nodePortAddresses: [192.168.0.0/16, 10.0.0.0/8]
iptables:
  masqueradeAll: true
  masqueradeBit: 15
  syncPeriod: 1m
  minSyncPeriod: 500ms
conntrack:
  maxPerCore: 0
  min: 131072
  tcpEstablishedTimeout: 24h
  tcpCloseWaitTimeout: 1h
mode: ""
""")
    assert settings.bind_address == "10.0.0.5"
    assert settings.healthz_bind_address == "127.0.0.1:12256"
    assert settings.metrics_bind_address == "127.0.0.1:10249"  # port appended, as upstream defaults
    assert settings.hostname_override == "node-7"
    assert settings.nodeport_addresses == ["192.168.0.0/16", "10.0.0.0/8"]
    assert (settings.masquerade_all, settings.masquerade_bit) == (True, 15)
    assert (settings.sync_period, settings.min_sync_period) == (60.0, 0.5)
    assert settings.conntrack == {"maxPerCore": 0, "min": 131072, "tcpEstablishedTimeout": 86400.0,
                                  "tcpCloseWaitTimeout": 3600.0}
    assert settings.mode == ""


@pytest.mark.parametrize("mode", ["ipvs", "nftables"])
def test_other_upstream_modes_are_refused_in_one_line(mode):
    with pytest.raises(ProxyConfigError) as caught:
        parse_proxy_config(SEED_CONFIG.replace('"iptables"', f'"{mode}"'))
    assert str(caught.value) == (f'proxy mode "{mode}" is not supported: kybernetes implements only '
                                 f'the iptables mode (mode: iptables, or "" for it)')


def test_unknown_mode_gets_upstreams_unsupported_value():
    with pytest.raises(ProxyConfigError, match='mode: Unsupported value: "turbo": supported values'):
        parse_proxy_config(SEED_CONFIG.replace('"iptables"', '"turbo"'))


@pytest.mark.parametrize("text,message", [
    ("kind: KubeProxyConfiguration\napiVersion: componentconfig/v1alpha1\n",
     'failed to decode: no kind "KubeProxyConfiguration" is registered for version '
     '"componentconfig/v1alpha1"; kube-proxy reads kind KubeProxyConfiguration of '
     'kubeproxy.config.k8s.io/v1alpha1'),
    ("kind: KubeletConfiguration\napiVersion: kubeproxy.config.k8s.io/v1alpha1\n",
     'failed to decode: no kind "KubeletConfiguration" is registered for version '
     '"kubeproxy.config.k8s.io/v1alpha1"; kube-proxy reads kind KubeProxyConfiguration of '
     'kubeproxy.config.k8s.io/v1alpha1'),
    ("apiVersion: kubeproxy.config.k8s.io/v1alpha1\n", "failed to decode: Object 'Kind' is missing"),
    (HEADER + "iptables:\n  masqueradeBit: fourteen\n",
     "failed to decode: json: cannot unmarshal string into Go struct field "
     "KubeProxyConfiguration.iptables.masqueradeBit of type int32"),
    (HEADER + "iptables:\n  masqueradeAll: \"yes\"\n",
     "failed to decode: json: cannot unmarshal string into Go struct field "
     "KubeProxyConfiguration.iptables.masqueradeAll of type bool"),
    (HEADER + "iptables: [1]\n",
     "failed to decode: json: cannot unmarshal array into Go struct field "
     "KubeProxyConfiguration.iptables of type struct"),
    (HEADER + "nodePortAddresses: 10.0.0.0/8\n",
     "failed to decode: json: cannot unmarshal string into Go struct field "
     "KubeProxyConfiguration.nodePortAddresses of type []string"),
    (HEADER + "iptables:\n  syncPeriod: soon\n", 'failed to decode: time: invalid duration "soon"'),
    (HEADER + "clusterCIDR: [\n", "failed to decode: yaml: line 4: "),
])
def test_bad_files_are_one_line_errors(text, message):
    with pytest.raises(ProxyConfigError) as caught:
        parse_proxy_config(text)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_invalid_values_are_all_named_as_upstream_validates():
    with pytest.raises(ProxyConfigError) as caught:
        parse_proxy_config(HEADER + "bindAddress: nowhere\nhealthzBindAddress: somewhere:1\n"
                           "clusterCIDR: 10.30.0.0/33\niptables:\n  masqueradeBit: 32\n  syncPeriod: 0s\n")
    message = str(caught.value)
    assert 'KubeProxyConfiguration.iptables.masqueradeBit: Invalid value: 32: must be within the range [0, 31]' in message
    assert 'KubeProxyConfiguration.iptables.syncPeriod: Invalid value: "0s": must be greater than 0' in message
    assert ('KubeProxyConfiguration.bindAddress: Invalid value: "nowhere": not a valid textual '
            'representation of an IP address') in message
    assert 'KubeProxyConfiguration.healthzBindAddress: Invalid value: "somewhere:1": must be IP:port' in message
    assert 'KubeProxyConfiguration.clusterCIDR: Invalid value: "10.30.0.0/33"' in message


def test_min_sync_period_above_sync_period_is_invalid():
    with pytest.raises(ProxyConfigError, match="must be greater than or equal to iptables.minSyncPeriod"):
        parse_proxy_config(HEADER + "iptables:\n  syncPeriod: 1s\n  minSyncPeriod: 5s\n")


def test_unknown_and_duplicate_fields_warn_as_upstreams_lenient_decoding_and_the_rest_applies():
    settings = parse_proxy_config(SEED_CONFIG + "udpIdleTimeout: 250ms\niptables:\n  turbo: true\n"
                                  "clusterCIDR: 10.31.0.0/16\n")
    assert settings.warnings == [
        'Using lenient decoding as strict decoding failed: strict decoding error: unknown field '
        '"udpIdleTimeout", unknown field "iptables.turbo", duplicate field "clusterCIDR"']
    assert settings.cluster_cidr == "10.31.0.0/16"  # the last one wins
    assert settings.kubeconfig == "/var/lib/kube-proxy/kubeconfig"


def test_fields_of_other_modes_and_platforms_are_accepted_silently():
    settings = parse_proxy_config(SEED_CONFIG + "ipvs:\n  scheduler: rr\nwinkernel:\n  enableDSR: false\n"
                                  "detectLocalMode: ClusterCIDR\nconfigSyncPeriod: 15m\noomScoreAdj: -999\n"
                                  "clientConnection:\n  kubeconfig: /k\n  qps: 5\n  burst: 10\n"
                                  "featureGates: {}\nlogging: {format: text}\n")
    assert settings.warnings == ['Using lenient decoding as strict decoding failed: strict decoding '
                                 'error: duplicate field "clientConnection"']
    assert settings.kubeconfig == "/k"


def test_missing_file_names_it(tmp_path):
    with pytest.raises(ProxyConfigError, match=f"{tmp_path / 'nope.yaml'}: No such file"):
        load_proxy_config(tmp_path / "nope.yaml")


# ---------------------------------------------------------------- flags and the file
def test_without_config_the_flags_are_the_settings():
    settings = resolve_settings(parse_args("--kubeconfig", "/k", "--cluster-cidr", "10.1.0.0/16",
                                           "--masquerade-all", "--iptables-masquerade-bit", "12",
                                           "--iptables-sync-period", "2m", "--healthz-bind-address",
                                           "127.0.0.1:9999", "--nodeport-addresses", "10.0.0.0/8"))
    assert (settings.kubeconfig, settings.cluster_cidr) == ("/k", "10.1.0.0/16")
    assert (settings.masquerade_all, settings.masquerade_bit, settings.sync_period) == (True, 12, 120.0)
    assert settings.healthz_bind_address == "127.0.0.1:9999"
    assert settings.nodeport_addresses == ["10.0.0.0/8"]


def test_bad_flags_are_named_as_flags():
    with pytest.raises(ProxyConfigError, match=r"^--iptables-masquerade-bit: Invalid value: 40"):
        resolve_settings(parse_args("--iptables-masquerade-bit", "40"))
    with pytest.raises(ProxyConfigError, match='proxy mode "ipvs" is not supported'):
        resolve_settings(parse_args("--proxy-mode", "ipvs"))


def test_with_config_the_file_wins_but_hostname_override_and_master_apply(tmp_path):
    path = tmp_path / "kube-proxy-config.yaml"
    path.write_text(SEED_CONFIG + "hostnameOverride: from-file\n")
    settings = resolve_settings(parse_args("--config", str(path), "--cluster-cidr", "10.99.0.0/16",
                                           "--kubeconfig", "/flag", "--hostname-override", "Node-A",
                                           "--master", "https://10.0.0.1:6443"))
    assert settings.cluster_cidr == "10.30.0.0/16"
    assert settings.kubeconfig == "/var/lib/kube-proxy/kubeconfig"
    assert settings.hostname_override == "node-a"  # the flag wins, lower-cased as upstream
    assert settings.master == "https://10.0.0.1:6443"
    assert settings.warnings == [
        f"--cluster-cidr, --kubeconfig ignored: --config {path} gives kube-proxy's settings (as "
        "upstream, only --hostname-override and --master apply with it)"]


def test_agent_flags_given_win_over_its_proxy_config(tmp_path):
    from kybernetes.kubelet.flags import add_agent_flags
    parser = argparse.ArgumentParser()
    add_agent_flags(parser)
    path = tmp_path / "proxy.yaml"
    path.write_text(SEED_CONFIG + "nodePortAddresses: [10.0.0.0/8]\nhealthzBindAddress: 127.0.0.1:10256\n")
    base = ["--kubeconfig", "/k"]
    from_file = agent_proxy_settings(parser.parse_args([*base, "--proxy-config", str(path)]))
    assert from_file.cluster_cidr == "10.30.0.0/16" and from_file.nodeport_addresses == ["10.0.0.0/8"]
    assert from_file.healthz_bind_address == "127.0.0.1:10256"
    flags_win = agent_proxy_settings(parser.parse_args([*base, "--proxy-config", str(path),
                                                        "--cluster-cidr", "10.44.0.0/16"]))
    assert flags_win.cluster_cidr == "10.44.0.0/16" and flags_win.nodeport_addresses == ["10.0.0.0/8"]
    without = agent_proxy_settings(parser.parse_args(base))
    assert without.healthz_bind_address == "" and without.cluster_cidr == "10.244.0.0/16"
    assert without.kubeconfig == ""  # the node's own credential is never the proxy's
    credential = agent_proxy_settings(parser.parse_args([*base, "--proxy-kubeconfig", "/p"]))
    assert credential.kubeconfig == "/p"
    assert agent_proxy_settings(parser.parse_args([*base, "--proxy-config", str(path),
                                                   "--proxy-kubeconfig", "/p"])).kubeconfig == "/p"


# ---------------------------------------------------------------- the settings in the rules
def test_masquerade_bit_and_masquerade_all_shape_the_rules():
    from kybernetes.proxy.model import build_service_ports
    from kybernetes.proxy.rules import ProxyConfig, generate
    from tests.unit.test_proxy_rules import service, slice_for
    ports = build_service_ports([service()], [slice_for()])
    default = generate(ports, ProxyConfig("node-a", cluster_cidr="10.30.0.0/16"))
    assert "-j MARK --or-mark 0x4000" in default and "! -s 10.30.0.0/16 -j KUBE-MARK-MASQ" in default
    changed = generate(ports, ProxyConfig("node-a", cluster_cidr="10.30.0.0/16", masquerade_all=True,
                                          masquerade_bit=5))
    assert "-j MARK --or-mark 0x20" in changed and "0x4000" not in changed
    masq = [line for line in changed.splitlines() if line.startswith("-A KUBE-SVC-") and "KUBE-MARK-MASQ" in line]
    assert masq and all("! -s" not in line for line in masq)
    # no clusterCIDR (upstream's default in the file): no source-based masquerade rule
    unknown = generate(ports, ProxyConfig("node-a", cluster_cidr=""))
    assert not [line for line in unknown.splitlines()
                if line.startswith("-A KUBE-SVC-") and "KUBE-MARK-MASQ" in line]


def test_agent_rejects_a_bad_proxy_config_in_one_line(tmp_path):
    from kybernetes.kubelet.flags import add_agent_flags
    from kybernetes.network.node import check_node_network_flags
    parser = argparse.ArgumentParser()
    add_agent_flags(parser)
    path = tmp_path / "proxy.yaml"
    path.write_text(SEED_CONFIG.replace('"iptables"', '"ipvs"'))
    error = check_node_network_flags(parser.parse_args(["--kubeconfig", "/k", "--proxy-config", str(path)]))
    assert error == (f'--proxy-config: kube-proxy config file {path}: proxy mode "ipvs" is not supported: '
                     f'kybernetes implements only the iptables mode (mode: iptables, or "" for it)')
    path.write_text(SEED_CONFIG)
    assert check_node_network_flags(parser.parse_args(["--kubeconfig", "/k", "--proxy-config", str(path)])) is None
