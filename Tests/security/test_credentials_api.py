"""Users are created, described and deleted with Kafka's own API (KIP-554) from
confluent-kafka's and kafka-python's AdminClient, and the new user can authenticate with
SCRAM and PLAIN at once; the salted keys, never the password, reach the broker."""
import subprocess
import uuid

import pytest
from confluent_kafka.admin import (AdminClient, ScramCredentialInfo, ScramMechanism, UserScramCredentialDeletion,
                                   UserScramCredentialUpsertion)
from test_clients import rdkafka_settings

NEW_PASSWORD = "bob-Secret-2c55"


def admin_settings(broker):
    return rdkafka_settings(broker, "SASL_SSL", "SCRAM-SHA-256")


def produces(broker, mechanism, user, password) -> bool:
    """Whether kcat (its own process, so a failed client leaves nothing behind) can
    produce one record as `user`."""
    settings = rdkafka_settings(broker, "SASL_PLAINTEXT", mechanism, user=user, password=password)
    args = ["kcat", "-P", "-t", f"cred-{uuid.uuid4().hex[:6]}", "-b", settings.pop("bootstrap.servers")]
    for key, value in settings.items():
        args += ["-X", f"{key}={value}"]
    return subprocess.run(args, input="v\n", text=True, capture_output=True, timeout=60).returncode == 0


def test_confluent_admin_creates_describes_and_deletes_users(secure_broker):
    admin = AdminClient(admin_settings(secure_broker))
    upsert = UserScramCredentialUpsertion("bob", ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192),
                                          NEW_PASSWORD.encode())
    for future in admin.alter_user_scram_credentials([upsert]).values():
        future.result(timeout=10)
    description = admin.describe_user_scram_credentials(["bob"])["bob"].result(timeout=10)
    infos = [(info.mechanism, info.iterations) for info in description.scram_credential_infos]
    assert infos == [(ScramMechanism.SCRAM_SHA_512, 8192)]
    assert produces(secure_broker, "SCRAM-SHA-512", "bob", NEW_PASSWORD)
    assert produces(secure_broker, "PLAIN", "bob", NEW_PASSWORD)
    assert not produces(secure_broker, "SCRAM-SHA-512", "bob", "not-" + NEW_PASSWORD)
    assert "bob" in (secure_broker.data_dir / "broker" / "scram-credentials.json").read_text()
    assert NEW_PASSWORD not in (secure_broker.data_dir / "broker" / "scram-credentials.json").read_text()

    for future in admin.alter_user_scram_credentials(
            [UserScramCredentialDeletion("bob", ScramMechanism.SCRAM_SHA_512)]).values():
        future.result(timeout=10)
    assert not produces(secure_broker, "SCRAM-SHA-512", "bob", NEW_PASSWORD)
    with pytest.raises(Exception, match="does not exist"):
        admin.describe_user_scram_credentials(["bob"])["bob"].result(timeout=10)


def test_confluent_admin_rejects_unacceptable_credentials(secure_broker):
    admin = AdminClient(admin_settings(secure_broker))
    upsert = UserScramCredentialUpsertion("carol", ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 100),
                                          b"short-iterations")
    futures = admin.alter_user_scram_credentials([upsert])
    with pytest.raises(Exception, match="iterations"):
        futures["carol"].result(timeout=10)
    assert not produces(secure_broker, "SCRAM-SHA-256", "carol", "short-iterations")


def test_kafka_python_admin_creates_a_user(secure_broker):
    from kafka.admin import KafkaAdminClient, ScramMechanism as KpMechanism, UserScramCredentialUpsertion as KpUpsert
    from test_clients import kafka_python_settings
    admin = KafkaAdminClient(**kafka_python_settings(secure_broker, "SASL_SSL", "SCRAM-SHA-256"))
    admin.alter_user_scram_credentials([KpUpsert("dave", KpMechanism.SCRAM_SHA_256, NEW_PASSWORD, iterations=4096)])
    assert produces(secure_broker, "SCRAM-SHA-256", "dave", NEW_PASSWORD)
    admin.close()
