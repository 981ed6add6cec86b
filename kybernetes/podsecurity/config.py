# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The PodSecurity plugin's configuration: a PodSecurityConfiguration
(pod-security.admission.config.k8s.io/v1, v1beta1 or v1alpha1) with cluster-wide defaults
and exemptions, found in the API server's AdmissionConfiguration file
(--admission-control-config-file) under the plugin named PodSecurity, inline or by path.
Without one, the defaults are privileged:latest for every mode and nothing is exempt."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kybernetes.api.validation.meta import is_dns1123_label, is_dns1123_subdomain
from kybernetes.podsecurity.levels import (LATEST, PRIVILEGED, LevelVersion, Policy,
                                           parse_level, parse_version)

PLUGIN_NAME = "PodSecurity"
CONFIG_GROUP = "pod-security.admission.config.k8s.io"
CONFIG_VERSIONS = ("v1", "v1beta1", "v1alpha1")
ADMISSION_CONFIG_API_VERSIONS = ("apiserver.config.k8s.io/v1", "apiserver.config.k8s.io/v1alpha1",
                                 "apiserver.k8s.io/v1alpha1")


class ConfigError(ValueError):
    """A configuration file the API server refuses to start with."""


@dataclass(frozen=True)
class Exemptions:
    usernames: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()
    runtime_classes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PodSecurityConfiguration:
    defaults: Policy = field(default_factory=Policy)
    exemptions: Exemptions = field(default_factory=Exemptions)


DEFAULT_CONFIGURATION = PodSecurityConfiguration()


def _strings(value: object, path: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: must be a list of strings")
    return value


def _unique(values: list[str], path: str, check) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    for index, value in enumerate(values):
        why = check(value)
        if why:
            problems.append(f'{path}[{index}]: Invalid value: "{value}": {why}')
        elif value in seen:
            problems.append(f'{path}[{index}]: Duplicate value: "{value}"')
        else:
            seen.add(value)
    return problems


def parse_pod_security_configuration(doc: object) -> PodSecurityConfiguration:
    """Validate and default a PodSecurityConfiguration document (a dict), with
    upstream's field paths in the error."""
    if not isinstance(doc, dict):
        raise ConfigError("PodSecurityConfiguration must be an object")
    api_version, kind = doc.get("apiVersion", ""), doc.get("kind", "")
    group, _, version = str(api_version).rpartition("/")
    if kind != "PodSecurityConfiguration" or group != CONFIG_GROUP or version not in CONFIG_VERSIONS:
        raise ConfigError(f'no kind "{kind}" is registered for version "{api_version}" (expected '
                          f"kind PodSecurityConfiguration in {CONFIG_GROUP}/v1)")
    defaults = doc.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise ConfigError("defaults: must be an object")
    problems: list[str] = []
    modes = []
    for mode in ("enforce", "audit", "warn"):
        level_text = defaults.get(mode) or PRIVILEGED
        version_text = defaults.get(f"{mode}-version") or LATEST
        level, level_error = parse_level(str(level_text))
        version, version_error = parse_version(str(version_text))
        if level_error:
            problems.append(f'defaults.{mode}: Invalid value: "{level_text}": {level_error}')
        if version_error:
            problems.append(f'defaults.{mode}-version: Invalid value: "{version_text}": '
                            f"{version_error}")
        modes.append(LevelVersion(level, version))
    exemptions = doc.get("exemptions") or {}
    if not isinstance(exemptions, dict):
        raise ConfigError("exemptions: must be an object")
    namespaces = _strings(exemptions.get("namespaces"), "exemptions.namespaces")
    runtime_classes = _strings(exemptions.get("runtimeClasses"), "exemptions.runtimeClasses")
    usernames = _strings(exemptions.get("usernames"), "exemptions.usernames")
    problems += _unique(namespaces, "exemptions.namespaces",
                        lambda v: ", ".join(is_dns1123_label(v)))
    problems += _unique(runtime_classes, "exemptions.runtimeClasses",
                        lambda v: ", ".join(is_dns1123_subdomain(v)))
    problems += _unique(usernames, "exemptions.usernames",
                        lambda v: "" if v else "username must not be empty")
    if problems:
        raise ConfigError(problems[0] if len(problems) == 1 else "[" + ", ".join(problems) + "]")
    return PodSecurityConfiguration(
        Policy(*modes), Exemptions(tuple(usernames), tuple(namespaces), tuple(runtime_classes)))


def _load_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text())
    except OSError as exc:
        raise ConfigError(f"unable to read {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"unable to parse {path}: {exc}") from None


def load_admission_configuration(path: Path | str) -> PodSecurityConfiguration:
    """The PodSecurity configuration in an AdmissionConfiguration file (the default one
    when the file does not name the plugin)."""
    path = Path(path)
    doc = _load_yaml(path)
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: not an AdmissionConfiguration")
    api_version, kind = doc.get("apiVersion", ""), doc.get("kind", "")
    if kind != "AdmissionConfiguration" or api_version not in ADMISSION_CONFIG_API_VERSIONS:
        raise ConfigError(f'{path}: no kind "{kind}" is registered for version "{api_version}" '
                          f"(expected kind AdmissionConfiguration in apiserver.config.k8s.io/v1)")
    for plugin in doc.get("plugins") or []:
        if not isinstance(plugin, dict) or plugin.get("name") != PLUGIN_NAME:
            continue
        config = plugin.get("configuration")
        if config is None and plugin.get("path"):
            plugin_path = Path(plugin["path"])
            if not plugin_path.is_absolute():
                plugin_path = path.parent / plugin_path  # relative to the admission config
            config = _load_yaml(plugin_path)
        if config is None:
            return DEFAULT_CONFIGURATION
        try:
            return parse_pod_security_configuration(config)
        except ConfigError as exc:
            raise ConfigError(f'couldn\'t init admission plugin "{PLUGIN_NAME}": '
                              f"{PLUGIN_NAME} invalid: {exc}") from None
    return DEFAULT_CONFIGURATION
