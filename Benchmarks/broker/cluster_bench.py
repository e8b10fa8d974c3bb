"""Cluster benchmark (issue 9 item 10): one run, one machine, loopback, release brokers.

    python3 Benchmarks/broker/cluster_bench.py            (or `make bench-cluster`)

(a) Throughput: a 3-broker cluster (real etcd, Tests/cluster/cluster.py) with topic `rf1`
    (RF=1) and `rf3` (RF=3, min.insync.replicas=2); `kafka_bench produce` writes RECORDS
    values of 1 KiB with acks=1 to rf1 and acks=all to rf3, and, for reference, acks=1 to a
    single broker without etcd. Loads alternate REPEATS times; each reports MB/s of values
    and the CPU seconds every process spent (/proc/<pid>/stat utime+stime for brokers and
    etcd, wait4 rusage for the client), as CPU-seconds per GB of values.
(b) Failover: an idempotent acks=all confluent-kafka producer (100 B values, RATE/s) on an
    RF=3 min.insync=2 topic; KILL_ROUNDS times: SIGKILL the leader named in etcd at a random
    moment, time until the first acknowledgement of a value *sent after* the kill (and, for
    comparison, the first acknowledgement of any value, and etcd naming a new leader),
    restart the broker, wait for a full ISR. Then TERM_ROUNDS with SIGTERM.
(c) Catch-up: SIGKILL a follower, write CATCHUP_MIB of 1 KiB values with acks=1, restart the
    follower and poll the size of its .log files every 100 ms until it equals the leader's;
    the loopback sendfile ceiling (sendfile_ceiling.c) on the leader's segment files follows.

Environment: RECORDS (500000), REPEATS (5), KILL_ROUNDS (30), TERM_ROUNDS (30), RATE (1000),
CATCHUP_MIB (1024), SEED (random), QUICK=1 (small sizes, 3 rounds), BASALT_BROKER, BENCH_DIR
(parent of the scratch directory; /tmp by default), PARTS (which of a,b,c to run; "abc"), KEEP=1 (keep the scratch directory and broker logs),
CLIENT_CONFIG (JSON of extra settings for the failover producer), CATCHUP_SETTINGS (JSON of broker
settings for (c)), CLIENT_DEBUG (librdkafka debug contexts).
Broker settings are the defaults apart from the topics' min.insync.replicas.
"""
from __future__ import annotations

import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "Tests" / "cluster"))
import kafka_wire  # noqa: E402
from cluster import Cluster, Node, wait_until  # noqa: E402

QUICK = os.environ.get("QUICK") == "1"
RECORDS = int(os.environ.get("RECORDS", 50000 if QUICK else 500000))
REPEATS = int(os.environ.get("REPEATS", 1 if QUICK else 5))
KILL_ROUNDS = int(os.environ.get("KILL_ROUNDS", 3 if QUICK else 30))
TERM_ROUNDS = int(os.environ.get("TERM_ROUNDS", 3 if QUICK else 30))
RATE = float(os.environ.get("RATE", 1000))
CATCHUP_MIB = int(os.environ.get("CATCHUP_MIB", 64 if QUICK else 1024))
PARTS = os.environ.get("PARTS", "abc")
SEED = int(os.environ.get("SEED") or random.SystemRandom().randrange(2**32))
VALUE_BYTES = 1024
TICK = os.sysconf("SC_CLK_TCK")


def log(text: str) -> None:
    print(text, flush=True)


def cpu_seconds(pid: int) -> float:
    """utime + stime of a live process, from /proc/<pid>/stat (fields 14 and 15)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def machine_busy_seconds() -> float:
    """CPU seconds all CPUs spent busy (not idle or iowait), from /proc/stat: counts what the
    per-process figures miss (kernel writeback threads, softirqs) and other sessions' work."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / TICK


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: list[float], q: float) -> float:
    """Nearest rank: with 30 samples p99 is the largest."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def build_tools(work: Path) -> dict[str, str]:
    tools = {}
    for name, libs in (("kafka_bench", ["-lrdkafka"]), ("sendfile_ceiling", ["-lpthread"])):
        out = work / name
        subprocess.run(["gcc", "-O2", "-o", str(out), str(REPO / "Benchmarks/broker" / f"{name}.c"), *libs], check=True)
        tools[name] = str(out)
    return tools


def run_client(args: list[str]) -> tuple[str, float]:
    """Runs a client to completion; returns its output and its CPU seconds (wait4 rusage)."""
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    out, err = process.stdout.read(), process.stderr.read()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {process.returncode}: {err[-2000:]}")
    return out.strip(), usage.ru_utime + usage.ru_stime


def start_cluster(workdir: Path, settings: dict | None = None) -> Cluster:
    """Three brokers and an etcd; a start that fails (a broker's first etcd request can fail when
    another process took a port we were given) is retried in a fresh directory, and said so."""
    for attempt in range(3):
        try:
            return Cluster(workdir / f"try{attempt}", brokers=3, settings=settings).start()
        except RuntimeError as error:
            log(f"cluster start {attempt + 1} failed, retrying: {str(error).splitlines()[0]}")
    raise RuntimeError("the cluster did not start in 3 attempts")


# ------------------------------------------------------------------------------ (a) throughput

def produce_load(tools, bootstrap: str, topic: str, acks: str, processes: dict[str, int]) -> dict:
    before = {name: cpu_seconds(pid) for name, pid in processes.items()}
    machine_before = machine_busy_seconds()
    out, client_cpu = run_client([tools["kafka_bench"], "produce", bootstrap, topic, str(RECORDS),
                                  str(VALUE_BYTES), acks, "none"])
    after = {name: cpu_seconds(pid) for name, pid in processes.items()}
    machine = machine_busy_seconds() - machine_before
    _, rate, mbs, failed = out.split()
    if failed != "failed=0":
        raise RuntimeError(f"produce to {topic}: {out}")
    cpu = {name: after[name] - before[name] for name in processes}
    cpu["client"] = client_cpu
    gb = RECORDS * VALUE_BYTES / 1e9
    return {"mbs": float(mbs), "cpu": cpu, "machine": machine, "seconds": gb * 1e3 / float(mbs), "gb": gb}


def throughput(tools, work: Path) -> dict:
    single = Node(0, work / "single", "none", [], {}, cluster_mode=False).start()
    cluster = start_cluster(work / "a")
    try:
        cluster.create_topic("rf1", replication_factor=1)
        cluster.create_topic("rf3", replication_factor=3, config={"min.insync.replicas": 2})
        cluster.wait_for_isr("rf3", 0, 3)
        l1, l3 = cluster.leader_of("rf1", 0), cluster.leader_of("rf3", 0)
        log(f"(a) rf1 leader {l1}, rf3 leader {l3}; {RECORDS} x {VALUE_BYTES} B per load, {REPEATS} rounds")
        cluster_pids = {f"broker {n.node_id}": n.process.pid for n in cluster.nodes.values()}
        cluster_pids["etcd"] = cluster.etcd.process.pid
        # rf3 acks=1 and rf1 acks=all separate the cost of replication from the cost of the sync.
        loads = [("single node, acks=1", single.address, "single", "1", {"broker": single.process.pid}),
                 ("rf1 acks=1", cluster.bootstrap, "rf1", "1", cluster_pids),
                 ("rf3 acks=all", cluster.bootstrap, "rf3", "all", cluster_pids),
                 ("rf1 acks=all", cluster.bootstrap, "rf1", "all", cluster_pids),
                 ("rf3 acks=1", cluster.bootstrap, "rf3", "1", cluster_pids)]
        results: dict[str, list] = {name: [] for name, *_ in loads}
        for round_number in range(REPEATS):
            for name, bootstrap, topic, acks, pids in loads:
                r = produce_load(tools, bootstrap, topic, acks, pids)
                results[name].append(r)
                cpu = ", ".join(f"{k} {v:.1f}" for k, v in r["cpu"].items())
                log(f"(a) round {round_number}: {name}: {r['mbs']:.1f} MB/s in {r['seconds']:.1f} s; CPU s: {cpu}; "
                    f"machine busy {r['machine']:.1f}")
        return {"results": results, "leaders": (l1, l3)}
    finally:
        cluster.teardown()
        single.teardown()


def report_throughput(a: dict) -> list[str]:
    res = a["results"]
    lines = ["### (a) Produce throughput, 1 KiB values",
             f"{RECORDS} records per load, {REPEATS} alternating rounds; MB/s of values; "
             "CPU-s/GB: CPU seconds per GB of values (/proc/<pid>/stat of each process; "
             "machine: all busy CPU time in /proc/stat, which also holds kernel writeback threads and other sessions).", "",
             "| load | MB/s (each round) | median MB/s | CPU-s/GB brokers | of which leader | etcd | client | machine |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    med = {}
    per_gb = {}
    for name, runs in res.items():
        med[name] = median([r["mbs"] for r in runs])
        gb = sum(r["gb"] for r in runs)
        seconds = sum(r["seconds"] for r in runs)
        machine = sum(r["machine"] for r in runs)
        cpu: dict[str, float] = {}
        for r in runs:
            for k, v in r["cpu"].items():
                cpu[k] = cpu.get(k, 0) + v
        brokers = sum(v for k, v in cpu.items() if k.startswith("broker"))
        leader_key = "broker" if "broker" in cpu else f"broker {a['leaders'][0 if name.startswith('rf1') else 1]}"
        total = brokers + cpu.get("etcd", 0) + cpu["client"]
        per_gb[name] = {"brokers": brokers / gb, "total": total / gb, "client": cpu["client"] / gb,
                        "machine": machine / gb, "cores": total / seconds, "machine_cores": machine / seconds}
        lines.append(f"| {name} | {', '.join(format(r['mbs'], '.1f') for r in runs)} | {med[name]:.1f} | "
                     f"{brokers / gb:.2f} | {cpu[leader_key] / gb:.2f} | {cpu.get('etcd', 0) / gb:.2f} | "
                     f"{cpu['client'] / gb:.2f} | {machine / gb:.2f} |")
    ratios = [r3["mbs"] / r1["mbs"] for r1, r3 in zip(res["rf1 acks=1"], res["rf3 acks=all"])]
    ratio = median(ratios)
    lines += ["", f"**RF=3 acks=all / RF=1 acks=1 = {ratio:.2f}x**, the median of the per-round ratios "
                  f"({', '.join(format(x, '.2f') for x in ratios)}; ratio of the medians "
                  f"{med['rf3 acks=all'] / med['rf1 acks=1']:.2f}x; bar >= 0.33: {'met' if ratio >= 0.33 else 'NOT met'}). "
                  f"Cluster RF=1 acks=1 / single node acks=1 = {med['rf1 acks=1'] / med['single node, acks=1']:.2f}x (medians)."]
    c1, c3 = per_gb["rf1 acks=1"]["total"], per_gb["rf3 acks=all"]["total"]
    lines += [f"CPU bound: 2 cores / {c1:.2f} CPU-s/GB = {2000 / c1:.0f} MB/s for RF=1 acks=1, "
              f"2 cores / {c3:.2f} CPU-s/GB = {2000 / c3:.0f} MB/s for RF=3 acks=all; "
              f"if both were CPU-bound the ratio would be {c1 / c3:.2f}x. "
              f"Cores busy during the loads (these processes / whole machine): "
              f"RF=1 acks=1 {per_gb['rf1 acks=1']['cores']:.2f} / {per_gb['rf1 acks=1']['machine_cores']:.2f}, "
              f"RF=3 acks=all {per_gb['rf3 acks=all']['cores']:.2f} / {per_gb['rf3 acks=all']['machine_cores']:.2f}; "
              f"machine CPU-s/GB RF=1 acks=1 {per_gb['rf1 acks=1']['machine']:.2f}, "
              f"RF=3 acks=all {per_gb['rf3 acks=all']['machine']:.2f} "
              f"(bound {2000 / per_gb['rf3 acks=all']['machine']:.0f} MB/s)."]
    return lines


# ------------------------------------------------------------------------------- (b) failover

class AckClock:
    """An idempotent acks=all producer in its own thread, pacing RATE values of 100 B a second.

    `mark()` starts a measurement; the delivery callback then notes the first acknowledgement
    of any value and the first acknowledgement of a value sent after the mark."""

    def __init__(self, bootstrap: str, topic: str):
        from confluent_kafka import Producer
        # librdkafka's defaults except these: idempotence implies acks=all and retries.
        config = {"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all", "linger.ms": 1,
                  "log_level": 0}
        config.update(json.loads(os.environ.get("CLIENT_CONFIG", "{}")))  # e.g. '{"retry.backoff.max.ms": 200}'
        if os.environ.get("CLIENT_DEBUG"):  # e.g. "metadata,topic,eos,msg": librdkafka's log on stderr
            config.update({"debug": os.environ["CLIENT_DEBUG"], "log_level": 7})
        self.producer = Producer(config)
        self.topic = topic
        self.value = b"x" * 100
        self.acked = 0
        self.failed = 0
        self.errors: dict[str, int] = {}
        self.mark_at: float | None = None
        self.first_any: float | None = None
        self.first_sent_after: float | None = None
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def mark(self, at: float) -> None:
        self.first_any = self.first_sent_after = None
        self.mark_at = at

    def _on_delivery(self, sent_at: float):
        def report(error, _message):
            now = time.monotonic()
            if error is not None:
                self.failed += 1
                self.errors[str(error)[:120]] = self.errors.get(str(error)[:120], 0) + 1
                return
            self.acked += 1
            mark = self.mark_at
            if mark is not None:
                if self.first_any is None and now > mark:
                    self.first_any = now
                if self.first_sent_after is None and sent_at > mark:
                    self.first_sent_after = now
        return report

    def _run(self) -> None:
        interval, next_at = 1.0 / RATE, time.monotonic()
        while not self._stop.is_set():
            sent_at = time.monotonic()
            try:
                self.producer.produce(self.topic, value=self.value, partition=0, on_delivery=self._on_delivery(sent_at))
            except BufferError:
                pass
            self.producer.poll(0)
            next_at += interval
            delay = next_at - time.monotonic()
            if delay > 0:
                self.producer.poll(delay)
            else:
                next_at = time.monotonic()

    def start(self) -> "AckClock":
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.thread.join()
        self.producer.flush(30)

    def wait_acks(self, count: int, timeout: float = 60) -> None:
        start = self.acked
        wait_until(lambda: self.acked >= start + count, timeout, f"{count} more acks (errors {self.errors})")


def failover(work: Path, rng: random.Random) -> dict:
    cluster = start_cluster(work / "b")
    topic = "failover"
    out = {"SIGKILL": [], "SIGTERM": []}
    try:
        cluster.create_topic(topic, replication_factor=3, config={"min.insync.replicas": 2})
        cluster.wait_for_isr(topic, 0, 3)
        clock = AckClock(cluster.bootstrap, topic).start()
        clock.wait_acks(200)
        for sig, rounds in ((signal.SIGKILL, KILL_ROUNDS), (signal.SIGTERM, TERM_ROUNDS)):
            for round_number in range(rounds):
                state = cluster.wait_for_isr(topic, 0, 3)
                clock.wait_acks(100)
                time.sleep(rng.uniform(0, 1.0))  # a random moment in the producer's stream
                node = cluster.nodes[state.leader]
                killed_at = time.monotonic()
                clock.mark(killed_at)
                if os.environ.get("CLIENT_DEBUG"):
                    log(f"(b) {sig.name} to broker {state.leader} at unix time {time.time():.3f}")
                node.send(sig)
                elected_at = announced_at = new = None
                deadline = killed_at + 60
                while clock.first_sent_after is None or announced_at is None:
                    if elected_at is None:
                        new = cluster.partition_state(topic, 0)
                        if new and new.leader >= 0 and new.leader_epoch > state.leader_epoch:
                            elected_at = time.monotonic()
                    elif announced_at is None:
                        # The new leader's own Metadata answer names it: clients can find it.
                        leader = cluster.nodes[new.leader]
                        try:
                            if kafka_wire.metadata_leaders(leader.host, leader.port, 1.0).get((topic, 0)) == new.leader:
                                announced_at = time.monotonic()
                        except OSError:
                            pass
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"no ack within 60 s of {sig.name}; errors {clock.errors}\n{cluster.describe()}")
                    time.sleep(0.01)
                code = node.wait_exit(30)
                new = cluster.wait_for_leader(topic, 0, not_=state.leader, min_epoch=state.leader_epoch)
                sample = {"sent_after": clock.first_sent_after - killed_at, "any": clock.first_any - killed_at,
                          "elected": elected_at - killed_at, "announced": announced_at - killed_at, "exit": code}
                out[sig.name].append(sample)
                log(f"(b) {sig.name} round {round_number}: leader {state.leader} -> {new.leader}; "
                    f"etcd {sample['elected'] * 1000:.0f} ms, its Metadata {sample['announced'] * 1000:.0f} ms, first ack {sample['any'] * 1000:.0f} ms, "
                    f"first ack of a write sent after {sample['sent_after'] * 1000:.0f} ms; exit {code}")
                cluster.restart(state.leader)
        cluster.wait_for_isr(topic, 0, 3)
        clock.stop()
        out["errors"] = dict(clock.errors)
        out["acked"] = clock.acked
        return out
    finally:
        cluster.teardown()


def report_failover(b: dict) -> list[str]:
    lines = ["### (b) Failover of an acks=all idempotent producer (RF=3, min.insync.replicas=2, defaults)",
             f"{RATE:.0f} values/s of 100 B; time from the signal (ms); nearest-rank percentiles.", "",
             "| signal | rounds | measure | p50 | p99 | max |", "|---|---:|---|---:|---:|---:|"]
    for sig in ("SIGKILL", "SIGTERM"):
        samples = b[sig]
        if not samples:
            continue
        for key, label in (("sent_after", "first ack of a write sent after the signal"),
                           ("any", "first ack of any write"), ("elected", "etcd names the new leader"),
                           ("announced", "the new leader's Metadata names it")):
            values = [s[key] * 1000 for s in samples]
            lines.append(f"| {sig} | {len(samples)} | {label} | {percentile(values, 50):.0f} | "
                         f"{percentile(values, 99):.0f} | {max(values):.0f} |")
    kill = [s["sent_after"] for s in b["SIGKILL"]]
    term = [s["sent_after"] for s in b["SIGTERM"]]
    if kill:
        lines.append(f"\nSIGKILL bar p99 <= 6 s: {'met' if percentile(kill, 99) <= 6 else 'NOT met'} "
                     f"({percentile(kill, 99):.2f} s).")
    if term:
        over = sum(1 for t in term if t > 1)
        lines.append(f"SIGTERM bar <= 1 s: {'met' if over == 0 else 'NOT met'}: {len(term) - over} of {len(term)} rounds "
                     f"within 1 s (max {max(term) * 1000:.0f} ms); exit codes {sorted(set(s['exit'] for s in b['SIGTERM']))}.")
    lines.append(f"Producer: {b['acked']} acks, failures {b['errors'] or 'none'}.")
    return lines


# -------------------------------------------------------------------------------- (c) catch-up

def log_bytes(directory: Path) -> int:
    total = 0
    for path in directory.glob("*.log"):
        try:
            total += path.stat().st_size
        except FileNotFoundError:
            pass
    return total


def catch_up(tools, work: Path, rng: random.Random) -> dict:
    # e.g. CATCHUP_SETTINGS='{"replica.fetch.max.bytes": 8388608}' to see what the fetch size buys
    cluster = start_cluster(work / "c", json.loads(os.environ.get("CATCHUP_SETTINGS", "{}")))
    topic = "catchup"
    try:
        cluster.create_topic(topic, replication_factor=3, config={"min.insync.replicas": 2})
        state = cluster.wait_for_isr(topic, 0, 3)
        follower = rng.choice([n for n in state.replicas if n != state.leader])
        cluster.kill(follower, signal.SIGKILL)
        cluster.wait_until(lambda: follower not in cluster.partition_state(topic, 0).isr, 30, "follower out of the ISR")
        records = CATCHUP_MIB * 1024 * 1024 // VALUE_BYTES
        out, _ = run_client([tools["kafka_bench"], "produce", cluster.live_bootstrap(), topic, str(records),
                             str(VALUE_BYTES), "1", "none"])
        leader = cluster.nodes[state.leader]
        target = log_bytes(leader.partition_dir(topic, 0))
        # The follower that stayed up copies while the producer writes and may be behind: let it
        # finish first, so the restarted one has the leader to itself.
        others = [cluster.nodes[n] for n in state.replicas if n not in (state.leader, follower)]
        cluster.wait_until(lambda: all(log_bytes(n.partition_dir(topic, 0)) >= target for n in others), 120,
                           "the other follower to catch up")
        follower_dir = cluster.nodes[follower].partition_dir(topic, 0)
        start_bytes = log_bytes(follower_dir)
        log(f"(c) follower {follower} down; wrote {records} x {VALUE_BYTES} B with acks=1 ({out}); "
            f"leader {state.leader} log {target} B, follower {start_bytes} B")
        cpu_before = {n.node_id: cpu_seconds(n.process.pid) for n in cluster.nodes.values() if n.alive()}
        cpu_before[follower] = 0.0  # a new process
        started_at = time.monotonic()
        node = cluster.restart(follower)
        listening_at = time.monotonic()
        first_growth_at = None
        while True:
            size = log_bytes(follower_dir)
            now = time.monotonic()
            if first_growth_at is None and size > start_bytes:
                first_growth_at = now
            if size >= target:
                break
            if now - started_at > 600:
                raise RuntimeError(f"follower at {size} of {target} B after 600 s")
            time.sleep(0.1)
        done_at = time.monotonic()
        cpu = {n: cpu_seconds(cluster.nodes[n].process.pid) - v for n, v in cpu_before.items()}
        isr_at = time.monotonic()
        cluster.wait_for_isr(topic, 0, 3)
        isr_at = time.monotonic() - isr_at
        files = sorted(str(p) for p in leader.partition_dir(topic, 0).glob("*.log"))
        ceiling_out, _ = run_client([tools["sendfile_ceiling"], *files])
        ceiling = float(ceiling_out.split()[1])
        copied = target - start_bytes
        return {"bytes": copied, "from_start": copied / (done_at - started_at) / 1e6,
                "from_growth": copied / (done_at - (first_growth_at or started_at)) / 1e6,
                "startup": (first_growth_at or done_at) - started_at, "listening": listening_at - started_at,
                "seconds": done_at - started_at, "ceiling": ceiling, "cpu": cpu, "leader": state.leader,
                "follower": follower, "isr_wait": isr_at, "node": node.node_id}
    finally:
        cluster.teardown()


def report_catch_up(c: dict) -> list[str]:
    cpu = ", ".join(f"broker {n} {v:.1f}" for n, v in c["cpu"].items())
    settings = os.environ.get("CATCHUP_SETTINGS") or "defaults: replica.fetch.max.bytes 1 MiB"
    return [f"### (c) Replica catch-up ({settings})",
            f"Follower {c['follower']} restarted {c['bytes'] / 2**20:.0f} MiB behind leader {c['leader']}: "
            f"equal .log sizes {c['seconds']:.2f} s after the restart began (listening after {c['listening']:.2f} s, "
            f"first bytes after {c['startup']:.2f} s).", "",
            "| figure | MB/s | / sendfile ceiling |", "|---|---:|---:|",
            f"| catch-up, from restart | {c['from_start']:.0f} | {c['from_start'] / c['ceiling']:.2f}x |",
            f"| catch-up, from first byte copied | {c['from_growth']:.0f} | {c['from_growth'] / c['ceiling']:.2f}x |",
            f"| loopback sendfile ceiling, same files, same run | {c['ceiling']:.0f} | 1x |", "",
            f"CPU seconds during catch-up: {cpu}. Back in the ISR {c['isr_wait']:.2f} s after the sizes matched."]


def main() -> int:
    rng = random.Random(SEED)
    parent = Path(os.environ.get("BENCH_DIR", tempfile.gettempdir()))
    work = Path(tempfile.mkdtemp(prefix="basalt-cluster-bench-", dir=parent))
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    started = time.monotonic()
    log(f"{time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}, commit {commit or '?'}, {os.cpu_count()} CPUs, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; seed {SEED}; scratch {work}")
    report: list[str] = []
    try:
        tools = build_tools(work)
        if "a" in PARTS:
            report += report_throughput(throughput(tools, work)) + [""]
        if "b" in PARTS:
            report += report_failover(failover(work, rng)) + [""]
        if "c" in PARTS:
            report += report_catch_up(catch_up(tools, work, rng)) + [""]
    finally:
        if os.environ.get("KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)
    log("\n" + "\n".join(report))
    log(f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
        f"{time.monotonic() - started:.0f} s in all; seed {SEED} (SEED={SEED} replays the random moments)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
