"""A laureate's mission as of a date: furthest milestone, late conventions, COPIL alerts, axes once restituée."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from reporting.domain.figures import Facts, TerritoireFacts, national, regions, territoire
from reporting.domain.missions import EtatMission, MissionFacts, mission, mission_totals

OUVERTE = MissionFacts(ouverte_le=date(2023, 8, 29))
EN_RETARD = replace(OUVERTE, convention_en_retard_le=date(2024, 3, 1))
SIGNEE = replace(OUVERTE, convention_signee_le=date(2023, 10, 2))
LANCEE = replace(
    SIGNEE,
    lancee_le=date(2023, 11, 6),
    nb_copil_tenus=3,
    mois_sans_copil=("2024-01",),
    axes_feuille_de_route=("L'emploi et le développement des compétences",),
)
RESTITUEE = replace(LANCEE, restituee_le=date(2024, 3, 20))
CLOTUREE = replace(RESTITUEE, cloturee_le=date(2024, 6, 30))


def test_the_state_is_the_furthest_milestone_reached() -> None:
    assert [m.etat for m in (MissionFacts(), OUVERTE, EN_RETARD, SIGNEE, LANCEE, RESTITUEE, CLOTUREE)] == [
        None,
        EtatMission.OUVERTE,
        EtatMission.CONVENTION_EN_RETARD,
        EtatMission.CONVENTION_SIGNEE,
        EtatMission.LANCEE,
        EtatMission.RESTITUEE,
        EtatMission.CLOTUREE,
    ]
    assert MissionFacts(mois_sans_copil=("2024-01",)).etat is EtatMission.OUVERTE  # any fact: the mission exists


def test_a_late_convention_stops_being_late_once_signed_but_the_history_stays() -> None:
    late = mission(EN_RETARD)
    assert (late["etat"], late["convention_en_retard"], late["convention_signee_en_retard"]) == (
        "CONVENTION_EN_RETARD",
        True,
        False,
    )
    signed_late = mission(replace(EN_RETARD, convention_signee_le=date(2024, 3, 15)))
    assert (signed_late["etat"], signed_late["convention_en_retard"], signed_late["convention_signee_en_retard"]) == (
        "CONVENTION_SIGNEE",
        False,
        True,
    )
    flagged = mission(replace(SIGNEE, signee_en_retard=True))  # signed late before the watcher noticed
    assert (flagged["convention_en_retard"], flagged["convention_signee_en_retard"]) == (False, True)


def test_copil_meetings_and_alerts_are_counted() -> None:
    figures = mission(LANCEE)
    assert (figures["nb_copil_tenus"], figures["nb_alertes_copil"], figures["mois_sans_copil"]) == (3, 1, ["2024-01"])
    assert (figures["lancee_le"], figures["convention_signee_le"]) == ("2023-11-06", "2023-10-02")


def test_the_roadmap_axes_are_public_only_once_the_mission_is_restituee() -> None:
    assert mission(LANCEE)["axes_feuille_de_route"] is None
    assert mission(RESTITUEE)["axes_feuille_de_route"] == ["L'emploi et le développement des compétences"]
    assert mission(None) == mission(MissionFacts())


def test_national_and_regional_mission_counts() -> None:
    totals = mission_totals([OUVERTE, EN_RETARD, CLOTUREE, None])
    assert totals == {
        "nb_missions_ouvertes": 3,
        "nb_conventions_signees": 1,
        "nb_conventions_en_retard": 1,
        "nb_missions_lancees": 1,
        "nb_copil_tenus": 3,
        "nb_alertes_copil": 1,
        "nb_missions_restituees": 1,
        "nb_missions_cloturees": 1,
    }
    cambrai = TerritoireFacts(territoire_id="cambrai", nom="Cambrai", region_code="32", laureat=True, mission=CLOTUREE)
    lorient = TerritoireFacts(territoire_id="lorient", nom="Lorient", region_code="53", laureat=True, mission=EN_RETARD)
    facts = Facts({}, (cambrai, lorient))
    assert (national(facts, None)["nb_missions_cloturees"], national(facts, None)["nb_conventions_en_retard"]) == (1, 1)
    by_code = {r["code"]: r for r in regions(facts, None)["regions"]}
    assert (by_code["32"]["nb_missions_restituees"], by_code["53"]["nb_missions_restituees"]) == (1, 0)
    assert territoire(cambrai)["mission"]["etat"] == "CLOTUREE"


def test_a_territory_is_named_only_once_it_is_a_laureate() -> None:
    known = TerritoireFacts(territoire_id="t", nom="Pays de T", region_code="32", laureat=True)
    assert territoire(known)["nom"] == "Pays de T"
    assert territoire(replace(known, laureat=False))["nom"] is None  # e.g. as of a date before the decision
