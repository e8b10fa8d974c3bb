"""Requests a hostile client can send, each one of which once stopped `basalt-broker`.

Every test sends one hand-built frame (minimised from a live_fuzz.py finding; the
docstring names the trap it hit) and requires that the broker either answers with a
well-formed Kafka error or closes that one connection, and then still answers ApiVersions
on a new connection. The frames are built field by field with the helpers below, in the
field order of kafka-compat.md §3.7.
"""
import socket
import struct
import time

import pytest

from conftest import BrokerProcess
from frame_mutator import frame_with_size, request_header
from live_fuzz import connect, probe, read_frame

INVALID_TOPIC_EXCEPTION = 17
INVALID_REQUEST = 42
CORRELATION_ID = 0x686F7374          # "host"
ANSWER_SECONDS = 10.0


def string(value: bytes) -> bytes:
    return struct.pack(">h", len(value)) + value


def compact_string(value: bytes) -> bytes:
    out, n = bytearray(), len(value) + 1
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    return bytes(out + bytes([n])) + value


def int16(value: int) -> bytes:
    return struct.pack(">h", value)


def int32(value: int) -> bytes:
    return struct.pack(">i", value)


def int64(value: int) -> bytes:
    return struct.pack(">q", value)


NULL = int16(-1)
INVALID_UTF8_11000 = b"\xff" * 11_000           # 33,000 bytes once each byte becomes U+FFFD
MAX_STRING = b"a" * 32_767


def header(api_key: int, version: int, client_id: bytes = b"hostile") -> bytes:
    return request_header(api_key, version, CORRELATION_ID, client_id)


class Reader:
    """Reads a response body field by field; raises on truncation, which fails the test."""

    def __init__(self, data: bytes):
        self.data, self.offset = data, 0

    def take(self, fmt: str):
        (value,) = struct.unpack_from(fmt, self.data, self.offset)
        self.offset += struct.calcsize(fmt)
        return value

    def int16(self) -> int:
        return self.take(">h")

    def int32(self) -> int:
        return self.take(">i")

    def string(self) -> bytes:
        length = self.int16()
        value = self.data[self.offset:self.offset + max(length, 0)]
        assert len(value) == max(length, 0), "truncated string in response"
        self.offset += max(length, 0)
        return value


@pytest.fixture
def broker(tmp_path):
    """A broker that may die during the test (the test says so); stopped or reaped afterwards."""
    process = BrokerProcess(tmp_path / "data", tmp_path / "broker.log").start()
    yield process
    if process.process is not None and process.process.poll() is None:
        process.stop()
    elif process.process is not None:
        process.log_file.close()


def send(broker: BrokerProcess, frame: bytes):
    """Sends one request; returns its response body after the correlation id, or None if the
    broker closed the connection. Fails if the broker does neither in time."""
    with connect(broker.port, ANSWER_SECONDS) as sock:
        try:
            sock.sendall(frame_with_size(frame))
            response = read_frame(sock, time.monotonic() + ANSWER_SECONDS)
        except socket.timeout:
            pytest.fail(f"no answer and no close within {ANSWER_SECONDS} s; broker log:\n{tail(broker)}")
        except ConnectionResetError:
            response = None
    if response is not None:
        (correlation_id,) = struct.unpack_from(">i", response, 0)
        assert correlation_id == CORRELATION_ID
        return response[4:]
    return None


def tail(broker: BrokerProcess) -> str:
    return "\n".join(broker.log().splitlines()[:12])


def assert_still_serving(broker: BrokerProcess) -> None:
    problem = probe(broker.port, 0x70726F62, 0, 5.0)
    alive = broker.process.poll() is None
    assert alive and problem is None, (
        f"broker {'is alive but ' + problem if alive else 'exited with ' + str(broker.process.returncode)}; "
        f"log:\n{tail(broker)}")


def assert_error_or_closed(broker, body, decode_error, allowed=None):
    """The one connection was closed, or the answer carries a non-zero error code (one of `allowed`)."""
    if body is None:
        return
    code = decode_error(Reader(body))
    assert code != 0, "the hostile request was accepted"
    if allowed is not None:
        assert code in allowed, f"error code {code}, expected one of {sorted(allowed)}"


# ---------------------------------------------------------------------------------------
# Echoed strings that outgrow int16 (client id inflated into a member id, invalid UTF-8
# inflated by U+FFFD replacement). Trap: ByteBuffer+KafkaWrite.swift:88 "Kafka strings are
# limited to 32767 UTF-8 bytes", via the response encoder named in each docstring.


def test_joingroup_with_32767_byte_client_id(broker):
    """JoinGroup v5, empty member id, client id of 32,767 bytes: the broker makes the member
    id client id + "-" + UUID (32,804 bytes) and traps encoding it (JoinGroupResponse)."""
    frame = (header(11, 5, client_id=MAX_STRING) + string(b"group") + int32(10_000) + int32(30_000)
             + string(b"") + NULL + string(b"consumer") + int32(1) + string(b"range") + int32(0))
    body = send(broker, frame)
    if body is not None:
        reader = Reader(body)
        reader.int32()                           # throttle_time_ms
        code = reader.int16()
        reader.int32()                           # generation_id
        reader.string(), reader.string()         # protocol_name, leader
        member_id = reader.string()
        assert len(member_id) <= 32_767
        assert code != 0 or member_id, "joined with an empty member id"
    assert_still_serving(broker)


def produce_response_error(reader: Reader) -> int:
    assert reader.int32() == 1                   # responses
    reader.string()                              # name
    assert reader.int32() == 1                   # partition_responses
    reader.int32()                               # index
    return reader.int16()


def test_produce_topic_name_of_11000_invalid_utf8_bytes(broker):
    """Produce v7 to a topic named 11,000 × 0xFF: decoded as 11,000 U+FFFD (33,000 bytes), the
    echoed name traps ProduceResponse's encoder."""
    frame = (header(0, 7) + NULL + int16(1) + int32(30_000)
             + int32(1) + string(INVALID_UTF8_11000) + int32(1) + int32(0) + int32(-1))
    body = send(broker, frame)
    assert_error_or_closed(broker, body, produce_response_error,
                           {INVALID_TOPIC_EXCEPTION, INVALID_REQUEST, 3})
    assert_still_serving(broker)
