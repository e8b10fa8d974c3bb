#!/usr/bin/env python3
"""Security benchmark: produce and fetch throughput over TLS against plaintext, on one broker
in the same run, and the SCRAM / PLAIN authentication rate (connections per second).

    python3 Benchmarks/broker/security_bench.py --broker .build/release/basalt-broker

The broker gets a PLAINTEXT, an SSL and a SASL_PLAINTEXT listener; certificates come from
openssl (RSA 2048, TLS 1.3 negotiated by librdkafka). Produce: confluent-kafka, 1 KiB
values, acks=1, no compression. Fetch: confluent-kafka consumer reading the whole topic
back, best of three alternating runs. Authentication: a raw Python client doing SaslHandshake + SaslAuthenticate on fresh
connections from several threads (the client's PBKDF2 and the server's are both in the
figure). Prints a markdown table.
"""
import argparse
import base64
import hashlib
import hmac
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "Tests" / "security"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"port {port} not listening")


def produce(settings, topic, count, size):
    from confluent_kafka import Producer
    producer = Producer({**settings, "acks": "1", "linger.ms": 5, "batch.size": 1_000_000,
                         "queue.buffering.max.messages": 1_000_000, "queue.buffering.max.kbytes": 2_000_000})
    value = os.urandom(size)
    started = time.monotonic()
    for _ in range(count):
        while True:
            try:
                producer.produce(topic, value)
                break
            except BufferError:
                producer.poll(0.01)
    assert producer.flush(120) == 0
    return count * size / (time.monotonic() - started) / 1e6


def fetch(settings, topic, count):
    from confluent_kafka import Consumer, TopicPartition
    consumer = Consumer({**settings, "group.id": f"bench-{time.monotonic_ns()}", "enable.auto.commit": False,
                         "fetch.max.bytes": 52_428_800, "max.partition.fetch.bytes": 52_428_800})
    consumer.assign([TopicPartition(topic, 0, 0)])
    received = 0
    total = 0
    started = None
    while received < count:
        for message in consumer.consume(10000, 1.0):
            if message.error():
                continue
            if started is None:
                started = time.monotonic()
            received += 1
            total += len(message.value())
    elapsed = time.monotonic() - started
    consumer.close()
    return total / elapsed / 1e6


def frame(api, version, correlation, body):
    header = struct.pack(">hhi", api, version, correlation) + struct.pack(">h", 5) + b"bench"
    return struct.pack(">i", len(header) + len(body)) + header + body


def read_frame(sock):
    data = b""
    while len(data) < 4:
        data += sock.recv(4 - len(data))
    size = struct.unpack(">i", data)[0]
    data = b""
    while len(data) < size:
        data += sock.recv(size - len(data))
    return data


def authenticate(port, mechanism, user, password):
    with socket.create_connection(("127.0.0.1", port)) as sock:
        name = mechanism.encode()
        sock.sendall(frame(17, 1, 1, struct.pack(">h", len(name)) + name))
        assert struct.unpack(">h", read_frame(sock)[4:6])[0] == 0

        def exchange(token, correlation):
            sock.sendall(frame(36, 1, correlation, struct.pack(">i", len(token)) + token))
            body = read_frame(sock)
            assert struct.unpack(">h", body[4:6])[0] == 0, body
            rest = body[6:]
            skip = max(struct.unpack(">h", rest[:2])[0], 0)
            rest = rest[2 + skip:]
            return rest[4:4 + struct.unpack(">i", rest[:4])[0]]

        if mechanism == "PLAIN":
            exchange(b"\0" + user.encode() + b"\0" + password.encode(), 2)
            return
        nonce = base64.b64encode(os.urandom(18)).decode()
        bare = f"n={user},r={nonce}"
        server_first = exchange(b"n,," + bare.encode(), 2).decode()
        fields = dict(item.split("=", 1) for item in server_first.split(","))
        digest = hashlib.sha256
        salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(fields["s"]), int(fields["i"]))
        client_key = hmac.new(salted, b"Client Key", digest).digest()
        without_proof = f"c=biws,r={fields['r']}"
        auth_message = f"{bare},{server_first},{without_proof}".encode()
        signature = hmac.new(digest(client_key).digest(), auth_message, digest).digest()
        proof = base64.b64encode(bytes(a ^ b for a, b in zip(client_key, signature))).decode()
        exchange(f"{without_proof},p={proof}".encode(), 3)


def auth_rate(port, mechanism, user, password, seconds, threads):
    counts = [0] * threads
    stop = time.monotonic() + seconds

    def worker(index):
        while time.monotonic() < stop:
            authenticate(port, mechanism, user, password)
            counts[index] += 1

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    started = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(counts) / (time.monotonic() - started)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--broker", required=True)
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--auth-seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    import conftest as security  # the test PKI and user helpers

    work = Path(tempfile.mkdtemp(prefix="basalt-security-bench-"))
    try:
        pki = work / "pki"
        pki.mkdir()
        security.make_pki(pki)
        ports = {name: free_port() for name in ("PLAINTEXT", "SSL", "SASL_PLAINTEXT")}
        password = "bench-Secret"
        (work / "pw").write_text(password + "\n")
        data = work / "data"
        subprocess.run([args.broker, "scram-credential", "--data-dir", str(data), "--user", "bench", "--mechanism",
                        "SCRAM-SHA-256", "--iterations", "4096", "--password-file", str(work / "pw")], check=True,
                       capture_output=True)
        listeners = ",".join(f"{name}://127.0.0.1:{port}" for name, port in ports.items())
        log = open(work / "broker.log", "wb")
        broker = subprocess.Popen([args.broker, "--data-dir", str(data), "--listeners", listeners,
                                   "--override", f"ssl.keystore.location={pki / 'server.pem'}",
                                   "--override", f"ssl.key.location={pki / 'server.key'}",
                                   "--override", "connection.failed.authentication.delay.ms=100",
                                   "--log-level", "warning"], stdout=log, stderr=subprocess.STDOUT)
        for port in ports.values():
            wait_port(port)
        plain = {"bootstrap.servers": f"127.0.0.1:{ports['PLAINTEXT']}"}
        tls = {"bootstrap.servers": f"127.0.0.1:{ports['SSL']}", "security.protocol": "SSL",
               "ssl.ca.location": str(pki / "ca.pem")}
        rows = []
        for name, settings in (("PLAINTEXT", plain), ("SSL", tls)):
            topic = f"bench-{name.lower()}"
            rows.append((f"produce {args.size} B acks=1 over {name}", f"{produce(settings, topic, args.records, args.size):.1f} MB/s"))
        # Fetch alternates between the listeners three times and keeps each one's best run:
        # on a shared machine one slow run is another process, not the listener.
        best = {"PLAINTEXT": 0.0, "SSL": 0.0}
        for _ in range(3):
            for name, settings in (("PLAINTEXT", plain), ("SSL", tls)):
                best[name] = max(best[name], fetch(settings, "bench-plaintext", args.records))
        for name in ("PLAINTEXT", "SSL"):
            rows.append((f"fetch (consumer, best of 3) over {name}", f"{best[name]:.1f} MB/s"))
        for mechanism in ("SCRAM-SHA-256", "PLAIN"):
            rate = auth_rate(ports["SASL_PLAINTEXT"], mechanism, "bench", password, args.auth_seconds, args.threads)
            rows.append((f"{mechanism} authentications ({args.threads} client threads, 4096 iterations)", f"{rate:.0f} /s"))
        broker.send_signal(signal.SIGTERM)
        broker.wait(timeout=60)
        print("| load | figure |\n|---|---|")
        for load, figure in rows:
            print(f"| {load} | {figure} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
