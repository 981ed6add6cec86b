# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Real OCI containers with runc: the `runc` ContainerRuntime.

A sandbox is a network namespace (/var/run/netns/kyb-<id>) set up by the CNI plugins,
a tmpfs for the pod's /dev/shm, and a tiny holder container (upstream's pause
container: busybox sh sleeping, from a rootfs this runtime makes from the host's
busybox-static) that owns the pod's IPC, UTS (hostname) and, for
shareProcessNamespace, PID namespaces; every container joins them by
/proc/<holder pid>/ns/... in its OCI spec.

A container is a bundle under root/containers/<id>/ with an overlay rootfs over its
image's layers, started detached with `runc create` + `runc start`. The kubelet is a
child subreaper so the container's init is handed to it and its exit status kept in
the bundle (`exit.json`); output goes through FIFOs into the CRI log (see stdio.py).
"""
from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import subprocess
import time
from pathlib import Path

from kybernetes.kubelet import cni
from kybernetes.kubelet.cri import (ContainerConfig, ContainerError, SandboxConfig,
                                    SandboxError, SandboxStatus)
from kybernetes.kubelet.runtimes import linux, oci, reaper
from kybernetes.kubelet.runtimes.base import RecordedRuntime
from kybernetes.kubelet.runtimes.runcexec import RuncExec
from kybernetes.kubelet.runtimes.state import (sandbox_config_from_json,
                                               sandbox_config_to_json, write_json)
from kybernetes.kubelet.runtimes.stdio import ConsoleSocket

RUNC = "/usr/sbin/runc"
BUSYBOX = "/usr/bin/busybox"
SHM_SIZE = "64m"


HOST_IPAM_DIR = Path("/var/lib/cni/networks")


class RuncRuntime(RuncExec, RecordedRuntime):
    name = "runc"

    def __init__(self, root: Path, *, pod_cidr: str = cni.FALLBACK_POD_CIDR,
                 cni_conf_dir: Path | None = None, cni_data_dir: Path | None = None,
                 cni_plugin_dirs: list[str] | None = None, runc: str = RUNC,
                 busybox: str = BUSYBOX, bridge: str = cni.BRIDGE) -> None:
        super().__init__(root)
        self.bridge = bridge
        self.runc = runc
        self.busybox = busybox
        self.cni_conf_dir = cni_conf_dir or self.root.parent / "cni" / "net.d"
        # host-local's leases are per host, as the bridge they address is (upstream's
        # default /var/lib/cni/networks): two kubelets sharing cni0 never hand out one IP twice
        self.cni_data_dir = cni_data_dir or HOST_IPAM_DIR
        self.cni_plugin_dirs = cni_plugin_dirs or ["/usr/lib/cni", "/opt/cni/bin"]
        self.version = runc_version(runc)
        self.pod_cidr = pod_cidr
        self.runc_root = self.root / "runc"
        self.min_oom_score_adj = -1000
        self.swap_accounting = True
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
        """Write the node's CNI configuration for `pod_cidr` (the node's podCIDR)."""
        self.pod_cidr = pod_cidr
        conflist = cni.node_conflist(pod_cidr, self.cni_data_dir, bridge_name=self.bridge)
        path = self.cni_conf_dir / "10-kybernetes.conflist"
        text = json.dumps(conflist, indent=2) + "\n"
        if path.exists() and path.read_text() == text:
            return
        self.cni_conf_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text)
        os.replace(tmp, path)

    def network(self) -> cni.CniNetwork:
        conflist = cni.load_network(self.cni_conf_dir)
        if conflist is None:
            raise SandboxError(f"no CNI network configuration in {self.cni_conf_dir}")
        return cni.CniNetwork(conflist, plugin_dirs=self.cni_plugin_dirs)

    async def _load(self) -> None:
        reaper.become_subreaper()
        self.min_oom_score_adj = linux.min_oom_score_adj()
        self.swap_accounting = linux.swap_accounting()
        self.runc_root.mkdir(parents=True, exist_ok=True)
        self._holder_rootfs()
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

    def _sandbox_alive(self, record: dict) -> bool:
        return reaper.alive(record["holder_pid"], record.get("holder_start", ""))

    def _holder_rootfs(self) -> Path:
        rootfs = self.root / "holder" / "rootfs"
        if not (rootfs / "bin" / "busybox").exists():
            for sub in ("bin", "proc", "dev", "sys", "etc", "tmp"):
                (rootfs / sub).mkdir(parents=True, exist_ok=True)
            tmp = rootfs / "bin" / "busybox.tmp"
            shutil.copy2(self.busybox, tmp)
            os.replace(tmp, rootfs / "bin" / "busybox")
        return rootfs

    # ------------------------------------------------------------------ runc CLI
    async def _runc_cmd(self, *args: str, log: Path | None = None, stdin=None, stdout=None,
                        stderr=None) -> tuple[int, str]:
        argv = [self.runc, "--root", str(self.runc_root)]
        if log is not None:
            argv += ["--log", str(log), "--log-format", "json"]
        proc = await asyncio.create_subprocess_exec(
            *argv, *args, stdin=asyncio.subprocess.DEVNULL if stdin is None else stdin,
            stdout=asyncio.subprocess.PIPE if stdout is None else stdout,
            stderr=asyncio.subprocess.PIPE if stderr is None else stderr)
        out, err = await proc.communicate()
        text = ((out or b"") + (err or b"")).decode(errors="replace").strip()
        if proc.returncode != 0 and log is not None:
            text = _runc_log_error(log) or text
        return proc.returncode, text

    async def _runc_state(self, container_id: str) -> dict | None:
        code, out = await self._runc_cmd("state", container_id)
        if code != 0:
            return None
        try:
            return json.loads(out)
        except ValueError:
            return None

    # ------------------------------------------------------------------ sandboxes
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
            record = {"id": sandbox_id, "config": sandbox_config_to_json(config),
                      "created_at": time.time(), "state": "notready", "ips": [],
                      "netns": "", "netns_path": "", "cgroup_parent": parent,
                      "network_ready": False, "cni_result": None, "holder_pid": 0,
                      "shm": "" if config.host_ipc else str(directory / "shm")}
            self._save_sandbox(record)
            try:
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

    async def _setup_sandbox(self, record: dict, config: SandboxConfig) -> None:
        directory = self.sandboxes_dir / record["id"]
        if record["shm"]:
            shm = Path(record["shm"])
            shm.mkdir(exist_ok=True)
            linux.mount("shm", shm, "tmpfs", f"mode=1777,size={SHM_SIZE}",
                        flags=0x2 | 0x4 | 0x8)  # nosuid, nodev, noexec
        if not config.host_network:
            record["netns"] = "kyb-" + record["id"][:12]
            record["netns_path"] = await linux.netns_add(record["netns"])
            self._save_sandbox(record)
            linux.enable_ip_forward()
            network = self.network()
            record["network_ready"] = True  # from here on DEL must run, even if ADD fails
            self._save_sandbox(record)
            try:
                result = await network.add(record["id"], record["netns_path"],
                                           self._runtime_config(config))
            except cni.CniError as error:
                raise SandboxError(f'failed to setup network for sandbox "{record["id"]}": '
                                   f'{error}') from None
            record["cni_result"] = result
            record["ips"] = cni.result_ips(result)
            self._save_sandbox(record)
        # the holder of the pod's IPC/UTS/PID namespaces
        bundle = directory / "holder"
        bundle.mkdir(exist_ok=True)
        spec = oci.sandbox_spec(config, rootfs=str(self._holder_rootfs()),
                                netns_path=record["netns_path"] or None,
                                cgroups_path=f"/{record['cgroup_parent']}/{record['id']}",
                                shm_path=record["shm"] or None,
                                min_oom_score_adj=self.min_oom_score_adj)
        write_json(bundle / "config.json", spec)
        devnull = os.open(os.devnull, os.O_RDWR)
        try:
            code, out = await self._runc_cmd(
                "create", "--bundle", str(bundle), "--pid-file", str(bundle / "pid"),
                record["id"], log=bundle / "runc.log", stdin=devnull, stdout=devnull,
                stderr=devnull)
        finally:
            os.close(devnull)
        if code != 0:
            raise SandboxError(f"failed to create the pod sandbox: {out}")
        pid = int((bundle / "pid").read_text())
        reaper.watch(pid)  # reap it when it ends; its status does not matter
        record["holder_pid"] = pid
        record["holder_start"] = reaper.start_time(pid)
        self._save_sandbox(record)
        code, out = await self._runc_cmd("start", record["id"])
        if code != 0:
            raise SandboxError(f"failed to start the pod sandbox: {out}")

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
        """Holder gone, CNI DEL, netns deleted; each step idempotent."""
        await self._runc_cmd("kill", record["id"], "KILL")
        await self._runc_cmd("delete", "--force", record["id"])
        if record.get("network_ready"):
            config = sandbox_config_from_json(record["config"])
            try:
                await self.network().delete(record["id"], record["netns_path"],
                                            self._runtime_config(config),
                                            record.get("cni_result"))
            except cni.CniError as error:
                raise SandboxError(f'failed to destroy network for sandbox "{record["id"]}": '
                                   f'{error}') from None
            record["network_ready"] = False
            record["ips"] = []
            self._save_sandbox(record)
        if record.get("netns"):
            await linux.netns_delete(record["netns"])

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
            holder = f"/proc/{record['holder_pid']}/ns/"
            namespaces = oci.Namespaces(
                network=None if sandbox.host_network else record["netns_path"],
                ipc=None if sandbox.host_ipc else holder + "ipc",
                uts=None if sandbox.host_network else holder + "uts",
                pid=None if sandbox.host_pid else
                (holder + "pid" if sandbox.share_process_namespace else ""))
            spec = oci.container_spec(sandbox, config, rootfs=str(bundle / "rootfs"),
                                      namespaces=namespaces, cgroups_path=cgroups_path,
                                      hostname=sandbox.hostname,
                                      shm_path=record["shm"] or "/dev/shm",
                                      min_oom_score_adj=self.min_oom_score_adj,
                                      swap_accounting=self.swap_accounting)
            write_json(bundle / "config.json", spec)
            meta["env"] = [e for e in spec["process"]["env"] if e.startswith("PATH=")]
            await self._runc_create(meta, bundle)
        except (OSError, ContainerError) as error:
            await self.remove_container(container_id)
            if isinstance(error, ContainerError):
                raise
            raise ContainerError("CreateContainerError", str(error)) from None
        return container_id

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
