"""Topic administration with librdkafka's AdminClient and kafka-python's admin client."""
import pytest
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic
from kafka.admin import KafkaAdminClient
from kafka.admin import NewTopic as KNewTopic


def test_create_describe_delete(broker):
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    created = admin.create_topics([NewTopic("configured", 4, 1, config={"retention.ms": "3600000",
                                                                         "segment.bytes": "1048576",
                                                                         "flush.messages": "1"})])
    created["configured"].result(10)
    assert len(admin.list_topics(timeout=10).topics["configured"].partitions) == 4

    with pytest.raises(KafkaException) as exists:
        admin.create_topics([NewTopic("configured", 1, 1)])["configured"].result(10)
    assert exists.value.args[0].name() == "TOPIC_ALREADY_EXISTS"
    with pytest.raises(KafkaException) as bad_config:
        admin.create_topics([NewTopic("bad-config", 1, 1, config={"cleanup.policy": "compact,shred"})])["bad-config"].result(10)
    assert bad_config.value.args[0].name() == "INVALID_CONFIG"
    with pytest.raises(KafkaException) as bad_replication:
        admin.create_topics([NewTopic("replicated", 1, 3)])["replicated"].result(10)
    assert bad_replication.value.args[0].name() == "INVALID_REPLICATION_FACTOR"

    configs = admin.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, "configured")])
    described = list(configs.values())[0].result(10)
    assert described["retention.ms"].value == "3600000"
    assert described["segment.bytes"].value == "1048576"
    assert described["basalt.durability"].value == "every-append"

    admin.delete_topics(["configured"])["configured"].result(10)
    assert "configured" not in admin.list_topics(timeout=10).topics


def test_kafka_python_admin(broker):
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    admin.create_topics([KNewTopic("kp-admin", 2, 1)])
    assert "kp-admin" in admin.list_topics()
    admin.delete_topics(["kp-admin"])
    assert "kp-admin" not in admin.list_topics()
    admin.close()
