# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Finding the node's CNI network in a configuration directory, as containerd does with
a third-party network plugin (Weave, Calico, Flannel installed as a DaemonSet).

libcni's rules: the files ending in .conf, .conflist or .json, by name; the first one
that parses is the network. A .conflist is a network configuration list; a .conf or
.json holds one plugin's config, wrapped into a one-plugin list (libcni's
ConfListFromConf). Until a file is found the runtime's network is not ready, and the
directory is read again now and then (containerd watches it), so a config the plugin's
installer writes later is picked up. `find_network` is pure but for reading the
directory; `ConfDirNetwork` adds the periodic re-read.
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from kybernetes.kubelet.node import NETWORK_NOT_READY

log = logging.getLogger("kybernetes.kubelet.cni")

CONFIG_EXTENSIONS = (".conf", ".conflist", ".json")
DEFAULT_CNI_VERSION = "0.2.0"  # libcni's version for a config that names none
# how often the directory is read again while someone asks (containerd reacts to inotify)
RELOAD_INTERVAL = 1.0


class CniConfigError(ValueError):
    """A configuration file that cannot be the network (bad JSON, no plugins, no type)."""


@dataclass
class LoadedNetwork:
    """The network the runtime uses: the configuration list and the file it came from."""
    conflist: dict
    path: Path
    skipped: list[str] = field(default_factory=list)  # why earlier files were passed over


def config_files(conf_dir: Path) -> list[Path]:
    """The candidate files of `conf_dir` in the order libcni tries them (by name)."""
    try:
        entries = list(conf_dir.iterdir())
    except OSError:
        return []
    return sorted((p for p in entries if p.suffix in CONFIG_EXTENSIONS and p.is_file()),
                  key=lambda p: p.name)


def conflist_from_conf(conf: dict) -> dict:
    """A single plugin's network config as a one-plugin list (libcni's
    ConfListFromConf): the list takes the plugin's name and cniVersion (each call
    gets them back from the list, see cni.plugin_config)."""
    if not isinstance(conf.get("type"), str) or not conf["type"]:
        raise CniConfigError("network type not found")
    plugin = {key: value for key, value in conf.items() if key not in ("name", "cniVersion")}
    return {"cniVersion": conf.get("cniVersion") or DEFAULT_CNI_VERSION,
            "name": conf.get("name", ""), "plugins": [plugin]}


def parse_config(name: str, text: str) -> dict:
    """The configuration list in the file called `name` with content `text`."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise CniConfigError(f"error parsing configuration: {error}") from None
    if not isinstance(data, dict):
        raise CniConfigError("error parsing configuration: not a JSON object")
    if not name.endswith(".conflist"):
        if "plugins" in data and "type" not in data:
            # a list in a .conf file: libcni refuses it (no "type"), as does containerd
            raise CniConfigError("network type not found (a configuration list needs the "
                                 ".conflist extension)")
        return conflist_from_conf(data)
    plugins = data.get("plugins")
    if not isinstance(plugins, list) or not plugins:
        raise CniConfigError("CNI config list has no networks")
    for index, plugin in enumerate(plugins):
        if not isinstance(plugin, dict) or not isinstance(plugin.get("type"), str) \
                or not plugin["type"]:
            raise CniConfigError(f"plugins[{index}] has no type")
    if not isinstance(data.get("name"), str) or not data["name"]:
        raise CniConfigError("missing network name")
    conflist = dict(data)
    conflist.setdefault("cniVersion", DEFAULT_CNI_VERSION)
    return conflist


def find_network(conf_dir: Path, read: Callable[[Path], str] = Path.read_text
                 ) -> LoadedNetwork | None:
    """The first file of `conf_dir` that is a valid network, or None."""
    skipped = []
    for path in config_files(conf_dir):
        try:
            conflist = parse_config(path.name, read(path))
        except (OSError, UnicodeDecodeError, CniConfigError) as error:
            skipped.append(f"{path}: {error}")
            continue
        return LoadedNetwork(conflist, path, skipped)
    return None


class ConfDirNetwork:
    """The network of a configuration directory someone else writes: read again at most
    every `interval` seconds when asked for, so a new or changed file takes effect."""

    def __init__(self, conf_dir: Path, interval: float = RELOAD_INTERVAL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.conf_dir = Path(conf_dir)
        self.interval = interval
        self.clock = clock
        self.loaded: LoadedNetwork | None = None
        self._read_at: float | None = None

    def current(self) -> LoadedNetwork | None:
        now = self.clock()
        if self._read_at is None or now - self._read_at >= self.interval:
            self._read_at = now
            self._reload()
        return self.loaded

    def _reload(self) -> None:
        found = find_network(self.conf_dir)
        before = self.loaded
        if found is not None and before is not None and found.path == before.path \
                and found.conflist == before.conflist:
            return
        self.loaded = found
        if found is None:
            if before is not None:
                log.warning("no CNI network configuration in %s any more", self.conf_dir)
            return
        for reason in found.skipped:
            log.warning("skipping CNI configuration %s", reason)
        log.info("CNI network %r from %s", found.conflist.get("name"), found.path)

    def not_ready(self) -> str:
        """Why the network is not ready (the runtime's NetworkReady message), or ""."""
        return "" if self.current() is not None else NETWORK_NOT_READY
