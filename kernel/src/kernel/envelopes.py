"""Wrap freshly decided events into sealed, chained envelopes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from contracts.base import DomainEvent
from contracts.envelope import seal_and_render
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
    return [
        recorded
        for recorded, _ in envelop_and_render(
            producer, stream_id, events, expected_version, previous_hash, context, signer
        )
    ]


def envelop_and_render(
    producer: str,
    stream_id: str,
    events: Sequence[DomainEvent],
    expected_version: int,
    previous_hash: str | None,
    context: CommandContext,
    signer: Signer | None = None,
) -> list[tuple[RecordedEvent, dict[str, Any]]]:
    """`envelop`, with each envelope's JSON form, as a store records it (rendered once)."""
    recorded_at = datetime.now(UTC).isoformat()
    occurred_at = context.occurred_at.isoformat()
    actor = context.actor.model_dump(mode="json")
    sign = signer.sign if signer is not None else None
    sealed: list[tuple[RecordedEvent, dict[str, Any]]] = []
    for index, event in enumerate(events):
        envelope, document = seal_and_render(
            {
                "event_id": str(context.event_id(index)),
                "event_type": event.event_type,
                "schema_version": event.schema_version,
                "stream_id": stream_id,
                "stream_version": expected_version + index + 1,
                "occurred_at": occurred_at,
                "recorded_at": recorded_at,
                "correlation_id": context.correlation_id,
                "causation_id": context.causation_id,
                "actor": actor,
                "producer": producer,
                "previous_hash": previous_hash,
                "data": event.model_dump(mode="json"),
            },
            sign,
        )
        previous_hash = envelope.hash
        sealed.append((RecordedEvent(envelope, event), document))
    return sealed
