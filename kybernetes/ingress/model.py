# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""From Ingresses, Services, EndpointSlices and Secrets to what nginx must serve:
servers (one a host, plus the catch-all), their locations, the upstreams of ready pod
addresses, the certificates to write, and the problems to report. Pure: objects in,
a Model out; render.py turns it into nginx.conf."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from kybernetes.ingress import tls

HEALTHZ_PATH = "/healthz"
CATCH_ALL = "_"
# Paths nginx gets quoted; anything else (quotes, spaces, control characters) is refused,
# as ingress-nginx's strict path validation refuses it for Exact and Prefix paths.
_SAFE_PATH = re.compile(r"^/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$")


@dataclass(frozen=True)
class Upstream:
    name: str
    servers: tuple[str, ...]  # "ip:port", "[ipv6]:port"


@dataclass
class Location:
    path: str
    exact: bool
    upstream: str | None  # None: no ready endpoints, answer 503
    source: str  # the Ingress (namespace/name) that asked for it


@dataclass
class Server:
    host: str
    locations: dict[tuple[bool, str], Location] = field(default_factory=dict)
    certificate: str | None = None  # file name in the certificate directory; None: the fake one
    ssl_redirect: bool = False
    healthz: bool = False  # the catch-all answers /healthz itself

    def add(self, location: Location) -> None:
        """First writer wins: Ingresses are offered oldest first, as ingress-nginx merges them."""
        self.locations.setdefault((location.exact, location.path), location)

    def ordered(self) -> list[Location]:
        """Exact matches first, then longer prefixes before shorter ones."""
        return sorted(self.locations.values(), key=lambda l: (not l.exact, -len(l.path), l.path))


@dataclass(frozen=True)
class Problem:
    ingress: str  # namespace/name
    reason: str
    message: str


@dataclass
class Model:
    servers: list[Server]  # hosts, sorted; the catch-all is `default_server`
    default_server: Server
    upstreams: dict[str, Upstream]
    certificates: dict[str, bytes]  # file name -> PEM (certificate chain and key)
    problems: list[Problem]


def ingress_key(ingress: dict) -> str:
    meta = ingress["metadata"]
    return f"{meta.get('namespace', '')}/{meta['name']}"


def _oldest_first(ingresses: list[dict]) -> list[dict]:
    return sorted(ingresses, key=lambda i: (i["metadata"].get("creationTimestamp", ""),
                                            ingress_key(i)))


class Backends:
    """Service backends resolved to upstreams of ready endpoints (by Service and port)."""

    def __init__(self, services: list[dict], slices: list[dict]) -> None:
        self.services = {(s["metadata"].get("namespace", ""), s["metadata"]["name"]): s
                         for s in services}
        self.slices: dict[tuple[str, str], list[dict]] = {}
        for item in slices:
            meta = item.get("metadata") or {}
            owner = (meta.get("labels") or {}).get("kubernetes.io/service-name")
            if owner:
                self.slices.setdefault((meta.get("namespace", ""), owner), []).append(item)
        self.upstreams: dict[str, Upstream] = {}

    def resolve(self, namespace: str, backend: dict) -> tuple[str | None, str]:
        """(upstream name, "") or (None, why it answers 503)."""
        service_ref = backend.get("service")
        if not service_ref:
            return None, "only service backends are supported (resource backends are not)"
        name = service_ref.get("name", "")
        port_ref = service_ref.get("port") or {}
        service = self.services.get((namespace, name))
        if service is None:
            return None, f'service "{namespace}/{name}" not found'
        spec = service.get("spec") or {}
        if spec.get("type") == "ExternalName":
            return None, f'service "{namespace}/{name}" is of type ExternalName (not supported)'
        port = next((p for p in spec.get("ports") or []
                     if ("number" in port_ref and p.get("port") == port_ref["number"]) or
                     (port_ref.get("name") and p.get("name") == port_ref["name"])), None)
        wanted = port_ref.get("number", port_ref.get("name"))
        if port is None:
            return None, f'service "{namespace}/{name}" has no port {wanted}'
        upstream = f"{namespace}-{name}-{wanted}"
        if upstream not in self.upstreams:
            servers = self._ready_addresses(namespace, name, port)
            if not servers:
                return None, f'service "{namespace}/{name}" has no ready endpoints'
            self.upstreams[upstream] = Upstream(upstream, tuple(servers))
        return upstream, ""

    def _ready_addresses(self, namespace: str, service: str, port: dict) -> list[str]:
        out: set[str] = set()
        for item in self.slices.get((namespace, service), []):
            if item.get("addressType", "IPv4") not in ("IPv4", "IPv6"):
                continue
            target = next((p.get("port") for p in item.get("ports") or []
                           if (p.get("name") or "") == (port.get("name") or "") and
                           p.get("protocol", "TCP") == "TCP"), None)
            if not target:
                continue
            for endpoint in item.get("endpoints") or []:
                if (endpoint.get("conditions") or {}).get("ready") is False:
                    continue  # unset means ready (discovery.k8s.io/v1)
                for address in endpoint.get("addresses") or []:
                    out.add(f"[{address}]:{target}" if ":" in address else f"{address}:{target}")
        return sorted(out)


def location_paths(path: str, path_type: str) -> list[tuple[bool, str]]:
    """nginx locations for one Ingress path. Prefix (and ImplementationSpecific, as
    ingress-nginx treats it without regex) matches element-wise: /foo is `= /foo` and
    `/foo/`, so /foo/bar matches and /foobar does not."""
    if path_type == "Exact":
        return [(True, path)]
    trimmed = path.rstrip("/")
    if not trimmed:
        return [(False, "/")]
    return [(True, trimmed), (False, trimmed + "/")]


def _certificate_for(ingress: dict, host: str, secrets: dict, problems: list[Problem],
                     certificates: dict[str, bytes]) -> str | None:
    """The certificate file for `host` from the Ingress's TLS section; None (the fake
    certificate, with a problem reported) when the Secret is missing or unusable."""
    namespace = ingress["metadata"].get("namespace", "")
    for entry in (ingress.get("spec") or {}).get("tls") or []:
        hosts = entry.get("hosts") or []
        if hosts and not any(tls.name_matches(h, host) for h in hosts):
            continue
        secret_name = entry.get("secretName")
        if not secret_name:
            return None
        key = f"{namespace}/{secret_name}"
        why = ""
        secret = secrets.get((namespace, secret_name))
        if secret is None:
            why = f"secret {key} was not found"
        else:
            try:
                certificate = tls.load_certificate(*tls.secret_pair(secret))
                if not tls.covers(certificate, host):
                    why = (f"certificate in secret {key} is not valid for host {host} "
                           f"(it names {', '.join(certificate.names) or 'no host'})")
            except tls.TLSError as exc:
                why = f"secret {key}: {exc}"
        if why:
            problems.append(Problem(ingress_key(ingress), "InvalidTLSSecret",
                                    f"Error getting SSL certificate {key!r} for host {host}: "
                                    f"{why}; using the default certificate"))
            return None
        digest = hashlib.sha256(certificate.pem).hexdigest()[:16]
        name = f"{namespace}-{secret_name}-{digest}.pem"
        certificates[name] = certificate.pem
        return name
    return None


def _tls_hosts(ingress: dict, rule_hosts: list[str]) -> set[str]:
    out: set[str] = set()
    for entry in (ingress.get("spec") or {}).get("tls") or []:
        hosts = entry.get("hosts") or []
        out.update(h for h in rule_hosts if not hosts or any(tls.name_matches(p, h) for p in hosts))
    return out


def build(ingresses: list[dict], services: list[dict], slices: list[dict],
          secrets: list[dict]) -> Model:
    """The servers for the Ingresses this controller handles (already filtered by class)."""
    backends = Backends(services, slices)
    by_secret = {(s["metadata"].get("namespace", ""), s["metadata"]["name"]): s for s in secrets}
    problems: list[Problem] = []
    certificates: dict[str, bytes] = {}
    servers: dict[str, Server] = {}
    catch_all = Server(CATCH_ALL, healthz=True)
    catch_all_backend_set = False

    def target(ingress: dict, backend: dict) -> str | None:
        upstream, why = backends.resolve(ingress["metadata"].get("namespace", ""), backend)
        if upstream is None:
            problems.append(Problem(ingress_key(ingress), "NoEndpoints", why))
        return upstream

    for ingress in _oldest_first(ingresses):
        key = ingress_key(ingress)
        spec = ingress.get("spec") or {}
        default_backend = spec.get("defaultBackend")
        default_upstream = target(ingress, default_backend) if default_backend else None
        if default_backend and not catch_all_backend_set:
            # requests matching no rule of any host go to the oldest Ingress's default backend
            catch_all.add(Location("/", False, default_upstream, key))
            catch_all_backend_set = True
        rule_hosts = [r.get("host") or CATCH_ALL for r in spec.get("rules") or []]
        tls_hosts = _tls_hosts(ingress, [h for h in rule_hosts if h != CATCH_ALL])
        for rule in spec.get("rules") or []:
            host = rule.get("host") or CATCH_ALL
            server = catch_all if host == CATCH_ALL else servers.setdefault(host, Server(host))
            for item in (rule.get("http") or {}).get("paths") or []:
                path, path_type = item.get("path") or "/", item.get("pathType", "Prefix")
                if not _SAFE_PATH.match(path):
                    problems.append(Problem(key, "InvalidPath",
                                            f"path {path!r} of host {host} has characters "
                                            f"nginx cannot take; ignored"))
                    continue
                upstream = target(ingress, item.get("backend") or {})
                for exact, location in location_paths(path, path_type):
                    server.add(Location(location, exact, upstream, key))
            if host != CATCH_ALL and default_backend:
                server.add(Location("/", False, default_upstream, key))
            if host in tls_hosts and server.certificate is None and not server.ssl_redirect:
                server.certificate = _certificate_for(ingress, host, by_secret, problems,
                                                      certificates)
                server.ssl_redirect = True
    return Model(servers=[servers[h] for h in sorted(servers)], default_server=catch_all,
                 upstreams=dict(sorted(backends.upstreams.items())), certificates=certificates,
                 problems=problems)
