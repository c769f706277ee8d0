"""End-to-end figures on the running system (the four services as processes, real broker and PostgreSQL).

    .venv/bin/python bench/bench_e2e.py [--aids 200] [--rebuild-events 20000] [--stream-length 40]

Prints:
- command → figure latency: from Bpifrance's accepted grant (HTTP 201 from financement) to the aid showing in
  reporting's figures (relay → Kafka → reporting's projection), p50 and p99 over sequential grants;
- live projection rate: how fast reporting's consumer absorbs synthetic, valid, signed events published straight to
  Kafka (prepared and signed before the clock starts, then published by a plain producer: the time is the
  projection's, from the first publish to the last event in the figures); the events are grants chained in
  envelopes of `--stream-length` each, the envelopes interleaved as a log interleaves them (1: every event a stream
  of its own, each with its own signature to check);
- projection rebuild rate: reporting's POST /ops/rebuild replaying its topics from offset 0 (events/s over the whole
  request, the figures' comparison included);
- the baseline beside them: a raw aiokafka consumer in a group of its own reading the same topic from offset 0 and
  committing after each poll, and the ratios (targets: live ≥ 0.25, rebuild ≥ 0.5)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer  # noqa: E402
from common import describe, start_infra, target  # noqa: E402

from contracts import topics  # noqa: E402
from contracts.base import Role  # noqa: E402
from contracts.envelope import Actor  # noqa: E402
from contracts.financement.v1 import AideAccordee  # noqa: E402
from kernel.envelopes import envelop  # noqa: E402
from kernel.ports import CommandContext  # noqa: E402
from kernel.signing import Signer  # noqa: E402
from rebond_local.demo import (  # noqa: E402
    CDC,
    DEMO_CLOCK_START,
    SGPI,
    Demo,
    Territoire,
    actor,
    check,
    synthetic_siret,
    until,
)
from rebond_local.demo_missions import Aides, Missions, Plan  # noqa: E402
from rebond_local.supervisor import start_system  # noqa: E402

BENCH_PLAN = Plan(
    tid="bench",
    convention="2022-12-01",
    lancement="2022-12-05",
    entreprises=10,
    projets=1,
    investissement_eur=1,
    emplois=0,
    qualifies=1,
    emplois_qualifies=0,
    aides=Aides(1, 100_000, 700_000, "ENVIRONNEMENT"),
    enveloppe=(("ETAT_FRANCE_2030", 1),),
    seed=31_000_000,
)


async def prepare_territory(client: httpx.AsyncClient, urls: dict[str, str], aids: int) -> None:
    """One laureate through the whole selection chain, its mission launched, an envelope large enough for every
    aid, and `aids` projects recorded by the census, qualified at a COPIL a minima and instructed favourably by
    Bpifrance (the demo's own steps, rebond_local.demo_missions)."""
    demo = Demo(client, urls, scenario=[Territoire("bench", "Territoire de mesure", "32", (20001234,), 1)])
    plan = replace(
        BENCH_PLAN,
        projets=aids,
        qualifies=aids,
        investissement_eur=aids * 1_000_000,
        aides=replace(BENCH_PLAN.aides, nombre=aids),
        enveloppe=(("ETAT_FRANCE_2030", aids * 100_000),),
    )
    missions = Missions(demo)
    await demo.play(
        [
            ("2022-09-12", lambda: demo.deposit_wave(1)),
            *demo.selection_steps(1),
            *[
                (day, step)
                for day, step in missions.mission(plan)
                if getattr(step, "func", None) not in (missions.accorder, missions.fins)
            ],
        ]
    )

    async def instructed() -> bool:
        answer = await client.get(f"{urls['financement']}/enveloppes/bench", headers=CDC)
        return answer.status_code == 200 and len(answer.json()["instructions"]) >= aids

    await until(instructed, "financement to know every instruction", timeout=120)


async def measure_latency(client: httpx.AsyncClient, urls: dict[str, str], aids: int) -> list[float]:
    fin, rep = urls["financement"], urls["reporting"]
    samples = []
    for i in range(aids):
        started = time.perf_counter()
        await check(
            await client.post(
                f"{fin}/enveloppes/bench/aides",
                headers=actor("BPIFRANCE_CHARGE", "bpi"),
                json={
                    "aide_id": f"a{i}",
                    "projet_id": f"bench-p{i + 1:03d}",
                    "forme": "SUBVENTION",
                    "montant_centimes": 10_000_000,
                    "instance_decision": "Comité des financeurs",
                    "date_decision": BENCH_PLAN.jour(15, BENCH_PLAN.copils[2]),
                },
            )
        )
        while True:
            response = await client.get(f"{rep}/figures/territoires/bench", headers=SGPI)
            if response.status_code == 200 and response.json()["nb_aides"] == i + 1:
                break
            await asyncio.sleep(0.002)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def signed_bodies(count: int, signer: Signer, stream_length: int) -> list[tuple[bytes, bytes]]:
    """`count` valid AideAccordee envelopes as (key, body), prepared before any timing: chains of `stream_length`
    events (an envelope's successive grants, each linked to the one before), the streams interleaved as grants to
    many territories interleave in a log."""
    context = CommandContext(
        actor=Actor(id="bpi", role=Role.BPIFRANCE_CHARGE), occurred_at=datetime(2023, 5, 1, tzinfo=UTC)
    )
    run = uuid.uuid4().hex[:8]
    streams = max(1, count // stream_length)
    heads: dict[int, tuple[int, str | None]] = {}
    found = []
    for i in range(count):
        event = AideAccordee(
            aide_id=f"x{i}",
            projet_id=f"xp{i}",
            territoire_id=f"synthetique-{i % 50}",
            siret=synthetic_siret(32_000_000 + i % 1000),
            forme="SUBVENTION",
            montant_centimes=1_000_000,
            assiette_centimes=40_000_000,
            regime="PME",
            date_decision=date(2023, 5, 1) + timedelta(days=i % 300),
            publication_obligatoire=False,
            demande_id=None,
            plafond_aide_centimes=None,
            instance_decision="Comité des financeurs",
        )
        stream = f"enveloppe-synthetique-{run}-{i % streams}"
        version, previous = heads.get(i % streams, (0, None))
        (recorded,) = envelop("financement", stream, [event], version, previous, context, signer)
        heads[i % streams] = (version + 1, recorded.envelope.hash)
        found.append((stream.encode(), recorded.envelope.to_json()))
    return found


async def publish_all(bootstrap: str, topic: str, messages: list[tuple[bytes, bytes]]) -> None:
    """Publish the prepared messages as fast as a plain aiokafka producer goes (acks=all, as the relay)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5, max_batch_size=1 << 20)
    await producer.start()
    try:
        sent = [await producer.send(topic, body, key=key) for key, body in messages]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


async def raw_consumer_rate(bootstrap: str, topic: str, count: int) -> float:
    """Events/s of a bare aiokafka consumer reading `count` messages of `topic` from offset 0, committing per poll."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"bench-raw-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        seen, started = 0, time.perf_counter()
        while seen < count:
            batches = await consumer.getmany(timeout_ms=500, max_records=500)
            seen += sum(len(records) for records in batches.values())
            if batches:
                await consumer.commit()
        return seen / (time.perf_counter() - started)
    finally:
        await consumer.stop()


async def main(aids: int, rebuild_events: int, stream_length: int) -> None:
    infra = start_infra()
    prefix = f"bench{uuid.uuid4().hex[:6]}."
    system = await start_system(
        infra,
        Path(tempfile.mkdtemp(prefix="rebond-bench-")),
        simulated_clock=DEMO_CLOCK_START,
        topic_prefix=prefix,
        database_prefix=prefix.replace(".", "_"),
    )
    try:
        urls = {name: s.url for name, s in system.services.items()}
        async with httpx.AsyncClient(timeout=120) as client:
            await prepare_territory(client, urls, aids)
            samples = await measure_latency(client, urls, aids)
            print(f"command → figure latency: {describe(samples)}")
            messages = signed_bodies(rebuild_events, system.signers["financement"], stream_length)
            started = time.perf_counter()
            await publish_all(infra.kafka_bootstrap, prefix + topics.FINANCEMENT, messages)
            published = time.perf_counter() - started
            await until(
                lambda: _national_aids(client, urls["reporting"], aids + rebuild_events),
                "the live projection to catch up",
                timeout=600,
            )
            caught_up = time.perf_counter() - started
            live = rebuild_events / caught_up
            print(
                f"live projection:    {live:8.0f} events/s ({rebuild_events} events published "
                f"in {published:.1f} s, all projected {caught_up:.1f} s after the first)"
            )
            raw_before = await raw_consumer_rate(infra.kafka_bootstrap, prefix + topics.FINANCEMENT, rebuild_events)
            started = time.perf_counter()
            result = await check(
                await client.post(
                    f"{urls['reporting']}/ops/rebuild", headers=actor("SYSTEME", "bench"), params={"source": "topics"}
                )
            )
            elapsed = time.perf_counter() - started
            rebuilt = result["events_read"] / elapsed
            print(
                f"projection rebuild: {rebuilt:8.0f} events/s "
                f"({result['events_read']} events from offset 0 in {elapsed:.1f} s; identical={result['identical']})"
            )
            raw_after = await raw_consumer_rate(infra.kafka_bootstrap, prefix + topics.FINANCEMENT, rebuild_events)
            raw = (raw_before + raw_after) / 2  # read before and after, the machine being shared
            print(f"raw aiokafka:       {raw:8.0f} events/s (same topic from offset 0, a commit per poll; mean of 2)")
            print(f"live projection ×raw: {live / raw:.3f}; rebuild ×raw: {rebuilt / raw:.3f}")
            print(target("live projection vs raw aiokafka", live / raw, 0.25))
            print(target("rebuild vs raw aiokafka", rebuilt / raw, 0.5))
            p99 = sorted(samples)[int(0.99 * (len(samples) - 1))]
            print(target("command → figure p99 (sequential grants) / 250 ms", p99 / 250, 1.0, at_most=True))
    finally:
        system.stop()
        infra.stop()


async def _national_aids(client: httpx.AsyncClient, rep: str, count: int) -> bool:
    response = await client.get(f"{rep}/figures/national", headers=SGPI)
    return (
        response.status_code == 200 and sum(f["nombre"] for f in response.json()["aides_par_forme"].values()) == count
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--aids", type=int, default=200)
    parser.add_argument("--rebuild-events", type=int, default=20000)
    parser.add_argument("--stream-length", type=int, default=40, help="events per stream of the synthetic aids")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.aids, arguments.rebuild_events, arguments.stream_length))
