"""`/figures/national` against the size of the log: 10 k, 100 k and 1 M events projected.

    .venv/bin/python bench/bench_figures.py [--sizes 10000 100000 1000000] [--requests 40]

The projection is filled through reporting's own projectors (adapters/projection.py: the rows each event makes,
written set-based), with synthetic but complete territory stories spread over 200 laureates: a company met, its
project recorded by the census and revised once, and one project in five qualified by the COPIL, granted an aid,
its convention signed, paid in two tranches and closed. Then, at each size (after ANALYZE, as autovacuum would):
- GET /figures/national through reporting's HTTP app (in process), sequential requests, p50 and p99, as of today
  and as of a date in the middle of the history;
- beside it, raw asyncpg: the one aggregate a national aid figure cannot avoid (aids by form as of the date), p50
  and p99, and the ratio of the two p99.
Ends with the target line: p99 at the largest size against 100 ms."""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]

from common import fresh_database, percentile, start_infra, target  # noqa: E402

from contracts.base import FormeAide, RegimeAide, Role  # noqa: E402
from contracts.codec import ReceivedEvent  # noqa: E402
from contracts.envelope import Actor, EventEnvelope  # noqa: E402
from contracts.financement.v1 import (  # noqa: E402
    AideAccordee,
    AideSoldee,
    Contribution,
    ConventionAideSignee,
    EnveloppeTerritorialeAttribuee,
    VersementEffectue,
)
from contracts.instruction.mission import (  # noqa: E402
    ComitePilotageTenu,
    MissionIngenierieLancee,
    MissionOuverte,
    OperateurIngenierie,
)
from contracts.instruction.projets import EntrepriseRencontree, ProjetMisAJour, ProjetRecense, TailleEntreprise  # noqa: E402
from contracts.instruction.v1 import ProjetQualifie, TerritoireLaureat  # noqa: E402
from kernel.adapters.postgres import create_pool  # noqa: E402
from kernel.adapters.settings import Settings  # noqa: E402
from kernel.signing import Signer  # noqa: E402
from rebond_local.demo_base import SGPI, synthetic_siren, synthetic_siret  # noqa: E402
from reporting.adapters.projection import project  # noqa: E402
from reporting.adapters.schema import Schema  # noqa: E402
from reporting.app import create_app  # noqa: E402

TERRITOIRES = 200
START = date(2023, 1, 2)
DAYS = 700
ACTOR = Actor(id="bench", role=Role.SYSTEME)
NOW = datetime.now(UTC)
RAW = """
SELECT forme, count(*), sum(montant_centimes)::bigint FROM reporting.aides
 WHERE ($1::date IS NULL OR date_decision <= $1) GROUP BY forme"""


def _envelope(stream_id: str, version: int) -> EventEnvelope:
    """What the projectors read of an envelope (its place and its recording time); nothing is verified here."""
    return EventEnvelope.model_construct(
        stream_id=stream_id, stream_version=version, recorded_at=NOW, occurred_at=NOW, actor=ACTOR, producer="bench"
    )


def _territoire(t: int) -> list[ReceivedEvent]:
    """A laureate, its envelope, its mission and a year of COPILs."""
    tid = f"t{t:03d}"
    day = START + timedelta(days=t % 30)
    events: list[Any] = [
        TerritoireLaureat.model_construct(
            territoire_id=tid,
            candidature_id=tid,
            region_code="32",
            nom_territoire=f"Territoire {t}",
            vague=1,
            date_decision=day,
            date_notification=day,
        ),
        EnveloppeTerritorialeAttribuee.model_construct(
            territoire_id=tid,
            montant_centimes=500_000_000,
            date_attribution=day,
            contributions=[Contribution.model_construct(financeur="ETAT_F2030", montant_centimes=500_000_000)],
        ),
        MissionOuverte.model_construct(territoire_id=tid, date_notification=day),
        MissionIngenierieLancee.model_construct(
            territoire_id=tid, date_lancement=day, operateur=OperateurIngenierie.BDT_FRANCE_2030
        ),
        *(
            ComitePilotageTenu.model_construct(territoire_id=tid, date=day + timedelta(days=30 * m), copil_id=f"c{m}")
            for m in range(12)
        ),
    ]
    return [ReceivedEvent(_envelope(f"mission-{tid}", i + 1), e) for i, e in enumerate(events)]


def _story(u: int) -> list[ReceivedEvent]:
    """One company of a territory's census: met, its project recorded and revised; one in five aided to its end."""
    tid, pid, aid = f"t{u % TERRITOIRES:03d}", f"p{u}", f"a{u}"
    day = START + timedelta(days=u % DAYS)
    siren, siret = synthetic_siren(40_000_000 + u % 50_000), synthetic_siret(40_000_000 + u % 50_000)
    census: list[Any] = [
        EntrepriseRencontree.model_construct(territoire_id=tid, entretien_id=f"e{u}", siren=siren, date=day),
        ProjetRecense.model_construct(
            territoire_id=tid,
            projet_id=pid,
            siren=siren,
            taille=TailleEntreprise.PME,
            secteur_naf="25.62A",
            date=day,
            raison_sociale=f"Entreprise {u}",
            intitule=f"Projet {u}",
            investissement_centimes=80_000_000,
            emplois_potentiels=5,
        ),
        ProjetMisAJour.model_construct(
            territoire_id=tid, projet_id=pid, investissement_centimes=90_000_000, emplois_potentiels=6, date=day
        ),
    ]
    stories = [ReceivedEvent(_envelope(f"projet-{pid}", i + 1), e) for i, e in enumerate(census)]
    if u % 5:
        return stories
    later = day + timedelta(days=20)
    money: list[Any] = [
        ProjetQualifie.model_construct(
            projet_id=pid,
            territoire_id=tid,
            date_copil=later,
            assiette_estimee_centimes=90_000_000,
            emplois_prevus=6,
            forme_envisagee=FormeAide.SUBVENTION,
        ),
        AideAccordee.model_construct(
            aide_id=aid,
            projet_id=pid,
            territoire_id=tid,
            siret=siret,
            forme=FormeAide.SUBVENTION if u % 3 else FormeAide.AVANCE_REMBOURSABLE,
            montant_centimes=10_000_000,
            assiette_centimes=90_000_000,
            regime=RegimeAide.PME,
            date_decision=later,
            publication_obligatoire=False,
        ),
        ConventionAideSignee.model_construct(territoire_id=tid, aide_id=aid, date_signature=later),
        VersementEffectue.model_construct(
            territoire_id=tid, aide_id=aid, montant_centimes=5_000_000, date_versement=later + timedelta(days=30)
        ),
        VersementEffectue.model_construct(
            territoire_id=tid, aide_id=aid, montant_centimes=4_000_000, date_versement=later + timedelta(days=90)
        ),
        AideSoldee.model_construct(
            territoire_id=tid,
            aide_id=aid,
            montant_final_centimes=9_000_000,
            reduction_centimes=1_000_000,
            date_solde=later + timedelta(days=90),
        ),
    ]
    return stories + [ReceivedEvent(_envelope(f"enveloppe-{tid}-{u}", i + 1), e) for i, e in enumerate(money)]


async def fill(pool: Any, start: int, end: int) -> int:
    """Project the stories numbered start..end; returns how many events that was."""
    count, batch = 0, []
    for u in range(start, end):
        batch += _story(u)
        if len(batch) >= 5000:
            count += await _write(pool, batch)
            batch = []
    return count + (await _write(pool, batch) if batch else 0)


async def _write(pool: Any, events: list[ReceivedEvent]) -> int:
    async with pool.acquire() as conn, conn.transaction():
        await project(conn, Schema("reporting"), events)
    return len(events)


async def timed(call: Any, requests: int) -> list[float]:
    for _ in range(3):
        await call()
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def main(sizes: list[int], requests: int) -> None:
    infra = start_infra()
    signers = {name: Signer.generate() for name in ("candidature", "instruction", "financement", "reporting")}
    os.environ["REBOND_TRUSTED_KEYS"] = ",".join(f"{n}:{s.public_text}" for n, s in signers.items())
    os.environ["REBOND_SIGNING_KEY_REPORTING"] = signers["reporting"].private_text
    try:
        url = await fresh_database(infra, "figures")
        settings = Settings(
            service="reporting",
            database_url=url,
            kafka_bootstrap=infra.kafka_bootstrap,
            topic_prefix=f"bench{uuid.uuid4().hex[:6]}.",
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            pool = await create_pool(url, max_size=2)
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://bench", headers=SGPI, timeout=120
            ) as client:
                events, stories = 0, 0
                events += await _write(pool, [e for t in range(TERRITOIRES) for e in _territoire(t)])
                p99_last = 0.0
                for size in sizes:
                    started = time.perf_counter()
                    while events < size:
                        step = max(1, (size - events) // 5)
                        events += await fill(pool, stories, stories + step)
                        stories += step
                    async with pool.acquire() as conn:
                        await conn.execute("ANALYZE")
                    filled = time.perf_counter() - started
                    middle = (START + timedelta(days=DAYS // 2)).isoformat()
                    for label, as_of in (("today", None), (f"as of {middle}", middle)):
                        params = {"as_of": as_of} if as_of else {}

                        async def figures(params: dict[str, str] = params) -> None:
                            response = await client.get("/figures/national", params=params)
                            assert response.status_code == 200, response.text

                        async def raw(as_of: str | None = as_of) -> None:
                            async with pool.acquire() as conn:
                                await conn.fetch(RAW, date.fromisoformat(as_of) if as_of else None)

                        served, floor = await timed(figures, requests), await timed(raw, requests)
                        p99 = percentile(served, 0.99)
                        print(
                            f"{events:>9} events ({label:>16}): /figures/national p50 {percentile(served, 0.5):7.1f} ms"
                            f" p99 {p99:7.1f} ms | raw asyncpg p50 {percentile(floor, 0.5):6.1f} ms"
                            f" p99 {percentile(floor, 0.99):6.1f} ms | ×raw (p99) {p99 / percentile(floor, 0.99):5.1f}"
                            f" | mean {statistics.fmean(served):.1f} ms (filled in {filled:.0f} s)",
                            flush=True,
                        )
                        p99_last = max(p99_last, p99) if size == sizes[-1] else p99_last
                print(
                    target(f"/figures/national p99 at {sizes[-1]} events / 100 ms", p99_last / 100, 1.0, at_most=True)
                )
            await pool.close()
    finally:
        infra.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--requests", type=int, default=40)
    arguments = parser.parse_args()
    asyncio.run(main(sorted(arguments.sizes), arguments.requests))
