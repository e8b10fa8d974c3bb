"""Structure-aware mutants of Kafka request frames recorded from real clients.

A frame here is the bytes after the 4-byte size prefix, as stored one per line in
`Tests/ClientCaptures/*.hex`. `parse_frame` reads the request header (kafka-compat.md
§3.1): api_key int16, api_version int16, correlation_id int32, client_id nullable string
with an int16 length, and for flexible (api, version) pairs — header v2 — a tagged-field
section. Which versions are flexible comes from Kafka's message JSON ("flexibleVersions"),
the same table as `Sources/BasaltKafka/ApiKey.swift`.

`find_fields` then guesses where the body's strings, counts and compact lengths are, with
no schema: an int16 length followed by that many printable bytes is a string (topic
names, group ids, member ids), a compact uvarint length+1 followed by printable bytes is a
compact string, and a small int32 is probably an array count or a bytes length.

`Mutator.mutant(index)` builds mutant number `index` from a `random.Random` seeded with
`(seed, index)` only, so any mutant can be rebuilt from those two numbers.
"""
from __future__ import annotations

import random
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

CAPTURES = Path(__file__).resolve().parents[1] / "ClientCaptures"
CAPTURE_FILES = ("kcat.hex", "confluent-kafka.hex", "kafka-python.hex")

API_NAMES = {
    0: "Produce", 1: "Fetch", 2: "ListOffsets", 3: "Metadata", 8: "OffsetCommit", 9: "OffsetFetch",
    10: "FindCoordinator", 11: "JoinGroup", 12: "Heartbeat", 13: "LeaveGroup", 14: "SyncGroup",
    18: "ApiVersions", 19: "CreateTopics", 20: "DeleteTopics", 22: "InitProducerId",
    23: "OffsetForLeaderEpoch", 32: "DescribeConfigs",
    21: "DeleteRecords", 33: "AlterConfigs", 35: "DescribeLogDirs", 37: "CreatePartitions", 44: "IncrementalAlterConfigs",
}

# First flexible version of each API (Kafka's clients/src/main/resources/common/message/*Request.json).
FLEXIBLE_FROM = {
    0: 9, 1: 12, 2: 6, 3: 9, 8: 8, 9: 6, 10: 3, 11: 6, 12: 4, 13: 4, 14: 4, 18: 3, 19: 5, 20: 4,
    22: 2, 23: 4, 32: 4,
    21: 2, 33: 2, 35: 2, 37: 2, 44: 1,
}

INT16_MAX = 0x7FFF
# Invalid UTF-8 that a lenient decoder turns into one U+FFFD (3 bytes) per byte or sequence,
# so a name that fit in 32767 bytes on the way in no longer fits on the way out.
INVALID_UTF8_UNITS = (
    b"\xff",                # never valid
    b"\xc0\xaf",            # overlong "/"
    b"\xe0\x80\xaf",        # overlong "/", 3 bytes
    b"\xed\xa0\x80",        # lone high surrogate U+D800
    b"\xed\xbf\xbf",        # lone low surrogate U+DFFF
    b"\xf4\x90\x80\x80",    # above U+10FFFF
    b"\xe2\x82",            # truncated 3-byte sequence
    b"\x80",                # stray continuation byte
)
STRING_LENGTH_EXTREMES = (-2, -1, 0, 0x7FFF, 0xFFFF, 0x8000, 0x7FFE)
INT32_EXTREMES = (-2, -1, 0x7FFFFFFF, 0x80000000, 2_000_000_000, 0x10000, 0xFFFF, 0x0FFFFFFF)
INT64_EXTREMES = (-1, -2, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000, 1 << 40)
UVARINT_EXTREMES = (0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 0x10000, 0x8000)


def is_flexible(api_key: int, version: int) -> bool:
    start = FLEXIBLE_FROM.get(api_key)
    return start is not None and version >= start


def encode_uvarint(value: int) -> bytes:
    out = bytearray()
    value &= (1 << 64) - 1
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def decode_uvarint(data: bytes, offset: int) -> Optional[tuple[int, int]]:
    """(value, bytes used) of the uvarint at `offset`, or None if it runs off the end or past 5 bytes."""
    value = 0
    for i in range(5):
        if offset + i >= len(data):
            return None
        byte = data[offset + i]
        value |= (byte & 0x7F) << (7 * i)
        if byte < 0x80:
            return value, i + 1
    return None


def frame_with_size(frame: bytes) -> bytes:
    return struct.pack(">i", len(frame)) + frame


def request_header(api_key: int, version: int, correlation_id: int, client_id: Optional[bytes]) -> bytes:
    """A request header (v1, or v2 with an empty tagged-field section when the version is flexible)."""
    out = struct.pack(">hhi", api_key, version, correlation_id)
    out += struct.pack(">h", -1) if client_id is None else struct.pack(">h", len(client_id)) + client_id
    if is_flexible(api_key, version):
        out += b"\x00"
    return out


@dataclass
class ParsedFrame:
    """A request frame split into header fields and body."""
    api_key: int
    version: int
    correlation_id: int
    client_id: Optional[bytes]
    flexible: bool
    header_end: int          # offset of the body in `raw`
    raw: bytes
    source: str = ""         # "kcat.hex:7"

    @property
    def api_name(self) -> str:
        return API_NAMES.get(self.api_key, f"api{self.api_key}")

    @property
    def body(self) -> bytes:
        return self.raw[self.header_end:]

    @property
    def client_id_offset(self) -> int:
        return 8


def parse_frame(raw: bytes, source: str = "") -> ParsedFrame:
    api_key, version, correlation_id, client_length = struct.unpack_from(">hhih", raw, 0)
    offset = 10
    client_id = None
    if client_length >= 0:
        client_id = raw[offset:offset + client_length]
        offset += client_length
    flexible = is_flexible(api_key, version)
    if flexible:
        # Tagged fields: count, then (tag, size, data) each. Captured frames have none.
        count, used = decode_uvarint(raw, offset)
        offset += used
        for _ in range(count):
            _, used = decode_uvarint(raw, offset)
            offset += used
            size, used = decode_uvarint(raw, offset)
            offset += used + size
    return ParsedFrame(api_key, version, correlation_id, client_id, flexible, offset, raw, source)


def _hand_built_frames() -> list[tuple[str, bytes]]:
    """Requests no captured client sent but the broker advertises, built field by field
    (kafka-compat.md §3.7), so their decoders and encoders are fuzzed too."""
    def string(value: bytes) -> bytes:
        return struct.pack(">h", len(value)) + value

    def frame(api_key: int, version: int, body: bytes) -> bytes:
        return request_header(api_key, version, 1, b"hand-built") + body

    partitions = struct.pack(">iiii", 1, 0, -1, 0)     # [{partition 0, current_leader_epoch -1, leader_epoch 0}]
    describe = struct.pack(">i", 1) + b"\x02" + string(b"cap-topic") + struct.pack(">i", -1) + b"\x00"
    return [
        ("DescribeConfigs v1", frame(32, 1, describe)),
        ("DescribeConfigs v2", frame(32, 2, describe)),
        ("DescribeConfigs v0 broker", frame(32, 0, struct.pack(">i", 1) + b"\x04" + string(b"0")
                                            + struct.pack(">i", 1) + string(b"log.retention.ms"))),
        ("OffsetForLeaderEpoch v2", frame(23, 2, struct.pack(">i", 1) + string(b"cap-topic") + partitions)),
        ("OffsetForLeaderEpoch v3", frame(23, 3, struct.pack(">ii", -1, 1) + string(b"cap-topic") + partitions)),
        ("Metadata v0", frame(3, 0, struct.pack(">i", 1) + string(b"cap-topic"))),
        ("Metadata v1", frame(3, 1, struct.pack(">i", -1))),
        ("InitProducerId v1", frame(22, 1, struct.pack(">hi", -1, 60_000))),
        ("FindCoordinator v0", frame(10, 0, string(b"cap-group"))),
        ("DeleteTopics v1", frame(20, 1, struct.pack(">i", 1) + string(b"cap-topic") + struct.pack(">i", 30_000))),
        ("CreatePartitions v1", frame(37, 1, struct.pack(">i", 1) + string(b"cap-topic") + struct.pack(">iii", 3, -1, 30_000)
                                      + b"\x01")),
        ("DeleteRecords v1", frame(21, 1, struct.pack(">i", 1) + string(b"cap-topic") + struct.pack(">iiqi", 1, 0, 0, 30_000))),
        ("AlterConfigs v1", frame(33, 1, struct.pack(">i", 1) + b"\x02" + string(b"cap-topic") + struct.pack(">i", 1)
                                  + string(b"retention.ms") + string(b"604800000") + b"\x01")),
        ("IncrementalAlterConfigs v0", frame(44, 0, struct.pack(">i", 1) + b"\x02" + string(b"cap-topic") + struct.pack(">i", 1)
                                             + string(b"retention.ms") + b"\x00" + string(b"604800000") + b"\x01")),
        ("DescribeLogDirs v1", frame(35, 1, struct.pack(">i", 1) + string(b"cap-topic") + struct.pack(">ii", 1, 0))),
    ]


def load_captures(directory: Path = CAPTURES) -> list[ParsedFrame]:
    """Every captured request frame, in file and line order (so indices are stable), then
    the hand-built ones."""
    frames = []
    for name in CAPTURE_FILES:
        path = directory / name
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            frames.append(parse_frame(bytes.fromhex(line), f"{name}:{number}"))
    frames += [parse_frame(raw, f"hand-built {what}") for what, raw in _hand_built_frames()]
    return frames


# ---------------------------------------------------------------------------------------
# Guessing the body's fields


@dataclass(frozen=True)
class StringField:
    """A string in the frame: `length_offset` is where its length starts (absolute offset)."""
    length_offset: int
    length_size: int     # 2 for int16, else the uvarint's byte count
    data_length: int
    compact: bool

    @property
    def data_offset(self) -> int:
        return self.length_offset + self.length_size

    @property
    def end(self) -> int:
        return self.data_offset + self.data_length


@dataclass
class Fields:
    strings: list[StringField] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)            # offsets of int32s that look like counts/lengths
    compact_lengths: list[tuple[int, int]] = field(default_factory=list)  # (offset, size) of uvarints


def find_fields(frame: ParsedFrame, max_fields: int = 256) -> Fields:
    """Guesses strings, int32 counts and compact lengths in the body (see the module doc).

    Linear in the frame's size: a prefix count of non-printable bytes answers "is this
    range printable" in O(1), and at most `max_fields` of each kind are kept.
    """
    raw = frame.raw
    found = Fields()
    start = frame.header_end
    nonprintable = [0] * (len(raw) + 1)
    for i, byte in enumerate(raw):
        nonprintable[i + 1] = nonprintable[i] + (not 0x20 <= byte < 0x7F)

    def printable(begin: int, end: int) -> bool:
        return nonprintable[end] == nonprintable[begin]

    for i in range(start, len(raw) - 1):
        (length,) = struct.unpack_from(">h", raw, i)
        if 1 <= length <= len(raw) - i - 2 and printable(i + 2, i + 2 + length):
            found.strings.append(StringField(i, 2, length, False))
        if frame.flexible:
            decoded = decode_uvarint(raw, i)
            if decoded:
                value, used = decoded
                if 2 <= value <= len(raw) - i - used + 1 and printable(i + used, i + used + value - 1):
                    found.strings.append(StringField(i, used, value - 1, True))
                if value <= 64:
                    found.compact_lengths.append((i, used))
        if i + 4 <= len(raw):
            (value,) = struct.unpack_from(">i", raw, i)
            if -1 <= value <= 64 or (64 < value <= len(raw) - i - 4 and value != 0x2020):
                found.counts.append(i)
        if len(found.strings) >= max_fields and len(found.counts) >= max_fields:
            break
    # Overlapping guesses are fine: a wrong guess is just another mutant.
    del found.strings[max_fields:], found.counts[max_fields:], found.compact_lengths[max_fields:]
    return found


# ---------------------------------------------------------------------------------------
# Mutations: each takes (rng, frame, fields) and returns (new bytes, description) or None.


def _invalid_utf8(rng: random.Random, total: Optional[int] = None) -> tuple[bytes, str]:
    unit = rng.choice(INVALID_UTF8_UNITS)
    if total is None:
        total = rng.choice((1, 3, 100, 10_923, 11_000, 16_384, 32_767))
    count = max(1, total // len(unit))
    return unit * count, f"{count}x{unit.hex()}"


def _replace(raw: bytes, start: int, end: int, new: bytes) -> bytes:
    return raw[:start] + new + raw[end:]


def replace_client_id(frame: ParsedFrame, client_id: Optional[bytes]) -> bytes:
    old_end = 10 + (len(frame.client_id) if frame.client_id is not None else 0)
    new = struct.pack(">h", -1) if client_id is None else struct.pack(">h", len(client_id) & 0xFFFF) + client_id
    return _replace(frame.raw, 8, old_end, new)


def mutate_client_id(rng, frame, fields):
    choice = rng.randrange(6)
    if choice == 0:
        return replace_client_id(frame, b"c" * INT16_MAX), "client id = 32767 x 'c'"
    if choice == 1:
        length = rng.choice((32_700, 32_730, 32_766, 16_384))
        return replace_client_id(frame, b"k" * length), f"client id = {length} x 'k'"
    if choice == 2:
        data, what = _invalid_utf8(rng)
        data = data[:INT16_MAX]
        return replace_client_id(frame, data), f"client id = invalid UTF-8 {what} ({len(data)} bytes)"
    if choice == 3:
        return replace_client_id(frame, b""), "client id = empty"
    if choice == 4:
        return replace_client_id(frame, None), "client id = null"
    extreme = rng.choice(STRING_LENGTH_EXTREMES)
    raw = bytearray(frame.raw)
    if len(raw) < 10:
        return None
    struct.pack_into(">H", raw, 8, extreme & 0xFFFF)
    return bytes(raw), f"client id length = {extreme}"


def _string_replacement(rng, old: StringField) -> tuple[bytes, str]:
    choice = rng.randrange(4)
    if choice == 0:
        return b"s" * INT16_MAX, "32767 x 's'"
    if choice == 1:
        length = rng.choice((249, 250, 255, 256, 1000, 32_766))
        return b"t" * length, f"{length} x 't'"
    if choice == 2:
        data, what = _invalid_utf8(rng)
        return data[:INT16_MAX], f"invalid UTF-8 {what}"
    return b"\xff" * 11_000, "11000 x ff (33000 bytes as U+FFFD)"


def mutate_string(rng, frame, fields):
    if not fields.strings:
        return None
    target = rng.choice(fields.strings)
    raw = frame.raw
    new_data, what = _string_replacement(rng, target)
    if target.compact:
        new_length = encode_uvarint(len(new_data) + 1)
    else:
        new_length = struct.pack(">h", len(new_data))
    mutated = _replace(raw, target.length_offset, target.end, new_length + new_data)
    kind = "compact string" if target.compact else "string"
    return mutated, f"{kind} @{target.length_offset} ({raw[target.data_offset:target.end][:40]!r}) = {what}"


def mutate_string_length(rng, frame, fields):
    if not fields.strings:
        return None
    target = rng.choice(fields.strings)
    raw = frame.raw
    if target.compact:
        value = rng.choice(UVARINT_EXTREMES + (0, 1))
        new = encode_uvarint(value)
        what = f"compact length+1 = {value:#x}"
    else:
        value = rng.choice(STRING_LENGTH_EXTREMES)
        new = struct.pack(">H", value & 0xFFFF)
        what = f"int16 length = {value}"
    mutated = _replace(raw, target.length_offset, target.data_offset, new)
    return mutated, f"string @{target.length_offset} ({raw[target.data_offset:target.end][:40]!r}): {what}"


def mutate_count(rng, frame, fields):
    if not fields.counts:
        return None
    offset = rng.choice(fields.counts)
    value = rng.choice(INT32_EXTREMES)
    raw = bytearray(frame.raw)
    old = struct.unpack_from(">i", raw, offset)[0]
    struct.pack_into(">I", raw, offset, value & 0xFFFFFFFF)
    return bytes(raw), f"int32 @{offset} {old} -> {value}"


def mutate_compact_length(rng, frame, fields):
    if not fields.compact_lengths:
        return None
    offset, size = rng.choice(fields.compact_lengths)
    choice = rng.randrange(3)
    if choice == 0:
        new = encode_uvarint(rng.choice(UVARINT_EXTREMES))
    elif choice == 1:
        new = b"\xff" * rng.choice((5, 6, 10)) + b"\x01"      # longer than any uvarint may be
    else:
        new = b"\x80" * rng.randrange(1, 6)                     # never terminates
    return _replace(frame.raw, offset, offset + size, new), f"uvarint @{offset} -> {new.hex()}"


def mutate_int_at_random(rng, frame, fields):
    raw = bytearray(frame.raw)
    if len(raw) <= frame.header_end + 2:
        return None
    width = rng.choice((2, 4, 8))
    if len(raw) - frame.header_end < width:
        width = 2
    offset = rng.randrange(frame.header_end, len(raw) - width + 1)
    if width == 2:
        value = rng.choice((-1, -2, 0x7FFF, -0x8000, 0))
        struct.pack_into(">h", raw, offset, value)
    elif width == 4:
        value = rng.choice(INT32_EXTREMES)
        struct.pack_into(">I", raw, offset, value & 0xFFFFFFFF)
    else:
        value = rng.choice(INT64_EXTREMES)
        struct.pack_into(">Q", raw, offset, value & 0xFFFFFFFFFFFFFFFF)
    return bytes(raw), f"int{width * 8} @{offset} = {value}"


def mutate_version(rng, frame, fields):
    raw = bytearray(frame.raw)
    if len(raw) < 4:
        return None
    version = rng.choice((frame.version - 1, frame.version + 1, 0, -1, 0x7FFF, rng.randrange(0, 16)))
    struct.pack_into(">H", raw, 2, version & 0xFFFF)
    return bytes(raw), f"api version {frame.version} -> {version}"


def mutate_api_key(rng, frame, fields):
    raw = bytearray(frame.raw)
    if len(raw) < 2:
        return None
    key = rng.choice(sorted(API_NAMES) + [-1, 0x7FFF, 99])
    struct.pack_into(">H", raw, 0, key & 0xFFFF)
    return bytes(raw), f"api key {frame.api_key} -> {key}"


def mutate_bit_flips(rng, frame, fields):
    raw = bytearray(frame.raw)
    if not raw:
        return None
    flips = rng.choice((1, 1, 2, 4, 8))
    low = 0 if rng.random() < 0.2 else min(frame.header_end, len(raw) - 1)
    positions = []
    for _ in range(flips):
        position = rng.randrange(low, len(raw))
        raw[position] ^= 1 << rng.randrange(8)
        positions.append(position)
    return bytes(raw), f"bit flips @{positions}"


def mutate_truncate(rng, frame, fields):
    if not frame.raw:
        return None
    cut = rng.randrange(0, len(frame.raw))
    return frame.raw[:cut], f"truncated to {cut} of {len(frame.raw)} bytes"


def mutate_insert(rng, frame, fields):
    position = rng.randrange(0, len(frame.raw) + 1)
    choice = rng.randrange(3)
    if choice == 0:
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 16)))
    elif choice == 1:
        data = bytes([rng.choice((0x00, 0xFF, 0x7F, 0x80))]) * rng.choice((1, 2, 4, 8, 100))
    else:
        data, _ = _invalid_utf8(rng, rng.choice((3, 30, 300)))
    return _replace(frame.raw, position, position, data), f"inserted {len(data)} bytes {data[:8].hex()} @{position}"


def mutate_delete(rng, frame, fields):
    if len(frame.raw) < 2:
        return None
    start = rng.randrange(0, len(frame.raw))
    length = rng.choice((1, 2, 4, 8, rng.randrange(1, len(frame.raw) - start + 1)))
    return _replace(frame.raw, start, start + length, b""), f"deleted {length} bytes @{start}"


def mutate_duplicate(rng, frame, fields):
    raw = frame.raw
    if len(raw) <= frame.header_end + 1:
        return None
    start = rng.randrange(frame.header_end, len(raw))
    end = rng.randrange(start + 1, len(raw) + 1)
    times = rng.choice((1, 2, 16))
    return raw[:end] + raw[start:end] * times + raw[end:], f"duplicated [{start}:{end}] x{times}"


MUTATIONS: list[tuple[str, Callable, int]] = [
    # (name, function, weight)
    ("client_id", mutate_client_id, 10),
    ("string", mutate_string, 16),
    ("string_length", mutate_string_length, 10),
    ("count", mutate_count, 10),
    ("compact_length", mutate_compact_length, 3),
    ("int_extreme", mutate_int_at_random, 8),
    ("version", mutate_version, 4),
    ("api_key", mutate_api_key, 3),
    ("bit_flips", mutate_bit_flips, 12),
    ("truncate", mutate_truncate, 6),
    ("insert", mutate_insert, 6),
    ("delete", mutate_delete, 5),
    ("duplicate", mutate_duplicate, 5),
]
_NAMES = [m[0] for m in MUTATIONS]
_WEIGHTS = [m[2] for m in MUTATIONS]
_BY_NAME = {m[0]: m[1] for m in MUTATIONS}


@dataclass
class Mutant:
    seed: int
    index: int
    source: ParsedFrame
    frame: bytes              # the mutated bytes after the size prefix
    wire: bytes               # what goes on the socket: size prefix + frame (size may lie)
    description: str

    @property
    def api(self) -> str:
        return f"{self.source.api_name} v{self.source.version}"


class Mutator:
    """Mutant `index` of `seed` is a pure function of (seed, index, the capture files)."""

    def __init__(self, seed: int, captures: Optional[list[ParsedFrame]] = None):
        self.seed = seed
        self.captures = captures if captures is not None else load_captures()
        self._fields: dict[int, Fields] = {}

    def fields(self, capture_index: int) -> Fields:
        if capture_index not in self._fields:
            self._fields[capture_index] = find_fields(self.captures[capture_index])
        return self._fields[capture_index]

    def mutant(self, index: int) -> Mutant:
        rng = random.Random(f"basalt-live-fuzz:{self.seed}:{index}")
        capture_index = rng.randrange(len(self.captures))
        source = self.captures[capture_index]
        frame = source
        steps = []
        rounds = 1 if rng.random() < 0.75 else rng.choice((2, 3))
        for _ in range(rounds):
            fields = self.fields(capture_index) if frame is source else find_fields(frame)
            for _attempt in range(8):
                name = rng.choices(_NAMES, _WEIGHTS)[0]
                result = _BY_NAME[name](rng, frame, fields)
                if result is not None:
                    break
            else:
                continue
            raw, what = result
            steps.append(f"{name}: {what}")
            if len(raw) >= 10:
                try:
                    frame = parse_frame(raw, source.source)
                    continue
                except (struct.error, TypeError, ValueError):
                    pass
            frame = ParsedFrame(source.api_key, source.version, source.correlation_id, None, False,
                                min(len(raw), source.header_end), raw, source.source)
        wire, size_what = self._size_prefix(rng, frame.raw)
        if size_what:
            steps.append(size_what)
        return Mutant(self.seed, index, source, frame.raw, wire, "; ".join(steps) or "unchanged")

    @staticmethod
    def _size_prefix(rng: random.Random, frame: bytes) -> tuple[bytes, str]:
        """Usually the true size; sometimes one that lies (the broker must not trust it)."""
        roll = rng.random()
        if roll < 0.92:
            return frame_with_size(frame), ""
        choice = rng.randrange(4)
        if choice == 0 and len(frame) > 10:
            size = rng.randrange(10, len(frame))
            return struct.pack(">i", size) + frame, f"size prefix {size} < {len(frame)}"
        if choice == 1:
            size = len(frame) + rng.choice((1, 8, 1000))
            return struct.pack(">i", size) + frame, f"size prefix {size} > {len(frame)}"
        size = rng.choice((-1, 0, 9, 0x7FFFFFFF, -0x80000000, 104857601))
        return struct.pack(">i", size) + frame, f"size prefix {size}"
