"""What a deployment sets in the environment: Kafka's TLS, SASL and topic layout (kernel.adapters.kafka_connection),
and each instance's PostgreSQL pool size."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from faststream.security import SASLScram512

from contracts import topics
from kernel.adapters.kafka_connection import KafkaConnection
from kernel.adapters.settings import Settings


def test_by_default_plaintext_with_the_contract_s_partitions_and_one_replica() -> None:
    connection = KafkaConnection.from_env({})
    assert (connection.security, connection.partitions, connection.replication_factor) == (None, topics.PARTITIONS, 1)
    assert connection.client_options() == {}


def test_sasl_over_tls_with_the_password_from_a_mounted_file(tmp_path: Path) -> None:
    secret = tmp_path / "kafka-password"
    secret.write_text("s3cret\n")
    connection = KafkaConnection.from_env(
        {
            "KAFKA_SECURITY_PROTOCOL": "sasl_ssl",
            "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
            "KAFKA_SASL_USERNAME": "rebond-financement",
            "KAFKA_SASL_PASSWORD_FILE": str(secret),
            "KAFKA_PARTITIONS": "12",
            "KAFKA_REPLICATION_FACTOR": "3",
        }
    )
    assert isinstance(connection.security, SASLScram512)
    options = connection.client_options()
    assert (options["security_protocol"], options["sasl_mechanism"]) == ("SASL_SSL", "SCRAM-SHA-512")
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == ("rebond-financement", "s3cret")
    assert isinstance(options["ssl_context"], ssl.SSLContext)
    assert (connection.partitions, connection.replication_factor) == (12, 3)


def test_tls_alone() -> None:
    options = KafkaConnection.from_env({"KAFKA_SECURITY_PROTOCOL": "SSL"}).client_options()
    assert options["security_protocol"] == "SSL" and isinstance(options["ssl_context"], ssl.SSLContext)


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"KAFKA_SECURITY_PROTOCOL": "TLS"}, "KAFKA_SECURITY_PROTOCOL"),
        ({"KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT", "KAFKA_SASL_MECHANISM": "GSSAPI"}, "KAFKA_SASL_MECHANISM"),
        ({"KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT", "KAFKA_SASL_USERNAME": "u"}, "KAFKA_SASL_PASSWORD"),
        ({"KAFKA_PARTITIONS": "0"}, "KAFKA_PARTITIONS"),
        ({"KAFKA_REPLICATION_FACTOR": "three"}, "KAFKA_REPLICATION_FACTOR"),
    ],
)
def test_a_setting_kafka_would_refuse_stops_the_service_naming_the_variable(
    environ: dict[str, str], named: str
) -> None:
    with pytest.raises(ValueError, match=named):
        KafkaConnection.from_env(environ)


def test_the_pool_size_of_an_instance_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://x@db/x")
    monkeypatch.setenv("KAFKA_BOOTSTRAP", "kafka:9092")
    assert Settings.from_env("candidature").pool_size == 20
    monkeypatch.setenv("DATABASE_POOL_SIZE", "8")
    assert Settings.from_env("candidature").pool_size == 8
    for wrong in ("0", "1", "501", "eight"):
        monkeypatch.setenv("DATABASE_POOL_SIZE", wrong)
        with pytest.raises(ValueError, match="DATABASE_POOL_SIZE"):
            Settings.from_env("candidature")


def test_the_database_url_may_come_from_a_mounted_secret(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The URL holds the service role's password: a Kubernetes secret mounted as a file, like the other secrets."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("KAFKA_BOOTSTRAP", "kafka:9092")
    with pytest.raises(RuntimeError, match="DATABASE_URL_FILE"):
        Settings.from_env("candidature")
    secret = tmp_path / "database-url"
    secret.write_text("postgresql://candidature:s3cret@db/candidature\n")
    monkeypatch.setenv("DATABASE_URL_FILE", str(secret))
    assert Settings.from_env("candidature").database_url == "postgresql://candidature:s3cret@db/candidature"
