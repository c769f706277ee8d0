"""Per-wave figures: the 13 waves always listed in order, counts per step, ineligibility by rule, closure."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from reporting.domain.figures import Facts, national
from reporting.domain.vagues import ClotureAMI, VagueFacts, selection_totals, vagues

PARIS = ZoneInfo("Europe/Paris")
VAGUE_1 = VagueFacts(
    vague=1,
    releve_le=datetime(2022, 10, 1, 12, tzinfo=PARIS),
    nb_deposees=9,
    nb_retirees=1,
    nb_relevees=8,
    nb_ineligibles=2,
    ineligibles_par_regle={"PORTEUR_ELIGIBLE": 1, "DOSSIER_COMPLET": 2},
    nb_recevables=6,
    nb_proposees=5,
    nb_laureats=4,
    nb_non_retenues=2,
)
VAGUE_3 = VagueFacts(vague=3, nb_deposees=3, nb_retirees=2, nb_non_retenues=1)


def test_the_thirteen_waves_are_listed_in_order_with_zeros_for_unknown_ones() -> None:
    figures = vagues([VAGUE_3, VAGUE_1], None, date(2023, 1, 1))
    assert figures["as_of"] == "2023-01-01" and figures["cloture_anticipee"] is None
    assert [v["vague"] for v in figures["vagues"]] == list(range(1, 14))
    assert figures["vagues"][1] == {
        "vague": 2,
        "releve_le": None,
        "nb_candidatures_deposees": 0,
        "nb_candidatures_retirees": 0,
        "nb_candidatures_relevees": 0,
        "nb_ineligibles": 0,
        "ineligibles_par_regle": {},
        "nb_recevables": 0,
        "nb_proposees": 0,
        "nb_laureats": 0,
        "nb_non_retenues": 0,
    }


def test_a_wave_shows_its_releve_in_paris_time_and_its_counts_per_step() -> None:
    first = vagues([VAGUE_1], None, None)["vagues"][0]
    assert first["releve_le"] == "2022-10-01T12:00:00+02:00"
    assert (
        first["nb_candidatures_deposees"],
        first["nb_candidatures_retirees"],
        first["nb_candidatures_relevees"],
    ) == (9, 1, 8)
    assert (first["nb_recevables"], first["nb_proposees"], first["nb_laureats"], first["nb_non_retenues"]) == (
        6,
        5,
        4,
        2,
    )


def test_ineligibility_is_counted_per_candidature_and_per_failed_rule() -> None:
    first = vagues([VAGUE_1], None, None)["vagues"][0]
    # one candidature failed two rules: 2 ineligible candidatures, 3 failed rules
    assert first["nb_ineligibles"] == 2
    assert list(first["ineligibles_par_regle"].items()) == [("DOSSIER_COMPLET", 2), ("PORTEUR_ELIGIBLE", 1)]


def test_early_closure_is_shown_with_its_arrete_and_effective_time() -> None:
    cloture = ClotureAMI(date(2024, 3, 1), datetime(2024, 3, 2, 0, 0, tzinfo=PARIS))
    assert vagues([], cloture, None)["cloture_anticipee"] == {
        "date_arrete": "2024-03-01",
        "effective_le": "2024-03-02T00:00:00+01:00",
    }


def test_national_selection_counts_are_sums_over_the_waves() -> None:
    assert selection_totals([VAGUE_1, VAGUE_3]) == {
        "nb_candidatures_retirees": 3,
        "nb_ineligibles": 2,
        "nb_non_retenues": 3,
    }
    figures = national(Facts({"32": 12}, (), (VAGUE_1, VAGUE_3)), None)
    assert (figures["nb_candidatures"], figures["nb_candidatures_retirees"], figures["nb_non_retenues"]) == (12, 3, 3)
    assert national(Facts({}, ()), None)["nb_ineligibles"] == 0
