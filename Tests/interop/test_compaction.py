"""Compacted topics (cleanup.policy=compact) with confluent-kafka and kafka-python: the
broker's log cleaner keeps the latest record of each key at its original offset, refuses
records without a key, and keeps tombstones for delete.retention.ms after their first clean.

The broker runs its cleaner every 100 ms (log.cleaner.backoff.ms); the tests wait for its
work by polling what a consumer reads, with a deadline, never a fixed sleep."""
import re
import time

import pytest
from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic
from kafka import KafkaConsumer
from kafka import TopicPartition as KTopicPartition

KEYS = [f"k{i}".encode() for i in range(5)]


@pytest.fixture
def compacting_broker(broker_factory, tmp_path):
    properties = tmp_path / "server.properties"
    properties.write_text("log.cleaner.backoff.ms=100\n")
    return broker_factory(extra_args=["--config", str(properties)]).start()


def create(broker, topic, **settings):
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    config = {"cleanup.policy": "compact", "segment.bytes": "1024", "segment.ms": "100",
              "min.cleanable.dirty.ratio": "0.01"}
    config.update(settings)
    admin.create_topics([NewTopic(topic, 1, 1, config=config)])[topic].result(10)
    described = list(admin.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, topic)]).values())[0].result(10)
    for name, value in config.items():
        assert described[name].value == value, name


def produce(broker, topic, records):
    """Sends (key, value) pairs one batch each; returns {offset: (key, value)}."""
    producer = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "linger.ms": 0})
    written = {}
    for key, value in records:
        def report(error, message, key=key, value=value):
            assert error is None, error
            written[message.offset()] = (key, value)
        producer.produce(topic, key=key, value=value, partition=0, on_delivery=report)
        producer.flush(10)
    assert len(written) == len(records)
    return written


def filler(count):
    """Records of a key the checks ignore, large enough to roll 1 KiB segments, so every
    record before them ends up in closed segments the cleaner may compact."""
    return [(b"filler", b"f" * 300) for _ in range(count)]


def consume_all(broker, topic):
    """Every record from offset 0 to the log end: [(offset, key, value)]."""
    consumer = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": f"reader-{time.monotonic_ns()}",
                         "enable.auto.commit": False})
    low, high = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=10, cached=False)
    consumer.assign([TopicPartition(topic, 0, 0)])
    records = []
    deadline = time.monotonic() + 20
    position = 0
    while position < high and time.monotonic() < deadline:
        message = consumer.poll(0.5)
        if message is None:
            # Compacted batches at the end of what is left can be empty: the position
            # moves past them without a message.
            position = max(position, consumer.position([TopicPartition(topic, 0)])[0].offset)
            continue
        assert message.error() is None, message.error()
        records.append((message.offset(), message.key(), message.value()))
        position = message.offset() + 1
    consumer.close()
    assert position >= high, f"read to {position} of {high}"
    return records


def wait_until(condition, what, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def cleaner_runs(broker, topic):
    match = re.search(r'basalt_cleaner_runs_total\{topic="' + topic + r'"\} (\d+)', broker.metrics())
    return int(match.group(1)) if match else 0


def test_compaction_keeps_latest_value_per_key_at_original_offsets(compacting_broker):
    broker = compacting_broker
    topic = "compacted"
    create(broker, topic)
    updates = [(KEYS[i % 5], f"value {i}".encode()) for i in range(200)]
    updates.append((KEYS[4], None))  # a tombstone, the latest record of k4
    written = produce(broker, topic, updates + filler(12))
    latest = {}
    for offset in sorted(written):
        key, value = written[offset]
        if key != b"filler":
            latest[key] = (offset, value)

    def compacted():
        records = [r for r in consume_all(broker, topic) if r[1] != b"filler"]
        return records if len(records) == len(KEYS) else None

    records = wait_until(compacted, "the cleaner to leave one record per key")
    assert cleaner_runs(broker, topic) >= 1
    assert {key: (offset, value) for offset, key, value in records} == latest
    # Every record is the one written at its offset; the tombstone stays (1 day retention).
    for offset, key, value in records:
        assert written[offset] == (key, value)
    assert latest[KEYS[4]][1] is None

    # kafka-python reads the same records across the gaps.
    kconsumer = KafkaConsumer(bootstrap_servers=broker.bootstrap, auto_offset_reset="earliest",
                              enable_auto_commit=False, consumer_timeout_ms=5000)
    partition = KTopicPartition(topic, 0)
    kconsumer.assign([partition])
    kconsumer.seek(partition, 0)
    seen = [(m.offset, m.key, m.value) for m in kconsumer if m.key != b"filler"]
    kconsumer.close()
    assert seen == records
    assert "records_removed" in broker.log(), "no log line for the clean"


def test_records_without_key_are_refused(compacting_broker):
    broker = compacting_broker
    topic = "keyed-only"
    create(broker, topic)
    producer = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "linger.ms": 0, "retries": 0})
    errors = []
    producer.produce(topic, value=b"no key", partition=0, on_delivery=lambda error, message: errors.append(error))
    producer.flush(10)
    assert len(errors) == 1 and errors[0] is not None
    assert errors[0].name() == "INVALID_RECORD"
    assert produce(broker, topic, [(b"k", b"v")]) == {0: (b"k", b"v")}


def test_tombstones_go_after_delete_retention(compacting_broker):
    broker = compacting_broker
    topic = "short-tombstones"
    create(broker, topic, **{"delete.retention.ms": "0"})
    written = produce(broker, topic, [(b"gone", b"1"), (b"kept", b"2"), (b"gone", None)] + filler(12))

    # The first clean keeps the tombstone and starts its delete horizon; a later clean,
    # once more data is dirty, removes it. Until then it is read as a null value.
    def tombstone_gone():
        records = consume_all(broker, topic)
        if any(key == b"gone" for _, key, _ in records):
            produce(broker, topic, filler(4))
            return None
        return records

    records = wait_until(tombstone_gone, "the tombstone to be removed")
    assert [(o, k, v) for o, k, v in records if k != b"filler"] == [(1, b"kept", b"2")]
    assert written[1] == (b"kept", b"2")


def test_altering_a_topic_to_compact_starts_the_cleaner(compacting_broker):
    """A delete-policy topic switched to compact with IncrementalAlterConfigs is cleaned
    without a restart: the change reaches the running cleaner (issue 10's live settings)."""
    broker = compacting_broker
    topic = "becomes-compacted"
    create(broker, topic, **{"cleanup.policy": "delete"})
    updates = [(KEYS[i % 3], f"value {i}".encode()) for i in range(60)]
    written = produce(broker, topic, updates + filler(12))
    assert cleaner_runs(broker, topic) == 0
    assert len([r for r in consume_all(broker, topic) if r[1] != b"filler"]) == 60

    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    from confluent_kafka.admin import AlterConfigOpType, ConfigEntry
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic, incremental_configs=[
        ConfigEntry("cleanup.policy", "compact", incremental_operation=AlterConfigOpType.SET)])
    list(admin.incremental_alter_configs([resource]).values())[0].result(10)

    def compacted():
        records = [r for r in consume_all(broker, topic) if r[1] != b"filler"]
        return records if len(records) == 3 else None

    records = wait_until(compacted, "the cleaner to compact the altered topic")
    latest = {}
    for offset in sorted(written):
        key, value = written[offset]
        if key != b"filler":
            latest[key] = (offset, value)
    assert {key: (offset, value) for offset, key, value in records} == latest
