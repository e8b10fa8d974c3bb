"""A consumer group of 2, then 3 members over 6 partitions: every partition is owned by
exactly one member, every record is read exactly once (commit after each record), and
after a broker restart the group resumes from its committed offsets."""
import time

from confluent_kafka import Consumer, Producer

from kafka_helpers import create_topic

TOPIC = "grouped"
PARTITIONS = 6
GROUP = "billing"


def produce(broker, start, count):
    producer = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "enable.idempotence": True})
    for i in range(start, start + count):
        producer.produce(TOPIC, key=f"k{i}".encode(), value=str(i).encode(), partition=i % PARTITIONS)
    assert producer.flush(30) == 0


class Member:
    def __init__(self, broker, name):
        self.name = name
        self.assigned = set()
        self.consumer = Consumer({
            "bootstrap.servers": broker.bootstrap, "group.id": GROUP, "client.id": name,
            "auto.offset.reset": "earliest", "enable.auto.commit": False,
            "session.timeout.ms": 10000, "heartbeat.interval.ms": 500,
            "partition.assignment.strategy": "range",
        })
        self.consumer.subscribe([TOPIC], on_assign=self._assigned, on_revoke=self._revoked)

    def _assigned(self, consumer, partitions):
        self.assigned = {p.partition for p in partitions}

    def _revoked(self, consumer, partitions):
        self.assigned = set()

    def poll(self, seen):
        message = self.consumer.poll(0.2)
        if message is None:
            return
        assert not message.error(), message.error()
        value = int(message.value())
        assert value not in seen, f"record {value} delivered twice (to {self.name})"
        seen[value] = self.name
        # Commit each record before the next: a rebalance can then never replay it.
        self.consumer.commit(message=message, asynchronous=False)

    def close(self):
        self.consumer.close()


def run_until(members, seen, condition, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for member in members:
            member.poll(seen)
        if condition():
            return
    raise AssertionError(f"timed out; assignments: {[(m.name, sorted(m.assigned)) for m in members]}, seen {len(seen)}")


def exact_cover(members):
    owned = [p for m in members for p in m.assigned]
    return sorted(owned) == list(range(PARTITIONS)) and all(m.assigned for m in members)


def test_group_of_two_then_three_and_resume_after_restart(broker):
    create_topic(broker.bootstrap, TOPIC, PARTITIONS)
    produce(broker, 0, 600)
    seen = {}
    a, b = Member(broker, "a"), Member(broker, "b")
    run_until([a, b], seen, lambda: exact_cover([a, b]) and len(seen) >= 300)
    assert len(a.assigned) == 3 and len(b.assigned) == 3

    c = Member(broker, "c")
    run_until([a, b, c], seen, lambda: exact_cover([a, b, c]) and all(len(m.assigned) == 2 for m in (a, b, c)))
    produce(broker, 600, 600)
    run_until([a, b, c], seen, lambda: len(seen) == 1200 and exact_cover([a, b, c]))
    assert sorted(seen) == list(range(1200))
    owners_after = {}
    for value, name in seen.items():
        if value >= 600:
            owners_after.setdefault(value % PARTITIONS, set()).add(name)
    # Records produced after the third member joined went to exactly one member per partition.
    assert all(len(names) == 1 for names in owners_after.values()), owners_after
    for member in (a, b, c):
        member.close()

    broker.restart()
    produce(broker, 1200, 300)
    seen_after = {}
    d, e = Member(broker, "d"), Member(broker, "e")
    run_until([d, e], seen_after, lambda: len(seen_after) == 300)
    # Nothing committed before the restart comes back; everything new arrives once.
    assert sorted(seen_after) == list(range(1200, 1500))
    time.sleep(1.0)
    for member in (d, e):
        member.poll(seen_after)
    assert len(seen_after) == 300
    for member in (d, e):
        member.close()
