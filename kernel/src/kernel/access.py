"""Reads of confidential content are recorded in the access log, within a rate limit per reader.

Every successful read of a dossier is recorded (who, role, purpose, version, when) before it is answered; a reader
that reads more than READS_PER_MINUTE dossiers in a minute is told to slow down (429): mass extraction is not
consultation."""

from __future__ import annotations

from kernel.decider import DomainError, RefusalKind
from kernel.ports import AccessLog, CommandContext, Read

READS_PER_MINUTE = 120


class TropDeLectures(DomainError):
    reason = "trop_de_lectures"
    kind = RefusalKind.RATE_LIMITED


async def record_read(log: AccessLog, stream_id: str, version: int, context: CommandContext, purpose: str) -> None:
    """Record the read, or refuse it (nothing answered, nothing recorded) past the rate limit."""
    if await log.recent_reads(context.actor.id, 60.0) >= READS_PER_MINUTE:
        raise TropDeLectures(f"plus de {READS_PER_MINUTE} lectures en une minute: réessayez plus tard")
    await log.record(Read(stream_id, version, context.actor, purpose, context.occurred_at, context.correlation_id))
