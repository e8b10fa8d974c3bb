"""Group administration through confluent-kafka's AdminClient (and kafka-python's) against three brokers: each broker
answers for the groups it coordinates (NOT_COORDINATOR for the others), ListGroups asked of every
broker lists each group exactly once, DescribeGroups shows offsets-only groups Empty and a live one
Stable, and DeleteGroups removes a group's committed offsets from etcd."""
import socket
import struct
import time

from confluent_kafka import Consumer, ConsumerGroupState, ConsumerGroupTopicPartitions, KafkaError, KafkaException, \
    Producer, TopicPartition
from confluent_kafka.admin import AdminClient
from kafka.admin import KafkaAdminClient

import kafka_wire
from checks import REPLICATED

TOPIC = "admin-groups"
PARTITIONS = [0, 1, 2]
OFFSETS_ONLY = [f"offsets-only-{i}" for i in range(6)]
LIVE = "live-group"


def describe_groups_v0(host, port, group):
    """DescribeGroups v0 for one group, asked of one broker: (error code, state)."""
    body = struct.pack(">i", 1) + struct.pack(">h", len(group)) + group.encode()
    header = struct.pack(">hhih", 15, 0, 1, 3) + b"raw"
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(struct.pack(">i", len(header) + len(body)) + header + body)
        data = b""
        while len(data) < 4 or len(data) < 4 + struct.unpack_from(">i", data, 0)[0]:
            chunk = sock.recv(65536)
            assert chunk, "broker closed the connection"
            data += chunk
    at = 8 + 4  # size, correlation id, group count
    (error,) = struct.unpack_from(">h", data, at)
    at += 2
    (length,) = struct.unpack_from(">h", data, at)
    at += 2 + length
    (length,) = struct.unpack_from(">h", data, at)
    return error, data[at + 2:at + 2 + length].decode()


def offsets_prefix(cluster, group):
    """Where etcd keeps a group's committed offsets (GroupOffsetStore)."""
    return f"/basalt-offsets/{cluster.name}/{group.encode().hex()}/"


def test_group_admin_through_every_broker(cluster_factory):
    cluster = cluster_factory(brokers=3, settings=REPLICATED)
    cluster.create_topic(TOPIC, partitions=3, replication_factor=3)
    producer = Producer({"bootstrap.servers": cluster.bootstrap, "enable.idempotence": True})
    for partition in PARTITIONS:
        for i in range(5):
            producer.produce(TOPIC, value=f"{partition}-{i}".encode(), partition=partition)
    assert producer.flush(30) == 0

    # Groups with only committed offsets (commits without membership), spread over the brokers.
    for index, group in enumerate(OFFSETS_ONLY):
        consumer = Consumer({"bootstrap.servers": cluster.bootstrap, "group.id": group, "enable.auto.commit": False})
        consumer.commit(offsets=[TopicPartition(TOPIC, p, index + p) for p in PARTITIONS], asynchronous=False)
        consumer.close()
    coordinators = {group: kafka_wire.find_coordinator(cluster.nodes[1].host, cluster.nodes[1].port, group).node_id
                    for group in OFFSETS_ONLY + [LIVE]}
    print(f"coordinators {coordinators}")
    assert len(set(coordinators.values())) > 1, "the groups should hash to more than one broker"

    live = Consumer({"bootstrap.servers": cluster.bootstrap, "group.id": LIVE, "client.id": "live-member",
                     "auto.offset.reset": "earliest", "session.timeout.ms": 10000})
    live.subscribe([TOPIC])
    admin = AdminClient({"bootstrap.servers": cluster.bootstrap})
    try:
        deadline = time.monotonic() + 60
        state = None
        while time.monotonic() < deadline:
            live.poll(0.2)
            state = admin.describe_consumer_groups([LIVE])[LIVE].result(10)
            if state.state == ConsumerGroupState.STABLE and state.members and state.members[0].assignment.topic_partitions:
                break
        assert state.state == ConsumerGroupState.STABLE
        assert [m.client_id for m in state.members] == ["live-member"]
        assert sorted(tp.partition for tp in state.members[0].assignment.topic_partitions) == PARTITIONS

        # Only a group's coordinator describes it.
        for group, owner in coordinators.items():
            for node in cluster.nodes.values():
                error, group_state = describe_groups_v0(node.host, node.port, group)
                if node.node_id == owner:
                    assert error == 0 and group_state in ("Empty", "Stable"), (group, node.node_id, error, group_state)
                else:
                    assert error == 16, (group, node.node_id, error)  # NOT_COORDINATOR

        listing = admin.list_consumer_groups().result(30)
        assert not listing.errors
        names = [g.group_id for g in listing.valid]
        assert sorted(names) == sorted(OFFSETS_ONLY + [LIVE]), names  # each once, from its coordinator
        states = {g.group_id: g.state for g in listing.valid}
        assert all(states[g] == ConsumerGroupState.EMPTY for g in OFFSETS_ONLY)
        assert states[LIVE] == ConsumerGroupState.STABLE

        # kafka-python asks each broker too (ListGroups), and DescribeCluster names all three.
        kadmin = KafkaAdminClient(bootstrap_servers=cluster.bootstrap)
        try:
            assert sorted(g["group_id"] for g in kadmin.list_groups()) == sorted(OFFSETS_ONLY + [LIVE])
            described_cluster = kadmin.describe_cluster()
            assert sorted(b["broker_id"] for b in described_cluster["brokers"]) == sorted(cluster.nodes)
            assert described_cluster["controller_id"] == cluster.controller()
            assert described_cluster["cluster_id"] == cluster.name
        finally:
            kadmin.close()

        described = admin.describe_consumer_groups(OFFSETS_ONLY)
        assert all(described[g].result(10).state == ConsumerGroupState.EMPTY for g in OFFSETS_ONLY)

        # Deleting: the offsets-only groups go (with their offsets in etcd), the live one stays.
        assert all(len(cluster.etcd.get_prefix(offsets_prefix(cluster, g))) == len(PARTITIONS) for g in OFFSETS_ONLY)
        deleted = admin.delete_consumer_groups(OFFSETS_ONLY + [LIVE])
        for group in OFFSETS_ONLY:
            deleted[group].result(10)
        try:
            deleted[LIVE].result(10)
            raise AssertionError("a group with a member was deleted")
        except KafkaException as refused:
            assert refused.args[0].code() == KafkaError.NON_EMPTY_GROUP
        listing = admin.list_consumer_groups().result(30)
        assert [g.group_id for g in listing.valid] == [LIVE]
        gone = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(
            OFFSETS_ONLY[1], [TopicPartition(TOPIC, p) for p in PARTITIONS])])[OFFSETS_ONLY[1]].result(10)
        assert [tp.offset for tp in gone.topic_partitions] == [-1001] * len(PARTITIONS)
        assert all(cluster.etcd.get_prefix(offsets_prefix(cluster, g)) == {} for g in OFFSETS_ONLY)
    finally:
        live.close()
