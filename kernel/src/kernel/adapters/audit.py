"""The auditor's reads: a service's log in commit order from its database (streamed, never all in memory at once
but for each event's (stream, version) → hash), its signed checkpoints, and the copies of both on Kafka. The checks
themselves are kernel.log_audit's; the command line is rebond_audit's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from contracts import topics
from contracts.codec import hash_is_intact
from contracts.envelope import EventEnvelope
from contracts.log_checkpoint import LogCheckpoint
from kernel.adapters.kafka_log import KafkaLog
from kernel.adapters.log_checkpoints import checkpoints_in
from kernel.adapters.postgres import Connection
from kernel.log_audit import Finding, LogAudit
from kernel.signing import UntrustedEvent, Verifier

Progress = Callable[[int], None]  # called with how many more events were read

LOG_IN_COMMIT_ORDER = """
SELECT transaction_id::text::bigint AS transaction_id, position, envelope::text AS envelope
  FROM events ORDER BY transaction_id, position"""


@dataclass
class DatabaseAudit:
    audit: LogAudit
    keyed: dict[tuple[str, int], str] = field(default_factory=dict)  # (stream_id, version) → hash


async def count_events(conn: Connection) -> int:
    return int(await conn.fetchval("SELECT count(*) FROM events"))


async def audit_database(
    conn: Connection,
    service: str,
    verifier: Verifier | None,
    checkpoints: list[LogCheckpoint],
    progress: Progress | None = None,
) -> DatabaseAudit:
    """Replay the log in commit order through a LogAudit (a server-side cursor, in one read-only transaction)."""
    audit = LogAudit(service, verifier, checkpoints)
    found = DatabaseAudit(audit)
    async with conn.transaction(readonly=True, isolation="repeatable_read"):
        batch = 0
        async for row in conn.cursor(LOG_IN_COMMIT_ORDER, prefetch=2000):
            try:
                envelope = EventEnvelope.model_validate_json(row["envelope"])
            except ValidationError as error:
                audit.findings.append(Finding("altered", f"position {row['position']}", f"not an envelope: {error}"))
                continue
            audit.add((row["transaction_id"], row["position"]), envelope)
            found.keyed[envelope.stream_id, envelope.stream_version] = envelope.hash
            batch += 1
            if progress is not None and batch == 1000:
                progress(batch)
                batch = 0
        if progress is not None and batch:
            progress(batch)
    audit.finish()
    return found


async def database_checkpoints(conn: Connection, service: str) -> list[LogCheckpoint]:
    exists = await conn.fetchval("SELECT to_regclass('log_checkpoints') IS NOT NULL")
    return await checkpoints_in(conn, service) if exists else []


@dataclass
class KafkaCopy:
    """What Kafka holds of one service: its events (first copy of each version) and its signed checkpoints."""

    events: dict[tuple[str, int], str] = field(default_factory=dict)
    checkpoints: list[LogCheckpoint] = field(default_factory=list)
    unreadable: int = 0  # not an envelope or a checkpoint
    unproven: int = 0  # an envelope under this service's name that it did not sign


async def read_kafka(
    bootstrap: str,
    service: str,
    topic_prefix: str = "",
    client_options: dict[str, Any] | None = None,
    verifier: Verifier | None = None,
    progress: Progress | None = None,
) -> KafkaCopy:
    """Read the service's topics and the checkpoints topic from their start to their end (no consumer group). With
    a verifier, an event on Kafka counts only if its producer signed it (anyone may write to a topic)."""
    copy = KafkaCopy()
    names = [topic_prefix + t for t in (*topics.topics_of(service), topics.LOG_CHECKPOINTS)]
    checkpoints_topic = topic_prefix + topics.LOG_CHECKPOINTS
    async with KafkaLog(bootstrap, names, client_options=client_options, client_id="rebond.audit") as kafka:
        async for records in kafka.records_until_end():
            for topic, body in records:
                if topic == checkpoints_topic:
                    _keep_checkpoint(copy, service, body)
                else:
                    _keep_event(copy, service, body, verifier)
            if progress is not None:
                progress(len(records))
    return copy


def _keep_checkpoint(copy: KafkaCopy, service: str, body: bytes) -> None:
    try:
        checkpoint = LogCheckpoint.model_validate_json(body)
    except ValidationError:
        copy.unreadable += 1
        return
    if checkpoint.service == service and checkpoint not in copy.checkpoints[-10:]:  # republished: the same one
        copy.checkpoints.append(checkpoint)


def _keep_event(copy: KafkaCopy, service: str, body: bytes, verifier: Verifier | None) -> None:
    try:
        envelope = EventEnvelope.model_validate_json(body)
    except ValidationError:
        copy.unreadable += 1
        return
    if envelope.producer != service:
        return
    if not hash_is_intact(envelope):
        copy.unproven += 1
        return
    if verifier is not None:
        try:
            verifier.verify(envelope)
        except UntrustedEvent:
            copy.unproven += 1
            return
    copy.events.setdefault((envelope.stream_id, envelope.stream_version), envelope.hash)  # republished: the same
