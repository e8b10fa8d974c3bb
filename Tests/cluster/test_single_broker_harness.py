"""The harness against what exists today: one broker in single-node mode, no faults. The producer,
reader, history check, replica comparison and pinned producer must all come out clean here, so
that a violation in a cluster test is the broker's and not the harness's."""
import history
import kafka_wire
from history import ContinuousProducer, History


def create_topic(bootstrap, topic, partitions):
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for future in admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)]).values():
        future.result(timeout=15)


def test_continuous_producer_history_is_clean_without_faults(single_broker, seed):
    topic = "jepsen-single"
    create_topic(single_broker.address, topic, 3)
    h = History(seed=seed)
    producers = [ContinuousProducer(single_broker.address, topic, h, partition=p, rate=400) for p in range(3)]
    for producer in producers:
        producer.start()
    history.wait_for_acks(h, 1500, timeout=60)
    pending = sum(producer.stop() for producer in producers)
    assert pending == 0 and h.fatal is None
    assert h.counts().get(history.PENDING, 0) == 0, h.counts()

    observed = history.read_all(single_broker.address, topic, [0, 1, 2])
    result = history.check(h, observed)
    print(result)
    assert result.ok, str(result)
    assert result.observed == h.acked_count() == len(h.ops)

    # One replica compared with itself, up to the real high watermark: every offset is reached.
    ends = history.high_watermarks(single_broker.address, topic, [0, 1, 2])
    for partition, end in ends.items():
        directory = single_broker.partition_dir(topic, partition)
        comparison = history.compare_replicas({0: directory, "copy": directory}, end)
        assert comparison.ok and comparison.reached[0] == end, str(comparison)


def test_checker_catches_a_record_written_behind_the_producers_back(single_broker, seed):
    topic = "jepsen-phantom"
    create_topic(single_broker.address, topic, 1)
    h = History(seed=seed)
    producer = ContinuousProducer(single_broker.address, topic, h, partition=0, rate=200)
    producer.start()
    history.wait_for_acks(h, 100, timeout=30)
    pinned = kafka_wire.PinnedProducer(single_broker.host, single_broker.port)
    answer = pinned.produce(topic, 0, [b"never-sent-by-the-history"])
    pinned.close()
    assert answer.error_code == 0, answer
    producer.stop()
    result = history.check(h, history.read_all(single_broker.address, topic, [0]))
    assert [value for value, _ in result.unexpected] == ["never-sent-by-the-history"], str(result)
    assert not result.lost and not result.duplicated and not result.misplaced


def test_pinned_producer_writes_batches_a_real_consumer_reads(single_broker):
    topic = "jepsen-pinned"
    create_topic(single_broker.address, topic, 2)
    pinned = kafka_wire.PinnedProducer(single_broker.host, single_broker.port)
    first = pinned.produce(topic, 1, [b"a", b"b", b"c"])
    second = pinned.produce(topic, 1, [b"d"], acks=1)
    pinned.send(topic, 1, [b"e"])
    pinned.send(topic, 1, [b"f"])
    answers = [pinned.receive(10)[1] for _ in range(2)]
    wrong = pinned.produce(topic, 7, [b"x"])
    pinned.close()
    assert (first.error_code, first.base_offset) == (0, 0)
    assert (second.error_code, second.base_offset) == (0, 3)
    assert [(a.error_code, a.base_offset) for a in answers] == [(0, 4), (0, 5)]
    assert wrong.error_code != 0  # partition 7 does not exist
    records = history.read_all(single_broker.address, topic, [1])
    assert [value for _, _, value in records] == ["a", "b", "c", "d", "e", "f"]
    assert [offset for _, offset, _ in records] == list(range(6))
