"""CreatePartitions, IncrementalAlterConfigs, DescribeConfigs and DeleteRecords on a 3-broker
cluster: growth goes through the topic record in etcd and the controller, so every replica of a
new partition exists and joins the ISR; a config change reaches every broker's topic file; the
topic's own min.insync.replicas is what DescribeConfigs shows; DeleteRecords at the leader moves
the followers' log start offset too."""
import json

import pytest
from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import (AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource, ConfigSource,
                                   NewPartitions)

from checks import REPLICATED


def describe(admin, topic):
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic)
    return list(admin.describe_configs([resource]).values())[0].result(15)


def alter(admin, topic, *entries):
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic, incremental_configs=list(entries))
    list(admin.incremental_alter_configs([resource]).values())[0].result(15)


def topic_file(node, topic):
    path = node.data_dir / "topics" / f"{topic}.json"
    return json.loads(path.read_text()) if path.exists() else None


def log_start_offset(node, topic, partition):
    checkpoint = node.partition_dir(topic, partition) / "partition.checkpoint"
    for line in checkpoint.read_text().splitlines():
        if line.startswith("log-start-offset "):
            return int(line.split()[1])
    return None


def test_topic_admin_on_a_cluster(cluster_factory):
    topic = "admin"
    cluster = cluster_factory(brokers=3, settings=REPLICATED)
    cluster.create_topic(topic, partitions=2, replication_factor=3, config={"min.insync.replicas": 2})
    admin = AdminClient({"bootstrap.servers": cluster.live_bootstrap()})

    # The topic's own min.insync.replicas, not 1.
    described = describe(admin, topic)
    assert described["min.insync.replicas"].value == "2"
    assert described["min.insync.replicas"].source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value
    assert described["retention.ms"].source == ConfigSource.DEFAULT_CONFIG.value

    # Validate-only changes nothing; a count that is not larger is refused.
    admin.create_partitions([NewPartitions(topic, 3)], validate_only=True)[topic].result(40)
    assert json.loads(cluster.etcd.get(cluster.key(f"topics/{topic}")))["partitions"] == 2
    with pytest.raises(KafkaException) as smaller:
        admin.create_partitions([NewPartitions(topic, 2)])[topic].result(40)
    assert smaller.value.args[0].name() == "INVALID_PARTITIONS"

    # Growth: the controller places the new partitions, all three replicas join.
    admin.create_partitions([NewPartitions(topic, 4)], operation_timeout=30)[topic].result(40)
    for partition in (2, 3):
        cluster.wait_for_isr(topic, partition, 3, timeout=60)
    assert len(admin.list_topics(topic, timeout=10).topics[topic].partitions) == 4
    for node in cluster.nodes.values():
        cluster.wait_until(lambda: (topic_file(node, topic) or {}).get("partitions") == 4, 30,
                           f"broker {node.node_id} to hold 4 partitions of {topic}")
    producer = Producer({"bootstrap.servers": cluster.live_bootstrap(), "acks": "all"})
    for i in range(100):
        producer.produce(topic, value=f"v{i}".encode(), partition=i % 4)
    assert producer.flush(30) == 0

    # A config change reaches every broker.
    alter(admin, topic, ConfigEntry("segment.bytes", "4096", incremental_operation=AlterConfigOpType.SET),
          ConfigEntry("min.insync.replicas", "3", incremental_operation=AlterConfigOpType.SET))
    for node in cluster.nodes.values():
        cluster.wait_until(lambda: (topic_file(node, topic) or {}).get("config", {}).get("segmentBytes") == 4096, 30,
                           f"broker {node.node_id} to apply segment.bytes=4096")
    described = describe(admin, topic)
    assert described["segment.bytes"].value == "4096"
    assert described["min.insync.replicas"].value == "3"

    # DeleteRecords at the leader; the followers follow its log start offset.
    result = admin.delete_records([TopicPartition(topic, 0, 20)], operation_timeout=30)
    assert list(result.values())[0].result(30).low_watermark == 20
    leader = cluster.wait_for_leader(topic, 0).leader
    for node in cluster.nodes.values():
        cluster.wait_until(lambda: log_start_offset(node, topic, 0) == 20, 30,
                           f"broker {node.node_id} (leader {leader}) to move its log start offset to 20")
    consumer = Consumer({"bootstrap.servers": cluster.live_bootstrap(), "group.id": "admin-reader",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, 0, -2)])
    first = None
    for _ in range(60):
        message = consumer.poll(0.5)
        if message is not None and not message.error():
            first = message.offset()
            break
    consumer.close()
    assert first == 20
