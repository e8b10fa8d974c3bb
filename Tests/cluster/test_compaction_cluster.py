"""A compacted topic (cleanup.policy=compact) on 3 brokers, RF=3, min.insync.replicas=2.

Each replica's cleaner runs on its own (every 100 ms here, log.cleaner.backoff.ms); followers
copy the leader's bytes, which after a clean hold gap batches (an empty batch covering a run of
removed batches) and compacted batches (fewer records than offsets). The test:

1. produces updates of a few keys and tombstones with acks=all while a follower is down (SIGKILL),
   waits for the leader to compact, and checks a consumer sees exactly the latest value of each
   key at the offset it was acknowledged at;
2. restarts the follower, which must catch up from the compacted leader (its fetch position falls
   inside a gap batch), with the other follower in the ISR throughout; then makes that follower
   the leader and checks the key -> latest value map is still the acknowledged one;
3. stops every broker cleanly and runs `basalt-inspect verify` on each replica's directory.

Nothing sleeps to synchronise: every wait polls a fact with a deadline."""
import re
import signal
import struct
import subprocess
import time
from pathlib import Path

from confluent_kafka import Consumer, Producer, TopicPartition

import history
from checks import REPLICATED
from cluster import broker_binary

TOPIC = "compacted"
KEYS = [f"k{i}".encode() for i in range(5)]
# Segments roll every 100 ms (segment.ms); 16 KiB (segment.bytes) is more than the test writes in
# 100 ms, so rolls fall where time says, not at the victim's end, and the cleaner merges the small
# closed segments into one, with one gap batch per run of removed batches.
TOPIC_CONFIG = {"cleanup.policy": "compact", "segment.bytes": 16384, "segment.ms": 100,
                "min.cleanable.dirty.ratio": 0.01, "min.insync.replicas": 2}


class Written:
    """Every acknowledged record: offset -> (key, value), and the ISR seen after each."""

    def __init__(self, cluster):
        self.cluster = cluster
        # One idempotent producer for the whole test: its last batch is the only one the
        # cleaner keeps empty, so the follower's end at the kill can fall inside a gap batch.
        self.producer = Producer({"bootstrap.servers": cluster.bootstrap, "acks": "all",
                                  "linger.ms": 0, "enable.idempotence": True})
        self.records: dict[int, tuple[bytes, bytes | None]] = {}
        self.isr_samples: list[list[int]] = []

    def produce(self, records, must_stay_in_isr, one_at_a_time=True):
        """Sends (key, value) pairs with acks=all; then `must_stay_in_isr` must all be in the ISR (a
        follower dropping out of it fails the test). One at a time, the ISR is checked after each;
        otherwise all are sent at once (the leader appends them back to back) and then awaited."""
        producer = self.producer
        acked = []
        for key, value in records:
            producer.produce(TOPIC, key=key, value=value, partition=0,
                             on_delivery=lambda error, message: acked.append((error, message)))
            if one_at_a_time:
                assert producer.flush(60) == 0, f"unanswered produce of {key!r}"
                self._sample_isr(must_stay_in_isr)
        assert producer.flush(60) == 0, "unanswered produces"
        self._sample_isr(must_stay_in_isr)
        assert len(acked) == len(records)
        for error, message in acked:
            assert error is None, f"produce of {message.key()!r} failed: {error}"
            self.records[message.offset()] = (message.key(), message.value())

    def stream(self, start, until, must_stay_in_isr):
        """Sends updates(start, ...) one by one without waiting for answers, every 2 ms, until
        `until()` returns true (checked between sends); then waits for every answer. The leader
        appends them back to back, so whatever `until` does happens mid-stream. Returns the
        number sent."""
        producer = self.producer
        acked = []
        sent = 0
        while not until():
            key, value = updates(start + sent, 1)[0]
            producer.produce(TOPIC, key=key, value=value, partition=0,
                             on_delivery=lambda error, message: acked.append((error, message)))
            producer.poll(0.002)  # pacing, not synchronisation
            sent += 1
            assert sent < 5000, "the stream's end condition never came"
        assert producer.flush(60) == 0, "unanswered produces"
        self._sample_isr(must_stay_in_isr)
        assert len(acked) == sent
        for error, message in acked:
            assert error is None, f"produce of {message.key()!r} failed: {error}"
            self.records[message.offset()] = (message.key(), message.value())
        return sent

    def _sample_isr(self, must_stay_in_isr):
        isr = self.cluster.partition_state(TOPIC, 0).isr
        self.isr_samples.append(isr)
        assert set(must_stay_in_isr) <= set(isr), f"ISR {isr} lost one of {must_stay_in_isr}"

    def latest(self) -> dict[bytes, tuple[int, bytes | None]]:
        latest = {}
        for offset in sorted(self.records):
            key, value = self.records[offset]
            latest[key] = (offset, value)
        return latest


def updates(start, count):
    """`count` updates of KEYS, every 7th a tombstone, values unique."""
    return [(KEYS[i % len(KEYS)], None if i % 7 == 6 else f"value {i}".encode()) for i in range(start, start + count)]


def filler(start, count):
    """Records large enough to roll the 1 KiB segments, so what came before them is in closed
    (cleanable) segments; one key, unique values."""
    return [(b"filler", f"filler {i} ".encode().ljust(300, b"f")) for i in range(start, start + count)]


def consume_all(node):
    """Every record a consumer bootstrapped on `node` alone reads from offset 0 to the high
    watermark: [(offset, key, value)]. Empty batches are passed without a message."""
    consumer = Consumer({"bootstrap.servers": node.address, "group.id": f"reader-{time.monotonic_ns()}",
                         "enable.auto.commit": False})
    try:
        _, high = consumer.get_watermark_offsets(TopicPartition(TOPIC, 0), timeout=10, cached=False)
        consumer.assign([TopicPartition(TOPIC, 0, 0)])
        records, position = [], 0
        deadline = time.monotonic() + 30
        while position < high and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                position = max(position, consumer.position([TopicPartition(TOPIC, 0)])[0].offset)
                continue
            assert message.error() is None, message.error()
            records.append((message.offset(), message.key(), message.value()))
            position = message.offset() + 1
        assert position >= high, f"read to {position} of {high} from broker {node.node_id}"
        return records, high
    finally:
        consumer.close()


def check_latest(records, written: Written, where: str):
    """Every record read is the one acknowledged at its offset, offsets increase, and the last
    record of each key is the key's acknowledged latest (older values may remain where the
    replica has not cleaned yet; compaction semantics allow that, never a stale latest)."""
    offsets = [offset for offset, _, _ in records]
    assert offsets == sorted(set(offsets)), f"{where}: offsets not strictly increasing"
    for offset, key, value in records:
        assert written.records.get(offset) == (key, value), \
            f"{where}: offset {offset} holds {(key, value)!r}, acknowledged {written.records.get(offset)!r}"
    seen = {}
    for offset, key, value in records:
        seen[key] = (offset, value)
    assert seen == written.latest(), f"{where}: latest per key {seen} != acknowledged {written.latest()}"


def cleaner_runs(node) -> int:
    match = re.search(r'basalt_cleaner_runs_total\{topic="' + TOPIC + r'"\} (\d+)', node.metrics())
    return int(match.group(1)) if match else 0


def batches(node):
    """(base offset, last offset, record count) of every batch in the node's replica."""
    data = history.segment_bytes(node.partition_dir(TOPIC, 0))
    return [(b.base_offset, b.last_offset, struct.unpack_from(">i", data, b.position + 57)[0])
            for b in history.walk_batches(data)]


def log_end(node) -> int:
    found = batches(node)
    return found[-1][1] + 1 if found else 0


def kill_mid_stream(cluster, written, victim, leader_id, other_id):
    """Streams updates and SIGKILLs `victim` once it has copied 55 more records, streaming on for
    a second; the leader and the other follower must stay in the ISR. Returns the victim's log
    end at the kill and the number streamed."""
    target = log_end(victim) + 55
    killed = {}

    def kill_victim():
        isr = cluster.partition_state(TOPIC, 0).isr
        written.isr_samples.append(isr)
        assert leader_id in isr and other_id in isr, f"ISR {isr} lost the leader or the other follower"
        if not killed and log_end(victim) >= target:
            victim.kill(signal.SIGKILL)
            killed["end"] = log_end(victim)
            killed["at"] = time.monotonic()
        # Keep streaming for a second after the kill: the ISR shrinks and writes go on.
        return killed and time.monotonic() - killed["at"] > 1.0
    sent = written.stream(max(written.records) + 1, kill_victim, must_stay_in_isr=[leader_id, other_id])
    assert killed["end"] < max(written.records), "the victim was killed after the stream ended"
    return killed["end"], sent


def wait_for_compaction(cluster, written, leader, must_stay_in_isr):
    """Waits until a consumer reads one record per key from `leader` (besides the filler) and its
    cleaner has run; each look that finds more adds a filler record, whose append rolls the
    segment holding the latest updates (segment.ms) so the cleaner may take it."""
    def compacted():
        records, _ = consume_all(leader)
        keyed = [r for r in records if r[1] != b"filler"]
        if len(keyed) == len(KEYS) and cleaner_runs(leader) >= 1:
            return records
        written.produce(filler(max(written.records) + 1, 1), must_stay_in_isr=must_stay_in_isr)
        return None
    return cluster.wait_until(compacted, 60, f"leader {leader.node_id} to compact {TOPIC}")


def test_compacted_topic_replicates_and_fails_over(cluster_factory):
    cluster = cluster_factory(brokers=3, settings={**REPLICATED, "log.cleaner.backoff.ms": 100})
    cluster.create_topic(TOPIC, partitions=1, replication_factor=3, config=TOPIC_CONFIG)
    state = cluster.wait_for_isr(TOPIC, 0, 3)
    leader_id = state.leader
    victim_id, other_id = [n for n in state.replicas if n != leader_id]
    leader, victim, other = (cluster.nodes[n] for n in (leader_id, victim_id, other_id))
    written = Written(cluster)

    # 1. A stream of updates; the victim is killed in the middle of it, 55 records in.
    written.produce(updates(0, 5), must_stay_in_isr=[leader_id, victim_id, other_id])
    # Where the victim's end lands in the leader's batches is timing: a segment roll among the few
    # appends between the kill and the stall of acks=all, with a clean while the high watermark
    # waits at the victim's end, puts a batch boundary there. Then the victim catches up, and the
    # stream goes again (at most 4 times) until its end falls inside a gap batch.
    for attempt in range(4):
        end_at_kill, sent = kill_mid_stream(cluster, written, victim, leader_id, other_id)
        cluster.wait_until(lambda: victim_id not in cluster.partition_state(TOPIC, 0).isr, 30,
                           f"killed follower {victim_id} to leave the ISR")
        written.produce(updates(max(written.records) + 1, 40), must_stay_in_isr=[leader_id, other_id])

        # The leader compacts: one record per key left besides the filler.
        records = wait_for_compaction(cluster, written, leader, [leader_id, other_id])
        check_latest(records, written, f"leader {leader_id}")
        assert {k: (o, v) for o, k, v in records if k != b"filler"} == \
            {k: v for k, v in written.latest().items() if k != b"filler"}
        # The victim's end falls inside one of the leader's gap batches: the first batch it will
        # fetch starts before its log end and holds no records.
        straddling = [b for b in batches(leader) if b[0] < end_at_kill <= b[1] and b[2] == 0]
        print(f"attempt {attempt}: SIGKILL follower {victim_id} at log end {end_at_kill} (leader {leader_id}), "
              f"{sent} streamed; leader batches there: {[b for b in batches(leader) if b[1] >= end_at_kill - 1][:2]}")
        if straddling:
            break
        cluster.restart(victim_id)
        cluster.wait_for_isr(TOPIC, 0, 3, timeout=60)
        cluster.wait_until(lambda: log_end(victim) == log_end(leader), 30, f"follower {victim_id} to catch up")
    assert straddling, "in 4 attempts no gap batch of the leader spanned the victim's end"

    # 2. The victim restarts behind a compacted leader and catches up; the other stays in sync.
    cluster.restart(victim_id)
    cluster.wait_for_isr(TOPIC, 0, 3, timeout=60)
    leader_end = log_end(leader)
    cluster.wait_until(lambda: log_end(victim) == leader_end, 30,
                       f"restarted follower {victim_id} to reach the leader's end {leader_end}")
    assert other_id in cluster.partition_state(TOPIC, 0).isr
    assert all(other_id in isr and leader_id in isr for isr in written.isr_samples)
    copied = [b for b in batches(victim) if b[1] >= end_at_kill]
    assert any(count < last - base + 1 for base, last, count in copied), \
        f"follower {victim_id} copied no compacted or gap batch past {end_at_kill}: {copied[:5]}"
    # Its batches run on from its end at the kill: the leader's gap batch from there on.
    assert copied and copied[0][0] == end_at_kill and copied[0][2] == 0, \
        f"follower {victim_id}'s first batch past its old end {end_at_kill} is {copied[:1]}, " \
        f"the leader's there is {straddling[0]}"
    # More updates with all three in sync, so the new leader has something of its own to serve.
    next_offset = max(written.records) + 1
    written.produce(updates(next_offset, 40) + filler(next_offset + 40, 4),
                    must_stay_in_isr=[leader_id, victim_id, other_id])

    # The victim becomes the leader: the other follower stops cleanly, the leader dies.
    assert cluster.kill(other_id, signal.SIGTERM) == 0
    cluster.wait_until(lambda: other_id not in cluster.partition_state(TOPIC, 0).isr, 30,
                       f"stopped follower {other_id} to leave the ISR")
    epoch = cluster.partition_state(TOPIC, 0).leader_epoch
    cluster.kill(leader_id, signal.SIGKILL)
    new_state = cluster.wait_for_leader(TOPIC, 0, timeout=30, not_=leader_id, min_epoch=epoch)
    assert new_state.leader == victim_id, f"leader {new_state.leader}, expected the caught-up follower {victim_id}"
    acked_end = max(written.records) + 1
    records, high = cluster.wait_until(lambda: (lambda r: r if r[1] >= acked_end else None)(consume_all(victim)),
                                       30, f"new leader {victim_id}'s high watermark to reach {acked_end}")
    check_latest(records, written, f"new leader {victim_id}")

    # The old leader and the other follower come back and follow the new leader.
    cluster.restart(leader_id)
    cluster.nodes[other_id].start()
    cluster.wait_for_isr(TOPIC, 0, 3, timeout=60)
    written.produce(filler(max(written.records) + 1, 2), must_stay_in_isr=[victim_id])
    final_end = log_end(victim)
    for node in (leader, other):
        cluster.wait_until(lambda: log_end(node) == final_end, 30,
                           f"broker {node.node_id} to reach the new leader's end {final_end}")
    records, _ = consume_all(victim)
    check_latest(records, written, f"new leader {victim_id} after the others rejoined")

    # 3. Clean stops, then every replica verifies clean.
    for node in cluster.nodes.values():
        assert node.kill(signal.SIGTERM) == 0, f"broker {node.node_id} did not stop cleanly"
    inspect = Path(broker_binary()).parent / "basalt-inspect"
    assert inspect.exists(), f"{inspect} not built: swift build --product basalt-inspect"
    for node in cluster.nodes.values():
        result = subprocess.run([str(inspect), "verify", str(node.partition_dir(TOPIC, 0))],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, \
            f"basalt-inspect verify of broker {node.node_id}: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
        # Nor does repair take it for a Kafka directory (leader epoch and cleaner checkpoints,
        # producer snapshots are Basalt's files too).
        result = subprocess.run([str(inspect), "repair", str(node.partition_dir(TOPIC, 0))],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0 and "nothing to repair" in result.stdout, \
            f"basalt-inspect repair of broker {node.node_id}: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
