# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1): profiles (one per
schedulerName) with plugins enabled and disabled per extension point, plugin arguments
and score weights; clientConnection.kubeconfig; leaderElection; percentageOfNodesToScore.
Older versions (componentconfig/v1alpha1 as in seed 000, the v1beta ones) are refused
with an error naming the current version."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kybernetes.scheduler.framework import Framework, Handle
from kybernetes.scheduler.plugins import ACCEPTED_NOOPS, DEFAULT_PLUGINS, REGISTRY

API_VERSION = "kubescheduler.config.k8s.io/v1"
KIND = "KubeSchedulerConfiguration"
DEFAULT_SCHEDULER_NAME = "default-scheduler"
POINTS = ("preFilter", "filter", "postFilter", "preScore", "score", "reserve", "preBind")
# the method a plugin must have to take part in a point
POINT_METHODS = {"preFilter": "pre_filter", "filter": "filter", "postFilter": "post_filter",
                 "preScore": "pre_score", "score": "score", "reserve": "reserve",
                 "preBind": "pre_bind"}
IGNORED_POINTS = ("queueSort", "permit", "bind", "postBind", "preEnqueue")


class ConfigError(ValueError):
    pass


@dataclass
class Profile:
    scheduler_name: str = DEFAULT_SCHEDULER_NAME
    plugins: dict = field(default_factory=dict)
    plugin_config: dict[str, dict] = field(default_factory=dict)
    percentage_of_nodes_to_score: int | None = None


@dataclass
class SchedulerConfig:
    profiles: list[Profile] = field(default_factory=lambda: [Profile()])
    kubeconfig: str = ""
    leader_elect: bool = True
    lease_name: str = "kube-scheduler"
    lease_namespace: str = "kube-system"
    lease_duration: float = 15.0
    renew_deadline: float = 10.0
    retry_period: float = 2.0
    percentage_of_nodes_to_score: int = 0
    parallelism: int = 16


def _duration(text, default: float) -> float:
    if text in (None, ""):
        return default
    from kybernetes.cli.main import parse_duration
    return parse_duration(str(text))


def parse_config(document: dict) -> SchedulerConfig:
    if not isinstance(document, dict):
        raise ConfigError("the scheduler configuration must be a YAML mapping")
    version, kind = document.get("apiVersion", ""), document.get("kind", "")
    if kind != KIND:
        raise ConfigError(f'no kind "{kind}" is registered for version "{version}"; '
                          f"expected kind {KIND} in apiVersion {API_VERSION}")
    if version != API_VERSION:
        raise ConfigError(
            f'no kind "{KIND}" is registered for version "{version}" (that apiVersion is no '
            f"longer served); use apiVersion: {API_VERSION}")
    config = SchedulerConfig()
    connection = document.get("clientConnection") or {}
    config.kubeconfig = connection.get("kubeconfig") or ""
    election = document.get("leaderElection") or {}
    if "leaderElect" in election:
        config.leader_elect = bool(election["leaderElect"])
    config.lease_name = election.get("resourceName") or config.lease_name
    config.lease_namespace = election.get("resourceNamespace") or config.lease_namespace
    config.lease_duration = _duration(election.get("leaseDuration"), config.lease_duration)
    config.renew_deadline = _duration(election.get("renewDeadline"), config.renew_deadline)
    config.retry_period = _duration(election.get("retryPeriod"), config.retry_period)
    percentage = document.get("percentageOfNodesToScore")
    if percentage is not None:
        if not isinstance(percentage, int) or not 0 <= percentage <= 100:
            raise ConfigError(f"percentageOfNodesToScore: Invalid value: {percentage}: "
                              "not in valid range [0-100]")
        config.percentage_of_nodes_to_score = percentage
    config.parallelism = document.get("parallelism") or config.parallelism
    profiles = document.get("profiles")
    if profiles:
        config.profiles = []
        seen = set()
        for index, item in enumerate(profiles):
            name = (item or {}).get("schedulerName") or DEFAULT_SCHEDULER_NAME
            if name in seen:
                raise ConfigError(f"profiles[{index}].schedulerName: Duplicate value: {name!r}")
            seen.add(name)
            args = {}
            for entry in item.get("pluginConfig") or []:
                if entry.get("name") not in REGISTRY and entry.get("name") not in ACCEPTED_NOOPS:
                    raise ConfigError(f'profiles[{index}].pluginConfig: plugin "{entry.get("name")}" '
                                      "does not exist")
                args[entry["name"]] = entry.get("args") or {}
            config.profiles.append(Profile(name, item.get("plugins") or {}, args,
                                           item.get("percentageOfNodesToScore")))
    for profile in config.profiles:
        plugin_sets(profile)  # refuse unknown plugins now, not at the first pod
    return config


def load_config(path: str | Path) -> SchedulerConfig:
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise ConfigError(f"unable to read config file {path}: {exc.strerror}") from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"unable to parse config file {path}: {exc}") from None
    return parse_config(document)


def _check(name: str) -> bool:
    """True for a plugin this scheduler runs; False for an accepted no-op; else error."""
    if name in REGISTRY:
        return True
    if name in ACCEPTED_NOOPS:
        return False
    raise ConfigError(f'plugin "{name}" does not exist')


def plugin_sets(profile: Profile) -> dict[str, list[tuple[str, int]]]:
    """point -> [(plugin name, weight)] after the profile's enables and disables."""
    plugins = profile.plugins or {}
    multi = plugins.get("multiPoint") or {}
    chosen: list[tuple[str, int]] = list(DEFAULT_PLUGINS)
    disabled = {d.get("name") for d in multi.get("disabled") or []}
    if "*" in disabled:
        chosen = []
    chosen = [(n, w) for n, w in chosen if n not in disabled]
    for entry in multi.get("enabled") or []:
        name = entry.get("name")
        if not _check(name):
            continue
        weight = entry.get("weight")
        chosen = [(n, w) for n, w in chosen if n != name]
        chosen.append((name, weight if weight is not None else dict(DEFAULT_PLUGINS).get(name, 1) or 1))
    out: dict[str, list[tuple[str, int]]] = {}
    for point in POINTS:
        method = POINT_METHODS[point]
        current = [(n, w) for n, w in chosen if hasattr(REGISTRY[n], method)]
        section = plugins.get(point) or {}
        point_disabled = {d.get("name") for d in section.get("disabled") or []}
        if "*" in point_disabled:
            current = []
        current = [(n, w) for n, w in current if n not in point_disabled]
        for entry in section.get("enabled") or []:
            name = entry.get("name")
            if not _check(name):
                continue
            if not hasattr(REGISTRY[name], method):
                raise ConfigError(f'plugin "{name}" does not extend {point} plugin')
            weight = entry.get("weight")
            existing = dict(current)
            current = [(n, w) for n, w in current if n != name]
            current.append((name, weight if weight is not None else existing.get(name) or 1))
        out[point] = current
    for point in IGNORED_POINTS:
        for entry in (plugins.get(point) or {}).get("enabled") or []:
            _check(entry.get("name"))
    return out


def build_framework(profile: Profile, handle: Handle | None = None,
                    percentage_of_nodes_to_score: int = 0) -> Framework:
    sets = plugin_sets(profile)
    handle = handle or Handle()
    handle.scheduler_name = profile.scheduler_name
    instances: dict = {}

    def instance(name: str):
        if name not in instances:
            instances[name] = REGISTRY[name](profile.plugin_config.get(name), handle)
        return instances[name]

    percentage = profile.percentage_of_nodes_to_score
    return Framework(
        profile.scheduler_name,
        pre_filter=[instance(n) for n, _ in sets["preFilter"]],
        filter=[instance(n) for n, _ in sets["filter"]],
        post_filter=[instance(n) for n, _ in sets["postFilter"]],
        pre_score=[instance(n) for n, _ in sets["preScore"]],
        score=[(instance(n), w) for n, w in sets["score"] if w > 0],
        reserve=[instance(n) for n, _ in sets["reserve"]],
        pre_bind=[instance(n) for n, _ in sets["preBind"]],
        percentage_of_nodes_to_score=percentage if percentage is not None else percentage_of_nodes_to_score,
        handle=handle)


def default_framework(scheduler_name: str = DEFAULT_SCHEDULER_NAME, handle: Handle | None = None) -> Framework:
    return build_framework(Profile(scheduler_name), handle)
