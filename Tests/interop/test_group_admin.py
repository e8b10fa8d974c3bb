"""Group administration (ListGroups, DescribeGroups, DeleteGroups, OffsetDelete),
DescribeCluster, DescribeProducers and the transactional producer's refusal, with
confluent-kafka's AdminClient and kafka-python's KafkaAdminClient against a real broker."""
import struct
import time

import pytest
from confluent_kafka import (Consumer, ConsumerGroupState, ConsumerGroupTopicPartitions, KafkaError, KafkaException,
                             Producer, TopicPartition)
from confluent_kafka.admin import AdminClient, OffsetSpec
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient
from kafka.errors import TransactionalIdAuthorizationFailedError
from kafka.structs import TopicPartition as KTopicPartition

from kafka_helpers import create_topic

# Records produced per partition of the lag topic, and how many of them the group consumed.
PRODUCED = {0: 10, 1: 7, 2: 4}
CONSUMED = {0: 6, 1: 7, 2: 1}


def produce(bootstrap, topic, per_partition):
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    for partition, count in per_partition.items():
        for i in range(count):
            producer.produce(topic, value=f"{partition}-{i}".encode(), partition=partition)
    assert producer.flush(30) == 0


def consume_and_commit(bootstrap, topic, group, per_partition):
    """Reads exactly `per_partition[p]` records of each partition (assigned by hand, so the
    group has no members afterwards) and commits the offset after the last one read."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
                         "auto.offset.reset": "earliest"})
    consumer.assign([TopicPartition(topic, p, 0) for p in per_partition])
    seen = {p: 0 for p in per_partition}
    deadline = time.monotonic() + 30
    while sum(seen.values()) < sum(PRODUCED[p] for p in per_partition) and time.monotonic() < deadline:
        message = consumer.poll(0.5)
        if message is None or message.error():
            continue
        seen[message.partition()] += 1
    assert seen == {p: PRODUCED[p] for p in per_partition}
    consumer.commit(offsets=[TopicPartition(topic, p, n) for p, n in per_partition.items()], asynchronous=False)
    consumer.close()


def test_lag_as_kafka_ui_computes_it(broker):
    """kafka-ui's lag: committed offsets from OffsetFetch (list_consumer_group_offsets),
    end offsets from ListOffsets latest, lag = end - committed, per partition."""
    create_topic(broker.bootstrap, "lagged", 3)
    produce(broker.bootstrap, "lagged", PRODUCED)
    consume_and_commit(broker.bootstrap, "lagged", "lag-group", CONSUMED)

    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    request = [ConsumerGroupTopicPartitions("lag-group")]
    listed = admin.list_consumer_group_offsets(request)["lag-group"].result(10)
    committed = {tp.partition: tp.offset for tp in listed.topic_partitions if tp.topic == "lagged"}
    assert committed == CONSUMED
    latest = admin.list_offsets({TopicPartition("lagged", p): OffsetSpec.latest() for p in PRODUCED})
    end = {tp.partition: future.result(10).offset for tp, future in latest.items()}
    assert end == PRODUCED
    lag = {p: end[p] - committed[p] for p in PRODUCED}
    assert lag == {0: 4, 1: 0, 2: 3}

    # The same numbers through kafka-python.
    kadmin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    try:
        offsets = kadmin.list_group_offsets({"lag-group": None})["lag-group"]
        assert {tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == "lagged"} == CONSUMED
    finally:
        kadmin.close()


def test_group_with_only_committed_offsets_is_listed_empty_and_deleted_durably(broker):
    create_topic(broker.bootstrap, "offsets-only", 3)
    produce(broker.bootstrap, "offsets-only", PRODUCED)
    consume_and_commit(broker.bootstrap, "offsets-only", "committed-only", CONSUMED)

    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    listing = admin.list_consumer_groups().result(10)
    assert not listing.errors
    groups = {g.group_id: g for g in listing.valid}
    assert groups["committed-only"].state == ConsumerGroupState.EMPTY
    assert groups["committed-only"].is_simple_consumer_group
    empty_only = admin.list_consumer_groups(states={ConsumerGroupState.STABLE}).result(10)
    assert "committed-only" not in {g.group_id for g in empty_only.valid}

    described = admin.describe_consumer_groups(["committed-only", "never-existed"])
    assert described["committed-only"].result(10).state == ConsumerGroupState.EMPTY
    assert described["committed-only"].result(10).members == []
    unknown = described["never-existed"].result(10)
    assert unknown.state == ConsumerGroupState.DEAD
    assert unknown.members == []

    deleted = admin.delete_consumer_groups(["committed-only", "never-existed"])
    deleted["committed-only"].result(10)
    with pytest.raises(KafkaException) as missing:
        deleted["never-existed"].result(10)
    assert missing.value.args[0].code() == KafkaError.GROUP_ID_NOT_FOUND

    # Durable: after a restart the group and its offsets stay gone.
    broker.restart()
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    assert "committed-only" not in {g.group_id for g in admin.list_consumer_groups().result(10).valid}
    listed = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(
        "committed-only", [TopicPartition("offsets-only", p) for p in PRODUCED])])["committed-only"].result(10)
    assert {tp.partition: tp.offset for tp in listed.topic_partitions} == {p: -1001 for p in PRODUCED}


def decode_assignment(data: bytes):
    """Kafka's ConsumerProtocolAssignment: version int16, [topic string, [partition int32]],
    user data bytes."""
    (version, topic_count), at = struct.unpack_from(">hi", data, 0), 6
    assert version >= 0
    assigned = {}
    for _ in range(topic_count):
        (length,) = struct.unpack_from(">h", data, at)
        topic = data[at + 2:at + 2 + length].decode()
        at += 2 + length
        (count,) = struct.unpack_from(">i", data, at)
        assigned[topic] = sorted(struct.unpack_from(f">{count}i", data, at + 4))
        at += 4 + 4 * count
    return assigned


class Member:
    def __init__(self, bootstrap, client_id):
        self.assigned = None
        self.consumer = Consumer({
            "bootstrap.servers": bootstrap, "group.id": "live", "client.id": client_id,
            "auto.offset.reset": "earliest", "session.timeout.ms": 10000, "heartbeat.interval.ms": 500,
            "partition.assignment.strategy": "range",
        })
        self.consumer.subscribe(["shared"], on_assign=self._assigned, on_revoke=self._revoked)

    def _assigned(self, consumer, partitions):
        self.assigned = sorted(p.partition for p in partitions)

    def _revoked(self, consumer, partitions):
        self.assigned = None


def test_live_group_with_two_members(broker):
    create_topic(broker.bootstrap, "shared", 4)
    produce(broker.bootstrap, "shared", {p: 2 for p in range(4)})
    members = [Member(broker.bootstrap, "member-a"), Member(broker.bootstrap, "member-b")]
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    kadmin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    try:
        deadline = time.monotonic() + 60
        described = None
        # Stable with both members assigned, and both of them knowing it.
        while time.monotonic() < deadline:
            for member in members:
                member.consumer.poll(0.1)
            if all(m.assigned is not None for m in members) and sorted(sum((m.assigned for m in members), [])) == [0, 1, 2, 3]:
                described = admin.describe_consumer_groups(["live"])["live"].result(10)
                if described.state == ConsumerGroupState.STABLE and len(described.members) == 2:
                    break
        assert described is not None and described.state == ConsumerGroupState.STABLE
        assert described.partition_assignor == "range"
        by_client = {m.client_id: m for m in described.members}
        assert set(by_client) == {"member-a", "member-b"}
        for client_id, member in zip(("member-a", "member-b"), members):
            assert by_client[client_id].host == "/127.0.0.1"
            assert sorted(tp.partition for tp in by_client[client_id].assignment.topic_partitions) == member.assigned
            assert {tp.topic for tp in by_client[client_id].assignment.topic_partitions} == {"shared"}

        # kafka-python's view, with the raw assignment bytes decoded by hand.
        kdescribed = kadmin.describe_groups(["live"])["live"]
        assert kdescribed["group_state"] == "Stable"
        assert kdescribed["protocol_type"] == "consumer"
        assert kdescribed["protocol_data"] == "range"
        kmembers = {m["client_id"]: m for m in kdescribed["members"]}
        assert set(kmembers) == {"member-a", "member-b"}
        for client_id, member in zip(("member-a", "member-b"), members):
            assert kmembers[client_id]["client_host"] == "/127.0.0.1"
            assignment = kmembers[client_id]["member_assignment"]
            assert {a["topic"]: sorted(a["partitions"]) for a in assignment["assigned_partitions"]} == {"shared": member.assigned}
            assert kmembers[client_id]["member_metadata"]["topics"] == ["shared"]
        raw = kadmin_raw_assignments(broker)
        assert {client: decode_assignment(data) for client, data in raw.items()} == {
            "member-a": {"shared": members[0].assigned}, "member-b": {"shared": members[1].assigned}}

        listed = {g["group_id"]: g for g in kadmin.list_groups()}
        assert listed["live"]["group_state"] == "Stable"
        assert listed["live"]["protocol_type"] == "consumer"

        # A group with members is not deleted, and its subscribed topic's offsets stay.
        with pytest.raises(KafkaException) as non_empty:
            admin.delete_consumer_groups(["live"])["live"].result(10)
        assert non_empty.value.args[0].code() == KafkaError.NON_EMPTY_GROUP
        outcome = kadmin.delete_group_offsets("live", [KTopicPartition("shared", 0)])
        assert outcome[KTopicPartition("shared", 0)].__name__ == "GroupSubscribedToTopicError"
    finally:
        for member in members:
            member.consumer.close()
        kadmin.close()


def kadmin_raw_assignments(broker):
    """DescribeGroups v0 over a plain socket: the member assignment bytes as the broker sent them."""
    import socket
    body = struct.pack(">i", 1) + struct.pack(">h", 4) + b"live"
    header = struct.pack(">hhih", 15, 0, 7, 3) + b"raw"
    with socket.create_connection(("127.0.0.1", broker.port), timeout=10) as sock:
        sock.sendall(struct.pack(">i", len(header) + len(body)) + header + body)
        (size,) = struct.unpack(">i", recv_exact(sock, 4))
        data = recv_exact(sock, size)
    at = 4  # correlation id

    def string():
        nonlocal at
        (length,) = struct.unpack_from(">h", data, at)
        value = data[at + 2:at + 2 + length].decode()
        at += 2 + length
        return value

    def blob():
        nonlocal at
        (length,) = struct.unpack_from(">i", data, at)
        value = data[at + 4:at + 4 + length]
        at += 4 + length
        return value

    (groups,) = struct.unpack_from(">i", data, at)
    at += 4
    assert groups == 1
    (error,) = struct.unpack_from(">h", data, at)
    at += 2
    assert error == 0
    assert (string(), string(), string(), string()) == ("live", "Stable", "consumer", "range")
    (count,) = struct.unpack_from(">i", data, at)
    at += 4
    assignments = {}
    for _ in range(count):
        string()  # member id
        client_id, host = string(), string()
        assert host == "/127.0.0.1"
        blob()  # metadata
        assignments[client_id] = blob()
    assert at == len(data)
    return assignments


def recv_exact(sock, count):
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        assert chunk, "connection closed"
        data += chunk
    return data


def test_kafka_python_admin_groups(broker):
    create_topic(broker.bootstrap, "kp-groups", 3)
    produce(broker.bootstrap, "kp-groups", PRODUCED)
    consume_and_commit(broker.bootstrap, "kp-groups", "kp-group", CONSUMED)
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    try:
        listed = {g["group_id"]: g for g in admin.list_groups()}
        assert listed["kp-group"]["group_state"] == "Empty"
        assert listed["kp-group"]["protocol_type"] == ""
        described = admin.describe_groups(["kp-group", "kp-unknown"])
        assert described["kp-group"]["group_state"] == "Empty"
        assert described["kp-unknown"]["group_state"] == "Dead"
        assert described["kp-unknown"]["error"] is None

        offsets = admin.list_group_offsets({"kp-group": None})["kp-group"]
        assert {tp.partition: m.offset for tp, m in offsets.items()} == CONSUMED
        # OffsetDelete on an Empty group removes what it names and nothing else.
        outcome = admin.delete_group_offsets("kp-group", [KTopicPartition("kp-groups", 0)])
        assert outcome[KTopicPartition("kp-groups", 0)].__name__ == "NoError"
        offsets = admin.list_group_offsets({"kp-group": None})["kp-group"]
        assert {tp.partition: m.offset for tp, m in offsets.items()} == {1: CONSUMED[1], 2: CONSUMED[2]}

        deleted = admin.delete_groups(["kp-group", "kp-unknown"])
        assert deleted == {"kp-group": "OK", "kp-unknown": "GroupIdNotFoundError"}, deleted
        assert "kp-group" not in {g["group_id"] for g in admin.list_groups()}
    finally:
        admin.close()


def test_describe_cluster(broker):
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    cluster = admin.describe_cluster().result(10)
    assert [node.port for node in cluster.nodes] == [broker.port]
    assert cluster.controller.id == cluster.nodes[0].id
    assert cluster.cluster_id

    kadmin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    try:
        described = kadmin.describe_cluster()
        assert described["cluster_id"] == cluster.cluster_id
        assert described["controller_id"] == cluster.controller.id
        assert [(b["host"], b["port"]) for b in described["brokers"]] == [("127.0.0.1", broker.port)]
    finally:
        kadmin.close()


def test_describe_producers(broker):
    create_topic(broker.bootstrap, "produced", 2)
    before = int(time.time() * 1000)
    produce(broker.bootstrap, "produced", {0: 5})
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    try:
        states = admin.describe_producers([KTopicPartition("produced", 0), KTopicPartition("produced", 1)])
        active = states[KTopicPartition("produced", 0)].active_producers
        assert len(active) == 1
        assert active[0].producer_epoch == 0
        assert active[0].last_sequence == 4
        assert before <= active[0].last_timestamp <= int(time.time() * 1000)
        assert active[0].coordinator_epoch == -1
        assert states[KTopicPartition("produced", 1)].active_producers == []
    finally:
        admin.close()


def test_transactional_producers_fail_fast(broker):
    """A transactional producer learns at once that transactions are not supported, as with a
    Kafka broker older than 0.11, instead of retrying until its own timeout (8 s here)."""
    producer = Producer({"bootstrap.servers": broker.bootstrap, "transactional.id": "txn-rd"})
    started = time.monotonic()
    with pytest.raises(KafkaException) as refused:
        producer.init_transactions(8)
    elapsed = time.monotonic() - started
    error = refused.value.args[0]
    assert error.fatal()
    assert error.code() == KafkaError.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
    assert "transactions are not supported" in error.str()
    assert elapsed < 2, elapsed

    kproducer = KafkaProducer(bootstrap_servers=broker.bootstrap, transactional_id="txn-kp", max_block_ms=8000)
    try:
        started = time.monotonic()
        with pytest.raises(TransactionalIdAuthorizationFailedError):
            kproducer.init_transactions()
        assert time.monotonic() - started < 2
    finally:
        kproducer.close(timeout=5)

    # An idempotent producer still gets its producer id and writes.
    create_topic(broker.bootstrap, "after-txn", 1)
    produce(broker.bootstrap, "after-txn", {0: 3})
