"""The demo scenario, played over the services' HTTP APIs as the programme's people would, on a simulated
clock from September 2022 to the end of 2024.

The first two waves give 7 laureate territories; 12 more are announced on 28/08/2023: 19 territories in 9
regions, as the government's announcement says [001]. Then the laureates' missions run (rebond_local.demo_missions):
Cambrai and Caudrésis-Catésis from April 2023 to its restitution on 28/08/2023 [001], Périgord Noir from January 2024
and Lorient from February to July 2024 [002], and thirteen more since November 2023. Besides Cambrai, Lorient and
Périgord Noir, the sources do not name the laureates of 2023: the other names below are Territoires d'industrie of
the right regions taken as stand-ins, and every SIREN, SIRET and co-financing split is synthetic (valid Luhn keys)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from rebond_local.demo_base import (
    BPI,
    CDC,
    COMITE,
    DTI,
    OPERATEUR,
    PM,
    SGPI,
    Client,
    actor,
    check,
    synthetic_siren,
    synthetic_siret,
    until,
)
from rebond_local.demo_missions import CAMBRAI, LORIENT, PERIGORD_NOIR, PLANS, Missions
from rebond_local.demo_publication import ANNONCE_LE, Annonce

__all__ = ["BPI", "CDC", "DTI", "OPERATEUR", "SGPI", "actor", "check", "synthetic_siren", "synthetic_siret", "until"]
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
    T("pays-de-lorient", "Pays de Lorient", "53", (20010005,), 2),
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
    T("perigord-noir", "Périgord Noir", "75", (20010023,), 3),
    T("grand-annecy", "Grand Annecy", "84", (20010024,), 3, "non_retenue"),
]
LAUREATS = [t for t in SCENARIO if t.issue == "laureat"]
# wave → (instruction opens, conclusions, comité, SGPI, decision day, notification day)
CALENDRIER = {
    1: ("2022-10-10", "2022-10-24", "2022-11-08", "2022-11-15", "2022-11-21", "2022-11-25"),
    2: ("2023-02-06", "2023-02-20", "2023-03-02", "2023-03-09", "2023-03-15", "2023-03-20"),
    3: ("2023-06-05", "2023-07-03", "2023-07-18", "2023-08-01", "2023-08-24", "2023-08-28"),
}
DEMO_END = "2024-12-31"


class Demo(Client):
    """One run of the scenario against the four services."""

    def __init__(self, client: httpx.AsyncClient, urls: dict[str, str], scenario: list[Territoire] = SCENARIO) -> None:
        super().__init__(client, urls)
        self.scenario = scenario

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
        """Run the steps in business-time order, moving the clocks forward to each one's day. Steps of one day run in
        order, except those of different missions (a `Lane`), which run side by side as their people would."""
        by_day: dict[str, list[Callable[[], Awaitable[object]]]] = {}
        for day, step in steps:
            by_day.setdefault(day, []).append(step)
        for day in sorted(by_day):
            await self.at(day)
            lanes: dict[str, list[Callable[[], Awaitable[object]]]] = {}
            for step in by_day[day]:
                lanes.setdefault(getattr(step, "lane", ""), []).append(step)
            await asyncio.gather(*(_in_order(lane) for lane in lanes.values()))


async def _in_order(steps: list[Callable[[], Awaitable[object]]]) -> None:
    for step in steps:
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


async def play_demo(urls: dict[str, str]) -> dict[str, Any]:
    """The whole scenario; returns the figures reporting rebuilt from the topics."""
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=60) as client:
        demo = Demo(client, urls)
        annonce = Annonce(demo)
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
                *demo.selection_steps(2),
                ("2023-05-10", lambda: demo.deposit_wave(3)),
                ("2023-05-26", _nothing),  # Vallée de l'Arve's convention deadline (25/05/2023) has passed
                *demo.selection_steps(3),
                (ANNONCE_LE, annonce.demander_et_valider),  # after the decision, the same day: cleared, under embargo
                ("2023-08-29", annonce.constater_diffusion),  # the embargo passed: public
                *Missions(demo).steps(),
                (DEMO_END, _nothing),
            ]
        )
        played = time.monotonic()
        found = await figures(demo) | {"annonce": annonce.vu_du_public}
        caught_up = time.monotonic() - played
        print(f"  commands played in {played - started:.1f} s; reporting caught up {caught_up:.1f} s later")
        return found


async def _nothing() -> None:
    """A day on which only the clock moves (watchers record what falls due)."""


# Each published mission as of the day its results were published: Cambrai at its restitution [001], Lorient
# « restituée en juillet » [002], Périgord Noir in the November 2024 report [002].
MISSIONS_PUBLIEES = {CAMBRAI.tid: "2023-08-28", LORIENT.tid: "2024-07-31", PERIGORD_NOIR.tid: "2024-11-30"}
PUBLIE_LE = "2024-11-30"  # the national figures of [002] (« Bilan à 1 an du temps II », November 2024)
TEMPS_II = "2023-11-01"  # « depuis novembre 2023 »


async def figures(demo: Demo) -> dict[str, Any]:
    """Wait until reporting has every fact of the demo, then read the figures it shows."""
    aided = sum(plan.aides.nombre for plan in PLANS)
    census = sum(plan.projets for plan in PLANS)

    async def complete() -> bool:
        response = await demo.client.get(f"{demo.rep}/figures/national", headers=SGPI)
        body = response.json() if response.status_code == 200 else {}
        return (
            body.get("nb_aides") == aided
            and body.get("nb_projets_recenses") == census
            and body.get("nb_laureats") == len(LAUREATS)
            and body.get("nb_missions_restituees") == len(PLANS)
            and body.get("nb_echeances_impayees") == 1
            and body.get("nb_projets_abandonnes") == sum(plan.abandonnes for plan in PLANS)
            and body.get("nb_projets_orientes_autres_dispositifs") == sum(plan.orientes for plan in PLANS)
        )

    await until(complete, "reporting to show every decision and aid", timeout=180)

    async def get(url: str, params: dict[str, str] | None = None) -> httpx.Response:
        return await demo.client.get(url, params=params, headers=SGPI)  # the internal figures, as the SGPI reads them

    territoire = {
        tid: await check(await get(f"{demo.rep}/figures/territoires/{tid}", params={"as_of": day}))
        for tid, day in MISSIONS_PUBLIEES.items()
    }
    return {
        "national": await check(await get(f"{demo.rep}/figures/national")),
        "national_au_2023-06-30": await check(await get(f"{demo.rep}/figures/national?as_of=2023-06-30")),
        "national_au_2023-08-28": await check(await get(f"{demo.rep}/figures/national?as_of=2023-08-28")),
        "national_publie": await check(
            await get(f"{demo.rep}/figures/national", params={"as_of": PUBLIE_LE, "missions_depuis": TEMPS_II})
        ),
        "regions": await check(await get(f"{demo.rep}/figures/regions")),
        "territoires": await check(await get(f"{demo.rep}/figures/territoires")),
        "missions": territoire,
    }


def _sub(figures: dict[str, Any], *path: str) -> Any:
    value: Any = figures
    for key in path:
        value = value[key]
    return value


# What the programme published (DOMAIN-REFERENCE §5.1) and where reporting shows it: (figure as published, source,
# path in the figures `play_demo` returns). The run command prints them side by side; the e2e test asserts them.
PUBLIES: list[tuple[str, str, tuple[str, ...]]] = [
    ("19 territoires lauréats au 28/08/2023", "[001]", ("national_au_2023-08-28", "nb_laureats")),
    ("… dans 9 régions", "[001]", ("national_au_2023-08-28", "nb_regions_laureates")),
    ("Cambrai: près de 44 industriels", "[001]", ("missions", "cambrai", "recensement", "nb_entreprises_rencontrees")),
    ("Cambrai: 88 projets", "[001]", ("missions", "cambrai", "recensement", "nb_projets_recenses")),
    ("Cambrai: plus de 286 M€", "[001]", ("missions", "cambrai", "recensement", "investissement_recense_centimes")),
    ("Cambrai: 645 emplois potentiels", "[001]", ("missions", "cambrai", "recensement", "emplois_potentiels")),
    ("Cambrai: 17 projets orientés vers l'enveloppe", "[001]", ("missions", "cambrai", "nb_projets_qualifies")),
    ("… plus de 300 emplois prévisionnels", "[001]", ("missions", "cambrai", "emplois_prevus")),
    ("… l'enveloppe de 5 M€", "[001]", ("missions", "cambrai", "enveloppe_centimes")),
    ("Lorient: 46 entretiens", "[002]", ("missions", "pays-de-lorient", "recensement", "nb_entretiens")),
    ("Lorient: 120 projets", "[002]", ("missions", "pays-de-lorient", "recensement", "nb_projets_recenses")),
    ("Lorient: 224 M€", "[002]", ("missions", "pays-de-lorient", "recensement", "investissement_recense_centimes")),
    ("Lorient: 740 emplois", "[002]", ("missions", "pays-de-lorient", "recensement", "emplois_potentiels")),
    ("Lorient: 6 projets aidés", "[002]", ("missions", "pays-de-lorient", "argent", "nb_projets_aides")),
    (
        "… 4,8 M€ d'investissements",
        "[002]",
        ("missions", "pays-de-lorient", "argent", "investissement_soutenu_centimes"),
    ),
    (
        "… 1,5 M€ de subventions",
        "[002]",
        ("missions", "pays-de-lorient", "aides_par_forme", "SUBVENTION", "montant_centimes"),
    ),
    ("Périgord Noir: 50 entretiens", "[002]", ("missions", "perigord-noir", "recensement", "nb_entretiens")),
    ("Périgord Noir: 81 projets", "[002]", ("missions", "perigord-noir", "recensement", "nb_projets_recenses")),
    (
        "Périgord Noir: 63,8 M€",
        "[002]",
        ("missions", "perigord-noir", "recensement", "investissement_recense_centimes"),
    ),
    ("Périgord Noir: 308 emplois", "[002]", ("missions", "perigord-noir", "recensement", "emplois_potentiels")),
    ("Périgord Noir: 5 entreprises aidées", "[002]", ("missions", "perigord-noir", "argent", "nb_entreprises_aidees")),
    ("Périgord Noir: enveloppe de 2 M€", "[002]", ("missions", "perigord-noir", "enveloppe_centimes")),
    ("39,7 M€ de subventions", "[002]", ("national_publie", "aides_par_forme", "SUBVENTION", "montant_centimes")),
    ("15 missions depuis novembre 2023", "[002]", ("national_publie", "nb_missions_lancees_depuis")),
    ("en moyenne 113 projets par territoire", "[002]", ("national_publie", "moyenne_projets_par_territoire")),
    ("près de 2 M€ d'ingénierie Rebond", "[002]", ("national_publie", "ingenierie", "commandee_centimes")),
]


def publies(figures: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(published figure, source, what reporting shows) for each figure the programme published."""
    return [(label, source, _sub(figures, *path)) for label, source, path in PUBLIES]
