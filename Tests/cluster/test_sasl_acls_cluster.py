"""The inter-broker principal under the authorizer: three brokers replicate over a SASL_SSL
inter-broker listener as `User:broker`, with the authorizer on, `super.users=User:admin` only,
and `User:broker` allowed ClusterAction on the cluster by an ACL the admin creates. acks=all with
min.insync.replicas=2 and a full ISR succeed only if the followers' fetches carry the SASL
principal to the leader's ACL check; the same follower Fetch from an unauthenticated PLAINTEXT
connection (User:ANONYMOUS) is refused, so the ACL, not an open door, lets replication through.
Users and ACLs are made through broker 0 and enforced by the others (etcd)."""
import socket
import struct
import time

from cluster import Etcd, free_port, wait_until
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import (AclBinding, AclOperation, AclPermissionType, AdminClient, NewTopic,
                                   ResourcePatternType, ResourceType, ScramCredentialInfo, ScramMechanism,
                                   UserScramCredentialUpsertion)
from test_inter_broker_security import BROKER_PASSWORD, SecureNode, add_user, sasl_ssl_broker_settings, security

ADMIN_PASSWORD = security.PASSWORDS["admin"]
ALICE_PASSWORD = security.PASSWORDS["alice"]
TOPIC_AUTHORIZATION_FAILED = 29
RECORDS = 200


def allow(resource_type, name, pattern, principal, operation) -> AclBinding:
    return AclBinding(resource_type, name, pattern, principal, "*", operation, AclPermissionType.ALLOW)


def client(pki, node, user: str, password: str) -> dict:
    return {"bootstrap.servers": f"127.0.0.1:{node.port}", "security.protocol": "SASL_SSL",
            "ssl.ca.location": str(pki / "ca.pem"), "sasl.mechanism": "SCRAM-SHA-256",
            "sasl.username": user, "sasl.password": password}


def follower_fetch_code(node, topic: str, partition: int, replica_id: int) -> int:
    """A follower's Fetch (v4, replica id ≥ 0) sent on an unauthenticated PLAINTEXT connection;
    returns the partition's error code."""
    name = topic.encode()
    body = (struct.pack(">iiiib", replica_id, 100, 1, 1 << 20, 0) + struct.pack(">i", 1)
            + struct.pack(">h", len(name)) + name + struct.pack(">i", 1) + struct.pack(">iqi", partition, 0, 1 << 20))
    header = struct.pack(">hhi", 1, 4, 7) + struct.pack(">h", 4) + b"test"
    with socket.create_connection(("127.0.0.1", node.plaintext_port), timeout=10) as sock:
        sock.sendall(struct.pack(">i", len(header) + len(body)) + header + body)
        data = b""
        while len(data) < 4 or len(data) < 4 + struct.unpack_from(">i", data)[0]:
            chunk = sock.recv(65536)
            assert chunk, "the broker closed the connection"
            data += chunk
    # size, correlation id, throttle, topic count, topic name, partition count, partition, error
    offset = 4 + 4 + 4 + 4
    name_length = struct.unpack_from(">h", data, offset)[0]
    offset += 2 + name_length + 4
    answered_partition, error = struct.unpack_from(">ih", data, offset)
    assert answered_partition == partition
    return error


def test_replication_authorised_for_the_sasl_inter_broker_principal(tmp_path):
    (tmp_path / "pki").mkdir()
    pki = security.make_pki(tmp_path / "pki")
    etcd = Etcd(tmp_path / "etcd").start()
    nodes = []
    try:
        for node_id in range(3):
            sasl_port, plaintext_port = free_port(), free_port()
            settings = sasl_ssl_broker_settings(tmp_path, pki, sasl_port, plaintext_port, **{
                "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "super.users": "User:admin",
                "replica.lag.time.max.ms": 3000,
            })
            node = SecureNode(node_id, tmp_path, "sasl-acls", [etcd.url], settings, port=sasl_port,
                              plaintext_port=plaintext_port)
            node.dir.mkdir(parents=True, exist_ok=True)
            if node_id == 0:
                add_user(node.data_dir, "broker", BROKER_PASSWORD, "SCRAM-SHA-512", tmp_path)
                add_user(node.data_dir, "admin", ADMIN_PASSWORD, "SCRAM-SHA-256", tmp_path)
            nodes.append(node)
        for node in nodes:
            node.start()

        admin = AdminClient(client(pki, nodes[0], "admin", ADMIN_PASSWORD))
        wait_until(lambda: len(admin.list_topics(timeout=5).brokers) == 3, 60, "three registered brokers")
        upsert = UserScramCredentialUpsertion("alice", ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096),
                                              ALICE_PASSWORD.encode())
        for future in admin.alter_user_scram_credentials([upsert]).values():
            future.result(30)
        acls = [allow(ResourceType.BROKER, "kafka-cluster", ResourcePatternType.LITERAL, "User:broker",
                      AclOperation.CLUSTER_ACTION),
                allow(ResourceType.TOPIC, "alice-", ResourcePatternType.PREFIXED, "User:alice", AclOperation.WRITE),
                allow(ResourceType.TOPIC, "alice-", ResourcePatternType.PREFIXED, "User:alice", AclOperation.READ),
                allow(ResourceType.GROUP, "alice-group", ResourcePatternType.LITERAL, "User:alice", AclOperation.READ)]
        for future in admin.create_acls(acls).values():
            future.result(30)
        admin.create_topics([NewTopic("alice-orders", 3, 3)])["alice-orders"].result(30)

        def full_isr():
            partitions = admin.list_topics("alice-orders", timeout=5).topics["alice-orders"].partitions
            return len(partitions) == 3 and all(sorted(p.isrs) == [0, 1, 2] for p in partitions.values())

        # alice, through broker 1, writes with acks=all: every record needs a follower's copy.
        producer = Producer({**client(pki, nodes[1], "alice", ALICE_PASSWORD), "acks": "all",
                             "message.timeout.ms": 60000})
        errors = []
        values = [f"order-{i}".encode() for i in range(RECORDS)]
        for value in values:
            producer.produce("alice-orders", value, on_delivery=lambda err, _m: errors.append(err))
        assert producer.flush(90) == 0
        assert errors == [None] * RECORDS
        wait_until(full_isr, 30, "every replica of alice-orders in the ISR")

        # She reads every record back through broker 2 (assigned from offset 0; librdkafka still
        # looks up the coordinator of its group).
        consumer = Consumer({**client(pki, nodes[2], "alice", ALICE_PASSWORD), "group.id": "alice-group",
                             "enable.auto.commit": False})
        consumer.assign([TopicPartition("alice-orders", p, 0) for p in range(3)])
        received = []
        deadline = time.monotonic() + 60
        while len(received) < RECORDS and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is not None:
                assert message.error() is None, message.error()
                received.append(message.value())
        consumer.close()
        assert sorted(received) == sorted(values)

        # The door is the ACL for User:broker: ANONYMOUS acting as a follower is refused by each leader.
        leaders = {p.id: p.leader for p in admin.list_topics("alice-orders", timeout=5)
                   .topics["alice-orders"].partitions.values()}
        for partition, leader in leaders.items():
            follower = (leader + 1) % 3
            assert follower_fetch_code(nodes[leader], "alice-orders", partition, follower) == \
                TOPIC_AUTHORIZATION_FAILED

        logs = "".join(node.log() for node in nodes)
        for password in (BROKER_PASSWORD, ADMIN_PASSWORD, ALICE_PASSWORD):
            assert password not in logs
    finally:
        for node in nodes:
            node.teardown()
        etcd.stop()
