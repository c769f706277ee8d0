"""What a consumer or a replay accepts of a batch of message bodies: each decoded once and its hash checked as it
arrived (contracts.codec.open_envelope), then its producer's signature, off the event loop and on every core.

libsodium (PyNaCl, kernel.signing) releases the GIL while it checks an Ed25519 signature, so the checks a batch needs
(its chains' tails: kernel.signing.Verifier.chain_tails) run on a few threads at once (measured here on two cores:
54 µs a check alone, 34 µs each with two threads). A small batch is checked in place: a hop to a thread would cost
more than it saves, and a single live event would wait for it."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from contracts.codec import open_envelope
from contracts.envelope import EventEnvelope
from kernel.signing import UntrustedEvent, Verifier

WORKERS = max(2, os.cpu_count() or 2)
IN_PLACE_BELOW = 32  # checks a batch needs under which they run in place
YIELD_EVERY = 200  # bodies opened (or prepared, by a replay) between two returns to the event loop
_POOL = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="rebond-signatures")


@dataclass(frozen=True, slots=True)
class Refused:
    """A body not accepted: `undecodable` (not an envelope) or `forged` (its hash or its signature fails)."""

    index: int
    kind: str
    reason: str
    envelope: EventEnvelope | None


async def open_and_prove(
    verifier: Verifier, bodies: Sequence[bytes], signatures: bool = True
) -> tuple[list[tuple[int, EventEnvelope]], list[Refused]]:
    """The bodies proven (by index, in order) and those refused, with why. `signatures=False`: hashes only, for a
    replay that proves its streams' signatures once it is over (reporting's deferred proof)."""
    opened: list[tuple[int, EventEnvelope]] = []
    refused: list[Refused] = []
    for index, body in enumerate(bodies):
        if index and index % YIELD_EVERY == 0:
            await asyncio.sleep(0)  # what else the event loop runs meanwhile (a replay writes the batch before)
        try:
            envelope, intact = open_envelope(body)
        except ValueError as error:  # pydantic's ValidationError included
            refused.append(Refused(index, "undecodable", f"undecodable envelope: {error}", None))
            continue
        if intact:
            opened.append((index, envelope))
        else:
            refused.append(Refused(index, "forged", "not proven: its content does not match its hash", envelope))
    if not signatures:
        return opened, refused
    proven = []
    errors = await prove_chains(verifier, [envelope for _, envelope in opened])
    for (index, envelope), untrusted in zip(opened, errors, strict=True):
        if untrusted is None:
            proven.append((index, envelope))
        else:
            refused.append(Refused(index, "forged", f"not proven: {untrusted}", envelope))
    return proven, refused


async def prove_chains(verifier: Verifier, envelopes: Sequence[EventEnvelope]) -> list[UntrustedEvent | None]:
    """`verifier.verify_chains(envelopes)`, the chains' tails checked in parallel first."""
    tails = Verifier.chain_tails(envelopes)
    if len(tails) < IN_PLACE_BELOW:
        return verifier.verify_chains(envelopes)
    loop = asyncio.get_running_loop()
    chunks = [tails[k::WORKERS] for k in range(WORKERS)]
    results = await asyncio.gather(
        *(loop.run_in_executor(_POOL, _check_all, verifier, [envelopes[i] for i in chunk]) for chunk in chunks)
    )
    checked = {
        index: error
        for chunk, errors in zip(chunks, results, strict=True)
        for index, error in zip(chunk, errors, strict=True)
    }
    return verifier.verify_chains(envelopes, checked)


def _check_all(verifier: Verifier, envelopes: list[EventEnvelope]) -> list[UntrustedEvent | None]:
    return [verifier.check(envelope) for envelope in envelopes]
