"""The register of aids in the SCDL « subventions » format: what each column says, the order, the bounds."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from reporting.domain import scdl, tables

BPI = scdl.Attribuant("Bpifrance", "50752367800013")
AIDE = scdl.AideAttribuee(
    territoire_id="cambrai",
    aide_id="aide-1",
    projet_id="p1",
    forme="SUBVENTION",
    regime="AFR",
    siret="39198714600018",
    beneficiaire="Conserverie",
    intitule="Ligne",
    date_decision=date(2023, 11, 10),
    date_convention=None,
    montant_accorde_centimes=60_000_001,
    rendu_centimes=0,
    versements=(),
    soldee=False,
    publication_obligatoire=True,
)


def test_amounts_are_exact_euros_with_a_point() -> None:
    assert [scdl.euros(c) for c in (0, 1, 10, 60_000_001, 4_780_020)] == [
        "0.00",
        "0.01",
        "0.10",
        "600000.01",
        "47800.20",
    ]


def test_a_row_says_what_the_log_says_and_nothing_it_does_not() -> None:
    row = scdl.ligne(AIDE, BPI)
    assert tuple(row) == scdl.FIELDS
    assert (row["dateConvention"], row["datesPeriodeVersement"], row["conditionsVersement"]) == (
        "2023-11-10",  # no convention yet: the decision
        "2023-11-10",  # no payment yet: from the decision on
        "échelonné",
    )
    assert (row["notificationUE"], row["pourcentageSubvention"], row["rnaBeneficiaire"]) == ("non", "1.00", "")
    paid = replace(AIDE, versements=(date(2024, 1, 5), date(2024, 3, 1)), date_convention=date(2023, 12, 1))
    assert scdl.ligne(paid, BPI)["datesPeriodeVersement"] == "2024-01-05/2024-03-01"
    closed = replace(AIDE, versements=(date(2024, 1, 5),), soldee=True, rendu_centimes=1)
    assert (scdl.ligne(closed, BPI)["conditionsVersement"], scdl.ligne(closed, BPI)["montant"]) == (
        "unique",
        "600000.00",
    )
    notified = replace(AIDE, regime="REPRISE_DURABLE_SA102077", beneficiaire="")
    assert scdl.ligne(notified, BPI)["notificationUE"] == "oui"
    assert scdl.ligne(notified, BPI)["nomBeneficiaire"] == "établissement 39198714600018"


def test_the_object_is_bounded_to_256_characters() -> None:
    long = scdl.ligne(replace(AIDE, intitule="é" * 300), BPI)["objet"]
    assert len(long) == scdl.OBJET_MAX and long.endswith("…")
    assert scdl.ligne(replace(AIDE, intitule=""), BPI)["objet"].endswith("projet p1")


def test_only_subsidies_worth_something_with_a_siret_in_a_stable_order() -> None:
    b = replace(AIDE, aide_id="b", siret="55210055400025", date_convention=date(2023, 1, 1))
    advance = replace(AIDE, aide_id="avance", forme="AVANCE_REMBOURSABLE")
    cancelled = replace(AIDE, aide_id="annulee", rendu_centimes=AIDE.montant_accorde_centimes)
    before_its_siret = replace(AIDE, aide_id="ancienne", siret="")
    rows = scdl.lignes([AIDE, advance, cancelled, before_its_siret, b], BPI)
    assert [r["referenceDecision"] for r in rows] == ["b", "aide-1"]
    assert scdl.lignes(reversed([AIDE, b]), BPI) == rows
    text = scdl.to_csv(rows)
    assert text.splitlines()[0] == ",".join(scdl.FIELDS) and text.endswith("\r\n")


def test_a_publication_freezes_an_aid_and_gives_it_back_unchanged() -> None:
    paid = replace(AIDE, versements=(date(2024, 1, 5),), date_convention=date(2023, 12, 1))
    assert scdl.AideAttribuee.from_json(paid.as_json()) == paid
    header, rows = tables.aides({"aides_publiees": [paid.as_json()]})
    assert dict(zip(header, rows[0], strict=True))["montant_euros"] == "600000.01"


def test_the_attribuant_needs_a_name_and_a_valid_siret() -> None:
    with pytest.raises(ValueError, match="SIRET"):
        scdl.Attribuant("Bpifrance", "50752367800012")
    with pytest.raises(ValueError, match="name"):
        scdl.Attribuant(" ", "50752367800013")
