"""How a service reaches its Kafka cluster, from its environment: TLS and SASL, and how its topics are laid out.

    KAFKA_SECURITY_PROTOCOL   PLAINTEXT (default) | SSL | SASL_PLAINTEXT | SASL_SSL
    KAFKA_SASL_MECHANISM      PLAIN (default) | SCRAM-SHA-256 | SCRAM-SHA-512
    KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE, a mounted secret)
    KAFKA_SSL_CAFILE          the CA bundle that signed the brokers' certificates (else the system's)
    KAFKA_PARTITIONS          partitions of each topic the service creates (default contracts.topics.PARTITIONS)
    KAFKA_REPLICATION_FACTOR  replicas of each topic it creates (default 1: a single broker)

FastStream's security objects carry the settings (the broker and the AsyncAPI document take them as they are); every
other client (admin, the rebuild's reader) gets the same options through FastStream's own translation to aiokafka."""

from __future__ import annotations

import os
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faststream.kafka.security import parse_security
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512

from contracts import topics

PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
MECHANISMS: dict[str, Callable[..., BaseSecurity]] = {
    "PLAIN": SASLPlaintext,
    "SCRAM-SHA-256": SASLScram256,
    "SCRAM-SHA-512": SASLScram512,
}


@dataclass(frozen=True, slots=True)
class KafkaConnection:
    security: BaseSecurity | None = None  # None: PLAINTEXT
    partitions: int = topics.PARTITIONS
    replication_factor: int = 1

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> KafkaConnection:
        """Read the variables above; a value outside what Kafka accepts stops the service with the variable named."""
        environ = dict(os.environ if environ is None else environ)
        protocol = environ.get("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT").upper()
        if protocol not in PROTOCOLS:
            raise ValueError(f"KAFKA_SECURITY_PROTOCOL must be one of {', '.join(PROTOCOLS)}, not {protocol!r}")
        return cls(
            security=_security(protocol, environ),
            partitions=_positive(environ.get("KAFKA_PARTITIONS", ""), "KAFKA_PARTITIONS", topics.PARTITIONS),
            replication_factor=_positive(environ.get("KAFKA_REPLICATION_FACTOR", ""), "KAFKA_REPLICATION_FACTOR", 1),
        )

    def client_options(self) -> dict[str, Any]:
        """The same security as keyword arguments of aiokafka's clients (AIOKafkaAdminClient, AIOKafkaConsumer…)."""
        return parse_security(self.security)


def _security(protocol: str, environ: dict[str, str]) -> BaseSecurity | None:
    if protocol == "PLAINTEXT":
        return None
    use_ssl = protocol.endswith("SSL")
    context = ssl.create_default_context(cafile=environ.get("KAFKA_SSL_CAFILE") or None) if use_ssl else None
    if protocol == "SSL":
        return BaseSecurity(ssl_context=context, use_ssl=True)
    mechanism = environ.get("KAFKA_SASL_MECHANISM", "PLAIN").upper()
    if mechanism not in MECHANISMS:
        raise ValueError(f"KAFKA_SASL_MECHANISM must be one of {', '.join(MECHANISMS)}, not {mechanism!r}")
    username = environ.get("KAFKA_SASL_USERNAME", "")
    password = environ.get("KAFKA_SASL_PASSWORD", "")
    if not password and (path := environ.get("KAFKA_SASL_PASSWORD_FILE")):
        password = Path(path).read_text().strip()
    if not username or not password:
        raise ValueError(f"{protocol} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE)")
    return MECHANISMS[mechanism](username, password, ssl_context=context, use_ssl=use_ssl)


def _positive(text: str, variable: str, default: int) -> int:
    if not text:
        return default
    if not text.isdigit() or int(text) < 1 or int(text) > 1000:
        raise ValueError(f"{variable} must be a whole number from 1 to 1000, not {text!r}")
    return int(text)
