"""Reporting figures from facts: exact money and rates, national = sum of territories, regions by COG code."""

from __future__ import annotations

from datetime import date

from reporting.domain.figures import AidesForme, Facts, TerritoireFacts, national, regions, taux, territoire

CAMBRAI = TerritoireFacts(
    territoire_id="cambrai-caudresis",
    nom="Cambrésis et Caudrésis-Catésis",
    region_code="32",
    laureat=True,
    enveloppe_centimes=500_000_000,
    contributions=(("ETAT_F2030", 400_000_000), ("EPCI:200068500", 60_000_000), ("EPCI:200040491", 40_000_000)),
    nb_projets_qualifies=17,
    emplois_prevus=300,
    investissement_estime_centimes=28_600_000_000,
    aides={"SUBVENTION": AidesForme(2, 120_000_000), "AVANCE_REMBOURSABLE": AidesForme(1, 30_000_000)},
    nb_aides_publication_obligatoire=1,
    nb_aides_refusees=1,
)
LORIENT = TerritoireFacts(
    territoire_id="lorient",
    nom="Pays de Lorient",
    region_code="53",
    laureat=True,
    enveloppe_centimes=150_000_000,
    aides={"SUBVENTION": AidesForme(6, 150_000_000)},
)
# Known only through financement events (its laureate event not yet seen, or decided after the date).
INCONNU = TerritoireFacts(
    territoire_id="x", nom=None, region_code=None, laureat=False, aides={"SUBVENTION": AidesForme(1, 10_000_000)}
)
FACTS = Facts({"32": 1, "53": 1, "75": 1}, (CAMBRAI, LORIENT, INCONNU))


def test_rate_is_exact_to_four_decimals_and_absent_without_an_envelope() -> None:
    assert taux(80_000_000, 500_000_000) == "0.1600"
    assert taux(1, 3) == "0.3333"
    assert taux(2, 3) == "0.6667"
    assert taux(600, 500) == "1.2000"  # over-consumption stays visible
    assert taux(0, 0) is None
    assert taux(10, 0) is None


def test_national_sums_every_territory_and_counts_regions_of_laureates_only() -> None:
    figures = national(FACTS, date(2024, 1, 1))
    assert figures["as_of"] == "2024-01-01"
    assert (figures["nb_candidatures"], figures["nb_laureats"], figures["nb_regions_laureates"]) == (3, 2, 2)
    assert figures["aides_par_forme"] == {
        "SUBVENTION": {"nombre": 9, "montant_centimes": 280_000_000},
        "AVANCE_REMBOURSABLE": {"nombre": 1, "montant_centimes": 30_000_000},
    }
    assert (figures["nb_aides"], figures["montant_aides_centimes"]) == (10, 310_000_000)
    assert figures["enveloppes_attribuees_centimes"] == 650_000_000
    assert figures["taux_consommation"] == "0.4769"
    assert (figures["nb_aides_publication_obligatoire"], figures["nb_aides_refusees"]) == (1, 1)
    assert (figures["nb_projets_qualifies"], figures["emplois_prevus"]) == (17, 300)


def test_nothing_known_gives_zeros_and_no_rate() -> None:
    figures = national(Facts({}, ()), None)
    assert (figures["as_of"], figures["nb_candidatures"], figures["nb_laureats"]) == (None, 0, 0)
    assert figures["taux_consommation"] is None
    assert figures["aides_par_forme"]["SUBVENTION"] == {"nombre": 0, "montant_centimes": 0}


def test_regions_list_all_eighteen_with_names_and_their_own_counts() -> None:
    rows = {r["code"]: r for r in regions(FACTS, None)["regions"]}
    assert len(rows) == 18
    assert rows["32"]["nom"] == "Hauts-de-France"
    assert (rows["32"]["nb_laureats"], rows["32"]["montant_aides_centimes"], rows["32"]["taux_consommation"]) == (
        1,
        150_000_000,
        "0.3000",
    )
    assert (rows["75"]["nb_candidatures"], rows["75"]["nb_laureats"], rows["75"]["taux_consommation"]) == (1, 0, None)
    assert rows["11"]["nb_candidatures"] == 0


def test_territory_shows_its_envelope_contributions_engaged_and_available() -> None:
    figures = territoire(CAMBRAI)
    assert figures["region"] == {"code": "32", "nom": "Hauts-de-France"}
    assert (figures["enveloppe_centimes"], figures["engage_centimes"], figures["disponible_centimes"]) == (
        500_000_000,
        150_000_000,
        350_000_000,
    )
    assert sum(c["montant_centimes"] for c in figures["contributions"]) == figures["enveloppe_centimes"]
    assert (figures["taux_consommation"], figures["nb_aides"], figures["emplois_prevus"]) == ("0.3000", 3, 300)
    assert territoire(INCONNU)["region"] == {"code": None, "nom": None}
