"""Wiring of the projection: which topics feed it, under which consumer name, and the rebuild's log."""

from __future__ import annotations

import asyncpg

from contracts import topics
from kernel.adapters.kafka_log import KafkaLog
from kernel.adapters.runtime import ServiceRuntime
from kernel.adapters.settings import Settings
from kernel.signing import Verifier
from reporting.adapters.database_log import DatabaseLog
from reporting.adapters.schema import migration
from reporting.adapters.store import PostgresProjectionStore, project_live
from reporting.application.ports import EventLog

CONSUMER = "reporting.projection"
TOPICS = (topics.CANDIDATURE, topics.INSTRUCTION, topics.FINANCEMENT)
MIGRATIONS = (migration(),)


def register(runtime: ServiceRuntime) -> None:
    """One idempotent consumer over the three topics, from the beginning (dedup on (stream_id, version))."""
    runtime.consume(CONSUMER, project_live, *TOPICS)


def projection_store(pool: asyncpg.Pool, verifier: Verifier | None = None) -> PostgresProjectionStore:
    """The projection; with the producers' keys it can also be rebuilt (a rebuild applies only what they signed)."""
    return PostgresProjectionStore(pool, consumer=CONSUMER, verifier=verifier)


SOURCES = ("database", "topics")


def default_source(settings: Settings) -> str:
    """The producers' events tables when this deployment says where they are, else the topics."""
    return "database" if settings.source_databases else "topics"


def event_log(settings: Settings, source: str | None = None) -> EventLog:
    """What a rebuild replays: the producers' events tables (the source of truth; the default when configured)
    or the three topics of this deployment (with its prefix), read from offset 0 without a group."""
    source = source or default_source(settings)
    if source == "database":
        return DatabaseLog(settings.source_databases)
    if source == "topics":
        return KafkaLog(
            settings.kafka_bootstrap,
            [settings.topic(name) for name in TOPICS],
            client_options=settings.kafka.client_options(),
        )
    raise ValueError(f"unknown rebuild source {source!r} (one of {', '.join(SOURCES)})")
