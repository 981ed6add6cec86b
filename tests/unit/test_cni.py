# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The CNI protocol as pure functions: the node's conflist, each plugin's stdin
config, the CNI_* environment, results and errors."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kybernetes.kubelet import cni
from kybernetes.kubelet.cri import PortMapping


def test_node_conflist_from_pod_cidr():
    conflist = cni.node_conflist("10.244.3.0/24", Path("/data/cni/networks"))
    assert conflist["cniVersion"] == "1.0.0" and conflist["name"] == "kybernetes"
    bridge, portmap = conflist["plugins"]
    assert bridge["type"] == "bridge" and bridge["bridge"] == "cni0"
    assert bridge["isGateway"] and bridge["hairpinMode"]
    assert bridge["ipMasq"] is False  # pods keep their address across nodes (host-gw)
    assert bridge["ipam"]["type"] == "host-local"
    assert bridge["ipam"]["ranges"] == [[{"subnet": "10.244.3.0/24",
                                          "gateway": "10.244.3.1"}]]
    assert bridge["ipam"]["dataDir"] == "/data/cni/networks"
    assert bridge["ipam"]["routes"] == [{"dst": "0.0.0.0/0"}]
    assert portmap == {"type": "portmap", "capabilities": {"portMappings": True},
                       "snat": True}
    assert cni.node_conflist("10.244.3.7/24", Path("/d"), bridge_name="br1")[
        "plugins"][0]["ipam"]["ranges"][0][0]["subnet"] == "10.244.3.0/24"


def test_plugin_config_chains_prev_result_and_capabilities():
    conflist = cni.node_conflist("10.244.0.0/24", Path("/d"))
    runtime = {"portMappings": [{"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}]}
    first = cni.plugin_config(conflist, conflist["plugins"][0], None, runtime)
    assert first["name"] == "kybernetes" and first["cniVersion"] == "1.0.0"
    assert "prevResult" not in first and "runtimeConfig" not in first
    previous = {"cniVersion": "1.0.0", "ips": [{"address": "10.244.0.5/24"}]}
    second = cni.plugin_config(conflist, conflist["plugins"][1], previous, runtime)
    assert second["prevResult"] == previous
    assert second["runtimeConfig"] == runtime
    assert "capabilities" not in second
    assert "runtimeConfig" not in cni.plugin_config(conflist, conflist["plugins"][1],
                                                    previous, {})


def test_port_mappings_runtime_config():
    mappings = [PortMapping(80, 8080), PortMapping(53, 5353, "UDP", "127.0.0.1"),
                PortMapping(9000, 0)]
    assert cni.port_mappings_runtime_config(mappings) == [
        {"hostPort": 8080, "containerPort": 80, "protocol": "tcp"},
        {"hostPort": 5353, "containerPort": 53, "protocol": "udp", "hostIP": "127.0.0.1"}]


def test_plugin_env():
    env = cni.plugin_env("ADD", "abc", "/var/run/netns/kyb-abc", "eth0", "/usr/lib/cni",
                         base={"HOME": "/root"})
    assert env == {"HOME": "/root", "CNI_COMMAND": "ADD", "CNI_CONTAINERID": "abc",
                   "CNI_NETNS": "/var/run/netns/kyb-abc", "CNI_IFNAME": "eth0",
                   "CNI_PATH": "/usr/lib/cni"}


RESULT = {
    "cniVersion": "1.0.0",
    "interfaces": [{"name": "cni0", "mac": "aa"}, {"name": "veth1", "mac": "bb"},
                   {"name": "eth0", "mac": "cc", "sandbox": "/var/run/netns/kyb-1"}],
    "ips": [{"interface": 2, "address": "10.244.0.7/24", "gateway": "10.244.0.1"}],
    "routes": [{"dst": "0.0.0.0/0"}],
}


def test_parse_result_and_ips():
    result = cni.parse_output("bridge", "ADD", 0, json.dumps(RESULT).encode(), b"")
    assert cni.result_ips(result) == ["10.244.0.7"]
    assert cni.parse_output("bridge", "DEL", 0, b"", b"") == {}
    no_interface = {"ips": [{"address": "10.1.0.2/16"}]}
    assert cni.result_ips(no_interface) == ["10.1.0.2"]


def test_parse_error_json():
    error = {"cniVersion": "1.0.0", "code": 11,
             "msg": "failed to allocate for range 0: no IP addresses available in range set",
             "details": "10.244.0.1-10.244.0.2"}
    with pytest.raises(cni.CniError) as raised:
        cni.parse_output("bridge", "ADD", 1, json.dumps(error).encode(), b"")
    assert raised.value.code == 11
    assert str(raised.value) == ('plugin type="bridge" failed (add): failed to allocate for '
                                 'range 0: no IP addresses available in range set; '
                                 '10.244.0.1-10.244.0.2')
    with pytest.raises(cni.CniError) as raised:
        cni.parse_output("portmap", "ADD", 1, b"", b"plugin crashed")
    assert "plugin crashed" in str(raised.value)
    with pytest.raises(cni.CniError):
        cni.parse_output("bridge", "ADD", 0, b"not json", b"")


def test_load_network_picks_first_file(tmp_path):
    assert cni.load_network(tmp_path / "missing") is None
    (tmp_path / "20-other.conf").write_text(json.dumps(
        {"cniVersion": "0.4.0", "name": "other", "type": "bridge", "bridge": "br9"}))
    single = cni.load_network(tmp_path)
    assert single["name"] == "other" and single["cniVersion"] == "0.4.0"
    assert single["plugins"] == [{"type": "bridge", "bridge": "br9"}]
    (tmp_path / "10-kybernetes.conflist").write_text(json.dumps(
        cni.node_conflist("10.244.0.0/24", Path("/d"))))
    assert cni.load_network(tmp_path)["name"] == "kybernetes"
    (tmp_path / "05-broken.conflist").write_text("{")
    assert cni.load_network(tmp_path)["name"] == "kybernetes"


FAKE_PLUGIN = """#!/bin/sh
# records each call, answers with a result naming itself, or fails when told to
input=$(cat)
echo "$CNI_COMMAND $CNI_IFNAME $CNI_CONTAINERID $CNI_NETNS $(basename $0) $input" >> {log}
case "$input" in *'"fail": true'*)
  echo '{{"cniVersion": "1.0.0", "code": 11, "msg": "no IP addresses available in range set"}}'
  exit 1;;
esac
if [ "$CNI_COMMAND" = ADD ]; then
  echo '{{"cniVersion": "1.0.0", "ips": [{{"address": "10.9.0.'$(basename $0 | wc -c)'/24"}}]}}'
fi
"""


def fake_plugins(tmp_path: Path) -> Path:
    log = tmp_path / "calls.log"
    for kind in ("loopback", "first", "second"):
        plugin = tmp_path / kind
        plugin.write_text(FAKE_PLUGIN.format(log=log))
        plugin.chmod(0o755)
    return log


def calls(log: Path) -> list[list[str]]:
    return [line.split(" ", 5) for line in log.read_text().splitlines()]


def test_network_add_chains_results_and_del_reverses(tmp_path):
    import asyncio
    log = fake_plugins(tmp_path)
    conflist = {"cniVersion": "1.0.0", "name": "net",
                "plugins": [{"type": "first"}, {"type": "second",
                                                 "capabilities": {"portMappings": True}}]}
    network = cni.CniNetwork(conflist, plugin_dirs=[str(tmp_path / "nowhere"), str(tmp_path)])
    runtime = {"portMappings": [{"hostPort": 1, "containerPort": 2, "protocol": "tcp"}]}
    result = asyncio.run(network.add("c1", "/var/run/netns/x", runtime))
    assert cni.result_ips(result) == ["10.9.0.7"]  # "second\n" is 7 bytes: its result wins
    recorded = calls(log)
    assert [c[:5] for c in recorded] == [
        ["ADD", "lo", "c1", "/var/run/netns/x", "loopback"],
        ["ADD", "eth0", "c1", "/var/run/netns/x", "first"],
        ["ADD", "eth0", "c1", "/var/run/netns/x", "second"]]
    second_input = json.loads(recorded[2][5])
    assert second_input["prevResult"]["ips"] == [{"address": "10.9.0.6/24"}]
    assert second_input["runtimeConfig"] == runtime
    log.unlink()
    asyncio.run(network.delete("c1", "/var/run/netns/x", runtime, result))
    assert [c[:5] for c in calls(log)] == [
        ["DEL", "eth0", "c1", "/var/run/netns/x", "second"],
        ["DEL", "eth0", "c1", "/var/run/netns/x", "first"]]


def test_network_errors(tmp_path):
    import asyncio
    log = fake_plugins(tmp_path)
    failing = cni.CniNetwork({"cniVersion": "1.0.0", "name": "net",
                              "plugins": [{"type": "first", "fail": True},
                                          {"type": "second"}]},
                             plugin_dirs=[str(tmp_path)])
    with pytest.raises(cni.CniError) as raised:
        asyncio.run(failing.add("c2", "/ns", {}))
    assert raised.value.code == 11 and "no IP addresses available" in str(raised.value)
    log.unlink()
    # DEL runs every plugin even when one fails, then reports the failure
    with pytest.raises(cni.CniError):
        asyncio.run(failing.delete("c2", "/ns", {}, None))
    assert [c[4] for c in calls(log)] == ["second", "first"]
    missing = cni.CniNetwork({"cniVersion": "1.0.0", "name": "net",
                              "plugins": [{"type": "absent"}]}, plugin_dirs=[str(tmp_path)])
    with pytest.raises(cni.CniError) as raised:
        asyncio.run(missing.add("c3", "/ns", {}))
    assert "absent" in str(raised.value)
