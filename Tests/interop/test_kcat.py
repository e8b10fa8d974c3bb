"""kcat (librdkafka 2.0.2 from Debian): -L, -P, -C round trip."""
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.skipif(shutil.which("kcat") is None, reason="kcat is not installed (apt-get install kcat)")


def kcat(*args, data=None, timeout=30):
    result = subprocess.run(["kcat", *args], input=data, capture_output=True, timeout=timeout)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout


def test_kcat_produce_consume_list(broker):
    lines = [f"key{i}\tvalue number {i}" for i in range(500)]
    kcat("-b", broker.bootstrap, "-P", "-t", "kcat-topic", "-K", "\t", "-z", "lz4", "-X", "acks=all",
         data=("\n".join(lines) + "\n").encode())
    out = kcat("-b", broker.bootstrap, "-C", "-t", "kcat-topic", "-e", "-o", "beginning", "-f", "%k\t%s\t%o\n")
    got = out.decode().splitlines()
    assert [line.rsplit("\t", 1)[0] for line in got] == lines
    assert [int(line.rsplit("\t", 1)[1]) for line in got] == list(range(500))

    listing = kcat("-b", broker.bootstrap, "-L", "-t", "kcat-topic").decode()
    assert f"broker 0 at {broker.bootstrap}" in listing
    assert 'topic "kcat-topic" with 1 partitions' in listing
    assert "partition 0, leader 0, replicas: 0, isrs: 0" in listing

    # Reading from an offset in the middle of a batch starts at that record.
    out = kcat("-b", broker.bootstrap, "-C", "-t", "kcat-topic", "-e", "-o", "250", "-f", "%o\n")
    assert [int(x) for x in out.decode().split()] == list(range(250, 500))
