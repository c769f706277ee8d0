"""Auditor's check of a log: each stream's versions are contiguous, every event's hash matches its content,
and every event names its predecessor's hash. Says where the chain breaks.

    python -m kernel.adapters.audit postgresql://…/financement     # verifies a service's events table"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterable
from dataclasses import dataclass

from contracts.codec import hash_is_intact
from contracts.envelope import EventEnvelope


@dataclass(frozen=True, slots=True)
class ChainBreak:
    stream_id: str
    stream_version: int
    problem: str


def verify_chains(envelopes: Iterable[EventEnvelope]) -> tuple[int, list[ChainBreak]]:
    """Check envelopes given in per-stream order (any interleaving of streams); return (count, breaks)."""
    last: dict[str, EventEnvelope] = {}
    breaks: list[ChainBreak] = []
    count = 0
    for envelope in envelopes:
        count += 1
        previous = last.get(envelope.stream_id)
        expected_version = previous.stream_version + 1 if previous else 1
        if not hash_is_intact(envelope):
            breaks.append(ChainBreak(envelope.stream_id, envelope.stream_version, "content altered: hash mismatch"))
        if envelope.stream_version != expected_version:
            breaks.append(
                ChainBreak(
                    envelope.stream_id,
                    envelope.stream_version,
                    f"version {envelope.stream_version} follows {expected_version - 1}",
                )
            )
        elif envelope.previous_hash != (previous.hash if previous else None):
            breaks.append(
                ChainBreak(
                    envelope.stream_id, envelope.stream_version, "previous_hash does not match the preceding event"
                )
            )
        last[envelope.stream_id] = envelope
    return count, breaks


async def verify_database(database_url: str) -> tuple[int, list[ChainBreak]]:
    from kernel.adapters.postgres import create_pool

    pool = await create_pool(database_url, max_size=2)
    try:
        async with pool.acquire() as conn:
            rows = await conn.fetch("SELECT envelope FROM events ORDER BY stream_id, version")
    finally:
        await pool.close()
    return verify_chains(EventEnvelope.model_validate(row["envelope"]) for row in rows)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    count, breaks = asyncio.run(verify_database(argv[0]))
    for found in breaks:
        print(f"BREAK {found.stream_id} v{found.stream_version}: {found.problem}")
    print(f"{count} events checked, {len(breaks)} break(s)")
    return 1 if breaks else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
