"""Crash and restart: everything acknowledged with acks=all survives `kill -9`, and the
rebuilt producer state still recognises the last batches of an idempotent producer."""
import signal

from confluent_kafka import Consumer, Producer, TopicPartition

from kafka_helpers import consume_confluent


def test_acked_records_survive_kill_9_and_clean_restart_scans_nothing(broker):
    topic = "crashy"
    producer = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "enable.idempotence": True,
                         "compression.type": "lz4"})
    acked = []

    def on_delivery(error, message):
        assert error is None, error
        acked.append(message.value())

    for i in range(2000):
        producer.produce(topic, value=f"c{i}".encode(), partition=0, on_delivery=on_delivery)
    assert producer.flush(30) == 0
    assert len(acked) == 2000

    broker.process.send_signal(signal.SIGKILL)
    broker.process.wait()
    broker.log_file.close()
    broker.process = None
    broker.start()

    consumer = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "crash-reader",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, 0, 0)])
    messages = consume_confluent(consumer, 2000, timeout=30)
    consumer.close()
    assert [m.value() for m in messages] == acked

    # The same producer (same id and sequences) goes on after the restart: no gap, no duplicate.
    for i in range(2000, 2100):
        producer.produce(topic, value=f"c{i}".encode(), partition=0, on_delivery=on_delivery)
    assert producer.flush(30) == 0
    broker.restart()
    assert "store open" in broker.log()
    consumer = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "crash-reader-2",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, 0, 0)])
    messages = consume_confluent(consumer, 2100, timeout=30)
    consumer.close()
    assert [m.value() for m in messages] == [f"c{i}".encode() for i in range(2100)]
