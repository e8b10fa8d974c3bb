"""Keyed records land on the partition Kafka's default partitioner (murmur2) picks."""
from confluent_kafka import Consumer, Producer, TopicPartition
from kafka import KafkaProducer

from kafka_helpers import consume_confluent, create_topic, kafka_partition

PARTITIONS = 6


def check_placement(broker, topic, count):
    consumer = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": f"{topic}-check",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, p, 0) for p in range(PARTITIONS)])
    messages = consume_confluent(consumer, count, timeout=30)
    consumer.close()
    assert len(messages) == count
    for message in messages:
        assert message.partition() == kafka_partition(message.key(), PARTITIONS), message.key()
    assert len({m.partition() for m in messages}) == PARTITIONS


def test_librdkafka_murmur2_random_partitioner(broker):
    topic = "keyed-rdkafka"
    create_topic(broker.bootstrap, topic, PARTITIONS)
    producer = Producer({"bootstrap.servers": broker.bootstrap, "partitioner": "murmur2_random", "acks": "all"})
    for i in range(300):
        producer.produce(topic, key=f"customer-{i}".encode(), value=b"x")
    assert producer.flush(30) == 0
    check_placement(broker, topic, 300)


def test_kafka_python_default_partitioner(broker):
    topic = "keyed-kafka-python"
    create_topic(broker.bootstrap, topic, PARTITIONS)
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap)
    for i in range(300):
        producer.send(topic, key=f"order-{i}".encode(), value=b"y")
    producer.flush(30)
    producer.close()
    check_placement(broker, topic, 300)
