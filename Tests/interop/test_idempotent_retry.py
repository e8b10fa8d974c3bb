"""A producer that retries after a lost Produce response creates no duplicate: the
broker recognises the retried batch by producer id and sequence and answers with the
original offset."""
from confluent_kafka import Consumer, Producer, TopicPartition
from kafka import KafkaProducer

from conftest import free_port
from dropping_proxy import DroppingProxy
from kafka_helpers import consume_confluent


def read_all(broker, topic, expected):
    consumer = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": f"{topic}-reader",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, 0, 0)])
    messages = consume_confluent(consumer, expected + 10, timeout=8)
    consumer.close()
    return [m.value() for m in messages]


def start_behind_proxy(broker_factory):
    proxy_port = free_port()
    broker = broker_factory(advertised=f"127.0.0.1:{proxy_port}")
    broker.start()
    return broker, DroppingProxy(proxy_port, broker.port)


def test_librdkafka_retry_after_dropped_response(broker_factory):
    broker, proxy = start_behind_proxy(broker_factory)
    try:
        producer = Producer({"bootstrap.servers": f"127.0.0.1:{proxy.port}", "enable.idempotence": True,
                             "acks": "all", "linger.ms": 20, "retry.backoff.ms": 50})
        topic = "retried-rdkafka"
        producer.produce(topic, value=b"warmup", partition=0)
        assert producer.flush(30) == 0
        proxy.drop_produce_responses = 2
        for i in range(100):
            producer.produce(topic, value=f"r{i}".encode(), partition=0)
        assert producer.flush(60) == 0
        assert proxy.dropped == 2
        values = read_all(broker, topic, 101)
        assert values == [b"warmup"] + [f"r{i}".encode() for i in range(100)]
        assert "basalt_produce_duplicate_batches_total" in broker.metrics()
    finally:
        proxy.close()


def test_kafka_python_retry_after_dropped_response(broker_factory):
    broker, proxy = start_behind_proxy(broker_factory)
    try:
        producer = KafkaProducer(bootstrap_servers=f"127.0.0.1:{proxy.port}", linger_ms=20,
                                 retry_backoff_ms=50, request_timeout_ms=5000)
        topic = "retried-kafka-python"
        producer.send(topic, value=b"warmup", partition=0).get(timeout=30)
        proxy.drop_produce_responses = 1
        futures = [producer.send(topic, value=f"p{i}".encode(), partition=0) for i in range(100)]
        producer.flush(60)
        offsets = [f.get(timeout=30).offset for f in futures]
        producer.close()
        assert proxy.dropped == 1
        assert offsets == list(range(1, 101))
        values = read_all(broker, topic, 101)
        assert values == [b"warmup"] + [f"p{i}".encode() for i in range(100)]
    finally:
        proxy.close()
