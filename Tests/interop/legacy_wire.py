"""Kafka's old wire formats written byte by byte from the protocol spec, for the tests of
old request versions: message sets of magic 0 and 1 (with compressed wrappers), and the
request and response bodies of Produce v0–2, Fetch v0–3, OffsetCommit v0–1, ListOffsets v0.

Nothing here comes from a Kafka client library: the layouts are the spec's
(kafka.apache.org/protocol, "Message sets"), so a test that compares the broker's bytes with
these checks the broker against the spec, not against another implementation.
"""
import gzip
import socket
import struct
import time
import zlib
from dataclasses import dataclass
from typing import List, Optional

from frame_mutator import frame_with_size, request_header
from live_fuzz import connect, read_frame

CODEC_NONE, CODEC_GZIP, CODEC_SNAPPY, CODEC_LZ4, CODEC_ZSTD = 0, 1, 2, 3, 4
LOG_APPEND_TIME = 0x08


def string(value: bytes) -> bytes:
    return struct.pack(">h", len(value)) + value


def nbytes(value: Optional[bytes]) -> bytes:
    return struct.pack(">i", -1) if value is None else struct.pack(">i", len(value)) + value


def message(offset: int, key: Optional[bytes], value: Optional[bytes], magic: int = 0,
            attributes: int = 0, timestamp: int = -1, crc: Optional[int] = None) -> bytes:
    """One message with its offset and size: offset int64, size int32, crc uint32 (CRC-32
    IEEE of what follows), magic int8, attributes int8, [timestamp int64 magic 1], key, value."""
    body = struct.pack(">bb", magic, attributes)
    if magic == 1:
        body += struct.pack(">q", timestamp)
    body += nbytes(key) + nbytes(value)
    checksum = zlib.crc32(body) & 0xFFFFFFFF if crc is None else crc
    return struct.pack(">qiI", offset, 4 + len(body), checksum) + body


def wrapper(inner: bytes, codec: int, magic: int = 0, offset: int = 0, timestamp: int = -1,
            attributes: int = 0) -> bytes:
    """A compressed message whose value is `inner` (a message set) compressed with `codec`."""
    return message(offset, None, compress(inner, codec, magic), magic=magic,
                   attributes=codec | attributes, timestamp=timestamp)


def compress(data: bytes, codec: int, magic: int = 1, snappy_framing: str = "xerial") -> bytes:
    if codec == CODEC_GZIP:
        return gzip.compress(data)
    if codec == CODEC_SNAPPY:
        import snappy
        raw = snappy.compress(data)
        if snappy_framing == "raw":
            return raw
        # Xerial framing as the Java client (and kafka-python) write it: magic, version 1,
        # compatible version 1, then blocks each with a 4-byte length.
        return b"\x82SNAPPY\x00" + struct.pack(">ii", 1, 1) + struct.pack(">i", len(raw)) + raw
    if codec == CODEC_LZ4:
        import lz4.frame
        frame = bytearray(lz4.frame.compress(data, block_size=lz4.frame.BLOCKSIZE_MAX64KB,
                                             content_checksum=False, store_size=False))
        if magic == 0:
            # Kafka 0.8/0.9 computed the header checksum over the frame magic too.
            end = 6 + (8 if frame[4] & 0x08 else 0) + (4 if frame[4] & 0x01 else 0)
            frame[end] = (xxh32(bytes(frame[0:end])) >> 8) & 0xFF
        return bytes(frame)
    raise ValueError(f"codec {codec}")


def xxh32(data: bytes, seed: int = 0) -> int:
    """xxHash32 (the LZ4 frame header checksum), from the xxHash specification."""
    p1, p2, p3, p4, p5 = 2654435761, 2246822519, 3266489917, 668265263, 374761393
    mask = 0xFFFFFFFF

    def rotl(x, r):
        return ((x << r) | (x >> (32 - r))) & mask

    position, length = 0, len(data)
    if length >= 16:
        v = [(seed + p1 + p2) & mask, (seed + p2) & mask, seed, (seed - p1) & mask]
        while position + 16 <= length:
            for i in range(4):
                (lane,) = struct.unpack_from("<I", data, position + 4 * i)
                v[i] = (rotl((v[i] + lane * p2) & mask, 13) * p1) & mask
            position += 16
        h = (rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18)) & mask
    else:
        h = (seed + p5) & mask
    h = (h + length) & mask
    while position + 4 <= length:
        (lane,) = struct.unpack_from("<I", data, position)
        h = (rotl((h + lane * p3) & mask, 17) * p4) & mask
        position += 4
    while position < length:
        h = (rotl((h + data[position] * p5) & mask, 11) * p1) & mask
        position += 1
    h ^= h >> 15
    h = (h * p2) & mask
    h ^= h >> 13
    h = (h * p3) & mask
    h ^= h >> 16
    return h


@dataclass
class Message:
    offset: int
    magic: int
    attributes: int
    timestamp: int
    key: Optional[bytes]
    value: Optional[bytes]


def parse_message_set(data: bytes, allow_partial: bool = False) -> List[Message]:
    """Messages of a fetched set, each CRC-32 checked; a partial last message is an error
    unless `allow_partial`."""
    out, position = [], 0
    while position < len(data):
        if len(data) - position < 12:
            assert allow_partial, f"{len(data) - position} trailing bytes"
            break
        offset, size = struct.unpack_from(">qi", data, position)
        if position + 12 + size > len(data):
            assert allow_partial, "partial message"
            break
        body = data[position + 16: position + 12 + size]
        (crc,) = struct.unpack_from(">I", data, position + 12)
        assert zlib.crc32(body) & 0xFFFFFFFF == crc, f"CRC-32 of message at {offset}"
        magic, attributes = body[0], body[1]
        cursor = 2
        timestamp = -1
        if magic == 1:
            (timestamp,) = struct.unpack_from(">q", body, cursor)
            cursor += 8
        fields = []
        for _ in range(2):
            (length,) = struct.unpack_from(">i", body, cursor)
            cursor += 4
            fields.append(None if length < 0 else body[cursor: cursor + length])
            cursor += max(length, 0)
        assert cursor == len(body)
        out.append(Message(offset, magic, attributes, timestamp, fields[0], fields[1]))
        position += 12 + size
    return out


class RawClient:
    """One connection that sends hand-built request bodies and returns response bodies."""

    def __init__(self, port: int, timeout: float = 15.0):
        self.sock = connect(port, timeout)
        self.timeout = timeout
        self.correlation = 1000

    def close(self):
        self.sock.close()

    def call(self, api_key: int, version: int, body: bytes, client_id: bytes = b"old") -> bytes:
        self.correlation += 1
        frame = request_header(api_key, version, self.correlation, client_id) + body
        self.sock.sendall(frame_with_size(frame))
        response = read_frame(self.sock, time.monotonic() + self.timeout)
        assert response is not None, "connection closed"
        (correlation,) = struct.unpack_from(">i", response, 0)
        assert correlation == self.correlation
        return response[4:]


def produce_body(topic: bytes, records: bytes, acks: int = 1, timeout_ms: int = 5000,
                 partition: int = 0) -> bytes:
    """Produce v0–2: acks int16, timeout int32, [topic string, [partition int32, records bytes]]."""
    return (struct.pack(">hi", acks, timeout_ms) + struct.pack(">i", 1) + string(topic)
            + struct.pack(">i", 1) + struct.pack(">i", partition) + nbytes(records))


def produce_response(topic: bytes, error: int, base_offset: int, version: int, partition: int = 0) -> bytes:
    """Produce v0–2 response: [topic, [partition, error_code, base_offset, log_append_time v2+]],
    throttle_time_ms v1+."""
    out = struct.pack(">i", 1) + string(topic) + struct.pack(">i", 1) + struct.pack(">ihq", partition, error, base_offset)
    if version >= 2:
        out += struct.pack(">q", -1)
    if version >= 1:
        out += struct.pack(">i", 0)
    return out


def fetch_body(topic: bytes, offset: int, version: int, partition_max_bytes: int = 1 << 20,
               max_bytes: int = 1 << 20, max_wait_ms: int = 0, min_bytes: int = 0, partition: int = 0) -> bytes:
    """Fetch v0–3: replica_id, max_wait_ms, min_bytes, max_bytes v3, [topic, [partition,
    fetch_offset, partition_max_bytes]]."""
    out = struct.pack(">iii", -1, max_wait_ms, min_bytes)
    if version >= 3:
        out += struct.pack(">i", max_bytes)
    return out + struct.pack(">i", 1) + string(topic) + struct.pack(">i", 1) + struct.pack(">iqi", partition, offset, partition_max_bytes)


def fetch_response(topic: bytes, error: int, high_watermark: int, records: bytes, version: int, partition: int = 0) -> bytes:
    """Fetch v0–3 response: throttle_time_ms v1+, [topic, [partition, error_code,
    high_watermark, records]]."""
    out = struct.pack(">i", 0) if version >= 1 else b""
    return (out + struct.pack(">i", 1) + string(topic) + struct.pack(">i", 1)
            + struct.pack(">ihq", partition, error, high_watermark) + nbytes(records))


def parse_fetch_response(body: bytes, version: int):
    """(error_code, high_watermark, records) of the single partition of a Fetch v0–3 answer."""
    position = 4 if version >= 1 else 0
    (topics,) = struct.unpack_from(">i", body, position)
    assert topics == 1
    (name_length,) = struct.unpack_from(">h", body, position + 4)
    position += 6 + name_length
    (partitions,) = struct.unpack_from(">i", body, position)
    assert partitions == 1
    _, error, high_watermark, size = struct.unpack_from(">ihqi", body, position + 4)
    position += 4 + 18
    records = b"" if size < 0 else body[position: position + size]
    assert position + max(size, 0) == len(body)
    return error, high_watermark, records
