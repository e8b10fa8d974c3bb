"""Every compression codec, written by real clients and read back by real clients.

confluent-kafka (librdkafka, gzip/snappy/lz4/zstd built in) and kafka-python (gzip built
in; lz4, python-snappy and zstandard from PyPI) each produce with every codec; the broker
decompresses every batch on append to validate its records, stores it as it came, and
both clients read everything back with every key, value and header checked.
"""
import random
import shutil
import struct
import subprocess
import time

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition

from kafka_helpers import consume_confluent, create_topic

CODECS = ["gzip", "snappy", "lz4", "zstd"]
CODEC_NUMBERS = {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}
PARTITIONS = 2
XERIAL_MAGIC = b"\x82SNAPPY\x00"


def records(seed: int, null_header_values: bool = True):
    """Keys, null keys, headers (some null unless `null_header_values` is false: kafka-python
    cannot send them), empty and null values, compressible text and random bytes, a few
    values of hundreds of KiB."""
    rng = random.Random(seed)
    out = []
    for i in range(300):
        key = None if i % 9 == 0 else f"key-{i}".encode()
        if i == 4:
            value = b""
        elif i == 6:
            value = None
        elif i in (50, 250):
            value = rng.randbytes(300 << 10)
        elif i == 150:
            value = (f"compressible {i} " * 40000).encode()
        elif i % 2:
            value = rng.randbytes(rng.randrange(0, 400))
        else:
            value = (f'{{"event":{i},"kind":"order","note":"' + "x" * rng.randrange(0, 300) + '"}').encode()
        headers = [("index", str(i).encode()), ("bin", bytes([i % 256, 0, 255]))]
        if i % 5 == 0:
            headers.append(("nullable", None if null_header_values else b""))
        if i % 13 == 0:
            headers = []
        out.append((key, value, headers))
    return out


def segment_codecs(broker, topic: str, partitions: int = PARTITIONS):
    """For each batch stored in the topic's segments: (codec number, first bytes of its records)."""
    found = []
    for partition in range(partitions):
        for log in sorted((broker.data_dir / f"{topic}-{partition}").glob("*.log")):
            data = log.read_bytes()
            position = 0
            while position + 61 <= len(data):
                (length,) = struct.unpack_from(">i", data, position + 8)
                (attributes,) = struct.unpack_from(">h", data, position + 21)
                found.append((attributes & 0x07, data[position + 61:position + 69]))
                position += 12 + length
    return found


def check_confluent_reads(broker, topic, expected, group):
    """confluent-kafka with CRC checks reads every record of partition p at offset o as
    expected[o * PARTITIONS + p]."""
    consumer = Consumer({
        "bootstrap.servers": broker.bootstrap, "group.id": group, "auto.offset.reset": "earliest",
        "enable.auto.commit": False, "fetch.max.bytes": 8 << 20, "max.partition.fetch.bytes": 4 << 20,
        "check.crcs": True,
    })
    consumer.assign([TopicPartition(topic, p, 0) for p in range(PARTITIONS)])
    messages = consume_confluent(consumer, len(expected), timeout=60)
    consumer.close()
    assert len(messages) == len(expected)
    got = {m.offset() * PARTITIONS + m.partition(): (m.key(), m.value(), list(m.headers() or [])) for m in messages}
    for i, (key, value, headers) in enumerate(expected):
        assert i in got, f"record {i} missing"
        got_key, got_value, got_headers = got[i]
        assert got_key == key, f"record {i}: key"
        assert got_value == value, f"record {i}: value ({len(got_value or b'')} vs {len(value or b'')} bytes)"
        assert got_headers == headers, f"record {i}: headers"


def check_kafka_python_reads(broker, topic, expected):
    """kafka-python (which checks CRCs and decompresses in Python) reads the same."""
    from kafka import KafkaConsumer
    from kafka import TopicPartition as KTopicPartition
    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False, check_crcs=True, max_partition_fetch_bytes=4 << 20,
                             fetch_max_bytes=8 << 20)
    consumer.assign([KTopicPartition(topic, p) for p in range(PARTITIONS)])
    got = {}
    deadline = time.monotonic() + 60
    while len(got) < len(expected) and time.monotonic() < deadline:
        for batch in consumer.poll(timeout_ms=500).values():
            for r in batch:
                got[r.offset * PARTITIONS + r.partition] = (r.key, r.value, list(r.headers))
    consumer.close()
    assert len(got) == len(expected)
    for i, (key, value, headers) in enumerate(expected):
        got_key, got_value, got_headers = got[i]
        assert got_key == key, f"record {i}: key"
        assert got_value == value, f"record {i}: value ({len(got_value or b'')} vs {len(value or b'')} bytes)"
        assert got_headers == headers, f"record {i}: headers"


@pytest.mark.parametrize("codec", CODECS)
def test_librdkafka_produces_each_codec_and_both_clients_read_every_byte(broker, codec):
    topic = f"rd-{codec}"
    create_topic(broker.bootstrap, topic, PARTITIONS, {"max.message.bytes": str(4 << 20)})
    expected = records(seed=CODEC_NUMBERS[codec])
    producer = Producer({
        "bootstrap.servers": broker.bootstrap, "acks": "all", "compression.type": codec,
        "message.max.bytes": 4 << 20, "linger.ms": 20, "enable.idempotence": True,
    })
    errors = []
    for i, (key, value, headers) in enumerate(expected):
        producer.produce(topic, key=key, value=value, headers=headers, partition=i % PARTITIONS,
                         on_delivery=lambda error, _message: errors.append(error) if error else None)
    assert producer.flush(60) == 0
    assert not errors, errors

    check_confluent_reads(broker, topic, expected, f"rd-{codec}-reader")
    check_kafka_python_reads(broker, topic, expected)

    # The batches are stored as librdkafka compressed them. librdkafka sends a batch
    # uncompressed when compression does not shrink it, so not every batch need be.
    stored = segment_codecs(broker, topic)
    assert {number for number, _ in stored} <= {0, CODEC_NUMBERS[codec]}
    compressed = [start for number, start in stored if number == CODEC_NUMBERS[codec]]
    assert len(compressed) >= 2, stored
    if codec == "snappy":
        # librdkafka 2.x writes one raw snappy block, not the Java client's xerial framing.
        assert not any(start.startswith(XERIAL_MAGIC) for start in compressed)


@pytest.mark.parametrize("codec", CODECS)
def test_kafka_python_produces_each_codec_and_both_clients_read_every_byte(broker, codec):
    from kafka import KafkaProducer
    topic = f"kp-{codec}"
    create_topic(broker.bootstrap, topic, PARTITIONS, {"max.message.bytes": str(4 << 20)})
    expected = records(seed=10 + CODEC_NUMBERS[codec], null_header_values=False)
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all", compression_type=codec,
                             max_request_size=4 << 20, linger_ms=20)
    futures = [producer.send(topic, key=key, value=value, headers=headers, partition=i % PARTITIONS)
               for i, (key, value, headers) in enumerate(expected)]
    producer.flush(60)
    for i, future in enumerate(futures):
        metadata = future.get(timeout=10)
        assert (metadata.partition, metadata.offset) == (i % PARTITIONS, i // PARTITIONS)
    producer.close()

    check_confluent_reads(broker, topic, expected, f"kp-{codec}-reader")
    check_kafka_python_reads(broker, topic, expected)

    # kafka-python too sends a batch uncompressed when compression does not shrink it
    # (the 300 KiB random values).
    stored = segment_codecs(broker, topic)
    assert {number for number, _ in stored} <= {0, CODEC_NUMBERS[codec]}
    compressed = [start for number, start in stored if number == CODEC_NUMBERS[codec]]
    assert len(compressed) >= 2, stored
    if codec == "snappy":
        # kafka-python writes the xerial framing, as the Java client does.
        assert all(start.startswith(XERIAL_MAGIC) for start in compressed)



@pytest.mark.skipif(shutil.which("kcat") is None, reason="kcat is not installed (apt-get install kcat)")
@pytest.mark.parametrize("codec", CODECS)
def test_kcat_produces_and_consumes_each_codec(broker, codec):
    """kcat links Debian's librdkafka 2.0.2, an older encoder than confluent-kafka's.

    librdkafka up to 2.11 only compresses gzip, snappy and lz4 when the broker advertises
    Produce v0 (it asks for Produce in [0, 0]); Basalt advertises Produce 0–8 for that
    reason, so every codec must arrive compressed."""
    topic = f"kcat-{codec}"
    lines = [f"key{i}\t{'value ' * (i % 50)}number {i}" for i in range(2000)]
    run = lambda *args, data=None: subprocess.run(["kcat", "-b", broker.bootstrap, *args], input=data,
                                                  capture_output=True, timeout=60, check=True).stdout
    run("-P", "-t", topic, "-K", "\t", "-z", codec, "-X", "acks=all", data=("\n".join(lines) + "\n").encode())
    out = run("-C", "-t", topic, "-e", "-o", "beginning", "-f", "%k\t%s\n")
    assert out.decode().splitlines() == lines
    stored = {number for number, _ in segment_codecs(broker, topic, partitions=1)}
    # A batch that compression would not shrink (a lone short record) goes uncompressed.
    assert CODEC_NUMBERS[codec] in stored and stored <= {0, CODEC_NUMBERS[codec]}, stored
