# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The websocket channel protocols of exec/attach/port-forward (*.channel.k8s.io)."""
from __future__ import annotations

import base64
import json

import pytest

from kybernetes.streaming import channels
from kybernetes.streaming.channels import ChannelProtocol, ChannelProtocolError


def test_binary_messages_carry_the_channel_in_the_first_byte():
    v4 = ChannelProtocol(channels.V4)
    assert v4.encode(channels.STDOUT, b"hello") == b"\x01hello"
    assert v4.decode(b"\x00typed") == (0, b"typed", False)
    assert v4.decode(b"") == (-1, b"", False)


def test_base64_protocols_use_text_messages():
    proto = ChannelProtocol(channels.V4_BASE64)
    message = proto.encode(channels.STDERR, b"\x00\xffbin")
    assert message == "2" + base64.b64encode(b"\x00\xffbin").decode()
    assert proto.decode(message) == (2, b"\x00\xffbin", False)
    assert proto.decode(b"1aGk=") == (1, b"hi", False)  # the frame type does not matter
    with pytest.raises(ChannelProtocolError):
        proto.decode("1not base64!")
    with pytest.raises(ChannelProtocolError):
        proto.decode("xaGk=")
    # the Python client sends text frames with a raw channel byte on binary protocols
    assert ChannelProtocol(channels.V5).decode("\x00typed\n") == (0, b"typed\n", False)


def test_v5_close_signal():
    v5 = ChannelProtocol(channels.V5)
    assert v5.decode(bytes([255, 0])) == (0, b"", True)
    assert v5.encode_close(1) == bytes([255, 1])
    with pytest.raises(ChannelProtocolError):
        v5.decode(bytes([255, 0, 1]))
    # before v5 byte 255 is only a channel number
    assert ChannelProtocol(channels.V4).decode(bytes([255, 0])) == (255, b"\x00", False)
    with pytest.raises(ChannelProtocolError):
        ChannelProtocol(channels.V4).encode_close(0)


def test_negotiation_follows_the_clients_order():
    supported = channels.REMOTE_COMMAND_PROTOCOLS
    assert channels.negotiate([channels.V5], supported) == channels.V5
    assert channels.negotiate(["v9.channel.k8s.io", channels.V4, channels.V5], supported) == channels.V4
    assert channels.negotiate([], supported) == ""
    assert channels.negotiate(["nonsense"], supported) is None
    # the Python client offers v5 and v4 for port-forward: the legacy protocol is v4
    assert channels.negotiate([channels.V5, channels.V4], channels.PORT_FORWARD_PROTOCOLS) == channels.V4
    assert channels.offered_protocols("v5.channel.k8s.io, v4.channel.k8s.io") == [channels.V5, channels.V4]


def test_protocol_versions():
    assert ChannelProtocol("").version == 1 and not ChannelProtocol("").status_errors
    assert ChannelProtocol(channels.PRE_V4_BASE64).base64
    assert ChannelProtocol(channels.V4).status_errors and not ChannelProtocol(channels.V4).has_close
    assert ChannelProtocol(channels.V5).has_close


def test_error_channel_status_for_exit_codes():
    v5 = ChannelProtocol(channels.V5)
    status = json.loads(channels.error_message(v5, ["sh", "-c", "exit 3"], 3))
    assert status["status"] == "Failure"
    assert status["reason"] == "NonZeroExitCode"
    assert status["details"]["causes"] == [{"reason": "ExitCode", "message": "3"}]
    assert json.loads(channels.error_message(v5, ["true"], 0)) == {"metadata": {}, "status": "Success"}
    failure = json.loads(channels.error_message(v5, ["x"], None, "exec failed"))
    assert failure["status"] == "Failure" and failure["message"] == "exec failed"
    old = ChannelProtocol(channels.PRE_V4)
    assert channels.error_message(old, ["true"], 0) is None
    assert b"exit status 2" in channels.error_message(old, ["false"], 2)


def test_resize_messages():
    assert channels.parse_resize(b'{"Width":120,"Height":40}') == [(120, 40)]
    assert channels.parse_resize(b'{"Width":80,"Height":24}\n{"Width":100,"Height":30}\n') == \
        [(80, 24), (100, 30)]
    assert channels.parse_resize(b'{"Width":1,"Height":2}{"Width":3,"Height":4}') == [(1, 2), (3, 4)]
    with pytest.raises(ChannelProtocolError):
        channels.parse_resize(b"{not json")
    with pytest.raises(ChannelProtocolError):
        channels.parse_resize(b'{"Width":-1,"Height":2}')


def test_legacy_port_forward_first_frames():
    v4 = ChannelProtocol(channels.V4)
    assert channels.port_forward_channels(0) == (0, 1)
    assert channels.port_forward_channels(2) == (4, 5)
    # the port, little-endian, after the channel byte
    assert channels.port_forward_first_message(v4, 0, 80) == bytes([0, 80, 0])
    assert channels.port_forward_first_message(v4, 3, 8080) == bytes([3, 0x90, 0x1F])
    b64 = ChannelProtocol(channels.V4_BASE64)
    assert b64.decode(channels.port_forward_first_message(b64, 1, 443)) == (1, bytes([0xBB, 0x01]), False)


def test_port_list():
    assert channels.parse_ports(["80,443", "8080"]) == [80, 443, 8080]
    assert channels.parse_ports([]) == []
    with pytest.raises(ChannelProtocolError, match='unable to parse "http" as a port'):
        channels.parse_ports(["http"])
    with pytest.raises(ChannelProtocolError, match="must be > 0"):
        channels.parse_ports(["0"])
    with pytest.raises(ChannelProtocolError):
        channels.parse_ports(["70000"])
