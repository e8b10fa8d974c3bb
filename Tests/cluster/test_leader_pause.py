"""SIGSTOP the leader past its session timeout: a new leader must be elected (etcd), writes go on
through it, and the old leader — once SIGCONT'd — must acknowledge nothing it receives after being
replaced, then rejoin as a follower (the ISR regains it).

A pinned raw-socket producer keeps an open connection to the old leader; its requests are sent only
after the new leader epoch is visible in etcd, so any success answer to them is a violation.
Rounds: BASALT_PAUSE_ROUNDS (default 1)."""
import signal
import socket
import time

import history
import kafka_wire
from checks import REPLICATED, settle_and_check
from history import ContinuousProducer, History

TOPIC = "pause"
SESSION_MS = 3000


def test_paused_leader_is_replaced_and_fenced(cluster_factory, seed, rng, pause_rounds):
    cluster = cluster_factory(brokers=3, settings=REPLICATED, session_timeout_ms=SESSION_MS)
    cluster.create_topic(TOPIC, partitions=1, replication_factor=3, config={"min.insync.replicas": 2})
    h = History(seed=seed)
    producer = ContinuousProducer(cluster.bootstrap, TOPIC, h, partition=0, rate=200)
    producer.start()
    history.wait_for_acks(h, 50, timeout=30, describe=cluster.describe)
    violations = []

    for round_number in range(pause_rounds):
        state = cluster.wait_for_leader(TOPIC, 0)
        old = cluster.nodes[state.leader]
        pinned = kafka_wire.PinnedProducer(old.host, old.port)
        value = h.next_value()
        h.sent(value, 0)
        answer = pinned.produce(TOPIC, 0, [value.encode()])
        assert answer.error_code == 0, f"the leader {old.node_id} refused a write before any fault: {answer}"
        h.acked(value, 0, answer.base_offset)

        history.wait_for_acks(h, rng.randint(10, 200), timeout=60, describe=cluster.describe)
        print(f"round {round_number}: SIGSTOP leader {old.node_id} (epoch {state.leader_epoch})")
        cluster.pause(old.node_id)
        new = cluster.wait_for_leader(TOPIC, 0, timeout=SESSION_MS / 1000 * 3 + 10, not_=old.node_id,
                                      min_epoch=state.leader_epoch)
        replaced_at = time.monotonic()
        print(f"round {round_number}: new leader {new.leader} epoch {new.leader_epoch} isr {new.isr}")

        # Written to the stopped old leader's socket after its replacement is visible in etcd.
        stale = {}
        for _ in range(5):
            value = h.next_value()
            h.sent(value, 0)
            stale[pinned.send(TOPIC, 0, [value.encode()], timeout_ms=3000)] = value
        history.wait_for_acks(h, rng.randint(20, 100), timeout=60, describe=cluster.describe)  # the new leader takes writes
        time.sleep(rng.uniform(0, 1.0))  # fault timing: how long the old leader stays stopped
        cluster.resume(old.node_id)

        while pinned.pending:
            try:
                correlation, answer = pinned.receive(timeout=20)
            except (socket.timeout, ConnectionError, OSError) as error:
                for value in stale.values():
                    if h.ops[value].status == history.PENDING:
                        h.failed(value, f"pinned connection: {error!r}")
                break
            value = stale.pop(correlation)
            print(f"round {round_number}: old leader answered {value}: error {answer.error_code}")
            if answer.error_code == 0:
                assert answer.received_at > replaced_at
                violations.append(f"round {round_number}: old leader {old.node_id} acknowledged {value} at offset "
                                  f"{answer.base_offset} after epoch {new.leader_epoch} (leader {new.leader}) was in etcd")
                h.acked(value, 0, answer.base_offset)
            else:
                h.failed(value, f"error {answer.error_code}")
        pinned.close()

        cluster.wait_until(lambda: old.node_id in cluster.partition_state(TOPIC, 0).isr, 60,
                           f"old leader {old.node_id} back in the ISR")

    assert not violations, "acknowledged by a replaced leader (seed %d):\n%s" % (seed, "\n".join(violations))
    settle_and_check(cluster, TOPIC, [0], h, [producer])
