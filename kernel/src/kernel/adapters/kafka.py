"""FastStream wiring: the broker every service uses, topic creation, and idempotent subscriptions."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import structlog
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from contracts import topics
from contracts.envelope import EventEnvelope
from contracts.public.v1 import MessagePublic
from kernel.adapters.consumer import DeadLetter, IdempotentConsumer
from kernel.adapters.consumer_records import Delivery
from kernel.adapters.kafka_connection import KafkaConnection
from kernel.adapters.tracing import kafka_middlewares

log = structlog.get_logger(__name__)

# The topics are the shared log that reporting and auditors replay: never expire it.
UNLIMITED_RETENTION = {"retention.ms": "-1"}

# Consumer tuning. The embedded broker takes about half the session timeout to form a group. An idle
# consumer's long poll is not woken by new data there: with the default 500 ms wait, a new event took up to
# ~300 ms to be seen; with 100 ms, 2-4 ms (measured with aiokafka on tansu). Real Kafka is as fast either way.
CONSUMER_TUNING: dict[str, Any] = {"session_timeout_ms": 6000, "heartbeat_interval_ms": 500, "fetch_max_wait_ms": 100}


def make_broker(bootstrap: str, client_id: str, connection: KafkaConnection | None = None) -> KafkaBroker:
    """acks=all; no idempotent producer nor transactions (consumers deduplicate instead, DESIGN §3); TLS and SASL as
    the connection says; OpenTelemetry's spans and trace headers when tracing is on (kernel.adapters.tracing)."""
    return KafkaBroker(
        bootstrap,
        client_id=client_id,
        middlewares=kafka_middlewares(),
        security=connection.security if connection else None,
        acks="all",
        logger=structlog.get_logger("faststream"),
        log_level=logging.DEBUG,
        graceful_timeout=10.0,
    )


async def ensure_topics(
    bootstrap: str,
    names: Iterable[str] = topics.ALL,
    attempts: int = 50,
    connection: KafkaConnection | None = None,
) -> None:
    """Create the topics up front with the connection's partition count and replication factor (idempotent)."""
    connection = connection or KafkaConnection()
    for attempt in range(attempts):
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **connection.client_options())
        try:
            await admin.start()
            existing = set(await admin.list_topics())
            missing = [
                NewTopic(
                    n,
                    num_partitions=connection.partitions,
                    replication_factor=connection.replication_factor,
                    topic_configs=UNLIMITED_RETENTION,
                )
                for n in names
                if n not in existing
            ]
            if missing:
                try:
                    await admin.create_topics(missing)
                except TopicAlreadyExistsError:
                    pass
            return
        except (OSError, Exception) as error:  # noqa: BLE001 - broker still starting
            if attempt == attempts - 1:
                raise
            log.info("kafka.waiting", error=repr(error))
            await asyncio.sleep(0.2)
        finally:
            await admin.close()


class Subscription:
    """One idempotent consumer fed by FastStream in batches (up to BATCH_MAX_RECORDS, one PostgreSQL transaction
    each: IdempotentConsumer.handle_batch), with its offsets committed apart from message processing.

    A message's offset is committed only after its PostgreSQL transaction (never before: no loss), by a background
    committer every COMMIT_EVERY_SECONDS: a slow or failing commit (a broker away) never holds processing back, an
    idle group's lag reaches 0, and what a crash brings back the consumer's (stream_id, version) dedup absorbs. A
    failure nacks: Kafka seeks back and redelivers the message (FastStream's `reject()` would skip it). `restart()`
    builds a new Kafka consumer, which starts again from the committed offsets (from the earliest when the broker
    lost them)."""

    def __init__(self, broker: Any, consumer: IdempotentConsumer, topic_names: tuple[str, ...], group_id: str) -> None:
        self.consumer = consumer
        self.group_id = group_id
        self._pending: dict[TopicPartition, int] = {}
        self._processed: dict[TopicPartition, int] = {}  # the next offset to process, per partition

        async def on_batch(message: KafkaMessage) -> None:
            records = message.raw_message
            assert isinstance(records, tuple)
            try:
                await consumer.handle_batch([Delivery(r.topic, r.partition, r.offset, r.value or b"") for r in records])
            except Exception:
                await message.nack()  # every partition of the batch rewound to its first record
                raise
            for record in records:  # in offset order within each partition
                partition = TopicPartition(record.topic, record.partition)
                self._pending[partition] = self._processed[partition] = record.offset + 1

        on_batch.__name__ = f"on_{consumer.name.replace('.', '_').replace('-', '_')}"
        self.subscriber = broker.subscriber(
            *topic_names,
            group_id=group_id,
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.MANUAL,
            batch=True,
            max_records=BATCH_MAX_RECORDS,
            batch_timeout_ms=BATCH_TIMEOUT_MS,
            **CONSUMER_TUNING,
        )
        self.subscriber(on_batch)

    async def commit(self) -> None:
        """Commit what was processed since the last commit (a failure is logged: the next one covers it)."""
        kafka_consumer = self.subscriber.consumer
        if not self._pending or kafka_consumer is None:
            return
        offsets, self._pending = self._pending, {}
        try:
            await asyncio.wait_for(kafka_consumer.commit(offsets), COMMIT_TIMEOUT_SECONDS)
        except Exception as error:  # noqa: BLE001 - revoked partitions, a broker away: dedup absorbs a redelivery
            log.info("consumer.commit_failed", consumer=self.consumer.name, error=repr(error))

    async def lags(self) -> dict[tuple[str, int], int]:
        """Messages on each assigned partition not processed yet: the high watermark less the next offset to process
        (what this consumer processed, else where it stands). Partitions whose watermark is not known yet are left
        out."""
        kafka_consumer = self.subscriber.consumer
        if kafka_consumer is None:
            return {}
        found = {}
        for partition in kafka_consumer.assignment():
            highwater = kafka_consumer.highwater(partition)
            if highwater is None:
                continue
            position = self._processed.get(partition)
            if position is None:
                position = await kafka_consumer.position(partition)
            found[(partition.topic, partition.partition)] = max(0, highwater - position)
        return found

    async def lag_seconds(self) -> float | None:
        """How far behind the log the consumer's projection is, in seconds: 0 when no message waits; else the age of
        the last event it applied (None: none applied since this process started)."""
        if sum((await self.lags()).values()) == 0:
            return 0.0
        applied = self.consumer.last_applied_recorded_at
        return None if applied is None else max(0.0, (datetime.now(UTC) - applied).total_seconds())

    async def run_committer(self) -> None:
        while True:
            await asyncio.sleep(COMMIT_EVERY_SECONDS)
            await self.commit()

    async def restart(self) -> None:
        """A new Kafka consumer: after the broker lost its log and offsets, read the topics again from the start."""
        self._pending, self._processed = {}, {}
        await self.subscriber.stop()
        await self.subscriber.start()
        log.warning("consumer.restarted", consumer=self.consumer.name, group=self.group_id)


def subscribe(broker: Any, consumer: IdempotentConsumer, *topic_names: str, group_id: str) -> Subscription:
    """Feed `topic_names` to `consumer`, in batches (see Subscription)."""
    return Subscription(broker, consumer, topic_names, group_id)


COMMIT_EVERY_SECONDS = 0.5
# A batch is what one poll returns, up to this many records: large enough to amortise the transaction and, while a
# backlog is caught up, for the successive events of a stream to share one signature check (Verifier.verify_chains);
# small enough that a batch split after a failure (each message alone) stays short. An idle poll waits
# BATCH_TIMEOUT_MS.
BATCH_MAX_RECORDS = 2000
BATCH_TIMEOUT_MS = 25
COMMIT_TIMEOUT_SECONDS = 5.0


def dead_letter_publisher(broker: KafkaBroker, topic: str = topics.DEAD_LETTERS) -> DeadLetter:
    """Publish parked messages, with their reason, to the dead-letter topic."""

    async def publish(record: dict[str, Any]) -> None:
        await broker.publish(record, topic, key=(record.get("stream_id") or "?").encode())

    return publish


def document_topic(broker: KafkaBroker, topic: str, logical_topic: str) -> None:
    """Declare what the relay publishes on `topic`, for the AsyncAPI document (the relay itself sends): the public
    topic as the published language, with its payload's schema; every service topic as internal and confidential."""
    headers = "headers content-type, event_type, schema_version, correlation_id"
    if logical_topic == topics.PUBLIC:
        broker.publisher(
            topic,
            title=f"{topic}:publish",
            schema=MessagePublic,
            description=(
                "PUBLIC, the published language for downstream systems (version 1): one message per publication the "
                "SGPI, the CDC and the DTI cleared, from its embargo on, as frozen when requested (its digest lets "
                f"anyone recompute it). Key: the stream id public-<publication_id>; {headers}. Signed by reporting."
            ),
        )
        return
    names = topics.event_types_on(logical_topic)
    broker.publisher(
        topic,
        title=f"{topic}:publish",
        schema=EventEnvelope,
        description=(
            "INTERNAL AND CONFIDENTIAL: for the Rebond services only (dossiers, opinions, company-level data); "
            "downstream systems subscribe to public.publications.v1. "
            f"Events keyed by stream_id, in stream order ({headers}): {', '.join(names)}. Each payload (`data`) "
            "follows contracts/schemas/<event_type>.v<schema_version>.json."
        ),
    )
