"""A killed broker restarts, truncates whatever it had that the leader does not, and catches up:
afterwards its log equals the leader's byte for byte.

`follower`: a follower is killed while writes go on; it restarts behind and must catch up.
`leader`: the leader is killed mid-write, so it may hold an unreplicated tail; after restarting as
a follower it must truncate that tail and then catch up."""
import signal
import time

import history
import pytest
from checks import REPLICATED, settle_and_check
from history import ContinuousProducer, History


@pytest.mark.parametrize("victim", ["follower", "leader"])
def test_restart_catches_up(cluster_factory, seed, rng, victim):
    topic = f"catchup-{victim}"
    cluster = cluster_factory(brokers=3, settings=REPLICATED)
    cluster.create_topic(topic, partitions=1, replication_factor=3, config={"min.insync.replicas": 2})
    h = History(seed=seed)
    producer = ContinuousProducer(cluster.bootstrap, topic, h, partition=0, rate=400)
    producer.start()
    history.wait_for_acks(h, rng.randint(100, 400), timeout=60, describe=cluster.describe)

    state = cluster.wait_for_leader(topic, 0)
    target = state.leader if victim == "leader" else rng.choice([n for n in state.replicas if n != state.leader])
    time.sleep(rng.uniform(0, 0.2))  # fault timing
    print(f"SIGKILL {victim} {target} (leader {state.leader}, epoch {state.leader_epoch})")
    cluster.kill(target, signal.SIGKILL)
    if victim == "leader":
        cluster.wait_for_leader(topic, 0, timeout=30, not_=target, min_epoch=state.leader_epoch)
    else:
        cluster.wait_until(lambda: target not in cluster.partition_state(topic, 0).isr, 30,
                           f"killed follower {target} to leave the ISR")
    # The survivors take writes the killed broker has never seen.
    history.wait_for_acks(h, rng.randint(200, 600), timeout=60, describe=cluster.describe)
    cluster.restart(target)
    cluster.wait_for_isr(topic, 0, 3, timeout=60)
    history.wait_for_acks(h, 50, timeout=60, describe=cluster.describe)

    settle_and_check(cluster, topic, [0], h, [producer])
