"""The public dashboard in a real headless Chromium (Debian's, driven by Playwright), served by reporting over HTTP
on a real broker and PostgreSQL: what a person sees of two cleared publications (the announcement of the laureates,
then a review with aids), the date picker « Chiffres au … », amounts in euros, the consumption chart, the downloads;
and the API's /docs pages rendering with nothing fetched from outside (no CDN)."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from contracts.base import FormeAide, Role
from contracts.envelope import EventEnvelope
from contracts.financement.v1 import Contribution, EnveloppeTerritorialeAttribuee
from kernel.clock import SimulatedClock
from rebond_local.broker import free_port
from reporting.app import create_app
from tests.integration.test_opendata import aide, history, recense
from tests.integration.test_reporting_projection import CAMBRAI, Stream, laureat, publisher, siret
from tests.support import as_actor, eventually, operator, running

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.kafka,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (python3 dev.py test does)"),
]
SGPI, CDC, DTI = (
    as_actor(Role.SGPI, "sgpi-1"),
    as_actor(Role.INSTRUCTEUR_CDC, "cdc-1"),
    as_actor(Role.DTI_ANCT, "dti-1"),
)
NOW = datetime(2024, 7, 1, 10, tzinfo=UTC)
SCREENSHOTS = Path(os.environ.get("REBOND_SCREENSHOTS", "")) if os.environ.get("REBOND_SCREENSHOTS") else None
NBSP = "[\u00a0\u202f ]"  # French number formatting separates thousands with a narrow no-break space


def richer_history() -> list[EventEnvelope]:
    """Test_opendata's Cambrai (three companies once a third is aided) and Lorient, laureate with an envelope."""
    lorient, p3, enveloppe_lorient = Stream("dossier-lorient"), Stream("projet-p3"), Stream("enveloppe-lorient")
    fonderie = siret("784671695", "0003")
    envelopes = history()
    cambrai = Stream(f"enveloppe-{CAMBRAI}")  # its stream goes on after its last version in that history
    last = next(e for e in reversed(envelopes) if e.stream_id == cambrai.stream_id)
    cambrai.version, cambrai.previous = last.stream_version, last.hash
    return [
        *envelopes,
        lorient(laureat("lorient", "Pays de Lorient", "53", ["200042174"])),
        p3(recense("p3", fonderie, "Fonderie de Caudry", "Modernisation du four")),
        cambrai(aide("aide-4", "p3", fonderie, FormeAide.SUBVENTION, 30_000_000, date(2024, 5, 2))),
        enveloppe_lorient(
            EnveloppeTerritorialeAttribuee(
                territoire_id="lorient",
                montant_centimes=300_000_000,
                date_attribution=date(2023, 10, 2),
                contributions=[Contribution(financeur="ETAT_FRANCE_2030", montant_centimes=300_000_000)],
            )
        ),
    ]


@asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[str]:
    """The app (its lifespan already started) over real HTTP on a free local port, for the browser."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def publish_cleared(client: httpx.AsyncClient, publication_id: str, titre: str, as_of: str) -> None:
    body = {"publication_id": publication_id, "titre": titre, "as_of": as_of, "embargo_jusqu_au": NOW.isoformat()}
    requested = await client.post("/publications", headers=SGPI, json=body)
    assert requested.status_code == 201, requested.text
    for who in (SGPI, CDC, DTI):
        answer = await client.post(
            f"/publications/{publication_id}/validation", headers=who, json={"digest": requested.json()["digest"]}
        )
        assert answer.status_code == 201, answer.text


async def _released(client: httpx.AsyncClient) -> bool | None:
    return True if len((await client.get("/public/publications")).json()["publications"]) == 2 else None


async def test_a_person_reads_the_cleared_figures_in_a_browser(settings_for) -> None:  # type: ignore[no-untyped-def]
    from playwright.async_api import async_playwright

    settings = await settings_for("reporting")
    app = create_app(settings, clock=SimulatedClock(NOW))
    async with running(app) as client, publisher(settings) as publish:
        for envelope in richer_history():
            await publish(envelope)

        async def complete() -> bool | None:
            text = (await client.get("/registre/aides.scdl.csv", headers=SGPI)).text
            national = (await client.get("/figures/national", headers=SGPI)).json()
            return True if "aide-4" in text and national["enveloppes_attribuees_centimes"] == 800_000_000 else None

        await eventually(complete, what="the whole history in the figures")
        await publish_cleared(client, "annonce-laureats", "Annonce des lauréats", "2023-08-28")
        await publish_cleared(client, "bilan-2024-06", "Bilan au 30 juin 2024", "2024-06-30")
        await client.put("/ops/clock", headers=operator(), json={"now": "2024-07-01T12:30:00+02:00"})
        await eventually(lambda: _released(client), what="both publications released")

        async with served(app) as base, async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox", "--lang=fr-FR"]
            )
            try:
                page = await browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
                outside: list[str] = []
                errors: list[str] = []
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: errors.append(str(e)))

                async def only_local(route: Any) -> None:
                    if route.request.url.startswith(base):
                        await route.continue_()
                    else:
                        outside.append(route.request.url)
                        await route.abort()

                await page.route("**/*", only_local)
                await _latest(page, base)
                await _as_of(page, base)
                await _docs(page, base)
                assert not outside, f"the pages fetched from outside: {outside}"
                assert not errors, errors
            finally:
                await browser.close()


async def _ready(page: Any) -> None:
    """The page's script has shown what it loaded (or said that nothing is published)."""
    await page.wait_for_selector("body[data-pret='1']", state="attached", timeout=15_000)


async def _shot(page: Any, name: str) -> None:
    if SCREENSHOTS is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def _latest(page: Any, base: str) -> None:
    """Without a date: the latest publication, national cards, the chart, the tables, the downloads."""
    await page.goto(f"{base}/")
    await _ready(page)
    assert await page.title() == "Rebond industriel — tableau de bord"
    assert page.url == f"{base}/tableau-de-bord"
    source = await page.inner_text("#source")
    assert "« Bilan au 30 juin 2024 »" in source and "chiffres au 30 juin 2024" in source
    cards = dict(
        zip(
            await page.locator(".carte .libelle").all_inner_texts(),
            await page.locator(".carte .valeur").all_inner_texts(),
            strict=True,
        )
    )
    assert cards["Territoires lauréats"] == "2"
    assert re.fullmatch(f"8{NBSP}000{NBSP}000{NBSP}€", cards["Enveloppes attribuées"]), cards
    # granted, both forms: 600 k€ + 200 k€ + 800 k€ (an advance) + 300 k€
    assert re.fullmatch(f"1{NBSP}900{NBSP}000{NBSP}€", cards["Aides accordées"]), cards
    bars = page.locator("#graphique rect.barre")
    assert await bars.count() == 2
    widths = {await b.get_attribute("data-territoire"): float(await b.get_attribute("width")) for b in await bars.all()}
    assert widths["lorient"] == 0 and widths[CAMBRAI] > 0
    chart = await page.inner_text("#graphique")
    assert "Cambrésis et Caudrésis-Catésis" in chart and re.search(f"de 5{NBSP}000{NBSP}000{NBSP}€", chart)
    territoires = await page.inner_text("#territoires")
    assert "Pays de Lorient" in territoires and "Bretagne" in territoires
    aides = await page.locator("#aides tbody tr").all_inner_texts()
    assert len(aides) == 2 and all("Conserverie du Cambrésis" in row for row in aides)
    assert "Filature" not in await page.inner_text("main")  # a subsidy under 500 000 €: never named publicly
    links = await page.locator("#telechargements a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert "/public/donnees/regions.xlsx?publication_id=bilan-2024-06" in links
    assert "/public/aides.scdl.csv?publication_id=bilan-2024-06" in links
    for href in links:
        assert (await page.request.get(f"{base}{href}")).status == 200, href
    await _shot(page, "tableau-bilan-2024-06")


async def _as_of(page: Any, base: str) -> None:
    """« Chiffres au … »: the publication in force at that date; before the first one, a message."""
    await page.fill("#au", "2023-09-01")
    await page.click("#choix button")
    await _ready(page)
    assert "« Annonce des lauréats » : chiffres au 28 août 2023" in await page.inner_text("#source")
    assert "au=2023-09-01" in page.url
    cards = await page.locator(".carte .valeur").all_inner_texts()
    assert (cards[1], cards[4]) == ("2", "—")  # 2 laureates; no envelope yet: no rate (not a secret)
    assert "Aucune donnée publiée à cette date." in await page.inner_text("#aides")
    await _shot(page, "tableau-annonce-2023-08-28")
    await page.goto(f"{base}/tableau-de-bord?au=2023-01-15")
    await _ready(page)
    assert await page.inner_text("#message") == "Aucun chiffre n'a encore été publié au 15 janvier 2023."
    assert await page.locator("#national").is_hidden()


async def _docs(page: Any, base: str) -> None:
    """The API's documentation pages render with their scripts served by reporting itself."""
    await page.goto(f"{base}/docs")
    await page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
    assert "Rebond · reporting" in await page.inner_text(".swagger-ui .info .title")
    assert await page.locator(".swagger-ui .opblock").count() > 10  # the operations, read from /openapi.json
