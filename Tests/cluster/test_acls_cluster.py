"""ACLs in a cluster live in etcd: an ACL created through one broker is enforced by every broker,
and one deleted through another broker stops being enforced everywhere; replication is authorised
as ClusterAction on the cluster.

The brokers run with the authorizer on and `allow.everyone.if.no.acl.found=true`, so without SASL
(every connection is `User:ANONYMOUS`) replication and the ACL APIs are allowed (no ACL covers the
cluster) while a deny ACL on a topic is observable. CreateAcls and DeleteAcls are sent over a
socket to ONE chosen broker, never redirected by a client library.
"""
import json
import socket
import struct

import kafka_wire

TOPIC_AUTHORIZATION_FAILED = 29
SETTINGS = {"authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "allow.everyone.if.no.acl.found": True, "replica.lag.time.max.ms": 2000}


def _string(text):
    return kafka_wire._string(text)


def _round_trip(node, api_key: int, version: int, body: bytes) -> bytes:
    with socket.create_connection((node.host, node.port), timeout=10) as sock:
        frame = struct.pack(">hhi", api_key, version, 1) + _string("acl-cluster-test") + body
        sock.sendall(struct.pack(">i", len(frame)) + frame)
        data = bytearray()
        while len(data) < 4 or len(data) < 4 + struct.unpack_from(">i", data, 0)[0]:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("broker closed the connection")
            data += chunk
    return bytes(data[8:])  # after size and correlation id


TOPIC, CLUSTER = 2, 4
WRITE, ALTER, CLUSTER_ACTION = 4, 7, 9
DENY, ALLOW = 2, 3


def acl_fields(resource_type: int, name: str, operation: int, permission: int) -> bytes:
    """A literal ACL for User:ANONYMOUS from any host (v1 layout; also an exact DeleteAcls filter)."""
    return (struct.pack(">b", resource_type) + _string(name) + struct.pack(">b", 3) + _string("User:ANONYMOUS")
            + _string("*") + struct.pack(">bb", operation, permission))


def deny_write_fields(topic: str) -> bytes:
    return acl_fields(TOPIC, topic, WRITE, DENY)


def create_acl(node, topic: str, fields: bytes = None) -> None:
    answer = _round_trip(node, 30, 1, struct.pack(">i", 1) + (fields or deny_write_fields(topic)))
    throttle, count, error = struct.unpack_from(">iih", answer, 0)
    assert count == 1 and error == 0, f"CreateAcls answered {error}"


def delete_acl(node, topic: str, fields: bytes = None) -> int:
    """Deletes the ACL through `node`; returns how many ACLs the filter matched."""
    answer = _round_trip(node, 31, 1, struct.pack(">i", 1) + (fields or deny_write_fields(topic)))
    _, results, error, message_length = struct.unpack_from(">iihh", answer, 0)
    assert results == 1 and error == 0, f"DeleteAcls answered {error}"
    (matched,) = struct.unpack_from(">i", answer, 12 + max(message_length, 0))
    return matched


def produce_errors(cluster, topic: str) -> dict[int, int]:
    """The error each broker answers to one produce on partition 0 (the leader 0, the other NOT_LEADER)."""
    errors = {}
    for node_id, node in cluster.nodes.items():
        producer = kafka_wire.PinnedProducer(node.host, node.port)
        try:
            errors[node_id] = producer.produce(topic, 0, [b"acl"], acks=1, timeout=5).error_code
        finally:
            producer.close()
    return errors


def test_an_acl_created_on_one_broker_is_enforced_by_the_others(cluster_factory):
    cluster = cluster_factory(brokers=2, settings=SETTINGS)
    cluster.create_topic("guarded", partitions=1, replication_factor=2)
    cluster.wait_until(lambda: 0 in produce_errors(cluster, "guarded").values(), 30, "a leader for guarded")

    first, second = cluster.nodes[1], cluster.nodes[2]
    create_acl(first, "guarded")
    stored = json.loads(cluster.etcd.get(cluster.key("acls")))
    assert [acl["resourceName"] for acl in stored["acls"]] == ["guarded"]
    cluster.wait_until(lambda: set(produce_errors(cluster, "guarded").values()) == {TOPIC_AUTHORIZATION_FAILED}, 30,
                       "both brokers refuse the write")

    assert delete_acl(second, "guarded") == 1
    cluster.wait_until(lambda: 0 in produce_errors(cluster, "guarded").values(), 30, "the leader accepts the write again")
    assert TOPIC_AUTHORIZATION_FAILED not in produce_errors(cluster, "guarded").values()

    # Replication is authorised as ClusterAction on the cluster, for the follower's connection's
    # principal (ANONYMOUS without SASL): denied, the follower falls out of the ISR; allowed
    # again, it catches up and is back in.
    # Once an ACL covers the cluster, allow.everyone no longer opens it: Alter must be allowed
    # explicitly for the ACL APIs to go on working.
    deny_replication = acl_fields(CLUSTER, "kafka-cluster", CLUSTER_ACTION, DENY)
    create_acl(first, "", acl_fields(CLUSTER, "kafka-cluster", ALTER, ALLOW))
    create_acl(first, "", deny_replication)
    cluster.wait_until(lambda: len(cluster.partition_state("guarded", 0).isr) == 1, 30, "the follower out of the ISR")
    assert delete_acl(second, "", deny_replication) == 1
    create_acl(second, "", acl_fields(CLUSTER, "kafka-cluster", CLUSTER_ACTION, ALLOW))
    cluster.wait_until(lambda: len(cluster.partition_state("guarded", 0).isr) == 2, 30, "the follower back in the ISR")
