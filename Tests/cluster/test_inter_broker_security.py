"""Three brokers replicate over a SASL_SSL inter-broker listener: each follower fetches from
its leader inside TLS, authenticated with SCRAM-SHA-512 as the inter-broker user, while
clients use a separate PLAINTEXT listener and a SASL_SSL one. acks=all with
min.insync.replicas=2 succeeds only if followers replicate; Metadata answers each client
with the addresses of the listener it came in on (both registered in etcd). SCRAM users are
shared through etcd: the users made offline on broker 0 reach the others, and a user
created with AlterUserScramCredentials on one broker authenticates on another."""
import importlib.util
import subprocess
import uuid
from pathlib import Path

from cluster import Etcd, Node, broker_binary, free_port, wait_until

_spec = importlib.util.spec_from_file_location(
    "security_conftest", Path(__file__).resolve().parents[1] / "security" / "conftest.py")
security = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(security)

BROKER_PASSWORD = "inter-Broker-Secret-5e1d"


class SecureNode(Node):
    """A Node whose listeners come from its properties: SASL_SSL (the inter-broker listener,
    on `port`) and PLAINTEXT (on `plaintext_port`)."""

    def __init__(self, *args, plaintext_port: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.plaintext_port = plaintext_port

    def args(self) -> list[str]:
        return [broker_binary(), "--data-dir", str(self.data_dir), "--metrics", f"{self.host}:{self.metrics_port}",
                "--config", str(self.config_path), "--node-id", str(self.node_id), "--etcd", ",".join(self.etcd_urls),
                "--cluster", self.cluster_name, "--log-level", "debug"]


def add_user(data_dir: Path, user: str, password: str, mechanism: str, workdir: Path):
    password_file = workdir / f"{user}.password"
    password_file.write_text(password + "\n")
    subprocess.run([broker_binary(), "scram-credential", "--data-dir", str(data_dir), "--user", user, "--mechanism",
                    mechanism, "--iterations", "4096", "--password-file", str(password_file)], check=True,
                   capture_output=True)
    return password_file


def sasl_ssl_broker_settings(tmp_path, pki, sasl_port, plaintext_port, **extra):
    """A cluster broker's settings for a SASL_SSL inter-broker listener (SCRAM-SHA-512 as
    `broker`) beside a PLAINTEXT one, RF=3 and min.insync.replicas=2; `extra` adds or overrides
    (dotted names as a dict: `**{"super.users": "User:admin"}`)."""
    settings = {
        "listeners": f"SASL_SSL://127.0.0.1:{sasl_port},PLAINTEXT://127.0.0.1:{plaintext_port}",
        "inter.broker.listener.name": "SASL_SSL",
        "sasl.mechanism.inter.broker.protocol": "SCRAM-SHA-512",
        "basalt.inter.broker.sasl.username": "broker",
        "basalt.inter.broker.sasl.password.file": str(tmp_path / "broker.password"),
        "ssl.keystore.location": str(pki / "server.pem"),
        "ssl.key.location": str(pki / "server.key"),
        "ssl.truststore.location": str(pki / "ca.pem"),
        "default.replication.factor": 3,
        "min.insync.replicas": 2,
        "broker.session.timeout.ms": 3000,
    }
    settings.update(extra)
    return settings


def test_replication_over_sasl_ssl(tmp_path):
    (tmp_path / "pki").mkdir()
    pki = security.make_pki(tmp_path / "pki")
    etcd = Etcd(tmp_path / "etcd").start()
    nodes = []
    try:
        for node_id in range(3):
            sasl_port, plaintext_port = free_port(), free_port()
            settings = sasl_ssl_broker_settings(tmp_path, pki, sasl_port, plaintext_port)
            node = SecureNode(node_id, tmp_path, "secure", [etcd.url], settings, port=sasl_port,
                              plaintext_port=plaintext_port)
            node.dir.mkdir(parents=True, exist_ok=True)
            if node_id == 0:
                # Only broker 0 has the users on disk; etcd carries them to the others.
                add_user(node.data_dir, "broker", BROKER_PASSWORD, "SCRAM-SHA-512", tmp_path)
                add_user(node.data_dir, "alice", security.PASSWORDS["alice"], "SCRAM-SHA-256", tmp_path)
            nodes.append(node)
        for node in nodes:
            node.start()

        from confluent_kafka import Consumer, Producer
        from confluent_kafka.admin import AdminClient, NewTopic
        client = {"bootstrap.servers": f"127.0.0.1:{nodes[0].port}", "security.protocol": "SASL_SSL",
                  "ssl.ca.location": str(pki / "ca.pem"), "sasl.mechanism": "SCRAM-SHA-256",
                  "sasl.username": "alice", "sasl.password": security.PASSWORDS["alice"]}
        admin = AdminClient(client)
        wait_until(lambda: len(admin.list_topics(timeout=5).brokers) == 3, 60, "three registered brokers")
        # Each listener's clients are told that listener's addresses.
        assert {b.port for b in admin.list_topics(timeout=5).brokers.values()} == {n.port for n in nodes}
        plain_admin = AdminClient({"bootstrap.servers": f"127.0.0.1:{nodes[0].plaintext_port}"})
        assert {b.port for b in plain_admin.list_topics(timeout=5).brokers.values()} == {n.plaintext_port for n in nodes}

        topic = f"replicated-{uuid.uuid4().hex[:6]}"
        for future in admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=3)]).values():
            future.result(timeout=30)
        producer = Producer({**client, "acks": "all", "enable.idempotence": True, "message.timeout.ms": 60000})
        values = [f"v{i}".encode() for i in range(300)]
        failures = []
        for value in values:
            producer.produce(topic, value, on_delivery=lambda err, msg: err and failures.append(err))
        assert producer.flush(90) == 0
        assert failures == []

        consumer = Consumer({"bootstrap.servers": f"127.0.0.1:{nodes[1].plaintext_port}", "group.id": "g",
                             "auto.offset.reset": "earliest"})
        consumer.subscribe([topic])
        received = []
        for _ in range(600):
            if len(received) == len(values):
                break
            message = consumer.poll(0.2)
            if message is not None and message.error() is None:
                received.append(message.value())
        consumer.close()
        assert sorted(received) == sorted(values)

        # A user made through one broker authenticates on another.
        from confluent_kafka.admin import ScramCredentialInfo, ScramMechanism, UserScramCredentialUpsertion
        upsert = UserScramCredentialUpsertion("carol", ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096),
                                              b"carol-Secret-77")
        for future in admin.alter_user_scram_credentials([upsert]).values():
            future.result(timeout=30)

        def carol_produces_on_broker_2():
            args = ["kcat", "-P", "-t", topic, "-b", f"127.0.0.1:{nodes[2].port}", "-X", "security.protocol=SASL_SSL",
                    "-X", f"ssl.ca.location={pki / 'ca.pem'}", "-X", "sasl.mechanism=SCRAM-SHA-512",
                    "-X", "sasl.username=carol", "-X", "sasl.password=carol-Secret-77"]
            return subprocess.run(args, input="from-carol\n", text=True, capture_output=True, timeout=30).returncode == 0
        wait_until(carol_produces_on_broker_2, 30, "carol's credential on broker 2")

        logs = "".join(node.log() for node in nodes)
        assert any("principal=User:broker" in line and "mechanism=SCRAM-SHA-512" in line and "authenticated" in line
                   for line in logs.splitlines())
        assert "authentication to" not in logs
        for password in (BROKER_PASSWORD, security.PASSWORDS["alice"], "carol-Secret-77"):
            assert password not in logs
    finally:
        for node in nodes:
            node.teardown()
        etcd.stop()
