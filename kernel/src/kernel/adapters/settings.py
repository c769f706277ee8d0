"""What a service reads from its environment: its database, its broker, its keys, its tuning. Each setting that holds
a secret may come from a file (`<VARIABLE>_FILE`, a mounted secret); a value no server could serve stops the service
at start, naming the variable."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from kernel.adapters.auth import Revocations
from kernel.adapters.kafka_connection import KafkaConnection
from kernel.adapters.postgres import create_pool, migrate
from kernel.signing import Signer, Verifier


@dataclass(frozen=True)
class Settings:
    """What a service reads from its environment (every variable is set in docker-compose.yml)."""

    service: str
    database_url: str
    kafka_bootstrap: str
    topic_prefix: str = ""  # lets several deployments (or test runs) share one Kafka cluster
    kafka: KafkaConnection = field(default_factory=KafkaConnection, repr=False)  # TLS, SASL, partitions, replicas
    # connections of this instance's pool: instances × services × pool size must fit the server's max_connections
    pool_size: int = 20
    auth_secret: str = field(default_factory=lambda: os.environ.get("REBOND_AUTH_SECRET", ""), repr=False)
    signing_key: str = field(default="", repr=False)  # else REBOND_SIGNING_KEY_<SERVICE>, REBOND_SIGNING_KEY(_FILE)
    trusted_keys: str = ""  # else REBOND_TRUSTED_KEYS(_FILE): "service:public key,…"
    # The role that owns the kernel's tables and runs their migrations; without it the service's own role does.
    migration_url: str = field(default="", repr=False)
    log_readers: tuple[str, ...] = ()  # roles granted read access to the log only (rebuilds, audits)
    log_checkpoint_seconds: float = 60.0  # how often the log is checkpointed, signed, published (if it grew)
    # Where a rebuild reads each producer's log, as a read-only role: {"candidature": url, …}
    source_databases: dict[str, str] = field(default_factory=dict, repr=False)
    # tokens revoked before they expire (kernel.adapters.auth.Revocations)
    revocations: Revocations = field(
        default_factory=lambda: Revocations(os.environ.get("REBOND_REVOKED_TOKENS_FILE")), repr=False, compare=False
    )

    @classmethod
    def from_env(cls, service: str) -> Settings:
        return cls(
            service=service,
            database_url=_required("DATABASE_URL"),
            kafka_bootstrap=os.environ["KAFKA_BOOTSTRAP"],
            topic_prefix=os.environ.get("KAFKA_TOPIC_PREFIX", ""),
            kafka=KafkaConnection.from_env(),
            pool_size=_pool_size(os.environ.get("DATABASE_POOL_SIZE", "")),
            migration_url=_configured("DATABASE_MIGRATION_URL"),
            log_readers=tuple(r for r in os.environ.get("DATABASE_LOG_READERS", "").split(",") if r),
            log_checkpoint_seconds=_seconds(os.environ.get("REBOND_LOG_CHECKPOINT_SECONDS", ""), 60.0),
            source_databases=_named_urls(_configured("REBOND_SOURCE_DATABASES")),
        )

    async def open_database(self, migrations: Sequence[str], max_size: int | None = None) -> asyncpg.Pool:
        """The service's pool (`pool_size` connections at most), after the migrations ran (as the migration role when
        one is configured)."""
        size = max_size or self.pool_size
        if self.migration_url:
            await migrate(self.migration_url, *migrations, service_dsn=self.database_url, log_readers=self.log_readers)
        else:
            await migrate(self.database_url, *migrations, log_readers=self.log_readers)
        return await create_pool(self.database_url, max_size=size)

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"

    def signer(self) -> Signer:
        """This service's private key (never in the database): it signs every event the service records."""
        text = (
            self.signing_key
            or _configured(f"REBOND_SIGNING_KEY_{self.service.upper()}")
            or _configured("REBOND_SIGNING_KEY")
        )
        if not text:
            raise RuntimeError(
                f"{self.service}: no signing key (REBOND_SIGNING_KEY or REBOND_SIGNING_KEY_FILE; "
                "`python -m kernel.signing keygen …` makes them)"
            )
        return Signer.from_text(text)

    def verifier(self) -> Verifier:
        """The producers' public keys: a consumer applies only events they signed."""
        text = self.trusted_keys or _configured("REBOND_TRUSTED_KEYS")
        if not text:
            raise RuntimeError(f"{self.service}: no trusted producer keys (REBOND_TRUSTED_KEYS or _FILE)")
        return Verifier.from_text(text)


def _named_urls(text: str) -> dict[str, str]:
    """Parse `name=url,name=url` (URLs hold no comma) into a mapping."""
    named = (item.partition("=") for item in text.split(",") if item.strip())
    return {name.strip(): url.strip() for name, _, url in named if url.strip()}


def _pool_size(text: str) -> int:
    """DATABASE_POOL_SIZE: 20 by default; a size PostgreSQL could never serve stops the service, naming it."""
    if not text:
        return 20
    if not text.isdigit() or not 2 <= int(text) <= 500:
        raise ValueError(f"DATABASE_POOL_SIZE must be a whole number from 2 to 500, not {text!r}")
    return int(text)


def _seconds(text: str, default: float) -> float:
    if not text:
        return default
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0.1 <= seconds <= 86_400:
        raise ValueError(f"REBOND_LOG_CHECKPOINT_SECONDS must be from 0.1 to 86400 seconds, not {text!r}")
    return seconds


def _required(variable: str) -> str:
    """`_configured`, refusing to start without it (naming both ways to give it)."""
    if value := _configured(variable):
        return value
    raise RuntimeError(f"{variable} (or {variable}_FILE, a file holding it) must be set")


def _configured(variable: str) -> str:
    """A setting from the environment, or from the file `<variable>_FILE` names (a mounted secret)."""
    if value := os.environ.get(variable):
        return value
    if path := os.environ.get(f"{variable}_FILE"):
        return Path(path).read_text().strip()
    return ""
