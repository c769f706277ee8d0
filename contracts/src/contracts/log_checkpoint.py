"""A signed checkpoint of a service's log: how many events and streams it held up to a point of its commit order,
and a digest that folds every event's hash in that order. Published on Kafka (topics.LOG_CHECKPOINTS) as well as
kept in the database, so an auditor compares the log with a copy its insiders cannot rewrite: a deleted event or
stream, a truncated stream or a rewritten one changes the count, the stream count or the digest, and the signature
(the service's key, which the database never holds) cannot be made again."""

from __future__ import annotations

import hashlib

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.envelope import canonical

DIGEST_OF_NOTHING = hashlib.sha256(b"").hexdigest()


def fold_digest(digest: str, event_hash: str) -> str:
    """The log digest after one more event, in commit order: sha256(previous digest ‖ event hash)."""
    return hashlib.sha256(f"{digest}{event_hash}".encode()).hexdigest()


class LogCheckpoint(BaseModel):
    """The log of `service` up to (transaction_id, position) in commit order, `sequence`-th of its checkpoints."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    service: str = Field(min_length=1, max_length=64)
    sequence: int = Field(ge=1)
    transaction_id: int = Field(ge=0)  # PostgreSQL's xid8 of the last event covered
    position: int = Field(ge=0)  # and its position: together, the place in commit order
    events: int = Field(ge=0)  # events recorded up to there
    streams: int = Field(ge=0)  # streams begun up to there (events of version 1)
    digest: str = Field(pattern=r"^[0-9a-f]{64}$")
    taken_at: AwareDatetime
    signature: str | None = None  # Ed25519 by the service, of signed_text()

    def signed_text(self) -> str:
        """What the signature covers: every other field, in canonical JSON."""
        return canonical(self.model_dump(mode="json", exclude={"signature"})).decode()
