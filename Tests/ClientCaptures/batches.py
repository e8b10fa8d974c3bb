#!/usr/bin/env python3
"""Records compressed record batches written by real clients, as fixtures for the codec tests.

    python3 Tests/ClientCaptures/batches.py PATH/TO/basalt-broker

For every codec (gzip, snappy, lz4, zstd) writes one small batch of the same five records
with confluent-kafka (librdkafka, through a broker, whose segment file keeps the batch as
the client sent it) and one with kafka-python's own batch builder (no broker needed), and
writes `batches.hex`: after `#` comment lines naming the client versions, one line per
batch, `<client> <codec> <hex>`.

`Tests/BasaltTests/ClientBatchTests.swift` decodes every batch and checks every record.
Run this again when a client is upgraded and commit the new file.
"""
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CODECS = {"gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}
TIMESTAMP = 1_700_000_000_000


def records():
    """Five records the Swift test rebuilds: key-i, a compressible value, one header."""
    return [(f"key-{i}".encode(), (f"value {i} " * (20 * (i + 1))).encode(), [("index", str(i).encode())])
            for i in range(5)]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def librdkafka_batches(broker_binary):
    from confluent_kafka import Producer
    batches = {}
    with tempfile.TemporaryDirectory() as data:
        port = free_port()
        broker = subprocess.Popen([broker_binary, "--data-dir", data, "--listen", f"127.0.0.1:{port}",
                                   "--metrics", f"127.0.0.1:{free_port()}"], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            for codec in CODECS:
                producer = Producer({"bootstrap.servers": f"127.0.0.1:{port}", "compression.type": codec,
                                     "linger.ms": 100, "acks": "all"})
                for key, value, headers in records():
                    producer.produce(f"capture-{codec}", key=key, value=value, headers=headers, partition=0,
                                     timestamp=TIMESTAMP)
                assert producer.flush(30) == 0
                log = Path(data) / f"capture-{codec}-0" / "00000000000000000000.log"
                bytes_ = log.read_bytes()
                (length,) = struct.unpack_from(">i", bytes_, 8)
                assert len(bytes_) == 12 + length, "expected one batch"
                assert struct.unpack_from(">h", bytes_, 21)[0] & 7 == CODECS[codec], "batch not compressed"
                batches[codec] = bytes_
        finally:
            broker.terminate()
            broker.wait(30)
    return batches


def kafka_python_batches():
    from kafka.record.default_records import DefaultRecordBatchBuilder
    batches = {}
    for codec, number in CODECS.items():
        builder = DefaultRecordBatchBuilder(magic=2, compression_type=number, is_transactional=False,
                                            producer_id=-1, producer_epoch=-1, base_sequence=-1,
                                            batch_size=1 << 20)
        for offset, (key, value, headers) in enumerate(records()):
            builder.append(offset, timestamp=TIMESTAMP, key=key, value=value, headers=headers)
        batches[codec] = bytes(builder.build())
    return batches


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    import confluent_kafka
    import kafka
    rd = librdkafka_batches(sys.argv[1])
    kp = kafka_python_batches()
    with open(HERE / "batches.hex", "w") as out:
        out.write("# Record batches written by real clients; regenerate with batches.py.\n")
        out.write(f"# confluent-kafka {confluent_kafka.__version__} (librdkafka {confluent_kafka.libversion()[0]})\n")
        out.write(f"# kafka-python {kafka.__version__}\n")
        for client, batches in (("librdkafka", rd), ("kafka-python", kp)):
            for codec, batch in batches.items():
                out.write(f"{client} {codec} {batch.hex()}\n")


if __name__ == "__main__":
    main()
