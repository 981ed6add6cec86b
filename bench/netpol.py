# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""NetworkPolicy rule sync time: 1,000 pods (all on this node, the worst case) in 20
namespaces and 200 policies (default denies, pod-selector and namespace-selector
allows with ports, named ports, ipBlock egress with excepts). Prints the pure
generation time, the rule count, and the iptables-restore time of a full sync and of
an incremental one (one pod relabelled), the latter two inside a scratch network
namespace that is deleted afterwards (needs root; skipped otherwise).

    .venv/bin/python bench/netpol.py [--pods 1000] [--policies 200]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kybernetes.netpol.rules import FORWARD_CHAIN, desired_chains, restore_text  # noqa: E402

NODE = "bench-node"
NAMESPACES = 20


def make_pods(count: int) -> list[dict]:
    pods = []
    for i in range(count):
        ip = f"10.{244 + i // 65000}.{(i // 250) % 256}.{i % 250 + 2}"
        pods.append({"metadata": {"name": f"pod-{i}", "namespace": f"ns-{i % NAMESPACES}",
                                  "labels": {"app": f"app-{i % 100}",
                                             "role": ("frontend", "backend", "db")[i % 3]}},
                     "spec": {"nodeName": NODE, "containers": [{"name": "c", "ports": [
                         {"name": "http", "containerPort": 8000 + i % 7}]}]},
                     "status": {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}]}})
    return pods


def make_namespaces() -> list[dict]:
    return [{"metadata": {"name": f"ns-{i}", "labels": {"kubernetes.io/metadata.name": f"ns-{i}",
                                                       "team": f"team-{i % 4}"}}}
            for i in range(NAMESPACES)]


def make_policies(count: int) -> list[dict]:
    policies = []
    for i in range(count):
        namespace = f"ns-{i % NAMESPACES}"
        kind = i % 5
        if kind == 0:
            spec = {"podSelector": {}, "policyTypes": ["Ingress"]}
        elif kind == 1:
            spec = {"podSelector": {"matchLabels": {"app": f"app-{i % 100}"}},
                    "ingress": [{"from": [{"podSelector": {"matchLabels": {"role": "frontend"}}}],
                                 "ports": [{"protocol": "TCP", "port": 80}, {"protocol": "TCP", "port": 443}]}]}
        elif kind == 2:
            spec = {"podSelector": {"matchLabels": {"role": "db"}},
                    "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"team": f"team-{i % 4}"}},
                                           "podSelector": {"matchLabels": {"role": "backend"}}}],
                                 "ports": [{"protocol": "TCP", "port": 5432}]}]}
        elif kind == 3:
            spec = {"podSelector": {"matchLabels": {"app": f"app-{i % 100}"}},
                    "ingress": [{"ports": [{"protocol": "TCP", "port": "http"}]}]}
        else:
            spec = {"podSelector": {"matchLabels": {"role": "frontend", "app": f"app-{i % 100}"}},
                    "policyTypes": ["Egress"],
                    "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.2.0/24"]}}],
                                "ports": [{"protocol": "TCP", "port": 443}]},
                               {"ports": [{"protocol": "UDP", "port": 53}]}]}
        policies.append({"metadata": {"name": f"policy-{i}", "namespace": namespace}, "spec": spec})
    return policies


def restore_in(netns: str, text: str) -> float:
    started = time.perf_counter()
    subprocess.run(["ip", "netns", "exec", netns, "iptables-restore", "-w", "--noflush"],
                   input=text, text=True, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=1000)
    parser.add_argument("--policies", type=int, default=200)
    args = parser.parse_args()
    pods, namespaces, policies = make_pods(args.pods), make_namespaces(), make_policies(args.policies)

    started = time.perf_counter()
    chains = desired_chains(policies, pods, namespaces, NODE)
    generation = time.perf_counter() - started
    started = time.perf_counter()
    full_text = restore_text(chains, None)
    text_time = time.perf_counter() - started
    rules = sum(len(r) for r in chains.values())
    print(f"{args.pods} pods, {args.policies} policies: {len(chains)} chains, {rules} rules "
          f"({len(chains[FORWARD_CHAIN]) if chains else 0} in {FORWARD_CHAIN})")
    print(f"  generation (pure):            {generation * 1000:8.1f} ms")
    print(f"  restore text (full):          {text_time * 1000:8.1f} ms, {len(full_text) // 1024} KiB")

    relabelled = [dict(p) for p in pods]
    relabelled[7] = dict(relabelled[7], metadata=dict(relabelled[7]["metadata"], labels={"app": "moved"}))
    started = time.perf_counter()
    changed = desired_chains(policies, relabelled, namespaces, NODE)
    incremental_text = restore_text(changed, chains)
    incremental_generation = time.perf_counter() - started
    declared = sum(line.startswith(":") for line in incremental_text.splitlines())
    print(f"  one pod relabelled (pure):    {incremental_generation * 1000:8.1f} ms, "
          f"{declared} chains rewritten")

    if os.geteuid() != 0 or not shutil.which("iptables-restore") or not shutil.which("ip"):
        print("  iptables-restore: skipped (needs root, iptables and ip)")
        return 0
    netns = f"kybbench-{uuid.uuid4().hex[:6]}"
    subprocess.run(["ip", "netns", "add", netns], check=True)
    try:
        print(f"  iptables-restore (full):      {restore_in(netns, full_text) * 1000:8.1f} ms")
        print(f"  iptables-restore (one pod):   {restore_in(netns, incremental_text) * 1000:8.1f} ms")
        # an unchanged state writes nothing: the controller skips iptables-restore
        assert restore_text(changed, changed) == ""
    finally:
        subprocess.run(["ip", "netns", "delete", netns], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
