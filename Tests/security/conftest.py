"""Fixtures for the security tests: a test PKI made with `openssl` at test time, users made
with `basalt-broker scram-credential`, and a broker with PLAINTEXT, SSL, SASL_PLAINTEXT and
SASL_SSL listeners at once.

Certificates (all in a session temporary directory):
  ca.pem / ca.key            the test CA the broker trusts
  server.pem / server.key    CN=localhost, SAN IP:127.0.0.1 and DNS:localhost
  server2.pem / server2.key  a second server certificate, for the reload test
  alice.pem / alice.key      client certificate, subject /C=GB/O=Example/OU=eng/CN=alice
  expired.pem / expired.key  client certificate of the test CA that expired yesterday
  rogue.pem / rogue.key      client certificate of another CA the broker does not trust
  escaped.pem / escaped.key  client certificate whose subject needs RFC 2253 escaping
"""
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

# The interop suite's helpers (binary lookup, free ports), loaded under their own name:
# `conftest` is this module.
_spec = importlib.util.spec_from_file_location(
    "interop_conftest", Path(__file__).resolve().parents[1] / "interop" / "conftest.py")
_interop = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_interop)
broker_binary, free_port, wait_for_port = _interop.broker_binary, _interop.free_port, _interop.wait_for_port

PASSWORDS = {"alice": "alice-Secret-7f3a", "admin": "admin-Secret-91bc"}
SCRAM_ITERATIONS = 4096


def run_openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def issue(directory: Path, name: str, subject: str, ca: str = "ca", days: str = "2", san: str | None = None):
    run_openssl("req", "-utf8", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                "-subj", subject, cwd=directory)
    args = ["x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key", "-CAcreateserial",
            "-out", f"{name}.pem", "-days", days]
    if san:
        (directory / f"{name}.ext").write_text(f"subjectAltName={san}\n")
        args += ["-extfile", f"{name}.ext"]
    run_openssl(*args, cwd=directory)


def make_pki(directory: Path) -> Path:
    """Writes the test CA and certificates listed above into `directory`."""
    for ca, subject in (("ca", "/CN=Basalt Test CA"), ("rogue-ca", "/CN=Rogue CA")):
        run_openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{ca}.key", "-out", f"{ca}.pem",
                    "-days", "2", "-subj", subject, cwd=directory)
    issue(directory, "server", "/CN=localhost", san="IP:127.0.0.1,DNS:localhost")
    issue(directory, "server2", "/CN=localhost/O=Renewed", san="IP:127.0.0.1,DNS:localhost")
    issue(directory, "alice", "/C=GB/O=Example/OU=eng/CN=alice")
    issue(directory, "expired", "/CN=expired", days="-1")
    issue(directory, "rogue", "/CN=rogue", ca="rogue-ca")
    issue(directory, "escaped", "/CN=Smith, Jane/O=R\\+D/L=Zürich")
    return directory


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> Path:
    return make_pki(tmp_path_factory.mktemp("pki"))


class SecureBroker:
    """A broker with the four standard listeners on free ports."""

    def __init__(self, directory: Path, pki: Path, client_auth: str = "requested", extra=()):
        self.directory = directory
        self.pki = pki
        self.data_dir = directory / "data"
        self.log_path = directory / "broker.log"
        self.ports = {name: free_port() for name in ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")}
        self.metrics_port = free_port()
        # The keystore files are copies, so the reload test can replace them.
        self.keystore = directory / "keystore.pem"
        self.key = directory / "keystore.key"
        self.keystore.write_bytes((pki / "server.pem").read_bytes())
        self.key.write_bytes((pki / "server.key").read_bytes())
        self.settings = [
            "ssl.keystore.type=PEM",
            f"ssl.keystore.location={self.keystore}",
            f"ssl.key.location={self.key}",
            f"ssl.truststore.location={pki / 'ca.pem'}",
            f"ssl.client.auth={client_auth}",
            "sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512,PLAIN",
            *extra,
        ]
        self.process = None
        self.log_file = None

    def add_user(self, user: str, mechanism: str):
        password_file = self.directory / f"{user}.password"
        password_file.write_text(PASSWORDS[user] + "\n")
        subprocess.run([broker_binary(), "scram-credential", "--data-dir", str(self.data_dir), "--user", user,
                        "--mechanism", mechanism, "--iterations", str(SCRAM_ITERATIONS),
                        "--password-file", str(password_file)], check=True, capture_output=True)

    def bootstrap(self, listener: str) -> str:
        return f"127.0.0.1:{self.ports[listener]}"

    def start(self) -> "SecureBroker":
        # A port found free can be taken before the broker binds it (other processes on this
        # machine open connections from the same range): such a start fails at once with
        # EADDRINUSE and is retried on fresh ports, never passed silently.
        for attempt in range(5):
            try:
                return self._start_once()
            except RuntimeError:
                if "Address already in use" not in self.log() or attempt == 4:
                    raise
                self.ports = {name: free_port() for name in self.ports}
                self.metrics_port = free_port()
        raise AssertionError("unreachable")

    def _start_once(self) -> "SecureBroker":
        listeners = ",".join(f"{name}://127.0.0.1:{port}" for name, port in self.ports.items())
        (self.directory / "server.properties").write_text("\n".join([f"listeners={listeners}", *self.settings]) + "\n")
        args = [broker_binary(), "--config", str(self.directory / "server.properties"), "--data-dir", str(self.data_dir),
                "--metrics", f"127.0.0.1:{self.metrics_port}", "--log-level", "debug"]
        self.log_file = open(self.log_path, "ab")
        self.process = subprocess.Popen(args, stdout=self.log_file, stderr=subprocess.STDOUT)
        try:
            for port in self.ports.values():
                wait_for_port(port, self.process)
            wait_for_port(self.metrics_port, self.process)
        except RuntimeError:
            self.process.kill()
            self.process.wait()
            self.log_file.close()
            self.process = None
            raise
        return self

    def reload(self):
        self.process.send_signal(signal.SIGHUP)

    def stop(self):
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        self.log_file.close()
        self.process = None
        assert code == 0, f"broker exited with {code}; log: {self.log_path}"

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def metrics(self) -> str:
        import urllib.request
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5) as response:
            return response.read().decode()

    def metric(self, name: str, **labels) -> float:
        """Sum of the samples of `name` whose labels include `labels`."""
        total = 0.0
        for line in self.metrics().splitlines():
            if not line.startswith(name) or line.startswith("#"):
                continue
            head, _, value = line.rpartition(" ")
            if head.split("{")[0] != name:
                continue
            if all(f'{key}="{val}"' in head for key, val in labels.items()):
                total += float(value)
        return total

    def topics(self) -> set:
        """Topic names, asked over the PLAINTEXT listener without creating any."""
        from confluent_kafka.admin import AdminClient
        admin = AdminClient({"bootstrap.servers": self.bootstrap("PLAINTEXT")})
        return set(admin.list_topics(timeout=10).topics)


@pytest.fixture
def secure_broker_factory(tmp_path, pki):
    brokers = []

    def make(client_auth="requested", users=(("alice", "SCRAM-SHA-256"), ("alice", "SCRAM-SHA-512")),
             extra=(), name="broker") -> SecureBroker:
        directory = tmp_path / name
        directory.mkdir()
        broker = SecureBroker(directory, pki, client_auth, extra)
        for user, mechanism in users:
            broker.add_user(user, mechanism)
        brokers.append(broker)
        return broker.start()

    yield make
    for broker in brokers:
        broker.stop()
        for password in PASSWORDS.values():
            assert password not in broker.log(), f"a password appears in {broker.log_path}"


@pytest.fixture
def secure_broker(secure_broker_factory) -> SecureBroker:
    return secure_broker_factory()
