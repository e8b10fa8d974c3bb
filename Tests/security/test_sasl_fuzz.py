"""Seeded fuzzing of the SASL exchange on a live broker: mutants of valid SCRAM and PLAIN
tokens (bit flips, truncation, insertion of commas, equals signs, NULs and non-UTF-8 bytes,
repetition up to 64 KiB) and of the handshake itself, over v1 (SaslAuthenticate) and v0
(raw tokens). Every mutant must get an answer or a closed connection, and after every batch
a good client must still authenticate. BASALT_SASL_FUZZ_SEED and BASALT_SASL_FUZZ_MUTANTS
replay or widen a run; the seed is printed."""
import os
import random
import socket
import struct

from conftest import PASSWORDS
from test_rejections import kafka_bytes, kafka_string, read_frame, send_request

SEED = int(os.environ.get("BASALT_SASL_FUZZ_SEED", "20261205"))
MUTANTS = int(os.environ.get("BASALT_SASL_FUZZ_MUTANTS", "400"))


def mutate(rng: random.Random, token: bytes) -> bytes:
    data = bytearray(token)
    for _ in range(rng.randint(1, 4)):
        choice = rng.randrange(7)
        if choice == 0 and data:
            index = rng.randrange(len(data))
            data[index] ^= 1 << rng.randrange(8)
        elif choice == 1:
            del data[rng.randrange(len(data) + 1):]
        elif choice == 2:
            data[rng.randrange(len(data) + 1):0] = rng.choice([b",", b"=", b"\0", b"\xff", b"=2C", b",p=", b"r=", b"\xc3("])
        elif choice == 3 and data:
            start = rng.randrange(len(data))
            data[start:start] = data[start:start + rng.randint(1, 64)] * rng.randint(1, 1000)
        elif choice == 4:
            data = bytearray(os.urandom(rng.randint(0, 300)))
        elif choice == 5 and data:
            del data[rng.randrange(len(data))]
        else:
            data += bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    return bytes(data[:65536])


def exchange(port: int, mechanism: bytes, tokens: list[bytes], version: int) -> None:
    """Sends a handshake and `tokens`; reads whatever comes until close or a short timeout."""
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        try:
            send_request(sock, 17, version, struct.pack(">h", len(mechanism)) + mechanism)
            read_frame(sock)
            for token in tokens:
                if version == 0:
                    sock.sendall(struct.pack(">i", len(token)) + token)
                    size = sock.recv(4)
                    if len(size) < 4:
                        return
                    remaining = struct.unpack(">i", size)[0]
                    while remaining > 0:
                        chunk = sock.recv(min(remaining, 65536))
                        if not chunk:
                            return
                        remaining -= len(chunk)
                else:
                    send_request(sock, 36, 1, kafka_bytes(token))
                    read_frame(sock)
        except (ConnectionError, socket.timeout, OSError):
            return


def good_client_authenticates(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        send_request(sock, 17, 1, kafka_string("PLAIN"))
        read_frame(sock)
        send_request(sock, 36, 1, kafka_bytes(b"\0alice\0" + PASSWORDS["alice"].encode()))
        return struct.unpack(">h", read_frame(sock)[4:6])[0] == 0


def test_sasl_fuzz(secure_broker_factory):
    # A short failure delay, so 400 failed exchanges take seconds, not a minute.
    secure_broker = secure_broker_factory(extra=["connection.failed.authentication.delay.ms=5"])
    print(f"SASL fuzz seed {SEED}, {MUTANTS} mutants")
    rng = random.Random(SEED)
    port = secure_broker.ports["SASL_PLAINTEXT"]
    seeds = {
        b"SCRAM-SHA-256": [b"n,,n=alice,r=fyko+d2lbbFgONRv9qkxdawL",
                           b"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="],
        b"SCRAM-SHA-512": [b"n,a=alice,n=alice,r=abcdefgh", b"c=bixhPWFsaWNlLA==,r=abcdefghXYZ,p=AAAA"],
        b"PLAIN": [b"\0alice\0" + PASSWORDS["alice"].encode()],
    }
    for index in range(MUTANTS):
        mechanism = rng.choice(list(seeds))
        if rng.random() < 0.05:
            mechanism = mutate(rng, mechanism)[:64]
        tokens = [mutate(rng, token) if rng.random() < 0.8 else token for token in seeds.get(mechanism, [b"x"])]
        exchange(port, mechanism, tokens, version=rng.choice([0, 1, 1, 1]))
        if index % 50 == 49:
            assert secure_broker.alive(), f"broker died by mutant {index} (seed {SEED})"
            assert good_client_authenticates(port), f"good client refused after mutant {index} (seed {SEED})"
    assert secure_broker.alive()
    assert good_client_authenticates(port)
    assert "Fatal error" not in secure_broker.log()
