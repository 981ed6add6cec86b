# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""SPDY/3.1 framing, header compression and the session state machine, and the
remote-command and port-forward stream layers on top of it."""
from __future__ import annotations

import struct
import zlib

import pytest

from kybernetes.streaming import portforward, remotecommand, spdy


def test_dictionary_is_the_spdy3_one():
    # SPDY/3 section 2.6.10.1: length-prefixed names then common values, 1423 bytes
    assert len(spdy.DICTIONARY) == 1423
    assert spdy.DICTIONARY.startswith(b"\x00\x00\x00\x07options\x00\x00\x00\x04head")
    assert b"\x00\x00\x00\x06200 OK\x00\x00\x00\x07version" in spdy.DICTIONARY
    assert spdy.DICTIONARY.endswith(b"utf-,*,enq=0.")


def test_control_frames_have_the_spec_layout():
    framer = spdy.Framer()
    assert framer.encode(spdy.Ping(1)) == bytes.fromhex("80030006 00000004 00000001")
    assert framer.encode(spdy.RstStream(1, spdy.CANCEL)) == \
        bytes.fromhex("80030003 00000008 00000001 00000005")
    assert framer.encode(spdy.GoAway(7, 0)) == bytes.fromhex("80030007 00000008 00000007 00000000")
    assert framer.encode(spdy.WindowUpdate(3, 65536)) == \
        bytes.fromhex("80030009 00000008 00000003 00010000")
    assert framer.encode(spdy.Settings([(0, spdy.SETTINGS_INITIAL_WINDOW_SIZE, 1024)])) == \
        bytes.fromhex("80030004 0000000c 00000001 00000007 00000400")
    assert framer.encode(spdy.Data(3, b"ab", spdy.FLAG_FIN)) == bytes.fromhex("00000003 01000002 6162")


def test_frames_round_trip_whatever_the_chunking():
    sender, receiver = spdy.Framer(), spdy.Framer()
    frames = [spdy.SynStream(1, {"streamtype": ["error"], "port": ["80"]}, priority=2),
              spdy.SynReply(1, {}), spdy.Headers(1, {"x": ["a", "b"]}, spdy.FLAG_FIN),
              spdy.Data(1, b"x" * 70000), spdy.RstStream(3, spdy.REFUSED_STREAM),
              spdy.Settings([(1, 4, 100), (0, 7, 65536)]), spdy.Ping(2), spdy.GoAway(5, 1),
              spdy.WindowUpdate(0, 10), spdy.Data(5, b"", spdy.FLAG_FIN)]
    wire = b"".join(sender.encode(f) for f in frames)
    decoded = []
    for start in range(0, len(wire), 7):  # arbitrary TCP segmentation
        decoded.extend(receiver.feed(wire[start:start + 7]))
    assert decoded == frames


def test_header_blocks():
    block = spdy.encode_header_block({"Port": ["80"], "X": ["a", "b"]})
    assert block == (b"\x00\x00\x00\x02" + b"\x00\x00\x00\x04port" + b"\x00\x00\x00\x0280"
                     + b"\x00\x00\x00\x01x" + b"\x00\x00\x00\x03a\x00b")
    assert spdy.decode_header_block(block) == {"port": ["80"], "x": ["a", "b"]}
    with pytest.raises(spdy.SpdyProtocolError):
        spdy.decode_header_block(block[:-2])


def test_header_compression_uses_the_dictionary_and_one_context():
    framer = spdy.Framer()
    first = framer.compress({"streamtype": ["data"]})
    # zlib header with FDICT set (RFC 1950) and the dictionary's Adler-32 as DICTID
    assert first[:2] == b"\x78\xbb"
    assert first[2:6] == struct.pack(">I", zlib.adler32(spdy.DICTIONARY))
    second = framer.compress({"streamtype": ["error"]})
    assert second[:2] != b"\x78\xbb"  # same stream, no new zlib header
    # a peer's own zlib stream with the dictionary decodes in order
    peer = zlib.compressobj(9, zlib.DEFLATED, 15, 8, zlib.Z_DEFAULT_STRATEGY, spdy.DICTIONARY)
    blocks = [peer.compress(spdy.encode_header_block(h)) + peer.flush(zlib.Z_SYNC_FLUSH)
              for h in ({"streamtype": ["stdin"]}, {"streamtype": ["stdout"]})]
    receiver = spdy.Framer()
    syns = [receiver._control(spdy.SYN_STREAM, 0, struct.pack(">IIBB", sid, 0, 0, 0) + b)
            for sid, b in ((1, blocks[0]), (3, blocks[1]))]
    decoded = receiver.feed(b"".join(syns))
    assert [f.headers for f in decoded] == [{"streamtype": ["stdin"]}, {"streamtype": ["stdout"]}]


def test_bad_input_is_a_protocol_error():
    with pytest.raises(spdy.SpdyProtocolError, match="version"):
        spdy.Framer().feed(bytes.fromhex("80020006 00000004 00000001"))
    with pytest.raises(spdy.SpdyProtocolError, match="compression"):
        spdy.Framer().feed(bytes.fromhex("80030002 00000008 00000001") + b"junk")
    # unknown control frame types are ignored
    assert spdy.Framer().feed(bytes.fromhex("800300ff 00000000")) == []


def client_frames(*frames) -> bytes:
    client = spdy.Framer()
    return b"".join(client.encode(f) for f in frames)


def test_session_streams_data_and_replies():
    session, peer = spdy.Session(), spdy.Framer()
    wire = b"".join(peer.encode(f) for f in (
        spdy.SynStream(1, {"streamtype": ["stdin"]}), spdy.Data(1, b"input"),
        spdy.Data(1, b"", spdy.FLAG_FIN)))
    events = session.receive(wire)
    assert events == [spdy.StreamOpened(1, {"streamtype": ["stdin"]}, False),
                      spdy.DataReceived(1, b"input", False), spdy.DataReceived(1, b"", True)]
    session.reply(1)
    session.reply(1)  # once only
    assert session.send_data(1, b"out") == 3
    session.close_stream(1)
    assert 1 not in session.streams  # both sides closed
    answer = peer.feed(session.take_outbound())
    assert answer == [spdy.SynReply(1, {}), spdy.Data(1, b"out"), spdy.Data(1, b"", spdy.FLAG_FIN)]
    assert session.send_data(1, b"late") == 0


def test_session_pings_and_protocol_errors():
    session, peer = spdy.Session(), spdy.Framer()
    session.receive(client_frames(spdy.Ping(5), spdy.Ping(6)))
    assert peer.feed(session.take_outbound()) == [spdy.Ping(5)]  # only the peer's (odd) pings
    session.receive(client_frames(spdy.SynStream(2, {})))  # client streams are odd
    session.receive(client_frames(spdy.Data(9, b"x")))
    assert peer.feed(session.take_outbound()) == [spdy.RstStream(2, spdy.PROTOCOL_ERROR),
                                                  spdy.RstStream(9, spdy.INVALID_STREAM)]


def test_session_goaway_and_reset():
    session, peer = spdy.Session(), spdy.Framer()
    session.receive(client_frames(spdy.SynStream(1, {})))
    assert session.receive(client_frames(spdy.RstStream(1, spdy.CANCEL))) == [spdy.StreamReset(1, spdy.CANCEL)]
    assert session.receive(client_frames(spdy.GoAway(1, 0))) == [spdy.SessionEnded(1, 0)]
    fresh = spdy.Framer()
    session2 = spdy.Session()
    session2.receive(fresh.encode(spdy.SynStream(1, {})))
    session2.goaway()
    session2.receive(fresh.encode(spdy.SynStream(3, {})))
    out = peer.feed(session2.take_outbound())
    assert out == [spdy.GoAway(1, 0), spdy.RstStream(3, spdy.REFUSED_STREAM)]


def test_flow_control_when_enforced():
    session, peer = spdy.Session(enforce_flow_control=True), spdy.Framer()
    session.receive(peer.encode(spdy.SynStream(1, {})))
    assert session.send_data(1, b"x" * 70000) == spdy.DEFAULT_WINDOW
    assert session.sendable(1) == 0
    session.receive(peer.encode(spdy.WindowUpdate(1, 100)) + peer.encode(spdy.WindowUpdate(0, 50)))
    assert session.sendable(1) == 50  # the session window is the smaller
    session.receive(peer.encode(spdy.Settings([(0, spdy.SETTINGS_INITIAL_WINDOW_SIZE, 2 * spdy.DEFAULT_WINDOW)])))
    assert session.streams[1].send_window == 100 + spdy.DEFAULT_WINDOW
    # receiving past our window resets the stream
    events = session.receive(peer.encode(spdy.Data(1, b"y" * (spdy.DEFAULT_WINDOW + 1))))
    assert events == [spdy.StreamReset(1, spdy.FLOW_CONTROL_ERROR)]


def test_flow_control_not_enforced_for_spdystream_peers():
    session, peer = spdy.Session(), spdy.Framer()
    session.receive(peer.encode(spdy.SynStream(1, {})))
    assert session.send_data(1, b"x" * 200000) == 200000
    events = session.receive(peer.encode(spdy.Data(1, b"y" * 100000)))
    assert events == [spdy.DataReceived(1, b"y" * 100000, False)]


def test_consumed_data_is_credited_back():
    session, peer = spdy.Session(), spdy.Framer()
    session.receive(peer.encode(spdy.SynStream(1, {})) + peer.encode(spdy.Data(1, b"z" * 40000)))
    session.take_outbound()
    session.consumed(1, 10000)
    assert session.take_outbound() == b""
    session.consumed(1, 30000)
    assert peer.feed(session.take_outbound()) == [spdy.WindowUpdate(1, 40000), spdy.WindowUpdate(0, 40000)]


# ------------------------------------------------------------------ remote command streams
def test_remote_command_negotiation_and_expected_streams():
    offered = remotecommand.offered(["v5.channel.k8s.io", "v4.channel.k8s.io, v3.channel.k8s.io"])
    assert remotecommand.negotiate(offered) == remotecommand.V4  # v5 is websocket-only
    assert remotecommand.negotiate(["v9"]) is None
    assert remotecommand.expected_streams(remotecommand.V4, stdin=True, stdout=True, stderr=True,
                                          tty=True) == {"error", "stdin", "stdout", "resize"}
    assert remotecommand.expected_streams(remotecommand.V2, stdin=False, stdout=True, stderr=True,
                                          tty=True) == {"error", "stdout"}
    assert remotecommand.expected_streams(remotecommand.V4, stdin=False, stdout=True, stderr=True,
                                          tty=False) == {"error", "stdout", "stderr"}


def test_remote_command_stream_set():
    streams = remotecommand.StreamSet({"error", "stdout"})
    assert streams.add(1, {"streamtype": ["error"]}) == "error"
    assert not streams.complete
    streams.add(3, {"streamtype": ["stdout"]})
    assert streams.complete and streams.type_of(3) == "stdout"
    with pytest.raises(remotecommand.RemoteCommandError):
        streams.add(5, {"streamtype": ["stdout"]})
    with pytest.raises(remotecommand.RemoteCommandError):
        streams.add(7, {"streamtype": ["bogus"]})
    assert b"NonZeroExitCode" in remotecommand.error_stream_message(remotecommand.V4, ["x"], 2)
    assert remotecommand.error_stream_message(remotecommand.V3, ["x"], 0) is None


# ------------------------------------------------------------------ port-forward streams
def test_port_forward_pairs_by_request_id():
    pairs = portforward.Pairs()
    assert pairs.add(1, {"streamtype": ["error"], "port": ["80"], "requestid": ["0"]}) is None
    assert pairs.add(3, {"streamtype": ["error"], "port": ["81"], "requestid": ["1"]}) is None
    pair = pairs.add(5, {"streamtype": ["data"], "port": ["80"], "requestid": ["0"]})
    assert (pair.port, pair.error_stream, pair.data_stream) == (80, 1, 5)
    assert list(pairs.pending) == ["1"]
    pairs.forget_stream(3)
    assert not pairs.pending


def test_port_forward_pairs_without_request_id_and_errors():
    pairs = portforward.Pairs()
    assert pairs.add(1, {"streamtype": ["error"], "port": ["80"]}) is None
    assert pairs.add(3, {"streamtype": ["data"], "port": ["80"]}).data_stream == 3
    with pytest.raises(portforward.PortForwardError, match='unable to parse "x" as a port'):
        pairs.add(5, {"streamtype": ["data"], "port": ["x"]})
    with pytest.raises(portforward.PortForwardError, match="must be > 0"):
        pairs.add(5, {"streamtype": ["data"], "port": ["0"]})
    with pytest.raises(portforward.PortForwardError, match="port header is required"):
        pairs.add(5, {"streamtype": ["data"]})
    with pytest.raises(portforward.PortForwardError, match="invalid stream type"):
        pairs.add(5, {"streamtype": ["other"], "port": ["1"]})
    assert portforward.forward_error(80, "web", "u1", "refused") == \
        b"error forwarding port 80 to pod web, uid u1: refused"
