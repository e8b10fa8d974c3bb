"""A consumer group commits offsets; its coordinator (as FindCoordinator names it) is SIGKILLed; a new
consumer in the same group resumes exactly at the committed offsets and reads the rest, so the
group sees every acknowledged value once."""
import signal
import uuid

import history
import kafka_wire
from confluent_kafka import TopicPartition
from checks import REPLICATED, settle_and_check
from cluster import wait_until
from history import ContinuousProducer, History

TOPIC = "groups"
PARTITIONS = [0, 1, 2]


def coordinator(cluster, group, exclude=None):
    for node in cluster.nodes.values():
        if node.alive() and node.node_id != exclude:
            answer = kafka_wire.find_coordinator(node.host, node.port, group)
            if answer.error_code == 0 and answer.node_id != exclude:
                return answer
    return None


def consumer(cluster, group):
    from confluent_kafka import Consumer
    c = Consumer({"bootstrap.servers": cluster.live_bootstrap(), "group.id": group, "enable.auto.commit": False,
                  "auto.offset.reset": "earliest", "session.timeout.ms": 6000})
    c.subscribe([TOPIC])
    return c


def test_new_consumer_resumes_at_committed_offsets_after_coordinator_dies(cluster_factory, seed, rng):
    cluster = cluster_factory(brokers=3, settings=REPLICATED)
    cluster.create_topic(TOPIC, partitions=3, replication_factor=3, config={"min.insync.replicas": 2})
    h = History(seed=seed)
    producers = [ContinuousProducer(cluster.bootstrap, TOPIC, h, partition=p, rate=200) for p in PARTITIONS]
    for producer in producers:
        producer.start()
    history.wait_for_acks(h, 600, timeout=60, describe=cluster.describe)
    for producer in producers:
        producer.stop()

    group = f"jepsen-{uuid.uuid4().hex[:8]}"
    first = consumer(cluster, group)
    seen = []
    target = rng.randint(100, 400)
    while len(seen) < target:
        message = first.poll(1.0)
        if message is not None and not message.error():
            seen.append((message.partition(), message.offset(), message.value().decode()))
    first.commit(asynchronous=False)
    committed = {tp.partition: tp.offset
                 for tp in first.committed([TopicPartition(TOPIC, p) for p in PARTITIONS], timeout=10)}
    first.close()
    print(f"group {group} committed {committed} after reading {len(seen)}")

    old = wait_until(lambda: coordinator(cluster, group), 30, f"a coordinator for {group}")
    print(f"SIGKILL coordinator {old.node_id}")
    cluster.kill(old.node_id, signal.SIGKILL)
    new = wait_until(lambda: coordinator(cluster, group, exclude=old.node_id), 30,
                     f"a coordinator for {group} other than {old.node_id}")
    print(f"new coordinator {new.node_id}")

    second = consumer(cluster, group)
    # Read up to the acknowledged ends, not a high watermark sampled right after the failover (a new
    # leader's can briefly trail the old one's).
    ends = {p: h.acked_ends().get(p, 0) for p in PARTITIONS}
    firsts, rest = {}, []
    remaining = sum(ends[p] - max(committed[p], 0) for p in PARTITIONS)

    def read_rest():
        while len(rest) < remaining:
            message = second.poll(0.5)
            if message is None:
                return False
            if message.error():
                continue
            firsts.setdefault(message.partition(), message.offset())
            rest.append((message.partition(), message.offset(), message.value().decode()))
        return True
    wait_until(read_rest, 60, f"{remaining} records after the committed offsets")
    second.close()
    for p in PARTITIONS:
        if committed[p] >= 0 and committed[p] < ends[p]:
            assert firsts.get(p) == committed[p], f"partition {p}: resumed at {firsts.get(p)}, committed {committed[p]}"
    together = history.check(h, [r for r in seen if r[1] < committed[r[0]]] + rest)
    assert together.ok, str(together)

    cluster.restart(old.node_id)
    settle_and_check(cluster, TOPIC, PARTITIONS, h)
