"""Authentication and authorisation together, end to end: one broker with SASL_PLAINTEXT,
SASL_SSL and PLAINTEXT listeners, the authorizer on and `super.users=User:admin`.

The admin (SCRAM-SHA-256, made offline like a first user) creates alice and bob with
AlterUserScramCredentials and grants them ACLs; alice (confluent-kafka, SCRAM-SHA-256 over
SASL_SSL) may write and read `alice-*` topics and use group `alice-group`; bob (kafka-python,
SCRAM-SHA-512 over SASL_PLAINTEXT) may only describe `bob-*` topics and the cluster. Every
refusal is checked by its exact error code and by what did not change (watermarks, topics,
users, ACLs), and the users and ACLs are checked again after a restart. The recipe in
docs/security.md ("Putting it together") is this configuration.
"""
import importlib.util
import socket
import struct
import time
from pathlib import Path

import pytest
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer
from confluent_kafka.admin import (AclBinding, AclBindingFilter, AclOperation, AclPermissionType, AdminClient,
                                   NewTopic, ResourcePatternType, ResourceType, ScramCredentialInfo,
                                   ScramMechanism, UserScramCredentialUpsertion)
from conftest import PASSWORDS
from test_clients import kafka_python_settings, rdkafka_settings
from test_rejections import error_code, read_frame, send_request

import kafka.errors as kafka_errors
from kafka.admin import (ACL, ACLOperation, ACLPermissionType, ACLResourcePatternType, KafkaAdminClient,
                         ResourcePattern)
from kafka.admin import ResourceType as KafkaPythonResourceType
from kafka.admin import ScramMechanism as KafkaPythonScramMechanism
from kafka.admin import UserScramCredentialUpsertion as KafkaPythonUpsertion
from kafka.protocol.admin import AlterUserScramCredentialsRequest
from kafka.protocol.consumer.fetch import FetchRequest

# The ACL suite's helpers (Tests/interop is not on this suite's path); their `Identity` carries
# the SASL settings here.
_spec = importlib.util.spec_from_file_location(
    "acl_helpers", Path(__file__).resolve().parents[1] / "interop" / "acl_helpers.py")
acl_helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(acl_helpers)

AUTHORIZER = ("authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
              "super.users=User:admin")
ALICE_PASSWORD = PASSWORDS["alice"]  # in PASSWORDS, so the fixture checks it never reaches the log
BOB_PASSWORD = "bob-Secret-e2e-5d81"
CLUSTER_AUTHORIZATION_FAILED = 31
TOPIC_AUTHORIZATION_FAILED = 29

EVERYTHING = AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, None, None,
                              AclOperation.ANY, AclPermissionType.ANY)


def allow(resource_type, name, pattern, principal, operation) -> AclBinding:
    return AclBinding(resource_type, name, pattern, principal, "*", operation, AclPermissionType.ALLOW)


GRANTED = {
    allow(ResourceType.TOPIC, "alice-", ResourcePatternType.PREFIXED, "User:alice", AclOperation.WRITE),
    allow(ResourceType.TOPIC, "alice-", ResourcePatternType.PREFIXED, "User:alice", AclOperation.READ),
    allow(ResourceType.GROUP, "alice-group", ResourcePatternType.LITERAL, "User:alice", AclOperation.READ),
    allow(ResourceType.TOPIC, "bob-", ResourcePatternType.PREFIXED, "User:bob", AclOperation.DESCRIBE),
    allow(ResourceType.BROKER, "kafka-cluster", ResourcePatternType.LITERAL, "User:bob", AclOperation.DESCRIBE),
}


# Clients: alice and admin with confluent-kafka over SASL_SSL, bob with kafka-python over
# SASL_PLAINTEXT. Settings are built per call: a restart may move the broker to new ports.

def admin_settings(broker) -> dict:
    return rdkafka_settings(broker, "SASL_SSL", "SCRAM-SHA-256", user="admin")


def alice_settings(broker) -> dict:
    return rdkafka_settings(broker, "SASL_SSL", "SCRAM-SHA-256", user="alice", password=ALICE_PASSWORD)


def bob_settings(broker) -> dict:
    return kafka_python_settings(broker, "SASL_PLAINTEXT", "SCRAM-SHA-512", user="bob", password=BOB_PASSWORD)


def identity(settings: dict, principal: str) -> "acl_helpers.Identity":
    """`settings` without the bootstrap address, as an acl_helpers identity."""
    return acl_helpers.Identity(principal, confluent={k: v for k, v in settings.items() if k != "bootstrap.servers"})


def watermarks(broker, topic: str) -> tuple:
    """Low and high watermark of partition 0, asked as the admin."""
    return acl_helpers.watermarks(broker.bootstrap("SASL_SSL"), topic, identity(admin_settings(broker), "User:admin"))


def produce(settings: dict, topic: str, values: list) -> list:
    """Produces `values` and returns the delivery errors' names in order (None for a success)."""
    producer = Producer({**settings, "message.timeout.ms": 10000, "allow.auto.create.topics": False})
    outcomes = []
    for value in values:
        producer.produce(topic, value, on_delivery=lambda error, _m: outcomes.append(error and error.name()))
    assert producer.flush(20) == 0
    assert len(outcomes) == len(values), f"delivery reports missing for {topic}"
    return outcomes


def consume(settings: dict, group: str, topic: str, count: int, timeout_s: float = 30.0) -> list:
    """Consumes in `group` until `count` records arrived (or the deadline), commits them, and
    returns their values; a consumer error fails the test."""
    consumer = Consumer({**settings, "group.id": group, "auto.offset.reset": "earliest",
                         "enable.auto.commit": False})
    consumer.subscribe([topic])
    values = []
    deadline = time.monotonic() + timeout_s
    try:
        while len(values) < count and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                continue
            assert message.error() is None, f"consumer error: {message.error()}"
            values.append(message.value())
        consumer.commit(asynchronous=False)
    finally:
        consumer.close()
    return values


def group_error(settings: dict, group: str, topic: str, timeout_s: float = 30.0):
    """The first consumer error of a member of `group` (None if none came before the deadline);
    a record received instead fails the test."""
    consumer = Consumer({**settings, "group.id": group, "auto.offset.reset": "earliest"})
    consumer.subscribe([topic])
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                continue
            assert message.error() is not None, f"{group} received a record: {message.value()!r}"
            return message.error().code()
        return None
    finally:
        consumer.close()


def refused_code(future) -> int:
    with pytest.raises(KafkaException) as refused:
        future.result(10)
    return refused.value.args[0].code()


def users(broker) -> set:
    admin = AdminClient(admin_settings(broker))
    return set(admin.describe_user_scram_credentials().result(10))


def kafka_python_admin(broker) -> KafkaAdminClient:
    return KafkaAdminClient(**bob_settings(broker), request_timeout_ms=10000)


def bob_alters_users(broker) -> list:
    """bob's AlterUserScramCredentials, sent as kafka-python sends it; returns the per-user codes
    (kafka-python's `alter_user_scram_credentials` reports only the message)."""
    client = kafka_python_admin(broker)
    try:
        upsertion = KafkaPythonUpsertion("mallory", KafkaPythonScramMechanism.SCRAM_SHA_512, "mallory-password",
                                         iterations=8192)
        request = AlterUserScramCredentialsRequest(
            deletions=[], upsertions=[(upsertion.user, int(upsertion.mechanism), upsertion.iterations,
                                       upsertion.salt, upsertion.salted_password)])
        response = client._manager.run(client._manager.send, request)
        return [(result.user, result.error_code) for result in response.results]
    finally:
        client.close()


def bob_creates_acl(broker) -> dict:
    client = kafka_python_admin(broker)
    try:
        return client.create_acls([ACL("User:bob", "*", ACLOperation.ALL, ACLPermissionType.ALLOW,
                                       ResourcePattern(KafkaPythonResourceType.TOPIC, "alice-",
                                                       ACLResourcePatternType.PREFIXED))])
    finally:
        client.close()


def bob_topics(broker, settings: dict = None) -> set:
    client = KafkaAdminClient(**(settings or bob_settings(broker)), request_timeout_ms=10000)
    try:
        return set(client.list_topics())
    finally:
        client.close()


def bob_fetch_codes(broker, topic: str) -> list:
    """The per-partition error codes of a Fetch of partition 0 of `topic` from offset 0, sent on
    bob's authenticated kafka-python connection. (kafka-python's consumer never fetches a topic
    whose Metadata is refused: it retries Metadata forever without raising, so the Fetch is built
    from kafka-python's own protocol classes.)"""
    client = kafka_python_admin(broker)
    try:
        partition = FetchRequest.FetchTopic.FetchPartition(partition=0, fetch_offset=0, current_leader_epoch=-1,
                                                           log_start_offset=-1, partition_max_bytes=1 << 20)
        request = FetchRequest(replica_id=-1, max_wait_ms=100, min_bytes=1, max_bytes=1 << 20, isolation_level=0,
                               session_id=0, session_epoch=-1,
                               topics=[FetchRequest.FetchTopic(topic=topic, partitions=[partition])],
                               forgotten_topics_data=[], rack_id="", max_version=12)
        response = client._manager.run(client._manager.send, request)
        return [(t.topic, p.partition_index, p.error_code, len(p.records or b""))
                for t in response.responses for p in t.partitions]
    finally:
        client.close()


def set_up_users_and_acls(broker):
    admin = AdminClient(admin_settings(broker))
    upsertions = [
        UserScramCredentialUpsertion("alice", ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096),
                                     ALICE_PASSWORD.encode()),
        UserScramCredentialUpsertion("bob", ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096),
                                     BOB_PASSWORD.encode()),
    ]
    for future in admin.alter_user_scram_credentials(upsertions).values():
        future.result(10)
    assert users(broker) == {"admin", "alice", "bob"}
    for future in admin.create_acls(list(GRANTED)).values():
        future.result(10)
    assert set(admin.describe_acls(EVERYTHING).result(10)) == GRANTED
    for name in ("alice-orders", "bob-topic"):
        admin.create_topics([NewTopic(name, 1, 1)])[name].result(10)


def check_alice(broker, first_value: int):
    """alice's allowed and refused operations; she has written `first_value` records before."""
    alice = alice_settings(broker)
    values = [f"order-{first_value + i}".encode() for i in range(3)]
    assert produce(alice, "alice-orders", values) == [None, None, None]
    assert consume(alice, "alice-group", "alice-orders", 3) == values, "alice-group resumes at its commit"
    assert watermarks(broker, "alice-orders") == (0, first_value + 3)

    alice_identity = identity(alice, "User:alice")
    assert acl_helpers.produce_one(broker.bootstrap("SASL_SSL"), "bob-topic", b"not alice's", alice_identity) == \
        "TOPIC_AUTHORIZATION_FAILED"
    assert watermarks(broker, "bob-topic") == (0, 0)

    assert group_error(alice, "other-group", "alice-orders") == KafkaError.GROUP_AUTHORIZATION_FAILED

    alice_admin = AdminClient(alice)
    assert refused_code(alice_admin.create_topics([NewTopic("x", 1, 1)])["x"]) == \
        KafkaError.TOPIC_AUTHORIZATION_FAILED
    assert refused_code(alice_admin.delete_topics(["alice-orders"])["alice-orders"]) == \
        KafkaError.TOPIC_AUTHORIZATION_FAILED
    topics = AdminClient(admin_settings(broker)).list_topics(timeout=10).topics
    assert "x" not in topics and "alice-orders" in topics
    assert watermarks(broker, "alice-orders") == (0, first_value + 3)


def check_principals(broker):
    """Every listener and mechanism gives the connection its SASL user as principal: Metadata
    (all topics) shows each user exactly the topics their ACLs let them describe, and ANONYMOUS
    or admin would see none or all."""
    for protocol, mechanism in (("SASL_PLAINTEXT", "SCRAM-SHA-512"), ("SASL_SSL", "SCRAM-SHA-512"),
                                ("SASL_PLAINTEXT", "PLAIN"), ("SASL_SSL", "PLAIN")):
        settings = kafka_python_settings(broker, protocol, mechanism, user="bob", password=BOB_PASSWORD)
        assert bob_topics(broker, settings) == {"bob-topic"}, (protocol, mechanism)
    for protocol, mechanism in (("SASL_PLAINTEXT", "SCRAM-SHA-256"), ("SASL_SSL", "SCRAM-SHA-256"),
                                ("SASL_PLAINTEXT", "PLAIN"), ("SASL_SSL", "PLAIN")):
        settings = rdkafka_settings(broker, protocol, mechanism, user="alice", password=ALICE_PASSWORD)
        assert set(AdminClient(settings).list_topics(timeout=10).topics) == {"alice-orders"}, (protocol, mechanism)
    assert set(AdminClient(admin_settings(broker)).list_topics(timeout=10).topics) == {"alice-orders", "bob-topic"}


def check_bob(broker):
    assert bob_topics(broker) == {"bob-topic"}, "Metadata shows bob only what he may describe"
    # Describe on the cluster lets him list users (KIP-554 asks Describe), not change them.
    client = kafka_python_admin(broker)
    try:
        assert set(client.describe_user_scram_credentials()) == {"admin", "alice", "bob"}
    finally:
        client.close()
    assert bob_fetch_codes(broker, "alice-orders") == [("alice-orders", 0, TOPIC_AUTHORIZATION_FAILED, 0)]

    assert bob_alters_users(broker) == [("mallory", CLUSTER_AUTHORIZATION_FAILED)]
    assert users(broker) == {"admin", "alice", "bob"}
    assert bob_creates_acl(broker) == {"succeeded": [], "failed": [kafka_errors.ClusterAuthorizationFailedError]}
    assert set(AdminClient(admin_settings(broker)).describe_acls(EVERYTHING).result(10)) == GRANTED


def check_unauthenticated(broker):
    # A plaintext connection to the SASL listener: ApiVersions is answered, a Produce is not —
    # the connection closes before the request reaches authorisation.
    sock = socket.create_connection(("127.0.0.1", broker.ports["SASL_PLAINTEXT"]), timeout=10)
    with sock:
        send_request(sock, 18, 0, b"")
        assert error_code(read_frame(sock)) == 0
        topic = b"alice-orders"
        # Produce v3: transactional id null, acks 1, timeout, one topic with partition 0 and null records.
        body = (struct.pack(">hhi", -1, 1, 10000) + struct.pack(">i", 1) + struct.pack(">h", len(topic)) + topic
                + struct.pack(">i", 1) + struct.pack(">ii", 0, -1))
        log_before = len(broker.log())
        send_request(sock, 0, 3, body)
        assert sock.recv(4) == b""
    assert "produce before SASL authentication" in broker.log()[log_before:]

    # ANONYMOUS on the PLAINTEXT listener is just another principal without ACLs.
    anonymous = {"bootstrap.servers": broker.bootstrap("PLAINTEXT")}
    assert set(AdminClient(anonymous).list_topics(timeout=10).topics) == set()
    assert acl_helpers.produce_one(broker.bootstrap("PLAINTEXT"), "alice-orders", b"anonymous", acl_helpers.ANONYMOUS) \
        == "TOPIC_AUTHORIZATION_FAILED"
    everything_allowed = allow(ResourceType.TOPIC, "*", ResourcePatternType.LITERAL, "User:ANONYMOUS",
                               AclOperation.ALL)
    anonymous_admin = AdminClient(anonymous)  # kept: a collected client fails its futures with _DESTROY
    assert refused_code(anonymous_admin.create_acls([everything_allowed])[everything_allowed]) == \
        KafkaError.CLUSTER_AUTHORIZATION_FAILED


def test_sasl_users_and_acls_together(secure_broker_factory):
    broker = secure_broker_factory(users=(("admin", "SCRAM-SHA-256"),), extra=AUTHORIZER)
    set_up_users_and_acls(broker)

    check_principals(broker)
    check_alice(broker, first_value=0)
    check_bob(broker)
    check_unauthenticated(broker)
    assert watermarks(broker, "alice-orders") == (0, 3)

    # Users and ACLs come back from the data directory.
    broker.stop()
    broker.start()
    assert users(broker) == {"admin", "alice", "bob"}
    assert set(AdminClient(admin_settings(broker)).describe_acls(EVERYTHING).result(10)) == GRANTED
    check_principals(broker)
    check_alice(broker, first_value=3)
    check_bob(broker)
    check_unauthenticated(broker)
    assert watermarks(broker, "alice-orders") == (0, 6)
    assert watermarks(broker, "bob-topic") == (0, 0)
    assert BOB_PASSWORD not in broker.log()
