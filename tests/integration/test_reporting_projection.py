"""The reporting projection on a real broker and PostgreSQL: sealed envelopes published to the topics
become figures (as of any date), a redelivered message counts once, and a rebuild from offset 0
gives the same figures (and can become the live projection while the consumer runs)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer
from stdnum import luhn

from contracts import topics
from contracts.base import DomainEvent, FormeAide, RegimeAide, Role
from contracts.candidature.v1 import CandidatureDeposeeV1, Porteur, SectionDossier
from contracts.envelope import EventEnvelope, seal
from contracts.financement.v1 import (
    AideAccordee,
    AideRefusee,
    Contribution,
    EnveloppeTerritorialeAttribuee,
    LaureatEnregistre,
    ProjetQualifieEnregistre,
    SeuilConsommationAtteint,
)
from contracts.instruction.v1 import CandidatureRecue, ProjetQualifie, TerritoireLaureat
from kernel.adapters.settings import Settings
from kernel.signing import Signer
from reporting.app import create_app
from reporting.application.rebuild import rebuild
from reporting.entrypoints.projection import event_log, projection_store
from tests.fixtures import signed
from tests.support import as_actor, eventually, running

OPERATOR = as_actor(Role.SYSTEME, "ops")


pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

SGPI = as_actor(Role.SGPI, "sgpi-1")  # the internal figures are read by the roles entitled to them

CA_CAMBRAI, CA_CAUDRESIS = "200068500", "200040491"  # two communautés d'agglomération (a groupement)
LORIENT, PERIGORD = "200042174", "200070209"
CAMBRAI = "cambrai-caudresis"
Publish = Callable[[EventEnvelope], Awaitable[None]]


def siret(siren: str, nic: str = "0001") -> str:
    return siren + nic + luhn.calc_check_digit(siren + nic)


class Stream:
    """Numbers and chains the envelopes of one stream, as a producing service's store would."""

    def __init__(self, stream_id: str) -> None:
        self.stream_id, self.version, self.previous = stream_id, 0, None

    def __call__(self, event: DomainEvent) -> EventEnvelope:
        self.version += 1
        envelope = seal(
            {
                "event_id": str(uuid4()),
                "event_type": event.event_type,
                "schema_version": event.schema_version,
                "stream_id": self.stream_id,
                "stream_version": self.version,
                "occurred_at": datetime(2023, 9, 1, 10, tzinfo=UTC).isoformat(),
                "recorded_at": datetime.now(UTC).isoformat(),
                "correlation_id": f"corr-{self.stream_id}",
                "causation_id": None,
                "actor": {"id": "tests", "role": "SYSTEME"},
                "producer": "tests",
                "previous_hash": self.previous,
                "data": event.model_dump(mode="json"),
            }
        )
        self.previous = envelope.hash
        return envelope


def deposee(
    candidature_id: str,
    nom: str,
    region: str,
    sirens: list[str],
    porteur: Porteur,
    at: str = "2022-09-30T23:30:00+02:00",
) -> CandidatureDeposeeV1:
    """Published in its released version 1: reporting reads it upcast to the latest."""
    return CandidatureDeposeeV1(
        candidature_id=candidature_id,
        vague=1,
        releve_le=datetime.fromisoformat("2022-10-01T12:00:00+02:00"),
        deposee_le=datetime.fromisoformat(at),
        porteur=porteur,
        epci_sirens=sirens,
        nom_territoire=nom,
        region_code=region,
        perimetre="Territoire d'industrie",
        filiere="agroalimentaire",
        sections=list(SectionDossier),
        nombre_pages=18,
        pages_synthese=2,
        grille_impacts_jointe=True,
    )


def laureat(territoire: str, nom: str, region: str, sirens: list[str]) -> TerritoireLaureat:
    return TerritoireLaureat(
        territoire_id=territoire,
        candidature_id=territoire,
        vague=1,
        nom_territoire=nom,
        region_code=region,
        epci_sirens=sirens,
        date_decision=date(2023, 8, 28),
        date_notification=date(2023, 8, 29),
    )


def projet(projet_id: str, emplois: int, copil: date) -> ProjetQualifie:
    return ProjetQualifie(
        projet_id=projet_id,
        territoire_id=CAMBRAI,
        siret=siret("391987146"),
        raison_sociale="Conserverie du Cambrésis",
        intitule="Nouvelle ligne",
        date_copil=copil,
        assiette_estimee_centimes=250_000_000,
        forme_envisagee=FormeAide.SUBVENTION,
        emplois_prevus=emplois,
    )


def aide(aide_id: str, forme: FormeAide, montant: int, decided: date) -> AideAccordee:
    return AideAccordee(
        aide_id=aide_id,
        projet_id="projet-1",
        territoire_id=CAMBRAI,
        siret=siret("391987146"),
        forme=forme,
        montant_centimes=montant,
        assiette_centimes=250_000_000,
        regime=RegimeAide.REPRISE_DURABLE_SA102077,
        date_decision=decided,
        publication_obligatoire=montant >= 50_000_000,
        demande_id="demande-1",
        plafond_aide_centimes=250_000_000,
        instance_decision="Comité des financeurs",
    )


def history() -> tuple[list[EventEnvelope], Stream]:
    """Cambrai (5 M€, State + 2 CA), Lorient laureate without envelope, Périgord Noir only a candidate."""
    cand = [Stream(f"candidature-{c}") for c in (CAMBRAI, "lorient", "perigord-noir")]
    sirens = [CA_CAMBRAI, CA_CAUDRESIS]
    dossier, lorient = Stream(f"dossier-{CAMBRAI}"), Stream("dossier-lorient")
    enveloppe = Stream(f"enveloppe-{CAMBRAI}")
    attribuee = EnveloppeTerritorialeAttribuee(
        territoire_id=CAMBRAI,
        montant_centimes=500_000_000,
        date_attribution=date(2023, 9, 15),
        contributions=[
            Contribution(financeur="ETAT_F2030", montant_centimes=400_000_000),
            Contribution(financeur=f"EPCI:{CA_CAMBRAI}", montant_centimes=60_000_000),
            Contribution(financeur=f"EPCI:{CA_CAUDRESIS}", montant_centimes=40_000_000),
        ],
    )
    envelopes = [
        cand[0](deposee(CAMBRAI, "Cambrésis et Caudrésis-Catésis", "32", sirens, Porteur.GROUPEMENT_EPCI)),
        cand[1](deposee("lorient", "Pays de Lorient", "53", [LORIENT], Porteur.EPCI)),
        # 22:30 UTC on 30 September is already 1 October in Paris: its business date is the 1st
        cand[2](
            deposee("perigord-noir", "Périgord Noir", "75", [PERIGORD], Porteur.EPCI, at="2022-09-30T22:30:00+00:00")
        ),
        dossier(
            CandidatureRecue(
                candidature_id=CAMBRAI,
                vague=1,
                nom_territoire="Cambrésis et Caudrésis-Catésis",
                region_code="32",
                epci_sirens=sirens,
            )
        ),
        dossier(laureat(CAMBRAI, "Cambrésis et Caudrésis-Catésis", "32", sirens)),
        dossier(projet("projet-1", 120, date(2023, 10, 5))),
        dossier(projet("projet-2", 80, date(2024, 1, 20))),
        lorient(laureat("lorient", "Pays de Lorient", "53", [LORIENT])),
        enveloppe(
            LaureatEnregistre(
                territoire_id=CAMBRAI,
                nom_territoire="Cambrésis et Caudrésis-Catésis",
                region_code="32",
                date_decision=date(2023, 8, 28),
            )
        ),
        enveloppe(attribuee),
        enveloppe(
            ProjetQualifieEnregistre(
                projet_id="projet-1",
                territoire_id=CAMBRAI,
                siret=siret("391987146"),
                assiette_estimee_centimes=250_000_000,
            )
        ),
        enveloppe(aide("aide-1", FormeAide.SUBVENTION, 60_000_000, date(2023, 11, 10))),
        enveloppe(aide("aide-2", FormeAide.AVANCE_REMBOURSABLE, 20_000_000, date(2024, 2, 1))),
        enveloppe(
            AideRefusee(
                aide_id="aide-3",
                projet_id="projet-2",
                territoire_id=CAMBRAI,
                montant_centimes=900_000_000,
                motif="enveloppe_insuffisante",
                date_decision=date(2024, 3, 1),
            )
        ),
    ]
    envelopes.append(
        seal(
            {
                **envelopes[0].model_dump(mode="json"),
                "event_id": str(uuid4()),
                "hash": "",
                "event_type": "EvenementFutur",
                "stream_id": "candidature-futur",
                "data": {"x": 1},
            }
        )
    )
    envelopes.insert(12, envelopes[11])  # the same AideAccordee message twice (a relay's republish): counted once
    envelopes.append(
        Stream("programme-rebond")(
            SeuilConsommationAtteint(
                seuil_pourcent=90,
                reserve_centimes=8_100_000_000,
                fonds_centimes=9_000_000_000,
                date_atteinte=date(2024, 2, 1),
            )
        )
    )
    return envelopes, enveloppe


@asynccontextmanager
async def publisher(settings: Settings) -> AsyncIterator[Publish]:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
    await producer.start()

    async def publish(envelope: EventEnvelope, sign: bool = True) -> None:
        stream_type = envelope.stream_id.split("-", 1)[0]
        topic = settings.topic(topics.STREAM_TOPICS[stream_type])
        body = (signed(envelope) if sign else envelope).to_json()
        await producer.send_and_wait(topic, body, key=envelope.stream_id.encode())

    try:
        yield publish
    finally:
        await producer.stop()


async def national(client: httpx.AsyncClient, as_of: str | None = None) -> dict[str, Any]:
    response = await client.get("/figures/national", params={"as_of": as_of} if as_of else None)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def until_all_applied(
    client: httpx.AsyncClient, settings: Settings, envelopes: list[EventEnvelope]
) -> dict[str, Any]:
    """Every stream of the history applied up to its last version, by the consumer's own dedup records (streams
    on different partitions arrive in any order; the unknown event type stays parked), then the figures."""
    expected = {e.stream_id: e.stream_version for e in envelopes if e.event_type != "EvenementFutur"}

    async def applied() -> bool:
        conn = await asyncpg.connect(settings.database_url)
        try:
            rows = await conn.fetch(
                "SELECT stream_id, version FROM consumer_streams WHERE consumer = 'reporting.projection'"
            )
        finally:
            await conn.close()
        return {r["stream_id"]: r["version"] for r in rows if r["version"] > 0} == expected

    await eventually(applied, what="the whole history applied")
    return await national(client)


async def _when(figures: Awaitable[dict[str, Any]], ready: Callable[[dict[str, Any]], bool]) -> dict[str, Any] | None:
    value = await figures
    return value if ready(value) else None


async def test_figures_as_of_dedup_and_identical_rebuild(settings_for) -> None:  # type: ignore[no-untyped-def]
    settings = await settings_for("reporting")
    envelopes, _ = history()
    async with running(create_app(settings), headers=SGPI) as client, publisher(settings) as publish:
        for envelope in envelopes:
            await publish(envelope)
        figures = await until_all_applied(client, settings, envelopes)
        expected = {
            "as_of": None,
            "nb_candidatures": 3,
            "nb_laureats": 2,
            "nb_regions_laureates": 2,
            "nb_projets_qualifies": 2,
            "emplois_prevus": 200,
            "nb_aides": 2,
            "aides_par_forme": {
                "SUBVENTION": {"nombre": 1, "montant_centimes": 60_000_000},
                "AVANCE_REMBOURSABLE": {"nombre": 1, "montant_centimes": 20_000_000},
            },
            "montant_aides_centimes": 80_000_000,
            "enveloppes_attribuees_centimes": 500_000_000,
            "taux_consommation": "0.1600",
            "nb_aides_publication_obligatoire": 1,
            "nb_aides_refusees": 1,
            "nb_candidatures_retirees": 0,
            "nb_ineligibles": 0,
            "nb_non_retenues": 0,
            "nb_missions_ouvertes": 0,
            "nb_conventions_signees": 0,
            "nb_conventions_en_retard": 0,
            "nb_missions_lancees": 0,
            "nb_copil_tenus": 0,
            "nb_alertes_copil": 0,
            "nb_missions_restituees": 0,
            "nb_missions_cloturees": 0,
        }
        assert {key: figures[key] for key in expected} == expected
        # no census and nothing after the grants in this history: those figures are zero, not absent
        assert (figures["nb_projets_recenses"], figures["verse_centimes"], figures["engage_centimes"]) == (
            0,
            0,
            80_000_000,
        )
        assert figures["moyenne_projets_par_territoire"] is None
        assert figures["fonds_investissement"]["seuils_atteints"] == [
            {"seuil_pourcent": 90, "date_atteinte": "2024-02-01"}
        ]
        assert (await national(client, "2024-01-31"))["fonds_investissement"]["seuils_atteints"] == []

        before_second_aid = await national(client, "2024-01-15")
        assert (before_second_aid["nb_aides"], before_second_aid["montant_aides_centimes"]) == (1, 60_000_000)
        assert (before_second_aid["taux_consommation"], before_second_aid["nb_projets_qualifies"]) == ("0.1200", 1)
        before_laureates = await national(client, "2023-01-01")
        assert (before_laureates["nb_candidatures"], before_laureates["nb_laureats"]) == (3, 0)
        assert before_laureates["taux_consommation"] is None
        assert (await national(client, "2022-09-30"))["nb_candidatures"] == 2  # Paris dates

        cambrai = (await client.get(f"/figures/territoires/{CAMBRAI}")).json()
        assert cambrai["region"] == {"code": "32", "nom": "Hauts-de-France"}
        assert (cambrai["enveloppe_centimes"], cambrai["engage_centimes"], cambrai["disponible_centimes"]) == (
            500_000_000,
            80_000_000,
            420_000_000,
        )
        assert [c["montant_centimes"] for c in cambrai["contributions"]] == [400_000_000, 60_000_000, 40_000_000]
        assert (cambrai["nb_projets_qualifies"], cambrai["emplois_prevus"], cambrai["nb_aides"]) == (2, 200, 2)
        regions = {r["code"]: r for r in (await client.get("/figures/regions")).json()["regions"]}
        assert len(regions) == 18
        assert (regions["32"]["nb_laureats"], regions["32"]["montant_aides_centimes"]) == (1, 80_000_000)
        assert (regions["75"]["nb_candidatures"], regions["75"]["nb_laureats"]) == (1, 0)
        listed = (await client.get("/figures/territoires", params={"as_of": "2023-09-01"})).json()["territoires"]
        assert [(t["territoire_id"], t["enveloppe_centimes"]) for t in listed] == [(CAMBRAI, 0), ("lorient", 0)]
        assert (await client.get("/figures/territoires/inconnu")).status_code == 404
        health = (await client.get("/health")).json()
        assert (health["parked_messages"], health["blocked_streams"]) == (1, ["candidature-futur"])  # unknown type
        wrong = await client.get("/figures/national", params={"as_of": "28/08/2023"})
        assert wrong.status_code == 422 and "as_of" in wrong.text

        rebuilt = (await client.post("/ops/rebuild", headers=OPERATOR)).json()
        assert (rebuilt["identical"], rebuilt["differences"], rebuilt["swapped"]) == (True, [], False)
        counts = ("events_read", "events_applied", "duplicates", "unreadable")
        assert tuple(rebuilt[c] for c in counts) == (
            17,
            15,
            1,
            1,
        )  # unknown type: not applied
        assert await national(client) == figures

        cli = await _run_cli(settings)
        assert (cli["identical"], cli["events_read"], cli["live_schema"]) == (True, 17, "reporting")
        assert await _schemas(settings) == ["reporting"]  # rebuild schemas are dropped when not swapped


async def test_swap_catches_up_with_the_live_consumer(settings_for) -> None:  # type: ignore[no-untyped-def]
    settings = await settings_for("reporting")
    envelopes, enveloppe = history()
    app = create_app(settings)
    async with running(app, headers=SGPI) as client, publisher(settings) as publish:
        for envelope in envelopes:
            await publish(envelope)
        await until_all_applied(client, settings, envelopes)
        late = [enveloppe(aide(f"aide-late{i}", FormeAide.SUBVENTION, 1_000_000, date(2024, 4, 1))) for i in range(5)]

        @asynccontextmanager
        async def log_then_late_events() -> AsyncIterator[Any]:
            """After the replay reached its end, the live consumer applies 5 more aids before the swap."""
            async with event_log(settings) as reader:
                yield LateEvents(reader, late, publish, client)

        store = projection_store(app.state.runtime.pool, settings.verifier())
        swapped = await rebuild(store, log_then_late_events(), swap=True)
        assert (swapped["swapped"], swapped["events_read"]) == (True, 17 + 5)
        # compared at the replay's end, before the catch-up: the live projection was 5 aids ahead
        assert swapped["identical"] is False and "national.nb_aides: 7 != 2" in swapped["differences"]
        assert (await national(client))["nb_aides"] == 7  # the late aids were caught up before the swap

        more = [enveloppe(aide(f"aide-x{i}", FormeAide.SUBVENTION, 1_000_000, date(2024, 4, 1))) for i in range(100)]
        publishing = asyncio.create_task(_publish_all(publish, more))
        swapped_again = (await client.post("/ops/rebuild", params={"swap": "true"}, headers=OPERATOR)).json()
        await publishing
        assert swapped_again["swapped"] is True and swapped_again["previous_schema"] == swapped["live_schema"]
        final = await eventually(
            lambda: _when(national(client), lambda f: f["nb_aides"] == 107), what="every aid published during the swap"
        )
        assert final["montant_aides_centimes"] == 80_000_000 + 105 * 1_000_000
        assert await _schemas(settings) == [swapped_again["live_schema"]]
        again = (await client.post("/ops/rebuild", headers=OPERATOR)).json()
        assert (again["identical"], again["differences"], again["events_read"]) == (True, [], 122)


async def test_a_forged_event_in_a_chain_makes_the_rebuild_check_each_signature(settings_for) -> None:  # type: ignore[no-untyped-def]
    """A stranger's grant chained to the envelope's last version, its hash intact: live, it is parked as forged; a
    rebuild's one signature per stream then fails for that stream (the forged grant is its tail), and the log is
    replayed again with each signature checked: the same facts as live, the forged grant counted and not applied."""
    settings = await settings_for("reporting")
    envelopes, enveloppe = history()
    async with running(create_app(settings), headers=SGPI) as client, publisher(settings) as publish:
        for envelope in envelopes:
            await publish(envelope)
        figures = await until_all_applied(client, settings, envelopes)
        honest = (await client.post("/ops/rebuild", headers=OPERATOR)).json()
        assert (honest["identical"], honest["forged"]) == (True, 0)
        assert honest["signatures"] == "one per stream, the last event's"

        grant = enveloppe(aide("aide-forgee", FormeAide.SUBVENTION, 9_000_000, date(2024, 4, 1)))
        await publish(grant.model_copy(update={"signature": Signer.generate().sign(grant.hash)}), sign=False)
        health = await eventually(
            lambda: _when(_json(client.get("/health")), lambda h: h["parked_messages"] == 2), what="forged, parked"
        )
        assert health["blocked_streams"] == ["candidature-futur"]  # forged: not part of its stream, which goes on
        rebuilt = (await client.post("/ops/rebuild", headers=OPERATOR)).json()
        assert (rebuilt["identical"], rebuilt["differences"], rebuilt["forged"]) == (True, [], 1)
        assert (rebuilt["signatures"], rebuilt["events_read"], rebuilt["events_applied"]) == ("one per event", 18, 15)
        assert await national(client) == figures


async def _json(response: Awaitable[httpx.Response]) -> dict[str, Any]:
    return (await response).json()  # type: ignore[no-any-return]


class LateEvents:
    def __init__(self, reader: Any, late: list[EventEnvelope], publish: Publish, client: httpx.AsyncClient) -> None:
        self.reader, self.late, self.publish, self.client = reader, late, publish, client

    async def until_end(self) -> AsyncIterator[list[bytes]]:
        async for batch in self.reader.until_end():
            yield batch
        await _publish_all(self.publish, self.late)
        await eventually(lambda: _when(national(self.client), lambda f: f["nb_aides"] == 2 + len(self.late)))

    async def more(self, timeout: float) -> list[bytes]:
        return await self.reader.more(timeout)  # type: ignore[no-any-return]


async def _publish_all(publish: Publish, envelopes: list[EventEnvelope]) -> None:
    for envelope in envelopes:
        await publish(envelope)


async def _run_cli(settings: Settings) -> dict[str, Any]:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
        "KAFKA_TOPIC_PREFIX": settings.topic_prefix,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "reporting.rebuild",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, err.decode()
    return json.loads(out)  # type: ignore[no-any-return]


async def _schemas(settings: Settings) -> list[str]:
    conn = await asyncpg.connect(settings.database_url)
    try:
        rows = await conn.fetch("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, 'reporting')")
    finally:
        await conn.close()
    return sorted(r["nspname"] for r in rows)


async def test_an_id_reused_in_another_territory_is_another_fact(settings_for) -> None:  # type: ignore[no-untyped-def]
    """Projects and aids are named per territory: Lorient's projet-1 and aide-1 do not hide Cambrai's."""
    settings = await settings_for("reporting")
    envelopes, _ = history()
    lorient_dossier, lorient_enveloppe = Stream("dossier-lorient"), Stream("enveloppe-lorient")
    lorient_dossier.version, lorient_dossier.previous = next(
        (e.stream_version, e.hash) for e in envelopes if e.stream_id == "dossier-lorient"
    )
    same_ids = [
        lorient_dossier(projet("projet-1", 30, date(2023, 11, 5)).model_copy(update={"territoire_id": "lorient"})),
        lorient_enveloppe(
            aide("aide-1", FormeAide.SUBVENTION, 10_000_000, date(2023, 12, 1)).model_copy(
                update={"territoire_id": "lorient"}
            )
        ),
    ]
    async with running(create_app(settings), headers=SGPI) as client, publisher(settings) as publish:
        for envelope in (*envelopes, *same_ids):
            await publish(envelope)
        figures = await until_all_applied(client, settings, [*envelopes, *same_ids])
        assert (figures["nb_projets_qualifies"], figures["nb_aides"]) == (3, 3)
        assert figures["montant_aides_centimes"] == 80_000_000 + 10_000_000
        lorient = (await client.get("/figures/territoires/lorient")).json()
        assert (lorient["nb_projets_qualifies"], lorient["nb_aides"]) == (1, 1)
