"""The publication workflow's rules and the public content's secret statistique (reporting.domain.publication).
Over HTTP, with the roles, the embargo on the business clock and the public side: tests/integration/
test_publications.py; the announcement of 28/08/2023 end to end: tests/e2e/test_system.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from contracts.base import FormeAide
from contracts.reporting.v1 import Organisme
from reporting.domain import publication as p
from reporting.domain.figures import AidesForme, ArgentFacts, Facts, TerritoireFacts

NOW = datetime(2023, 8, 28, 8, tzinfo=UTC)
EMBARGO = NOW + timedelta(hours=4)


def territoire(tid: str, entreprises: int, montant: int = 1_000_000_00, laureat: bool = True) -> TerritoireFacts:
    return TerritoireFacts(
        territoire_id=tid,
        nom=f"Territoire {tid}" if laureat else None,
        region_code="32",
        laureat=laureat,
        enveloppe_centimes=5_000_000_00,
        aides={FormeAide.SUBVENTION.value: AidesForme(entreprises, montant)} if entreprises else {},
        argent=ArgentFacts(nb_projets_aides=entreprises, nb_entreprises_aidees=entreprises),
    )


def facts(*territoires: TerritoireFacts) -> Facts:
    return Facts(candidatures_par_region={"32": len(territoires)}, territoires=territoires)


def test_a_sum_of_aid_over_fewer_than_three_companies_is_not_published() -> None:
    content = p.contenu(facts(territoire("a", 1), territoire("b", 3), territoire("c", 0)), date(2023, 8, 28))
    by_id = {t["territoire_id"]: t for t in content["territoires"]}
    assert by_id["a"]["montant_aides_centimes"] is None and by_id["a"]["taux_consommation"] is None
    assert by_id["a"]["secret"] == p.SECRET
    # the region's sum is shown: b's beside it would give a's away, so b is hidden too (secondary suppression)
    assert by_id["b"]["montant_aides_centimes"] is None and by_id["b"]["secret"] == p.SECRET_COMPLEMENT
    assert by_id["c"]["montant_aides_centimes"] == 0  # nothing granted reveals nothing
    hauts_de_france = next(r for r in content["regions"] if r["code"] == "32")
    assert hauts_de_france["nb_entreprises_aidees"] == 4 and hauts_de_france["montant_aides_centimes"] == 2_000_000_00


def in_region(t: TerritoireFacts, code: str) -> TerritoireFacts:
    return replace(t, region_code=code)


def test_no_hidden_sum_follows_from_the_sums_shown_beside_it() -> None:
    """Bretagne has one company (hidden); the national sum minus the other regions would give it away, so the
    smallest other region is hidden too, and, its territories all shown, the smallest of them."""
    content = p.contenu(
        facts(
            in_region(territoire("bzh", 1, 7_000_000_00), "53"),
            in_region(territoire("hdf-1", 3, 2_000_000_00), "32"),
            in_region(territoire("hdf-2", 4, 3_000_000_00), "32"),
            in_region(territoire("ara", 5, 9_000_000_00), "84"),
        ),
        date(2023, 8, 28),
    )
    regions = {r["code"]: r for r in content["regions"]}
    assert content["national"]["montant_aides_centimes"] == 21_000_000_00
    assert regions["53"]["secret"] == p.SECRET
    assert regions["32"]["secret"] == p.SECRET_COMPLEMENT and "secret" not in regions["84"]
    territoires = {t["territoire_id"]: t for t in content["territoires"]}
    assert territoires["hdf-1"]["secret"] == p.SECRET_COMPLEMENT and "secret" not in territoires["hdf-2"]
    shown = [c["montant_aides_centimes"] for c in [*regions.values(), *territoires.values()] if "secret" not in c]
    assert 7_000_000_00 not in shown and 5_000_000_00 not in shown  # neither Bretagne nor Hauts-de-France


def test_only_laureates_are_named_and_the_digest_is_of_the_canonical_bytes() -> None:
    content = p.contenu(facts(territoire("a", 0), territoire("x", 0, laureat=False)), date(2023, 8, 28))
    assert [t["territoire_id"] for t in content["territoires"]] == ["a"]
    assert p.digest(content) == p.digest(dict(reversed(list(content.items()))))  # key order does not matter
    assert p.digest(content) != p.digest({**content, "as_of": "2023-08-29"})


def requested(content: dict[str, object] | None = None) -> p.Publication:
    command = p.DemanderPublication("annonce", "Annonce", date(2023, 8, 28), NOW, EMBARGO, NOW, content or {"n": 1})
    return p.decider.fold(p.decide(command, p.Publication()))


def cleared(state: p.Publication, *organismes: Organisme) -> p.Publication:
    assert state.demande is not None
    for organisme in organismes:
        command = p.ValiderPublication("annonce", organisme, state.demande.digest, NOW + timedelta(minutes=5))
        state = p.decider.fold(p.decide(command, state), state)
    return state


def test_a_publication_is_public_only_cleared_by_all_three_and_after_its_embargo() -> None:
    state = cleared(requested(), Organisme.SGPI, Organisme.CDC)
    assert state.statut == "DEMANDEE" and not state.diffusable(EMBARGO)
    state = cleared(state, Organisme.DTI)
    assert state.statut == "VALIDEE"
    assert not state.diffusable(EMBARGO - timedelta(seconds=1)) and state.diffusable(EMBARGO)
    with pytest.raises(p.PublicationIncoherente):
        p.decide(p.DiffuserPublication("annonce", EMBARGO - timedelta(seconds=1)), state)
    state = p.decider.fold(p.decide(p.DiffuserPublication("annonce", EMBARGO), state), state)
    assert state.statut == "PUBLIQUE"
    assert p.decide(p.DiffuserPublication("annonce", EMBARGO + timedelta(days=1)), state) == []


def test_a_clearance_is_of_the_digest_requested_and_a_refusal_closes_the_publication() -> None:
    state = requested()
    with pytest.raises(p.EmpreinteDifferente):
        p.decide(p.ValiderPublication("annonce", Organisme.CDC, "0" * 64, NOW), state)
    state = cleared(state, Organisme.CDC)
    assert p.decide(p.ValiderPublication("annonce", Organisme.CDC, state.demande.digest, NOW), state) == []  # type: ignore[union-attr]
    refusal = p.RefuserPublication("annonce", Organisme.DTI, "Chiffres non consolidés", NOW + timedelta(hours=1))
    state = p.decider.fold(p.decide(refusal, state), state)
    assert state.statut == "REFUSEE" and not state.diffusable(EMBARGO)
    with pytest.raises(p.PublicationClose):
        cleared(state, Organisme.SGPI)


def test_a_request_is_frozen_idempotent_and_coherent_in_time() -> None:
    state = requested({"n": 1})
    again = p.DemanderPublication("annonce", "Annonce", date(2023, 8, 28), NOW, EMBARGO, NOW, {"n": 2})
    assert p.decide(again, state) == []  # the same request: the content frozen the first time stands
    with pytest.raises(p.PublicationExistante):
        p.decide(p.DemanderPublication("annonce", "Autre", date(2023, 8, 28), NOW, EMBARGO, NOW, {}), state)
    with pytest.raises(p.PublicationIncoherente):  # figures of a day not over yet
        p.decide(p.DemanderPublication("x", "X", date(2023, 8, 29), NOW, EMBARGO, NOW, {}), p.Publication())
    with pytest.raises(p.PublicationIncoherente):  # an embargo before the request
        p.decide(p.DemanderPublication("x", "X", date(2023, 8, 28), NOW, NOW - timedelta(1), NOW, {}), p.Publication())
    with pytest.raises(p.PublicationInconnue):
        p.decide(p.ValiderPublication("x", Organisme.SGPI, "0" * 64, NOW), p.Publication())
