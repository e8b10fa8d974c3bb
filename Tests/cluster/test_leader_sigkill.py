"""SIGKILL the leader of partition 0 at seeded random moments while an idempotent acks=all producer
writes, restart it, repeat; then: nothing acknowledged is lost, nothing is duplicated or misplaced,
and the three replicas are byte-identical over the committed range.

Rounds: BASALT_CLUSTER_ROUNDS (default 3; `make torture-cluster` runs 200)."""
import signal
import time

import history
from checks import REPLICATED, settle_and_check
from history import ContinuousProducer, History

TOPIC = "sigkill"


def test_sigkill_leader_rounds(cluster_factory, seed, rng, rounds):
    cluster = cluster_factory(brokers=3, settings=REPLICATED)
    cluster.create_topic(TOPIC, partitions=1, replication_factor=3, config={"min.insync.replicas": 2})
    h = History(seed=seed)
    producer = ContinuousProducer(cluster.bootstrap, TOPIC, h, partition=0, rate=300)
    producer.start()
    history.wait_for_acks(h, 50, timeout=30, describe=cluster.describe)

    for round_number in range(rounds):
        state = cluster.wait_for_leader(TOPIC, 0)
        # A seeded moment: some number of acknowledgements in, plus a little wall-clock jitter.
        history.wait_for_acks(h, rng.randint(10, 300), timeout=60, describe=cluster.describe)
        time.sleep(rng.uniform(0, 0.3))  # fault timing, not synchronisation
        print(f"round {round_number}: SIGKILL leader {state.leader} (epoch {state.leader_epoch}), history {h.counts()}")
        cluster.kill(state.leader, signal.SIGKILL)
        new = cluster.wait_for_leader(TOPIC, 0, timeout=30, not_=state.leader, min_epoch=state.leader_epoch)
        print(f"round {round_number}: new leader {new.leader} epoch {new.leader_epoch} isr {new.isr}")
        history.wait_for_acks(h, rng.randint(10, 100), timeout=60, describe=cluster.describe)  # progress under the new leader
        cluster.restart(state.leader)
        cluster.wait_for_isr(TOPIC, 0, 3, timeout=60)

    settle_and_check(cluster, TOPIC, [0], h, [producer])
