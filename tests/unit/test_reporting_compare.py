"""Comparing live and rebuilt figures: every differing leaf, records matched by their id."""

from __future__ import annotations

from reporting.domain.compare import differences


def test_identical_figures_have_no_difference() -> None:
    figures = {"national": {"nb_laureats": 2}, "regions": [{"code": "32", "nb_laureats": 1}]}
    assert differences(figures, figures) == []


def test_differing_leaves_are_named_by_path_live_first() -> None:
    live = {"national": {"nb_laureats": 2, "taux_consommation": "0.1600"}}
    rebuilt = {"national": {"nb_laureats": 1, "taux_consommation": "0.1600"}}
    assert differences(live, rebuilt) == ["national.nb_laureats: 2 != 1"]


def test_records_are_matched_by_id_not_by_position() -> None:
    live = {"territoires": [{"territoire_id": "a", "nb_aides": 1}, {"territoire_id": "b", "nb_aides": 2}]}
    rebuilt = {"territoires": [{"territoire_id": "b", "nb_aides": 3}]}
    assert differences(live, rebuilt) == ["territoires.a: only in live", "territoires.b.nb_aides: 2 != 3"]


def test_missing_keys_and_plain_lists() -> None:
    assert differences({"x": 1}, {"y": 1}) == ["x: only in live", "y: only in rebuild"]
    assert differences({"l": [1, 2]}, {"l": [2, 1]}) == ["l: [1, 2] != [2, 1]"]
