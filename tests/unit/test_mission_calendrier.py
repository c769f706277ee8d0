"""The mission's date arithmetic: month terms (art. 641 CPC), end of day in Paris, calendar months."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from instruction.mission.domain.calendrier import (
    PARIS,
    ajouter_mois,
    dernier_mois_ecoule,
    fin_du_jour,
    jour_a_paris,
    mois_entre,
    mois_suivant,
)


@pytest.mark.parametrize(
    ("depart", "mois", "terme"),
    [
        (date(2023, 3, 20), 6, date(2023, 9, 20)),  # same day of the month
        (date(2023, 7, 20), 6, date(2024, 1, 20)),  # across a year
        (date(2023, 8, 31), 6, date(2024, 2, 29)),  # no 31 February: last day, leap year
        (date(2022, 8, 31), 6, date(2023, 2, 28)),  # … and in a common year
        (date(2023, 3, 31), 6, date(2023, 9, 30)),  # no 31 September
        (date(2024, 2, 29), 6, date(2024, 8, 29)),
        (date(2023, 11, 30), 3, date(2024, 2, 29)),  # the mission's 3-month bound
        (date(2023, 10, 31), 4, date(2024, 2, 29)),  # … and its 4-month bound
        (date(2023, 12, 15), 1, date(2024, 1, 15)),
        (date(2024, 1, 31), -1, date(2023, 12, 31)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
    ],
)
def test_un_terme_en_mois_tombe_le_meme_quantieme_ou_le_dernier_jour_du_mois(
    depart: date, mois: int, terme: date
) -> None:
    assert ajouter_mois(depart, mois) == terme


def test_la_fin_d_un_jour_est_minuit_a_paris_heure_d_ete_comme_d_hiver() -> None:
    assert fin_du_jour(date(2023, 9, 20)) == datetime(2023, 9, 20, 22, tzinfo=UTC)  # CEST, UTC+2
    assert fin_du_jour(date(2024, 1, 20)) == datetime(2024, 1, 20, 23, tzinfo=UTC)  # CET, UTC+1
    assert fin_du_jour(date(2023, 3, 25)) == datetime(2023, 3, 25, 23, tzinfo=UTC)  # the night DST starts


def test_le_jour_d_un_instant_se_lit_a_paris() -> None:
    assert jour_a_paris(datetime(2023, 5, 31, 22, 30, tzinfo=UTC)) == date(2023, 6, 1)
    assert jour_a_paris(datetime(2023, 5, 31, 21, 59, tzinfo=UTC)) == date(2023, 5, 31)


def test_les_mois_civils_se_suivent_d_une_annee_a_l_autre() -> None:
    assert mois_suivant("2023-12") == "2024-01"
    assert mois_entre("2023-11", "2024-02") == ["2023-11", "2023-12", "2024-01", "2024-02"]
    assert mois_entre("2023-05", "2023-05") == ["2023-05"]
    assert mois_entre("2023-06", "2023-05") == []


@pytest.mark.parametrize(
    ("instant", "mois"),
    [
        (datetime(2023, 6, 1, 0, 0, tzinfo=PARIS), "2023-05"),  # May is over at midnight in Paris
        (datetime(2023, 5, 31, 23, 59, tzinfo=PARIS), "2023-04"),
        (datetime(2023, 5, 31, 22, 30, tzinfo=UTC), "2023-05"),  # 00:30 on 1 June in Paris
        (datetime(2024, 1, 10, 12, tzinfo=PARIS), "2023-12"),
    ],
)
def test_le_dernier_mois_ecoule_est_celui_d_avant_le_mois_en_cours_a_paris(instant: datetime, mois: str) -> None:
    assert dernier_mois_ecoule(instant) == mois
