"""Helpers for ACL tests with real clients.

Every client is built from an `Identity`: the extra client settings that make a connection act as
a principal. Without credentials that is `User:ANONYMOUS` (empty settings);
`Identity("User:alice", confluent={...sasl...}, kafka_python={...sasl...})` plugs in SASL credentials
without changing the tests' logic, as Tests/security/test_sasl_acls.py does.
"""
from dataclasses import dataclass, field

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient


@dataclass(frozen=True)
class Identity:
    principal: str
    confluent: dict = field(default_factory=dict)
    kafka_python: dict = field(default_factory=dict)


ANONYMOUS = Identity("User:ANONYMOUS")


def admin(bootstrap: str, identity: Identity = ANONYMOUS) -> AdminClient:
    return AdminClient({"bootstrap.servers": bootstrap, **identity.confluent})


def kafka_python_admin(bootstrap: str, identity: Identity = ANONYMOUS):
    from kafka.admin import KafkaAdminClient
    return KafkaAdminClient(bootstrap_servers=bootstrap, **identity.kafka_python)


def produce_one(bootstrap: str, topic: str, value: bytes, identity: Identity = ANONYMOUS, timeout_s: float = 15.0,
                settings: dict = None):
    """Produces one record and returns the delivery error's name, or None on success."""
    producer = Producer({"bootstrap.servers": bootstrap, "message.timeout.ms": int(timeout_s * 1000),
                         "allow.auto.create.topics": False, **(settings or {}), **identity.confluent})
    outcome = {}

    def delivered(error, _message):
        outcome["error"] = error

    producer.produce(topic, value, callback=delivered)
    producer.flush(timeout_s + 5)
    assert "error" in outcome, f"no delivery report for {topic}"
    return outcome["error"].name() if outcome["error"] is not None else None


def watermarks(bootstrap: str, topic: str, identity: Identity = ANONYMOUS) -> tuple:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "acl-watermarks", **identity.confluent})
    try:
        return consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
    finally:
        consumer.close()
