"""Real clients pinned to old API versions through produce, group consume, commit and
resume: kafka-python 2.0.2 (isolated install, see old_kafka_python_client.py) with
api_version 0.10.1 (Produce v2 magic 1, Fetch v3, ListOffsets v1), 0.9 (Produce v1
magic 0, Fetch v1, ListOffsets v0, JoinGroup v0) and 0.8.2 (Produce v0, Fetch v0,
OffsetCommit v1 without group membership), and librdkafka with
api.version.request=false and an old broker.version.fallback.
"""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition

HERE = Path(__file__).resolve().parent
OLD_KAFKA_PYTHON = Path(os.environ.get("OLD_KAFKA_PYTHON", HERE.parent.parent / ".build" / "kafka-python-2.0.2"))


@pytest.fixture(scope="module")
def old_kafka_python() -> Path:
    """The isolated kafka-python 2.0.2, with xxhash, which its magic 0 LZ4 framing needs
    (`make interop-deps` installs both; installed here too when missing, so the test runs
    on its own)."""
    if not (OLD_KAFKA_PYTHON / "kafka" / "version.py").exists() or not (OLD_KAFKA_PYTHON / "xxhash").exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(OLD_KAFKA_PYTHON),
                        "kafka-python==2.0.2", "xxhash==4.1.0"], check=True)
    return OLD_KAFKA_PYTHON


def run_old(path: Path, *args) -> dict:
    env = dict(os.environ, PYTHONPATH=str(path))
    done = subprocess.run([sys.executable, str(HERE / "old_kafka_python_client.py"), *map(str, args)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["kafka_python"] == "2.0.2"
    return result


CASES = [("0.10.1", "none"), ("0.10.1", "gzip"), ("0.10.1", "snappy"), ("0.10.1", "lz4"),
         ("0.9", "none"), ("0.9", "gzip"), ("0.9", "snappy"), ("0.9", "lz4"), ("0.8.2", "none"), ("0.8.2", "gzip")]


@pytest.mark.parametrize("api_version,compression", CASES)
def test_kafka_python_2_0_2_produce_consume_commit_resume(broker, old_kafka_python, api_version, compression):
    topic = f"old-client-{api_version.replace('.', '-')}-{compression}"
    group = f"group-{topic}"
    consume = "consume-assigned" if api_version == "0.8.2" else "consume"
    produced = run_old(old_kafka_python, "produce", api_version, broker.bootstrap, topic, 10, compression, 0)
    assert produced["offsets"] == list(range(10))

    first = run_old(old_kafka_python, consume, api_version, broker.bootstrap, topic, group, 6)
    assert [r["offset"] for r in first["records"]] == list(range(6))
    assert [r["value"] for r in first["records"]] == [f"value-{i}" for i in range(6)]
    assert first["committed"] == 6

    more = run_old(old_kafka_python, "produce", api_version, broker.bootstrap, topic, 5, compression, 10)
    assert more["offsets"] == list(range(10, 15))
    # A new consumer process of the same group resumes from the commit.
    second = run_old(old_kafka_python, consume, api_version, broker.bootstrap, topic, group, 9)
    assert [r["offset"] for r in second["records"]] == list(range(6, 15))
    assert [r["key"] for r in second["records"]] == [f"key-{i}" for i in range(6, 15)]
    assert second["committed"] == 15
    if api_version == "0.10.1":
        assert all(r["timestamp"] > 1_600_000_000_000 for r in first["records"] + second["records"])
    else:
        # Magic 0 has no timestamp field: kafka-python reports None.
        assert all(r["timestamp"] is None for r in first["records"] + second["records"])

    # A modern client reads what the old one wrote, converted to record batches v2.
    consumer = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": f"modern-{topic}",
                         "auto.offset.reset": "earliest"})
    consumer.assign([TopicPartition(topic, 0, 0)])
    values = []
    deadline = time.monotonic() + 30
    while len(values) < 15 and time.monotonic() < deadline:
        msg = consumer.poll(0.5)
        if msg is not None and not msg.error():
            values.append(msg.value())
    consumer.close()
    assert values == [b"value-%d" % i for i in range(15)]


@pytest.mark.parametrize("fallback", ["0.9.0", "0.10.0"])
def test_librdkafka_with_an_old_fallback_version(broker, fallback):
    """librdkafka without ApiVersions uses the versions of `broker.version.fallback`:
    0.9.0 → Produce v1 (magic 0), Fetch v1, OffsetCommit v2; 0.10.0 → Produce v2 (magic 1), Fetch v2."""
    topic = f"rdkafka-fallback-{fallback.replace('.', '-')}"
    settings = {"bootstrap.servers": broker.bootstrap, "api.version.request": False,
                "broker.version.fallback": fallback}
    producer = Producer({**settings, "compression.type": "gzip", "linger.ms": 20})
    for i in range(20):
        producer.produce(topic, key=b"k%d" % i, value=b"v%d" % i, partition=0)
    assert producer.flush(30) == 0

    def consume(count):
        consumer = Consumer({**settings, "group.id": f"g-{topic}", "auto.offset.reset": "earliest",
                             "enable.auto.commit": False})
        consumer.subscribe([topic])
        got = []
        deadline = time.monotonic() + 45
        while len(got) < count and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is not None and not msg.error():
                got.append(msg)
        consumer.commit(asynchronous=False)
        consumer.close()
        return got

    first = consume(12)
    assert [(m.offset(), m.value()) for m in first] == [(i, b"v%d" % i) for i in range(12)]
    second = consume(8)
    assert [(m.offset(), m.key()) for m in second] == [(i, b"k%d" % i) for i in range(12, 20)]
