"""Fixtures that run the real `basalt-broker` binary on a free loopback port.

The binary is taken from $BASALT_BROKER, else the newest of .build/{release,debug} and
.build-broker/{release,debug}. Each broker gets its own temporary data
directory and is stopped with SIGTERM; a test fails if the broker does not exit 0.
"""
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def broker_binary() -> str:
    explicit = os.environ.get("BASALT_BROKER")
    if explicit:
        return explicit
    # The most recently built binary, so a stale build in another folder is not picked.
    candidates = [REPO / build / config / "basalt-broker"
                  for build in (".build", ".build-broker") for config in ("release", "debug")]
    existing = [c for c in candidates if c.exists()]
    if existing:
        return str(max(existing, key=lambda c: c.stat().st_mtime))
    raise RuntimeError("basalt-broker not built: run `swift build --product basalt-broker` or set BASALT_BROKER")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"broker exited with {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"broker did not listen on {port} within {timeout}s")


class BrokerProcess:
    """One broker: start, stop with SIGTERM, restart on the same port and data dir."""

    def __init__(self, data_dir: Path, log_path: Path, extra_args=(), advertised=None):
        self.data_dir = data_dir
        self.log_path = log_path
        self.port = free_port()
        self.metrics_port = free_port()
        self.extra_args = list(extra_args)
        self.advertised = advertised
        self.process = None
        self.log_file = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> "BrokerProcess":
        args = [broker_binary(), "--data-dir", str(self.data_dir), "--listen", self.bootstrap,
                "--metrics", f"127.0.0.1:{self.metrics_port}", *self.extra_args]
        if self.advertised:
            args += ["--advertised-listener", self.advertised]
        self.log_file = open(self.log_path, "ab")
        self.process = subprocess.Popen(args, stdout=self.log_file, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.process)
        return self

    def stop(self, timeout: float = 30.0) -> int:
        if self.process is None:
            return 0
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError("broker did not exit within 30 s of SIGTERM")
        finally:
            self.log_file.close()
            self.process = None
        assert code == 0, f"broker exited with {code} after SIGTERM; log: {self.log_path}"
        return code

    def restart(self) -> "BrokerProcess":
        self.stop()
        return self.start()

    def metrics(self) -> str:
        import urllib.request
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5) as response:
            return response.read().decode()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def broker_factory(tmp_path):
    brokers = []

    def make(extra_args=(), advertised=None, name="broker") -> BrokerProcess:
        broker = BrokerProcess(tmp_path / f"{name}-data", tmp_path / f"{name}.log", extra_args, advertised)
        brokers.append(broker)
        return broker

    yield make
    errors = []
    for broker in brokers:
        try:
            broker.stop()
        except AssertionError as error:
            errors.append(str(error))
    assert not errors, errors


@pytest.fixture
def broker(broker_factory) -> BrokerProcess:
    return broker_factory().start()
