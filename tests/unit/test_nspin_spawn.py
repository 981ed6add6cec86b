# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The runc runtime's fast paths, pure parts: namespace pinning's flags and ifreq,
the vfork-based helper runner, and which CNI plugins a pod needs."""
from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from kybernetes.kubelet import cni
from kybernetes.kubelet.runtimes import nspin, spawn


# ---------------------------------------------------------------------- nspin
def test_clone_flags_per_kind():
    assert nspin.clone_flags(["net"]) == 0x40000000
    assert nspin.clone_flags(["net", "ipc", "uts"]) == 0x40000000 | 0x08000000 | 0x04000000
    assert nspin.clone_flags([]) == 0
    with pytest.raises(ValueError):
        nspin.clone_flags(["pid"])  # a PID namespace needs a process: the holder


def test_ifreq_round_trip():
    request = nspin.ifreq_flags("lo", nspin.IFF_UP | 0x8)
    assert len(request) == 40  # struct ifreq on Linux
    assert request.startswith(b"lo\0")
    assert nspin.flags_of(request) == nspin.IFF_UP | 0x8
    assert nspin.flags_of(nspin.ifreq_flags("eth0")) == 0


def test_a_plain_file_is_not_pinned(tmp_path):
    plain = tmp_path / "net"
    plain.write_text("")
    assert not nspin.is_pinned(plain)
    assert not nspin.is_pinned(tmp_path / "absent")
    assert nspin.is_pinned(Path("/proc/self/ns/net"))  # what a pin mount looks like


def test_unpin_is_idempotent(tmp_path):
    plain = tmp_path / "ipc"
    plain.write_text("")
    nspin.unpin(plain)
    nspin.unpin(plain)
    assert not plain.exists()


# ---------------------------------------------------------------------- spawn
def test_run_feeds_input_and_captures_output():
    code, out, err = asyncio.run(spawn.run(
        ["/bin/sh", "-c", "read line; echo got $line; echo $KYB_X >&2; exit 3"],
        input=b"hello\n", env={"KYB_X": "from-env", "PATH": "/usr/bin:/bin"}))
    assert (code, out, err) == (3, b"got hello\n", b"from-env\n")


def test_run_hands_the_child_given_fds(tmp_path):
    target = tmp_path / "out"
    fd = os.open(target, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        code, out, err = asyncio.run(spawn.run(["/bin/sh", "-c", "echo to-file; read x; echo $x"],
                                               stdout=fd))
    finally:
        os.close(fd)
    # stdin is /dev/null without input: `read` gets EOF at once
    assert (code, out, err) == (0, b"", b"")
    assert target.read_text() == "to-file\n\n"


def test_run_missing_binary_is_an_os_error():
    with pytest.raises(OSError):
        asyncio.run(spawn.run(["/no/such/binary"]))


def test_a_cancelled_run_still_reaps_its_child(tmp_path):
    marker, pid_file = tmp_path / "done", tmp_path / "pid"

    async def scenario():
        task = asyncio.ensure_future(spawn.run(
            ["/bin/sh", "-c", f"echo $$ > {pid_file}; sleep 0.3; touch {marker}"]))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    from tests.support.waiting import wait_for
    wait_for(marker.exists)
    pid = pid_file.read_text().strip()
    # reaped: no zombie of this child is left (other tests' children are not this test's)
    wait_for(lambda: pid not in _zombie_children())


def _zombie_children() -> list[str]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if stat[0] == "Z" and int(stat[1]) == os.getpid():
                found.append(entry)
    return found


# ---------------------------------------------------------------------- CNI plugins a pod needs
PORTMAP = {"type": "portmap", "capabilities": {"portMappings": True}, "snat": True}


def test_portmap_is_needed_only_with_host_ports():
    assert not cni.plugin_needed(PORTMAP, {"portMappings": []})
    assert not cni.plugin_needed(PORTMAP, {})
    assert cni.plugin_needed(PORTMAP, {"portMappings": [{"hostPort": 80, "containerPort": 8080,
                                                         "protocol": "tcp"}]})
    assert not cni.plugin_needed({"type": "portmap"}, {"portMappings": [{"hostPort": 80}]})
    # any other plugin always runs, capabilities or not
    assert cni.plugin_needed({"type": "bridge"}, {})
    assert cni.plugin_needed({"type": "tuning", "capabilities": {"mac": True}}, {})


FAKE_PLUGIN = """#!/bin/sh
input=$(cat)
echo "$CNI_COMMAND $CNI_IFNAME $(basename $0)" >> {log}
if [ "$CNI_COMMAND" = ADD ]; then
  echo '{{"cniVersion": "1.0.0", "ips": [{{"address": "10.9.0.5/24"}}]}}'
fi
"""


def _network(tmp_path: Path) -> tuple[cni.CniNetwork, Path]:
    log = tmp_path / "calls.log"
    for kind in ("loopback", "bridge", "portmap"):
        plugin = tmp_path / kind
        plugin.write_text(FAKE_PLUGIN.format(log=log))
        plugin.chmod(0o755)
    conflist = {"cniVersion": "1.0.0", "name": "net", "plugins": [{"type": "bridge"}, PORTMAP]}
    return cni.CniNetwork(conflist, plugin_dirs=[str(tmp_path)]), log


def _calls(log: Path) -> list[str]:
    calls = log.read_text().splitlines() if log.exists() else []
    log.unlink(missing_ok=True)
    return calls


def test_add_and_del_without_host_ports_skip_portmap(tmp_path):
    network, log = _network(tmp_path)
    runtime = {"portMappings": []}
    result = asyncio.run(network.add("c1", "/ns", runtime, loopback=False))
    assert cni.result_ips(result) == ["10.9.0.5"]  # bridge's result is the list's result
    assert _calls(log) == ["ADD eth0 bridge"]
    asyncio.run(network.delete("c1", "/ns", runtime, result))
    assert _calls(log) == ["DEL eth0 bridge"]


def test_add_and_del_with_host_ports_run_portmap(tmp_path):
    network, log = _network(tmp_path)
    runtime = {"portMappings": [{"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}]}
    result = asyncio.run(network.add("c2", "/ns", runtime))
    assert _calls(log) == ["ADD lo loopback", "ADD eth0 bridge", "ADD eth0 portmap"]
    asyncio.run(network.delete("c2", "/ns", runtime, result))
    assert _calls(log) == ["DEL eth0 portmap", "DEL eth0 bridge"]
