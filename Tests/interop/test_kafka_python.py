"""kafka-python 3 with its defaults (idempotence on): produce, consume in a group, commit."""
import time

from kafka import KafkaConsumer, KafkaProducer
from kafka import TopicPartition as KTopicPartition
from kafka.structs import OffsetAndMetadata


def test_produce_consume_commit_with_default_idempotence(broker):
    topic = "kp-topic"
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, compression_type="lz4")
    futures = [producer.send(topic, key=f"k{i}".encode(), value=f"v{i}".encode(), headers=[("h", b"1")])
               for i in range(1000)]
    producer.flush(30)
    offsets = [f.get(timeout=10).offset for f in futures]
    assert offsets == list(range(1000))
    producer.close()
    # kafka-python 3 asked for a producer id: its batches were idempotent.
    assert 'basalt_request_duration_seconds_count{api="initProducerId"}' in broker.metrics()

    consumer = KafkaConsumer(topic, bootstrap_servers=broker.bootstrap, group_id="kp-group",
                             auto_offset_reset="earliest", enable_auto_commit=False)
    got = []
    deadline = time.monotonic() + 30
    while len(got) < 600 and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=500, max_records=600 - len(got)).values():
            got.extend(records)
    assert [r.value for r in got[:600]] == [f"v{i}".encode() for i in range(600)]
    assert all(r.headers == [("h", b"1")] for r in got)
    partition = KTopicPartition(topic, 0)
    consumer.commit({partition: OffsetAndMetadata(600, "checkpoint", -1)})
    assert consumer.committed(partition) == 600
    consumer.close()

    # A new member of the group starts at the commit.
    consumer = KafkaConsumer(topic, bootstrap_servers=broker.bootstrap, group_id="kp-group",
                             auto_offset_reset="earliest", enable_auto_commit=False)
    rest = []
    deadline = time.monotonic() + 30
    while len(rest) < 400 and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=500).values():
            rest.extend(records)
    consumer.close()
    assert [r.offset for r in rest] == list(range(600, 1000))
