# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Putting the generated rules into the kernel, and taking them out (`--cleanup`).

Only kube-proxy's own chains are ever written: `iptables-restore --noflush` replaces
them atomically per table (so a restarted proxy never leaves a gap), and the jumps
from the built-in chains are added once, checked with `-C` first."""
from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

from kybernetes.proxy.rules import FILTER_CHAINS, JUMPS, NAT_CHAINS, PER_SERVICE_PREFIXES

log = logging.getLogger("kybernetes.proxy")

OWN_CHAINS = set(NAT_CHAINS) | set(FILTER_CHAINS)


def iptables_available() -> bool:
    return bool(shutil.which("iptables") and shutil.which("iptables-restore")
                and shutil.which("iptables-save"))


def chains_in_save(text: str) -> dict[str, set[str]]:
    """table -> chain names, from `iptables-save` output."""
    tables: dict[str, set[str]] = {}
    table = ""
    for line in text.splitlines():
        if line.startswith("*"):
            table = line[1:].strip()
            tables.setdefault(table, set())
        elif line.startswith(":") and table:
            tables[table].add(line[1:].split()[0])
    return tables


def is_own_chain(chain: str) -> bool:
    return chain in OWN_CHAINS or chain.startswith(PER_SERVICE_PREFIXES)


def cleanup_text(save_output: str) -> str:
    """Restore text that empties and deletes every chain kube-proxy made."""
    lines = []
    for table, chains in sorted(chains_in_save(save_output).items()):
        own = sorted(c for c in chains if is_own_chain(c))
        if table not in ("nat", "filter") or not own:
            continue
        lines.append(f"*{table}")
        lines += [f":{chain} - [0:0]" for chain in own]
        lines += [f"-X {chain}" for chain in own]
        lines.append("COMMIT")
    return "\n".join(lines) + "\n" if lines else ""


def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), input=stdin, capture_output=True, text=True)


def save(tables: tuple[str, ...] = ("nat", "filter")) -> str:
    return "".join(_run("iptables-save", "-t", table).stdout for table in tables)


def ensure_jumps() -> None:
    """The jumps from INPUT/FORWARD/OUTPUT/PREROUTING/POSTROUTING, each added once; the
    target chains must exist first."""
    for table, chain in {(t, c) for t, _, _ in JUMPS for c in (FILTER_CHAINS if t == "filter" else NAT_CHAINS)}:
        _run("iptables", "-w", "-t", table, "-N", chain)  # exists already: harmless error
    for table, hook, args in reversed(JUMPS):  # each -I goes first: keep the list's order
        if _run("iptables", "-w", "-t", table, "-C", hook, *args).returncode != 0:
            result = _run("iptables", "-w", "-t", table, "-I", hook, *args)
            if result.returncode != 0:
                raise OSError(f"iptables -t {table} -I {hook}: {result.stderr.strip()}")


def restore(text: str) -> None:
    result = _run("iptables-restore", "-w", "--noflush", stdin=text)
    if result.returncode != 0:
        raise OSError(f"iptables-restore failed: {result.stderr.strip()}")


def remove_jumps() -> None:
    for table, hook, args in JUMPS:
        while _run("iptables", "-w", "-t", table, "-D", hook, *args).returncode == 0:
            pass


def cleanup() -> None:
    """Upstream's `kube-proxy --cleanup`: the jumps, then every KUBE chain it owns."""
    remove_jumps()
    text = cleanup_text(save())
    if text:
        restore(text)


def set_sysctl(name: str, value: str) -> bool:
    path = Path("/proc/sys") / name.replace(".", "/")
    try:
        if path.read_text().strip() != value:
            path.write_text(value)
        return True
    except OSError as exc:
        log.warning("cannot set %s=%s: %s", name, value, exc)
        return False


def prepare_kernel() -> None:
    """route_localnet for NodePorts on 127.0.0.1; bridged pod traffic through iptables
    (br_netfilter) so a pod reaching its own service is NATed. modprobe may be absent."""
    set_sysctl("net.ipv4.conf.all.route_localnet", "1")
    set_sysctl("net.ipv4.ip_forward", "1")
    if not Path("/proc/sys/net/bridge").exists() and shutil.which("modprobe"):
        _run("modprobe", "br_netfilter")
    if Path("/proc/sys/net/bridge").exists():
        set_sysctl("net.bridge.bridge-nf-call-iptables", "1")
    else:
        log.warning("br_netfilter is not loaded: pods reaching their own Service may fail")
