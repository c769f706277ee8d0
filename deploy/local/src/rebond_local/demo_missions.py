"""The laureates' missions in the demo, from their convention to the end of 2024: engineering ordered against the
programme's 10 M€, the envelope attributed with the State's share on the 90 M€ fund, monthly COPILs with their
members « a minima », the census (companies met, projects identified, updates, priorities, support, orientation
elsewhere, abandonment), the COPIL's qualifications, the companies' aid requests, Bpifrance's instruction under the
state-aid rules, the grants, and what follows them (conventions, tranches, final statements, an advance's
schedule, a repayment, a missed échéance).

The published figures these missions reproduce (DOMAIN-REFERENCE §5.1; how each is read is in the README):
- Cambrai [001]: « près de 44 industriels », 88 projects, « plus de 286 millions d'euros », 645 potential jobs,
  17 projects oriented to its 5 M€ envelope with « plus de 300 créations prévisionnelles d'emplois »;
- Lorient [002]: 46 interviews, 120 projects, 224 M€, 740 jobs, 6 projects aided (4,8 M€ of investment), 1,5 M€ of
  subsidies; launched in February and restituted in July (the year is not stated: 2024 here);
- Périgord Noir [002]: launched in January 2024, 50 interviews, 81 projects, 63,8 M€, 308 jobs, 5 companies aided,
  a 2 M€ envelope;
- nationally [002]: 39,7 M€ of subsidies, 15 missions accompanied since November 2023, « en moyenne 113 projets
  par territoire ».
The thirteen other missions are synthetic, sized so that the national figures come out as published; every company,
SIREN and SIRET is synthetic (valid Luhn keys)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import partial
from typing import Any

from rebond_local.demo_base import (
    BPI,
    CDC,
    M_EUR,
    Client,
    actor,
    synthetic_siren,
    synthetic_siret,
    until,
)

Step = tuple[str, Callable[[], Awaitable[object]]]
ETAT = "ETAT_FRANCE_2030"
JOUR_CONSULTANT_EUR = 1_600  # the price of a consultant day on the CDC's orders (synthetic)
COPIL_A_MINIMA = [
    {"organisme": "Sous-préfecture", "role": "présidence", "membre": "SERVICES_ETAT"},
    {"organisme": "Conseil régional", "role": "membre", "membre": "REGION"},
    {"organisme": "Banque des Territoires", "role": "membre", "membre": "CDC"},
    {"organisme": "Bpifrance", "role": "membre", "membre": "BPIFRANCE"},
    {"organisme": "Territoires d'industrie", "role": "cheffe de projet", "membre": "PROGRAMME_TI"},
    {"organisme": "Business France", "role": "membre", "membre": "BUSINESS_FRANCE"},
    {"organisme": "EPCI", "role": "membre", "membre": "EPCI"},
]
AXES = [
    {"intitule": "L'emploi et le développement des compétences", "description": "Commun aux deux agglomérations"},
    {"intitule": "L'anticipation des évolutions de la filière agroalimentaire", "description": "Cambrésis"},
    {"intitule": "L'accélération de la transition numérique et de l'innovation", "description": "Caudrésis-Catésis"},
]


@dataclass(frozen=True)
class Aides:
    """The aids of a mission: `nombre` aided projects of `montant_eur` each on a base of `assiette_eur`."""

    nombre: int
    montant_eur: int
    assiette_eur: int
    regime: str
    avance_tous_les: int = 0  # every n-th aid is an avance remboursable (0: none)


@dataclass(frozen=True)
class Plan:
    """One laureate's mission as the demo plays it."""

    tid: str
    convention: str
    lancement: str
    entreprises: int
    projets: int
    investissement_eur: int
    emplois: int
    qualifies: int
    emplois_qualifies: int
    aides: Aides
    enveloppe: tuple[tuple[str, int], ...]  # (financeur, € ) — the State's share first
    seed: int
    signataires: tuple[str, ...] = ("Caisse des Dépôts (Banque des Territoires)", "EPCI du territoire")
    restitution: str | None = None
    orientes: int = 0
    abandonnes: int = 0
    operateur: str = "BDT_FRANCE_2030"
    jours_hommes: int = 80
    instructions_defavorables: int = 0  # qualified projects whose request breaks a rule (DNSH not attested)
    refus_enveloppe: int = 0  # qualified and instructed, but the envelope is spent: a recorded refusal
    mise_a_jour: bool = False  # the first project's estimate is revised (first recorded 1 M€ lower)
    extras: tuple[str, ...] = field(default=())

    @property
    def copils(self) -> list[str]:
        """Monthly COPILs from a week after the launch, for five months."""
        start = date.fromisoformat(self.lancement) + timedelta(days=7)
        return [(start + timedelta(days=30 * k)).isoformat() for k in range(5)]

    def jour(self, days: int, after: str | None = None) -> str:
        return (date.fromisoformat(after or self.lancement) + timedelta(days=days)).isoformat()

    @property
    def montant_eur(self) -> int:
        return sum(m for _, m in self.enveloppe)


def _repartir(total: int, parts: int) -> list[int]:
    """`total` in `parts` integer shares that add up exactly (the first ones one unit larger)."""
    base, reste = divmod(total, parts)
    return [base + (1 if i < reste else 0) for i in range(parts)]


def _autre(tid: str, seed: int, lancement: str, projets: int, montant_eur: int = 250_000) -> Plan:
    """One of the thirteen synthetic missions: 40 companies met, ten aids of `montant_eur` out of 3 M€."""
    return Plan(
        tid=tid,
        convention=(date.fromisoformat(lancement) - timedelta(days=21)).isoformat(),
        lancement=lancement,
        entreprises=40,
        projets=projets,
        investissement_eur=projets * 1_700_000,
        emplois=projets * 6,
        qualifies=12,
        emplois_qualifies=12 * 9,
        aides=Aides(10, montant_eur, 1_300_000, "REPRISE_DURABLE_SA102077"),
        enveloppe=((ETAT, 3 * M_EUR // 100),),
        seed=seed,
        orientes=15,
        abandonnes=2,
        restitution=(date.fromisoformat(lancement) + timedelta(days=125)).isoformat(),
        operateur="ANCT" if tid == "saint-nazaire" else "BDT_FRANCE_2030",
    )


CAMBRAI = Plan(
    tid="cambrai",
    convention="2023-03-30",
    lancement="2023-04-11",
    entreprises=44,
    projets=88,
    investissement_eur=286_200_000,
    emplois=645,
    qualifies=17,
    emplois_qualifies=306,
    aides=Aides(17, 290_000, 1_600_000, "REPRISE_DURABLE_SA102077", avance_tous_les=4),
    enveloppe=((ETAT, 4_000_000), ("CA de Cambrai", 600_000), ("CA du Caudrésis et du Catésis", 400_000)),
    seed=31_000_000,
    signataires=("Caisse des Dépôts (Banque des Territoires)", "CA de Cambrai", "CA du Caudrésis et du Catésis"),
    restitution="2023-08-28",
    orientes=30,
    extras=("suivi_des_aides",),
)
LORIENT = Plan(
    tid="pays-de-lorient",
    convention="2023-09-05",
    lancement="2024-02-05",
    entreprises=46,
    projets=120,
    investissement_eur=224_000_000,
    emplois=740,
    qualifies=8,
    emplois_qualifies=60,
    aides=Aides(6, 250_000, 800_000, "ENVIRONNEMENT"),
    enveloppe=((ETAT, 1_500_000),),
    seed=32_000_000,
    restitution="2024-07-09",
    orientes=40,  # « 46 entreprises … ont toutes eu un retour, soit vers l'enveloppe Rebond … soit vers d'autres »
    abandonnes=3,
    instructions_defavorables=1,
    refus_enveloppe=1,
    mise_a_jour=True,
)
PERIGORD_NOIR = Plan(
    tid="perigord-noir",
    convention="2023-12-11",
    lancement="2024-01-15",
    entreprises=50,
    projets=81,
    investissement_eur=63_800_000,
    emplois=308,
    qualifies=7,
    emplois_qualifies=45,
    aides=Aides(5, 380_000, 700_000, "ENVIRONNEMENT"),
    enveloppe=((ETAT, 2_000_000),),
    seed=33_000_000,
    restitution="2024-05-28",
    orientes=10,
)
# 13 more missions since November 2023: with Lorient and Périgord Noir, the « 15 missions » [002]. Their census
# brings the average to 113 projects per territory over the 16 territories with a census (1 808 projects).
AUTRES = [
    replace(_autre("nord-lorraine", 34_000_000, "2023-11-06", 117), convention="2023-02-15"),
    _autre("grand-chalon", 34_100_000, "2023-11-20", 117),
    _autre("axe-seine", 34_200_000, "2023-12-04", 117),
    _autre("dunkerque", 34_300_000, "2024-01-08", 117),
    _autre("bethune-bruay", 34_400_000, "2024-02-12", 117),
    _autre("moselle-est", 34_500_000, "2024-03-04", 117),
    _autre("sud-alsace", 34_600_000, "2024-03-18", 117),
    _autre("roanne-tarare", 34_700_000, "2024-04-08", 117),
    _autre("ardeche-drome", 34_800_000, "2024-04-22", 117),
    _autre("nord-franche-comte", 34_900_000, "2024-05-13", 117),
    _autre("fougeres-vitre", 35_000_000, "2024-06-03", 117),
    _autre("nord-cotentin", 35_100_000, "2024-06-17", 117),
    _autre("saint-nazaire", 35_200_000, "2024-07-01", 115, montant_eur=253_000),
]
PLANS = [CAMBRAI, LORIENT, PERIGORD_NOIR, *AUTRES]
AJUSTEMENT = ("dunkerque", 500_000, "2024-06-20", "Projets de qualité plus nombreux que prévu")


@dataclass(frozen=True)
class Lane:
    """A step of one mission: steps of different lanes on the same day may run concurrently (Demo.play)."""

    lane: str
    step: Callable[[], Awaitable[object]]

    def __call__(self) -> Awaitable[object]:
        return self.step()


@dataclass(frozen=True)
class ProjetDemo:
    projet_id: str
    siren: str
    siret: str
    investissement_eur: int
    emplois: int


def projets_de(plan: Plan) -> list[ProjetDemo]:
    """The census of a mission: each project belongs to one of the companies met, in turn; the sums are exact."""
    investissements = _repartir(plan.investissement_eur, plan.projets)
    emplois = _repartir(plan.emplois, plan.projets)
    out = []
    for i in range(plan.projets):
        company = plan.seed + i % plan.entreprises
        siret_base = synthetic_siren(company)
        out.append(
            ProjetDemo(
                projet_id=f"{plan.tid}-p{i + 1:03d}",
                siren=siret_base,
                siret=synthetic_siret(company, i // plan.entreprises + 1),
                investissement_eur=investissements[i],
                emplois=emplois[i],
            )
        )
    return out


class Missions:
    """The steps of every mission, for Demo.play (sorted there by business date)."""

    def __init__(self, client: Client) -> None:
        self.c = client

    def steps(self) -> list[Step]:
        """Each mission's steps in its own lane: on a day, two missions' people act side by side."""
        steps: list[Step] = []
        for plan in PLANS:
            steps += [(day, Lane(plan.tid, step)) for day, step in self.mission(plan)]
        tid, delta, day, motif = AJUSTEMENT
        steps.append((day, Lane(tid, partial(self.ajuster, tid, delta, day, motif))))
        steps += [(day, Lane(CAMBRAI.tid, step)) for day, step in self.suivi_des_aides(CAMBRAI)]
        return steps

    def mission(self, plan: Plan) -> list[Step]:
        copils = plan.copils
        qualification = copils[2]
        steps: list[Step] = [
            (plan.convention, partial(self.convention, plan)),
            (plan.lancement, partial(self.lancement, plan)),
            *[(day, partial(self.copil, plan, day)) for day in copils],
            (plan.jour(10), partial(self.entretiens, plan)),
            (plan.jour(20), partial(self.recensement, plan)),
            (qualification, partial(self.qualifier, plan, qualification)),
            (plan.jour(3, qualification), partial(self.demandes, plan, plan.jour(3, qualification))),
            (plan.jour(10, qualification), partial(self.instruire, plan, plan.jour(10, qualification))),
            (plan.jour(15, qualification), partial(self.accorder, plan, plan.jour(15, qualification))),
            (copils[3], partial(self.fins, plan, copils[3])),
        ]
        if plan.mise_a_jour:
            steps.append((copils[1], partial(self.mettre_a_jour, plan, copils[1])))
        if plan.restitution:
            steps.append((plan.jour(-3, plan.restitution), partial(self.feuille_de_route, plan)))
            steps.append((plan.restitution, partial(self.restituer, plan)))
        return steps

    # ---- the mission itself -------------------------------------------------------------------------------------

    def prestataire(self, plan: Plan) -> dict[str, str]:
        return actor("PRESTATAIRE", f"cabinet-{plan.tid}", plan.tid)

    def copil_membre(self, plan: Plan) -> dict[str, str]:
        return actor("COPIL_MEMBRE", f"copil-{plan.tid}", plan.tid)

    async def opened(self, plan: Plan) -> None:
        async def probe() -> bool:
            answer = await self.c.client.get(f"{self.c.instr}/missions/{plan.tid}", headers=CDC)
            return answer.status_code == 200

        await until(probe, f"the mission of {plan.tid} to open")

    async def convention(self, plan: Plan) -> None:
        await self.opened(plan)
        body = {"date_signature": plan.convention, "signataires": list(plan.signataires)}
        await self.c.post(f"{self.c.instr}/missions/{plan.tid}/convention", CDC, body)

    async def lancement(self, plan: Plan) -> None:
        """The CDC orders the engineering (its bon de commande against the 10 M€, unless ANCT carries it), and
        attributes the envelope, whose State share the 90 M€ fund reserves."""
        fin = (date.fromisoformat(plan.lancement) + timedelta(days=120)).isoformat()
        body = {
            "date_lancement": plan.lancement,
            "jours_hommes": plan.jours_hommes,
            "prestataire": "Cabinet d'ingénierie",
            "fin_prevue": fin,
            "operateur": plan.operateur,
        }
        await self.c.post(f"{self.c.instr}/missions/{plan.tid}/ingenierie", CDC, body)
        if plan.operateur == "BDT_FRANCE_2030":
            bon = {
                "bon_id": f"bon-{plan.tid}",
                "territoire_id": plan.tid,
                "jours_hommes": plan.jours_hommes,
                "montant_centimes": plan.jours_hommes * JOUR_CONSULTANT_EUR * 100,
                "date_commande": plan.lancement,
            }
            await self.c.post(f"{self.c.fin}/programme/ingenierie/bons-de-commande", CDC, bon)

        async def known() -> bool:
            answer = await self.c.client.get(f"{self.c.fin}/enveloppes/{plan.tid}", headers=CDC)
            return answer.status_code == 200

        await until(known, f"financement to learn that {plan.tid} won")
        attribution = {
            "montant_centimes": plan.montant_eur * 100,
            "date_attribution": plan.lancement,
            "contributions": [{"financeur": f, "montant_centimes": m * 100} for f, m in plan.enveloppe],
        }
        await self.c.post(f"{self.c.fin}/enveloppes/{plan.tid}", CDC, attribution)

    async def copil(self, plan: Plan, day: str) -> None:
        body = {
            "copil_id": f"copil-{plan.tid}-{day}",
            "date": day,
            "ordre_du_jour": "Suivi de la mission et des projets",
            "participants": COPIL_A_MINIMA,
        }
        await self.c.post(f"{self.c.instr}/missions/{plan.tid}/copils", self.prestataire(plan), body)

    async def feuille_de_route(self, plan: Plan) -> None:
        axes = AXES if plan is CAMBRAI else AXES[:1]
        path = f"{self.c.instr}/missions/{plan.tid}/feuille-de-route"
        await self.c.post(path, self.prestataire(plan), {"axes": axes})

    async def restituer(self, plan: Plan) -> None:
        path = f"{self.c.instr}/missions/{plan.tid}/restitution"
        await self.c.post(path, self.prestataire(plan), {"date": plan.restitution})

    # ---- the census ---------------------------------------------------------------------------------------------

    async def entretiens(self, plan: Plan) -> None:
        day = plan.jour(10)
        sheet = [
            {
                "entretien_id": f"{plan.tid}-e{i + 1:03d}",
                "siren": synthetic_siren(plan.seed + i),
                "raison_sociale": f"Industrie n°{i + 1} ({plan.tid})",
                "date": day,
            }
            for i in range(plan.entreprises)
        ]
        for start in range(0, len(sheet), 200):
            body = {"entretiens": sheet[start : start + 200]}
            await self.c.post(f"{self.c.instr}/territoires/{plan.tid}/entretiens", self.prestataire(plan), body)

    async def recensement(self, plan: Plan) -> None:
        day = plan.jour(20)
        lines = [self._ligne(plan, p, i, day) for i, p in enumerate(projets_de(plan))]
        for start in range(0, len(lines), 200):
            body = {"projets": lines[start : start + 200]}
            answer = await self.c.post(
                f"{self.c.instr}/territoires/{plan.tid}/recensement", self.prestataire(plan), body
            )
            refused = [r for r in answer["projets"] if "error" in r]
            if refused:
                raise RuntimeError(f"census of {plan.tid}: {refused[:3]}")

    def _ligne(self, plan: Plan, projet: ProjetDemo, index: int, day: str) -> dict[str, Any]:
        investissement = projet.investissement_eur
        if plan.mise_a_jour and index == 0:
            investissement -= 1_000_000  # first estimate; revised at the second COPIL
        return {
            "projet_id": projet.projet_id,
            "siren": projet.siren,
            "siret": projet.siret,
            "raison_sociale": f"Industrie n°{index % plan.entreprises + 1} ({plan.tid})",
            "intitule": "Modernisation de l'outil de production",
            "effectif": 30,
            "chiffre_affaires_centimes": 5 * M_EUR,
            "total_bilan_centimes": 4 * M_EUR,
            "secteur_naf": "25.62B",
            "investissement_centimes": investissement * 100,
            "emplois_potentiels": projet.emplois,
            "horizon": 2027,
            "date": day,
        }

    async def mettre_a_jour(self, plan: Plan, day: str) -> None:
        projet = projets_de(plan)[0]
        body = {
            "investissement_centimes": projet.investissement_eur * 100,
            "emplois_potentiels": projet.emplois,
            "horizon": 2027,
            "motif": "Chiffrage consolidé avec le porteur",
            "date": day,
        }
        path = f"{self.c.instr}/territoires/{plan.tid}/projets/{projet.projet_id}/mise-a-jour"
        await self.c.post(path, self.prestataire(plan), body)

    # ---- the COPIL, the requests, Bpifrance, the grants ------------------------------------------------------------

    def _projet(self, plan: Plan, projet_id: str) -> str:
        return f"{self.c.instr}/territoires/{plan.tid}/projets/{projet_id}"

    def qualifies(self, plan: Plan) -> list[ProjetDemo]:
        return projets_de(plan)[: plan.qualifies]

    async def qualifier(self, plan: Plan, day: str) -> None:
        """The COPIL prioritises and qualifies the projects it orients to the envelope; the consultants support them."""
        jobs = _repartir(plan.emplois_qualifies, plan.qualifies)
        await asyncio.gather(
            *(self._qualifier(plan, day, p, e) for p, e in zip(self.qualifies(plan), jobs, strict=True))
        )

    async def _qualifier(self, plan: Plan, day: str, projet: ProjetDemo, emplois: int) -> None:
        acteurs = ["EPCI", "Région", "Bpifrance"]
        base = self._projet(plan, projet.projet_id)
        copil = self.copil_membre(plan)
        await self.c.post(f"{base}/priorisation", copil, {"prioritaire": True, "acteurs": acteurs, "date": day})
        await self.c.post(
            f"{base}/accompagnement",
            self.prestataire(plan),
            {"nature": "Plan de financement, dossier Bpifrance", "dispositifs_identifies": ["Rebond"], "date": day},
        )
        body = {
            "copil_id": f"copil-{plan.tid}-{day}",
            "assiette_estimee_centimes": plan.aides.assiette_eur * 100,
            "forme_envisagee": "SUBVENTION",
            "emplois_prevus": emplois,
        }
        await self.c.post(f"{base}/qualification", copil, body)

    def forme(self, plan: Plan, index: int) -> str:
        every = plan.aides.avance_tous_les
        return "AVANCE_REMBOURSABLE" if every and (index + 1) % every == 0 else "SUBVENTION"

    def demandes_de(self, plan: Plan) -> list[ProjetDemo]:
        """The qualified projects that apply: the aided ones, then those refused for the envelope or the rules."""
        return self.qualifies(plan)[: plan.aides.nombre + plan.refus_enveloppe + plan.instructions_defavorables]

    async def demandes(self, plan: Plan, day: str) -> None:
        await asyncio.gather(*(self._demande(plan, day, i, p) for i, p in enumerate(self.demandes_de(plan))))

    async def _demande(self, plan: Plan, day: str, i: int, projet: ProjetDemo) -> None:
        porteur = actor("PORTEUR_PROJET", f"porteur-{projet.projet_id}", projet.projet_id)
        body = {
            "demande_id": f"d-{projet.projet_id}",
            "forme": self.forme(plan, i),
            "montant_demande_centimes": plan.aides.montant_eur * 100,
            "date_depot": day,
        }
        await self.c.post(f"{self._projet(plan, projet.projet_id)}/demande-aide", porteur, body)

    async def instruire(self, plan: Plan, day: str) -> None:
        """Works start the day after the instruction (after the request: the incentive effect), over 20 months."""
        debut = (date.fromisoformat(day) + timedelta(days=1)).isoformat()
        fin = (date.fromisoformat(day) + timedelta(days=600)).isoformat()
        favorables = plan.aides.nombre + plan.refus_enveloppe

        async def one(i: int, projet: ProjetDemo) -> None:
            body = {
                "demande_id": f"d-{projet.projet_id}",
                "regime": plan.aides.regime,
                "zone_afr": False,
                "depenses": [
                    {"categorie": "EQUIPEMENTS_MACHINES", "montant_centimes": plan.aides.assiette_eur * 60},
                    {"categorie": "IMMOBILIER", "montant_centimes": plan.aides.assiette_eur * 40},
                ],
                "debut_depenses": debut,
                "fin_depenses": fin,
                "debut_travaux": debut,
                "dnsh_atteste": i < favorables,
                "date_instruction": day,
            }
            expected = (201, 200) if i < favorables else (409,)
            answer = await self.c.client.post(
                f"{self._projet(plan, projet.projet_id)}/instruction", headers=BPI, json=body
            )
            if answer.status_code not in expected:
                raise RuntimeError(f"instruction of {projet.projet_id}: {answer.status_code} {answer.text}")

        await asyncio.gather(*(one(i, p) for i, p in enumerate(self.demandes_de(plan))))

    async def accorder(self, plan: Plan, day: str) -> None:
        """The committee of financers decides on Bpifrance's instruction; beyond the envelope, a recorded refusal."""
        favorables = self.demandes_de(plan)[: plan.aides.nombre + plan.refus_enveloppe]

        async def instructed() -> bool:
            answer = await self.c.client.get(f"{self.c.fin}/enveloppes/{plan.tid}", headers=BPI)
            return answer.status_code == 200 and len(answer.json()["instructions"]) >= len(favorables)

        await until(instructed, f"financement to learn Bpifrance's instructions in {plan.tid}")
        for i, projet in enumerate(favorables):
            body = {
                "aide_id": f"aide-{projet.projet_id}",
                "projet_id": projet.projet_id,
                "forme": self.forme(plan, i),
                "montant_centimes": plan.aides.montant_eur * 100,
                "instance_decision": "Comité des financeurs du territoire, sur instruction de Bpifrance",
                "date_decision": day,
            }
            refused = i >= plan.aides.nombre
            answer = await self.c.client.post(f"{self.c.fin}/enveloppes/{plan.tid}/aides", headers=BPI, json=body)
            if answer.status_code != (409 if refused else 201) and answer.status_code != 200:
                raise RuntimeError(f"grant in {plan.tid}: {answer.status_code} {answer.text}")
            if refused:
                print(f"  an aid beyond the envelope of {plan.tid} is refused: {answer.json()['error']}")

    async def fins(self, plan: Plan, day: str) -> None:
        """Projects oriented to other schemes (terminal for Rebond) and abandoned ones, among those not qualified."""
        rest = projets_de(plan)[plan.qualifies :]
        oriente = {"dispositif": "Fonds vert « TI en transition écologique »", "date": day}
        abandon = {"motif": "Le porteur renonce à investir", "date": day}
        await asyncio.gather(
            *(
                self.c.post(f"{self._projet(plan, p.projet_id)}/orientation", self.copil_membre(plan), oriente)
                for p in rest[: plan.orientes]
            ),
            *(
                self.c.post(f"{self._projet(plan, p.projet_id)}/abandon", self.prestataire(plan), abandon)
                for p in rest[plan.orientes : plan.orientes + plan.abandonnes]
            ),
        )

    # ---- money after the grants ----------------------------------------------------------------------------------

    async def ajuster(self, tid: str, delta_eur: int, day: str, motif: str) -> None:
        body = {"delta_centimes": delta_eur * 100, "motif": motif, "date_ajustement": day}
        await self.c.post(f"{self.c.fin}/enveloppes/{tid}/ajustements", CDC, body)

    def suivi_des_aides(self, plan: Plan) -> list[Step]:
        """Cambrai's first aids through 2024: conventions, a tranche on justified expenses, final statements (one
        reduced pro rata), an advance's schedule, one échéance repaid and one missed."""
        aides = [f"aide-{p.projet_id}" for p in self.qualifies(plan)[: plan.aides.nombre]]
        base = f"{self.c.fin}/enveloppes/{plan.tid}/aides"
        assiette = plan.aides.assiette_eur * 100
        montant = plan.aides.montant_eur * 100
        steps: list[Step] = []
        for aide in aides[:4]:
            steps.append(
                ("2023-09-15", partial(self.c.post, f"{base}/{aide}/convention", BPI, {"date_signature": "2023-09-15"}))
            )
            tranche = {
                "versement_id": "t1",
                "montant_centimes": montant // 2,
                "depenses_justifiees_centimes": assiette // 2,
                "date_versement": "2024-01-15",
            }
            steps.append(("2024-01-15", partial(self.c.post, f"{base}/{aide}/versements", BPI, tranche)))
        solde = {"depenses_realisees_centimes": assiette, "date_solde": "2024-06-14"}
        for aide in aides[1:4]:
            steps.append(("2024-06-14", partial(self.c.post, f"{base}/{aide}/solde", BPI, solde)))
        reduit = {"depenses_realisees_centimes": assiette * 8 // 10, "date_solde": "2024-06-14"}
        steps.append(("2024-06-14", partial(self.c.post, f"{base}/{aides[0]}/solde", BPI, reduit)))
        avance = aides[3]  # the 4th aid is an avance remboursable
        echeances = [
            {"date": "2024-12-15", "montant_centimes": montant // 2},
            {"date": "2025-12-15", "montant_centimes": montant - montant // 2},
        ]
        steps.append(("2024-07-01", partial(self.c.post, f"{base}/{avance}/echeancier", BPI, {"echeances": echeances})))
        remboursement = {"remboursement_id": "r1", "montant_centimes": montant // 4, "date_remboursement": "2024-12-10"}
        steps.append(("2024-12-10", partial(self.c.post, f"{base}/{avance}/remboursements", BPI, remboursement)))
        impaye = {"echeance": "2024-12-15", "date_constat": "2024-12-20"}
        steps.append(("2024-12-20", partial(self.c.post, f"{base}/{avance}/impayes", BPI, impaye)))
        return steps
