"""The envelope every event travels in, and the hash chain that makes tampering evident."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.base import Role


class Actor(BaseModel):
    """Who took the decision, in which role (and, for a territory or a COPIL, its scope)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str = Field(min_length=1)
    role: Role
    scope: str | None = None


class EventEnvelope(BaseModel):
    """Metadata + payload. `hash` covers every other field but the signature, `previous_hash` links the stream,
    and `signature` is the producing service's Ed25519 signature of `hash` (kernel.signing)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    event_id: UUID
    event_type: str
    schema_version: int = Field(ge=1)
    stream_id: str
    stream_version: int = Field(ge=1)
    occurred_at: AwareDatetime
    recorded_at: AwareDatetime
    correlation_id: str
    causation_id: str | None = None
    actor: Actor
    producer: str
    previous_hash: str | None
    hash: str
    data: dict[str, Any]
    signature: str | None = None

    def to_json(self) -> bytes:
        return self.model_dump_json().encode()


UNHASHED = frozenset({"hash", "signature"})  # the signature signs the hash, so it cannot be inside it


def canonical(document: dict[str, Any]) -> bytes:
    """Stable bytes for hashing: sorted keys, no spaces, UTF-8."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(unhashed: dict[str, Any]) -> str:
    """SHA-256 of the envelope without its own `hash` and its `signature` (it includes `previous_hash`)."""
    body = {k: v for k, v in unhashed.items() if k not in UNHASHED}
    return hashlib.sha256(canonical(body)).hexdigest()


def seal(fields: dict[str, Any]) -> EventEnvelope:
    """Build an envelope from its fields, computing its hash over their JSON form."""
    envelope, _ = seal_and_render(fields)
    return envelope


def seal_and_render(
    fields: dict[str, Any], sign: Callable[[str], str] | None = None
) -> tuple[EventEnvelope, dict[str, Any]]:
    """`seal`, signed by `sign` when given, with the envelope's JSON form (`model_dump(mode="json")`): the store
    records that form, rendered once for the hash and the record."""
    unsealed = EventEnvelope.model_validate({**fields, "hash": ""})
    document = unsealed.model_dump(mode="json")
    digest = chain_hash(document)
    signature = sign(digest) if sign is not None else None
    document["hash"], document["signature"] = digest, signature
    return unsealed.model_copy(update={"hash": digest, "signature": signature}), document
