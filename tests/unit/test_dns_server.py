# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The DNS server over real loopback sockets: cluster answers, EDNS0, truncation and TCP,
forwarding to a stand-in upstream on 127.0.0.1, SERVFAIL when no upstream answers."""
from __future__ import annotations

import asyncio
import socket

import pytest
from dnslib import EDNS0, QTYPE, RCODE, DNSRecord

from kybernetes.dns.forward import Forwarder, parse_resolv_conf
from kybernetes.dns.server import DNSServer
from kybernetes.dns.static_server import StaticDNSServer
from kybernetes.dns.view import ClusterView


def big_view() -> ClusterView:
    svc = {"metadata": {"name": "many", "namespace": "default"},
           "spec": {"clusterIP": "None", "ports": [{"name": "http", "port": 80}]}}
    web = {"metadata": {"name": "web", "namespace": "default"},
           "spec": {"clusterIP": "10.96.0.20", "clusterIPs": ["10.96.0.20"]}}
    ext = {"metadata": {"name": "ext", "namespace": "default"},
           "spec": {"type": "ExternalName", "externalName": "example.org"}}
    endpoints = [{"addresses": [f"10.244.{i // 250}.{i % 250 + 1}"], "conditions": {"ready": True}}
                 for i in range(100)]
    slices = [{"metadata": {"name": "many-1", "namespace": "default",
                            "labels": {"kubernetes.io/service-name": "many"}},
               "addressType": "IPv4", "endpoints": endpoints, "ports": [{"name": "http", "port": 80}]}]
    return ClusterView([svc, web, ext], slices, ["default"])


def query(port: int, name: str, qtype: str = "A", tcp: bool = False, bufsize: int = 0) -> DNSRecord:
    request = DNSRecord.question(name, qtype)
    if bufsize:
        request.add_ar(EDNS0(udp_len=bufsize))
    return DNSRecord.parse(request.send("127.0.0.1", port, tcp=tcp, timeout=5))


async def with_server(upstreams, check):
    view = big_view()
    server = DNSServer(lambda: view, Forwarder(upstreams))
    port = await server.start("127.0.0.1", 0)
    try:
        await asyncio.get_running_loop().run_in_executor(None, check, port)
    finally:
        await server.stop()


def test_cluster_names_over_udp_and_tcp():
    def check(port):
        for tcp in (False, True):
            reply = query(port, "web.default.svc.cluster.local", tcp=tcp)
            assert reply.header.aa == 1 and reply.header.rcode == RCODE.NOERROR
            assert [str(rr.rdata) for rr in reply.rr] == ["10.96.0.20"]
        missing = query(port, "nope.default.svc.cluster.local")
        assert missing.header.rcode == RCODE.NXDOMAIN
        assert [rr.rtype for rr in missing.auth] == [QTYPE.SOA]
    asyncio.run(with_server([], check))


def test_big_answers_truncate_over_udp_unless_edns_allows_them():
    def check(port):
        small = query(port, "many.default.svc.cluster.local")
        assert small.header.tc == 1 and not small.rr
        full = query(port, "many.default.svc.cluster.local", tcp=True)
        assert full.header.tc == 0 and len(full.rr) == 100
        edns = query(port, "many.default.svc.cluster.local", bufsize=4096)
        assert edns.header.tc == 0 and len(edns.rr) == 100
        assert any(rr.rtype == QTYPE.OPT for rr in edns.ar)
    asyncio.run(with_server([], check))


def test_other_names_are_forwarded_and_truncation_retries_on_tcp():
    table = {"example.org": ["192.0.2.1"], "big.example": [f"192.0.2.{i}" for i in range(1, 60)]}
    with StaticDNSServer(table) as upstream:
        def check(port):
            reply = query(port, "example.org")
            assert [str(rr.rdata) for rr in reply.rr] == ["192.0.2.1"]
            assert query(port, "missing.example").header.rcode == RCODE.NXDOMAIN
            # the upstream truncates over UDP: the forwarder asks again over TCP
            big = query(port, "big.example", bufsize=4096)
            assert big.header.tc == 0 and len(big.rr) == 59
            # without EDNS0 the client gets TC and retries over TCP itself
            assert query(port, "big.example").header.tc == 1
            assert len(query(port, "big.example", tcp=True).rr) == 59
            # ExternalName to an outside name: the CNAME and the upstream's addresses
            ext = query(port, "ext.default.svc.cluster.local")
            assert [str(rr.rdata) for rr in ext.rr] == ["example.org.", "192.0.2.1"]
        asyncio.run(with_server([("127.0.0.1", upstream.port)], check))
        assert ("big.example", "udp") in upstream.queries
        assert ("big.example", "tcp") in upstream.queries


def test_unreachable_upstream_is_servfail():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:  # bound, never answers
        silent.bind(("127.0.0.1", 0))
        def check(port):
            reply = query(port, "example.org")
            assert reply.header.rcode == RCODE.SERVFAIL
        asyncio.run(with_server([silent.getsockname()], check))


def test_garbage_gets_formerr_and_short_packets_nothing():
    async def run():
        server = DNSServer(ClusterView, Forwarder([]))
        assert await server.handle(b"\x00\x01") is None
        reply = DNSRecord.parse(await server.handle(b"\x12\x34" + b"\x01\x00" + b"\x00\x05" + b"\xff" * 10))
        assert reply.header.id == 0x1234 and reply.header.rcode == RCODE.FORMERR
    asyncio.run(run())


@pytest.mark.parametrize("text,expected", [
    ("nameserver 192.0.2.53\nnameserver 10.96.0.10\nsearch x\n", [("192.0.2.53", 53)]),
    ("# comment\nnameserver fe80::1%eth0\noptions ndots:5\n", [("fe80::1", 53)]),
    ("nameserver not-an-ip\n", []),
])
def test_parse_resolv_conf(text, expected):
    assert parse_resolv_conf(text, skip={"10.96.0.10"}) == expected
