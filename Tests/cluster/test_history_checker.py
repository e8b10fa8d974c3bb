"""The checkers themselves, on synthetic histories and hand-made segment files: each kind of
violation must be caught, and a clean history must pass. Needs no broker."""
import random

import history
import kafka_wire
from history import History, check, compare_replicas, committed_prefix, walk_batches


def clean_history(count=20, seed=1):
    h = History(run="r", seed=seed)
    observed = []
    for seq in range(count):
        value = f"r-{seq}"
        h.sent(value, 0)
        h.acked(value, 0, seq)
        observed.append((0, seq, value))
    return h, observed


def test_clean_history_passes():
    h, observed = clean_history()
    result = check(h, observed)
    assert result.ok, str(result)
    assert "clean" in str(result) and "seed 1" in str(result)


def test_lost_acknowledged_write_is_caught():
    h, observed = clean_history()
    del observed[7]
    result = check(h, observed)
    assert not result.ok
    assert [v for v, _ in result.lost] == ["r-7"]
    assert "lost: 1" in str(result) and "BASALT_CLUSTER_SEED=1" in str(result)


def test_duplicated_write_is_caught():
    h, observed = clean_history()
    observed.append((0, 20, "r-3"))
    result = check(h, observed)
    assert not result.ok
    assert [v for v, _ in result.duplicated] == ["r-3"]
    assert not result.lost and not result.misplaced


def test_duplicate_of_a_failed_write_is_caught_too():
    h, observed = clean_history()
    h.sent("r-20", 0)
    h.failed("r-20", "timed out")
    observed += [(0, 20, "r-20"), (0, 21, "r-20")]
    result = check(h, observed)
    assert [v for v, _ in result.duplicated] == ["r-20"]


def test_misplaced_write_is_caught():
    h, observed = clean_history()
    observed[4], observed[5] = (0, 4, "r-5"), (0, 5, "r-4")
    result = check(h, observed)
    assert not result.ok
    assert sorted(v for v, _ in result.misplaced) == ["r-4", "r-5"]


def test_wrong_partition_counts_as_misplaced():
    h, observed = clean_history()
    observed[2] = (1, 2, "r-2")
    assert [v for v, _ in check(h, observed).misplaced] == ["r-2"]


def test_value_never_sent_is_caught():
    h, observed = clean_history()
    observed.append((0, 20, "r-999"))
    result = check(h, observed)
    assert [v for v, _ in result.unexpected] == ["r-999"]


def test_failed_or_pending_writes_may_be_present_once_or_absent():
    h, observed = clean_history()
    h.sent("r-20", 0)
    h.failed("r-20", "NOT_ENOUGH_REPLICAS")
    h.sent("r-21", 0)                      # never answered
    h.sent("r-22", 0)
    h.failed("r-22", "REQUEST_TIMED_OUT")
    observed += [(0, 20, "r-20"), (0, 21, "r-21")]
    result = check(h, observed)
    assert result.ok, str(result)
    assert result.indeterminate_present == 2


# ---------------------------------------------------------------------------- replica bytes

def make_log(seed, batches=30, epoch=0):
    rng = random.Random(seed)
    chunks, offset = [], 0
    for _ in range(batches):
        values = [f"v{offset + i}".encode() * rng.randint(1, 5) for i in range(rng.randint(1, 4))]
        chunks.append(kafka_wire.encode_batch(values, base_offset=offset, leader_epoch=epoch, timestamp_ms=1000))
        offset += len(values)
    return chunks, offset


def write_segments(directory, chunks, split_every):
    """Writes `chunks` (batches) into segment files, a new one every `split_every` batches."""
    directory.mkdir(parents=True)
    for start in range(0, len(chunks), split_every):
        base = walk_batches(chunks[start])[0].base_offset
        (directory / f"{base:020d}.log").write_bytes(b"".join(chunks[start:start + split_every]))
    (directory / "00000000000000000000.index").write_bytes(b"\x00" * 16)  # ignored: not .log
    return directory


def test_crc32c_matches_the_standard_check_value():
    assert kafka_wire.crc32c(b"123456789") == 0xE3069283


def test_walk_batches_reads_headers_and_stops_at_a_torn_tail():
    chunks, end = make_log(3)
    data = b"".join(chunks)
    batches = walk_batches(data + chunks[0][:30])
    assert len(batches) == len(chunks)
    assert batches[-1].last_offset == end - 1
    assert sum(b.size for b in batches) == len(data)
    assert walk_batches(data + b"\x00" * 100)[-1].last_offset == end - 1


def test_identical_replicas_with_different_segment_boundaries_compare_equal(tmp_path):
    chunks, end = make_log(4)
    dirs = {1: write_segments(tmp_path / "r1", chunks, 7), 2: write_segments(tmp_path / "r2", chunks, 11),
            3: write_segments(tmp_path / "r3", chunks, 100)}
    result = compare_replicas(dirs, end)
    assert result.ok, str(result)
    assert len(set(result.lengths.values())) == 1 and result.reached == {1: end, 2: end, 3: end}


def test_uncommitted_divergent_tail_is_ignored(tmp_path):
    chunks, end = make_log(5)
    other, _ = make_log(99, batches=3)
    tail = [kafka_wire.encode_batch([b"divergent"], base_offset=end, leader_epoch=1, timestamp_ms=5)]
    dirs = {1: write_segments(tmp_path / "r1", chunks + tail, 10), 2: write_segments(tmp_path / "r2", chunks, 10)}
    result = compare_replicas(dirs, end)
    assert result.ok, str(result)


def test_difference_below_the_high_watermark_is_caught(tmp_path):
    chunks, end = make_log(6)
    changed = list(chunks)
    changed[12] = kafka_wire.encode_batch([b"x"] * (walk_batches(chunks[12])[0].last_offset
                                                    - walk_batches(chunks[12])[0].base_offset + 1),
                                          base_offset=walk_batches(chunks[12])[0].base_offset,
                                          leader_epoch=0, timestamp_ms=1000)
    dirs = {1: write_segments(tmp_path / "r1", chunks, 10), 2: write_segments(tmp_path / "r2", changed, 10)}
    result = compare_replicas(dirs, end)
    assert not result.ok
    assert f"batch at offset {walk_batches(chunks[12])[0].base_offset}" in str(result)


def test_single_flipped_byte_is_caught(tmp_path):
    chunks, end = make_log(7)
    data = bytearray(b"".join(chunks))
    data[len(data) // 2] ^= 0x01
    dirs = {1: write_segments(tmp_path / "r1", chunks, 100)}
    (tmp_path / "r2").mkdir()
    (tmp_path / "r2" / f"{0:020d}.log").write_bytes(bytes(data))
    assert not compare_replicas(dirs | {2: tmp_path / "r2"}, end).ok


def test_lagging_replica_is_reported(tmp_path):
    chunks, end = make_log(8)
    dirs = {1: write_segments(tmp_path / "r1", chunks, 10), 2: write_segments(tmp_path / "r2", chunks[:20], 10)}
    result = compare_replicas(dirs, end)
    assert not result.ok
    assert "replica 2 holds offsets only up to" in str(result)


def test_committed_prefix_stops_before_the_high_watermark(tmp_path):
    chunks, end = make_log(9)
    directory = write_segments(tmp_path / "r", chunks, 5)
    batches = walk_batches(b"".join(chunks))
    middle = batches[15]
    prefix, reached = committed_prefix(directory, middle.base_offset)
    assert reached == middle.base_offset
    assert len(prefix) == middle.position
    assert committed_prefix(directory, 0) == (b"", 0)


def test_acknowledged_without_an_offset_must_still_be_present_exactly_once():
    """librdkafka reports some idempotent acks without an offset; such a value is checked for
    presence and uniqueness, not place."""
    h = History(run="r", seed=1)
    h.sent("r-0", 0)
    h.acked("r-0", 0, None)
    assert check(h, [(0, 5, "r-0")]).ok
    assert h.acked_ends() == {}
    lost = check(h, [])
    assert not lost.ok and [v for v, _ in lost.lost] == ["r-0"]
    twice = check(h, [(0, 5, "r-0"), (0, 6, "r-0")])
    assert not twice.ok and [v for v, _ in twice.duplicated] == ["r-0"]
