"""Old-format fetch (Fetch v0–3, down-converted in memory) against v4+ fetch (sendfile), in
one run on one broker, loopback only.

    python3 Benchmarks/broker/old_fetch_bench.py [--broker PATH] [--records N] [--value-bytes B]
                                                 [--compression none|lz4|gzip|snappy] [--rounds R]

Starts a broker on a temporary directory, fills one partition with a modern producer
(confluent-kafka), then reads the whole partition R times with each Fetch version from one
raw socket (1 MiB per partition per request), and prints records/s and MB/s of record
payload for each. The client does only framing and offset parsing, so the figures are
the broker's cost. Bounded: a fixed number of requests, and the broker is stopped at the end.
"""
import argparse
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "Tests" / "interop"))

from legacy_wire import RawClient, string  # noqa: E402


def fetch_body(topic: bytes, offset: int, version: int, partition_bytes: int) -> bytes:
    out = struct.pack(">iii", -1, 0, 0)
    if version >= 3:
        out += struct.pack(">i", partition_bytes)
    if version >= 4:
        out += b"\x00"
    partition = struct.pack(">iq", 0, offset)
    if version >= 5:
        partition += struct.pack(">q", -1)
    partition += struct.pack(">i", partition_bytes)
    return out + struct.pack(">i", 1) + string(topic) + struct.pack(">i", 1) + partition


def records_of(body: bytes, version: int):
    """(records bytes) of the single partition of a Fetch v0–5 response."""
    position = 4 if version >= 1 else 0
    (name_length,) = struct.unpack_from(">h", body, position + 4)
    position += 4 + 2 + name_length + 4
    position += 4 + 2 + 8
    if version >= 4:
        position += 8
    if version >= 5:
        position += 8
    if version >= 4:
        (aborted,) = struct.unpack_from(">i", body, position)
        position += 4 + 16 * max(aborted, 0)
    (size,) = struct.unpack_from(">i", body, position)
    return body[position + 4: position + 4 + max(size, 0)]


def next_offset(records: bytes, version: int):
    """(next offset, records seen) after the whole batches or messages in `records`."""
    position, last, count = 0, None, 0
    while len(records) - position >= 12:
        base, size = struct.unpack_from(">qi", records, position)
        if position + 12 + size > len(records):
            break
        if version >= 4:
            (delta,) = struct.unpack_from(">i", records, position + 23)
            (in_batch,) = struct.unpack_from(">i", records, position + 57)
            last, count = base + delta, count + in_batch
        else:
            last, count = base, count + 1
        position += 12 + size
    return (None if last is None else last + 1), count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--broker", default=os.environ.get("BASALT_BROKER", ".build/release/basalt-broker"))
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--value-bytes", type=int, default=100)
    parser.add_argument("--compression", default="none")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from confluent_kafka import Producer

    work = tempfile.mkdtemp(prefix="basalt-old-fetch-")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    log = open(os.path.join(work, "broker.log"), "wb")
    broker = subprocess.Popen([args.broker, "--data-dir", os.path.join(work, "data"), "--listen", f"127.0.0.1:{port}"],
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "broker did not start"
                time.sleep(0.05)
        topic = "bench"
        producer = Producer({"bootstrap.servers": f"127.0.0.1:{port}", "compression.type": args.compression,
                             "linger.ms": 5, "batch.size": 1 << 20, "queue.buffering.max.messages": 1_000_000})
        value = b"v" * args.value_bytes
        for i in range(args.records):
            while True:
                try:
                    producer.produce(topic, key=b"%08d" % i, value=value, partition=0)
                    break
                except BufferError:
                    producer.poll(0.01)
        assert producer.flush(60) == 0
        producer = None  # librdkafka would log the broker's stop at the end otherwise

        client = RawClient(port, timeout=60)
        print(f"{args.records} records of {args.value_bytes} B, {args.compression}, {args.rounds} rounds, 1 MiB per request")
        print("| Fetch version | format sent | records/s | MB/s (payload) | requests |")
        print("|---|---|---:|---:|---:|")
        for version in (5, 4, 3, 2, 1, 0):
            # One untimed pass, so every version reads from the page cache.
            offset = 0
            while offset < args.records:
                body = client.call(1, version, fetch_body(topic.encode(), offset, version, 1 << 20))
                offset = next_offset(records_of(body, version), version)[0]
            seen, requests = 0, 0
            started = time.perf_counter()
            for _ in range(args.rounds):
                offset = 0
                while offset < args.records:
                    body = client.call(1, version, fetch_body(topic.encode(), offset, version, 1 << 20))
                    requests += 1
                    following, count = next_offset(records_of(body, version), version)
                    assert following is not None and following > offset, f"v{version} made no progress at {offset}"
                    offset, seen = following, seen + count
            elapsed = time.perf_counter() - started
            payload = seen * (args.value_bytes + 8)
            form = "batches v2 (sendfile)" if version >= 4 else f"magic {1 if version >= 2 else 0} (down-converted)"
            print(f"| v{version} | {form} | {seen / elapsed:,.0f} | {payload / elapsed / 1e6:,.1f} | {requests} |")
        client.close()
    finally:
        broker.terminate()
        broker.wait(30)
        log.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
