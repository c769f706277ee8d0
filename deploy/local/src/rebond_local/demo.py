"""The demo scenario, played over the services' HTTP APIs as the programme's people would, on a simulated
clock from September 2022 to September 2023.

The first two waves give 7 laureate territories; 12 more are announced on 28/08/2023: 19 territories in 9
regions, as the government's announcement says [001]. Cambrai and Caudrésis-Catésis (two communautés
d'agglomération) run their engineering mission from April 2023 to its restitution on 28/08/2023, with a 5 M€
envelope and 17 projects oriented to it [001]. Besides Cambrai, the sources do not name the laureates of
2023: the other 18 names below are Territoires d'industrie of the right regions taken as stand-ins, and every
SIREN, SIRET and co-financing split is synthetic (valid Luhn keys)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as dtime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from stdnum import luhn

from contracts.base import Role
from contracts.envelope import Actor
from kernel.adapters.auth import issue_token
from rebond_local.infra import AUTH_SECRET

PARIS = ZoneInfo("Europe/Paris")
DEMO_CLOCK_START = "2022-09-12T10:00:00+02:00"  # wave 1 is open (relève 01/10/2022 at 12:00)
SECTIONS = [
    "IDENTITE_INDUSTRIELLE",
    "EXPOSITION_MUTATIONS",
    "FRAGILITE_TISSU_ECONOMIQUE",
    "AMBITION_INDUSTRIELLE",
    "AMBITION_ENVIRONNEMENTALE_SOCIALE",
    "STRATEGIE_REBOND",
    "DEFICIT_INGENIERIE",
]
CRITERES = [
    "EXPOSITION_MUTATIONS",
    "FRAGILITE_TERRITOIRE",
    "AMBITION_INDUSTRIELLE",
    "CLARTE_BESOINS",
    "AMBITION_ENVIRONNEMENTALE_SOCIALE",
    "ENTITES_COMITES_SUIVI",
    "PERIMETRE_PERTINENT",
]
OBJECTIFS = [
    "attenuation_changement_climatique",
    "adaptation_changement_climatique",
    "ressources_aquatiques_marines",
    "economie_circulaire",
    "pollution",
    "biodiversite_ecosystemes",
]
M_EUR = 100_000_000  # one million euros, in cents
CAMBRAI_AIDS, CAMBRAI_AID_EUR, CAMBRAI_JOBS = 17, 290_000, 18


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


CDC, DTI = actor("INSTRUCTEUR_CDC", "cdc-instructeur"), actor("DTI_ANCT", "dti-1")
OPERATEUR = actor("SYSTEME", "exploitation")  # moves the simulated clock (an operator's token)
COMITE, SGPI, PM = actor("COMITE_MINISTERIEL", "comite-transport"), actor("SGPI", "sgpi-1"), actor("PM_CABINET", "pm")
BPI = actor("BPIFRANCE_CHARGE", "bpi-1")


@dataclass(frozen=True)
class Territoire:
    cid: str
    nom: str
    region: str
    seeds: tuple[int, ...]
    vague: int
    issue: str = "laureat"  # laureat | non_retenue | ineligible | retiree

    @property
    def sirens(self) -> list[str]:
        return [synthetic_siren(seed) for seed in self.seeds]

    @property
    def epci(self) -> dict[str, str]:
        return actor("EPCI_CANDIDAT", f"epci-{self.sirens[0]}", self.sirens[0])


T = Territoire
SCENARIO = [
    T("cambrai", "Cambrésis et Caudrésis-Catésis", "32", (20006850, 20004049), 1),
    T("nord-lorraine", "Nord Lorraine", "44", (20010001,), 1),
    T("vallee-arve", "Vallée de l'Arve", "84", (20010002,), 1),
    T("vosges", "Vosges", "44", (20010003,), 1, "non_retenue"),
    T("grand-chalon", "Grand Chalon", "27", (20010004,), 2),
    T("pays-de-brest", "Pays de Brest", "53", (20010005,), 2),
    T("axe-seine", "Axe Seine", "28", (20010006, 20010007), 2),
    T("le-mans", "Le Mans", "52", (20010008,), 2),
    T("thierache", "Thiérache", "32", (20010009,), 2, "retiree"),
    T("petr-ariege", "PETR d'Ariège", "76", (20010010,), 2, "ineligible"),
    T("dunkerque", "Dunkerque", "32", (20010011,), 3),
    T("bethune-bruay", "Béthune-Bruay", "32", (20010012,), 3),
    T("moselle-est", "Moselle Est", "44", (20010013,), 3),
    T("sud-alsace", "Sud Alsace", "44", (20010014,), 3),
    T("roanne-tarare", "Roanne - Tarare", "84", (20010015, 20010016), 3),
    T("ardeche-drome", "Ardèche Drôme", "84", (20010017,), 3),
    T("nord-franche-comte", "Nord Franche-Comté", "27", (20010018,), 3),
    T("fougeres-vitre", "Fougères-Vitré", "53", (20010019,), 3),
    T("nord-cotentin", "Nord Cotentin", "28", (20010020,), 3),
    T("saint-nazaire", "Saint-Nazaire - Cordemais", "52", (20010021,), 3),
    T("bassin-ales", "Bassin d'Alès", "76", (20010022,), 3),
    T("angouleme-cognac", "Angoulême Cognac", "75", (20010023,), 3),
    T("grand-annecy", "Grand Annecy", "84", (20010024,), 3, "non_retenue"),
]
LAUREATS = [t for t in SCENARIO if t.issue == "laureat"]
# wave → (instruction opens, conclusions, comité, SGPI, decision day, notification day)
CALENDRIER = {
    1: ("2022-10-10", "2022-10-24", "2022-11-08", "2022-11-15", "2022-11-21", "2022-11-25"),
    2: ("2023-02-06", "2023-02-20", "2023-03-02", "2023-03-09", "2023-03-15", "2023-03-20"),
    3: ("2023-06-05", "2023-07-03", "2023-07-18", "2023-08-01", "2023-08-24", "2023-08-28"),
}
CAMBRAI_COPILS = ["2023-04-18", "2023-05-16", "2023-06-13", "2023-07-11", "2023-08-22"]


class Demo:
    """One run of the scenario against the four services."""

    def __init__(self, client: httpx.AsyncClient, urls: dict[str, str], scenario: list[Territoire] = SCENARIO) -> None:
        self.client, self.urls, self.scenario = client, urls, scenario
        self.cand, self.instr = urls["candidature"], urls["instruction"]
        self.fin, self.rep = urls["financement"], urls["reporting"]

    async def at(self, day: str) -> None:
        """Move every service's business clock to 10:00 (Paris time) on `day`."""
        now = datetime.combine(date.fromisoformat(day), dtime(10), tzinfo=PARIS).isoformat()
        for url in self.urls.values():
            await check(await self.client.put(f"{url}/ops/clock", headers=OPERATEUR, json={"now": now}))

    async def post(self, url: str, headers: dict[str, str], body: dict[str, Any] | None = None) -> dict[str, Any]:
        return await check(await self.client.post(url, headers=headers, json=body))

    async def deposit(self, t: Territoire) -> None:
        """The first EPCI drafts, the others of a groupement agree to be part of it, then the first deposits."""
        await self.post(f"{self.cand}/candidatures", t.epci, dossier(t))
        for other in t.sirens[1:]:
            await self.post(
                f"{self.cand}/candidatures/{t.cid}/adhesion", actor("EPCI_CANDIDAT", f"epci-{other}", other)
            )
        await self.post(f"{self.cand}/candidatures/{t.cid}/depot", t.epci)

    async def relevees(self, vague: int) -> None:
        """Wait until instruction holds every dossier of the wave as frozen by the relève (from the list, which,
        unlike reading a dossier, is not recorded as a consultation)."""
        expected = {t.cid for t in self.wave(vague)}

        async def reached() -> bool:
            response = await self.client.get(f"{self.instr}/dossiers", params={"vague": vague}, headers=CDC)
            phases = {line["candidature_id"]: line["phase"] for line in response.json()}
            return all(phases.get(cid) == "RELEVEE" for cid in expected)

        await until(reached, f"instruction to receive the relève of wave {vague}")

    async def instruct(self, t: Territoire) -> None:
        """Eligibility, then instruction: the 7 criteria."""
        conforme = t.issue != "ineligible"
        await self.post(
            f"{self.instr}/dossiers/{t.cid}/recevabilite",
            CDC,
            {
                "appreciations": [
                    {"regle": "DOSSIER_COMPLET", "satisfaite": True, "commentaire": "Modèle respecté, 20 pages."},
                    {
                        "regle": "DEMANDE_CONFORME",
                        "satisfaite": conforme,
                        "commentaire": "Conforme au cahier des charges."
                        if conforme
                        else "La demande porte sur un fonds d'investissement, pas sur une ingénierie.",
                    },
                    {"regle": "PORTEUR_ELIGIBLE", "satisfaite": True, "commentaire": "Porté par des EPCI."},
                ]
            },
        )
        if not conforme:
            return
        await self.post(f"{self.instr}/dossiers/{t.cid}/instruction", DTI)
        good = t.issue == "laureat"
        for critere in CRITERES:
            await check(
                await self.client.put(
                    f"{self.instr}/dossiers/{t.cid}/criteres/{critere}",
                    headers=CDC,
                    json={"appreciation": "Argumenté et étayé." if good else "Peu étayé.", "note": 15 if good else 8},
                )
            )

    async def conclude(self, t: Territoire) -> None:
        good = t.issue == "laureat"
        await self.post(
            f"{self.instr}/dossiers/{t.cid}/conclusions",
            CDC,
            {
                "proposition": "PROPOSEE" if good else "NON_PROPOSEE",
                "recommandations": "Effet levier attendu important."
                if good
                else "Exposition aux mutations peu démontrée.",
                "propositions_soutien": ["Mission d'ingénierie de 4 mois"] if good else [],
            },
        )

    async def opinions(self, t: Territoire, kind: str) -> None:
        good = t.issue == "laureat"
        who = COMITE if kind == "avis-comite" else SGPI
        await self.post(
            f"{self.instr}/dossiers/{t.cid}/{kind}",
            who,
            {"favorable": good, "avis": "Favorable." if good else "Défavorable."},
        )

    async def decide(self, t: Territoire, decided: str, notified: str) -> None:
        body: dict[str, Any] = {
            "laureat": t.issue == "laureat",
            "date_decision": decided,
            "date_notification": notified,
        }
        if t.issue != "laureat":
            body["motif"] = "Exposition aux mutations de la filière insuffisamment démontrée."
        await self.post(f"{self.instr}/dossiers/{t.cid}/decision", PM, body)

    def wave(self, vague: int, *, selected: bool = False) -> list[Territoire]:
        """The wave's dossiers still in the race (after eligibility, if `selected`)."""
        excluded = {"retiree", "ineligible"} if selected else {"retiree"}
        return [t for t in self.scenario if t.vague == vague and t.issue not in excluded]

    async def instruct_wave(self, vague: int) -> None:
        await self.relevees(vague)
        for t in self.wave(vague):
            await self.instruct(t)

    async def conclude_wave(self, vague: int) -> None:
        for t in self.wave(vague, selected=True):
            await self.conclude(t)

    async def opinions_wave(self, vague: int, kind: str) -> None:
        for t in self.wave(vague, selected=True):
            await self.opinions(t, kind)

    async def decide_wave(self, vague: int) -> None:
        *_, decided, notified = CALENDRIER[vague]
        for t in self.wave(vague, selected=True):
            await self.decide(t, decided, notified)

    def selection_steps(self, vague: int) -> list[tuple[str, Callable[[], Awaitable[None]]]]:
        """(day, step) of the selection chain: instruction → conclusions → comité → SGPI → Prime Minister."""
        opens, concludes, comite, sgpi, _, notified = CALENDRIER[vague]
        return [
            (opens, lambda: self.instruct_wave(vague)),
            (concludes, lambda: self.conclude_wave(vague)),
            (comite, lambda: self.opinions_wave(vague, "avis-comite")),
            (sgpi, lambda: self.opinions_wave(vague, "avis-sgpi")),
            (notified, lambda: self.decide_wave(vague)),
        ]

    async def deposit_wave(self, vague: int) -> None:
        for t in self.scenario:
            if t.vague == vague:
                await self.deposit(t)

    async def play(self, steps: list[tuple[str, Callable[[], Awaitable[object]]]]) -> None:
        """Run the steps in business-time order, moving the clocks forward to each one's day."""
        for day, step in sorted(steps, key=lambda pair: pair[0]):  # stable: same-day steps keep their order
            await self.at(day)
            await step()


def dossier(t: Territoire) -> dict[str, Any]:
    grille = {
        "solution_reference": "Poursuite tendancielle sans stratégie de rebond",
        "methodologie": "Auto-évaluation qualitative par objectif",
        "hypotheses": "Trajectoire 2030",
        **{
            o: {
                "impact": "POSITIF" if o == "economie_circulaire" else "NEUTRE",
                "justification": "Évalué par rapport à la solution de référence.",
            }
            for o in OBJECTIFS
        },
    }
    return {
        "candidature_id": t.cid,
        "porteur": "GROUPEMENT_EPCI" if len(t.seeds) > 1 else "EPCI",
        "epci_sirens": t.sirens,
        "nom_territoire": t.nom,
        "region_code": t.region,
        "perimetre": f"Territoire d'industrie {t.nom}",
        "filiere": "automobile et transports",
        "sections": SECTIONS,
        "nombre_pages": 20,
        "pages_synthese": 2,
        "grille_impacts": grille,
    }


async def until(probe: Callable[[], Awaitable[bool]], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not await probe():
        if time.monotonic() > deadline:
            raise TimeoutError(f"demo: timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def check(response: httpx.Response, *ok: int) -> dict[str, Any]:
    if response.status_code not in (ok or (200, 201)):
        raise RuntimeError(
            f"{response.request.method} {response.request.url} → {response.status_code}: {response.text}"
        )
    return response.json()  # type: ignore[no-any-return]


async def play_demo(urls: dict[str, str]) -> dict[str, Any]:
    """The whole scenario; returns the figures reporting rebuilt from the topics."""
    async with httpx.AsyncClient(timeout=60) as client:
        demo = Demo(client, urls)
        thierache = next(t for t in SCENARIO if t.cid == "thierache")
        await demo.play(
            [
                ("2022-09-12", lambda: demo.deposit_wave(1)),
                *demo.selection_steps(1),
                ("2023-01-10", lambda: demo.deposit_wave(2)),
                (
                    "2023-01-20",
                    lambda: demo.post(
                        f"{demo.cand}/candidatures/thierache/retrait",
                        thierache.epci,
                        {"motif": "Le territoire rejoindra une candidature commune à une vague suivante."},
                    ),
                ),
                (
                    "2023-02-15",
                    lambda: mission_step(
                        demo,
                        "nord-lorraine",
                        "convention",
                        CDC,
                        {
                            "date_signature": "2023-02-15",
                            "signataires": [
                                "Caisse des Dépôts (Banque des Territoires)",
                                "CA Portes de France-Thionville",
                            ],
                        },
                    ),
                ),
                *demo.selection_steps(2),
                ("2023-05-10", lambda: demo.deposit_wave(3)),
                ("2023-05-26", _nothing),  # Vallée de l'Arve's convention deadline (25/05/2023) has passed
                *demo.selection_steps(3),
                *cambrai_mission(demo),
                ("2023-09-15", _nothing),
            ]
        )
        return await figures(demo)


async def _nothing() -> None:
    """A day on which only the clock moves (watchers record what falls due)."""


async def mission_step(demo: Demo, cid: str, step: str, headers: dict[str, str], body: dict[str, Any]) -> None:
    async def opened() -> bool:
        return (await demo.client.get(f"{demo.instr}/missions/{cid}", headers=CDC)).status_code == 200

    await until(opened, f"the mission of {cid} to open")
    await demo.post(f"{demo.instr}/missions/{cid}/{step}", headers, body)


def cambrai_mission(demo: Demo) -> list[tuple[str, Callable[[], Awaitable[None]]]]:
    """Convention, engineering, monthly COPIL, 17 projects qualified and aided, feuille de route, restitution."""
    copil = actor("COPIL_MEMBRE", "copil-cambrai", "cambrai")
    prestataire = actor("PRESTATAIRE", "cabinet-ingenierie", "cambrai")

    def held(day: str) -> Callable[[], Awaitable[Any]]:
        return lambda: demo.post(
            f"{demo.instr}/missions/cambrai/copils",
            prestataire,
            {
                "copil_id": f"copil-cambrai-{day}",
                "date": day,
                "ordre_du_jour": "Suivi de la mission",
                "participants": [
                    {"organisme": "Sous-préfecture de Cambrai", "role": "présidence"},
                    {"organisme": "Bpifrance", "role": "membre"},
                    {"organisme": "CDC", "role": "membre"},
                ],
            },
        )

    return [
        (
            "2023-03-30",
            lambda: mission_step(
                demo,
                "cambrai",
                "convention",
                CDC,
                {
                    "date_signature": "2023-03-30",
                    "signataires": [
                        "Caisse des Dépôts (Banque des Territoires)",
                        "CA de Cambrai",
                        "CA du Caudrésis et du Catésis",
                    ],
                },
            ),
        ),
        (
            "2023-04-11",
            lambda: mission_step(
                demo,
                "cambrai",
                "ingenierie",
                CDC,
                {
                    "date_lancement": "2023-04-11",
                    "jours_hommes": 80,
                    "prestataire": "Cabinet d'ingénierie",
                    "fin_prevue": "2023-08-11",
                },
            ),
        ),
        ("2023-04-11", lambda: attribute_envelope(demo)),
        *[(day, held(day)) for day in CAMBRAI_COPILS],
        ("2023-06-13", lambda: qualify_projects(demo, copil, "2023-06-13")),
        ("2023-07-04", lambda: grant_aids(demo)),
        (
            "2023-08-25",
            lambda: demo.post(
                f"{demo.instr}/missions/cambrai/feuille-de-route",
                prestataire,
                {
                    "axes": [
                        {
                            "intitule": "L'emploi et le développement des compétences",
                            "description": "Commun aux deux agglomérations",
                        },
                        {
                            "intitule": "L'anticipation des évolutions de la filière agroalimentaire",
                            "description": "Cambrésis",
                        },
                        {
                            "intitule": "L'accélération de la transition numérique et de l'innovation",
                            "description": "Caudrésis-Catésis",
                        },
                    ]
                },
            ),
        ),
        (
            "2023-08-28",
            lambda: demo.post(f"{demo.instr}/missions/cambrai/restitution", prestataire, {"date": "2023-08-28"}),
        ),
    ]


async def attribute_envelope(demo: Demo) -> None:
    await until(lambda: _found(demo.client, f"{demo.fin}/enveloppes/cambrai"), "financement to learn that cambrai won")
    await demo.post(
        f"{demo.fin}/enveloppes/cambrai",
        CDC,
        {
            "montant_centimes": 5 * M_EUR,
            "date_attribution": "2023-04-11",
            "contributions": [
                {"financeur": "ETAT_FRANCE_2030", "montant_centimes": 4 * M_EUR},
                {"financeur": "CA de Cambrai", "montant_centimes": 6 * M_EUR // 10},
                {"financeur": "CA du Caudrésis et du Catésis", "montant_centimes": 4 * M_EUR // 10},
            ],
        },
    )


async def qualify_projects(demo: Demo, copil: dict[str, str], day: str) -> None:
    for i in range(1, CAMBRAI_AIDS + 1):
        await demo.post(
            f"{demo.instr}/territoires/cambrai/projets",
            copil,
            {
                "projet_id": f"projet-cambrai-{i:02d}",
                "siret": synthetic_siret(30_000_000 + i),
                "raison_sociale": f"Industrie du Cambrésis n°{i}",
                "intitule": "Modernisation de l'outil de production",
                "date_copil": day,
                "assiette_estimee_centimes": 4 * CAMBRAI_AID_EUR * 100,
                "forme_envisagee": "SUBVENTION",
                "emplois_prevus": CAMBRAI_JOBS,
            },
        )


async def grant_aids(demo: Demo) -> None:
    for i in range(1, CAMBRAI_AIDS + 1):
        projet = f"projet-cambrai-{i:02d}"
        await until(partial(_knows_project, demo, projet), "financement to learn of the project")
        await demo.post(f"{demo.fin}/enveloppes/cambrai/aides", BPI, _aid(i, CAMBRAI_AID_EUR, "2023-07-04"))
    refused = await demo.client.post(
        f"{demo.fin}/enveloppes/cambrai/aides",
        headers=BPI,
        json=_aid(1, 100_000, "2023-07-04") | {"aide_id": "aide-cambrai-x"},
    )
    print(f"  an aid beyond Cambrai's envelope is refused: {refused.status_code} {refused.json()['error']}")


def _aid(index: int, amount_eur: int, day: str) -> dict[str, Any]:
    return {
        "aide_id": f"aide-cambrai-{index:02d}",
        "projet_id": f"projet-cambrai-{index:02d}",
        "forme": "AVANCE_REMBOURSABLE" if index % 4 == 0 else "SUBVENTION",
        "montant_centimes": amount_eur * 100,
        "assiette_centimes": max(4 * amount_eur * 100, 40_000_000),
        "regime": "REPRISE_DURABLE_SA102077",
        "date_decision": day,
    }


async def figures(demo: Demo) -> dict[str, Any]:
    expected = CAMBRAI_AIDS * CAMBRAI_AID_EUR * 100

    async def complete() -> bool:
        response = await demo.client.get(f"{demo.rep}/figures/national")
        body = response.json() if response.status_code == 200 else {}
        return (
            body.get("montant_aides_centimes") == expected
            and body.get("nb_laureats") == len(LAUREATS)
            and body.get("nb_missions_ouvertes") == len(LAUREATS)
            and body.get("nb_missions_restituees") == 1
        )

    await until(complete, "reporting to show every decision and aid")
    get = demo.client.get
    return {
        "national": await check(await get(f"{demo.rep}/figures/national")),
        "national_au_2023-06-30": await check(await get(f"{demo.rep}/figures/national?as_of=2023-06-30")),
        "regions": await check(await get(f"{demo.rep}/figures/regions")),
        "territoires": await check(await get(f"{demo.rep}/figures/territoires")),
    }


async def _found(client: httpx.AsyncClient, url: str) -> bool:
    return (await client.get(url, headers=CDC)).status_code == 200


async def _knows_project(demo: Demo, projet_id: str) -> bool:
    response = await demo.client.get(f"{demo.fin}/enveloppes/cambrai", headers=CDC)
    return response.status_code == 200 and any(
        p.get("projet_id") == projet_id for p in response.json().get("projets_qualifies", [])
    )
