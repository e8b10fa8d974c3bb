"""Just enough of the Kafka wire protocol to talk to ONE broker without a client library's
leader-following: record batch v2 encoding (CRC-32C) and a Produce v3 client pinned to a socket.

The pause test uses `PinnedProducer` to keep writing to a replaced leader: a real client would follow
the new leader after NOT_LEADER_OR_FOLLOWER, which hides exactly the acknowledgement we look for.
"""
from __future__ import annotations

import socket
import struct
import time
from dataclasses import dataclass
from typing import Optional


def _crc32c_table() -> list[int]:
    table = []
    for n in range(256):
        crc = n
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def varint(value: int) -> bytes:
    zigzag = (value << 1) ^ (value >> 63)
    out = bytearray()
    while True:
        byte = zigzag & 0x7F
        zigzag >>= 7
        if zigzag:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def encode_record(offset_delta: int, value: Optional[bytes], key: Optional[bytes] = None,
                  timestamp_delta: int = 0) -> bytes:
    body = bytearray(b"\x00")                      # attributes
    body += varint(timestamp_delta) + varint(offset_delta)
    body += varint(-1) if key is None else varint(len(key)) + key
    body += varint(-1) if value is None else varint(len(value)) + value
    body += varint(0)                               # headers
    return varint(len(body)) + bytes(body)


def encode_batch(values: list[bytes], base_offset: int = 0, leader_epoch: int = -1,
                 timestamp_ms: Optional[int] = None, producer_id: int = -1, producer_epoch: int = -1,
                 base_sequence: int = -1) -> bytes:
    """A record batch v2 holding `values` (uncompressed)."""
    timestamp = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    records = b"".join(encode_record(i, v) for i, v in enumerate(values))
    after_crc = struct.pack(">hiqqqhii", 0, len(values) - 1, timestamp, timestamp,
                            producer_id, producer_epoch, base_sequence, len(values)) + records
    after_length = struct.pack(">ibI", leader_epoch, 2, crc32c(after_crc)) + after_crc
    return struct.pack(">qi", base_offset, len(after_length)) + after_length


def _string(text: Optional[str]) -> bytes:
    if text is None:
        return struct.pack(">h", -1)
    raw = text.encode()
    return struct.pack(">h", len(raw)) + raw


@dataclass
class ProduceAnswer:
    error_code: int
    base_offset: int
    received_at: float


class PinnedProducer:
    """Produce v3 requests (non-idempotent) over one socket to one broker, never redirected."""

    def __init__(self, host: str, port: int, client_id: str = "jepsen-pinned", timeout: float = 10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.client_id = client_id
        self.correlation = 0
        self.pending: dict[int, tuple[str, int]] = {}

    def close(self) -> None:
        self.sock.close()

    def send(self, topic: str, partition: int, values: list[bytes], acks: int = -1, timeout_ms: int = 5000) -> int:
        """Sends one Produce request; returns its correlation id (answers come from `receive`)."""
        self.correlation += 1
        header = struct.pack(">hhi", 0, 3, self.correlation) + _string(self.client_id)
        batch = encode_batch(values)
        body = (_string(None) + struct.pack(">hi", acks, timeout_ms) + struct.pack(">i", 1) + _string(topic)
                + struct.pack(">i", 1) + struct.pack(">ii", partition, len(batch)) + batch)
        frame = header + body
        self.sock.sendall(struct.pack(">i", len(frame)) + frame)
        self.pending[self.correlation] = (topic, partition)
        return self.correlation

    def _read_exactly(self, count: int) -> bytes:
        data = bytearray()
        while len(data) < count:
            chunk = self.sock.recv(count - len(data))
            if not chunk:
                raise ConnectionError("broker closed the connection")
            data += chunk
        return bytes(data)

    def receive(self, timeout: float) -> tuple[int, ProduceAnswer]:
        """The next answer (correlation id, answer); raises socket.timeout or ConnectionError."""
        self.sock.settimeout(timeout)
        (size,) = struct.unpack(">i", self._read_exactly(4))
        frame = self._read_exactly(size)
        received_at = time.monotonic()
        (correlation,) = struct.unpack_from(">i", frame, 0)
        position = 4
        (topics,) = struct.unpack_from(">i", frame, position)
        position += 4
        answer = None
        for _ in range(topics):
            (name_length,) = struct.unpack_from(">h", frame, position)
            position += 2 + name_length
            (partitions,) = struct.unpack_from(">i", frame, position)
            position += 4
            for _ in range(partitions):
                _, error, base_offset, _ = struct.unpack_from(">ihqq", frame, position)
                position += 22
                answer = ProduceAnswer(error, base_offset, received_at)
        self.pending.pop(correlation, None)
        assert answer is not None, f"produce response {correlation} without a partition"
        return correlation, answer

    def produce(self, topic: str, partition: int, values: list[bytes], acks: int = -1,
                timeout: float = 10.0) -> ProduceAnswer:
        correlation = self.send(topic, partition, values, acks, int(timeout * 1000))
        got, answer = self.receive(timeout + 5)
        assert got == correlation, f"answer {got} for request {correlation}"
        return answer


@dataclass
class Coordinator:
    error_code: int
    node_id: int
    host: str
    port: int


def find_coordinator(host: str, port: int, group: str, timeout: float = 5.0) -> Coordinator:
    """FindCoordinator v1 for a consumer group, asked of one broker."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        frame = struct.pack(">hhi", 10, 1, 1) + _string("jepsen-find-coordinator") + _string(group) + b"\x00"
        sock.sendall(struct.pack(">i", len(frame)) + frame)
        data = bytearray()
        while len(data) < 4 or len(data) < 4 + struct.unpack_from(">i", data, 0)[0]:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("broker closed the connection")
            data += chunk
    position = 8  # size, correlation id
    _, error = struct.unpack_from(">ih", data, position)
    position += 6
    (message_length,) = struct.unpack_from(">h", data, position)
    position += 2 + max(message_length, 0)
    (node_id,) = struct.unpack_from(">i", data, position)
    position += 4
    (host_length,) = struct.unpack_from(">h", data, position)
    host_name = bytes(data[position + 2:position + 2 + host_length]).decode()
    position += 2 + host_length
    (port_number,) = struct.unpack_from(">i", data, position)
    return Coordinator(error, node_id, host_name, port_number)


def metadata_leaders(host: str, port: int, timeout: float = 2.0) -> dict[tuple[str, int], int]:
    """Metadata v1 for all topics, asked of ONE broker: {(topic, partition): the leader it reports}.

    Shows what each broker tells clients, e.g. an old leader that still claims a partition."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.settimeout(timeout)
        frame = struct.pack(">hhi", 3, 1, 1) + _string("jepsen-metadata") + struct.pack(">i", -1)
        sock.sendall(struct.pack(">i", len(frame)) + frame)
        data = bytearray()
        while len(data) < 4 or len(data) < 4 + struct.unpack_from(">i", data, 0)[0]:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("broker closed the connection")
            data += chunk
    position = 8  # size, correlation id

    def take(fmt):
        nonlocal position
        values = struct.unpack_from(fmt, data, position)
        position += struct.calcsize(fmt)
        return values

    def string():
        nonlocal position
        (length,) = take(">h")
        text = bytes(data[position:position + max(length, 0)]).decode()
        position += max(length, 0)
        return text

    for _ in range(take(">i")[0]):       # brokers: node id, host, port, rack
        take(">i"), string(), take(">i"), string()
    take(">i")                           # controller id
    leaders = {}
    for _ in range(take(">i")[0]):
        take(">h")
        name = string()
        take(">b")
        for _ in range(take(">i")[0]):
            _, partition, leader = take(">hii")
            take(">" + "i" * take(">i")[0])  # replicas
            take(">" + "i" * take(">i")[0])  # isr
            leaders[(name, partition)] = leader
    return leaders
