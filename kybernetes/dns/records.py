# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The answer function: one question and the cluster view in, the records CoreDNS's
kubernetes plugin gives out (`kubernetes cluster.local in-addr.arpa ip6.arpa { pods
insecure fallthrough in-addr.arpa ip6.arpa }`, the Corefile k3s and kubeadm ship).

`answer()` returns None for names that are not the cluster's: the server forwards those
to the node's resolvers. No I/O here."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from dnslib import AAAA, CNAME, PTR, QTYPE, RCODE, RR, SOA, SRV, TXT, A

from kybernetes.dns.view import ClusterView, EndpointInfo, ServiceInfo

TTL = 5  # the kubernetes plugin's default `ttl`
# The SOA CoreDNS gives its cluster zone: refresh 2h, retry 30m, expire 1d, minimum = ttl.
SOA_TIMES = (7200, 1800, 86400, TTL)
SCHEMA_VERSION = "1.1.0"  # answered at dns-version.<domain> (the DNS specification's version)
MAX_CNAME_CHAIN = 8


@dataclass
class Answer:
    rcode: int = RCODE.NOERROR
    answer: list[RR] = field(default_factory=list)
    authority: list[RR] = field(default_factory=list)
    additional: list[RR] = field(default_factory=list)
    # an ExternalName pointing out of the cluster: the server resolves it upstream
    external_target: str = ""


def soa_record(domain: str, serial: int) -> RR:
    return RR(domain + ".", QTYPE.SOA, ttl=TTL,
              rdata=SOA(f"ns.dns.{domain}.", f"hostmaster.{domain}.", (serial, *SOA_TIMES)))


def _address_record(owner: str, ip: str) -> RR:
    if ":" in ip:
        return RR(owner, QTYPE.AAAA, ttl=TTL, rdata=AAAA(ip))
    return RR(owner, QTYPE.A, ttl=TTL, rdata=A(ip))


def _wants(qtype: int, ip: str) -> bool:
    if qtype == QTYPE.ANY:
        return True
    return qtype == (QTYPE.AAAA if ":" in ip else QTYPE.A)


def answer(qname: str, qtype: int, view: ClusterView, domain: str = "cluster.local") -> Answer | None:
    """The records for (qname, qtype), or None when the name is not served here."""
    name = qname.rstrip(".").lower()
    domain = domain.rstrip(".").lower()
    owner = qname if qname.endswith(".") else qname + "."
    if name.endswith(".in-addr.arpa") or name.endswith(".ip6.arpa"):
        return _reverse(owner, name, qtype, view, domain)
    if name != domain and not name.endswith("." + domain):
        return None
    return _in_zone(owner, name, qtype, view, domain, depth=0)


def _nxdomain(view: ClusterView, domain: str) -> Answer:
    return Answer(RCODE.NXDOMAIN, authority=[soa_record(domain, view.serial)])


def _nodata(view: ClusterView, domain: str) -> Answer:
    return Answer(RCODE.NOERROR, authority=[soa_record(domain, view.serial)])


def _finish(result: Answer, view: ClusterView, domain: str) -> Answer:
    """An empty NOERROR answer is NODATA: the SOA goes in the authority section."""
    if result.rcode == RCODE.NOERROR and not result.answer and not result.authority \
            and not result.external_target:
        result.authority.append(soa_record(domain, view.serial))
    return result


def _in_zone(owner: str, name: str, qtype: int, view: ClusterView, domain: str,
             depth: int) -> Answer:
    labels = name[:-len(domain)].rstrip(".").split(".") if name != domain else []
    if not labels:
        if qtype in (QTYPE.SOA, QTYPE.ANY):
            return Answer(answer=[soa_record(domain, view.serial)])
        return _nodata(view, domain)
    if labels == ["dns-version"]:
        if qtype in (QTYPE.TXT, QTYPE.ANY):
            return Answer(answer=[RR(owner, QTYPE.TXT, ttl=TTL, rdata=TXT(SCHEMA_VERSION))])
        return _nodata(view, domain)
    kind = labels[-1]
    if kind not in ("svc", "pod"):
        return _nxdomain(view, domain)
    if len(labels) == 1:
        return _nodata(view, domain)  # svc.<domain> and pod.<domain> exist, empty
    namespace = labels[-2]
    if kind == "pod":
        return _pod(owner, labels[:-2], namespace, qtype, view, domain)
    if len(labels) == 2:
        return _nodata(view, domain) if namespace in view.namespaces else _nxdomain(view, domain)
    service = view.services.get((namespace, labels[-3]))
    if service is None:
        return _nxdomain(view, domain)
    rest = labels[:-3]
    if not rest:
        return _finish(_service(owner, service, qtype, view, domain, depth), view, domain)
    if len(rest) == 2 and rest[0].startswith("_") and rest[1].startswith("_"):
        return _finish(_srv(owner, service, rest[0][1:], rest[1][1:], qtype, view, domain), view, domain)
    if len(rest) == 1 and rest[0].startswith("_"):
        return _nodata(view, domain)  # _proto.<svc>... is an empty non-terminal
    if len(rest) == 1:
        return _endpoint(owner, service, rest[0], qtype, view, domain)
    return _nxdomain(view, domain)


def _service(owner: str, service: ServiceInfo, qtype: int, view: ClusterView, domain: str,
             depth: int) -> Answer:
    if service.type == "ExternalName":
        return _external_name(owner, service, qtype, view, domain, depth)
    if qtype == QTYPE.SRV:
        return _srv(owner, service, "*", "*", qtype, view, domain)
    ips = ([e.address for e in view.serving_endpoints(service)] if service.headless
           else service.cluster_ips)
    return Answer(answer=[_address_record(owner, ip) for ip in ips if _wants(qtype, ip)])


def _external_name(owner: str, service: ServiceInfo, qtype: int, view: ClusterView, domain: str,
                   depth: int) -> Answer:
    target = service.external_name
    result = Answer(answer=[RR(owner, QTYPE.CNAME, ttl=TTL, rdata=CNAME(target + "."))])
    if qtype == QTYPE.CNAME:
        return result
    if target == domain or target.endswith("." + domain):
        if depth >= MAX_CNAME_CHAIN:
            return Answer(RCODE.SERVFAIL)
        chased = _in_zone(target + ".", target, qtype, view, domain, depth + 1)
        result.rcode = chased.rcode
        result.answer += chased.answer
        result.authority += chased.authority
        result.additional += chased.additional
        result.external_target = chased.external_target
        return result
    result.external_target = target
    return result


def _port_matches(port, port_name: str, protocol: str) -> bool:
    return (port_name in ("*", "any") or port.name == port_name) and \
        (protocol in ("*", "any") or port.protocol.lower() == protocol)


def _srv(owner: str, service: ServiceInfo, port_name: str, protocol: str, qtype: int,
         view: ClusterView, domain: str) -> Answer:
    """SRV for `_<port>._<proto>.<svc>.<ns>.svc.<domain>`: one per matching named port;
    for headless services one per ready endpoint, targeting the endpoint's own name."""
    base = f"{service.name}.{service.namespace}.svc.{domain}."
    wildcard = port_name == "*"
    if service.type == "ExternalName":
        return _nxdomain(view, domain)
    if service.headless:
        targets = [(f"{e.label}.{base}", p.port, e.address) for e in view.serving_endpoints(service)
                   for p in e.ports if (p.name or wildcard) and _port_matches(p, port_name, protocol)]
    else:
        targets = [(base, p.port, ip) for p in service.ports
                   if (p.name or wildcard) and _port_matches(p, port_name, protocol)
                   for ip in service.cluster_ips[:1]]
    if not targets:
        return _nxdomain(view, domain) if not wildcard else Answer()
    if qtype not in (QTYPE.SRV, QTYPE.ANY):
        return Answer()
    weight = max(1, 100 // len(targets))
    result = Answer()
    added: set[str] = set()
    for target, port, ip in targets:
        result.answer.append(RR(owner, QTYPE.SRV, ttl=TTL, rdata=SRV(0, weight, port, target)))
        if target not in added:
            added.add(target)
            ips = [ip] if service.headless else service.cluster_ips
            result.additional += [_address_record(target, address) for address in ips]
    return result


def _endpoint(owner: str, service: ServiceInfo, label: str, qtype: int, view: ClusterView,
              domain: str) -> Answer:
    """`<hostname or dashed IP>.<svc>.<ns>.svc.<domain>`: one endpoint's address (this is how
    a pod with hostname and subdomain set is named by its headless service)."""
    matches: list[EndpointInfo] = [e for e in view.serving_endpoints(service) if e.label == label]
    if not matches:
        return _nxdomain(view, domain)
    return _finish(Answer(answer=[_address_record(owner, e.address) for e in matches
                                  if _wants(qtype, e.address)]), view, domain)


def _pod(owner: str, rest: list[str], namespace: str, qtype: int, view: ClusterView,
         domain: str) -> Answer:
    """`pods insecure`: the address is read from the name, without looking the pod up."""
    if len(rest) != 1:
        return _nxdomain(view, domain)
    dashed = rest[0]
    try:
        ip = ipaddress.ip_address(dashed.replace("-", ".") if dashed.count("-") == 3 and ":" not in dashed
                                  else dashed.replace("-", ":"))
    except ValueError:
        return _nxdomain(view, domain)
    text = str(ip)
    return _finish(Answer(answer=[_address_record(owner, text)] if _wants(qtype, text) else []),
                   view, domain)


def reverse_name_ip(name: str) -> str | None:
    """The address a reverse name (`4.3.2.1.in-addr.arpa`, nibbles under `ip6.arpa`) stands for."""
    if name.endswith(".in-addr.arpa"):
        parts = name[:-len(".in-addr.arpa")].split(".")
        if len(parts) != 4:
            return None
        try:
            return str(ipaddress.IPv4Address(".".join(reversed(parts))))
        except ValueError:
            return None
    parts = name[:-len(".ip6.arpa")].split(".")
    if len(parts) != 32 or any(len(p) != 1 or p not in "0123456789abcdef" for p in parts):
        return None
    nibbles = "".join(reversed(parts))
    return str(ipaddress.IPv6Address(int(nibbles, 16)))


def _reverse(owner: str, name: str, qtype: int, view: ClusterView, domain: str) -> Answer | None:
    ip = reverse_name_ip(name)
    names = view.reverse.get(ip, []) if ip else []
    if not names:
        return None  # `fallthrough in-addr.arpa ip6.arpa`: the node's resolvers may know it
    if qtype not in (QTYPE.PTR, QTYPE.ANY):
        return Answer()
    return Answer(answer=[RR(owner, QTYPE.PTR, ttl=TTL, rdata=PTR(f"{n}.{domain}.")) for n in names])
