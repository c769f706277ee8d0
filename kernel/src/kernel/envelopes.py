"""Wrap freshly decided events into sealed, chained envelopes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from contracts.base import DomainEvent
from contracts.envelope import EventEnvelope, seal
from kernel.ports import CommandContext, RecordedEvent
from kernel.signing import Signer


def envelop(
    producer: str,
    stream_id: str,
    events: Sequence[DomainEvent],
    expected_version: int,
    previous_hash: str | None,
    context: CommandContext,
    signer: Signer | None = None,
) -> list[RecordedEvent]:
    """Number the events after `expected_version`, chain each to its predecessor's hash, and sign each hash with
    the producing service's key (stores of unit tests may go unsigned)."""
    recorded_at = datetime.now(UTC)
    sealed: list[RecordedEvent] = []
    for index, event in enumerate(events):
        envelope: EventEnvelope = seal(
            {
                "event_id": str(context.event_id(index)),
                "event_type": event.event_type,
                "schema_version": event.schema_version,
                "stream_id": stream_id,
                "stream_version": expected_version + index + 1,
                "occurred_at": context.occurred_at.isoformat(),
                "recorded_at": recorded_at.isoformat(),
                "correlation_id": context.correlation_id,
                "causation_id": context.causation_id,
                "actor": context.actor.model_dump(mode="json"),
                "producer": producer,
                "previous_hash": previous_hash,
                "data": event.model_dump(mode="json"),
            }
        )
        if signer is not None:
            envelope = envelope.model_copy(update={"signature": signer.sign(envelope.hash)})
        previous_hash = envelope.hash
        sealed.append(RecordedEvent(envelope, event))
    return sealed
