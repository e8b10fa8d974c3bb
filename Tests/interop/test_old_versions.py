"""Old request versions Kafka 3.9 still accepts, checked with hand-built frames.

Produce v0–2 carry message sets of magic 0/1 that the broker converts to record batches
v2; Fetch v0–3 get them back down-converted (v0–1 magic 0, v2–3 magic 1); OffsetCommit
v0–1, OffsetFetch v0, ListOffsets v0. Each expected response is written byte by byte from
the protocol spec (legacy_wire.py) and compared whole with the broker's.
"""
import struct
import time

import pytest
from confluent_kafka import Consumer, Producer

from conftest import BrokerProcess
from legacy_wire import (CODEC_GZIP, CODEC_LZ4, CODEC_NONE, CODEC_SNAPPY, CODEC_ZSTD, RawClient, fetch_body,
                         fetch_response, message, nbytes, parse_fetch_response, parse_message_set, produce_body,
                         produce_response, string, wrapper)
from frame_mutator import frame_with_size, request_header
from live_fuzz import probe

PRODUCE, FETCH, LIST_OFFSETS, OFFSET_COMMIT, OFFSET_FETCH = 0, 1, 2, 8, 9
CORRUPT_MESSAGE, INVALID_RECORD, UNSUPPORTED_COMPRESSION_TYPE = 2, 87, 76
T0 = 1_700_000_000_000


def produce(client: RawClient, topic: bytes, records: bytes, version: int) -> bytes:
    return client.call(PRODUCE, version, produce_body(topic, records))


def fetch(client: RawClient, topic: bytes, offset: int, version: int, **limits) -> bytes:
    return client.call(FETCH, version, fetch_body(topic, offset, version, **limits))


def still_serves(broker: BrokerProcess):
    assert probe(broker.port, 7, 0, 10.0) is None


def test_produce_v0_magic0_and_fetch_v0_v2_answer_exactly(broker):
    client = RawClient(broker.port)
    topic = b"old-v0"
    # Offsets a client writes are ignored: the broker assigns them.
    records = message(7, b"k0", b"v0") + message(7, None, b"value-1")
    assert produce(client, topic, records, 0) == produce_response(topic, 0, 0, 0)
    assert produce(client, topic, message(0, b"k2", None), 0) == produce_response(topic, 0, 2, 0)

    expected_v0 = message(0, b"k0", b"v0") + message(1, None, b"value-1") + message(2, b"k2", None)
    assert fetch(client, topic, 0, 0) == fetch_response(topic, 0, 3, expected_v0, 0)
    assert fetch(client, topic, 0, 1) == fetch_response(topic, 0, 3, expected_v0, 1)
    # Magic 0 had no timestamp: magic 1 messages carry −1.
    expected_v2 = (message(0, b"k0", b"v0", magic=1) + message(1, None, b"value-1", magic=1)
                   + message(2, b"k2", None, magic=1))
    assert fetch(client, topic, 0, 2) == fetch_response(topic, 0, 3, expected_v2, 2)
    assert fetch(client, topic, 0, 3) == fetch_response(topic, 0, 3, expected_v2, 3)
    # A fetch inside what was one batch starts at the asked offset.
    assert fetch(client, topic, 1, 0) == fetch_response(topic, 0, 3, expected_v0[len(message(0, b"k0", b"v0")):], 0)
    client.close()


def test_produce_v0_gzip_wrapper(broker):
    client = RawClient(broker.port)
    topic = b"old-gzip"
    inner = message(0, b"a", b"alpha") + message(1, b"b", b"beta")
    assert produce(client, topic, wrapper(inner, CODEC_GZIP, magic=0, offset=1), 0) == produce_response(topic, 0, 0, 0)
    # Down-conversion writes the messages uncompressed.
    assert fetch(client, topic, 0, 0) == fetch_response(topic, 0, 2, inner, 0)
    client.close()


def test_produce_v2_magic1_and_fetch_v2_answer_exactly(broker):
    client = RawClient(broker.port)
    topic = b"old-v2"
    records = message(0, b"k0", b"v0", magic=1, timestamp=T0) + message(1, b"k1", b"v1", magic=1, timestamp=T0 + 5)
    assert produce(client, topic, records, 2) == produce_response(topic, 0, 0, 2)
    assert produce(client, topic, records, 1) == produce_response(topic, 0, 2, 1)
    expected = (records + message(2, b"k0", b"v0", magic=1, timestamp=T0)
                + message(3, b"k1", b"v1", magic=1, timestamp=T0 + 5))
    assert fetch(client, topic, 0, 2) == fetch_response(topic, 0, 4, expected, 2)
    expected_v0 = b"".join(message(i, b"k%d" % (i % 2), b"v%d" % (i % 2)) for i in range(4))
    assert fetch(client, topic, 0, 0) == fetch_response(topic, 0, 4, expected_v0, 0)
    client.close()


CODECS = [(CODEC_NONE, "none"), (CODEC_GZIP, "gzip"), (CODEC_SNAPPY, "snappy"), (CODEC_LZ4, "lz4")]


@pytest.mark.parametrize("magic", [0, 1])
@pytest.mark.parametrize("codec,name", CODECS)
def test_legacy_produce_is_read_by_a_modern_consumer(broker, magic, codec, name):
    client = RawClient(broker.port)
    topic = f"legacy-{name}-m{magic}".encode()
    rows = [(b"key-%d" % i, b"value-%d" % i * (i + 1), T0 + i) for i in range(5)]
    inner = b"".join(message(i if magic == 0 else i, k, v, magic=magic, timestamp=t) for i, (k, v, t) in enumerate(rows))
    records = inner if codec == CODEC_NONE else wrapper(inner, codec, magic=magic, offset=4 if magic == 1 else 4,
                                                       timestamp=T0 + 4)
    version = 2 if magic == 1 else 0
    assert produce(client, topic, records, version) == produce_response(topic, 0, 0, version)
    if codec == CODEC_SNAPPY:
        # Raw snappy (no xerial framing), as some clients send it.
        from legacy_wire import compress
        raw = message(4, None, compress(inner, CODEC_SNAPPY, snappy_framing="raw"), magic=magic,
                      attributes=CODEC_SNAPPY, timestamp=T0 + 4)
        assert produce(client, topic, raw, version) == produce_response(topic, 0, 5, version)
    client.close()

    expected = rows * (2 if codec == CODEC_SNAPPY else 1)
    consumer = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": f"g-{topic.decode()}",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([topic.decode()])
    got = []
    deadline = time.monotonic() + 30
    while len(got) < len(expected) and time.monotonic() < deadline:
        msg = consumer.poll(0.5)
        if msg is None or msg.error():
            continue
        got.append(msg)
    consumer.close()
    assert [m.offset() for m in got] == list(range(len(expected)))
    assert [(m.key(), m.value()) for m in got] == [(k, v) for k, v, _ in expected]
    if magic == 1:
        assert [m.timestamp()[1] for m in got] == [t for _, _, t in expected]
    else:
        assert all(m.timestamp()[1] == -1 for m in got)


@pytest.mark.parametrize("compression", ["none", "gzip", "snappy", "lz4"])
def test_modern_batches_are_down_converted_for_fetch_v0_and_v2(broker, compression):
    topic = f"modern-{compression}"
    producer = Producer({"bootstrap.servers": broker.bootstrap, "compression.type": compression, "linger.ms": 50})
    rows = [(b"k%d" % i, b"v" * i, T0 + 10 * i) for i in range(20)]
    for key, value, timestamp in rows:
        producer.produce(topic, key=key, value=value, timestamp=timestamp, headers=[("h", b"dropped")])
    producer.produce(topic, key=None, value=None, timestamp=T0)
    assert producer.flush(30) == 0
    rows.append((None, None, T0))
    client = RawClient(broker.port)
    for version in (0, 1, 2, 3):
        error, high_watermark, records = parse_fetch_response(fetch(client, topic.encode(), 0, version), version)
        assert (error, high_watermark) == (0, len(rows))
        messages = parse_message_set(records)
        assert [m.offset for m in messages] == list(range(len(rows)))
        assert [(m.key, m.value) for m in messages] == [(k, v) for k, v, _ in rows]
        assert {m.magic for m in messages} == {0 if version < 2 else 1}
        assert {m.attributes for m in messages} == {0}
        assert [m.timestamp for m in messages] == ([-1] * len(rows) if version < 2 else [t for _, _, t in rows])
    client.close()


def test_zstd_batches_are_unsupported_for_old_fetchers(broker):
    producer = Producer({"bootstrap.servers": broker.bootstrap, "compression.type": "zstd"})
    producer.produce("modern-zstd", value=b"z" * 100)
    assert producer.flush(30) == 0
    client = RawClient(broker.port)
    for version in (0, 2, 3):
        error, _, records = parse_fetch_response(fetch(client, b"modern-zstd", 0, version), version)
        assert error == UNSUPPORTED_COMPRESSION_TYPE and records == b""
    client.close()


def test_fetch_size_limits_of_old_versions(broker):
    client = RawClient(broker.port)
    topic = b"old-limits"
    big = message(0, b"key", b"x" * 500)
    assert produce(client, topic, big + big, 0) == produce_response(topic, 0, 0, 0)
    first, second = message(0, b"key", b"x" * 500), message(1, b"key", b"x" * 500)
    # v0–2: partition_max_bytes is a hard limit; a message larger than it comes out partial
    # (the old client then reports a message too large for its fetch size).
    assert fetch(client, topic, 0, 0, partition_max_bytes=100) == fetch_response(topic, 0, 2, first[:100], 0)
    assert fetch(client, topic, 0, 0, partition_max_bytes=len(first) + 10) == fetch_response(topic, 0, 2, first, 0)
    # v3 (KIP-74): the first message goes out whole even past the limits.
    first_v1 = message(0, b"key", b"x" * 500, magic=1)
    assert fetch(client, topic, 0, 3, partition_max_bytes=100, max_bytes=100) == fetch_response(topic, 0, 2, first_v1, 3)
    assert len(second) == len(first)
    client.close()


def offset_commit_v0(group: bytes, topic: bytes, offset: int, metadata: bytes) -> bytes:
    """OffsetCommit v0: group_id, [topic, [partition, committed_offset, committed_metadata]]."""
    return string(group) + struct.pack(">i", 1) + string(topic) + struct.pack(">i", 1) + struct.pack(">iq", 0, offset) + string(metadata)


def offset_commit_v1(group: bytes, topic: bytes, offset: int, metadata: bytes) -> bytes:
    """OffsetCommit v1: group_id, generation_id, member_id, [topic, [partition,
    committed_offset, commit_timestamp, committed_metadata]]."""
    return (string(group) + struct.pack(">i", -1) + string(b"") + struct.pack(">i", 1) + string(topic)
            + struct.pack(">i", 1) + struct.pack(">iqq", 0, offset, T0) + string(metadata))


def commit_response(topic: bytes, error: int = 0) -> bytes:
    return struct.pack(">i", 1) + string(topic) + struct.pack(">i", 1) + struct.pack(">ih", 0, error)


def offset_fetch(group: bytes, topic: bytes) -> bytes:
    return string(group) + struct.pack(">i", 1) + string(topic) + struct.pack(">i", 1) + struct.pack(">i", 0)


def offset_fetch_response(topic: bytes, offset: int, metadata: bytes) -> bytes:
    """OffsetFetch v0–1: [topic, [partition, committed_offset, metadata, error_code]]."""
    return (struct.pack(">i", 1) + string(topic) + struct.pack(">i", 1) + struct.pack(">iq", 0, offset)
            + string(metadata) + struct.pack(">h", 0))


def test_offset_commit_v0_v1_and_offset_fetch_v0(broker):
    client = RawClient(broker.port)
    topic = b"commits"
    assert produce(client, topic, message(0, None, b"x"), 0) == produce_response(topic, 0, 0, 0)
    assert client.call(OFFSET_COMMIT, 0, offset_commit_v0(b"old-group", topic, 1, b"v0 meta")) == commit_response(topic)
    for version in (0, 1):
        assert client.call(OFFSET_FETCH, version, offset_fetch(b"old-group", topic)) == offset_fetch_response(topic, 1, b"v0 meta")
    assert client.call(OFFSET_COMMIT, 1, offset_commit_v1(b"old-group", topic, 5, b"v1")) == commit_response(topic)
    assert client.call(OFFSET_FETCH, 0, offset_fetch(b"old-group", topic)) == offset_fetch_response(topic, 5, b"v1")
    client.close()


def list_offsets_v0(topic: bytes, timestamp: int, max_num: int) -> bytes:
    """ListOffsets v0: replica_id, [topic, [partition, timestamp, max_num_offsets]]."""
    return struct.pack(">i", -1) + struct.pack(">i", 1) + string(topic) + struct.pack(">i", 1) + struct.pack(">iqi", 0, timestamp, max_num)


def list_offsets_v0_response(topic: bytes, offsets) -> bytes:
    """ListOffsets v0 response: [topic, [partition, error_code, old_style_offsets []int64]]."""
    return (struct.pack(">i", 1) + string(topic) + struct.pack(">i", 1) + struct.pack(">ih", 0, 0)
            + struct.pack(">i", len(offsets)) + b"".join(struct.pack(">q", o) for o in offsets))


def test_list_offsets_v0(broker):
    client = RawClient(broker.port)
    topic = b"old-list"
    assert produce(client, topic, message(0, None, b"a") + message(1, None, b"b"), 0) == produce_response(topic, 0, 0, 0)
    assert client.call(LIST_OFFSETS, 0, list_offsets_v0(topic, -1, 10)) == list_offsets_v0_response(topic, [2, 0])
    assert client.call(LIST_OFFSETS, 0, list_offsets_v0(topic, -1, 1)) == list_offsets_v0_response(topic, [2])
    assert client.call(LIST_OFFSETS, 0, list_offsets_v0(topic, -2, 1)) == list_offsets_v0_response(topic, [0])
    assert client.call(LIST_OFFSETS, 0, list_offsets_v0(topic, -1, 2_000_000_000)) == list_offsets_v0_response(topic, [2, 0])
    client.close()


def hostile_sets():
    good = message(0, b"k", b"v")
    nested = wrapper(wrapper(good, CODEC_GZIP), CODEC_GZIP)
    bad_crc = message(0, b"k", b"v", crc=0xDEADBEEF)
    huge_size = struct.pack(">qi", 0, -(2 ** 31)) + good[12:]
    too_long = struct.pack(">qi", 0, 2 ** 31 - 1) + good[12:]
    truncated = good + good[:-3]
    zstd = message(0, None, b"\x28\xb5\x2f\xfd" + b"\x00" * 8, attributes=CODEC_ZSTD)
    bad_magic = good[:16] + b"\x05" + good[17:]
    return [
        ("size 2^31", huge_size, 0, CORRUPT_MESSAGE),
        ("size past the end", too_long, 0, CORRUPT_MESSAGE),
        ("nested wrapper", nested, 0, INVALID_RECORD),
        ("wrong CRC", bad_crc, 0, CORRUPT_MESSAGE),
        ("truncated final message", truncated, 0, CORRUPT_MESSAGE),
        ("zstd with magic 0", zstd, 0, UNSUPPORTED_COMPRESSION_TYPE),
        ("magic 1 in Produce v3", message(0, None, b"v", magic=1), 3, INVALID_RECORD),
        ("magic 5", bad_magic, 0, CORRUPT_MESSAGE),
    ]


@pytest.mark.parametrize("name,records,version,error", hostile_sets(), ids=[h[0] for h in hostile_sets()])
def test_hostile_message_sets_get_error_codes(broker, name, records, version, error):
    client = RawClient(broker.port)
    topic = b"hostile-sets"
    if version >= 3:
        body = struct.pack(">h", -1) + produce_body(topic, records)
        response = client.call(PRODUCE, version, body)
        assert struct.unpack_from(">h", response, 4 + 2 + len(topic) + 4 + 4)[0] == error
    else:
        assert produce(client, topic, records, version) == produce_response(topic, error, -1, version)
    # Nothing was appended: the next good message gets offset 0.
    assert produce(client, topic, message(0, None, b"ok"), 0) == produce_response(topic, 0, 0, 0)
    client.close()
    still_serves(broker)


def test_fetch_v0_with_two_billion_topics_is_refused(broker):
    client = RawClient(broker.port)
    body = struct.pack(">iii", -1, 0, 0) + struct.pack(">i", 2_000_000_000) + string(b"t")
    client.sock.sendall(frame_with_size(request_header(FETCH, 0, 1, b"old") + body))
    client.sock.settimeout(10)
    try:
        data = client.sock.recv(1 << 16)
    except ConnectionResetError:
        data = b""
    client.close()
    # Either the connection is closed or an error answer comes; the broker keeps serving.
    still_serves(broker)
    assert data == b"" or len(data) >= 8


def test_produce_v0_with_acks_0_appends_without_an_answer(broker):
    client = RawClient(broker.port)
    topic = b"old-acks0"
    assert produce(client, topic, message(0, None, b"first"), 0) == produce_response(topic, 0, 0, 0)
    client.correlation += 1
    client.sock.sendall(frame_with_size(request_header(PRODUCE, 0, client.correlation, b"old")
                                        + produce_body(topic, message(0, b"k", b"quiet"), acks=0)))
    # The next frame on the connection answers the Fetch: acks=0 got none, and it appended.
    expected = message(0, None, b"first") + message(1, b"k", b"quiet")
    assert fetch(client, topic, 0, 0) == fetch_response(topic, 0, 2, expected, 0)
    client.close()
