"""Hostile SASL exchanges: huge, non-UTF-8, truncated and forged tokens, wrong nonces and
proofs. Each gets SASL_AUTHENTICATION_FAILED or a closed connection, never a crash; the
broker goes on authenticating good clients. Also the v0 handshake (raw tokens)."""
import base64
import hashlib
import hmac
import os
import socket
import struct

import pytest
from conftest import PASSWORDS, SCRAM_ITERATIONS
from test_rejections import error_code, kafka_bytes, kafka_string, read_exact, read_frame, send_request

FAILED = 58


def sasl_connection(broker, mechanism):
    sock = socket.create_connection(("127.0.0.1", broker.ports["SASL_PLAINTEXT"]), timeout=10)
    send_request(sock, 17, 1, kafka_string(mechanism))
    assert error_code(read_frame(sock)) == 0
    return sock


def authenticate(sock, token: bytes):
    """Sends a SaslAuthenticate v1; returns (error code, auth bytes)."""
    send_request(sock, 36, 1, kafka_bytes(token))
    frame = read_frame(sock)
    code = error_code(frame)
    rest = frame[6:]
    message_length = struct.unpack(">h", rest[:2])[0]
    rest = rest[2 + max(message_length, 0):]
    length = struct.unpack(">i", rest[:4])[0]
    return code, rest[4:4 + length]


def closed(sock) -> bool:
    """Whether the broker closed the connection (a further request gets no answer)."""
    try:
        send_request(sock, 18, 0, b"")
        return sock.recv(4) == b""
    except OSError:
        return True


HOSTILE_SCRAM_FIRST = [
    b"x" * 65536,                              # huge
    b"\xff\xfe\xfd",                          # not UTF-8
    b"n,,n=alice",                            # truncated: no nonce
    b"n,,",                                   # truncated: no bare message
    b"",                                      # empty
    b"n,,n=al=ZZice,r=abc",                   # bad saslname escape
    b"p=tls-unique,,n=alice,r=abc",           # channel binding
    b"n,,n=alice,r=abc,tokenauth=true",       # delegation token
    b"n,,m=ext,n=alice,r=abc",                # mandatory extension
    b"n,a=bob,n=alice,r=abc",                 # authzid of someone else
    b"n,,n=alice,r=a,b",                      # nonce with a comma (splits)
    b"n,,n=" + b"u" * 5000 + b",r=abc",       # long user name
]


@pytest.mark.parametrize("token", HOSTILE_SCRAM_FIRST, ids=range(len(HOSTILE_SCRAM_FIRST)))
def test_hostile_scram_client_first(secure_broker, token):
    sock = sasl_connection(secure_broker, "SCRAM-SHA-256")
    code, _ = authenticate(sock, token)
    assert code == FAILED
    assert closed(sock)
    assert secure_broker.alive()


def scram_first(sock, user="alice"):
    nonce = base64.b64encode(os.urandom(18)).decode()
    bare = f"n={user},r={nonce}"
    code, server_first = authenticate(sock, b"n,," + bare.encode())
    assert code == 0
    fields = dict(item.split("=", 1) for item in server_first.decode().split(","))
    return bare, server_first.decode(), fields


def scram_proof(password, fields, auth_message, digest=hashlib.sha256):
    salted = hashlib.pbkdf2_hmac(digest().name, password.encode(), base64.b64decode(fields["s"]), int(fields["i"]))
    client_key = hmac.new(salted, b"Client Key", digest).digest()
    stored_key = digest(client_key).digest()
    signature = hmac.new(stored_key, auth_message.encode(), digest).digest()
    return bytes(a ^ b for a, b in zip(client_key, signature))


@pytest.mark.parametrize("case", ["wrong-nonce", "no-proof", "short-proof", "bad-base64", "bad-binding", "wrong-proof",
                                  "not-utf8", "huge"])
def test_hostile_scram_client_final(secure_broker, case):
    sock = sasl_connection(secure_broker, "SCRAM-SHA-256")
    bare, server_first, fields = scram_first(sock)
    nonce = fields["r"]
    without_proof = f"c=biws,r={nonce}"
    proof = base64.b64encode(scram_proof(PASSWORDS["alice"], fields, f"{bare},{server_first},{without_proof}")).decode()
    final = {
        "wrong-nonce": f"c=biws,r={nonce}x,p={proof}",
        "no-proof": without_proof,
        "short-proof": f"{without_proof},p={base64.b64encode(b'abc').decode()}",
        "bad-base64": f"{without_proof},p=!!!!",
        "bad-binding": f"c=eSws,r={nonce},p={proof}",
        "wrong-proof": f"{without_proof},p={base64.b64encode(bytes(32)).decode()}",
        "not-utf8": None,
        "huge": None,
    }[case]
    token = final.encode() if final else (b"c=\xff\xfe," if case == "not-utf8" else b"c=" + b"A" * 100000)
    code, _ = authenticate(sock, token)
    assert code == FAILED
    assert closed(sock)
    assert secure_broker.alive()


def test_scram_by_hand_succeeds_and_the_server_signature_verifies(secure_broker):
    sock = sasl_connection(secure_broker, "SCRAM-SHA-256")
    bare, server_first, fields = scram_first(sock)
    without_proof = f"c=biws,r={fields['r']}"
    auth_message = f"{bare},{server_first},{without_proof}"
    proof = base64.b64encode(scram_proof(PASSWORDS["alice"], fields, auth_message)).decode()
    code, server_final = authenticate(sock, f"{without_proof},p={proof}".encode())
    assert code == 0
    salted = hashlib.pbkdf2_hmac("sha256", PASSWORDS["alice"].encode(), base64.b64decode(fields["s"]), SCRAM_ITERATIONS)
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    expected = hmac.new(server_key, auth_message.encode(), hashlib.sha256).digest()
    assert server_final == b"v=" + base64.b64encode(expected)
    # Authenticated: Metadata is answered now, and a second handshake is out of order.
    send_request(sock, 3, 1, struct.pack(">i", -1))
    assert len(read_frame(sock)) > 4
    send_request(sock, 17, 1, kafka_string("PLAIN"))
    assert error_code(read_frame(sock)) == 34


def test_unknown_user_gets_a_stable_salt(secure_broker):
    """An unknown user's server-first looks like a known one's and its salt does not change
    between attempts, so the answers do not tell which users exist."""
    salts = []
    for _ in range(2):
        sock = sasl_connection(secure_broker, "SCRAM-SHA-256")
        _, _, fields = scram_first(sock, user="nobody")
        salts.append(fields["s"])
        sock.close()
    assert salts[0] == salts[1]
    assert int(salts and fields["i"]) == 4096


HOSTILE_PLAIN = [
    b"alice" + b"\0" * 0,          # no separators
    b"\0alice",                    # one separator
    b"\0alice\0",                  # empty password
    b"\0\xff\xfe\0pw",             # user not UTF-8
    b"bob\0alice\0" + PASSWORDS["alice"].encode(),  # authzid of someone else
    b"\0alice\0" + b"p" * 100000,  # huge
    b"\0\0pw",                     # empty user
]


@pytest.mark.parametrize("token", HOSTILE_PLAIN, ids=range(len(HOSTILE_PLAIN)))
def test_hostile_plain(secure_broker, token):
    sock = sasl_connection(secure_broker, "PLAIN")
    code, _ = authenticate(sock, token)
    assert code == FAILED
    assert closed(sock)
    # A good client still authenticates.
    good = sasl_connection(secure_broker, "PLAIN")
    assert authenticate(good, b"\0alice\0" + PASSWORDS["alice"].encode())[0] == 0


def test_unsupported_mechanism(secure_broker):
    sock = socket.create_connection(("127.0.0.1", secure_broker.ports["SASL_PLAINTEXT"]), timeout=10)
    send_request(sock, 17, 1, kafka_string("GSSAPI"))
    assert error_code(read_frame(sock)) == 33  # UNSUPPORTED_SASL_MECHANISM


def test_v0_handshake_with_raw_tokens(secure_broker):
    sock = socket.create_connection(("127.0.0.1", secure_broker.ports["SASL_PLAINTEXT"]), timeout=10)
    send_request(sock, 17, 0, kafka_string("PLAIN"))
    assert error_code(read_frame(sock)) == 0
    token = b"\0alice\0" + PASSWORDS["alice"].encode()
    sock.sendall(struct.pack(">i", len(token)) + token)
    assert read_exact(sock, 4) == struct.pack(">i", 0)  # empty server token: success
    send_request(sock, 3, 1, struct.pack(">i", -1))
    assert len(read_frame(sock)) > 4


def test_v0_handshake_with_a_bad_raw_token_closes(secure_broker):
    sock = socket.create_connection(("127.0.0.1", secure_broker.ports["SASL_PLAINTEXT"]), timeout=10)
    send_request(sock, 17, 0, kafka_string("SCRAM-SHA-512"))
    assert error_code(read_frame(sock)) == 0
    sock.sendall(struct.pack(">i", 3) + b"\xff\xfe\xfd")
    assert sock.recv(4) == b""
    assert secure_broker.alive()


def test_v0_raw_token_shorter_than_a_request_header(secure_broker):
    """A raw token has no request header, so a 4-byte PLAIN token reaches the mechanism
    (and fails as an unknown user) instead of being cut off as an invalid frame."""
    sock = socket.create_connection(("127.0.0.1", secure_broker.ports["SASL_PLAINTEXT"]), timeout=10)
    send_request(sock, 17, 0, kafka_string("PLAIN"))
    assert error_code(read_frame(sock)) == 0
    sock.sendall(struct.pack(">i", 4) + b"\0z\0y")
    assert sock.recv(4) == b""
    assert "invalid frame size" not in secure_broker.log()
    assert "reason=invalid credentials" in secure_broker.log()
