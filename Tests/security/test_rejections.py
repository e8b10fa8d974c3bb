"""What does not authenticate gets the right error or a clean close, is logged and
counted, and writes nothing: wrong password, unknown user, expired and untrusted client
certificates, no certificate where one is required, plaintext on a TLS port, TLS on a
plaintext port, and requests before authentication."""
import socket
import ssl
import struct
import subprocess
import uuid

import pytest
from confluent_kafka import KafkaException, Producer
from conftest import PASSWORDS
from test_clients import kafka_python_settings, rdkafka_settings


def produce_fails(settings, topic):
    producer = Producer({**settings, "message.timeout.ms": 3000, "socket.timeout.ms": 3000})
    errors = []
    producer.produce(topic, b"must not be stored", on_delivery=lambda err, msg: errors.append(err))
    producer.flush(6)
    return errors and errors[0] is not None


@pytest.mark.parametrize("protocol,mechanism,user,password", [
    ("SASL_PLAINTEXT", "SCRAM-SHA-256", "alice", "wrong-password"),
    ("SASL_SSL", "SCRAM-SHA-512", "mallory", "whatever"),
    ("SASL_SSL", "PLAIN", "alice", "wrong-password"),
    ("SASL_PLAINTEXT", "PLAIN", "mallory", "whatever"),
])
def test_bad_credentials_rdkafka(secure_broker, protocol, mechanism, user, password):
    topic = f"never-{uuid.uuid4().hex[:8]}"
    before = secure_broker.metric("basalt_sasl_authentications_total", result="failure")
    settings = rdkafka_settings(secure_broker, protocol, mechanism, user=user, password=password)
    assert produce_fails(settings, topic)
    assert secure_broker.metric("basalt_sasl_authentications_total", result="failure") > before
    assert "authentication failed" in secure_broker.log()
    assert topic not in secure_broker.topics()


def test_bad_credentials_kafka_python(secure_broker):
    from kafka import KafkaProducer
    from kafka.errors import KafkaError
    settings = kafka_python_settings(secure_broker, "SASL_SSL", "SCRAM-SHA-256", password="wrong-password")
    with pytest.raises(KafkaError):
        producer = KafkaProducer(**settings, max_block_ms=5000, request_timeout_ms=5000)
        producer.send("never", b"must not be stored").get(timeout=5)
    assert "reason=invalid credentials" in secure_broker.log()


def test_wrong_password_is_answered_after_the_delay(secure_broker):
    """The failure answer waits connection.failed.authentication.delay.ms (100 ms)."""
    import time
    sock = socket.create_connection(("127.0.0.1", secure_broker.ports["SASL_PLAINTEXT"]))
    send_request(sock, 17, 1, kafka_string("PLAIN"))
    assert error_code(read_frame(sock)) == 0
    started = time.monotonic()
    send_request(sock, 36, 1, kafka_bytes(b"\0alice\0wrong-password"))
    body = read_frame(sock)
    assert time.monotonic() - started >= 0.1
    assert error_code(body) == 58  # SASL_AUTHENTICATION_FAILED


@pytest.mark.parametrize("certificate", ["expired", "rogue", None])
def test_client_certificate_rejected_when_required(secure_broker_factory, certificate):
    broker = secure_broker_factory(client_auth="required")
    topic = f"never-{uuid.uuid4().hex[:8]}"
    settings = rdkafka_settings(broker, "SSL", None, certificate=certificate)
    assert produce_fails(settings, topic)
    assert "TLS failed" in broker.log()
    assert broker.metric("basalt_tls_handshake_failures_total") >= 1
    assert topic not in broker.topics()
    # The right certificate still works.
    good = rdkafka_settings(broker, "SSL", None, certificate="alice")
    producer = Producer(good)
    producer.produce(f"ok-{topic}", b"v")
    assert producer.flush(20) == 0


def test_plaintext_client_on_tls_port_is_closed(secure_broker):
    topic = f"never-{uuid.uuid4().hex[:8]}"
    settings = {"bootstrap.servers": secure_broker.bootstrap("SSL")}
    assert produce_fails(settings, topic)
    assert "TLS failed" in secure_broker.log()
    assert topic not in secure_broker.topics()


def test_tls_client_on_plaintext_port_is_closed(secure_broker, pki):
    context = ssl.create_default_context(cafile=str(pki / "ca.pem"))
    with socket.create_connection(("127.0.0.1", secure_broker.ports["PLAINTEXT"]), timeout=10) as raw:
        with pytest.raises((ssl.SSLError, ConnectionError, OSError)):
            with context.wrap_socket(raw, server_hostname="127.0.0.1"):
                pass
    assert "exceeds the limit" in secure_broker.log()
    assert secure_broker.alive()


@pytest.mark.parametrize("listener", ["SASL_PLAINTEXT", "SASL_SSL"])
def test_requests_before_authentication_close_the_connection(secure_broker, pki, listener):
    sock = socket.create_connection(("127.0.0.1", secure_broker.ports[listener]), timeout=10)
    if listener == "SASL_SSL":
        sock = ssl.create_default_context(cafile=str(pki / "ca.pem")).wrap_socket(sock, server_hostname="127.0.0.1")
    # ApiVersions is served before authentication.
    send_request(sock, 18, 0, b"")
    assert error_code(read_frame(sock)) == 0
    # Metadata (v1, all topics) is not: the connection closes without an answer.
    send_request(sock, 3, 1, struct.pack(">i", -1))
    assert sock.recv(4) == b""
    assert "metadata before SASL authentication" in secure_broker.log()
    assert secure_broker.metric("basalt_unauthenticated_requests_total") >= 1


def test_sasl_requests_on_plaintext_listener_get_illegal_sasl_state(secure_broker):
    sock = socket.create_connection(("127.0.0.1", secure_broker.ports["PLAINTEXT"]), timeout=10)
    send_request(sock, 17, 1, kafka_string("PLAIN"))
    assert error_code(read_frame(sock)) == 34  # ILLEGAL_SASL_STATE


# Wire helpers (request header v1, non-flexible versions).

def kafka_string(text: str) -> bytes:
    data = text.encode()
    return struct.pack(">h", len(data)) + data


def kafka_bytes(data: bytes) -> bytes:
    return struct.pack(">i", len(data)) + data


_correlation = [0]


def send_request(sock, api_key: int, version: int, body: bytes):
    _correlation[0] += 1
    header = struct.pack(">hhi", api_key, version, _correlation[0]) + kafka_string("security-test")
    frame = header + body
    sock.sendall(struct.pack(">i", len(frame)) + frame)


def read_exact(sock, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def read_frame(sock) -> bytes:
    size = struct.unpack(">i", read_exact(sock, 4))[0]
    return read_exact(sock, size)


def error_code(frame: bytes) -> int:
    """The int16 after the correlation id (response header v0)."""
    return struct.unpack(">h", frame[4:6])[0]


def test_large_frames_only_after_authentication(secure_broker):
    """Before authentication a SASL listener takes frames up to sasl.server.max.receive.size
    (512 KiB) and closes on a larger size prefix without buffering it; after authentication
    `socket.request.max.bytes` applies, so a 700 KiB record goes through."""
    sock = socket.create_connection(("127.0.0.1", secure_broker.ports["SASL_PLAINTEXT"]), timeout=10)
    sock.sendall(struct.pack(">i", 600 * 1024) + b"\0" * 1024)
    assert sock.recv(4) == b""
    assert "exceeds the limit of 524288" in secure_broker.log()
    settings = rdkafka_settings(secure_broker, "SASL_PLAINTEXT", "SCRAM-SHA-256")
    producer = Producer({**settings, "message.max.bytes": 1_000_000})
    producer.produce(f"big-{uuid.uuid4().hex[:6]}", b"x" * 700 * 1024)
    assert producer.flush(30) == 0


def test_requested_client_auth_verifies_a_presented_certificate(secure_broker):
    """ssl.client.auth=requested: no certificate is fine (User:ANONYMOUS), but one that is
    presented must verify."""
    topic = f"req-{uuid.uuid4().hex[:8]}"
    assert produce_fails(rdkafka_settings(secure_broker, "SSL", None, certificate="rogue"), topic)
    assert topic not in secure_broker.topics()
    producer = Producer(rdkafka_settings(secure_broker, "SSL", None))
    producer.produce(topic, b"anonymous")
    assert producer.flush(20) == 0
