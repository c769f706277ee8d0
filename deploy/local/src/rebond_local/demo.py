"""The demo scenario, played over the services' HTTP APIs as the programme's people would.

Cambrai and Caudrésis-Catésis (two communautés d'agglomération, 5 M€ envelope, 17 projects oriented to
it [001]), Lorient (1,5 M€, 6 projects aided [002]) and Périgord Noir (2 M€, 5 companies [002]). EPCI
SIRENs, company SIRETs and the split of co-financing are synthetic (valid Luhn keys): the sources do not
give them."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from stdnum import luhn

from contracts.base import Role
from contracts.envelope import Actor
from kernel.auth import issue_token
from rebond_local.infra import AUTH_SECRET

DEMO_CLOCK_START = "2023-01-15T10:00:00+01:00"  # wave 2 is open (relève 01/02/2023 at 12:00)
SECTIONS = ["IDENTITE_INDUSTRIELLE", "EXPOSITION_MUTATIONS", "FRAGILITE_TISSU_ECONOMIQUE", "AMBITION_INDUSTRIELLE",
            "AMBITION_ENVIRONNEMENTALE_SOCIALE", "STRATEGIE_REBOND", "DEFICIT_INGENIERIE"]
M_EUR = 100_000_000  # one million euros, in cents


def synthetic_siren(seed: int) -> str:
    base = f"{seed:08d}"
    return base + luhn.calc_check_digit(base)


def synthetic_siret(seed: int) -> str:
    base = synthetic_siren(seed) + "0001"
    return base + luhn.calc_check_digit(base)


def actor(role: str, actor_id: str, scope: str | None = None) -> dict[str, str]:
    """Headers of someone acting in `role`: a token signed with this run's secret."""
    token = issue_token(AUTH_SECRET, Actor(id=actor_id, role=Role(role), scope=scope))
    return {"Authorization": f"Bearer {token}"}


def dossier(candidature_id: str, nom: str, region: str, sirens: list[str], perimetre: str) -> dict[str, Any]:
    return {"candidature_id": candidature_id, "porteur": "GROUPEMENT_EPCI" if len(sirens) > 1 else "EPCI",
            "epci_sirens": sirens, "nom_territoire": nom, "region_code": region, "perimetre": perimetre,
            "filiere": "automobile et transports", "sections": SECTIONS, "nombre_pages": 20, "pages_synthese": 2,
            "grille_impacts_jointe": True}


TERRITOIRES = [
    # (candidature_id, name, region, EPCI SIRENs, perimeter, envelope €, projects, aid per project €, jobs)
    ("cambrai", "Cambrésis et Caudrésis-Catésis", "32", [synthetic_siren(20006850), synthetic_siren(20004049)],
     "TI Cambraisis - Douaisis - Valenciennois", 5 * M_EUR, 17, 290_000, 18),
    ("lorient", "Pays de Lorient", "53", [synthetic_siren(20004210)], "TI Pays de Lorient", 150 * M_EUR // 100,
     6, 250_000, 20),
    ("perigord-noir", "Périgord Noir", "75", [synthetic_siren(20004405), synthetic_siren(20004406)],
     "Périgord Noir", 2 * M_EUR, 5, 400_000, 15),
]
NON_RETENUE = ("vallee-arve", "Vallée de l'Arve", "84", [synthetic_siren(20001071)], "TI Vallée de l'Arve")


async def until(probe: Callable[[], Awaitable[bool]], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not await probe():
        if time.monotonic() > deadline:
            raise TimeoutError(f"demo: timed out waiting for {what}")
        await asyncio.sleep(0.2)


async def check(response: httpx.Response, *ok: int) -> dict[str, Any]:
    if response.status_code not in (ok or (200, 201)):
        raise RuntimeError(f"{response.request.method} {response.request.url} → {response.status_code}: "
                           f"{response.text}")
    return response.json()  # type: ignore[no-any-return]


async def move_clocks(client: httpx.AsyncClient, urls: dict[str, str], now: str) -> None:
    for url in urls.values():
        await check(await client.put(f"{url}/ops/clock", json={"now": now}))


async def play_demo(urls: dict[str, str]) -> dict[str, Any]:
    """Deposit, select, attribute, qualify, grant; return the national and per-territory figures."""
    async with httpx.AsyncClient(timeout=30) as client:
        cand, instr, fin, rep = (urls[s] for s in ("candidature", "instruction", "financement", "reporting"))
        for cid, nom, region, sirens, perimetre, *_ in [*TERRITOIRES[:2], (*NON_RETENUE,)]:
            await check(await client.post(f"{cand}/candidatures", json=dossier(cid, nom, region, sirens, perimetre),
                                          headers=actor("EPCI_CANDIDAT", f"epci-{cid}", cid)))
        await move_clocks(client, urls, "2023-03-20T09:00:00+01:00")
        for cid, *_ in [*TERRITOIRES[:2], NON_RETENUE]:
            await until(lambda c=cid: _found(client, f"{instr}/dossiers/{c}"), f"instruction to receive {cid}")
        for cid, *_ in TERRITOIRES[:2]:
            await _select(client, instr, cid, "2023-03-15", "2023-03-20")
        await check(await client.post(
            f"{instr}/dossiers/{NON_RETENUE[0]}/decision", headers=actor("PM_CABINET", "cabinet-pm"),
            json={"laureat": False, "date_decision": "2023-03-15", "date_notification": "2023-03-20",
                  "motif": "exposition aux mutations de la filière insuffisamment démontrée"}))
        await move_clocks(client, urls, "2023-12-15T10:00:00+01:00")  # wave 5 is open
        cid, nom, region, sirens, perimetre, *_ = TERRITOIRES[2]
        await check(await client.post(f"{cand}/candidatures", json=dossier(cid, nom, region, sirens, perimetre),
                                      headers=actor("EPCI_CANDIDAT", f"epci-{cid}", cid)))
        await move_clocks(client, urls, "2024-01-10T10:00:00+01:00")
        await until(lambda: _found(client, f"{instr}/dossiers/{cid}"), f"instruction to receive {cid}")
        await _select(client, instr, cid, "2024-01-05", "2024-01-08")
        for territory in TERRITOIRES:
            await _fund_mission(client, instr, fin, *territory)
        refused = await client.post(f"{fin}/enveloppes/lorient/aides", headers=actor("BPIFRANCE_CHARGE", "bpi-1"),
                                    json=_aid("lorient", 1, 1, 100_000, "2024-03-01") | {"aide_id": "aide-lorient-x"})
        print(f"  an aid beyond Lorient's envelope is refused: {refused.status_code} {refused.json()}")
        expected = sum(n * aid * 100 for *_, n, aid, _ in TERRITOIRES)
        await until(lambda: _reported(client, rep, expected), "reporting to show every aid")
        return {"national": await check(await client.get(f"{rep}/figures/national")),
                "national_au_2023-06-30": await check(await client.get(f"{rep}/figures/national?as_of=2023-06-30")),
                "territoires": await check(await client.get(f"{rep}/figures/territoires"))}


async def _found(client: httpx.AsyncClient, url: str) -> bool:
    return (await client.get(url)).status_code == 200


async def _select(client: httpx.AsyncClient, instr: str, cid: str, decided: str, notified: str) -> None:
    await check(await client.post(f"{instr}/dossiers/{cid}/decision", headers=actor("PM_CABINET", "cabinet-pm"),
                                  json={"laureat": True, "date_decision": decided, "date_notification": notified}))


def _aid(cid: str, index: int, seed: int, amount_eur: int, day: str) -> dict[str, Any]:
    return {"aide_id": f"aide-{cid}-{index:02d}", "projet_id": f"projet-{cid}-{index:02d}", "forme":
            "AVANCE_REMBOURSABLE" if index % 4 == 0 else "SUBVENTION", "montant_centimes": amount_eur * 100,
            "assiette_centimes": 4 * amount_eur * 100 if amount_eur * 4 >= 400_000 else 40_000_000,
            "regime": "REPRISE_DURABLE_SA102077", "date_decision": day}


async def _fund_mission(client: httpx.AsyncClient, instr: str, fin: str, cid: str, nom: str, region: str,
                        sirens: list[str], perimetre: str, envelope: int, projects: int, aid_eur: int,
                        jobs: int) -> None:
    """Envelope at the launch of the mission, COPIL qualifications, then Bpifrance's aids."""
    year = "2024" if cid == "perigord-noir" else "2023"
    await until(lambda: _found(client, f"{fin}/enveloppes/{cid}"), f"financement to learn that {cid} won")
    state_share = envelope * 8 // 10
    contributions = [{"financeur": "ETAT_FRANCE_2030", "montant_centimes": state_share}] + [
        {"financeur": f"EPCI {siren}", "montant_centimes": (envelope - state_share) // len(sirens)} for siren in sirens]
    contributions[-1]["montant_centimes"] += envelope - sum(c["montant_centimes"] for c in contributions)
    await check(await client.post(f"{fin}/enveloppes/{cid}", headers=actor("INSTRUCTEUR_CDC", "cdc-1"), json={
        "montant_centimes": envelope, "contributions": contributions, "date_attribution": f"{year}-04-03"}))
    for index in range(1, projects + 1):
        seed = sum(map(ord, cid)) * 100 + index  # stable across runs (unlike hash())
        await check(await client.post(
            f"{instr}/territoires/{cid}/projets", headers=actor("COPIL_MEMBRE", f"copil-{cid}", cid), json={
                "projet_id": f"projet-{cid}-{index:02d}", "siret": synthetic_siret(30_000_000 + seed),
                "raison_sociale": f"Industrie {nom} n°{index}", "intitule": "Modernisation de l'outil de production",
                "date_copil": f"{year}-05-{index % 28 + 1:02d}", "assiette_estimee_centimes": 4 * aid_eur * 100,
                "forme_envisagee": "SUBVENTION", "emplois_prevus": jobs}))
    for index in range(1, projects + 1):
        await until(lambda i=index: _knows_project(client, fin, cid, f"projet-{cid}-{i:02d}"),
                    f"financement to learn of projet-{cid}-{index:02d}")
        await check(await client.post(f"{fin}/enveloppes/{cid}/aides", headers=actor("BPIFRANCE_CHARGE", "bpi-1"),
                                      json=_aid(cid, index, index, aid_eur, f"{year}-06-{index % 28 + 1:02d}")))


async def _knows_project(client: httpx.AsyncClient, fin: str, cid: str, projet_id: str) -> bool:
    response = await client.get(f"{fin}/enveloppes/{cid}")
    return response.status_code == 200 and any(
        p.get("projet_id") == projet_id for p in response.json().get("projets_qualifies", []))


async def _reported(client: httpx.AsyncClient, rep: str, expected_cents: int) -> bool:
    response = await client.get(f"{rep}/figures/national")
    return response.status_code == 200 and response.json().get("montant_aides_centimes") == expected_cents
