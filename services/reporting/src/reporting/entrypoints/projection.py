"""Wiring of the projection: which topics feed it, under which consumer name, and the rebuild's log."""

from __future__ import annotations

import asyncpg

from contracts import topics
from kernel.adapters.runtime import ServiceRuntime, Settings
from reporting.adapters.kafka_log import KafkaLog
from reporting.adapters.schema import migration
from reporting.adapters.store import PostgresProjectionStore, apply_live

CONSUMER = "reporting.projection"
TOPICS = (topics.CANDIDATURE, topics.INSTRUCTION, topics.FINANCEMENT)
MIGRATIONS = (migration(),)


def register(runtime: ServiceRuntime) -> None:
    """One idempotent consumer over the three topics, from the beginning (dedup on (stream_id, version))."""
    runtime.consume(CONSUMER, apply_live, *TOPICS)


def projection_store(pool: asyncpg.Pool) -> PostgresProjectionStore:
    return PostgresProjectionStore(pool, consumer=CONSUMER)


def event_log(settings: Settings) -> KafkaLog:
    """The three topics of this deployment (with its prefix), read from offset 0 without a group."""
    return KafkaLog(settings.kafka_bootstrap, [settings.topic(name) for name in TOPICS])
