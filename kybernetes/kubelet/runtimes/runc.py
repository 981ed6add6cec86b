# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Real OCI containers with runc: the `runc` ContainerRuntime.

Pod sandboxes (pinned namespaces, the pod network, /dev/shm) are in runcsandbox.py,
exec in runcexec.py. A container is a bundle under root/containers/<id>/ with an
overlay rootfs over its image's layers, started detached with `runc create` + `runc
start`. The kubelet is a child subreaper so the container's init is handed to it and
its exit status kept in the bundle (`exit.json`); output goes through FIFOs into the
CRI log (see stdio.py). runc and the CNI plugins are started through spawn.py.
"""
from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path

from kybernetes.kubelet import cni
from kybernetes.kubelet.cniconfig import ConfDirNetwork
from kybernetes.kubelet.cri import ContainerConfig, ContainerError, SandboxConfig, SandboxError
from kybernetes.kubelet.runtimes import linux, nspin, oci, reaper, spawn
from kybernetes.kubelet.runtimes.base import RecordedRuntime
from kybernetes.kubelet.runtimes.runcexec import RuncExec
from kybernetes.kubelet.runtimes.runcsandbox import RuncSandboxes
from kybernetes.kubelet.runtimes.state import sandbox_config_from_json, write_json
from kybernetes.kubelet.runtimes.stdio import ConsoleSocket

log = logging.getLogger("kybernetes.kubelet.runc")
RUNC = "/usr/sbin/runc"
BUSYBOX = "/usr/bin/busybox"
HOST_IPAM_DIR = Path("/var/lib/cni/networks")
BUILTIN_CNI_BIN_DIRS = ["/usr/lib/cni", "/opt/cni/bin"]
# where a third-party network plugin's DaemonSet puts its config and binaries (containerd's
# conf_dir and bin_dir defaults)
THIRD_PARTY_CNI_CONF_DIR = Path("/etc/cni/net.d")
THIRD_PARTY_CNI_BIN_DIRS = ["/opt/cni/bin"]


class RuncRuntime(RuncSandboxes, RuncExec, RecordedRuntime):
    name = "runc"

    def __init__(self, root: Path, *, pod_cidr: str = cni.FALLBACK_POD_CIDR,
                 cni_conf_dir: Path | None = None, cni_data_dir: Path | None = None,
                 cni_plugin_dirs: list[str] | None = None, runc: str = RUNC,
                 busybox: str = BUSYBOX, bridge: str = cni.BRIDGE,
                 builtin_network: bool = True) -> None:
        super().__init__(root)
        self.bridge = bridge
        self.runc = runc
        self.busybox = busybox
        # built-in: this runtime writes the bridge config for the node's podCIDR; else a
        # third-party plugin's installer writes one into cni_conf_dir, which is watched
        self.builtin_network = builtin_network
        self.cni_conf_dir = Path(cni_conf_dir) if cni_conf_dir else \
            self.root.parent / "cni" / "net.d" if builtin_network else THIRD_PARTY_CNI_CONF_DIR
        self.conf_dir_network = None if builtin_network else ConfDirNetwork(self.cni_conf_dir)
        # host-local's leases are per host, as the bridge they address is (upstream's
        # default /var/lib/cni/networks): two kubelets sharing cni0 never hand out one IP twice
        self.cni_data_dir = cni_data_dir or HOST_IPAM_DIR
        self.cni_plugin_dirs = list(cni_plugin_dirs or (
            BUILTIN_CNI_BIN_DIRS if builtin_network else THIRD_PARTY_CNI_BIN_DIRS))
        self.version = runc_version(runc)
        self.pod_cidr = pod_cidr
        self.runc_root = self.root / "runc"
        self.min_oom_score_adj = -1000
        self.swap_accounting = True
        self.host_capabilities = bounding_capabilities()
        # CPU-bound (plugin and runc forks): one per CPU gave the best p50 and p99 for 50
        # pods at once (measured against one and two per CPU)
        self.sandbox_slots = asyncio.Semaphore(max(1, os.cpu_count() or 1))
        self.configure(pod_cidr)

    # ------------------------------------------------------------------ setup
    @staticmethod
    def available(runc: str = RUNC, busybox: str = BUSYBOX) -> str | None:
        """None when this machine can run it; otherwise why not."""
        if os.geteuid() != 0:
            return "the runc runtime needs root"
        if not os.access(runc, os.X_OK):
            return f"runc not found at {runc}"
        if not linux.cgroups_available():
            return "no cgroup filesystem mounted under /sys/fs/cgroup"
        if not os.access(busybox, os.X_OK):
            return f"busybox-static not found at {busybox} (the pod sandbox needs it)"
        return None

    def configure(self, pod_cidr: str) -> None:
        """Write the node's CNI configuration for `pod_cidr` (the node's podCIDR); a
        third-party plugin's configuration is its own."""
        self.pod_cidr = pod_cidr
        if not self.builtin_network:
            return
        conflist = cni.node_conflist(pod_cidr, self.cni_data_dir, bridge_name=self.bridge)
        path = self.cni_conf_dir / "10-kybernetes.conflist"
        text = json.dumps(conflist, indent=2) + "\n"
        if path.exists() and path.read_text() == text:
            return
        self.cni_conf_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text)
        os.replace(tmp, path)

    def network(self, conflist: dict | None = None) -> cni.CniNetwork:
        """The network `conflist` names (a sandbox's own, for its teardown), else the
        node's current one."""
        if conflist is None:
            if self.conf_dir_network is not None:
                loaded = self.conf_dir_network.current()
                conflist = loaded.conflist if loaded is not None else None
            else:
                conflist = cni.load_network(self.cni_conf_dir)
        if conflist is None:
            raise SandboxError(f"cni plugin not initialized: no network configuration in "
                               f"{self.cni_conf_dir}")
        return cni.CniNetwork(conflist, plugin_dirs=self.cni_plugin_dirs)

    def network_not_ready(self) -> str:
        """Why pods cannot get a network yet ("" when they can): a third-party plugin
        has not written its configuration."""
        return self.conf_dir_network.not_ready() if self.conf_dir_network is not None else ""

    async def _load(self) -> None:
        reaper.become_subreaper()
        self.min_oom_score_adj = linux.min_oom_score_adj()
        self.swap_accounting = linux.swap_accounting()
        self.runc_root.mkdir(parents=True, exist_ok=True)
        try:
            nspin.prepare_netns_dir()
        except OSError as error:  # pins work without it; only their propagation differs
            log.warning("making %s a shared mount: %s", linux.NETNS_DIR, error)
        await self._load_containers()

    async def _recover(self, meta: dict) -> None:
        """A container a previous kubelet started: read its output again and watch for
        its end (whose status is lost with the old parent)."""
        state = await self._runc_state(meta["id"])
        status = (state or {}).get("status")
        if status in ("running", "created", "paused"):
            live = self._new_live(meta)
            live.io.reopen()
            live.pid = int(state.get("pid") or 0)
            live.task = asyncio.create_task(self._watch(meta, reaper.wait_exit_code(live.pid)))
        else:  # ended while nobody watched; still our unreaped child if we were its parent
            self._write_exit(meta, reaper.reap_if_child(meta.get("pid", 0)))

    def _oom_kills(self, meta: dict) -> int:
        return linux.oom_kills(meta["cgroups_path"])

    # ------------------------------------------------------------------ runc CLI
    async def _runc_cmd(self, *args: str, log: Path | None = None, stdin=None, stdout=None,
                        stderr=None) -> tuple[int, str]:
        argv = [self.runc, "--root", str(self.runc_root)]
        if log is not None:
            argv += ["--log", str(log), "--log-format", "json"]
        code, out, err = await spawn.run([*argv, *args], stdin=stdin, stdout=stdout,
                                         stderr=stderr)
        text = (out + err).decode(errors="replace").strip()
        if code != 0 and log is not None:
            text = _runc_log_error(log) or text
        return code, text

    async def _runc_state(self, container_id: str) -> dict | None:
        code, out = await self._runc_cmd("state", container_id)
        if code != 0:
            return None
        try:
            return json.loads(out)
        except ValueError:
            return None

    # ------------------------------------------------------------------ containers
    async def create_container(self, sandbox_id: str, config: ContainerConfig) -> str:
        await self._ensure_loaded()
        record = self._sandbox_record(sandbox_id)
        if record is None or record["state"] != "ready":
            raise ContainerError("CreateContainerError",
                                 f"sandbox {sandbox_id} is not ready")
        if not config.rootfs_layers:
            raise ContainerError("CreateContainerError", "the image has no layers")
        sandbox = sandbox_config_from_json(record["config"])
        if sandbox.host_network:
            sandbox = self._node_hostname_file(record, sandbox)
        container_id = secrets.token_hex(32)
        bundle = self.containers_dir / container_id
        for sub in ("rootfs", "upper", "work"):
            (bundle / sub).mkdir(parents=True)
        cgroups_path = f"/{record['cgroup_parent']}/{container_id}"
        meta = {"id": container_id, "name": config.name, "sandbox_id": sandbox_id,
                "attempt": config.attempt, "image_id": config.image_id,
                "image_ref": config.image_ref, "created_at": time.time(),
                "log_path": str(config.log_path) if config.log_path else "",
                "tty": config.tty, "stdin": config.stdin, "stdin_once": config.stdin_once,
                "cgroups_path": cgroups_path, "labels": config.labels, "started_at": None}
        self._save_meta(meta)
        self.metas[container_id] = meta
        try:
            linux.mount_overlay(config.rootfs_layers, bundle / "upper", bundle / "work",
                                bundle / "rootfs")
            namespaces = self._container_namespaces(record, sandbox)
            spec = oci.container_spec(sandbox, config, rootfs=str(bundle / "rootfs"),
                                      namespaces=namespaces, cgroups_path=cgroups_path,
                                      # a hostNetwork pod has the node's hostname
                                      hostname=socket.gethostname() if sandbox.host_network
                                      else sandbox.hostname,
                                      shm_path=record["shm"] or "/dev/shm",
                                      min_oom_score_adj=self.min_oom_score_adj,
                                      swap_accounting=self.swap_accounting,
                                      host_capabilities=self.host_capabilities)
            write_json(bundle / "config.json", spec)
            meta["env"] = [e for e in spec["process"]["env"] if e.startswith("PATH=")]
            await self._runc_create(meta, bundle)
        except (OSError, ContainerError) as error:
            await self.remove_container(container_id)
            if isinstance(error, ContainerError):
                raise
            raise ContainerError("CreateContainerError", str(error)) from None
        return container_id

    def _node_hostname_file(self, record: dict, sandbox: SandboxConfig) -> SandboxConfig:
        """A hostNetwork pod shares the node's UTS namespace, so its /etc/hostname is the
        node's hostname too, as containerd writes it."""
        path = self.sandboxes_dir / record["id"] / "hostname"
        path.write_text(socket.gethostname() + "\n")
        return dataclasses.replace(sandbox, hostname_file=path)

    @staticmethod
    def _container_namespaces(record: dict, sandbox: SandboxConfig) -> oci.Namespaces:
        holder = f"/proc/{record['holder_pid']}/ns/"
        # an older kubelet's sandbox has no pins: its holder has every namespace
        pins = record.get("pins") or {"ipc": holder + "ipc", "uts": holder + "uts"}
        return oci.Namespaces(
            network=None if sandbox.host_network else record["netns_path"],
            ipc=None if sandbox.host_ipc else pins["ipc"],
            uts=None if sandbox.host_network else pins["uts"],
            pid=None if sandbox.host_pid else
            (holder + "pid" if sandbox.share_process_namespace else ""))

    async def _runc_create(self, meta: dict, bundle: Path) -> None:
        live = self._new_live(meta)
        args = ["create", "--bundle", str(bundle), "--pid-file", str(bundle / "pid")]
        if meta["tty"]:
            console = ConsoleSocket()
            args += ["--console-socket", str(console.path)]
            devnull = os.open(os.devnull, os.O_RDWR)
            try:
                code, out = await self._runc_cmd(*args, meta["id"], log=bundle / "runc.log",
                                                 stdin=devnull, stdout=devnull,
                                                 stderr=devnull)
                if code == 0:
                    live.io.start_tty(console.receive())
            finally:
                os.close(devnull)
                console.close()
        else:
            stdin, stdout, stderr = live.io.open_for_container()
            code, out = await self._runc_cmd(*args, meta["id"], log=bundle / "runc.log",
                                             stdin=stdin, stdout=stdout, stderr=stderr)
            live.io.close_container_ends()
        if code != 0:
            live.io.close()
            del self.live[meta["id"]]
            raise ContainerError("CreateContainerError", out)
        live.pid = int((bundle / "pid").read_text())
        meta["pid"] = live.pid
        self._save_meta(meta)
        live.task = asyncio.create_task(self._watch(meta, reaper.wait_exit_code(live.pid)))

    async def start_container(self, container_id: str) -> None:
        await self._ensure_loaded()
        meta = self.metas.get(container_id)
        if meta is None:
            raise ContainerError("RunContainerError", f"container {container_id} not found")
        meta["started_at"] = time.time()  # before: it may end before `runc start` returns
        self._save_meta(meta)
        code, out = await self._runc_cmd("start", container_id)
        if code != 0:
            meta["started_at"] = None
            self._save_meta(meta)
            raise ContainerError("RunContainerError", out)

    async def stop_container(self, container_id: str, timeout: float) -> None:
        await self._ensure_loaded()
        live = self.live.get(container_id)
        if live is None or live.exited.is_set():
            return
        if timeout > 0:
            await self._runc_cmd("kill", container_id, "TERM")
            try:
                await asyncio.wait_for(live.exited.wait(), timeout)
                return
            except asyncio.TimeoutError:
                pass
        await self._runc_cmd("kill", "--all", container_id, "KILL")
        await live.exited.wait()

    async def remove_container(self, container_id: str) -> None:
        await self._ensure_loaded()
        meta = self.metas.get(container_id)
        if meta is not None and container_id in self.live:
            await self.stop_container(container_id, 0)
        await self._runc_cmd("delete", "--force", container_id)
        live = self.live.pop(container_id, None)
        if live is not None:
            if live.task is not None and not live.task.done():
                live.task.cancel()
            live.io.close()
        bundle = self.containers_dir / container_id
        linux.unmount(bundle / "rootfs")
        if meta is not None:
            linux.remove_cgroup(meta["cgroups_path"])
        shutil.rmtree(bundle, ignore_errors=True)
        self.metas.pop(container_id, None)

    async def port_forward(self, sandbox_id: str, port: int):
        await self._ensure_loaded()
        record = self._sandbox_record(sandbox_id)
        if record is None or record["state"] != "ready":
            raise SandboxError(f"pod sandbox {sandbox_id} is not ready")
        return await linux.connect_in_netns(record.get("netns_path", ""), port)


def runc_version(runc: str = RUNC) -> str:
    """`1.1.5` from `runc --version` (containerRuntimeVersion is runc://1.1.5)."""
    try:
        out = subprocess.run([runc, "--version"], capture_output=True, text=True,
                             timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    words = out.split()
    return words[2].split("+")[0] if len(words) > 2 and words[:2] == ["runc", "version"] \
        else "unknown"


def bounding_capabilities() -> list[str] | None:
    """The capabilities this process may hand on (its CapBnd); None when unknown."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("CapBnd:"):
                    return oci.capabilities_from_mask(int(line.split()[1], 16))
    except (OSError, ValueError):
        pass
    return None


def _runc_log_error(log: Path) -> str:
    """The last error runc logged (JSON lines), without its timestamp noise."""
    message = ""
    try:
        for line in log.read_text().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("level") in ("error", "fatal"):
                message = entry.get("msg", message)
    except OSError:
        pass
    return message
