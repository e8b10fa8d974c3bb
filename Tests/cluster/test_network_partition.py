"""Network partition (namespaces): the leader of partition 0 is cut off from etcd and from the
followers, while clients can still reach it. A new leader must be elected; the old one must not
acknowledge writes after that (pinned producer); after the heal it truncates any divergent tail and
rejoins, the history is clean and the replicas are byte-identical."""
import socket
import time

import history
import kafka_wire
from checks import REPLICATED, settle_and_check
from history import ContinuousProducer, History

TOPIC = "partition"


def test_leader_cut_off_from_etcd_and_followers(cluster_factory, network_factory, seed, rng):
    network = network_factory(["etcd", "n1", "n2", "n3"])
    cluster = cluster_factory(brokers=3, settings=REPLICATED, network=network)
    cluster.create_topic(TOPIC, partitions=1, replication_factor=3, config={"min.insync.replicas": 2})
    h = History(seed=seed)
    producer = ContinuousProducer(cluster.bootstrap, TOPIC, h, partition=0, rate=200)
    producer.start()
    history.wait_for_acks(h, rng.randint(50, 300), timeout=60, describe=cluster.describe)

    state = cluster.wait_for_leader(TOPIC, 0)
    old = cluster.nodes[state.leader]
    pinned = kafka_wire.PinnedProducer(old.host, old.port)
    time.sleep(rng.uniform(0, 0.3))  # fault timing
    print(f"partitioning leader {old.node_id} (epoch {state.leader_epoch}) from etcd and the followers")
    network.partition_off(f"n{old.node_id}")
    new = cluster.wait_for_leader(TOPIC, 0, timeout=30, not_=old.node_id, min_epoch=state.leader_epoch)
    replaced_at = time.monotonic()
    print(f"new leader {new.leader} epoch {new.leader_epoch} isr {new.isr}")

    # The old leader, written to directly, must answer (not hang) and acknowledge nothing.
    violations = []
    for _ in range(3):
        value = h.next_value()
        h.sent(value, 0)
        try:
            answer = pinned.produce(TOPIC, 0, [value.encode()], timeout=3)
        except (socket.timeout, ConnectionError, OSError) as error:
            print(f"isolated old leader gave no answer for {value} within 3 s + 5 s: {error!r}")
            h.failed(value, repr(error))
            break
        print(f"isolated old leader answered {value}: error {answer.error_code}")
        if answer.error_code == 0:
            violations.append(f"isolated old leader {old.node_id} acknowledged {value} at {answer.base_offset} "
                              f"{time.monotonic() - replaced_at:.1f}s after epoch {new.leader_epoch} was in etcd")
            h.acked(value, 0, answer.base_offset)
        else:
            h.failed(value, f"error {answer.error_code}")
    pinned.close()
    # Clients, which can still reach the old leader, must make progress through the new one.
    history.wait_for_acks(h, rng.randint(50, 200), timeout=60, describe=cluster.describe)

    network.heal_all()
    cluster.wait_until(lambda: old.node_id in cluster.partition_state(TOPIC, 0).isr, 60,
                       f"old leader {old.node_id} back in the ISR after the heal")
    assert not violations, f"seed {seed}:\n" + "\n".join(violations)
    settle_and_check(cluster, TOPIC, [0], h, [producer])
