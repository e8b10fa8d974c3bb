"""The end of every fault test: let the cluster settle, then check the history and the replicas."""
from __future__ import annotations

import history
from cluster import Cluster, wait_until

REPLICATED = {
    "default.replication.factor": 3,
    "min.insync.replicas": 2,
    "replica.lag.time.max.ms": 3000,
    "unclean.leader.election.enable": False,
}


def settle_and_check(cluster: Cluster, topic: str, partitions: list[int], h: history.History,
                     producers=(), timeout: float = 120.0) -> history.CheckResult:
    """Stops the producers, waits for every broker to be back in every ISR, reads everything back
    and checks it against the history, then checks the replicas are byte-identical up to the high
    watermark and hold nothing past it (a divergent tail was truncated)."""
    pending = sum(producer.stop() for producer in producers)
    print(f"producers stopped: {h.counts()}, {pending} still unanswered, fatal={h.fatal}")
    assert all(node.alive() and not node.paused for node in cluster.nodes.values()), cluster.describe()
    for partition in partitions:
        cluster.wait_for_isr(topic, partition, len(cluster.nodes), timeout)

    # A new leader's high watermark can trail its predecessor's until its followers fetch again, so
    # wait for it to cover every acknowledged offset; if it never does, the check reports the loss.
    acked_ends = h.acked_ends()
    ends = {}

    def covered():
        ends.update(history.high_watermarks(cluster.live_bootstrap(), topic, partitions))
        return all(ends[p] >= acked_ends.get(p, 0) for p in partitions)
    try:
        wait_until(covered, 30, "high watermarks covering every acknowledged offset")
    except AssertionError as error:
        print(f"{error}: high watermarks {ends}, acknowledged ends {acked_ends}")
    observed = history.read_all(cluster.live_bootstrap(), topic, partitions, timeout)
    result = history.check(h, observed)
    print(result)
    assert result.ok, str(result)
    assert h.fatal is None, f"the idempotent producer hit a fatal error: {h.fatal} (seed {h.seed})"

    for partition in partitions:
        assert_replicas_identical(cluster, topic, partition, ends[partition], timeout)
    return result


def assert_replicas_identical(cluster: Cluster, topic: str, partition: int, high_watermark: int,
                              timeout: float = 60.0, exact: bool = True) -> history.ReplicaComparison:
    """Waits until every replica's segment files equal byte for byte up to `high_watermark`; with
    `exact`, also that no replica holds a batch at or past it (nothing is being written now)."""
    state = cluster.partition_state(topic, partition)
    replicas = state.replicas if state else list(cluster.nodes)
    dirs = {node_id: cluster.nodes[node_id].partition_dir(topic, partition) for node_id in replicas}
    last = {}

    def identical():
        comparison = history.compare_replicas(dirs, high_watermark)
        last["comparison"] = comparison
        if not comparison.ok:
            return None
        if exact:
            tails = {n: history.walk_batches(history.segment_bytes(d)) for n, d in dirs.items()}
            beyond = {n: b[-1].last_offset for n, b in tails.items() if b and b[-1].last_offset >= high_watermark}
            last["beyond"] = beyond
            if beyond:
                return None
        return comparison

    try:
        comparison = wait_until(identical, timeout, f"replicas of {topic}-{partition} identical up to {high_watermark}")
    except AssertionError as error:
        raise AssertionError(f"{error}\n{last.get('comparison')}\nbatches past the high watermark: "
                             f"{last.get('beyond')}\n{cluster.describe()}") from None
    print(comparison)
    return comparison
