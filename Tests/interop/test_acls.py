"""ACLs with real clients: confluent-kafka's and kafka-python's AdminClient create, describe and
delete them; a producer acting as `User:ANONYMOUS` is allowed and denied by them; they survive a
restart.

Without SASL every client is `User:ANONYMOUS`, so the test bootstraps as a super user
(`--super-users User:ANONYMOUS`), then restarts the broker without super users: from then on only
the ACLs decide. `acl_helpers.Identity` is where SASL credentials plug in later.
"""
import pytest
from confluent_kafka import KafkaException
from confluent_kafka.admin import (AclBinding, AclBindingFilter, AclOperation, AclPermissionType, NewTopic,
                                   ResourcePatternType, ResourceType)

from acl_helpers import ANONYMOUS, admin, kafka_python_admin, produce_one, watermarks

SUPER = ["--authorizer", "--super-users", "User:ANONYMOUS"]
ACLS_ONLY = ["--authorizer"]


def anonymous(resource_type, name, pattern, operation):
    return AclBinding(resource_type, name, pattern, ANONYMOUS.principal, "*", operation, AclPermissionType.ALLOW)


def test_acls_allow_and_deny_real_clients_and_survive_a_restart(broker_factory):
    broker = broker_factory(extra_args=SUPER).start()
    client = admin(broker.bootstrap)
    for name in ("app-orders", "secret"):
        client.create_topics([NewTopic(name, 1, 1)])[name].result(10)
    granted = [
        anonymous(ResourceType.TOPIC, "app-", ResourcePatternType.PREFIXED, AclOperation.WRITE),
        anonymous(ResourceType.TOPIC, "app-", ResourcePatternType.PREFIXED, AclOperation.READ),
        anonymous(ResourceType.BROKER, "kafka-cluster", ResourcePatternType.LITERAL, AclOperation.ALTER),
        anonymous(ResourceType.BROKER, "kafka-cluster", ResourcePatternType.LITERAL, AclOperation.DESCRIBE),
    ]
    for future in client.create_acls(granted).values():
        future.result(10)
    everything = AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, None, None,
                                  AclOperation.ANY, AclPermissionType.ANY)
    assert set(client.describe_acls(everything).result(10)) == set(granted)

    # Restarted without super users: the ACLs, read back from disk, are all that allows anything.
    broker.stop()
    broker.extra_args = ACLS_ONLY
    broker.start()
    client = admin(broker.bootstrap)
    assert set(client.describe_acls(everything).result(10)) == set(granted)
    assert produce_one(broker.bootstrap, "app-orders", b"allowed") is None
    # An idempotent producer's InitProducerId is allowed by Write on some topic (KIP-679).
    assert produce_one(broker.bootstrap, "app-orders", b"idempotent", settings={"enable.idempotence": True}) is None
    assert produce_one(broker.bootstrap, "secret", b"denied") == "TOPIC_AUTHORIZATION_FAILED"
    topics = client.list_topics(timeout=10).topics
    assert "app-orders" in topics and "secret" not in topics, "Metadata hides what ANONYMOUS may not describe"

    # MATCH finds the prefixed ACLs that apply to one topic name.
    match = AclBindingFilter(ResourceType.TOPIC, "app-orders", ResourcePatternType.MATCH, None, None,
                             AclOperation.ANY, AclPermissionType.ANY)
    assert len(client.describe_acls(match).result(10)) == 2

    # Taking away Write: the next produce is refused.
    write = AclBindingFilter(ResourceType.TOPIC, "app-", ResourcePatternType.PREFIXED, None, None,
                             AclOperation.WRITE, AclPermissionType.ANY)
    deleted = list(client.delete_acls([write]).values())[0].result(10)
    assert deleted == [granted[0]]
    assert produce_one(broker.bootstrap, "app-orders", b"no longer", timeout_s=5) == "TOPIC_AUTHORIZATION_FAILED"

    # As a super user again: nothing was written to the denied topic, two records to the allowed one.
    broker.stop()
    broker.extra_args = SUPER
    broker.start()
    assert watermarks(broker.bootstrap, "secret") == (0, 0)
    assert watermarks(broker.bootstrap, "app-orders") == (0, 2)


def test_acl_apis_refuse_without_cluster_rights(broker_factory):
    broker = broker_factory(extra_args=ACLS_ONLY).start()
    client = admin(broker.bootstrap)
    binding = anonymous(ResourceType.TOPIC, "t", ResourcePatternType.LITERAL, AclOperation.READ)
    with pytest.raises(KafkaException) as refused:
        list(client.create_acls([binding]).values())[0].result(10)
    assert refused.value.args[0].name() == "CLUSTER_AUTHORIZATION_FAILED"
    # librdkafka 2.16 reports DescribeAcls' top-level error as an empty result; kafka-python raises it.
    assert client.describe_acls(AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, None, None,
                                                 AclOperation.ANY, AclPermissionType.ANY)).result(10) == []
    from kafka.admin import ACLFilter, ACLOperation, ACLPermissionType, ACLResourcePatternType, ResourcePatternFilter
    from kafka.admin import ResourceType as KResourceType
    from kafka.errors import ClusterAuthorizationFailedError
    python_client = kafka_python_admin(broker.bootstrap)
    try:
        with pytest.raises(ClusterAuthorizationFailedError):
            python_client.describe_acls(ACLFilter(principal=None, host=None, operation=ACLOperation.ANY,
                                                  permission_type=ACLPermissionType.ANY,
                                                  resource_pattern=ResourcePatternFilter(KResourceType.ANY, None,
                                                                                         ACLResourcePatternType.ANY)))
    finally:
        python_client.close()


def test_acl_apis_without_authorizer_answer_security_disabled(broker):
    client = admin(broker.bootstrap)
    binding = anonymous(ResourceType.TOPIC, "t", ResourcePatternType.LITERAL, AclOperation.READ)
    with pytest.raises(KafkaException) as disabled:
        list(client.create_acls([binding]).values())[0].result(10)
    assert disabled.value.args[0].name() == "SECURITY_DISABLED"


def test_kafka_python_admin_acls(broker_factory):
    from kafka.admin import (ACL, ACLFilter, ACLOperation, ACLPermissionType, ACLResourcePatternType,
                             ResourcePattern, ResourcePatternFilter, ResourceType as KResourceType)
    broker = broker_factory(extra_args=SUPER).start()
    client = kafka_python_admin(broker.bootstrap)
    try:
        group_read = ACL(principal="User:alice", host="*", operation=ACLOperation.READ,
                         permission_type=ACLPermissionType.ALLOW,
                         resource_pattern=ResourcePattern(KResourceType.GROUP, "billing-", ACLResourcePatternType.PREFIXED))
        topic_deny = ACL(principal="User:*", host="10.0.0.9", operation=ACLOperation.ALL,
                         permission_type=ACLPermissionType.DENY,
                         resource_pattern=ResourcePattern(KResourceType.TOPIC, "*", ACLResourcePatternType.LITERAL))
        created = client.create_acls([group_read, topic_deny])
        assert created["failed"] == [] and len(created["succeeded"]) == 2
        acls, error = client.describe_acls(ACLFilter(principal=None, host=None, operation=ACLOperation.ANY,
                                                     permission_type=ACLPermissionType.ANY,
                                                     resource_pattern=ResourcePatternFilter(KResourceType.ANY, None,
                                                                                            ACLResourcePatternType.ANY)))
        assert error.errno == 0 and set(acls) == {group_read, topic_deny}
        results = client.delete_acls([ACLFilter(principal="User:alice", host=None, operation=ACLOperation.ANY,
                                                permission_type=ACLPermissionType.ANY,
                                                resource_pattern=ResourcePatternFilter(KResourceType.GROUP, None,
                                                                                       ACLResourcePatternType.ANY))])
        assert len(results) == 1 and results[0][1] == [group_read] and results[0][2].errno == 0
        acls, _ = client.describe_acls(ACLFilter(principal=None, host=None, operation=ACLOperation.ANY,
                                                 permission_type=ACLPermissionType.ANY,
                                                 resource_pattern=ResourcePatternFilter(KResourceType.ANY, None,
                                                                                        ACLResourcePatternType.ANY)))
        assert acls == [topic_deny]
    finally:
        client.close()


def test_host_acls_match_the_real_peer_address(broker_factory):
    """The host in an ACL is compared with the address the broker sees the client connect from."""
    broker = broker_factory(extra_args=SUPER).start()
    client = admin(broker.bootstrap)
    for name in ("from-loopback", "from-elsewhere"):
        client.create_topics([NewTopic(name, 1, 1)])[name].result(10)
    granted = [
        AclBinding(ResourceType.TOPIC, "from-loopback", ResourcePatternType.LITERAL, ANONYMOUS.principal, "127.0.0.1",
                   AclOperation.WRITE, AclPermissionType.ALLOW),
        AclBinding(ResourceType.TOPIC, "from-elsewhere", ResourcePatternType.LITERAL, ANONYMOUS.principal, "10.9.9.9",
                   AclOperation.WRITE, AclPermissionType.ALLOW),
    ]
    for future in client.create_acls(granted).values():
        future.result(10)
    broker.stop()
    broker.extra_args = ACLS_ONLY
    broker.start()
    assert produce_one(broker.bootstrap, "from-loopback", b"near") is None
    assert produce_one(broker.bootstrap, "from-elsewhere", b"far", timeout_s=5) == "TOPIC_AUTHORIZATION_FAILED"
