"""Real clients (kcat, confluent-kafka, kafka-python) produce and consume over SSL,
SASL_PLAINTEXT and SASL_SSL with PLAIN and SCRAM-SHA-256/512, and the broker sets the
connection's principal: the certificate subject on SSL, the SASL user on SASL listeners."""
import subprocess
import uuid

import pytest
from conftest import PASSWORDS

COMBINATIONS = [
    ("SSL", None),
    ("SASL_PLAINTEXT", "PLAIN"),
    ("SASL_PLAINTEXT", "SCRAM-SHA-256"),
    ("SASL_PLAINTEXT", "SCRAM-SHA-512"),
    ("SASL_SSL", "PLAIN"),
    ("SASL_SSL", "SCRAM-SHA-256"),
    ("SASL_SSL", "SCRAM-SHA-512"),
]


def rdkafka_settings(broker, protocol, mechanism, user="alice", password=None, certificate=None):
    settings = {"bootstrap.servers": broker.bootstrap(protocol), "security.protocol": protocol}
    if "SSL" in protocol:
        settings["ssl.ca.location"] = str(broker.pki / "ca.pem")
        if certificate:
            settings["ssl.certificate.location"] = str(broker.pki / f"{certificate}.pem")
            settings["ssl.key.location"] = str(broker.pki / f"{certificate}.key")
    if mechanism:
        settings.update({"sasl.mechanism": mechanism, "sasl.username": user,
                         "sasl.password": PASSWORDS.get(user, "x") if password is None else password})
    return settings


def kafka_python_settings(broker, protocol, mechanism, user="alice", password=None, certificate=None):
    settings = {"bootstrap_servers": broker.bootstrap(protocol), "security_protocol": protocol}
    if "SSL" in protocol:
        settings["ssl_cafile"] = str(broker.pki / "ca.pem")
        if certificate:
            settings["ssl_certfile"] = str(broker.pki / f"{certificate}.pem")
            settings["ssl_keyfile"] = str(broker.pki / f"{certificate}.key")
    if mechanism:
        settings.update({"sasl_mechanism": mechanism, "sasl_plain_username": user,
                         "sasl_plain_password": PASSWORDS.get(user, "x") if password is None else password})
    return settings


def kcat_args(broker, protocol, mechanism, certificate=None):
    args = []
    for key, value in rdkafka_settings(broker, protocol, mechanism, certificate=certificate).items():
        if key == "bootstrap.servers":
            args += ["-b", value]
        else:
            args += ["-X", f"{key}={value}"]
    return args


@pytest.mark.parametrize("protocol,mechanism", COMBINATIONS)
def test_kcat(secure_broker, protocol, mechanism):
    topic = f"kcat-{uuid.uuid4().hex[:8]}"
    certificate = "alice" if protocol == "SSL" else None
    values = [f"kcat-{protocol}-{i}" for i in range(20)]
    subprocess.run(["kcat", "-P", "-t", topic, *kcat_args(secure_broker, protocol, mechanism, certificate)],
                   input="\n".join(values) + "\n", text=True, check=True, timeout=60)
    out = subprocess.run(["kcat", "-C", "-t", topic, "-o", "beginning", "-e", "-q",
                          *kcat_args(secure_broker, protocol, mechanism, certificate)],
                         capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.split() == values
    if protocol == "SSL":
        assert "principal=User:CN=alice,OU=eng,O=Example,C=GB" in secure_broker.log()
    else:
        assert secure_broker.metric("basalt_sasl_authentications_total", mechanism=mechanism, result="success") >= 2


@pytest.mark.parametrize("protocol,mechanism", COMBINATIONS)
def test_confluent_kafka(secure_broker, protocol, mechanism):
    from confluent_kafka import Consumer, Producer
    topic = f"ck-{uuid.uuid4().hex[:8]}"
    settings = rdkafka_settings(secure_broker, protocol, mechanism)
    producer = Producer(settings)
    values = [f"ck-{i}".encode() for i in range(50)]
    for value in values:
        producer.produce(topic, value)
    assert producer.flush(30) == 0
    consumer = Consumer({**settings, "group.id": f"g-{topic}", "auto.offset.reset": "earliest"})
    consumer.subscribe([topic])
    received = []
    try:
        for _ in range(300):
            if len(received) == len(values):
                break
            message = consumer.poll(0.2)
            if message is not None and message.error() is None:
                received.append(message.value())
    finally:
        consumer.close()
    assert received == values


@pytest.mark.parametrize("protocol,mechanism", COMBINATIONS)
def test_kafka_python(secure_broker, protocol, mechanism):
    from kafka import KafkaConsumer, KafkaProducer
    topic = f"kp-{uuid.uuid4().hex[:8]}"
    settings = kafka_python_settings(secure_broker, protocol, mechanism)
    producer = KafkaProducer(**settings)
    values = [f"kp-{i}".encode() for i in range(50)]
    for value in values:
        producer.send(topic, value)
    producer.flush(30)
    producer.close()
    consumer = KafkaConsumer(topic, auto_offset_reset="earliest", consumer_timeout_ms=15000, **settings)
    received = []
    for message in consumer:
        received.append(message.value)
        if len(received) == len(values):
            break
    consumer.close()
    assert received == values


def test_certificate_subject_is_escaped_as_rfc_2253(secure_broker):
    """A comma and a plus in the subject are escaped, UTF-8 stays readable, the most
    specific attribute comes first (as Kafka's principal from Java's X500Principal)."""
    topic = f"dn-{uuid.uuid4().hex[:8]}"
    subprocess.run(["kcat", "-P", "-t", topic, *kcat_args(secure_broker, "SSL", None, "escaped")],
                   input="v\n", text=True, check=True, timeout=60)
    assert "principal=User:L=Zürich,O=R\\+D,CN=Smith\\, Jane" in secure_broker.log()
