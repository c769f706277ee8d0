"""The open data on a real broker and PostgreSQL: the register of aids in the SCDL « subventions » 2.1.1 format,
rebuilt from the log, valid against the official Table Schema with frictionless (and the SCDL's own checks:
SIRETs, one of idBeneficiaire or rnaBeneficiaire), deterministic, as of a date; internally every subsidy, publicly
only the subsidies of 500 000 € and more that a cleared publication released; and the public tables as CSV and XLSX.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from frictionless import Resource, Schema
from openpyxl import load_workbook
from stdnum.fr import siret as stdnum_siret

from contracts.base import FormeAide, RegimeAide, Role
from contracts.envelope import EventEnvelope
from contracts.financement.v1 import (
    AideAccordee,
    AideSoldee,
    Contribution,
    ConventionAideSignee,
    EnveloppeTerritorialeAttribuee,
    VersementEffectue,
)
from contracts.instruction.projets import CategorieAideEtat, ProjetRecense, TailleEntreprise
from kernel.clock import SimulatedClock
from reporting.app import create_app
from reporting.domain import scdl
from tests.integration.test_reporting_projection import CAMBRAI, Stream, laureat, publisher, siret
from tests.support import as_actor, eventually, operator, running

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

SGPI, CDC, DTI = (
    as_actor(Role.SGPI, "sgpi-1"),
    as_actor(Role.INSTRUCTEUR_CDC, "cdc-1"),
    as_actor(Role.DTI_ANCT, "dti-1"),
)
EPCI = as_actor(Role.EPCI_CANDIDAT, "epci-1", "200068500")
SCHEMA = Path(__file__).parents[2] / "contracts/src/contracts/public/scdl_subventions_2.1.1.json"
CONSERVERIE, FILATURE = siret("391987146"), siret("552100554", "0002")
NOW = datetime(2024, 7, 1, 10, tzinfo=UTC)


def recense(projet_id: str, siret_: str, nom: str, intitule: str) -> ProjetRecense:
    return ProjetRecense(
        projet_id=projet_id,
        territoire_id=CAMBRAI,
        siren=siret_[:9],
        siret=siret_,
        raison_sociale=nom,
        intitule=intitule,
        taille=TailleEntreprise.PME,
        categorie=CategorieAideEtat.MOYENNE,
        effectif=120,
        chiffre_affaires_centimes=3_000_000_000,
        total_bilan_centimes=2_000_000_000,
        secteur_naf="10.39A",
        investissement_centimes=400_000_000,
        emplois_potentiels=40,
        horizon=2025,
        date=date(2023, 9, 20),
    )


def aide(aide_id: str, projet_id: str, siret_: str, forme: FormeAide, montant: int, decided: date) -> AideAccordee:
    return AideAccordee(
        aide_id=aide_id,
        projet_id=projet_id,
        territoire_id=CAMBRAI,
        siret=siret_,
        forme=forme,
        montant_centimes=montant,
        assiette_centimes=400_000_000,
        regime=RegimeAide.REPRISE_DURABLE_SA102077 if aide_id != "aide-2" else RegimeAide.AFR,
        date_decision=decided,
        publication_obligatoire=montant >= 50_000_000,
        demande_id=f"demande-{projet_id}",
        plafond_aide_centimes=200_000_000,
        instance_decision="Comité des financeurs",
    )


def history() -> list[EventEnvelope]:
    """Two companies of Cambrai: a 600 k€ subsidy paid in two tranches, a 200 k€ one closed after one tranche
    with a reduction, and an 800 k€ repayable advance (a loan: not a subvention)."""
    dossier, enveloppe = Stream(f"dossier-{CAMBRAI}"), Stream(f"enveloppe-{CAMBRAI}")
    p1, p2 = Stream("projet-p1"), Stream("projet-p2")
    return [
        dossier(laureat(CAMBRAI, "Cambrésis et Caudrésis-Catésis", "32", ["200068500", "200040491"])),
        p1(recense("p1", CONSERVERIE, "Conserverie du Cambrésis", "Nouvelle ligne de conserves, « bas carbone »")),
        p2(recense("p2", FILATURE, "Filature de l'Escaut, SAS", "Reprise d'un site textile")),
        enveloppe(
            EnveloppeTerritorialeAttribuee(
                territoire_id=CAMBRAI,
                montant_centimes=500_000_000,
                date_attribution=date(2023, 9, 15),
                contributions=[Contribution(financeur="ETAT_FRANCE_2030", montant_centimes=500_000_000)],
            )
        ),
        enveloppe(aide("aide-1", "p1", CONSERVERIE, FormeAide.SUBVENTION, 60_000_000, date(2023, 11, 10))),
        enveloppe(aide("aide-2", "p2", FILATURE, FormeAide.SUBVENTION, 20_000_000, date(2024, 2, 1))),
        enveloppe(aide("aide-3", "p1", CONSERVERIE, FormeAide.AVANCE_REMBOURSABLE, 80_000_000, date(2024, 2, 5))),
        enveloppe(ConventionAideSignee(aide_id="aide-1", territoire_id=CAMBRAI, date_signature=date(2023, 12, 1))),
        enveloppe(versement("aide-1", "v1", 20_000_000, date(2024, 1, 15))),
        enveloppe(versement("aide-1", "v2", 20_000_000, date(2024, 3, 10))),
        enveloppe(versement("aide-2", "v1", 15_000_000, date(2024, 4, 2))),
        enveloppe(
            AideSoldee(
                aide_id="aide-2",
                territoire_id=CAMBRAI,
                depenses_realisees_centimes=300_000_000,
                montant_final_centimes=15_000_000,
                reduction_centimes=5_000_000,
                date_solde=date(2024, 4, 2),
            )
        ),
    ]


def versement(aide_id: str, versement_id: str, montant: int, day: date) -> VersementEffectue:
    return VersementEffectue(
        aide_id=aide_id,
        territoire_id=CAMBRAI,
        versement_id=versement_id,
        montant_centimes=montant,
        depenses_justifiees_centimes=montant * 2,
        date_versement=day,
    )


def valid_scdl(text: str) -> list[dict[str, str]]:
    """The CSV against the official Table Schema (frictionless), then the SCDL's custom checks (validata)."""
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "subventions.csv").write_text(text, encoding="utf-8", newline="")
        schema = Schema.from_descriptor(json.loads(SCHEMA.read_text()))
        report = Resource(path="subventions.csv", basepath=folder, schema=schema).validate()
    assert report.valid, json.dumps(report.flatten(["rowNumber", "fieldName", "type", "note"]), ensure_ascii=False)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == scdl.FIELDS if rows else True
    for row in rows:
        assert stdnum_siret.is_valid(row["idAttribuant"]), row
        assert row["idBeneficiaire"] or row["rnaBeneficiaire"], row  # one-of-required
        assert not row["idBeneficiaire"] or stdnum_siret.is_valid(row["idBeneficiaire"]), row
    return rows


async def _released(client: Any) -> bool | None:
    return True if (await client.get("/public/aides.scdl.csv")).status_code == 200 else None


async def test_the_register_of_aids_is_valid_scdl_internally_and_publicly(settings_for) -> None:  # type: ignore[no-untyped-def]
    settings = await settings_for("reporting")
    async with running(create_app(settings, clock=SimulatedClock(NOW))) as client, publisher(settings) as publish:
        for envelope in history():
            await publish(envelope)

        async def complete() -> str | None:
            answer = await client.get("/registre/aides.scdl.csv", headers=SGPI)
            return answer.text if answer.text.count("\r\n") == 3 and "150000.00" in answer.text else None

        text = await eventually(complete, what="both subsidies and what followed them in the register")

        # internal: for the roles whose work is the aids (company-level data), not every internal reader
        assert (await client.get("/registre/aides.scdl.csv")).status_code == 401
        for outsider in (EPCI, DTI, as_actor(Role.COMITE_MINISTERIEL, "comite-1")):
            assert (await client.get("/registre/aides.scdl.csv", headers=outsider)).status_code == 403
        rows = valid_scdl(text)
        assert [r["referenceDecision"] for r in rows] == ["aide-1", "aide-2"]  # by convention date: no advance
        premiere, seconde = rows
        assert premiere | {"objet": ""} == {
            "nomAttribuant": "Bpifrance",
            "idAttribuant": "50752367800013",
            "dateConvention": "2023-12-01",
            "referenceDecision": "aide-1",
            "nomBeneficiaire": "Conserverie du Cambrésis",
            "idBeneficiaire": CONSERVERIE,
            "rnaBeneficiaire": "",
            "objet": "",
            "montant": "600000.00",
            "nature": "aide en numéraire",
            "conditionsVersement": "échelonné",
            "datesPeriodeVersement": "2024-01-15/2024-03-10",
            "idRAE": "",
            "notificationUE": "oui",
            "pourcentageSubvention": "1.00",
            "dispositifAide": "",
        }
        assert premiere["objet"] == "AMI Rebond industriel (France 2030) : Nouvelle ligne de conserves, « bas carbone »"
        # closed after one tranche, reduced: its amount is what it is worth; no convention yet: the decision's date
        assert (seconde["montant"], seconde["conditionsVersement"], seconde["datesPeriodeVersement"]) == (
            "150000.00",
            "unique",
            "2024-04-02",
        )
        assert (seconde["dateConvention"], seconde["notificationUE"]) == ("2024-02-01", "non")
        assert seconde["nomBeneficiaire"] == "Filature de l'Escaut, SAS"
        again = await client.get("/registre/aides.scdl.csv", headers=as_actor(Role.BPIFRANCE_CHARGE, "bpi-1"))
        assert again.text == text and again.headers["content-type"].startswith("text/csv")  # the same bytes
        early = await client.get("/registre/aides.scdl.csv", headers=SGPI, params={"as_of": "2023-12-31"})
        early_rows = valid_scdl(early.text)
        assert [(r["referenceDecision"], r["datesPeriodeVersement"]) for r in early_rows] == [("aide-1", "2023-11-10")]

        # public: nothing before a publication is released
        assert (await client.get("/public/aides.scdl.csv")).status_code == 404
        assert (await client.get("/public/donnees/regions.csv")).status_code == 404
        schema = await client.get("/public/aides.scdl.schema.json")
        assert schema.json()["version"] == "2.1.1" and schema.json()["fields"][0]["name"] == "nomAttribuant"

        body = {"publication_id": "bilan", "titre": "Bilan au 30 juin 2024", "as_of": "2024-06-30"}
        requested = await client.post("/publications", headers=SGPI, json={**body, "embargo_jusqu_au": NOW.isoformat()})
        assert requested.status_code == 201, requested.text
        digest = requested.json()["digest"]
        published = requested.json()["contenu"]["aides_publiees"]
        assert [(a["aide_id"], a["beneficiaire"]) for a in published] == [
            ("aide-1", "Conserverie du Cambrésis"),
            ("aide-3", "Conserverie du Cambrésis"),
        ]  # 500 000 € and more per project [003]: the 200 k€ subsidy stays internal
        for who in (SGPI, CDC, DTI):
            cleared = await client.post("/publications/bilan/validation", headers=who, json={"digest": digest})
            assert cleared.status_code == 201, cleared.text
        moved = await client.put("/ops/clock", headers=operator(), json={"now": "2024-07-01T12:30:00+02:00"})
        assert moved.status_code == 200
        await eventually(lambda: _released(client), what="the cleared publication to be released")

        public = valid_scdl((await client.get("/public/aides.scdl.csv")).text)
        assert [(r["referenceDecision"], r["montant"]) for r in public] == [("aide-1", "600000.00")]
        named = await client.get("/public/aides.scdl.csv", params={"publication_id": "bilan"})
        assert (
            named.status_code == 200
            and (await client.get("/public/aides.scdl.csv?publication_id=x")).status_code == 404
        )

        aides_csv = (await client.get("/public/donnees/aides.csv")).content
        assert aides_csv.startswith("\ufeff".encode())
        lines = list(csv.reader(io.StringIO(aides_csv.decode("utf-8-sig"))))
        assert [line[1:3] + line[4:7] for line in lines[1:]] == [
            ["Conserverie du Cambrésis", CONSERVERIE, "SUBVENTION", "REPRISE_DURABLE_SA102077", "600000.00"],
            ["Conserverie du Cambrésis", CONSERVERIE, "AVANCE_REMBOURSABLE", "REPRISE_DURABLE_SA102077", "800000.00"],
        ]
        regions = await client.get("/public/donnees/regions.xlsx")
        assert regions.headers["content-type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(io.BytesIO(regions.content)).active
        assert sheet is not None
        table = [tuple(row) for row in sheet.iter_rows(values_only=True)]
        assert len(table) == 19 and table[0][:2] == ("code_region", "region")
        hauts_de_france = next(row for row in table if row[0] == "32")
        assert hauts_de_france[2] == 1  # one laureate; its amounts of aid: below 3 companies, suppressed
        assert hauts_de_france[6] in ("", None)
        assert (await client.get("/public/donnees/regions.xlsx")).content == regions.content  # deterministic
        assert (await client.get("/public/donnees/inconnue.csv")).status_code == 422
        assert (await client.get("/public/donnees/regions.pdf")).status_code == 422


async def test_the_public_topic_is_documented_as_the_published_language(settings_for) -> None:  # type: ignore[no-untyped-def]
    """AsyncAPI: the public topic with its payload's schema (an envelope whose data is a PublicationPublique), key
    and headers; reporting's own topic as internal and confidential."""
    settings = await settings_for("reporting")
    async with running(create_app(settings, clock=SimulatedClock(NOW))) as client:
        document = (await client.get("/asyncapi.json")).json()
    channels = document["channels"]
    public = next(c for name, c in channels.items() if "public.publications.v1" in name)
    internal = next(c for name, c in channels.items() if "reporting.publication.v1" in name)
    assert public["description"].startswith("PUBLIC") and "public-<publication_id>" in public["description"]
    assert internal["description"].startswith("INTERNAL AND CONFIDENTIAL")
    text = json.dumps(document["components"])
    assert "MessagePublic" in text and "PublicationPublique" in text and "validee_le" in text
