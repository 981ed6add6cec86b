# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The network policy controller of one node: informers on NetworkPolicies, Pods and
Namespaces feed a debounced sync (as kube-proxy's) that computes the node's chains and
writes only the ones that changed. It runs beside kube-proxy, with its identity
(system:kube-proxy, granted the reads it needs by the kybernetes:network-policy-controller
ClusterRole), in `kybernetes server`, `kybernetes netpol` or an agent.

Until some policy isolates a pod of this node it writes nothing at all; when the last
one goes, it removes its chains and jump again. Every `verify_period` it checks that
its chains are still there as written (another program may flush them) and rewrites
them all if not."""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import time

from kybernetes.client.informer import InformerFactory
from kybernetes.client.rest import Client, resource
from kybernetes.netpol import iptables
from kybernetes.netpol.model import pod_endpoint
from kybernetes.netpol.rules import Chains, desired_chains, drifted, own_chains_in_save

log = logging.getLogger("kybernetes.netpol")
POLICIES = resource("networkpolicies.networking.k8s.io")
PODS = resource("pods")
NAMESPACES = resource("namespaces")


class NetworkPolicyController:
    def __init__(self, client: Client, node_name: str, min_sync_period: float = 1.0,
                 verify_period: float = 10.0) -> None:
        self.client = client
        self.node_name = node_name
        self.min_sync_period = min_sync_period
        self.verify_period = verify_period
        self.informers = InformerFactory(client)
        self.policies = self.informers.informer(POLICIES)
        self.pods = self.informers.informer(PODS)
        self.namespaces = self.informers.informer(NAMESPACES)
        self.changed = asyncio.Event()
        self.applied: Chains | None = None  # what this process last wrote; None: unknown
        self.last_sync_seconds = 0.0
        self.policies.add_handler(lambda *_: self.changed.set())
        self.pods.add_handler(self._on_pod)
        self.namespaces.add_handler(self._on_namespace)

    def _on_pod(self, kind: str, old: dict | None, new: dict | None) -> None:
        # status churn (conditions, restarts) does not move addresses, labels or ports
        if (pod_endpoint(old) if old else None) != (pod_endpoint(new) if new else None):
            self.changed.set()

    def _on_namespace(self, kind: str, old: dict | None, new: dict | None) -> None:
        labels = [((obj or {}).get("metadata") or {}).get("labels") for obj in (old, new)]
        if kind != "MODIFIED" or labels[0] != labels[1]:
            self.changed.set()

    def desired(self) -> Chains:
        return desired_chains(self.policies.list(), self.pods.list(), self.namespaces.list(),
                              self.node_name)

    def sync(self, desired: Chains, verify: bool = False) -> None:
        """Write what changed since the last sync; with `verify`, or when this process
        does not know what the kernel holds, read it first."""
        started = time.monotonic()
        if self.applied == {} and not desired:
            return  # nothing written, nothing wanted
        existing: set[str] = set()
        if verify or self.applied is None:
            saved = iptables.save_filter()
            existing = set(own_chains_in_save(saved))
            if self.applied is not None and (drifted(self.applied, saved) or
                                             (self.applied and not iptables.jump_is_first())):
                log.warning("network policy chains were changed by another program: rewriting them")
                self.applied = None
        iptables.apply(desired, self.applied, existing)
        self.applied = desired
        self.last_sync_seconds = time.monotonic() - started
        log.debug("network policies synced: %d chains in %.3fs", len(desired), self.last_sync_seconds)

    async def run(self) -> None:
        await asyncio.to_thread(iptables.prepare_kernel)
        self.informers.start()
        try:
            await self.informers.wait_synced()
            log.info("network policy controller running for node %s", self.node_name)
            verify = False
            while True:
                self.changed.clear()
                try:
                    # the lists are taken here, on the loop the informers write from
                    policies, pods, namespaces = (self.policies.list(), self.pods.list(),
                                                  self.namespaces.list())
                    desired = await asyncio.to_thread(desired_chains, policies, pods, namespaces,
                                                      self.node_name)
                    await asyncio.to_thread(self.sync, desired, verify)
                except OSError as exc:
                    log.error("network policy sync failed: %s", exc)
                    self.applied = None
                await asyncio.sleep(self.min_sync_period)
                try:
                    await asyncio.wait_for(self.changed.wait(), self.verify_period)
                    verify = False
                except asyncio.TimeoutError:
                    verify = True
        finally:
            await self.informers.stop()


def network_policy_controller(client: Client, node_name: str) -> NetworkPolicyController | None:
    """The controller for a node that runs kube-proxy in iptables mode (an agent calls
    this beside its proxy and runs `.run()` as a task); None when this process cannot
    program iptables (not root, or the iptables tools are missing)."""
    if os.geteuid() != 0 or not iptables.iptables_available():
        return None
    return NetworkPolicyController(client, node_name)


async def netpol_main(args: argparse.Namespace) -> int:
    """`kybernetes netpol`: enforce NetworkPolicies on this node, or `--cleanup`."""
    from kybernetes.cli.components import until_signalled
    from kybernetes.cli.errors import UsageError
    from kybernetes.kubelet.kubelet import local_node_name
    if not iptables.iptables_available():
        raise UsageError("netpol needs iptables, iptables-save and iptables-restore")
    if args.cleanup:
        await asyncio.to_thread(iptables.cleanup)
        return 0
    if not args.kubeconfig:
        raise UsageError("--kubeconfig is required")
    client = Client.from_kubeconfig(args.kubeconfig, user_agent="kybernetes-netpol")
    controller = NetworkPolicyController(client, local_node_name(args.hostname_override))
    task = asyncio.create_task(controller.run(), name="network-policy")
    try:
        await until_signalled(task)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await client.close()
    return 0


def add_netpol_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kubeconfig", default="",
                        help="kubeconfig of an identity that may list and watch networkpolicies, "
                             "pods and namespaces (kube-proxy's)")
    parser.add_argument("--hostname-override", default="", help="the node name (default: hostname)")
    parser.add_argument("--cleanup", action="store_true",
                        help="remove every KUBE-NWPLCY chain and the jump to them, then exit")
    parser.add_argument("-v", "--v", dest="verbosity", type=int, default=0)
