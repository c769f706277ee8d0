"""Kafka message bodies: an EventEnvelope as JSON, decoded with upcasting of its payload."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.base import DomainEvent
from contracts.catalog import decode
from contracts.envelope import EventEnvelope, chain_hash


@dataclass(frozen=True, slots=True)
class ReceivedEvent:
    """An envelope and its payload decoded into the latest model of its type."""

    envelope: EventEnvelope
    event: DomainEvent


def decode_message(body: bytes | str) -> ReceivedEvent:
    envelope = EventEnvelope.model_validate_json(body)
    return ReceivedEvent(envelope, decode(envelope.event_type, envelope.schema_version, envelope.data))


def hash_is_intact(envelope: EventEnvelope) -> bool:
    return chain_hash(envelope.model_dump(mode="json")) == envelope.hash
