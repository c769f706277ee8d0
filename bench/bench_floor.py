"""The floor under the consumer targets: what the guarantees alone cost per event, beside a raw aiokafka consumer.

    .venv/bin/python bench/bench_floor.py [--events 20000] [--stream-length 40]

A consumer of Rebond's topics must, for each event, parse it, validate its envelope, check its hash, check its
producer's signature (once per chain of a batch: kernel.signing.Verifier.verify_chains), and decode its payload into
its contract's model; a projection then turns it into rows. This bench runs those steps alone, in this process, on
the same synthetic grants as bench_e2e.py (signed before the clock starts), with no database and no broker, and
prints how many events per second each cumulative stage allows, beside a raw aiokafka consumer reading the same
events from the broker (in a group, committing per poll). The last ratio is a ceiling: a live projection or a rebuild
that does all the checks cannot go faster than it, whatever its database and broker code.

Every stage is timed over the whole set, on one thread (the signatures on one thread too: kernel.adapters.proof
spreads them over threads, which a machine with idle cores turns into time). Read the ratios: the machine is
shared."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import orjson  # noqa: E402
from bench_e2e import publish_all, raw_consumer_rate, signed_bodies  # noqa: E402
from common import start_infra  # noqa: E402

from contracts.catalog import decode  # noqa: E402
from contracts.codec import ReceivedEvent, open_envelope  # noqa: E402
from kernel.adapters.kafka import ensure_topics  # noqa: E402
from kernel.signing import Signer, Verifier  # noqa: E402
from reporting.adapters.projection import facts_of  # noqa: E402

BATCH = 2000  # the consumers' batch size (kernel.adapters.kafka.BATCH_MAX_RECORDS)


def rate(count: int, work: Callable[[], Any], rounds: int = 3) -> float:
    """Events per second of `work` over `count` events, best of `rounds` (the least disturbed by neighbours)."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return count / best


def main(count: int, stream_length: int) -> None:
    signer = Signer.generate()
    verifier = Verifier.from_text(f"financement:{signer.public_text}")
    bodies = [body for _, body in signed_bodies(count, signer, stream_length)]
    envelopes = [open_envelope(body)[0] for body in bodies]
    received = [ReceivedEvent(e, decode(e.event_type, e.schema_version, e.data)) for e in envelopes]
    batches = [envelopes[k : k + BATCH] for k in range(0, count, BATCH)]

    def parse() -> None:
        for body in bodies:
            orjson.loads(body)

    def open_all() -> None:
        for body in bodies:
            open_envelope(body)

    def signatures_per_chain() -> None:
        for batch in batches:
            verifier.verify_chains(batch)

    def signatures_each() -> None:
        for envelope in envelopes:
            verifier.check(envelope)

    def payloads() -> None:
        for envelope in envelopes:
            decode(envelope.event_type, envelope.schema_version, envelope.data)

    def rows() -> None:
        for event in received:
            facts_of(event)

    parsed, opened = 1 / rate(count, parse), 1 / rate(count, open_all)  # seconds per event
    seconds = {  # per event, what each stage adds to the ones above it
        "parse (orjson)": parsed,
        "+ envelope validated, hash checked": opened - parsed,
        "+ signatures, one per chain and batch": 1 / rate(count, signatures_per_chain),
        "+ payload decoded into its contract": 1 / rate(count, payloads),
        "+ projection rows": 1 / rate(count, rows),
    }
    every_signature = 1 / rate(count, signatures_each)
    tails = sum(len(Verifier.chain_tails(batch)) for batch in batches)

    infra = start_infra()
    try:
        topic = f"bench-floor-{uuid.uuid4().hex[:8]}"
        raw = asyncio.run(_raw(infra.kafka_bootstrap, topic, bodies))
    finally:
        infra.stop()

    print(f"raw aiokafka consumer: {raw:9.0f} events/s (the same {count} events from offset 0, a commit per poll)")
    total = 0.0
    for stage, cost in seconds.items():
        total += cost
        print(f"{stage:40s} {1 / total:9.0f} events/s, ×raw {1 / total / raw:.3f} ({cost * 1e6:5.1f} µs/event)")
    print(
        f"signatures: {tails} checks for {count} events in chains of {stream_length} "
        f"(checking every event's own: {every_signature * 1e6:.1f} µs/event)"
    )
    print(f"ceiling for a consumer that checks everything, on one core: ×raw {1 / total / raw:.3f}")


async def _raw(bootstrap: str, topic: str, bodies: list[bytes]) -> float:
    await ensure_topics(bootstrap, [topic])
    await publish_all(bootstrap, topic, [(str(i % 500).encode(), body) for i, body in enumerate(bodies)])
    return (
        await raw_consumer_rate(bootstrap, topic, len(bodies)) + await raw_consumer_rate(bootstrap, topic, len(bodies))
    ) / 2


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--stream-length", type=int, default=40)
    arguments = parser.parse_args()
    main(arguments.events, arguments.stream_length)
