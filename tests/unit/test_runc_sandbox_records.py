# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""How the runc runtime's sandbox records map to namespaces: pinned ones for the
pods it makes now, the holder's /proc paths for records an older kubelet left."""
from __future__ import annotations

import os
from pathlib import Path

from kybernetes.kubelet.cri import SandboxConfig
from kybernetes.kubelet.runtimes.runc import RuncRuntime
from kybernetes.kubelet.runtimes.runcsandbox import RuncSandboxes


def config(**fields) -> SandboxConfig:
    return SandboxConfig(uid="u1", name="web", namespace="default", hostname="web", **fields)


def test_pin_paths_follow_the_host_namespaces():
    directory = Path("/state/sandboxes/0123456789abcdef")
    assert RuncSandboxes._pin_paths(config(), directory) == {
        "net": "/var/run/netns/kyb-0123456789ab",
        "uts": "/state/sandboxes/0123456789abcdef/ns/uts",
        "ipc": "/state/sandboxes/0123456789abcdef/ns/ipc"}
    assert RuncSandboxes._pin_paths(config(host_network=True), directory) == {
        "ipc": "/state/sandboxes/0123456789abcdef/ns/ipc"}
    assert RuncSandboxes._pin_paths(config(host_network=True, host_ipc=True), directory) == {}


def test_only_a_shared_pid_namespace_needs_a_holder():
    assert not RuncSandboxes._needs_holder(config())
    assert RuncSandboxes._needs_holder(config(share_process_namespace=True))
    assert not RuncSandboxes._needs_holder(config(share_process_namespace=True, host_pid=True))


PINS = {"net": "/var/run/netns/kyb-1", "uts": "/s/ns/uts", "ipc": "/s/ns/ipc"}


def test_containers_join_the_pins():
    record = {"netns_path": PINS["net"], "pins": PINS, "holder_pid": 0}
    namespaces = RuncRuntime._container_namespaces(record, config())
    assert (namespaces.network, namespaces.ipc, namespaces.uts, namespaces.pid) == \
        ("/var/run/netns/kyb-1", "/s/ns/ipc", "/s/ns/uts", "")
    shared = dict(record, holder_pid=42)
    namespaces = RuncRuntime._container_namespaces(shared, config(share_process_namespace=True))
    assert namespaces.pid == "/proc/42/ns/pid" and namespaces.ipc == "/s/ns/ipc"
    host = RuncRuntime._container_namespaces(
        {"netns_path": "", "pins": {}, "holder_pid": 0},
        config(host_network=True, host_ipc=True, host_pid=True))
    assert (host.network, host.ipc, host.uts, host.pid) == (None, None, None, None)


def test_an_older_record_keeps_its_holder_namespaces():
    record = {"netns_path": "/var/run/netns/kyb-2", "holder_pid": 77}  # no "pins"
    namespaces = RuncRuntime._container_namespaces(record, config())
    assert (namespaces.ipc, namespaces.uts) == ("/proc/77/ns/ipc", "/proc/77/ns/uts")


def test_sandbox_liveness(tmp_path):
    runtime = RuncSandboxes()
    plain = tmp_path / "uts"
    plain.write_text("")
    # pinned namespaces: alive while the mounts are there (a namespace file stands in)
    assert runtime._sandbox_alive({"pins": {"net": "/proc/self/ns/net"}, "holder_pid": 0})
    assert not runtime._sandbox_alive({"pins": {"net": "/proc/self/ns/net", "uts": str(plain)},
                                       "holder_pid": 0})
    assert runtime._sandbox_alive({"pins": {}, "holder_pid": 0})  # host namespaces only
    # a holder: alive while it runs
    me = {"pins": {}, "holder_pid": os.getpid(), "holder_start": ""}
    assert runtime._sandbox_alive(me)
    gone = {"pins": {}, "holder_pid": 2 ** 22 + 1}
    assert not runtime._sandbox_alive(gone)
    # an older kubelet's record: the holder is everything
    assert runtime._sandbox_alive({"holder_pid": os.getpid()})
    assert not runtime._sandbox_alive({"holder_pid": 0})


def test_the_holder_joins_the_pinned_namespaces():
    from kybernetes.kubelet.runtimes import oci
    spec = oci.sandbox_spec(config(share_process_namespace=True), rootfs="/holder",
                            netns_path=PINS["net"], cgroups_path="/kubepods/podu1/s1",
                            ipc_path=PINS["ipc"], uts_path=PINS["uts"])
    kinds = {n["type"]: n.get("path") for n in spec["linux"]["namespaces"]}
    assert kinds == {"mount": None, "network": PINS["net"], "ipc": PINS["ipc"],
                     "uts": PINS["uts"], "pid": None}
    assert "hostname" not in spec  # the pinned UTS namespace has it already
