# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Putting the KUBE-NWPLCY chains into the kernel and taking them out. The restore,
save and sysctl plumbing is kube-proxy's (kybernetes.proxy.iptables); what is here is
the jump from FORWARD, which must stay FORWARD's first rule (kube-proxy's KUBE-FORWARD
accepts marked and established traffic and would otherwise bypass policies)."""
from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

from kybernetes.netpol.rules import CHAIN_PREFIX, FORWARD_CHAIN, JUMP_ARGS, Chains, restore_text
from kybernetes.proxy import iptables as kernel

log = logging.getLogger("kybernetes.netpol")

iptables_available = kernel.iptables_available


def _iptables(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["iptables", "-w", *args], capture_output=True, text=True)


def save_filter() -> str:
    return kernel.save(("filter",))


def jump_is_first() -> bool:
    rules = [line for line in _iptables("-S", "FORWARD").stdout.splitlines() if line.startswith("-A ")]
    return bool(rules) and rules[0].endswith(f"-j {FORWARD_CHAIN}")


def remove_jump() -> None:
    while _iptables("-D", "FORWARD", *JUMP_ARGS).returncode == 0:
        pass


def ensure_jump() -> None:
    """The jump as FORWARD's first rule, exactly once."""
    if jump_is_first():
        return
    remove_jump()
    result = _iptables("-I", "FORWARD", "1", *JUMP_ARGS)
    if result.returncode != 0:
        raise OSError(f"iptables -I FORWARD: {result.stderr.strip()}")


def apply(desired: Chains, applied: Chains | None, existing: set[str] | frozenset = frozenset()) -> None:
    """Take the kernel from `applied` to `desired` in one iptables-restore; the jump goes
    before the chains it points at are deleted, and comes after they exist."""
    if not desired:
        remove_jump()
    text = restore_text(desired, applied, existing)
    if text:
        kernel.restore(text)
    if desired:
        ensure_jump()


def cleanup() -> None:
    """`kybernetes netpol --cleanup`: the jump, then every KUBE-NWPLCY chain."""
    remove_jump()
    own = {chain for chain in kernel.chains_in_save(save_filter()).get("filter", set())
           if chain.startswith(CHAIN_PREFIX)}
    text = restore_text({}, None, own)
    if text:
        kernel.restore(text)


def prepare_kernel() -> bool:
    """Bridged pod-to-pod traffic through iptables (br_netfilter with
    bridge-nf-call-iptables=1): without it, policies cannot police traffic between two
    pods on this node's bridge. Returns whether that is in place."""
    kernel.set_sysctl("net.ipv4.ip_forward", "1")
    bridge = Path("/proc/sys/net/bridge")
    if not bridge.exists() and shutil.which("modprobe"):
        subprocess.run(["modprobe", "br_netfilter"], capture_output=True)
    if not bridge.exists():
        log.error("br_netfilter is not loaded (and modprobe br_netfilter failed): NetworkPolicy "
                  "cannot police traffic between pods on the same node, only routed traffic")
        return False
    if not kernel.set_sysctl("net.bridge.bridge-nf-call-iptables", "1"):
        log.error("cannot set net.bridge.bridge-nf-call-iptables=1: NetworkPolicy cannot police "
                  "traffic between pods on the same node, only routed traffic")
        return False
    return True
