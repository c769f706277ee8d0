"""The territory lifecycle in the public figures, on a real broker and PostgreSQL: sealed envelopes of the
selection chain (deposits, withdrawal, relève, eligibility, proposals, decisions, early closure) and of
the laureates' missions (convention, launch, COPIL and alerts, roadmap, restitution, closure) become
per-wave, national and per-territory figures as of any date; nothing of a dossier or of an instruction
file is published; non-selected or withdrawn candidates are never named; a rebuild is identical."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from contracts import topics
from contracts.base import DomainEvent, Role
from contracts.candidature import v1 as c
from contracts.envelope import EventEnvelope, seal
from contracts.instruction import mission as m
from contracts.instruction import v1 as i
from kernel.adapters.settings import Settings
from reporting.app import create_app
from tests.fixtures import signed
from tests.support import as_actor, eventually, running

OPERATOR = as_actor(Role.SYSTEME, "ops")


pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

SGPI = as_actor(Role.SGPI, "sgpi-1")  # the internal figures are read by the roles entitled to them

SIRENS = {
    "cambrai": ["200068500", "200040491"],
    "lorient": ["200042174"],
    "vallee-arve": ["200070209"],
    "desiste": ["246200364"],
    "lacune": ["200069193"],
    "perigord": ["200070845"],
}
NOMS = {
    "cambrai": "Cambrésis et Caudrésis-Catésis",
    "lorient": "Pays de Lorient",
    "vallee-arve": "Vallée de l'Arve",
    "desiste": "Pays Retiré",
    "lacune": "Pays Incomplet",
    "perigord": "Périgord Noir",
}
REGIONS = {"cambrai": "32", "lorient": "53", "vallee-arve": "84", "desiste": "44", "lacune": "76", "perigord": "75"}
# Confidential content that the events carry and no public figure may show.
SECRETS = (
    "Vallée de l'Arve",
    "Pays Retiré",
    "Pays Incomplet",
    "Périgord Noir",
    "Brouillon",
    "vallee",
    "arve",
    "desiste",
    "lacune",
    "perigord",
    "brouillon",
    "SECRET",
)


class Stream:
    """Numbers and chains the envelopes of one stream, as a producing service's store would."""

    def __init__(self, stream_id: str) -> None:
        self.stream_id, self.version, self.previous = stream_id, 0, None

    def __call__(
        self, event: DomainEvent | tuple[str, int, dict[str, Any]], at: datetime = datetime(2023, 9, 1, 10, tzinfo=UTC)
    ) -> EventEnvelope:
        kind, version, data = (
            event
            if isinstance(event, tuple)
            else (event.event_type, event.schema_version, event.model_dump(mode="json"))
        )
        self.version += 1
        envelope = seal(
            {
                "event_id": str(uuid4()),
                "event_type": kind,
                "schema_version": version,
                "stream_id": self.stream_id,
                "stream_version": self.version,
                "occurred_at": at.isoformat(),
                "recorded_at": datetime.now(UTC).isoformat(),
                "correlation_id": f"corr-{self.stream_id}",
                "causation_id": None,
                "actor": {"id": "tests", "role": "SYSTEME"},
                "producer": "tests",
                "previous_hash": self.previous,
                "data": data,
            }
        )
        self.previous = envelope.hash
        return envelope


def depot(cid: str, vague: int, at: str) -> tuple[str, int, dict[str, Any]]:
    """A deposit in its released version 1 (upcast on read), whatever the latest version is."""
    return (
        "CandidatureDeposee",
        1,
        {
            "candidature_id": cid,
            "vague": vague,
            "deposee_le": at,
            "epci_sirens": SIRENS[cid],
            "releve_le": "2022-10-01T12:00:00+02:00" if vague == 1 else "2023-02-01T12:00:00+01:00",
            "porteur": "GROUPEMENT_EPCI" if cid == "cambrai" else "EPCI",
            "nom_territoire": NOMS[cid],
            "region_code": REGIONS[cid],
            "perimetre": "SECRET périmètre",
            "filiere": "SECRET filière",
            "sections": [
                "IDENTITE_INDUSTRIELLE",
                "EXPOSITION_MUTATIONS",
                "FRAGILITE_TISSU_ECONOMIQUE",
                "AMBITION_INDUSTRIELLE",
                "AMBITION_ENVIRONNEMENTALE_SOCIALE",
                "STRATEGIE_REBOND",
                "DEFICIT_INGENIERIE",
            ],
            "nombre_pages": 20,
            "pages_synthese": 2,
            "grille_impacts_jointe": True,
        },
    )


def depot_v2(cid: str) -> c.CandidatureDeposee:
    """A deposit in the latest version: the grille's content and the overlap warnings are confidential."""
    _, _, v1 = depot(cid, 2, "2023-01-15T10:00:00+01:00")
    impact = {"impact": "POSITIF", "justification": "SECRET justification"}
    grille = {
        "solution_reference": "SECRET référence",
        "methodologie": "SECRET",
        "hypotheses": "SECRET",
        **{o.value: impact for o in c.ObjectifEnvironnemental},
    }
    warning = {"motif": "MEME_PERIMETRE", "autre_candidature_id": "lacune", "vague": 1, "detail": "SECRET"}
    return c.CandidatureDeposee.model_validate(
        {
            **{k: v for k, v in v1.items() if k != "grille_impacts_jointe"},
            "grille_impacts": grille,
            "avertissements": [warning],
        }
    )


def candidatures() -> list[EventEnvelope]:
    s = {cid: Stream(f"candidature-{cid}") for cid in [*NOMS, "brouillon"]}
    draft = {"porteur": "EPCI", "epci_sirens": ["200071876"], "nom_territoire": "Pays Brouillon SECRET"}
    return [
        s["brouillon"](
            c.CandidatureInitiee.model_validate(
                {"candidature_id": "brouillon", "initiee_le": "2022-09-01T10:00:00+02:00", "dossier": draft}
            )
        ),
        s["brouillon"](
            c.DossierModifie.model_validate(
                {
                    "candidature_id": "brouillon",
                    "modifie_le": "2022-09-02T10:00:00+02:00",
                    "dossier": {**draft, "filiere": "SECRET filière"},
                }
            )
        ),
        s["desiste"](depot("desiste", 1, "2022-09-10T10:00:00+02:00")),
        s["desiste"](
            c.CandidatureRetiree(
                candidature_id="desiste",
                vague=1,
                motif="SECRET motif du retrait",
                retiree_le=datetime.fromisoformat("2022-09-15T09:00:00+02:00"),
            )
        ),
        s["cambrai"](depot("cambrai", 1, "2022-09-20T10:00:00+02:00")),
        s["lorient"](depot("lorient", 1, "2022-09-25T10:00:00+02:00")),
        s["vallee-arve"](depot("vallee-arve", 1, "2022-09-28T10:00:00+02:00")),
        s["lacune"](depot("lacune", 1, "2022-09-29T10:00:00+02:00")),
        s["perigord"](depot_v2("perigord")),
        s["cambrai"](
            c.ExpertHabilite(
                candidature_id="cambrai",
                expert_id="SECRET-expert",
                domaine="DIRE",
                acces_jusqu_au=date(2022, 12, 1),
                confidentialite_acceptee_le=date(2022, 10, 23),
            )
        ),
        s["cambrai"](
            c.DossierCandidatureConsulte(
                candidature_id="cambrai",
                lecteur_id="SECRET-lecteur",
                role="EXPERT_EXTERNE",
                finalite="EXPERTISE",
                consulte_le=datetime(2022, 10, 12, tzinfo=UTC),
            )
        ),
        Stream("vague-1")(
            c.VagueRelevee(
                vague=1,
                releve_le=datetime.fromisoformat("2022-10-01T12:00:00+02:00"),
                candidatures=["cambrai", "lorient", "vallee-arve", "lacune"],
            )
        ),
        Stream("ami-rebond")(
            c.AMIClotureAnticipee(
                date_arrete=date(2024, 6, 15),
                reference_arrete="Arrêté du 15 juin 2024",
                date_avis_sgpi=date(2024, 6, 1),
                effective_le=datetime.fromisoformat("2024-07-01T00:00:00+02:00"),
            )
        ),
    ]


def instruction() -> list[EventEnvelope]:
    d = {cid: Stream(f"dossier-{cid}") for cid in ("cambrai", "lorient", "vallee-arve", "lacune")}
    out = [
        d["cambrai"](
            i.DossierReleve(
                candidature_id="cambrai", vague=1, releve_le=datetime.fromisoformat("2022-10-01T12:00:00+02:00")
            )
        )
    ]
    appreciations = [
        {
            "regle": r.value,
            "satisfaite": r is not i.RegleEligibilite.DEMANDE_CONFORME,
            "commentaire": "SECRET appréciation",
        }
        for r in i.RegleEligibilite
    ]
    out.append(
        d["lacune"](
            i.CandidatureJugeeIneligible.model_validate(
                {
                    "candidature_id": "lacune",
                    "vague": 1,
                    "jugee_le": "2022-10-18",
                    "appreciations": appreciations,
                    "regles_non_satisfaites": [
                        {"regle": "DOSSIER_COMPLET", "motif": "SECRET motif 1"},
                        {"regle": "PORTEUR_ELIGIBLE", "motif": "SECRET motif 2"},
                    ],
                }
            )
        )
    )
    for cid in ("cambrai", "lorient", "vallee-arve"):
        out += [
            d[cid](
                i.CandidatureJugeeRecevable.model_validate(
                    {
                        "candidature_id": cid,
                        "vague": 1,
                        "jugee_le": "2022-10-20",
                        "appreciations": [{**a, "satisfaite": True} for a in appreciations],
                    }
                )
            ),
            d[cid](i.InstructionOuverte(candidature_id=cid, vague=1, ouverte_le=date(2022, 10, 21))),
        ]
    out += [
        d["cambrai"](
            i.ComplementsDemandes(
                candidature_id="cambrai",
                demande_id="dem-1",
                objet="SECRET objet",
                date_limite=date(2022, 11, 1),
                demandes_le=date(2022, 10, 22),
            )
        ),
        d["cambrai"](
            i.ComplementsFournis(
                candidature_id="cambrai",
                demande_id="dem-1",
                reponse="SECRET réponse",
                siren=SIRENS["cambrai"][0],
                fournis_le=date(2022, 10, 25),
                hors_delai=False,
            )
        ),
        d["cambrai"](
            i.ExpertDesigne(
                candidature_id="cambrai",
                expert_id="SECRET-expert",
                domaine="DIRE",
                acces_jusqu_au=date(2022, 12, 1),
                confidentialite_acceptee_le=date(2022, 10, 23),
            )
        ),
        d["cambrai"](
            i.AvisExpertRecu(
                candidature_id="cambrai",
                expert_id="SECRET-expert",
                domaine="DIRE",
                avis="SECRET avis",
                rendu_le=date(2022, 10, 28),
            )
        ),
        d["cambrai"](
            i.CritereEvalue(
                candidature_id="cambrai",
                critere="EXPOSITION_MUTATIONS",
                note=17,
                appreciation="SECRET critère",
                evalue_le=date(2022, 10, 30),
            )
        ),
    ]
    for cid, proposition in (("cambrai", "PROPOSEE"), ("lorient", "PROPOSEE"), ("vallee-arve", "NON_PROPOSEE")):
        out.append(
            d[cid](
                i.ConclusionsInstructionTransmises(
                    candidature_id=cid,
                    vague=1,
                    proposition=proposition,
                    recommandations="SECRET recommandations",
                    montant_enveloppe_propose_centimes=500_000_000,
                    transmises_le=date(2022, 11, 5),
                )
            )
        )
    out += [
        d["cambrai"](
            i.AvisComiteRendu(
                candidature_id="cambrai", favorable=True, avis="SECRET comité", rendu_le=date(2022, 12, 1)
            )
        ),
        d["cambrai"](
            i.AvisSGPIRendu(candidature_id="cambrai", favorable=True, avis="SECRET sgpi", rendu_le=date(2023, 1, 10))
        ),
        d["cambrai"](
            i.DossierConsulte(
                candidature_id="cambrai",
                consulte_par="SECRET-lecteur",
                role="SGPI",
                vue="COMPLETE",
                consulte_le=datetime(2023, 1, 9, tzinfo=UTC),
            )
        ),
    ]
    for cid in ("cambrai", "lorient"):
        out.append(
            d[cid](
                i.TerritoireLaureat(
                    territoire_id=cid,
                    candidature_id=cid,
                    vague=1,
                    nom_territoire=NOMS[cid],
                    region_code=REGIONS[cid],
                    epci_sirens=SIRENS[cid],
                    date_decision=date(2023, 3, 10),
                    date_notification=date(2023, 3, 15),
                )
            )
        )
    out.append(
        d["vallee-arve"](
            i.CandidatureNonRetenue(
                candidature_id="vallee-arve",
                vague=1,
                date_decision=date(2023, 3, 10),
                date_notification=date(2023, 3, 15),
                motif="SECRET motif PM",
            )
        )
    )
    return out


def missions() -> list[EventEnvelope]:
    c, lo = Stream("mission-cambrai"), Stream("mission-lorient")
    out = [
        s(
            m.MissionOuverte(
                territoire_id=cid,
                candidature_id=cid,
                nom_territoire=NOMS[cid],
                region_code=REGIONS[cid],
                date_notification=date(2023, 3, 15),
                echeance_convention=date(2023, 9, 15),
            )
        )
        for s, cid in ((c, "cambrai"), (lo, "lorient"))
    ]
    participants = [{"organisme": "SECRET organisme", "role": "membre", "membre": "AUTRE"}]
    out += [
        c(m.ConventionSignee(territoire_id="cambrai", date_signature=date(2023, 4, 3), signataires=["CDC", "EPCI"])),
        c(
            m.MissionIngenierieLancee(
                territoire_id="cambrai",
                date_lancement=date(2023, 4, 10),
                prestataire="SECRET cabinet",
                jours_hommes=80,
                fin_prevue=date(2023, 8, 10),
                operateur="BDT_FRANCE_2030",
            )
        ),
        *[
            c(
                m.ComitePilotageTenu.model_validate(
                    {
                        "territoire_id": "cambrai",
                        "copil_id": f"copil-{day}",
                        "date": day,
                        "participants": participants,
                        "ordre_du_jour": "SECRET ordre du jour",
                    }
                )
            )
            for day in ("2023-04-20", "2023-05-22", "2023-07-05")
        ],
        c(m.ComitePilotageManquant(territoire_id="cambrai", mois="2023-06")),
        c(
            m.FeuilleDeRouteRestituee.model_validate(
                {
                    "territoire_id": "cambrai",
                    "axes": [
                        {"intitule": "L'emploi et le développement des compétences", "description": "SECRET axe"},
                        {
                            "intitule": "L'anticipation des évolutions de la filière agroalimentaire",
                            "description": "SECRET",
                        },
                    ],
                }
            ),
            at=datetime(2023, 8, 20, 10, tzinfo=UTC),
        ),
        c(m.MissionRestituee(territoire_id="cambrai", date=date(2023, 8, 28))),
        c(m.MissionCloturee(territoire_id="cambrai", date=date(2024, 1, 15), motif="SECRET motif de clôture")),
        lo(m.ConventionEnRetard(territoire_id="lorient", echeance=date(2023, 9, 15))),
        lo(
            m.ConventionSignee(
                territoire_id="lorient", date_signature=date(2023, 10, 2), signataires=["CDC", "EPCI"], en_retard=True
            )
        ),
    ]
    return out


def history() -> list[EventEnvelope]:
    envelopes = candidatures() + instruction() + missions()
    envelopes.insert(5, envelopes[4])  # a relay's republish of the same message: counted once
    last = envelopes[-1]
    envelopes.append(
        seal(
            {
                **last.model_dump(mode="json"),
                "event_id": str(uuid4()),
                "hash": "",
                "event_type": "EvenementFutur",
                "stream_id": "mission-futur",
                "stream_version": 1,  # the first of its stream: unreadable, not a gap
                "previous_hash": None,
                "data": {"x": 1},
            }
        )
    )
    return envelopes


@asynccontextmanager
async def publisher(settings: Settings) -> AsyncIterator[Callable[[EventEnvelope], Awaitable[None]]]:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
    await producer.start()

    async def publish(envelope: EventEnvelope) -> None:
        topic = settings.topic(topics.topic_for_stream(envelope.stream_id))
        await producer.send_and_wait(topic, signed(envelope).to_json(), key=envelope.stream_id.encode())

    try:
        yield publish
    finally:
        await producer.stop()


class Figures:
    """GET the public figures; every body read is kept for the confidentiality check."""

    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str] | None = None) -> None:
        self.client, self.headers, self.bodies = client, headers, []

    async def get(self, path: str, as_of: str | None = None) -> dict[str, Any]:
        response = await self.client.get(path, params={"as_of": as_of} if as_of else None, headers=self.headers)
        assert response.status_code == 200, response.text
        self.bodies.append(response.text)
        return response.json()  # type: ignore[no-any-return]

    async def vague(self, n: int, as_of: str | None = None) -> dict[str, Any]:
        return (await self.get("/figures/vagues", as_of))["vagues"][n - 1]  # type: ignore[no-any-return]

    async def mission(self, territoire: str, as_of: str) -> dict[str, Any]:
        return (await self.get(f"/figures/territoires/{territoire}", as_of))["mission"]  # type: ignore[no-any-return]


async def test_lifecycle_figures_as_of_each_step_public_only_and_rebuilt_identically(settings_for) -> None:  # type: ignore[no-untyped-def]
    settings = await settings_for("reporting")
    async with running(create_app(settings), headers=SGPI) as client, publisher(settings) as publish:
        for envelope in history():
            await publish(envelope)
        f = Figures(client)
        everything = await eventually(lambda: _complete(f), what="the whole history in the figures")
        await _selection_as_of(f)
        await _missions_as_of(f)
        await _national_as_of(f, everything)
        await _nothing_confidential(f, client)

        rebuilt = (await client.post("/ops/rebuild", headers=OPERATOR)).json()
        assert (rebuilt["identical"], rebuilt["differences"], rebuilt["swapped"]) == (True, [], False)
        assert (rebuilt["duplicates"], rebuilt["unreadable"]) == (1, 1)  # the republish; the unknown event type
        assert rebuilt["events_read"] == len(history())
        health = (await client.get("/health")).json()
        assert (health["parked_messages"], health["blocked_streams"]) == (1, ["mission-futur"])  # unknown type


async def _selection_as_of(f: Figures) -> None:
    assert (await f.vague(1, "2022-09-14"))["nb_candidatures_deposees"] == 1
    before_releve = await f.vague(1, "2022-09-30")
    assert (before_releve["nb_candidatures_deposees"], before_releve["nb_candidatures_retirees"]) == (5, 1)
    assert (before_releve["releve_le"], before_releve["nb_candidatures_relevees"]) == (None, 0)
    releve = await f.vague(1, "2022-10-01")
    assert (releve["releve_le"], releve["nb_candidatures_relevees"]) == ("2022-10-01T12:00:00+02:00", 4)
    judged = await f.vague(1, "2022-10-19")
    assert (judged["nb_ineligibles"], judged["nb_recevables"]) == (1, 0)
    assert judged["ineligibles_par_regle"] == {"DOSSIER_COMPLET": 1, "PORTEUR_ELIGIBLE": 1}
    assert (await f.vague(1, "2022-10-20"))["nb_recevables"] == 3
    assert ((await f.vague(1, "2022-11-04"))["nb_proposees"], (await f.vague(1, "2022-11-05"))["nb_proposees"]) == (
        0,
        2,
    )
    before, decided = await f.vague(1, "2023-03-09"), await f.vague(1, "2023-03-10")
    assert (before["nb_laureats"], before["nb_non_retenues"], decided["nb_laureats"], decided["nb_non_retenues"]) == (
        0,
        0,
        2,
        1,
    )
    second = await f.vague(2)
    assert (second["nb_candidatures_deposees"], second["releve_le"], second["nb_laureats"]) == (1, None, 0)
    assert (await f.get("/figures/vagues", "2024-06-14"))["cloture_anticipee"] is None
    assert (await f.get("/figures/vagues", "2024-06-15"))["cloture_anticipee"] == {
        "date_arrete": "2024-06-15",
        "effective_le": "2024-07-01T00:00:00+02:00",
    }


async def _missions_as_of(f: Figures) -> None:
    steps = {
        "2023-03-15": "OUVERTE",
        "2023-04-03": "CONVENTION_SIGNEE",
        "2023-04-10": "LANCEE",
        "2023-08-28": "RESTITUEE",
        "2024-01-15": "CLOTUREE",
    }
    assert [(await f.mission("cambrai", day))["etat"] for day in steps] == list(steps.values())
    june = await f.mission("cambrai", "2023-06-30")
    assert (june["nb_copil_tenus"], june["nb_alertes_copil"]) == (2, 0)  # June is not over
    july = await f.mission("cambrai", "2023-07-05")
    assert (july["nb_copil_tenus"], july["nb_alertes_copil"], july["mois_sans_copil"]) == (3, 1, ["2023-06"])
    assert (await f.mission("cambrai", "2023-08-27"))["axes_feuille_de_route"] is None  # delivered, not restituée
    assert (await f.mission("cambrai", "2023-08-28"))["axes_feuille_de_route"] == [
        "L'emploi et le développement des compétences",
        "L'anticipation des évolutions de la filière agroalimentaire",
    ]
    lorient = [await f.mission("lorient", day) for day in ("2023-09-15", "2023-09-16", "2023-10-02")]
    assert [x["etat"] for x in lorient] == ["OUVERTE", "CONVENTION_EN_RETARD", "CONVENTION_SIGNEE"]
    assert [(x["convention_en_retard"], x["convention_signee_en_retard"]) for x in lorient] == [
        (False, False),
        (True, False),
        (False, True),
    ]


CENSUS_AND_MONEY = {  # no census in this history, no payment: zero (the census has its own e2e)
    "nb_entreprises_rencontrees",
    "nb_entretiens",
    "nb_projets_recenses",
    "nb_projets_orientes_autres_dispositifs",
    "nb_projets_abandonnes",
    "nb_projets_aides",
    "nb_entreprises_aidees",
    "nb_echeances_impayees",
    "nb_territoires_recenses",
    "nb_missions_lancees_depuis",
}


async def _national_as_of(f: Figures, everything: dict[str, Any]) -> None:
    assert {k: everything[k] for k in CENSUS_AND_MONEY - {"nb_projets_aides", "nb_entreprises_aidees"}} == {
        k: None if k == "nb_missions_lancees_depuis" else 0
        for k in CENSUS_AND_MONEY - {"nb_projets_aides", "nb_entreprises_aidees"}
    }
    assert {
        k: v
        for k, v in everything.items()
        if k.startswith("nb_")
        and k not in ("nb_aides", "nb_aides_publication_obligatoire", "nb_aides_refusees", "nb_projets_qualifies")
        and k not in CENSUS_AND_MONEY
    } == {
        "nb_candidatures": 6,
        "nb_laureats": 2,
        "nb_regions_laureates": 2,
        "nb_candidatures_retirees": 1,
        "nb_ineligibles": 1,
        "nb_non_retenues": 1,
        "nb_missions_ouvertes": 2,
        "nb_conventions_signees": 2,
        "nb_conventions_en_retard": 0,
        "nb_missions_lancees": 1,
        "nb_copil_tenus": 3,
        "nb_alertes_copil": 1,
        "nb_missions_restituees": 1,
        "nb_missions_cloturees": 1,
    }
    late = await f.get("/figures/national", "2023-09-20")
    assert (late["nb_conventions_signees"], late["nb_conventions_en_retard"], late["nb_missions_cloturees"]) == (
        1,
        1,
        0,
    )
    region = {r["code"]: r for r in (await f.get("/figures/regions", "2023-09-20"))["regions"]}
    assert (region["53"]["nb_conventions_en_retard"], region["32"]["nb_missions_restituees"]) == (1, 1)


async def _nothing_confidential(f: Figures, client: httpx.AsyncClient) -> None:
    """Only laureates are named, and only once decided; no dossier or instruction content anywhere."""
    assert (await f.get("/figures/territoires", "2023-03-09"))["territoires"] == []
    listed = (await f.get("/figures/territoires"))["territoires"]
    assert [(t["territoire_id"], t["nom"]) for t in listed] == [
        ("cambrai", NOMS["cambrai"]),
        ("lorient", NOMS["lorient"]),
    ]
    for cid in ("vallee-arve", "desiste", "lacune", "perigord"):
        assert (await client.get(f"/figures/territoires/{cid}")).status_code == 404
    await f.get("/figures/regions")
    await f.get("/figures/vagues")
    published = "\n".join(f.bodies)
    assert NOMS["cambrai"] in published  # names are not escaped: the search below can find them
    assert [secret for secret in SECRETS if secret in published] == []


async def _complete(f: Figures) -> dict[str, Any] | None:
    """The last event of each stream is in the figures (streams are applied in order)."""
    national, vagues = await f.get("/figures/national"), await f.get("/figures/vagues")
    last_of_streams = (
        national["nb_conventions_signees"],
        national["nb_missions_cloturees"],
        national["nb_laureats"],
        national["nb_non_retenues"],
        national["nb_candidatures"],
        national["nb_candidatures_retirees"],
        vagues["vagues"][0]["nb_candidatures_relevees"],
        vagues["vagues"][0]["nb_ineligibles"],
        national["nb_regions_laureates"],  # the laureates' own facts: nb_laureats above counts the selection's steps
    )
    done = last_of_streams == (2, 1, 2, 1, 6, 1, 4, 1, 2) and vagues["cloture_anticipee"] is not None
    return national if done else None
