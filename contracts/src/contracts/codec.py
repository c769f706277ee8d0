"""Kafka message bodies: an EventEnvelope as JSON, decoded with upcasting of its payload."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import orjson

from contracts.base import DomainEvent
from contracts.catalog import decode
from contracts.envelope import UNHASHED, EventEnvelope, chain_hash


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


def open_envelope(body: bytes | str) -> tuple[EventEnvelope, bool]:
    """A message body as an envelope, and whether its hash is intact, in one pass (raises ValueError when the body is
    not an envelope).

    The envelope is validated from the very document whose hash is checked (parsed once, by orjson), and that
    document is hashed as it arrived: no second serialisation through the model, which cost two thirds of a
    consumer's work per event before its signature. Anything else (a body the producer wrote otherwise than
    canonically, an integer orjson reads as a float, an invalid body) takes the path `hash_is_intact` takes, so the
    fast path never accepts what that path refuses: equal hashes mean the same canonical bytes, hence the same
    document."""
    try:
        document: Any = orjson.loads(body)
        envelope = EventEnvelope.model_validate(document)
        unhashed = dict(document)
        for key in UNHASHED:
            unhashed.pop(key, None)
        if hashlib.sha256(orjson.dumps(unhashed, option=orjson.OPT_SORT_KEYS)).hexdigest() == envelope.hash:
            return envelope, True
    except ValueError:  # orjson's JSONDecodeError and pydantic's ValidationError: judged below, as before
        pass
    envelope = EventEnvelope.model_validate_json(body)
    return envelope, hash_is_intact(envelope)
