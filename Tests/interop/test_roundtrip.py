"""Produce with librdkafka (acks=all, LZ4) and consume everything back, byte for byte."""
import os
import time

from confluent_kafka import Consumer, Producer, TopicPartition

from kafka_helpers import consume_confluent, create_topic


def records():
    """Keys, null keys, headers (including a null header value), empty, small and 1 MiB values."""
    out = []
    for i in range(200):
        key = None if i % 7 == 0 else f"key-{i}".encode()
        if i == 3:
            value = b""
        elif i == 5:
            value = None
        elif i in (11, 150):
            value = os.urandom(1 << 20)
        else:
            value = os.urandom(i % 97) + f"value-{i}".encode()
        headers = [("index", str(i).encode()), ("bin", bytes([i % 256, 0, 255]))]
        if i % 5 == 0:
            headers.append(("nullable", None))
        if i % 11 == 0:
            headers = []
        out.append((key, value, headers))
    return out


def test_produce_acks_all_lz4_and_consume_every_byte(broker):
    topic = "roundtrip"
    create_topic(broker.bootstrap, topic, 3, {"max.message.bytes": str(4 << 20)})
    expected = records()
    producer = Producer({
        "bootstrap.servers": broker.bootstrap, "acks": "all", "compression.type": "lz4",
        "message.max.bytes": 4 << 20, "linger.ms": 5, "enable.idempotence": True,
    })
    delivered = {}
    errors = []

    def on_delivery(error, message):
        if error:
            errors.append(error)
        else:
            delivered[int(dict(message.headers() or [("index", b"-1")]).get("index", b"-1"))] = (message.partition(), message.offset())

    for i, (key, value, headers) in enumerate(expected):
        # Partition chosen explicitly for null keys so order per partition is known.
        producer.produce(topic, key=key, value=value, headers=headers, partition=i % 3, on_delivery=on_delivery)
    assert producer.flush(30) == 0
    assert not errors, errors

    consumer = Consumer({
        "bootstrap.servers": broker.bootstrap, "group.id": "roundtrip-reader", "auto.offset.reset": "earliest",
        "enable.auto.commit": False, "fetch.max.bytes": 8 << 20, "max.partition.fetch.bytes": 2 << 20,
        "check.crcs": True,
    })
    consumer.assign([TopicPartition(topic, p, 0) for p in range(3)])
    messages = consume_confluent(consumer, len(expected), timeout=60)
    consumer.close()
    assert len(messages) == len(expected)
    got = {}
    for message in messages:
        headers = message.headers() or []
        got_headers = [(k, v) for k, v in headers]
        index = message.offset() * 3 + message.partition()
        got[index] = (message.key(), message.value(), got_headers)
    for i, (key, value, headers) in enumerate(expected):
        assert i in got, f"record {i} missing"
        got_key, got_value, got_headers = got[i]
        assert got_key == key, f"record {i}: key"
        assert got_value == value, f"record {i}: value ({len(got_value or b'')} vs {len(value or b'')} bytes)"
        assert got_headers == headers, f"record {i}: headers"


def test_kafka_python_reads_what_librdkafka_wrote_lz4(broker):
    from kafka import KafkaConsumer
    topic = "cross-client"
    producer = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "compression.type": "lz4"})
    values = [os.urandom(i * 13) for i in range(300)]
    for i, value in enumerate(values):
        producer.produce(topic, key=str(i).encode(), value=value, partition=0)
    assert producer.flush(30) == 0
    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=10000)
    from kafka import TopicPartition as KTopicPartition
    consumer.assign([KTopicPartition(topic, 0)])
    consumer.seek_to_beginning()
    got = []
    deadline = time.monotonic() + 30
    while len(got) < len(values) and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=500).values():
            got.extend(records)
    consumer.close()
    assert [r.value for r in got] == values
    assert [r.key for r in got] == [str(i).encode() for i in range(len(values))]
    assert [r.offset for r in got] == list(range(len(values)))
