# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""kube-proxy's config file (`--config`, a KubeProxyConfiguration of
kubeproxy.config.k8s.io/v1alpha1) and its flags, both resolved into one ProxySettings (pure).

Upstream's rules, which differ from the kubelet's: the file is defaulted as v1alpha1
defaults it and then replaces the flags entirely ("This parameter is ignored if a
config file is specified by --config"); only a non-empty --hostname-override (and the
log verbosity) still wins over it. An unknown or duplicated field is a warning naming
it, the rest of the file applies (strict decoding, then lenient, as upstream's
v1alpha1 loader does); a wrong type, kind or apiVersion, or malformed YAML is an error.
kybernetes implements only the iptables mode (and its userspace fallback): `ipvs` and
`nftables` are refused in one line."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

from kybernetes.componentconfig import (ConfigError, FieldDecoder, check_kind, lenient_decoding_warning,
                                        load_document, unknown_fields)

API_VERSION = "kubeproxy.config.k8s.io/v1alpha1"
KIND = "KubeProxyConfiguration"
HEALTHZ_PORT = 10256
METRICS_PORT = 10249

# Every field of upstream's v1alpha1 KubeProxyConfiguration (1.32); those kybernetes
# does not use are accepted (and type-checked where they are read), as upstream's
# kube-proxy on another platform or mode would take them.
KNOWN_FIELDS = frozenset("""
apiVersion kind featureGates clientConnection logging hostnameOverride bindAddress
healthzBindAddress metricsBindAddress bindAddressHardFail enableProfiling
showHiddenMetricsForVersion mode iptables ipvs nftables winkernel detectLocalMode detectLocal
clusterCIDR nodePortAddresses oomScoreAdj conntrack configSyncPeriod portRange windowsRunAsService
""".split())
NESTED_FIELDS = {
    "clientConnection": dict.fromkeys(("kubeconfig", "acceptContentTypes", "contentType", "qps", "burst")),
    "iptables": dict.fromkeys(("masqueradeBit", "masqueradeAll", "localhostNodePorts", "syncPeriod",
                               "minSyncPeriod")),
    "ipvs": dict.fromkeys(("syncPeriod", "minSyncPeriod", "scheduler", "excludeCIDRs", "strictARP",
                           "tcpTimeout", "tcpFinTimeout", "udpTimeout")),
    "nftables": dict.fromkeys(("masqueradeBit", "masqueradeAll", "syncPeriod", "minSyncPeriod")),
    "winkernel": dict.fromkeys(("networkName", "sourceVip", "enableDSR", "rootHnsEndpointName",
                                "forwardHealthCheckVip")),
    "detectLocal": dict.fromkeys(("bridgeInterface", "interfaceNamePrefix")),
    "conntrack": dict.fromkeys(("maxPerCore", "min", "tcpEstablishedTimeout", "tcpCloseWaitTimeout",
                                "tcpBeLiberal", "udpTimeout", "udpStreamTimeout")),
    "logging": dict.fromkeys(("format", "flushFrequency", "verbosity", "vmodule", "options")),
}
SUPPORTED_MODES = ("", "iptables", "userspace")  # userspace: kybernetes's fallback without root
OTHER_UPSTREAM_MODES = ("ipvs", "nftables", "kernelspace")


class ProxyConfigError(ConfigError):
    """A config file or flag value kube-proxy cannot start with."""


@dataclass
class ProxySettings:
    """What kube-proxy runs with, whether from the file or the flags."""
    kubeconfig: str = ""
    master: str = ""
    hostname_override: str = ""
    bind_address: str = "0.0.0.0"
    healthz_bind_address: str = f"0.0.0.0:{HEALTHZ_PORT}"  # "" disables
    metrics_bind_address: str = f"127.0.0.1:{METRICS_PORT}"
    bind_address_hard_fail: bool = False
    mode: str = ""  # "" = iptables where it can run
    cluster_cidr: str = ""
    nodeport_addresses: list[str] = field(default_factory=list)
    masquerade_all: bool = False
    masquerade_bit: int = 14
    sync_period: float = 30.0
    min_sync_period: float = 1.0
    conntrack: dict[str, object] = field(default_factory=dict)  # accepted, validated, not applied
    warnings: list[str] = field(default_factory=list)


_fields = FieldDecoder(KIND, ProxyConfigError)


def _seconds(text: str) -> float:
    from kybernetes.kubelet.eviction import parse_duration
    return parse_duration(text)


def parse_proxy_config(text: str | bytes) -> ProxySettings:
    """The settings a KubeProxyConfiguration gives, upstream's defaults for the rest.
    Raises ProxyConfigError with upstream's decoding wording."""
    document, duplicates = load_document(text, ProxyConfigError)
    check_kind(document, KIND, API_VERSION, "kube-proxy", ProxyConfigError)
    settings = ProxySettings(cluster_cidr="")
    warning = lenient_decoding_warning(unknown_fields(document, KNOWN_FIELDS, NESTED_FIELDS), duplicates)
    if warning:
        settings.warnings.append(warning)
    get = document.get
    connection = _fields.section(get("clientConnection"), "clientConnection")
    if connection.get("kubeconfig") is not None:
        settings.kubeconfig = _fields.string(connection["kubeconfig"], "clientConnection.kubeconfig")
    for name, go_type in (("qps", "float32"), ("burst", "int32")):
        if connection.get(name) is not None:
            (_fields.number if name == "qps" else _fields.integer)(
                connection[name], f"clientConnection.{name}", go_type)
    for name, attr in (("hostnameOverride", "hostname_override"), ("bindAddress", "bind_address"),
                       ("healthzBindAddress", "healthz_bind_address"),
                       ("metricsBindAddress", "metrics_bind_address"), ("mode", "mode"),
                       ("clusterCIDR", "cluster_cidr")):
        if get(name) is not None:
            setattr(settings, attr, _fields.string(get(name), name))
    if get("bindAddressHardFail") is not None:
        settings.bind_address_hard_fail = _fields.boolean(get("bindAddressHardFail"), "bindAddressHardFail")
    if get("nodePortAddresses") is not None:
        settings.nodeport_addresses = list(_fields.string_list(get("nodePortAddresses"), "nodePortAddresses"))
    if get("oomScoreAdj") is not None:
        _fields.integer(get("oomScoreAdj"), "oomScoreAdj")
    if get("configSyncPeriod") is not None:
        _fields.duration(get("configSyncPeriod"), "configSyncPeriod")
    _iptables_section(_fields.section(get("iptables"), "iptables"), settings)
    settings.conntrack = _conntrack_section(_fields.section(get("conntrack"), "conntrack"))
    # upstream's defaulting: a bind address without a port gets the component's port
    settings.healthz_bind_address = _append_port(settings.healthz_bind_address, HEALTHZ_PORT)
    settings.metrics_bind_address = _append_port(settings.metrics_bind_address, METRICS_PORT)
    validate(settings)
    return settings


def _iptables_section(section: dict, settings: ProxySettings) -> None:
    if section.get("masqueradeBit") is not None:
        settings.masquerade_bit = _fields.integer(section["masqueradeBit"], "iptables.masqueradeBit")
    if section.get("masqueradeAll") is not None:
        settings.masquerade_all = _fields.boolean(section["masqueradeAll"], "iptables.masqueradeAll")
    if section.get("localhostNodePorts") is not None:
        _fields.boolean(section["localhostNodePorts"], "iptables.localhostNodePorts")
    for name, attr in (("syncPeriod", "sync_period"), ("minSyncPeriod", "min_sync_period")):
        if section.get(name) is not None:
            setattr(settings, attr, _seconds(_fields.duration(section[name], f"iptables.{name}")))


def _conntrack_section(section: dict) -> dict[str, object]:
    out: dict[str, object] = {}
    for name in ("maxPerCore", "min"):
        if section.get(name) is not None:
            out[name] = _fields.integer(section[name], f"conntrack.{name}")
    for name in ("tcpEstablishedTimeout", "tcpCloseWaitTimeout", "udpTimeout", "udpStreamTimeout"):
        if section.get(name) is not None:
            out[name] = _seconds(_fields.duration(section[name], f"conntrack.{name}"))
    if section.get("tcpBeLiberal") is not None:
        out["tcpBeLiberal"] = _fields.boolean(section["tcpBeLiberal"], "conntrack.tcpBeLiberal")
    return out


def _append_port(address: str, port: int) -> str:
    if not address:
        return address
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return address  # host:port already, or invalid: validation says which
    return f"[{ip}]:{port}" if ip.version == 6 else f"{ip}:{port}"


# ---------------------------------------------------------------- validation
def _invalid(path: str, value: object, why: str) -> str:
    shown = f'"{value}"' if isinstance(value, str) else value
    return f"{KIND}.{path}: Invalid value: {shown}: {why}"


def check_mode(mode: str) -> None:
    if mode in OTHER_UPSTREAM_MODES:
        raise ProxyConfigError(f'proxy mode "{mode}" is not supported: kybernetes implements only '
                               f'the iptables mode (mode: iptables, or "" for it)')
    if mode not in SUPPORTED_MODES:
        raise ProxyConfigError(f'{KIND}.mode: Unsupported value: "{mode}": supported values: '
                               f'"iptables", "ipvs", "nftables"')


def _host_port_error(path: str, value: str) -> str | None:
    host, _, port = value.rpartition(":")
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return _invalid(path, value, "must be IP:port")
    if not port.isdigit() or not 0 < int(port) < 65536:
        return _invalid(path, value, "must be a valid port")
    return None


def validate(settings: ProxySettings) -> None:
    """Upstream's validation of the resolved settings; every error, in one line."""
    check_mode(settings.mode)
    errors: list[str] = []
    if not 0 <= settings.masquerade_bit <= 31:
        errors.append(_invalid("iptables.masqueradeBit", settings.masquerade_bit,
                               "must be within the range [0, 31]"))
    if settings.sync_period <= 0:
        errors.append(_invalid("iptables.syncPeriod", f"{settings.sync_period:g}s", "must be greater than 0"))
    if settings.min_sync_period < 0:
        errors.append(_invalid("iptables.minSyncPeriod", f"{settings.min_sync_period:g}s",
                               "must be greater than or equal to 0"))
    elif settings.min_sync_period > settings.sync_period > 0:
        errors.append(_invalid("iptables.syncPeriod", f"{settings.sync_period:g}s",
                               "must be greater than or equal to iptables.minSyncPeriod"))
    try:
        ipaddress.ip_address(settings.bind_address)
    except ValueError:
        errors.append(_invalid("bindAddress", settings.bind_address,
                               "not a valid textual representation of an IP address"))
    for path, value in (("healthzBindAddress", settings.healthz_bind_address),
                        ("metricsBindAddress", settings.metrics_bind_address)):
        if value and (error := _host_port_error(path, value)):
            errors.append(error)
    for cidr in filter(None, settings.cluster_cidr.split(",")):
        try:
            ipaddress.ip_network(cidr.strip(), strict=False)
        except ValueError:
            errors.append(_invalid("clusterCIDR", settings.cluster_cidr,
                                   "must be a valid CIDR block (e.g. 10.100.0.0/16 or fde4:8dba:82e1::/48)"))
            break
    for cidr in settings.nodeport_addresses:
        if cidr == "primary":
            continue
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            errors.append(_invalid("nodePortAddresses", cidr, "must be a valid CIDR"))
    for name, value in settings.conntrack.items():
        if name in ("maxPerCore", "min") and value < 0:
            errors.append(_invalid(f"conntrack.{name}", value, "must be greater than or equal to 0"))
    if errors:
        raise ProxyConfigError(", ".join(errors) if len(errors) == 1 else "[" + ", ".join(errors) + "]")


def load_proxy_config(path: Path | str) -> ProxySettings:
    """Read and parse `path`; errors name the file."""
    try:
        text = Path(path).read_bytes()
    except OSError as exc:
        raise ProxyConfigError(f"failed to load kube-proxy config file {path}: {exc.strerror or exc}") from None
    try:
        return parse_proxy_config(text)
    except ProxyConfigError as exc:
        raise ProxyConfigError(f"kube-proxy config file {path}: {exc}") from None
