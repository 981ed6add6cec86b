# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The DNS server: UDP and TCP on one address and port, dnslib for the wire format, the
answer function for cluster names and the forwarder for everything else."""
from __future__ import annotations

import asyncio
import errno
import logging
import socket
import struct
from typing import Callable

from dnslib import EDNS0, OPCODE, QTYPE, RCODE, DNSError, DNSHeader, DNSQuestion, DNSRecord

from kybernetes.dns.forward import Forwarder
from kybernetes.dns.records import answer
from kybernetes.dns.view import ClusterView

log = logging.getLogger("kybernetes.dns")

CLASSIC_UDP_SIZE = 512  # without EDNS0 (RFC 1035)
SERVER_UDP_SIZE = 1232  # what we advertise: the DNS flag day 2020 value, as CoreDNS


def _client_udp_size(request: DNSRecord) -> int:
    for rr in request.ar:
        if rr.rtype == QTYPE.OPT:
            return max(CLASSIC_UDP_SIZE, rr.rclass)
    return CLASSIC_UDP_SIZE


def _has_edns(request: DNSRecord) -> bool:
    return any(rr.rtype == QTYPE.OPT for rr in request.ar)


def _error_reply(data: bytes, rcode: int) -> bytes | None:
    """A bare error answer for a message we could not parse (FORMERR), if it has a header."""
    if len(data) < 12:
        return None
    query_id = struct.unpack("!H", data[:2])[0]
    return DNSRecord(DNSHeader(id=query_id, qr=1, rcode=rcode)).pack()


def _truncate_packet(packet: bytes) -> bytes:
    """A header-and-question copy of a packed reply, with TC set."""
    try:
        return DNSRecord.parse(packet).truncate().pack()
    except (DNSError, struct.error, ValueError, IndexError):
        return packet[:12]


class DNSServer:
    def __init__(self, view: Callable[[], ClusterView], forwarder: Forwarder,
                 domain: str = "cluster.local") -> None:
        self.view = view
        self.forwarder = forwarder
        self.domain = domain.rstrip(".").lower()
        self.port = 0
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.AbstractServer | None = None

    # ------------------------------------------------------------ one message
    async def handle(self, data: bytes, over_tcp: bool = False) -> bytes | None:
        try:
            request = DNSRecord.parse(data)
        except (DNSError, struct.error, ValueError, IndexError):
            return _error_reply(data, RCODE.FORMERR)
        if request.header.qr:
            return None  # a response sent to us: never answer it
        if request.header.opcode != OPCODE.QUERY:
            reply = request.reply()
            reply.header.rcode = RCODE.NOTIMP
            return reply.pack()
        if len(request.questions) != 1:
            reply = request.reply()
            reply.header.rcode = RCODE.FORMERR
            return reply.pack()
        question = request.q
        result = answer(str(question.qname), question.qtype, self.view(), self.domain)
        if result is None:
            forwarded = await self.forwarder.forward(data, over_tcp)
            if forwarded is None:
                reply = request.reply()
                reply.header.aa = 0
                reply.header.rcode = RCODE.SERVFAIL
                return self._finish(request, reply, over_tcp)
            if not over_tcp and len(forwarded) > _client_udp_size(request):
                return _truncate_packet(forwarded)  # an upstream TCP answer too big for UDP
            return forwarded
        reply = request.reply()
        reply.header.rcode = result.rcode
        for rr in result.answer:
            reply.add_answer(rr)
        for rr in result.authority:
            reply.add_auth(rr)
        for rr in result.additional:
            reply.add_ar(rr)
        if result.external_target:
            await self._resolve_external(result.external_target, question.qtype, reply)
        return self._finish(request, reply, over_tcp)

    async def _resolve_external(self, target: str, qtype: int, reply: DNSRecord) -> None:
        """An ExternalName's out-of-cluster target, looked up upstream (CoreDNS resolves
        such CNAMEs itself so clients get the addresses in one answer)."""
        query = DNSRecord(DNSHeader(rd=1), q=DNSQuestion(target + ".", qtype))
        forwarded = await self.forwarder.forward(query.pack())
        if forwarded is None:
            return
        try:
            upstream = DNSRecord.parse(forwarded)
        except (DNSError, struct.error, ValueError, IndexError):
            return
        for rr in upstream.rr:
            reply.add_answer(rr)
        if upstream.header.rcode != RCODE.NOERROR:
            reply.header.rcode = upstream.header.rcode

    def _finish(self, request: DNSRecord, reply: DNSRecord, over_tcp: bool) -> bytes:
        if _has_edns(request):
            reply.add_ar(EDNS0(udp_len=SERVER_UDP_SIZE))
        packed = reply.pack()
        if not over_tcp and len(packed) > _client_udp_size(request):
            truncated = reply.truncate()  # header and question, TC set: the client retries on TCP
            truncated.header.rcode = reply.header.rcode
            if _has_edns(request):
                truncated.add_ar(EDNS0(udp_len=SERVER_UDP_SIZE))
            packed = truncated.pack()
        return packed

    # ------------------------------------------------------------ sockets
    async def start(self, host: str, port: int) -> int:
        """Listen on UDP and TCP `host:port` (port 0: a free port, the same for both);
        the port listened on."""
        loop = asyncio.get_running_loop()
        attempts = 1 if port else 10
        for attempt in range(attempts):
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _UDPProtocol(self), local_addr=(host, port),
                family=socket.AF_INET6 if ":" in host else socket.AF_INET)
            chosen = transport.get_extra_info("sockname")[1]
            try:
                self._tcp = await asyncio.start_server(self._serve_tcp, host, chosen, reuse_address=True)
            except OSError:
                transport.close()
                if attempt == attempts - 1:
                    raise
                continue  # a free UDP port whose TCP twin is taken: try another
            self._udp = transport
            self.port = chosen
            return chosen
        raise OSError(errno.EADDRINUSE, "no free port for DNS")

    async def stop(self) -> None:
        if self._udp is not None:
            self._udp.close()
            self._udp = None
        if self._tcp is not None:
            self._tcp.close()
            await self._tcp.wait_closed()
            self._tcp = None

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:  # a client may send several queries on one connection (RFC 7766)
                header = await asyncio.wait_for(reader.readexactly(2), 10)
                (length,) = struct.unpack("!H", header)
                data = await reader.readexactly(length)
                reply = await self.handle(data, over_tcp=True)
                if reply is not None:
                    writer.write(struct.pack("!H", len(reply)) + reply)
                    await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.TimeoutError, ConnectionError):
            pass
        except Exception:
            log.exception("DNS over TCP failed")
        finally:
            writer.close()


class _UDPProtocol(asyncio.DatagramProtocol):
    def __init__(self, server: DNSServer) -> None:
        self.server = server
        self.transport: asyncio.DatagramTransport | None = None
        self.pending: set[asyncio.Task] = set()  # held so running replies are not collected

    def connection_made(self, transport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr) -> None:
        task = asyncio.ensure_future(self._reply(data, addr))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    async def _reply(self, data: bytes, addr) -> None:
        try:
            reply = await self.server.handle(data)
        except Exception:
            log.exception("DNS query from %s failed", addr)
            reply = _error_reply(data, RCODE.SERVFAIL)
        if reply is not None and self.transport is not None and not self.transport.is_closing():
            self.transport.sendto(reply, addr)
