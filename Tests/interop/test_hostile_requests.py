"""Requests a hostile client can send, each one of which once stopped `basalt-broker`.

Every test sends one hand-built frame (minimised from a live_fuzz.py finding; the
docstring names the trap it hit) and requires that the broker either answers with a
well-formed Kafka error or closes that one connection, and then still answers ApiVersions
on a new connection. The frames are built field by field with the helpers below, in the
field order of kafka-compat.md §3.7.
"""
import socket
import struct
import subprocess
import time

import pytest

from conftest import BrokerProcess
from frame_mutator import frame_with_size, request_header
from live_fuzz import connect, describe_trap, probe, read_frame

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
    if problem is None and broker.process.poll() is None:
        return
    try:
        broker.process.wait(timeout=15)          # a trapping broker prints its backtrace, then exits
    except subprocess.TimeoutExpired:
        pytest.fail(f"broker is alive but {problem}; log:\n{tail(broker)}")
    pytest.fail(f"broker exited with {broker.process.returncode}: {describe_trap(broker.log())}")


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


def test_produce_topic_name_of_32767_bytes_with_null_records(broker):
    """Produce v7 to a valid-length (32,767-byte) topic name: the answer must still fit."""
    frame = (header(0, 7) + NULL + int16(1) + int32(30_000)
             + int32(1) + string(MAX_STRING) + int32(1) + int32(0) + int32(-1))
    body = send(broker, frame)
    if body is not None:
        produce_response_error(Reader(body))     # well-formed; any error code is fine
    assert_still_serving(broker)


def metadata_response_error(reader: Reader) -> int:
    reader.int32()                               # throttle_time_ms
    for _ in range(reader.int32()):              # brokers
        reader.int32(), reader.string(), reader.int32(), reader.string()
    reader.string(), reader.int32()              # cluster_id, controller_id
    assert reader.int32() == 1                   # topics
    return reader.int16()


def test_metadata_topic_name_of_11000_invalid_utf8_bytes(broker):
    """Metadata v4 for a topic named 11,000 × 0xFF, auto-create off: traps
    MetadataResponse.Topic.encode (MetadataResponse.swift:158) echoing the name."""
    frame = header(3, 4) + int32(1) + string(INVALID_UTF8_11000) + b"\x00"
    assert_error_or_closed(broker, send(broker, frame), metadata_response_error)
    assert_still_serving(broker)


def first_partition_error(reader: Reader, before_topics=(), partition_fields=()) -> int:
    """Error of the first partition of the first topic; `before_topics` are the body's leading
    int fields, `partition_fields` the ints between partition_index and error_code."""
    for fmt in before_topics:
        code = reader.take(fmt)
        if fmt == ">h" and code != 0:
            return code                          # a top-level error_code
    assert reader.int32() == 1
    reader.string()
    assert reader.int32() == 1
    reader.int32()
    for fmt in partition_fields:
        reader.take(fmt)
    return reader.int16()


def test_fetch_topic_name_of_11000_invalid_utf8_bytes(broker):
    """Fetch v11 (as librdkafka sends it) from a topic named 11,000 × 0xFF: traps
    FetchResponseEncoder.encode (FetchResponseEncoder.swift:25) echoing the name."""
    partition = int32(0) + int32(-1) + int64(0) + int64(-1) + int32(1 << 20)
    frame = (header(1, 11) + int32(-1) + int32(100) + int32(1) + int32(1 << 20) + b"\x00"
             + int32(0) + int32(-1) + int32(1) + string(INVALID_UTF8_11000) + int32(1) + partition
             + int32(0) + string(b""))
    body = send(broker, frame)
    assert_error_or_closed(broker, body, lambda r: first_partition_error(r, (">i", ">h", ">i")))
    assert_still_serving(broker)


def test_list_offsets_topic_name_of_11000_invalid_utf8_bytes(broker):
    """ListOffsets v5 for a topic named 11,000 × 0xFF: traps ListOffsetsResponse.Topic.encode
    (ListOffsetsResponse.swift:78) echoing the name. ListOffsets v2 traps the same way."""
    frame = (header(2, 5) + int32(-1) + b"\x00" + int32(1) + string(INVALID_UTF8_11000)
             + int32(1) + int32(0) + int32(-1) + int64(-1))
    body = send(broker, frame)
    assert_error_or_closed(broker, body, lambda r: first_partition_error(r, (">i",)))
    assert_still_serving(broker)


def test_offset_fetch_topic_name_of_11000_invalid_utf8_bytes(broker):
    """OffsetFetch v5 for a topic named 11,000 × 0xFF: traps OffsetFetchResponse.Topic.encode
    (OffsetFetchResponse.swift:79) echoing the name."""
    frame = header(9, 5) + string(b"group") + int32(1) + string(INVALID_UTF8_11000) + int32(1) + int32(0)

    # committed_metadata (a nullable string) sits before error_code: decoded by hand.
    def error_with_metadata(reader: Reader) -> int:
        reader.int32()
        assert reader.int32() == 1
        reader.string()
        assert reader.int32() == 1
        reader.int32(), reader.take(">q"), reader.int32(), reader.string()
        return reader.int16()
    assert_error_or_closed(broker, send(broker, frame), error_with_metadata)
    assert_still_serving(broker)


def create_topics_response_error(reader: Reader) -> int:
    reader.int32()                               # throttle_time_ms
    assert reader.int32() == 1
    reader.string()
    return reader.int16()


def create_topics_v4(name: bytes) -> bytes:
    return (header(19, 4) + int32(1) + string(name) + int32(1) + int16(1) + int32(0) + int32(0)
            + int32(30_000) + b"\x00")


def test_create_topics_name_of_11000_invalid_utf8_bytes(broker):
    """CreateTopics v4 for a topic named 11,000 × 0xFF: traps CreateTopicsResponse.Topic.encode
    (CreateTopicsResponse.swift:33) echoing the name."""
    body = send(broker, create_topics_v4(INVALID_UTF8_11000))
    assert_error_or_closed(broker, body, create_topics_response_error, {INVALID_TOPIC_EXCEPTION, INVALID_REQUEST})
    assert_still_serving(broker)


def test_create_topics_name_of_32767_bytes(broker):
    """CreateTopics v4 for a 32,767-byte (valid UTF-8, too long for a topic) name: the error
    message quotes the name and traps CreateTopicsResponse.Topic.encode
    (CreateTopicsResponse.swift:36, error_message)."""
    body = send(broker, create_topics_v4(MAX_STRING))
    assert_error_or_closed(broker, body, create_topics_response_error, {INVALID_TOPIC_EXCEPTION, INVALID_REQUEST})
    assert_still_serving(broker)


def test_delete_topics_name_of_11000_invalid_utf8_bytes(broker):
    """DeleteTopics v3 of a topic named 11,000 × 0xFF: traps DeleteTopicsResponse.Result.encode
    (DeleteTopicsResponse.swift:29) echoing the name."""
    frame = header(20, 3) + int32(1) + string(INVALID_UTF8_11000) + int32(30_000)
    body = send(broker, frame)
    assert_error_or_closed(broker, body, lambda r: (r.int32(), r.int32(), r.string(), r.int16())[-1])
    assert_still_serving(broker)


def test_offset_commit_topic_name_of_11000_invalid_utf8_bytes(broker):
    """OffsetCommit v7 (generation −1, as a consumer without a group does) for a topic named
    11,000 × 0xFF: traps OffsetCommitResponse.Topic.encode (OffsetCommitResponse.swift:53)."""
    partition = int32(0) + int64(5) + int32(-1) + NULL
    frame = (header(8, 7) + string(b"group") + int32(-1) + string(b"") + NULL
             + int32(1) + string(INVALID_UTF8_11000) + int32(1) + partition)
    body = send(broker, frame)
    assert_error_or_closed(broker, body, lambda r: first_partition_error(r, (">i",)))
    assert_still_serving(broker)


def test_describe_configs_topic_name_of_11000_invalid_utf8_bytes(broker):
    """DescribeConfigs v1 of a topic resource named 11,000 × 0xFF: traps
    DescribeConfigsResponse.Result.encode (DescribeConfigsResponse.swift:140)."""
    frame = header(32, 1) + int32(1) + b"\x02" + string(INVALID_UTF8_11000) + int32(-1) + b"\x00"
    body = send(broker, frame)
    assert_error_or_closed(broker, body, lambda r: (r.int32(), r.int32(), r.int16())[-1])
    assert_still_serving(broker)


def test_offset_for_leader_epoch_topic_name_of_11000_invalid_utf8_bytes(broker):
    """OffsetForLeaderEpoch v2 (librdkafka's only version) for a topic named 11,000 × 0xFF:
    traps OffsetForLeaderEpochResponse.Topic.encode (OffsetForLeaderEpochResponse.swift:64)."""
    frame = (header(23, 2) + int32(1) + string(INVALID_UTF8_11000)
             + int32(1) + int32(0) + int32(-1) + int32(0))

    def error(reader: Reader) -> int:
        reader.int32()
        assert reader.int32() == 1
        reader.string()
        assert reader.int32() == 1
        return reader.int16()
    assert_error_or_closed(broker, send(broker, frame), error)
    assert_still_serving(broker)


def test_create_topics_config_value_of_32767_bytes(broker):
    """CreateTopics v4 with cleanup.policy = 32,767 bytes: the error message quotes
    "unsupported topic setting name=value" and traps CreateTopicsResponse.Topic.encode
    (CreateTopicsResponse.swift:36, error_message), like a 32,767-byte name does."""
    frame = (header(19, 4) + int32(1) + string(b"configured") + int32(1) + int16(1) + int32(0)
             + int32(1) + string(b"cleanup.policy") + string(MAX_STRING) + int32(30_000) + b"\x00")
    body = send(broker, frame)
    assert_error_or_closed(broker, body, create_topics_response_error, {40, INVALID_REQUEST})
    assert_still_serving(broker)
