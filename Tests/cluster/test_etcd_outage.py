"""etcd unavailable for longer than the session timeout (SIGSTOP, then SIGCONT): produce and fetch
on the healthy leaders go on throughout (issue 9: "etcd being briefly unavailable must not stop
produce and fetch on healthy leaders; it may only delay leadership and ISR changes"). Every broker
loses its lease at the same time, but each leader still sees all its in-sync followers fetching, so
no other replica can have been made leader and it leads on. Afterwards the brokers register again
and the history and the replicas check out."""
import signal
import time

import history
from checks import REPLICATED, settle_and_check
from history import ContinuousProducer, History

TOPIC = "outage"
SESSION_MS = 3000


def test_produce_goes_on_while_etcd_is_stopped(cluster_factory, seed, rng):
    cluster = cluster_factory(brokers=3, settings=REPLICATED, session_timeout_ms=SESSION_MS)
    cluster.create_topic(TOPIC, partitions=1, replication_factor=3, config={"min.insync.replicas": 2})
    h = History(seed=seed)
    producer = ContinuousProducer(cluster.bootstrap, TOPIC, h, partition=0, rate=200)
    producer.start()
    history.wait_for_acks(h, rng.randint(50, 200), timeout=60, describe=cluster.describe)
    before = cluster.wait_for_leader(TOPIC, 0)

    outage_s = SESSION_MS / 1000 * 2 + rng.uniform(1, 3)
    print(f"SIGSTOP etcd for {outage_s:.1f} s (session timeout {SESSION_MS} ms)")
    cluster.etcd.process.send_signal(signal.SIGSTOP)
    try:
        # Let every lease lapse on the brokers' own clocks, then require writes to be acknowledged
        # while etcd is still stopped.
        time.sleep(SESSION_MS / 1000 + 1)  # fault timing: past every local lease deadline
        acked_before = h.acked_count()
        history.wait_for_acks(h, 50, timeout=outage_s - SESSION_MS / 1000 - 1, describe=cluster.describe)
        print(f"acknowledged during the outage: {h.acked_count() - acked_before}")
    finally:
        cluster.etcd.process.send_signal(signal.SIGCONT)

    history.wait_for_acks(h, rng.randint(50, 200), timeout=60, describe=cluster.describe)
    after = cluster.wait_for_leader(TOPIC, 0)
    print(f"leader before {before.leader} epoch {before.leader_epoch}, after {after.leader} epoch {after.leader_epoch}")
    cluster.wait_until(lambda: len(cluster.registered_brokers()) == 3, 60, "every broker registered again")
    settle_and_check(cluster, TOPIC, [0], h, producers=[producer])
