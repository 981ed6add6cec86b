# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The pod network through CNI plugins, as the CNI 1.0 spec defines the calls.

Pure parts: the node's network configuration list (bridge + portmap, host-local IPAM
over the node's podCIDR), the per-plugin network config each call gets on stdin
(name, cniVersion, prevResult, runtimeConfig for the capabilities a plugin declares),
the CNI_* environment, and reading a result or an error. `CniNetwork` runs the plugin
binaries for ADD (in list order, each plugin's result fed to the next), DEL (reverse
order, idempotent, also after a half-done ADD) and CHECK. portmap is not run for a
pod without host ports: it would only hand its prevResult on (ADD) or do nothing (DEL).
"""
from __future__ import annotations

import ipaddress
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from kybernetes.kubelet.runtimes import spawn

CNI_VERSION = "1.0.0"
NETWORK_NAME = "kybernetes"
BRIDGE = "cni0"
FALLBACK_POD_CIDR = "10.244.0.0/24"


class CniError(Exception):
    """A plugin failed; `code` and `msg` come from the error JSON it printed."""

    def __init__(self, plugin: str, command: str, code: int, msg: str, details: str = "") -> None:
        # containerd's wording: plugin type="bridge" failed (add): <msg>; <details>
        text = f'plugin type="{plugin}" failed ({command.lower()}): {msg}'
        if details:
            text += f"; {details}"
        super().__init__(text)
        self.plugin = plugin
        self.code = code
        self.msg = msg
        self.details = details


# ------------------------------------------------------------------ configuration
def node_conflist(pod_cidr: str, data_dir: Path, mtu: int = 0, bridge_name: str = BRIDGE) -> dict:
    """The configuration list a node writes for its podCIDR (10-kybernetes.conflist)."""
    network = ipaddress.ip_network(pod_cidr, strict=False)
    gateway = str(next(network.hosts()))
    # no ipMasq: it would masquerade pod->pod traffic across nodes too; kube-proxy's
    # KUBE-POD-EGRESS masquerades only what leaves the cluster CIDR (flannel's rule)
    bridge: dict = {
        "type": "bridge", "bridge": bridge_name, "isGateway": True, "ipMasq": False,
        "hairpinMode": True,
        "ipam": {
            "type": "host-local",
            "ranges": [[{"subnet": str(network), "gateway": gateway}]],
            "routes": [{"dst": "0.0.0.0/0" if network.version == 4 else "::/0"}],
            "dataDir": str(data_dir),
        },
    }
    if mtu:
        bridge["mtu"] = mtu
    return {
        "cniVersion": CNI_VERSION,
        "name": NETWORK_NAME,
        "plugins": [bridge, {"type": "portmap", "capabilities": {"portMappings": True},
                             "snat": True}],
    }


def loopback_config() -> dict:
    return {"cniVersion": CNI_VERSION, "name": "cni-loopback", "type": "loopback"}


def plugin_config(conflist: dict, plugin: dict, prev_result: dict | None,
                  runtime_config: dict) -> dict:
    """The network config one plugin of the list reads on stdin."""
    config = dict(plugin)
    config["name"] = conflist["name"]
    config["cniVersion"] = conflist.get("cniVersion", CNI_VERSION)
    if prev_result is not None:
        config["prevResult"] = prev_result
    wanted = {key: runtime_config[key] for key, on in plugin.get("capabilities", {}).items()
              if on and key in runtime_config}
    if wanted:
        config["runtimeConfig"] = wanted
    config.pop("capabilities", None)
    return config


# plugins that act only on what a capability passes them, so need no call without it
CAPABILITY_ONLY_PLUGINS = {"portmap"}


def plugin_needed(plugin: dict, runtime_config: dict) -> bool:
    """False for a capability-only plugin (portmap) given nothing for its capabilities:
    upstream's portmap returns its prevResult unchanged then, and its DEL does nothing."""
    if plugin.get("type") not in CAPABILITY_ONLY_PLUGINS:
        return True
    return any(on and runtime_config.get(key)
               for key, on in (plugin.get("capabilities") or {}).items())


def port_mappings_runtime_config(port_mappings) -> list[dict]:
    """SandboxConfig.port_mappings as portmap's runtimeConfig.portMappings."""
    out = []
    for pm in port_mappings:
        if not pm.host_port:
            continue
        entry = {"hostPort": pm.host_port, "containerPort": pm.container_port,
                 "protocol": (pm.protocol or "TCP").lower()}
        if pm.host_ip:
            entry["hostIP"] = pm.host_ip
        out.append(entry)
    return out


def plugin_env(command: str, container_id: str, netns: str, ifname: str,
               cni_path: str, base: dict | None = None) -> dict:
    env = dict(os.environ if base is None else base)
    env.update({"CNI_COMMAND": command, "CNI_CONTAINERID": container_id,
                "CNI_NETNS": netns, "CNI_IFNAME": ifname, "CNI_PATH": cni_path})
    return env


# ------------------------------------------------------------------ results
def parse_output(plugin: str, command: str, returncode: int, stdout: bytes,
                 stderr: bytes) -> dict:
    """A plugin's result (empty for DEL/CHECK), or CniError from its error JSON."""
    text = stdout.strip()
    if returncode != 0:
        try:
            error = json.loads(text)
            raise CniError(plugin, command, int(error.get("code", 0)),
                           error.get("msg", "") or stderr.decode(errors="replace").strip(),
                           error.get("details", ""))
        except (ValueError, AttributeError):
            message = (text or stderr.strip()).decode(errors="replace")
            raise CniError(plugin, command, returncode,
                           message or f"exit status {returncode}") from None
    if not text:
        return {}
    try:
        result = json.loads(text)
    except ValueError:
        raise CniError(plugin, command, 999, f"invalid result {text[:200]!r}") from None
    if isinstance(result, dict) and "code" in result and "msg" in result:
        raise CniError(plugin, command, int(result["code"]), result["msg"],
                       result.get("details", ""))
    return result


def result_ips(result: dict, ifname: str = "eth0") -> list[str]:
    """The pod's addresses (without prefix length) from a CNI result: those of the
    container's interface (`ifname` in the sandbox; an address naming no interface
    counts as its), else all; IPv4 first, as containerd picks the primary pod IP."""
    if "ips" not in result:  # a CNI 0.1/0.2 result: {"ip4": {"ip": ...}, "ip6": {...}}
        return [result[key]["ip"].split("/")[0] for key in ("ip4", "ip6")
                if isinstance(result.get(key), dict) and result[key].get("ip")]
    interfaces = result.get("interfaces") or []
    own, other = [], []
    for ip in result.get("ips", []):
        address = ip.get("address", "").split("/")[0]
        if not address:
            continue
        index = ip.get("interface")
        on_container = isinstance(index, int) and 0 <= index < len(interfaces) and \
            interfaces[index].get("name") == ifname and interfaces[index].get("sandbox")
        (own if on_container or index is None else other).append(address)
    return sorted(own or other, key=lambda address: ":" in address)


# ------------------------------------------------------------------ running plugins
@dataclass
class CniNetwork:
    conflist: dict
    plugin_dirs: list[str] = field(default_factory=lambda: ["/usr/lib/cni", "/opt/cni/bin"])
    ifname: str = "eth0"

    @property
    def cni_path(self) -> str:
        return ":".join(self.plugin_dirs)

    def find_plugin(self, kind: str) -> str:
        for directory in self.plugin_dirs:
            candidate = os.path.join(directory, kind)
            if os.access(candidate, os.X_OK):
                return candidate
        raise CniError(kind, "find", 0, f"failed to find plugin {kind!r} in path "
                       f"{self.plugin_dirs}")

    async def invoke(self, command: str, config: dict, container_id: str, netns: str,
                     ifname: str) -> dict:
        kind = config["type"]
        binary = self.find_plugin(kind)
        code, stdout, stderr = await spawn.run(
            [binary], input=json.dumps(config).encode(),
            env=plugin_env(command, container_id, netns, ifname, self.cni_path))
        return parse_output(kind, command, code, stdout, stderr)

    async def add(self, container_id: str, netns: str, runtime_config: dict, *,
                  loopback: bool = True) -> dict:
        """Loopback up (unless the caller has brought lo up itself), then the list's
        plugins in order; the final result."""
        if loopback:
            await self.invoke("ADD", loopback_config(), container_id, netns, "lo")
        result = None
        for plugin in self.conflist["plugins"]:
            if not plugin_needed(plugin, runtime_config):
                continue
            config = plugin_config(self.conflist, plugin, result, runtime_config)
            result = await self.invoke("ADD", config, container_id, netns, self.ifname)
        return result or {}

    async def delete(self, container_id: str, netns: str, runtime_config: dict,
                     prev_result: dict | None) -> None:
        """Every plugin in reverse order; an error is raised only after all ran."""
        first_error: CniError | None = None
        for plugin in reversed(self.conflist["plugins"]):
            if not plugin_needed(plugin, runtime_config):
                continue
            config = plugin_config(self.conflist, plugin, prev_result, runtime_config)
            try:
                await self.invoke("DEL", config, container_id, netns, self.ifname)
            except CniError as error:
                first_error = first_error or error
        if first_error is not None:
            raise first_error

    async def check(self, container_id: str, netns: str, runtime_config: dict,
                    prev_result: dict) -> None:
        for plugin in self.conflist["plugins"]:
            if not plugin_needed(plugin, runtime_config):
                continue
            config = plugin_config(self.conflist, plugin, prev_result, runtime_config)
            await self.invoke("CHECK", config, container_id, netns, self.ifname)


def load_network(conf_dir: Path) -> dict | None:
    """The node's network as libcni picks it: the first .conflist/.conf/.json file in
    `conf_dir` by name; a single-plugin .conf is wrapped into a list (cniconfig.py)."""
    from kybernetes.kubelet.cniconfig import find_network
    found = find_network(conf_dir)
    return None if found is None else found.conflist
