"""ListOffsets: earliest, latest and by timestamp, from librdkafka and kafka-python."""
from confluent_kafka import Consumer, Producer, TopicPartition
from kafka import KafkaConsumer
from kafka import TopicPartition as KTopicPartition

BASE = 1_700_000_000_000


def test_list_offsets_and_offsets_for_times(broker):
    topic = "timed"
    producer = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "linger.ms": 0})
    # Ten records, one second apart, sent one by one so each is its own batch.
    for i in range(10):
        producer.produce(topic, value=str(i).encode(), partition=0, timestamp=BASE + i * 1000)
        producer.flush(10)

    consumer = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "timed-reader"})
    low, high = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=10, cached=False)
    assert (low, high) == (0, 10)
    asked = [TopicPartition(topic, 0, BASE + 4500)]
    assert consumer.offsets_for_times(asked, timeout=10)[0].offset == 5
    assert consumer.offsets_for_times([TopicPartition(topic, 0, BASE)], timeout=10)[0].offset == 0
    assert consumer.offsets_for_times([TopicPartition(topic, 0, BASE + 9000)], timeout=10)[0].offset == 9
    # Later than every record: no offset (-1, reported as the end by some clients).
    assert consumer.offsets_for_times([TopicPartition(topic, 0, BASE + 60_000)], timeout=10)[0].offset in (-1, 10)
    consumer.close()

    kconsumer = KafkaConsumer(bootstrap_servers=broker.bootstrap)
    partition = KTopicPartition(topic, 0)
    assert kconsumer.beginning_offsets([partition]) == {partition: 0}
    assert kconsumer.end_offsets([partition]) == {partition: 10}
    found = kconsumer.offsets_for_times({partition: BASE + 2001})[partition]
    assert (found.offset, found.timestamp) == (3, BASE + 3000)
    assert kconsumer.offsets_for_times({partition: BASE + 60_000})[partition] is None
    kconsumer.close()
