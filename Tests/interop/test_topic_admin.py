"""Changing topics that exist: CreatePartitions, DeleteRecords, AlterConfigs,
IncrementalAlterConfigs, DescribeConfigs and DescribeLogDirs, with librdkafka's AdminClient
and kafka-python's KafkaAdminClient against a real broker."""
import os

import pytest
from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import (AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource, ConfigSource,
                                   NewPartitions)
from kafka import KafkaProducer
from kafka.admin import ConfigResource as KConfigResource
from kafka.admin import ConfigResourceType, KafkaAdminClient
from kafka.structs import TopicPartition as KTopicPartition

from kafka_helpers import consume_confluent, create_topic, kafka_partition


def admin_for(broker):
    return AdminClient({"bootstrap.servers": broker.bootstrap})


def topic_configs(admin, topic):
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic)
    return list(admin.describe_configs([resource]).values())[0].result(10)


def produce(broker, topic, count, size=100, partition=0):
    # Small batches, so small segment sizes give many segments.
    producer = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "linger.ms": 0, "batch.size": 2000})
    for i in range(count):
        producer.produce(topic, value=bytes([i % 251]) * size, partition=partition)
        producer.poll(0)
    assert producer.flush(30) == 0


def segment_files(broker, topic, partition=0):
    directory = broker.data_dir / f"{topic}-{partition}"
    return sorted(name for name in os.listdir(directory) if name.endswith(".log"))


def consume_from_earliest(broker, topic, count, partition=0):
    consumer = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": f"{topic}-reader",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, partition, -2)])  # OFFSET_BEGINNING
    messages = consume_confluent(consumer, count, timeout=30)
    consumer.close()
    return messages


def test_create_partitions_then_keyed_records_follow_murmur2_over_the_new_count(broker):
    topic = "grown"
    create_topic(broker.bootstrap, topic, 2)
    admin = admin_for(broker)
    admin.create_partitions([NewPartitions(topic, 5)])[topic].result(15)
    assert len(admin.list_topics(topic, timeout=10).topics[topic].partitions) == 5

    producer = Producer({"bootstrap.servers": broker.bootstrap, "partitioner": "murmur2_random", "acks": "all"})
    for i in range(200):
        producer.produce(topic, key=f"key-{i}".encode(), value=b"v")
    assert producer.flush(30) == 0
    consumer = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "grown-check",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, p, 0) for p in range(5)])
    messages = consume_confluent(consumer, 200)
    consumer.close()
    assert len(messages) == 200
    for message in messages:
        assert message.partition() == kafka_partition(message.key(), 5), message.key()
    assert {m.partition() for m in messages} == set(range(5))

    # Not larger, validate-only and a manual assignment that cannot be met.
    with pytest.raises(KafkaException) as smaller:
        admin.create_partitions([NewPartitions(topic, 5)])[topic].result(15)
    assert smaller.value.args[0].name() == "INVALID_PARTITIONS"
    admin.create_partitions([NewPartitions(topic, 8)], validate_only=True)[topic].result(15)
    assert len(admin.list_topics(topic, timeout=10).topics[topic].partitions) == 5
    with pytest.raises(KafkaException) as assigned:
        admin.create_partitions([NewPartitions(topic, 6, replica_assignment=[[7]])])[topic].result(15)
    assert assigned.value.args[0].name() == "INVALID_REPLICA_ASSIGNMENT"
    with pytest.raises(KafkaException) as unknown:
        admin.create_partitions([NewPartitions("no-such-topic", 3)])["no-such-topic"].result(15)
    assert unknown.value.args[0].name() == "UNKNOWN_TOPIC_OR_PART"

    # The new count survives a restart.
    broker.restart()
    assert len(admin_for(broker).list_topics(topic, timeout=10).topics[topic].partitions) == 5


def test_kafka_python_create_partitions_and_describe_log_dirs(broker):
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    create_topic(broker.bootstrap, "kp-grown", 1)
    admin.create_partitions({"kp-grown": 3})
    assert len(admin.describe_topics(["kp-grown"])[0]["partitions"]) == 3
    # kafka-python's default partitioner over the new count.
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap)
    for i in range(60):
        producer.send("kp-grown", key=f"k{i}".encode(), value=b"x" * 100)
    producer.flush(30)
    producer.close()
    consumer = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "kp-grown-check",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.assign([TopicPartition("kp-grown", p, 0) for p in range(3)])
    messages = consume_confluent(consumer, 60)
    consumer.close()
    assert len(messages) == 60
    for message in messages:
        assert message.partition() == kafka_partition(message.key(), 3), message.key()
    sizes = {}
    for message in messages:
        sizes[message.partition()] = sizes.get(message.partition(), 0) + 1

    [answer] = admin.describe_log_dirs()
    [log_dir] = answer["log_dirs"]
    assert log_dir["error_code"] == 0
    assert log_dir["log_dir"] == str(broker.data_dir.resolve())
    assert 0 < log_dir["usable_bytes"] <= log_dir["total_bytes"]
    [topic] = [t for t in log_dir["topics"] if t["name"] == "kp-grown"]
    for partition in topic["partitions"]:
        on_disk = sum(f.stat().st_size for f in (broker.data_dir / f"kp-grown-{partition['partition_index']}").glob("*.log"))
        assert partition["partition_size"] == on_disk, partition
        assert (partition["partition_size"] > 0) == (partition["partition_index"] in sizes), partition
        assert partition["offset_lag"] == 0 and partition["is_future_key"] is False
    assert sorted(p["partition_index"] for p in topic["partitions"]) == [0, 1, 2]
    admin.close()


def test_delete_records_then_earliest_starts_at_the_new_offset(broker):
    topic = "trimmed"
    create_topic(broker.bootstrap, topic, 1, {"segment.bytes": "4096"})
    produce(broker, topic, 200)
    admin = admin_for(broker)
    segments_before = segment_files(broker, topic)
    result = admin.delete_records([TopicPartition(topic, 0, 150)])
    low = list(result.values())[0].result(15)
    assert low.low_watermark == 150
    messages = consume_from_earliest(broker, topic, 50)
    assert [m.offset() for m in messages] == list(range(150, 200))
    # Whole segments below the new start are gone.
    assert len(segment_files(broker, topic)) < len(segments_before)

    # Beyond the high watermark: OFFSET_OUT_OF_RANGE.
    beyond = list(admin.delete_records([TopicPartition(topic, 0, 201)]).values())[0]
    with pytest.raises(KafkaException) as out_of_range:
        beyond.result(15)
    assert out_of_range.value.args[0].name() == "OFFSET_OUT_OF_RANGE"

    # kafka-python: −1 is the high watermark.
    kp = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    answer = kp.delete_records({KTopicPartition(topic, 0): -1})
    assert answer[KTopicPartition(topic, 0)]["low_watermark"] == 200, answer
    kp.close()

    # The log start offset survives a restart.
    broker.restart()
    produce(broker, topic, 3)
    messages = consume_from_earliest(broker, topic, 3)
    assert [m.offset() for m in messages] == [200, 201, 202]


def test_retention_change_applies_live_and_survives_restart(broker):
    topic = "shrinking"
    create_topic(broker.bootstrap, topic, 1, {"segment.bytes": "1048576"})
    produce(broker, topic, 300, size=1000)
    admin = admin_for(broker)
    assert len(segment_files(broker, topic)) == 1

    resource = ConfigResource(ConfigResource.Type.TOPIC, topic, incremental_configs=[
        ConfigEntry("segment.bytes", "4096", incremental_operation=AlterConfigOpType.SET),
        ConfigEntry("retention.bytes", "16384", incremental_operation=AlterConfigOpType.SET),
    ])
    list(admin.incremental_alter_configs([resource]).values())[0].result(15)
    described = topic_configs(admin, topic)
    assert described["segment.bytes"].value == "4096"
    assert described["segment.bytes"].source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value
    assert described["retention.ms"].source == ConfigSource.DEFAULT_CONFIG.value

    # New appends roll at the new size; retention (run on the change, and by the broker's
    # own schedule) then deletes the old segments without a restart.
    produce(broker, topic, 60, size=1000)
    list(admin.incremental_alter_configs([ConfigResource(ConfigResource.Type.TOPIC, topic, incremental_configs=[
        ConfigEntry("retention.bytes", "20000", incremental_operation=AlterConfigOpType.SET)])]).values())[0].result(15)
    files = segment_files(broker, topic)
    assert "00000000000000000000.log" not in files, files
    total = sum((broker.data_dir / f"{topic}-0" / name).stat().st_size for name in files)
    assert total < 20000 + 8192, files

    broker.restart()
    admin = admin_for(broker)
    described = topic_configs(admin, topic)
    assert described["segment.bytes"].value == "4096"
    assert described["retention.bytes"].value == "20000"

    # DELETE reverts to the default; an unknown name and APPEND on a number are INVALID_CONFIG.
    list(admin.incremental_alter_configs([ConfigResource(ConfigResource.Type.TOPIC, topic, incremental_configs=[
        ConfigEntry("retention.bytes", None, incremental_operation=AlterConfigOpType.DELETE)])]).values())[0].result(15)
    described = topic_configs(admin, topic)
    assert described["retention.bytes"].value == "-1"
    assert described["retention.bytes"].source == ConfigSource.DEFAULT_CONFIG.value
    for bad in (ConfigEntry("no.such.setting", "1", incremental_operation=AlterConfigOpType.SET),
                ConfigEntry("retention.ms", "5", incremental_operation=AlterConfigOpType.APPEND)):
        future = list(admin.incremental_alter_configs([ConfigResource(ConfigResource.Type.TOPIC, topic,
                                                                      incremental_configs=[bad])]).values())[0]
        with pytest.raises(KafkaException) as refused:
            future.result(15)
        assert refused.value.args[0].name() == "INVALID_CONFIG", bad


def test_alter_configs_replaces_and_validate_only_changes_nothing(broker):
    topic = "replaced"
    create_topic(broker.bootstrap, topic, 1, {"retention.ms": "3600000"})
    admin = admin_for(broker)
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic, set_config={"max.message.bytes": "2000"})
    list(admin.alter_configs([resource], validate_only=True).values())[0].result(15)
    assert topic_configs(admin, topic)["max.message.bytes"].value == "1048588"
    list(admin.alter_configs([resource]).values())[0].result(15)
    described = topic_configs(admin, topic)
    assert described["max.message.bytes"].value == "2000"
    # AlterConfigs replaces the whole set: retention.ms went back to its default.
    assert described["retention.ms"].value == "604800000"

    # The new limit is in force for the next produce at once.
    producer = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "compression.type": "none",
                         "message.max.bytes": 100000})
    errors = []
    producer.produce(topic, value=b"z" * 5000, on_delivery=lambda error, _: errors.append(error))
    producer.flush(30)
    assert errors and errors[0] is not None and errors[0].name() == "MSG_SIZE_TOO_LARGE", errors


def test_kafka_python_alter_and_describe_configs(broker):
    topic = "kp-configs"
    create_topic(broker.bootstrap, topic, 1)
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    admin.alter_configs([KConfigResource(ConfigResourceType.TOPIC, topic, configs={"retention.ms": "120000"})],
                        incremental=False)
    described = admin.describe_configs([KConfigResource(ConfigResourceType.TOPIC, topic)])
    text = repr(described)
    assert "120000" in text and "retention.ms" in text, text
    admin.alter_configs([KConfigResource(ConfigResourceType.TOPIC, topic, configs={"flush.ms": "250"})])
    assert topic_configs(admin_for(broker), topic)["basalt.durability"].value == "interval:250"
    assert topic_configs(admin_for(broker), topic)["retention.ms"].value == "120000"
    # Without the incremental API kafka-python re-sends every setting described as set,
    # the three durability names among them: the durability must stay.
    admin.alter_configs([KConfigResource(ConfigResourceType.TOPIC, topic, configs={"retention.ms": "180000"})],
                        incremental=False)
    described = topic_configs(admin_for(broker), topic)
    assert described["retention.ms"].value == "180000"
    assert described["basalt.durability"].value == "interval:250"
    admin.close()


def test_dynamic_broker_defaults_apply_to_topics_without_their_own(broker):
    create_topic(broker.bootstrap, "follows", 1)
    create_topic(broker.bootstrap, "own", 1, {"retention.ms": "3600000"})
    admin = admin_for(broker)
    brokers = ConfigResource(ConfigResource.Type.BROKER, "0", incremental_configs=[
        ConfigEntry("log.retention.ms", "120000", incremental_operation=AlterConfigOpType.SET)])
    list(admin.incremental_alter_configs([brokers]).values())[0].result(15)

    def check():
        assert topic_configs(admin, "follows")["retention.ms"].value == "120000"
        assert topic_configs(admin, "own")["retention.ms"].value == "3600000"
        described = list(admin.describe_configs([ConfigResource(ConfigResource.Type.BROKER, "0")]).values())[0].result(15)
        assert described["log.retention.ms"].value == "120000"
        assert described["log.retention.ms"].source == ConfigSource.DYNAMIC_BROKER_CONFIG.value
        assert not described["log.retention.ms"].is_read_only
        assert described["log.dirs"].is_read_only

    check()
    create_topic(broker.bootstrap, "new-after", 1)
    assert topic_configs(admin, "new-after")["retention.ms"].value == "120000"
    broker.restart()
    admin = admin_for(broker)
    check()

    for resource, code in [
        (ConfigResource(ConfigResource.Type.BROKER, "0", incremental_configs=[
            ConfigEntry("log.dirs", "/x", incremental_operation=AlterConfigOpType.SET)]), "INVALID_CONFIG"),
        (ConfigResource(ConfigResource.Type.BROKER, "0", incremental_configs=[
            ConfigEntry("log.segment.bytes", "12", incremental_operation=AlterConfigOpType.SET)]), "INVALID_CONFIG"),
    ]:
        with pytest.raises(KafkaException) as refused:
            list(admin.incremental_alter_configs([resource]).values())[0].result(15)
        assert refused.value.args[0].name() == code, resource

    # DELETE returns it to the properties file's value, for the topics that followed it too.
    list(admin.incremental_alter_configs([ConfigResource(ConfigResource.Type.BROKER, "0", incremental_configs=[
        ConfigEntry("log.retention.ms", None, incremental_operation=AlterConfigOpType.DELETE)])]).values())[0].result(15)
    assert topic_configs(admin, "follows")["retention.ms"].value == "604800000"
