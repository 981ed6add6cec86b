# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Pod sandboxes of the runc runtime (part of RuncRuntime).

A sandbox is the pod's network namespace (/var/run/netns/kyb-<id>, set up by the CNI
plugins), IPC and UTS (hostname) namespaces, all pinned by bind mounts without a
process (nspin.py, as CRI-O does), and a tmpfs for the pod's /dev/shm; every container
joins them by path in its OCI spec. Only a pod with shareProcessNamespace also gets a
holder container (upstream's pause container: busybox sh sleeping, from a rootfs this
runtime makes from the host's busybox-static), the init of its shared PID namespace.
Sandbox creations run a few at a time (one per CPU), so that with many pods at once
the first ones are ready early instead of all of them late.
"""
from __future__ import annotations

import os
import secrets
import shutil
import time
from pathlib import Path

from kybernetes.kubelet import cni
from kybernetes.kubelet.cri import SandboxConfig, SandboxError, SandboxStatus
from kybernetes.kubelet.runtimes import linux, nspin, oci, reaper
from kybernetes.kubelet.runtimes.state import (sandbox_config_from_json,
                                               sandbox_config_to_json, write_json)

SHM_SIZE = "64m"


class RuncSandboxes:
    """Mixed into RuncRuntime: uses its root, sandboxes_dir, busybox, sandbox_slots,
    min_oom_score_adj, metas, network(), _runc_cmd, _lock, _save_sandbox and the
    container calls."""

    def _sandbox_alive(self, record: dict) -> bool:
        """Its pinned namespaces still mounted (a reboot drops them) and its holder, if
        it has one, still running."""
        if record.get("holder_pid") and \
                not reaper.alive(record["holder_pid"], record.get("holder_start", "")):
            return False
        if "pins" not in record:  # made by an older kubelet: the holder was everything
            return bool(record.get("holder_pid"))
        return all(nspin.is_pinned(Path(path)) for path in record["pins"].values())

    def _holder_rootfs(self) -> Path:
        rootfs = self.root / "holder" / "rootfs"
        if not (rootfs / "bin" / "busybox").exists():
            for sub in ("bin", "proc", "dev", "sys", "etc", "tmp"):
                (rootfs / sub).mkdir(parents=True, exist_ok=True)
            tmp = rootfs / "bin" / "busybox.tmp"
            shutil.copy2(self.busybox, tmp)
            os.replace(tmp, rootfs / "bin" / "busybox")
        return rootfs

    async def run_sandbox(self, config: SandboxConfig) -> SandboxStatus:
        await self._ensure_loaded()
        async with self._lock("pod:" + config.uid):
            existing = self._ready_sandbox(config.uid)
            if existing is not None:
                return self._sandbox_status(existing)
            sandbox_id = secrets.token_hex(32)
            directory = self.sandboxes_dir / sandbox_id
            directory.mkdir(parents=True)
            parent = (config.cgroup_parent or f"kubepods/pod{config.uid}").strip("/")
            pins = self._pin_paths(config, directory)
            record = {"id": sandbox_id, "config": sandbox_config_to_json(config),
                      "created_at": time.time(), "state": "notready", "ips": [],
                      "netns": Path(pins["net"]).name if "net" in pins else "",
                      "netns_path": pins.get("net", ""), "pins": pins,
                      "cgroup_parent": parent, "network_ready": False, "cni_result": None,
                      "holder": self._needs_holder(config), "holder_pid": 0,
                      "shm": "" if config.host_ipc else str(directory / "shm")}
            self._save_sandbox(record)  # before anything exists, so teardown finds it all
            try:
                async with self.sandbox_slots:
                    await self._setup_sandbox(record, config)
            except (SandboxError, OSError) as error:
                try:
                    await self._teardown_sandbox(record)
                except (SandboxError, OSError):
                    pass  # what could not be undone now stays in the record's files
                await self._remove_sandbox_files(record)
                if isinstance(error, SandboxError):
                    raise
                raise SandboxError(f"failed to create pod sandbox: {error}") from None
            record["state"] = "ready"
            self._save_sandbox(record)
            return self._sandbox_status(record)

    @staticmethod
    def _pin_paths(config: SandboxConfig, directory: Path) -> dict[str, str]:
        """Where the pod's own namespaces are pinned; a host namespace is not."""
        pins = {}
        if not config.host_network:  # the UTS namespace goes with the network, as upstream
            pins["net"] = str(linux.NETNS_DIR / ("kyb-" + directory.name[:12]))
            pins["uts"] = str(directory / "ns" / "uts")
        if not config.host_ipc:
            pins["ipc"] = str(directory / "ns" / "ipc")
        return pins

    @staticmethod
    def _needs_holder(config: SandboxConfig) -> bool:
        """A shared PID namespace needs an init to live and reap orphans."""
        return config.share_process_namespace and not config.host_pid

    async def _setup_sandbox(self, record: dict, config: SandboxConfig) -> None:
        directory = self.sandboxes_dir / record["id"]
        if record["shm"]:
            shm = Path(record["shm"])
            shm.mkdir(exist_ok=True)
            linux.mount("shm", shm, "tmpfs", f"mode=1777,size={SHM_SIZE}",
                        flags=0x2 | 0x4 | 0x8)  # nosuid, nodev, noexec
        if record["pins"]:
            (directory / "ns").mkdir(exist_ok=True)
            await nspin.pin({kind: Path(path) for kind, path in record["pins"].items()},
                            hostname=config.hostname)
        if not config.host_network:
            linux.enable_ip_forward()
            network = self.network()
            record["network_ready"] = True  # from here on DEL must run, even if ADD fails
            # DEL gets the config ADD had, whatever the configuration directory holds then
            record["cni_conflist"] = network.conflist
            self._save_sandbox(record)
            try:  # lo is up already (nspin): no loopback plugin call
                result = await network.add(record["id"], record["netns_path"],
                                           self._runtime_config(config), loopback=False)
            except cni.CniError as error:
                raise SandboxError(f'failed to setup network for sandbox "{record["id"]}": '
                                   f'{error}') from None
            record["cni_result"] = result
            record["ips"] = cni.result_ips(result)
            self._save_sandbox(record)
        if record["holder"]:
            await self._start_holder(record, config)

    async def _start_holder(self, record: dict, config: SandboxConfig) -> None:
        """The init of the pod's shared PID namespace, in its other namespaces."""
        bundle = self.sandboxes_dir / record["id"] / "holder"
        bundle.mkdir(exist_ok=True)
        pins = record["pins"]
        spec = oci.sandbox_spec(config, rootfs=str(self._holder_rootfs()),
                                netns_path=record["netns_path"] or None,
                                ipc_path=pins.get("ipc"), uts_path=pins.get("uts"),
                                cgroups_path=f"/{record['cgroup_parent']}/{record['id']}",
                                shm_path=record["shm"] or None,
                                min_oom_score_adj=self.min_oom_score_adj)
        write_json(bundle / "config.json", spec)
        devnull = os.open(os.devnull, os.O_RDWR)
        try:
            code, out = await self._runc_cmd(
                "run", "--detach", "--bundle", str(bundle), "--pid-file", str(bundle / "pid"),
                record["id"], log=bundle / "runc.log", stdin=devnull, stdout=devnull,
                stderr=devnull)
        finally:
            os.close(devnull)
        if code != 0:
            raise SandboxError(f"failed to start the pod sandbox: {out}")
        pid = int((bundle / "pid").read_text())
        reaper.watch(pid)  # reap it when it ends; its status does not matter
        record["holder_pid"] = pid
        record["holder_start"] = reaper.start_time(pid)
        self._save_sandbox(record)

    def _runtime_config(self, config: SandboxConfig) -> dict:
        return {"portMappings": cni.port_mappings_runtime_config(config.port_mappings)}

    async def stop_sandbox(self, sandbox_id: str) -> None:
        await self._ensure_loaded()
        record = self._sandbox_record(sandbox_id)
        if record is None:
            return
        async with self._lock("pod:" + record["config"]["uid"]):
            for meta in list(self.metas.values()):
                if meta["sandbox_id"] == sandbox_id:
                    await self.stop_container(meta["id"], 0)
            record["state"] = "notready"
            self._save_sandbox(record)
            await self._teardown_sandbox(record)

    async def _teardown_sandbox(self, record: dict) -> None:
        """Holder gone, CNI DEL, namespaces unpinned; each step idempotent."""
        if record.get("holder", True):  # an older kubelet's records always had one
            await self._runc_cmd("kill", record["id"], "KILL")
            await self._runc_cmd("delete", "--force", record["id"])
        if record.get("network_ready"):
            config = sandbox_config_from_json(record["config"])
            try:
                await self.network(record.get("cni_conflist")).delete(
                    record["id"], record["netns_path"], self._runtime_config(config),
                    record.get("cni_result"))
            except cni.CniError as error:
                raise SandboxError(f'failed to destroy network for sandbox "{record["id"]}": '
                                   f'{error}') from None
            record["network_ready"] = False
            record["ips"] = []
            self._save_sandbox(record)
        pins = dict(record.get("pins") or {})
        if record.get("netns"):  # also an older kubelet's `ip netns add`
            pins.setdefault("net", str(linux.NETNS_DIR / record["netns"]))
        for path in pins.values():
            nspin.unpin(Path(path))

    async def remove_sandbox(self, sandbox_id: str) -> None:
        await self._ensure_loaded()
        record = self._sandbox_record(sandbox_id)
        if record is None:
            return
        await self.stop_sandbox(sandbox_id)
        for meta in list(self.metas.values()):
            if meta["sandbox_id"] == sandbox_id:
                await self.remove_container(meta["id"])
        await self._remove_sandbox_files(record)

    async def _remove_sandbox_files(self, record: dict) -> None:
        if record.get("shm"):
            linux.unmount(Path(record["shm"]))
        linux.remove_cgroup(record["cgroup_parent"])
        shutil.rmtree(self.sandboxes_dir / record["id"], ignore_errors=True)

