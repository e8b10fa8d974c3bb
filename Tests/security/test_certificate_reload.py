"""The broker's certificate is replaced on disk and reloaded without a restart, on SIGHUP or
when the files change: new connections get the new certificate, the open ones keep working;
a broken file keeps the old certificate in use."""
import socket
import ssl
import time

from confluent_kafka import Producer
from test_clients import rdkafka_settings


def served_certificate(broker) -> bytes:
    context = ssl.create_default_context(cafile=str(broker.pki / "ca.pem"))
    with socket.create_connection(("127.0.0.1", broker.ports["SSL"]), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            return tls.getpeercert(binary_form=True)


def der(path) -> bytes:
    return ssl.PEM_cert_to_DER_cert(path.read_text())


def wait_for(condition, what: str, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_sighup_reloads_the_certificate(secure_broker_factory):
    # The file check is off, so only the signal can reload.
    broker = secure_broker_factory(extra=["basalt.ssl.reload.check.interval.ms=0"])
    assert served_certificate(broker) == der(broker.pki / "server.pem")
    producer = Producer(rdkafka_settings(broker, "SSL", None))
    producer.produce("reload-topic", b"before")
    assert producer.flush(20) == 0

    broker.keystore.write_bytes((broker.pki / "server2.pem").read_bytes())
    broker.key.write_bytes((broker.pki / "server2.key").read_bytes())
    broker.reload()
    wait_for(lambda: "TLS certificates reloaded" in broker.log(), "the reload")
    assert served_certificate(broker) == der(broker.pki / "server2.pem")

    # The connection opened before the reload goes on working.
    producer.produce("reload-topic", b"after")
    assert producer.flush(20) == 0

    # A broken key file is refused; the certificate in use stays.
    broker.key.write_text("not a key\n")
    broker.reload()
    wait_for(lambda: "TLS certificates not reloaded" in broker.log(), "the refused reload")
    assert served_certificate(broker) == der(broker.pki / "server2.pem")


def test_changed_files_are_reloaded_without_a_signal(secure_broker_factory):
    broker = secure_broker_factory(extra=["basalt.ssl.reload.check.interval.ms=100"])
    assert served_certificate(broker) == der(broker.pki / "server.pem")
    broker.keystore.write_bytes((broker.pki / "server2.pem").read_bytes())
    broker.key.write_bytes((broker.pki / "server2.key").read_bytes())
    wait_for(lambda: served_certificate(broker) == der(broker.pki / "server2.pem"), "the renewed certificate")
    assert "trigger=file change" in broker.log()
