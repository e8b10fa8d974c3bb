"""A member that dies without leaving is removed after its session timeout, and the
survivor takes over all partitions, starting at the dead member's committed offsets."""
import subprocess
import sys
import textwrap
import time

from confluent_kafka import Consumer, Producer

from kafka_helpers import create_topic

MEMBER = textwrap.dedent("""
    import sys
    from confluent_kafka import Consumer
    c = Consumer({"bootstrap.servers": sys.argv[1], "group.id": "mortal", "client.id": "doomed",
                  "session.timeout.ms": 6000, "heartbeat.interval.ms": 500, "enable.auto.commit": False,
                  "auto.offset.reset": "earliest", "partition.assignment.strategy": "range"})
    c.subscribe(["mortal-topic"])
    while True:
        m = c.poll(0.2)
        if m is not None and not m.error():
            c.commit(message=m, asynchronous=False)
            print(m.partition(), flush=True)
""")


def test_dead_member_expires_and_survivor_takes_over(broker):
    create_topic(broker.bootstrap, "mortal-topic", 4)
    producer = Producer({"bootstrap.servers": broker.bootstrap})
    for i in range(400):
        producer.produce("mortal-topic", value=str(i).encode(), partition=i % 4)
    assert producer.flush(30) == 0

    doomed = subprocess.Popen([sys.executable, "-c", MEMBER, broker.bootstrap], stdout=subprocess.PIPE, text=True)
    try:
        assert doomed.stdout.readline().strip() != ""  # it owns partitions and consumes
        survivor = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "mortal", "client.id": "survivor",
                             "session.timeout.ms": 6000, "heartbeat.interval.ms": 500, "enable.auto.commit": False,
                             "auto.offset.reset": "earliest", "partition.assignment.strategy": "range"})
        assigned = set()
        survivor.subscribe(["mortal-topic"], on_assign=lambda c, ps: assigned.update(p.partition for p in ps),
                           on_revoke=lambda c, ps: assigned.clear())
        deadline = time.monotonic() + 30
        while len(assigned) != 2 and time.monotonic() < deadline:
            survivor.poll(0.2)
        assert len(assigned) == 2
        doomed.kill()
        doomed.wait()
        killed_at = time.monotonic()
        seen = set()
        while len(assigned) != 4 and time.monotonic() < killed_at + 30:
            message = survivor.poll(0.2)
            if message is not None and not message.error():
                seen.add(int(message.value()))
        assert assigned == {0, 1, 2, 3}
        # Not before the session timeout (6 s), not long after it.
        assert 4.5 < time.monotonic() - killed_at < 20
        survivor.close()
    finally:
        if doomed.poll() is None:
            doomed.kill()
