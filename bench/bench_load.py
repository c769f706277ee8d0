"""Command → figure latency under an open-loop load of aid grants (the four services as processes).

    .venv/bin/python bench/bench_load.py [--rates 20,50,100] [--seconds 4] [--envelopes 20]

Twenty laureates are prepared through the demo's own steps (selection chain, mission, census, COPIL a minima,
Bpifrance's favourable instructions), each with an envelope large enough for its grants. Then, for each rate, grants
are SENT on a fixed schedule whatever the answers (open loop: a slow system queues, it does not slow the load down),
spread round-robin over the envelopes. A watcher reads reporting's `/figures/territoires` every 10 ms; a grant's
latency runs from its scheduled send to the first reading where its territory counts it (its rank among that
territory's accepted grants). Beside it, the same number of raw asyncpg INSERTs sent on the same schedule give the
floor of one round trip per command on this machine."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_e2e import BENCH_PLAN  # noqa: E402
from common import describe, fresh_database, percentile, start_infra, target  # noqa: E402

from rebond_local.demo import CDC, DEMO_CLOCK_START, SGPI, Demo, Territoire, actor, until  # noqa: E402
from rebond_local.demo_missions import Lane, Missions  # noqa: E402
from rebond_local.supervisor import start_system  # noqa: E402


async def prepare(client: httpx.AsyncClient, urls: dict[str, str], envelopes: int, per_envelope: int) -> list[str]:
    """`envelopes` laureates with `per_envelope` instructed projects each; returns their territory ids."""
    tids = [f"charge{n:02d}" for n in range(envelopes)]
    scenario = [Territoire(tid, f"Territoire de charge {n}", "32", (20002000 + n,), 1) for n, tid in enumerate(tids)]
    demo = Demo(client, urls, scenario=scenario)
    missions = Missions(demo)
    steps = [("2022-09-12", lambda: demo.deposit_wave(1)), *demo.selection_steps(1)]
    for n, tid in enumerate(tids):
        plan = replace(
            BENCH_PLAN,
            tid=tid,
            projets=per_envelope,
            qualifies=per_envelope,
            investissement_eur=per_envelope * 1_000_000,
            aides=replace(BENCH_PLAN.aides, nombre=per_envelope),
            enveloppe=(("ETAT_FRANCE_2030", per_envelope * 100_000),),
            seed=40_000_000 + n * 10_000,
        )
        steps += [
            (day, Lane(tid, step))
            for day, step in missions.mission(plan)
            if getattr(step, "func", None) not in (missions.accorder, missions.fins)
        ]
    await demo.play(steps)

    async def instructed() -> bool:
        for tid in tids:
            answer = await client.get(f"{urls['financement']}/enveloppes/{tid}", headers=CDC)
            if answer.status_code != 200 or len(answer.json()["instructions"]) < per_envelope:
                return False
        return True

    await until(instructed, "financement to know every instruction", timeout=300)
    return tids


async def open_loop(
    client: httpx.AsyncClient,
    urls: dict[str, str],
    tids: list[str],
    rate: int,
    seconds: float,
    first: dict[str, int],
    sent: dict[str, int],
) -> list[float]:
    """Send rate × seconds grants on schedule; each one's latency until reporting counts it (ms)."""
    count = int(rate * seconds)
    accepted: dict[str, list[float]] = defaultdict(list)  # territory → scheduled times of its accepted grants
    seen: dict[str, list[tuple[float, int]]] = defaultdict(list)  # territory → (reading time, nb_aides)
    done = asyncio.Event()

    async def watch() -> None:
        while not done.is_set():
            answer = await client.get(f"{urls['reporting']}/figures/territoires", headers=SGPI)
            now = time.perf_counter()
            if answer.status_code == 200:
                for row in answer.json()["territoires"]:
                    if row["territoire_id"] in first:
                        seen[row["territoire_id"]].append((now, row["nb_aides"] - first[row["territoire_id"]]))
            await asyncio.sleep(0.01)

    projects = {}  # each grant its own instructed project, numbered in schedule order per territory
    for i in range(count):
        tid = tids[i % len(tids)]
        sent[tid] += 1
        projects[i] = f"{tid}-p{sent[tid]:03d}"

    async def grant(i: int, at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        tid = tids[i % len(tids)]
        answer = await client.post(
            f"{urls['financement']}/enveloppes/{tid}/aides",
            headers=actor("BPIFRANCE_CHARGE", "bpi"),
            json={
                "aide_id": f"{tid}-r{rate}-{i}",
                "projet_id": projects[i],
                "forme": "SUBVENTION",
                "montant_centimes": 10_000_000,
                "instance_decision": "Comité des financeurs",
                "date_decision": BENCH_PLAN.jour(15, BENCH_PLAN.copils[2]),
            },
        )
        if answer.status_code == 201:
            accepted[tid].append(at)
        else:
            print(f"# grant {i} answered {answer.status_code}: {answer.text[:200]}")

    watcher = asyncio.create_task(watch())
    start = time.perf_counter() + 0.05
    await asyncio.gather(*(grant(i, start + i / rate) for i in range(count)))

    async def all_seen() -> bool:
        return all(seen[t] and seen[t][-1][1] >= len(accepted[t]) for t in accepted)

    await until(all_seen, "reporting to count every grant", timeout=300)
    done.set()
    await watcher
    latencies = []
    for tid, scheduled in accepted.items():
        for rank, at in enumerate(sorted(scheduled), start=1):
            reached = next(when for when, total in seen[tid] if total >= rank)
            latencies.append((reached - at) * 1000)
    for tid in tids:
        first[tid] += len(accepted[tid])
    return latencies


async def raw_open_loop(url: str, rate: int, seconds: float) -> list[float]:
    """The floor: one INSERT per command, sent on the same schedule over a pool of 20 connections."""
    pool = await asyncpg.create_pool(url, min_size=20, max_size=20)
    await pool.execute("CREATE TABLE IF NOT EXISTS raw_grants (id text PRIMARY KEY, body jsonb)")
    tag = uuid.uuid4().hex[:6]

    async def one(i: int, at: float) -> float:
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        await pool.execute("INSERT INTO raw_grants VALUES ($1, '{}')", f"{tag}-{i}")
        return (time.perf_counter() - at) * 1000

    start = time.perf_counter() + 0.05
    samples = await asyncio.gather(*(one(i, start + i / rate) for i in range(int(rate * seconds))))
    await pool.close()
    return list(samples)


async def main(rates: list[int], seconds: float, envelopes: int) -> None:
    infra = start_infra()
    prefix = f"load{uuid.uuid4().hex[:6]}."
    system = await start_system(
        infra,
        Path(tempfile.mkdtemp(prefix="rebond-bench-")),
        simulated_clock=DEMO_CLOCK_START,
        topic_prefix=prefix,
        database_prefix=prefix.replace(".", "_"),
    )
    try:
        urls = {name: s.url for name, s in system.services.items()}
        per_envelope = -(-int(sum(rates) * seconds) // envelopes) + 1
        async with httpx.AsyncClient(timeout=120) as client:
            started = time.perf_counter()
            tids = await prepare(client, urls, envelopes, per_envelope)
            print(
                f"# prepared {envelopes} envelopes × {per_envelope} projects in {time.perf_counter() - started:.0f} s"
            )
            first, sent = dict.fromkeys(tids, 0), dict.fromkeys(tids, 0)
            raw_url = await fresh_database(infra, "load")
            for rate in rates:
                samples = await open_loop(client, urls, tids, rate, seconds, first, sent)
                floor = await raw_open_loop(raw_url, rate, seconds)
                p99, raw_p99 = percentile(samples, 0.99), percentile(floor, 0.99)
                print(f"{rate:4d} grants/s offered: command → figure {describe(samples)}")
                print(
                    f"{'':4s}              raw INSERT on the same schedule {describe(floor)}; p99 ×{p99 / raw_p99:.0f}"
                )
                if rate == max(rates):
                    print(target(f"command → figure p99 at {rate} grants/s / 250 ms", p99 / 250, 1.0, at_most=True))
    finally:
        system.stop()
        infra.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rates", default="20,50,100")
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--envelopes", type=int, default=20)
    arguments = parser.parse_args()
    asyncio.run(main([int(r) for r in arguments.rates.split(",")], arguments.seconds, arguments.envelopes))
