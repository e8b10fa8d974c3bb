"""A real etcd and real `basalt-broker` processes in cluster mode, for Jepsen-style tests.

Everything runs on loopback with free ports, or (with a `netns.Network`) each process in its own
network namespace. Nothing here sleeps to synchronise: callers wait for facts with `wait_until`.

    with Cluster(workdir, brokers=3, settings={"min.insync.replicas": 2}) as cluster:
        cluster.create_topic("t", partitions=1, replication_factor=3)
        leader = cluster.wait_for_leader("t", 0)
        cluster.kill(leader)             # SIGKILL
        cluster.restart(leader)

The broker binary is $BASALT_BROKER, else the newest .build*/{release,debug}/basalt-broker.
"""
from __future__ import annotations

import atexit
import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

REPO = Path(__file__).resolve().parents[2]
ETCD = os.environ.get("BASALT_ETCD", "/usr/bin/etcd")

# Every process this module started and has not reaped yet; killed at interpreter exit so an
# interrupted run leaves nothing behind.
_LIVE: set = set()


def _kill_all_live() -> None:
    for process in list(_LIVE):
        _hard_stop(process)


atexit.register(_kill_all_live)


def _hard_stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            process.send_signal(signal.SIGCONT)  # a stopped process must run to die cleanly
            process.kill()
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    _LIVE.discard(process)


class ClusterModeUnsupported(RuntimeError):
    """The broker binary does not understand the cluster-mode flags (issue 9 not in this build)."""


class WaitTimeout(AssertionError):
    pass


def broker_binary() -> str:
    explicit = os.environ.get("BASALT_BROKER")
    if explicit:
        return explicit
    candidates = [REPO / build / config / "basalt-broker"
                  for build in (".build", ".build-broker") for config in ("release", "debug")]
    existing = [c for c in candidates if c.exists()]
    if existing:
        return str(max(existing, key=lambda c: c.stat().st_mtime))
    raise RuntimeError("basalt-broker not built: run `swift build --product basalt-broker` or set BASALT_BROKER")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_until(predicate: Callable[[], object], timeout: float, what: str = "condition",
               interval: float = 0.05, on_timeout: Optional[Callable[[], str]] = None):
    """Polls `predicate` until it returns a truthy value (returned) or `timeout` seconds pass.

    Exceptions from the predicate count as "not yet"; the last one is quoted on timeout."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except Exception as error:  # noqa: BLE001 - a predicate failing means "not yet"
            last_error = error
        if time.monotonic() >= deadline:
            detail = f"; last error: {last_error!r}" if last_error else ""
            extra = f"\n{on_timeout()}" if on_timeout else ""
            raise WaitTimeout(f"timed out after {timeout:.1f}s waiting for {what}{detail}{extra}")
        time.sleep(interval)


def wait_for_port(host: str, port: int, process: subprocess.Popen, timeout: float, name: str) -> None:
    def listening():
        if process.poll() is not None:
            raise _Exited(process.returncode)
        with socket.create_connection((host, port), timeout=0.2):
            return True
    deadline = time.monotonic() + timeout
    while True:
        try:
            if listening():
                return
        except _Exited as exited:
            raise RuntimeError(f"{name} exited with {exited.code} before listening on {host}:{port}")
        except OSError:
            pass
        if time.monotonic() >= deadline:
            raise RuntimeError(f"{name} did not listen on {host}:{port} within {timeout}s")
        time.sleep(0.05)


class _Exited(Exception):
    def __init__(self, code):
        self.code = code


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join(text[-lines:])


def _die_with_parent() -> None:
    """In the child before exec: SIGKILL it when the test process dies, even by SIGKILL (Linux
    PR_SET_PDEATHSIG; survives the exec of `ip netns exec` and of the program it runs)."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        pass


def _popen(args, log_path: Path, netns: Optional[str]) -> subprocess.Popen:
    # `ip netns exec` execs the command in the same process, so the pid is the program's own.
    if netns:
        args = ["ip", "netns", "exec", netns, *args]
    log = open(log_path, "ab")
    try:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   preexec_fn=_die_with_parent if sys.platform == "linux" else None)
    finally:
        log.close()
    _LIVE.add(process)
    return process


# ---------------------------------------------------------------------------------------- etcd

class Etcd:
    """One etcd member with its own data dir; keys are read through the v3 JSON gateway."""

    def __init__(self, workdir: Path, host: str = "127.0.0.1", netns: Optional[str] = None,
                 client_port: Optional[int] = None, peer_port: Optional[int] = None):
        self.workdir = Path(workdir)
        self.host = host
        self.netns = netns
        self.client_port = client_port or free_port()
        self.peer_port = peer_port or free_port()
        self.data_dir = self.workdir / "etcd-data"
        self.log_path = self.workdir / "etcd.log"
        self.process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.client_port}"

    def start(self, timeout: float = 30.0) -> "Etcd":
        self.workdir.mkdir(parents=True, exist_ok=True)
        peer = f"http://{self.host}:{self.peer_port}"
        args = [ETCD, "--name", "e0", "--data-dir", str(self.data_dir),
                "--listen-client-urls", self.url, "--advertise-client-urls", self.url,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", f"e0={peer}", "--initial-cluster-state", "new",
                "--log-level", "warn", "--logger", "zap"]
        self.process = _popen(args, self.log_path, self.netns)
        wait_until(self.healthy, timeout, "etcd /health",
                   on_timeout=lambda: f"etcd log:\n{_tail(self.log_path)}")
        return self

    def healthy(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"etcd exited with {self.process.returncode}: {_tail(self.log_path)}")
        with urllib.request.urlopen(self.url + "/health", timeout=1) as response:
            return json.loads(response.read()).get("health") == "true"

    def stop(self) -> None:
        if self.process is not None:
            _hard_stop(self.process)
            self.process = None

    def _post(self, path: str, body: dict, timeout: float = 3.0) -> dict:
        request = urllib.request.Request(self.url + path, data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())

    @staticmethod
    def _b64(text: str | bytes) -> str:
        raw = text.encode() if isinstance(text, str) else text
        return base64.b64encode(raw).decode()

    def get(self, key: str) -> Optional[bytes]:
        kvs = self._post("/v3/kv/range", {"key": self._b64(key)}).get("kvs", [])
        return base64.b64decode(kvs[0].get("value", "")) if kvs else None

    def get_prefix(self, prefix: str) -> dict[str, bytes]:
        raw = prefix.encode()
        end = raw[:-1] + bytes([raw[-1] + 1])
        kvs = self._post("/v3/kv/range", {"key": self._b64(raw), "range_end": self._b64(end)}).get("kvs", [])
        return {base64.b64decode(kv["key"]).decode(): base64.b64decode(kv.get("value", "")) for kv in kvs}

    def put(self, key: str, value: str | bytes) -> None:
        self._post("/v3/kv/put", {"key": self._b64(key), "value": self._b64(value)})

    def delete(self, key: str) -> None:
        self._post("/v3/kv/deleterange", {"key": self._b64(key)})


# -------------------------------------------------------------------------------------- brokers

def _properties(settings: dict) -> str:
    def text(value):
        return str(value).lower() if isinstance(value, bool) else str(value)
    return "".join(f"{name}={text(value)}\n" for name, value in sorted(settings.items()))


class Node:
    """One `basalt-broker` process in cluster mode: its ports, data dir, log and config file."""

    def __init__(self, node_id: int, workdir: Path, cluster_name: str, etcd_urls: list[str],
                 settings: dict, host: str = "127.0.0.1", netns: Optional[str] = None,
                 port: Optional[int] = None, metrics_port: Optional[int] = None, cluster_mode: bool = True):
        self.node_id = node_id
        self.host = host
        self.netns = netns
        self.port = port or free_port()
        self.metrics_port = metrics_port or free_port()
        self.dir = Path(workdir) / f"broker-{node_id}"
        self.data_dir = self.dir / "data"
        self.log_path = self.dir / "broker.log"
        self.config_path = self.dir / "server.properties"
        self.cluster_name = cluster_name
        self.etcd_urls = etcd_urls
        self.settings = dict(settings)
        self.cluster_mode = cluster_mode
        self.process: Optional[subprocess.Popen] = None
        self.paused = False
        self.exit_codes: list[int] = []  # every exit observed, in order

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def args(self) -> list[str]:
        args = [broker_binary(), "--data-dir", str(self.data_dir), "--listen", self.address,
                "--metrics", f"{self.host}:{self.metrics_port}", "--config", str(self.config_path)]
        if self.cluster_mode:
            args += ["--node-id", str(self.node_id), "--etcd", ",".join(self.etcd_urls),
                     "--cluster", self.cluster_name]
        return args

    def start(self, timeout: float = 60.0) -> "Node":
        # A port chosen free can be taken before the broker binds it: the brokers' own etcd
        # client opens a connection per request from the same ephemeral range. Such a start
        # fails at once with EADDRINUSE; it is retried on fresh ports, never silently passed.
        for attempt in range(5):
            try:
                return self._start_once(timeout)
            except RuntimeError as error:
                if "Address already in use" not in str(error) or attempt == 4:
                    raise
                print(f"broker {self.node_id}: port {self.port} or {self.metrics_port} was taken; retrying on new ports")
                self.port, self.metrics_port = free_port(), free_port()
        raise AssertionError("unreachable")

    def _start_once(self, timeout: float) -> "Node":
        assert self.process is None or self.process.poll() is not None, f"broker {self.node_id} already running"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(_properties(self.settings))
        with open(self.log_path, "ab") as log:
            log.write(f"==== start {' '.join(self.args())}\n".encode())
        self.process = _popen(self.args(), self.log_path, self.netns)
        self.paused = False
        try:
            wait_for_port(self.host, self.port, self.process, timeout, f"broker {self.node_id}")
        except RuntimeError as error:
            log = _tail(self.log_path, 60)
            if self.cluster_mode and self.process.poll() is not None and _looks_like_unknown_flag(log):
                raise ClusterModeUnsupported(
                    f"{broker_binary()} does not support cluster mode (--node-id/--etcd/--cluster; "
                    f"issue 9 is not implemented in this build), so this cluster test cannot run yet.\n"
                    f"broker {self.node_id} log:\n{log}") from None
            raise RuntimeError(f"{error}\nbroker {self.node_id} log ({self.log_path}):\n{log}") from None
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def send(self, sig: int) -> None:
        assert self.alive(), f"broker {self.node_id} is not running"
        self.process.send_signal(sig)
        if sig == signal.SIGSTOP:
            self.paused = True
        elif sig == signal.SIGCONT:
            self.paused = False

    def wait_exit(self, timeout: float = 30.0) -> int:
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise WaitTimeout(f"broker {self.node_id} did not exit within {timeout}s\n{_tail(self.log_path)}")
        _LIVE.discard(self.process)
        self.exit_codes.append(code)
        return code

    def kill(self, sig: int = signal.SIGKILL, timeout: float = 30.0) -> Optional[int]:
        """Sends `sig`; for SIGKILL/SIGTERM/SIGINT waits for the exit and returns the code."""
        if sig == signal.SIGTERM and self.paused:
            self.send(signal.SIGCONT)
        self.send(sig)
        if sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT):
            return self.wait_exit(timeout)
        return None

    def pause(self) -> None:
        self.send(signal.SIGSTOP)

    def resume(self) -> None:
        self.send(signal.SIGCONT)

    def teardown(self) -> None:
        if self.process is not None:
            _hard_stop(self.process)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def partition_dir(self, topic: str, partition: int) -> Path:
        return self.data_dir / f"{topic}-{partition}"

    def metrics(self) -> str:
        with urllib.request.urlopen(f"http://{self.host}:{self.metrics_port}/metrics", timeout=5) as response:
            return response.read().decode()


def _looks_like_unknown_flag(log: str) -> bool:
    lowered = log.lower()
    last_start = lowered.rfind("==== start ")
    after = lowered[lowered.find("\n", last_start) + 1:] if last_start >= 0 else lowered
    return any(marker in after for marker in ("unknown option", "unexpected argument", "unrecognized"))


@dataclass
class PartitionState:
    replicas: list
    leader: int
    leader_epoch: int
    isr: list
    partition_epoch: int

    @classmethod
    def parse(cls, raw: bytes) -> "PartitionState":
        value = json.loads(raw)
        return cls(list(value.get("replicas", [])), int(value.get("leader", -1)),
                   int(value.get("leaderEpoch", -1)), list(value.get("isr", [])),
                   int(value.get("partitionEpoch", -1)))


class Cluster:
    """An etcd and N brokers; a context manager whose exit kills everything it started."""

    def __init__(self, workdir: Path, brokers: int = 3, settings: Optional[dict] = None,
                 name: Optional[str] = None, network=None, session_timeout_ms: int = 3000,
                 ports: Optional[list] = None, etcd_port: Optional[int] = None):
        """`ports` and `etcd_port` fix the listen ports (etcd's peer port is then etcd_port + 1), so a
        cluster restarted on the same workdir finds etcd's member where it left it."""
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.name = name or f"jepsen-{os.getpid()}-{int(time.time() * 1000) % 100000}"
        self.network = network  # a netns.Network, or None for loopback
        self.settings = {"broker.session.timeout.ms": session_timeout_ms, **(settings or {})}
        etcd_host = network.address("etcd") if network else "127.0.0.1"
        self.etcd = Etcd(self.workdir / "etcd", host=etcd_host,
                         netns=network.namespace("etcd") if network else None, client_port=etcd_port,
                         peer_port=etcd_port + 1 if etcd_port else None)
        self.nodes: dict[int, Node] = {}
        for index in range(brokers):
            node_id = index + 1
            host = network.address(f"n{node_id}") if network else "127.0.0.1"
            self.nodes[node_id] = Node(node_id, self.workdir, self.name, [self.etcd.url], self.settings,
                                       host=host, netns=network.namespace(f"n{node_id}") if network else None,
                                       port=(ports[index] if ports else None))

    # -- lifecycle

    def __enter__(self) -> "Cluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.teardown()

    def start(self, timeout: float = 60.0) -> "Cluster":
        try:
            self.etcd.start()
            for node in self.nodes.values():
                node.start(timeout)
            self.wait_until(lambda: len(self.registered_brokers()) == len(self.nodes), timeout,
                            f"all {len(self.nodes)} brokers registered in etcd")
        except BaseException:
            self.teardown()
            raise
        return self

    def teardown(self) -> None:
        for node in self.nodes.values():
            node.teardown()
        self.etcd.stop()

    def restart(self, node_id: int, timeout: float = 60.0) -> Node:
        node = self.nodes[node_id]
        if node.alive():
            node.kill(signal.SIGKILL)
        return node.start(timeout)

    def kill(self, node_id: int, sig: int = signal.SIGKILL) -> Optional[int]:
        return self.nodes[node_id].kill(sig)

    def pause(self, node_id: int) -> None:
        self.nodes[node_id].pause()

    def resume(self, node_id: int) -> None:
        self.nodes[node_id].resume()

    @property
    def bootstrap(self) -> str:
        return ",".join(node.address for node in self.nodes.values())

    def live_bootstrap(self) -> str:
        return ",".join(node.address for node in self.nodes.values() if node.alive() and not node.paused)

    # -- etcd view

    def key(self, suffix: str) -> str:
        return f"/basalt/{self.name}/{suffix}"

    def registered_brokers(self) -> dict[int, dict]:
        prefix = self.key("brokers/")
        return {int(k[len(prefix):]): json.loads(v) for k, v in self.etcd.get_prefix(prefix).items()}

    def controller(self) -> Optional[int]:
        raw = self.etcd.get(self.key("controller"))
        return int(raw) if raw else None

    def partition_state(self, topic: str, partition: int) -> Optional[PartitionState]:
        raw = self.etcd.get(self.key(f"partitions/{topic}/{partition}"))
        return PartitionState.parse(raw) if raw else None

    def leader_of(self, topic: str, partition: int) -> Optional[int]:
        state = self.partition_state(topic, partition)
        return state.leader if state and state.leader >= 0 else None

    def wait_for_leader(self, topic: str, partition: int, timeout: float = 30.0,
                        not_: Optional[int] = None, min_epoch: int = -1) -> PartitionState:
        """Waits for a live leader (other than `not_`, with epoch > `min_epoch`) and returns the state."""
        def ready():
            state = self.partition_state(topic, partition)
            if state is None or state.leader < 0 or state.leader == not_ or state.leader_epoch <= min_epoch:
                return None
            return state
        return self.wait_until(ready, timeout, f"a leader for {topic}-{partition} other than {not_} "
                                               f"with epoch > {min_epoch}")

    def wait_for_isr(self, topic: str, partition: int, size: int, timeout: float = 60.0) -> PartitionState:
        def ready():
            state = self.partition_state(topic, partition)
            return state if state and len(state.isr) >= size else None
        return self.wait_until(ready, timeout, f"ISR of {topic}-{partition} to have {size} members")

    def wait_until(self, predicate, timeout: float, what: str = "condition"):
        return wait_until(predicate, timeout, what, on_timeout=self.describe)

    # -- Kafka side

    def create_topic(self, topic: str, partitions: int = 1, replication_factor: int = 3,
                     config: Optional[dict] = None, timeout: float = 30.0) -> None:
        from confluent_kafka import KafkaError, KafkaException
        from confluent_kafka.admin import AdminClient, NewTopic
        admin = AdminClient({"bootstrap.servers": self.live_bootstrap()})
        live = [n for n in self.nodes.values() if n.alive() and not n.paused]
        self.wait_until(lambda: len(admin.list_topics(timeout=5).brokers) >= len(live), timeout,
                        f"metadata listing all {len(live)} live brokers")
        retried = []

        def create():
            futures = admin.create_topics([NewTopic(topic, num_partitions=partitions,
                                                    replication_factor=replication_factor,
                                                    config={k: str(v) for k, v in (config or {}).items()})],
                                          operation_timeout=timeout)
            try:
                for future in futures.values():
                    future.result(timeout=timeout)
            except KafkaException as error:
                code = error.args[0].code()
                if code == KafkaError.TOPIC_ALREADY_EXISTS and retried:
                    return True
                if code == KafkaError.INVALID_REPLICATION_FACTOR:
                    # Metadata lists every broker but the controller has not counted them all yet.
                    retried.append(str(error))
                    return False
                raise
            return True
        try:
            self.wait_until(create, 15, f"CreateTopics {topic} RF={replication_factor} to succeed")
        except AssertionError as error:
            raise AssertionError(f"{error}\nINVALID_REPLICATION_FACTOR answers: {len(retried)} {retried[-1:]}") from None
        if retried:
            print(f"create_topic {topic}: retried {len(retried)}x after {retried[0]}")
        for partition in range(partitions):
            self.wait_for_leader(topic, partition, timeout)

    # -- diagnostics

    def describe(self) -> str:
        lines = [f"cluster {self.name} in {self.workdir}"]
        for node in self.nodes.values():
            state = "paused" if node.paused else ("running" if node.alive() else f"down {node.exit_codes}")
            lines.append(f"  broker {node.node_id} at {node.address}: {state}, log {node.log_path}")
        import kafka_wire
        for node in self.nodes.values():
            if node.alive() and not node.paused:
                try:
                    claims = kafka_wire.metadata_leaders(node.host, node.port, timeout=1.0)
                    lines.append(f"  metadata from broker {node.node_id}: leaders "
                                 + ", ".join(f"{t}-{p}={leader}" for (t, p), leader in sorted(claims.items())))
                except Exception as error:  # noqa: BLE001 - diagnostics only
                    lines.append(f"  metadata from broker {node.node_id}: {error!r}")
        try:
            for key, value in sorted(self.etcd.get_prefix(f"/basalt/{self.name}/").items()):
                lines.append(f"  etcd {key} = {value.decode(errors='replace')[:300]}")
        except Exception as error:  # noqa: BLE001 - diagnostics only
            lines.append(f"  etcd unreadable: {error!r}")
        return "\n".join(lines)

    def collect_logs(self, lines: int = 80) -> str:
        parts = [self.describe()]
        for node in self.nodes.values():
            parts.append(f"---- broker {node.node_id} ({node.log_path}), last {lines} lines\n{_tail(node.log_path, lines)}")
        parts.append(f"---- etcd ({self.etcd.log_path})\n{_tail(self.etcd.log_path, 20)}")
        return "\n".join(parts)
