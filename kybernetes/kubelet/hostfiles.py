# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The /etc/hosts, /etc/resolv.conf and /etc/hostname a pod's containers see, with the
content upstream's kubelet writes (kubelet_pods.go managedHostsFileContent and
network/dns/dns.go), computed purely from the pod and the node's DNS settings."""
from __future__ import annotations

import os
from pathlib import Path

MAX_HOSTNAME = 63
MAX_NAMESERVERS = 3
MAX_DNS_SEARCH_PATHS = 32
MAX_DNS_SEARCH_LIST_CHARS = 2048
HOST_RESOLV_CONF = Path("/etc/resolv.conf")
HOST_HOSTS = Path("/etc/hosts")


def _truncate(name: str) -> str:
    """Hostnames longer than 63 chars are cut, then trailing '-' and '.' dropped."""
    if len(name) <= MAX_HOSTNAME:
        return name
    return name[:MAX_HOSTNAME].rstrip("-.")


def pod_hostname(pod: dict, cluster_domain: str) -> tuple[str, str]:
    """(hostname, hostDomain): spec.hostname or the pod name; the domain is
    `<subdomain>.<ns>.svc.<cluster domain>` when the pod has a subdomain."""
    meta, spec = pod.get("metadata") or {}, pod.get("spec") or {}
    hostname = _truncate(spec.get("hostname") or meta.get("name", ""))
    domain = ""
    if spec.get("subdomain"):
        domain = f"{spec['subdomain']}.{meta.get('namespace', 'default')}.svc.{cluster_domain}"
    return hostname, domain


def uts_hostname(pod: dict, cluster_domain: str) -> str:
    """The kernel hostname: the FQDN when setHostnameAsFQDN asks for it."""
    hostname, domain = pod_hostname(pod, cluster_domain)
    if (pod.get("spec") or {}).get("setHostnameAsFQDN") and domain:
        return f"{hostname}.{domain}"
    return hostname


def _host_aliases(pod: dict) -> str:
    aliases = (pod.get("spec") or {}).get("hostAliases") or []
    if not aliases:
        return ""
    lines = ["", "# Entries added by HostAliases."]
    for alias in aliases:
        lines.append(f"{alias.get('ip', '')}\t" + "\t".join(alias.get("hostnames") or []))
    return "\n".join(lines[1:]) + "\n"


def hosts_file(pod: dict, pod_ips: list[str], cluster_domain: str,
               host_hosts: str | None = None) -> str:
    """The managed /etc/hosts. A hostNetwork pod gets the node's own file (plus aliases)."""
    if (pod.get("spec") or {}).get("hostNetwork"):
        base = host_hosts if host_hosts is not None else _read(HOST_HOSTS)
        text = "# Kubernetes-managed hosts file (host network).\n" + base
        if text and not text.endswith("\n"):
            text += "\n"
        return text + _host_aliases(pod)
    hostname, domain = pod_hostname(pod, cluster_domain)
    lines = ["# Kubernetes-managed hosts file.",
             "127.0.0.1\tlocalhost",
             "::1\tlocalhost ip6-localhost ip6-loopback",
             "fe00::0\tip6-localnet",
             "fe00::0\tip6-mcastprefix",
             "fe00::1\tip6-allnodes",
             "fe00::2\tip6-allrouters"]
    for ip in pod_ips:
        if domain:
            lines.append(f"{ip}\t{hostname}.{domain}\t{hostname}")
        else:
            lines.append(f"{ip}\t{hostname}")
    return "\n".join(lines) + "\n" + _host_aliases(pod)


def parse_resolv_conf(text: str) -> tuple[list[str], list[str], list[str]]:
    """(nameservers, search domains, options) of a resolv.conf."""
    nameservers: list[str] = []
    searches: list[str] = []
    options: list[str] = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].split(";", 1)[0]
        fields = line.split()
        if not fields:
            continue
        if fields[0] == "nameserver" and len(fields) > 1:
            nameservers.append(fields[1])
        elif fields[0] in ("search", "domain"):
            searches = fields[1:]  # the last one wins, as the resolver does
        elif fields[0] == "options":
            options.extend(fields[1:])
    return nameservers, searches, options


def _merge_options(base: list[str], extra: list[dict]) -> list[str]:
    merged: dict[str, str] = {}
    for option in base:
        name, _, value = option.partition(":")
        merged[name] = option
    for option in extra:
        name = option.get("name", "")
        if not name:
            continue
        merged[name] = f"{name}:{option['value']}" if option.get("value") is not None else name
    return list(merged.values())


def _trim_search(searches: list[str]) -> list[str]:
    kept: list[str] = []
    seen: set[str] = set()
    total = 0
    for domain in searches:
        domain = domain.rstrip(".") if domain != "." else domain
        if not domain or domain in seen:
            continue
        if len(kept) >= MAX_DNS_SEARCH_PATHS or total + len(domain) + len(kept) > MAX_DNS_SEARCH_LIST_CHARS:
            break
        seen.add(domain)
        kept.append(domain)
        total += len(domain)
    return kept


def resolv_conf(pod: dict, cluster_dns: list[str], cluster_domain: str,
                host_resolv: str | None = None) -> str:
    """The pod's resolv.conf per its dnsPolicy (ClusterFirst by default) and dnsConfig."""
    spec = pod.get("spec") or {}
    namespace = (pod.get("metadata") or {}).get("namespace", "default")
    policy = spec.get("dnsPolicy") or "ClusterFirst"
    host_text = host_resolv if host_resolv is not None else _read(HOST_RESOLV_CONF)
    host_servers, host_search, host_options = parse_resolv_conf(host_text)
    if policy == "ClusterFirst" and spec.get("hostNetwork"):
        policy = "Default"  # a host-network pod uses cluster DNS only with ...WithHostNet
    if policy in ("ClusterFirst", "ClusterFirstWithHostNet") and not cluster_dns:
        policy = "Default"  # no cluster DNS configured: upstream falls back likewise
    if policy in ("ClusterFirst", "ClusterFirstWithHostNet"):
        servers = list(cluster_dns)
        search = [f"{namespace}.svc.{cluster_domain}", f"svc.{cluster_domain}", cluster_domain]
        search += host_search
        options = ["ndots:5"]
    elif policy == "None":
        servers, search, options = [], [], []
    else:  # Default: the node's own
        servers, search, options = list(host_servers), list(host_search), list(host_options)
    config = spec.get("dnsConfig") or {}
    servers = list(dict.fromkeys(servers + list(config.get("nameservers") or [])))[:MAX_NAMESERVERS]
    search = _trim_search(search + list(config.get("searches") or []))
    options = _merge_options(options, config.get("options") or [])
    lines = []
    if search:
        lines.append("search " + " ".join(search))
    lines += [f"nameserver {server}" for server in servers]
    if options:
        lines.append("options " + " ".join(options))
    return "\n".join(lines) + "\n" if lines else ""


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def write_in_place(path: Path, content: str) -> None:
    """Rewrite a file keeping its inode: the runtime may already bind-mount it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, content.encode())
    finally:
        os.close(fd)
