# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""A small authoritative DNS server answering from a fixed table, on UDP and TCP in
background threads (dnslib's socketserver DNS server). It stands in for the node's
upstream resolvers in tests and in bench/dns.py, so no query ever leaves the machine.
Answers over UDP larger than 512 bytes come back truncated, as a classic server's do."""
from __future__ import annotations

import socket
import threading

from dnslib import QTYPE, RCODE, RR, A, DNSRecord
from dnslib.server import BaseResolver, DNSHandler, DNSLogger, DNSServer


class _TableResolver(BaseResolver):
    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = {name.rstrip(".").lower(): ips for name, ips in table.items()}
        self.queries: list[tuple[str, str]] = []  # (name, protocol) seen, for tests
        self.lock = threading.Lock()

    def resolve(self, request: DNSRecord, handler: DNSHandler) -> DNSRecord:
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        with self.lock:
            self.queries.append((name, handler.protocol))
        ips = self.table.get(name)
        if ips is None:
            reply.header.rcode = RCODE.NXDOMAIN
        elif request.q.qtype in (QTYPE.A, QTYPE.ANY):
            for ip in ips:
                reply.add_answer(RR(request.q.qname, QTYPE.A, ttl=60, rdata=A(ip)))
        return reply


class _ClassicHandler(DNSHandler):
    udplen = 512


class StaticDNSServer:
    """`StaticDNSServer({"example.org": ["192.0.2.1"]}).start()` listens on 127.0.0.1 and a
    free port (the same for UDP and TCP), or on `port`; `stop()` ends both threads."""

    def __init__(self, table: dict[str, list[str]], host: str = "127.0.0.1", port: int = 0) -> None:
        self.resolver = _TableResolver(table)
        self.host = host
        self.requested_port = port
        self.port = 0
        self._servers: list[DNSServer] = []

    @property
    def queries(self) -> list[tuple[str, str]]:
        with self.resolver.lock:
            return list(self.resolver.queries)

    def start(self) -> "StaticDNSServer":
        quiet = DNSLogger("-recv,-send,-request,-reply,-truncated,-error,-data", prefix=False)
        for _ in range(1 if self.requested_port else 10):
            port = self.requested_port
            if not port:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                    probe.bind((self.host, 0))
                    port = probe.getsockname()[1]
            udp = None
            try:
                udp = DNSServer(self.resolver, self.host, port, logger=quiet, handler=_ClassicHandler)
                tcp = DNSServer(self.resolver, self.host, port, tcp=True, logger=quiet,
                                handler=_ClassicHandler)
            except OSError:
                if udp is not None:
                    udp.server.server_close()
                if self.requested_port:
                    raise
                continue
            self._servers = [udp, tcp]
            for server in self._servers:
                server.start_thread()
            self.port = port
            return self
        raise OSError("no free port for the static DNS server")

    def stop(self) -> None:
        for server in self._servers:
            server.stop()
            server.server.server_close()
        self._servers = []

    def __enter__(self) -> "StaticDNSServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
