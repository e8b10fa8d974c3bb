"""Histories of what a Kafka client was told, and the checks run on them afterwards.

* `History` records every value a producer sent as acknowledged (with its partition and offset),
  failed, or pending (no answer before the end: indeterminate).
* `ContinuousProducer` is a thread writing unique values "<run>-<seq>" with an idempotent
  acks=all confluent-kafka producer and filling a History from its delivery callbacks.
* `read_all` consumes a topic from the beginning to each partition's high watermark.
* `check` compares the two: every acknowledged value present exactly once at its acknowledged
  offset, nothing present that was never sent, no value present twice.
* `committed_prefix` / `compare_replicas` compare replicas' segment files byte for byte over the
  committed range (offsets below the high watermark).
"""
from __future__ import annotations

import collections
import struct
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

PENDING, OK, FAILED = "pending", "ok", "failed"


@dataclass
class Op:
    value: str
    partition: Optional[int]       # the partition asked for (None: the partitioner's choice)
    sent_at: float
    status: str = PENDING
    acked_partition: Optional[int] = None
    offset: Optional[int] = None
    error: Optional[str] = None
    answered_at: Optional[float] = None


class History:
    """Thread-safe record of every value sent and what the client was told about it."""

    def __init__(self, run: Optional[str] = None, seed: Optional[int] = None):
        self.run = run or uuid.uuid4().hex[:8]
        self.seed = seed
        self.ops: dict[str, Op] = {}
        self.fatal: Optional[str] = None
        self._lock = threading.Lock()
        self._next_seq = 0

    def next_value(self) -> str:
        """A fresh "<run>-<seq>" value; producers sharing this history never reuse one."""
        with self._lock:
            value = f"{self.run}-{self._next_seq}"
            self._next_seq += 1
            return value

    def sent(self, value: str, partition: Optional[int] = None, at: Optional[float] = None) -> None:
        with self._lock:
            assert value not in self.ops, f"value {value} sent twice by the test itself"
            self.ops[value] = Op(value, partition, at if at is not None else time.monotonic())

    def acked(self, value: str, partition: int, offset: int, at: Optional[float] = None) -> None:
        with self._lock:
            op = self.ops[value]
            assert op.status == PENDING, f"{value} answered twice: {op.status} then ok"
            op.status, op.acked_partition, op.offset = OK, partition, offset
            op.answered_at = at if at is not None else time.monotonic()

    def failed(self, value: str, error: str, at: Optional[float] = None) -> None:
        with self._lock:
            op = self.ops[value]
            assert op.status == PENDING, f"{value} answered twice: {op.status} then failed"
            op.status, op.error = FAILED, error
            op.answered_at = at if at is not None else time.monotonic()

    def with_status(self, status: str) -> list[Op]:
        with self._lock:
            return [op for op in self.ops.values() if op.status == status]

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(collections.Counter(op.status for op in self.ops.values()))

    def failure_summary(self, top: int = 3) -> str:
        """The most common failure messages, for timeout reports."""
        errors = collections.Counter(op.error for op in self.with_status(FAILED))
        return "; ".join(f"{count}x {error[:200]}" for error, count in errors.most_common(top)) or "none"

    def acked_count(self) -> int:
        return len(self.with_status(OK))

    def acked_ends(self) -> dict[int, int]:
        """Per partition, one past the highest acknowledged offset: the least a reader must reach."""
        ends: dict[int, int] = {}
        for op in self.with_status(OK):
            if op.offset is None:
                continue  # acknowledged without an offset (see check())
            ends[op.acked_partition] = max(ends.get(op.acked_partition, 0), op.offset + 1)
        return ends

    def last_ack_at(self) -> Optional[float]:
        times = [op.answered_at for op in self.with_status(OK)]
        return max(times) if times else None


# ------------------------------------------------------------------------------------- producer

def producer_config(bootstrap: str, **overrides) -> dict:
    config = {
        "bootstrap.servers": bootstrap,
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 2,
        "message.timeout.ms": 60000,
        "request.timeout.ms": 5000,
        "retry.backoff.ms": 50,
        "reconnect.backoff.max.ms": 500,
        "topic.metadata.refresh.interval.ms": 1000,
        "socket.connection.setup.timeout.ms": 3000,
        "log.connection.close": False,
    }
    config.update(overrides)
    return config


class ContinuousProducer(threading.Thread):
    """Writes "<run>-<seq>" values until stopped, at most `rate` per second, recording answers.

    `partition` pins every value to one partition; None lets the partitioner choose."""

    def __init__(self, bootstrap: str, topic: str, history: History, partition: Optional[int] = 0,
                 rate: float = 500.0, **config):
        super().__init__(name=f"producer-{history.run}", daemon=True)
        from confluent_kafka import Producer
        self.producer = Producer({**producer_config(bootstrap, **config), "error_cb": self._on_error})
        self.topic = topic
        self.history = history
        self.partition = partition
        self.interval = 1.0 / rate if rate else 0.0
        self._stopping = threading.Event()
        self.error: Optional[BaseException] = None

    def _callback(self, value: str):
        def report(error, message):
            # Never raise out of a librdkafka callback: record the problem for stop() instead.
            try:
                now = time.monotonic()
                if error is not None:
                    if error.fatal():
                        self.history.fatal = self.history.fatal or str(error)
                    self.history.failed(value, str(error), now)
                else:
                    self.history.acked(value, message.partition(), message.offset(), now)
            except SystemError as problem:
                # confluent-kafka leaves its fatal-error exception set while it keeps calling
                # delivery callbacks; the value stays pending (indeterminate).
                self.history.fatal = self.history.fatal or f"fatal client error surfaced in a callback: {problem!r}"
            except BaseException as problem:  # noqa: BLE001
                self.error = self.error or problem
        return report

    def _on_error(self, error) -> None:
        if error.fatal():
            self.history.fatal = self.history.fatal or str(error)

    def produce_one(self) -> str:
        value = self.history.next_value()
        self.history.sent(value, self.partition)
        kwargs = {"partition": self.partition} if self.partition is not None else {}
        while True:
            try:
                self.producer.produce(self.topic, value=value.encode(), on_delivery=self._callback(value), **kwargs)
                return value
            except BufferError:
                self.producer.poll(0.05)

    def run(self) -> None:
        try:
            next_at = time.monotonic()
            while not self._stopping.is_set() and self.history.fatal is None:
                self.produce_one()
                self.producer.poll(0)
                next_at += self.interval
                delay = next_at - time.monotonic()
                if delay > 0:
                    self._stopping.wait(delay)  # pacing, not synchronisation
                else:
                    next_at = time.monotonic()
        except BaseException as error:  # noqa: BLE001 - reported by stop()
            from confluent_kafka import KafkaException
            from confluent_kafka import KafkaError
            if isinstance(error, KafkaException) and error.args and (
                    error.args[0].fatal() or error.args[0].code() == KafkaError._FATAL):
                self.history.fatal = self.history.fatal or str(error.args[0])
            elif isinstance(error, SystemError):
                self.history.fatal = self.history.fatal or f"fatal client error surfaced in poll: {error!r}"
            else:
                self.error = error

    def stop(self, flush_timeout: float = 60.0) -> int:
        """Stops sending, waits up to `flush_timeout` for answers; returns how many stayed pending."""
        self._stopping.set()
        self.join()
        try:
            remaining = self.producer.flush(0 if self.history.fatal else flush_timeout)
        except Exception as error:  # noqa: BLE001 - after a fatal error the client may raise here
            if self.history.fatal is None and self.error is None:
                raise
            print(f"flush after the fatal error {self.history.fatal!r} raised {error!r}")
            remaining = len(self.history.with_status(PENDING))
        self.producer = None  # the client's threads end with it instead of reconnecting forever
        if self.error:
            raise AssertionError(f"producer thread or callback failed: {self.error!r} "
                                 f"(fatal client error: {self.history.fatal})") from self.error
        return remaining


def wait_for_acks(history: History, count: int, timeout: float, describe=None) -> None:
    """Waits until `count` more values are acknowledged than when called; on timeout the message
    carries the history's counts and `describe()` (e.g. Cluster.describe: etcd state, what each
    broker's metadata claims)."""
    from cluster import wait_until
    start = history.acked_count()
    wait_until(lambda: history.acked_count() >= start + count, timeout,
               f"{count} more acknowledged writes (history at the start: {history.counts()})",
               on_timeout=lambda: f"history now: {history.counts()}, fatal: {history.fatal}, "
                                  f"failures: {history.failure_summary()}"
                                  + (f"\n{describe()}" if describe else ""))


# -------------------------------------------------------------------------------------- reading

def high_watermarks(bootstrap: str, topic: str, partitions: list[int], timeout: float = 30.0) -> dict[int, int]:
    from confluent_kafka import Consumer
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"hwm-{uuid.uuid4().hex[:8]}",
                         "enable.auto.commit": False})
    try:
        return _watermarks(consumer, topic, partitions, timeout)
    finally:
        consumer.close()


def _watermarks(consumer, topic: str, partitions: list[int], timeout: float) -> dict[int, int]:
    """High watermarks, retried while the client's metadata catches up with a leader change."""
    from confluent_kafka import TopicPartition
    from cluster import wait_until

    def ask():
        return {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=min(5.0, timeout))[1]
                for p in partitions}
    return wait_until(ask, timeout, f"high watermarks of {topic} {partitions}", interval=0.2)


def read_all(bootstrap: str, topic: str, partitions: list[int], timeout: float = 60.0) -> list[tuple[int, int, str]]:
    """Every record of `partitions` from offset 0 up to each high watermark, as (partition, offset, value).

    A fresh consumer with the default isolation level; fails if it cannot get there in `timeout`."""
    from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"check-{uuid.uuid4().hex[:8]}",
                         "enable.auto.commit": False, "enable.partition.eof": True,
                         "auto.offset.reset": "earliest"})
    try:
        ends = _watermarks(consumer, topic, partitions, timeout)
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
        positions = {p: 0 for p in partitions}
        records = []
        deadline = time.monotonic() + timeout
        last_error = None
        while any(positions[p] < ends[p] for p in partitions):
            if time.monotonic() > deadline:
                raise AssertionError(f"read_all: reached {positions} of high watermarks {ends} in {timeout}s; "
                                     f"last consumer error: {last_error}")
            message = consumer.poll(0.5)
            if message is None:
                continue
            if message.error():
                if message.error().code() == KafkaError._PARTITION_EOF:
                    continue
                last_error = message.error()
                if not message.error().fatal():
                    continue
                raise AssertionError(f"read_all: consumer error {message.error()}")
            if message.offset() >= ends[message.partition()]:
                positions[message.partition()] = max(positions[message.partition()], message.offset() + 1)
                continue
            value = message.value().decode(errors="replace") if message.value() is not None else None
            records.append((message.partition(), message.offset(), value))
            positions[message.partition()] = message.offset() + 1
        return records
    finally:
        consumer.close()


# ------------------------------------------------------------------------------------- checking

@dataclass
class CheckResult:
    seed: Optional[int]
    run: str
    counts: dict
    lost: list = field(default_factory=list)          # acknowledged, absent
    duplicated: list = field(default_factory=list)    # present more than once
    misplaced: list = field(default_factory=list)     # acknowledged at one place, found at another
    unexpected: list = field(default_factory=list)    # present, never sent
    indeterminate_present: int = 0                    # failed/pending yet present once (allowed)
    observed: int = 0

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicated or self.misplaced or self.unexpected)

    def __str__(self) -> str:
        def examples(items):
            return ", ".join(str(item) for item in items[:5]) + (" ..." if len(items) > 5 else "")
        lines = [f"history check for run {self.run} (seed {self.seed}): "
                 f"{'clean' if self.ok else 'VIOLATIONS'}; sent {sum(self.counts.values())} {self.counts}, "
                 f"observed {self.observed}, failed-or-pending but present {self.indeterminate_present}",
                 f"  lost: {len(self.lost)} {examples(self.lost)}",
                 f"  duplicated: {len(self.duplicated)} {examples(self.duplicated)}",
                 f"  misplaced: {len(self.misplaced)} {examples(self.misplaced)}",
                 f"  unexpected: {len(self.unexpected)} {examples(self.unexpected)}"]
        if self.seed is not None:
            lines.append(f"  replay with BASALT_CLUSTER_SEED={self.seed}")
        return "\n".join(lines)


def check(history: History, observed: list[tuple[int, int, Optional[str]]]) -> CheckResult:
    """Checks what was read (partition, offset, value) against what the producer was told."""
    places = collections.defaultdict(list)
    for partition, offset, value in observed:
        places[value].append((partition, offset))
    result = CheckResult(history.seed, history.run, history.counts(), observed=len(observed))
    for value, where in places.items():
        op = history.ops.get(value) if value is not None else None
        if op is None:
            result.unexpected.append((value, where))
            continue
        if len(where) > 1:
            result.duplicated.append((value, where))
        elif op.status != OK:
            result.indeterminate_present += 1
    for op in history.ops.values():
        if op.status != OK:
            continue
        where = places.get(op.value)
        if not where:
            result.lost.append((op.value, (op.acked_partition, op.offset)))
        # librdkafka's idempotent producer acknowledges a batch whose own answer it lost once a
        # later batch of the same producer succeeds (the sequence proves the earlier one was
        # stored); it then reports no offset. Such a record must still be present exactly once,
        # which the checks above enforce; only its place cannot be checked.
        elif len(where) == 1 and op.offset is not None and where[0] != (op.acked_partition, op.offset):
            result.misplaced.append((op.value, {"acked": (op.acked_partition, op.offset), "found": where[0]}))
    return result


# ------------------------------------------------------------------------------ replica bytes

BATCH_HEADER = 61           # record batch v2 header size (through the record count)
LENGTH_PREFIX = 12          # base offset (8) + batch length (4): not counted in batch length


@dataclass
class Batch:
    position: int
    base_offset: int
    last_offset: int
    size: int


def walk_batches(data: bytes) -> list[Batch]:
    """The complete record batches at the start of `data`, stopping at a torn or zeroed tail."""
    batches, position = [], 0
    while position + BATCH_HEADER <= len(data):
        base_offset, length = struct.unpack_from(">qi", data, position)
        (last_delta,) = struct.unpack_from(">i", data, position + 23)
        size = length + LENGTH_PREFIX
        if length < BATCH_HEADER - LENGTH_PREFIX or last_delta < 0 or position + size > len(data):
            break
        batches.append(Batch(position, base_offset, base_offset + last_delta, size))
        position += size
    return batches


def segment_bytes(partition_dir: Path) -> bytes:
    """A partition's .log segments concatenated in base-offset order."""
    segments = sorted(Path(partition_dir).glob("*.log"), key=lambda p: int(p.stem))
    return b"".join(segment.read_bytes() for segment in segments)


def committed_prefix(partition_dir: Path, high_watermark: int) -> tuple[bytes, int]:
    """The bytes of every batch ending below `high_watermark`, and the offset after the last one."""
    data = segment_bytes(partition_dir)
    end, next_offset = 0, None
    for batch in walk_batches(data):
        if batch.last_offset >= high_watermark:
            break
        end, next_offset = batch.position + batch.size, batch.last_offset + 1
    return data[:end], (next_offset if next_offset is not None else 0)


@dataclass
class ReplicaComparison:
    high_watermark: int
    lengths: dict                 # replica -> committed bytes
    reached: dict                 # replica -> offset after its committed prefix
    differences: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences

    def __str__(self) -> str:
        head = (f"replica comparison up to high watermark {self.high_watermark}: "
                f"{'identical' if self.ok else 'DIFFERENT'}; bytes {self.lengths}, reached offsets {self.reached}")
        return "\n".join([head, *("  " + d for d in self.differences)])


def compare_replicas(partition_dirs: dict, high_watermark: int) -> ReplicaComparison:
    """Compares replicas' committed ranges byte for byte. Each replica must hold every offset below
    the high watermark; the first differing batch is named by offset and byte position."""
    prefixes = {name: committed_prefix(Path(d), high_watermark) for name, d in partition_dirs.items()}
    result = ReplicaComparison(high_watermark, {n: len(p[0]) for n, p in prefixes.items()},
                               {n: p[1] for n, p in prefixes.items()})
    for name, (_, reached) in prefixes.items():
        if reached < high_watermark:
            result.differences.append(f"replica {name} holds offsets only up to {reached} < {high_watermark}")
    names = list(prefixes)
    reference = names[0]
    ref_bytes = prefixes[reference][0]
    for name in names[1:]:
        other = prefixes[name][0]
        if other == ref_bytes:
            continue
        position = next((i for i, (a, b) in enumerate(zip(ref_bytes, other)) if a != b), min(len(ref_bytes), len(other)))
        batch = next((b for b in walk_batches(ref_bytes) if b.position <= position < b.position + b.size), None)
        where = f"batch at offset {batch.base_offset}" if batch else "past the reference's end"
        result.differences.append(f"replicas {reference} and {name} differ at byte {position} ({where}); "
                                  f"lengths {len(ref_bytes)} and {len(other)}")
    return result
