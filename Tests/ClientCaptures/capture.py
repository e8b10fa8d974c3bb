#!/usr/bin/env python3
"""Records the request frames real Kafka clients send, as fixtures for the codec tests.

    python3 Tests/ClientCaptures/capture.py PATH/TO/basalt-broker

Starts the broker on a temporary directory behind a recording proxy (the broker
advertises the proxy, so every connection passes through it), runs everyday workloads
with kcat, confluent-kafka and kafka-python, and writes one file per client:
`<client>.hex`, one request frame per line (size prefix removed) as hex, after `#`
comment lines naming the client's version. At most a few frames of each (API, version)
are kept, and none over 64 KiB, so the files stay small.

`Tests/BasaltKafkaTests/ClientCaptureTests.swift` decodes every frame. Run this again
when a client is upgraded and commit the new files.
"""
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PER_API_VERSION = 3
MAX_FRAME = 64 << 10


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_exact(sock, count):
    data = b""
    while len(data) < count:
        try:
            chunk = sock.recv(count - len(data))
        except OSError:
            return None
        if not chunk:
            return None
        data += chunk
    return data


class RecordingProxy:
    """Forwards bytes both ways; keeps each client→broker frame in `frames`."""

    def __init__(self, port, target_port):
        self.frames = []
        self.lock = threading.Lock()
        self.target_port = target_port
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen(64)
        threading.Thread(target=self._accept, daemon=True).start()

    def take(self):
        with self.lock:
            frames, self.frames = self.frames, []
        return frames

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            threading.Thread(target=self._requests, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()

    def _requests(self, source, target):
        while True:
            head = read_exact(source, 4)
            body = None if head is None else read_exact(source, struct.unpack(">i", head)[0])
            if body is None:
                break
            with self.lock:
                self.frames.append(body)
            try:
                target.sendall(head + body)
            except OSError:
                break
        for s in (source, target):
            s.close()

    @staticmethod
    def _pipe(source, target):
        while True:
            try:
                chunk = source.recv(1 << 16)
                if not chunk:
                    break
                target.sendall(chunk)
            except OSError:
                break
        for s in (source, target):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def kcat(bootstrap):
    version = subprocess.run(["kcat", "-V"], capture_output=True, text=True).stdout.splitlines()
    lines = "\n".join(f"key{i}:value {i}" for i in range(20)) + "\n"
    subprocess.run(["kcat", "-b", bootstrap, "-L"], check=True, capture_output=True)
    subprocess.run(["kcat", "-b", bootstrap, "-P", "-t", "cap-kcat", "-K:", "-z", "lz4"], input=lines.encode(),
                   check=True)
    subprocess.run(["kcat", "-b", bootstrap, "-C", "-t", "cap-kcat", "-o", "beginning", "-e", "-q"], check=True,
                   capture_output=True)
    subprocess.run(["kcat", "-b", bootstrap, "-C", "-G", "cap-kcat-group", "-o", "beginning", "-e", "-q",
                    "-X", "enable.auto.commit=true", "-X", "auto.commit.interval.ms=100", "cap-kcat"],
                   check=True, capture_output=True, timeout=60)
    return [line for line in version if "version" in line or "librdkafka" in line][:2]


def confluent(bootstrap):
    import confluent_kafka
    from confluent_kafka import Consumer, Producer, TopicPartition
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for future in admin.create_topics([NewTopic("cap-confluent", 3, 1)]).values():
        future.result(30)
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "compression.type": "lz4",
                         "enable.idempotence": True, "linger.ms": 5})
    for i in range(30):
        producer.produce("cap-confluent", key=f"k{i}".encode() if i % 3 else None, value=b"v" * (i * 10),
                         headers=[("h", b"x")] if i % 2 else None)
    producer.flush(30)
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "cap-confluent-group",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe(["cap-confluent"])
    seen = 0
    deadline = time.monotonic() + 60
    while seen < 30 and time.monotonic() < deadline:
        message = consumer.poll(1.0)
        if message is not None and message.error() is None:
            seen += 1
    consumer.commit(asynchronous=False)
    consumer.committed([TopicPartition("cap-confluent", p) for p in range(3)], timeout=10)
    consumer.offsets_for_times([TopicPartition("cap-confluent", 0, int(time.time() * 1000) - 60_000)], timeout=10)
    consumer.get_watermark_offsets(TopicPartition("cap-confluent", 0), timeout=10)
    consumer.close()
    for future in admin.delete_topics(["cap-confluent"]).values():
        future.result(30)
    return [f"confluent-kafka {confluent_kafka.version()[0]}, librdkafka {confluent_kafka.libversion()[0]}"]


def kafka_python(bootstrap):
    import kafka
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    from kafka.admin import KafkaAdminClient, NewTopic
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([NewTopic("cap-python", 2, 1)])
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", compression_type="lz4")
    for i in range(20):
        producer.send("cap-python", key=f"k{i}".encode(), value=b"w" * (i * 20), headers=[("h", b"y")])
    producer.flush(30)
    producer.close()
    consumer = KafkaConsumer("cap-python", bootstrap_servers=bootstrap, group_id="cap-python-group",
                             auto_offset_reset="earliest", enable_auto_commit=False, consumer_timeout_ms=5000)
    for _ in consumer:
        pass
    consumer.commit()
    partitions = [TopicPartition("cap-python", p) for p in range(2)]
    consumer.offsets_for_times({p: int(time.time() * 1000) - 60_000 for p in partitions})
    consumer.beginning_offsets(partitions)
    consumer.end_offsets(partitions)
    consumer.close()
    admin.delete_topics(["cap-python"])
    admin.close()
    return [f"kafka-python {kafka.__version__}"]


def write(name, provenance, frames):
    kept, counts = [], {}
    for frame in frames:
        api_key, version = struct.unpack(">hh", frame[:4])
        if len(frame) > MAX_FRAME or counts.get((api_key, version), 0) >= PER_API_VERSION:
            continue
        counts[(api_key, version)] = counts.get((api_key, version), 0) + 1
        kept.append(frame)
    with open(HERE / f"{name}.hex", "w") as out:
        for line in provenance:
            out.write(f"# {line}\n")
        out.write("# api_key/version pairs: " + " ".join(f"{k}v{v}" for k, v in sorted(counts)) + "\n")
        for frame in kept:
            out.write(frame.hex() + "\n")
    print(f"{name}: {len(kept)} frames of {len(frames)}")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: capture.py PATH/TO/basalt-broker")
    broker_port, proxy_port = free_port(), free_port()
    with tempfile.TemporaryDirectory() as data:
        broker = subprocess.Popen([sys.argv[1], "--data-dir", data, "--listen", f"127.0.0.1:{broker_port}",
                                   "--advertised-listener", f"127.0.0.1:{proxy_port}", "--log-level", "warning"])
        try:
            for _ in range(200):
                try:
                    socket.create_connection(("127.0.0.1", broker_port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.05)
            proxy = RecordingProxy(proxy_port, broker_port)
            bootstrap = f"127.0.0.1:{proxy_port}"
            for name, workload in (("kcat", kcat), ("confluent-kafka", confluent), ("kafka-python", kafka_python)):
                provenance = workload(bootstrap)
                time.sleep(0.5)  # let closing connections finish their last requests
                write(name, provenance, proxy.take())
        finally:
            broker.terminate()
            broker.wait(30)


if __name__ == "__main__":
    os.chdir(HERE)
    main()
