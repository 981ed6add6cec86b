# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""A third-party CNI plugin's network: which file of the configuration directory is the
network (libcni's order), a single-plugin .conf wrapped as a list, the directory read
again as an installer writes it, results of any interface layout, and the runc
runtime's readiness without the built-in network."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kybernetes.kubelet import cni
from kybernetes.kubelet.cniconfig import (ConfDirNetwork, CniConfigError, config_files,
                                          conflist_from_conf, find_network, parse_config)
from kybernetes.kubelet.cri import SandboxError
from kybernetes.kubelet.node import NETWORK_NOT_READY

WEAVE_CONFLIST = {"cniVersion": "0.3.0", "name": "weave", "disableCheck": True,
                  "plugins": [{"name": "weave", "type": "weave-net", "hairpinMode": True},
                              {"type": "portmap", "capabilities": {"portMappings": True},
                               "snat": True}]}
CALICO_CONF = {"cniVersion": "0.3.1", "name": "k8s-pod-network", "type": "calico",
               "ipam": {"type": "calico-ipam"}, "log_level": "info"}


def write(directory: Path, name: str, data) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_candidates_are_conf_conflist_and_json_files_by_name(tmp_path):
    assert config_files(tmp_path / "missing") == []
    for name in ("20-b.conflist", "10-a.conf", "30-c.json", "05-x.yaml", "00-readme", "15-d.conf.bak"):
        write(tmp_path, name, "{}")
    (tmp_path / "01-dir.conf").mkdir()
    assert [p.name for p in config_files(tmp_path)] == ["10-a.conf", "20-b.conflist", "30-c.json"]


def test_single_plugin_conf_is_wrapped_as_one_plugin_list():
    conflist = conflist_from_conf(CALICO_CONF)
    assert conflist == {"cniVersion": "0.3.1", "name": "k8s-pod-network", "plugins": [
        {"type": "calico", "ipam": {"type": "calico-ipam"}, "log_level": "info"}]}
    # each call gets the name and version back from the list, as libcni's do
    config = cni.plugin_config(conflist, conflist["plugins"][0], None, {})
    assert (config["name"], config["cniVersion"], config["type"]) == \
        ("k8s-pod-network", "0.3.1", "calico")
    assert conflist_from_conf({"type": "bridge"})["cniVersion"] == "0.2.0"  # libcni's default
    with pytest.raises(CniConfigError, match="network type not found"):
        conflist_from_conf({"name": "x"})


def test_parse_config_by_extension():
    assert parse_config("10-weave.conflist", json.dumps(WEAVE_CONFLIST)) == WEAVE_CONFLIST
    assert parse_config("10-calico.json", json.dumps(CALICO_CONF))["plugins"][0]["type"] == "calico"
    for name, text, message in [
            ("a.conflist", "{", "error parsing configuration"),
            ("a.conflist", "[]", "not a JSON object"),
            ("a.conflist", json.dumps({"name": "n", "plugins": []}), "no networks"),
            ("a.conflist", json.dumps({"name": "n", "plugins": [{"x": 1}]}), r"plugins\[0\] has no type"),
            ("a.conflist", json.dumps({"plugins": [{"type": "bridge"}]}), "missing network name"),
            ("a.conf", json.dumps(WEAVE_CONFLIST), "needs the .conflist extension")]:
        with pytest.raises(CniConfigError, match=message):
            parse_config(name, text)


def test_first_valid_file_is_the_network(tmp_path):
    assert find_network(tmp_path) is None
    write(tmp_path, "30-calico.conf", CALICO_CONF)
    found = find_network(tmp_path)
    assert found.path.name == "30-calico.conf" and found.conflist["name"] == "k8s-pod-network"
    write(tmp_path, "10-weave.conflist", WEAVE_CONFLIST)
    assert find_network(tmp_path).conflist == WEAVE_CONFLIST
    write(tmp_path, "05-half-written.conflist", '{"cniVersion": "0.3.0", "na')
    found = find_network(tmp_path)
    assert found.path.name == "10-weave.conflist"
    assert len(found.skipped) == 1 and "05-half-written.conflist" in found.skipped[0]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_conf_dir_network_follows_the_installer(tmp_path):
    clock = Clock()
    network = ConfDirNetwork(tmp_path / "net.d", interval=2.0, clock=clock)
    assert network.current() is None
    assert network.not_ready() == NETWORK_NOT_READY
    write(tmp_path / "net.d", "10-weave.conflist", WEAVE_CONFLIST)
    assert network.current() is None  # read again only after the interval
    clock.now += 2.0
    assert network.not_ready() == ""
    assert network.current().conflist["name"] == "weave"
    write(tmp_path / "net.d", "05-calico.conf", CALICO_CONF)  # a new first file takes over
    clock.now += 2.0
    assert network.current().conflist["name"] == "k8s-pod-network"
    for path in (tmp_path / "net.d").iterdir():
        path.unlink()
    clock.now += 2.0
    assert network.current() is None and network.not_ready() == NETWORK_NOT_READY


def test_load_network_shares_the_discovery(tmp_path):
    write(tmp_path, "10-calico.conf", CALICO_CONF)
    assert cni.load_network(tmp_path) == conflist_from_conf(CALICO_CONF)


@pytest.mark.parametrize("result, expected", [
    # bridge: host bridge, host veth, container eth0; the address names eth0's index
    ({"interfaces": [{"name": "tp0", "mac": "m"}, {"name": "veth1", "mac": "m"},
                     {"name": "eth0", "mac": "m", "sandbox": "/var/run/netns/kyb-1"}],
      "ips": [{"address": "10.250.0.5/24", "gateway": "10.250.0.1", "interface": 2}]},
     ["10.250.0.5"]),
    # a plugin that also reports an address of a host-side interface
    ({"interfaces": [{"name": "weave"}, {"name": "eth0", "sandbox": "/proc/1/ns/net"}],
      "ips": [{"address": "10.32.0.1/12", "interface": 0},
              {"address": "10.32.0.7/12", "interface": 1}]},
     ["10.32.0.7"]),
    # calico: one host-side interface, an address naming none
    ({"interfaces": [{"name": "cali1234"}], "ips": [{"address": "192.168.3.4/32"}]},
     ["192.168.3.4"]),
    # only host-side addresses: better than none
    ({"interfaces": [{"name": "flannel.1"}], "ips": [{"address": "10.42.0.9/24", "interface": 0}]},
     ["10.42.0.9"]),
    # dual stack: IPv4 is the primary pod IP, whatever the order
    ({"interfaces": [{"name": "eth0", "sandbox": "/n"}],
      "ips": [{"address": "fd00::5/64", "interface": 0}, {"address": "10.1.0.5/24", "interface": 0}]},
     ["10.1.0.5", "fd00::5"]),
    # CNI 0.2.0 (an old plugin's cniVersion): ip4 and ip6
    ({"cniVersion": "0.2.0", "ip4": {"ip": "10.1.0.6/16", "gateway": "10.1.0.1"},
      "ip6": {"ip": "fd00::6/64"}}, ["10.1.0.6", "fd00::6"]),
    # an index that is no index: not the container's for sure, but still the only address
    ({"interfaces": [{"name": "eth0", "sandbox": "/n"}],
      "ips": [{"address": "10.1.0.8/24", "interface": "0"}, {"address": "10.1.0.9/24"}]},
     ["10.1.0.9"]),
    ({}, []),
])
def test_result_ips_of_any_layout(result, expected):
    assert cni.result_ips(result) == expected


def test_runc_runtime_without_builtin_network(tmp_path):
    from kybernetes.kubelet.runtimes.runc import RuncRuntime
    root = tmp_path / "kubelet" / "runc"
    root.mkdir(parents=True)
    conf_dir = tmp_path / "etc-cni"
    runtime = RuncRuntime(root, builtin_network=False, cni_conf_dir=conf_dir,
                          runc=str(tmp_path / "no-runc"))
    runtime.configure("10.244.3.0/24")  # the node's podCIDR is no reason to write a config
    assert not conf_dir.exists() and not (tmp_path / "kubelet" / "cni").exists()
    assert runtime.cni_plugin_dirs == ["/opt/cni/bin"]
    assert runtime.network_not_ready() == NETWORK_NOT_READY
    with pytest.raises(SandboxError, match="cni plugin not initialized"):
        runtime.network()
    runtime.conf_dir_network.interval = 0.0
    write(conf_dir, "10-weave.conflist", WEAVE_CONFLIST)
    assert runtime.network_not_ready() == ""
    assert runtime.network().conflist == WEAVE_CONFLIST
    # a sandbox's own config (stored at ADD) is what its DEL uses
    assert runtime.network(CALICO_CONF | {"plugins": []}).conflist["name"] == "k8s-pod-network"


def test_runc_runtime_builtin_network_is_unchanged(tmp_path):
    from kybernetes.kubelet.runtimes.runc import RuncRuntime
    root = tmp_path / "kubelet" / "runc"
    root.mkdir(parents=True)
    runtime = RuncRuntime(root, pod_cidr="10.244.7.0/24", runc=str(tmp_path / "no-runc"))
    written = tmp_path / "kubelet" / "cni" / "net.d" / "10-kybernetes.conflist"
    assert json.loads(written.read_text())["plugins"][0]["ipam"]["ranges"] == [
        [{"subnet": "10.244.7.0/24", "gateway": "10.244.7.1"}]]
    assert runtime.network_not_ready() == ""
    assert runtime.cni_plugin_dirs == ["/usr/lib/cni", "/opt/cni/bin"]
    assert runtime.network().conflist["name"] == "kybernetes"


def test_pod_network_flags_on_agent_and_server():
    from kybernetes.cli.main import build_parser
    from kybernetes.network.node import pod_network_options
    parser = build_parser()
    for command in (["agent", "--kubeconfig", "/dev/null"], ["server"]):
        args = parser.parse_args(command)
        assert pod_network_options(args) == {"builtin_network": True, "cni_conf_dir": None,
                                             "cni_bin_dirs": None}
        args = parser.parse_args([*command, "--flannel-backend=none", "--cni-conf-dir",
                                  "/etc/cni/net.d", "--cni-bin-dir", "/opt/cni/bin,/usr/lib/cni"])
        assert pod_network_options(args) == {
            "builtin_network": False, "cni_conf_dir": Path("/etc/cni/net.d"),
            "cni_bin_dirs": ["/opt/cni/bin", "/usr/lib/cni"]}
