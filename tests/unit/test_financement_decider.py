"""EnveloppeTerritoriale: every branch of decide, given recorded events, when a command, then events or a refusal."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from contracts.base import FormeAide, RegimeAide
from contracts.financement.v1 import (
    AideAccordee,
    AideRefusee,
    Contribution,
    EnveloppeTerritorialeAttribuee,
    LaureatEnregistre,
    ProjetQualifieEnregistre,
)
from financement.domain import errors
from financement.domain.commands import (
    AccorderAide,
    AttribuerEnveloppe,
    EnregistrerLaureat,
    EnregistrerProjetQualifie,
)
from financement.domain.enveloppe import decider
from kernel.testing import given
from tests.fixtures import SIRET

T = "cambresis"
LAUREAT = LaureatEnregistre(
    territoire_id=T, nom_territoire="Cambrésis", region_code="32", date_decision=date(2023, 7, 1)
)
PROJET = ProjetQualifieEnregistre(projet_id="p1", territoire_id=T, siret=SIRET, assiette_estimee_centimes=200_000_000)
CONTRIBUTIONS = (
    Contribution(financeur="ETAT_F2030", montant_centimes=300_000_000),
    Contribution(financeur="CA de Cambrai", montant_centimes=100_000_000),
    Contribution(financeur="CA du Caudrésis-Catésis", montant_centimes=100_000_000),
)
ATTRIBUEE = EnveloppeTerritorialeAttribuee(
    territoire_id=T, montant_centimes=500_000_000, contributions=list(CONTRIBUTIONS), date_attribution=date(2023, 9, 1)
)
READY = (LAUREAT, PROJET, ATTRIBUEE)


def enregistrer_laureat(**changes: object) -> EnregistrerLaureat:
    return EnregistrerLaureat(**{**LAUREAT.model_dump(), **changes})


def attribuer(
    montant: int = 500_000_000, contributions: tuple[Contribution, ...] = CONTRIBUTIONS
) -> AttribuerEnveloppe:
    return AttribuerEnveloppe(
        territoire_id=T, montant_centimes=montant, contributions=contributions, date_attribution=date(2023, 9, 1)
    )


def accorder(aide_id: str = "a1", montant: int = 100_000_000, **changes: object) -> AccorderAide:
    fields = dict(
        territoire_id=T,
        aide_id=aide_id,
        projet_id="p1",
        forme=FormeAide.SUBVENTION,
        montant_centimes=montant,
        assiette_centimes=1_000_000_000,  # 10 M€: the project's base holds every aid of these tests
        regime=RegimeAide.REPRISE_DURABLE_SA102077,
        date_decision=date(2023, 11, 2),
    )
    return AccorderAide(**{**fields, **changes})


def accordee(aide_id: str = "a1", montant: int = 100_000_000, **changes: object) -> AideAccordee:
    fields = dict(
        territoire_id=T,
        aide_id=aide_id,
        projet_id="p1",
        siret=SIRET,
        forme=FormeAide.SUBVENTION,
        montant_centimes=montant,
        assiette_centimes=1_000_000_000,  # 10 M€: the project's base holds every aid of these tests
        regime=RegimeAide.REPRISE_DURABLE_SA102077,
        date_decision=date(2023, 11, 2),
        publication_obligatoire=montant >= 50_000_000,
    )
    return AideAccordee(**{**fields, **changes})


def refusee(aide_id: str, montant: int) -> AideRefusee:
    return AideRefusee(
        aide_id=aide_id,
        projet_id="p1",
        territoire_id=T,
        montant_centimes=montant,
        motif="enveloppe_insuffisante",
        date_decision=date(2023, 11, 2),
    )


# --- what instruction tells us ---------------------------------------------------------------------------


def test_a_laureate_territory_is_recorded() -> None:
    given(decider).when(enregistrer_laureat()).then(LAUREAT)


def test_a_laureate_already_recorded_records_nothing() -> None:
    given(decider, LAUREAT).when(enregistrer_laureat(nom_territoire="Cambrai")).then()


def test_a_qualified_project_is_recorded_even_before_the_laureate_is_known() -> None:
    command = EnregistrerProjetQualifie(
        territoire_id=T, projet_id="p1", siret=SIRET, assiette_estimee_centimes=200_000_000
    )
    given(decider).when(command).then(PROJET)


def test_a_qualified_project_already_recorded_records_nothing() -> None:
    command = EnregistrerProjetQualifie(
        territoire_id=T, projet_id="p1", siret=SIRET, assiette_estimee_centimes=200_000_000
    )
    given(decider, LAUREAT, PROJET).when(command).then()


# --- attribution ---------------------------------------------------------------------------------------------


def test_an_envelope_is_attributed_to_a_laureate() -> None:
    given(decider, LAUREAT).when(attribuer()).then(ATTRIBUEE)


def test_contributions_must_add_up_to_the_envelope() -> None:
    given(decider, LAUREAT).when(attribuer(montant=600_000_000)).then_refused(
        errors.ContributionsIncoherentes, "contributions_incoherentes"
    )


def test_no_envelope_before_the_territory_is_laureate() -> None:
    given(decider, PROJET).when(attribuer()).then_refused(errors.TerritoireNonLaureat, "territoire_non_laureat")


def test_the_same_attribution_again_records_nothing() -> None:
    given(decider, LAUREAT, ATTRIBUEE).when(attribuer()).then()


def test_another_amount_once_attributed_is_refused() -> None:
    contributions = (Contribution(financeur="ETAT_F2030", montant_centimes=700_000_000),)
    given(decider, LAUREAT, ATTRIBUEE).when(attribuer(700_000_000, contributions)).then_refused(
        errors.EnveloppeDejaAttribuee, "enveloppe_deja_attribuee"
    )


def test_another_split_of_the_same_amount_once_attributed_is_refused() -> None:
    contributions = (Contribution(financeur="ETAT_F2030", montant_centimes=500_000_000),)
    given(decider, LAUREAT, ATTRIBUEE).when(attribuer(500_000_000, contributions)).then_refused(
        errors.EnveloppeDejaAttribuee, "enveloppe_deja_attribuee"
    )


# --- aids ------------------------------------------------------------------------------------------------------


def test_an_aid_is_granted_with_the_siret_of_the_qualified_project() -> None:
    given(decider, *READY).when(accorder(montant=10_000_000)).then(accordee(montant=10_000_000))
    assert accordee(montant=10_000_000).publication_obligatoire is False


def test_an_aid_of_500_000_euros_or_more_must_be_published() -> None:
    given(decider, *READY).when(accorder(montant=50_000_000)).then(
        accordee(montant=50_000_000, publication_obligatoire=True)
    )
    given(decider, *READY).when(accorder(montant=49_999_999)).then(
        accordee(montant=49_999_999, publication_obligatoire=False)
    )


def test_no_aid_without_an_attributed_envelope() -> None:
    given(decider, LAUREAT, PROJET).when(accorder()).then_refused(
        errors.EnveloppeNonAttribuee, "enveloppe_non_attribuee"
    )


def test_no_aid_to_a_project_not_qualified_for_the_territory() -> None:
    given(decider, *READY).when(accorder(projet_id="p2")).then_refused(errors.ProjetNonQualifie, "projet_non_qualifie")


def test_the_aid_cannot_exceed_its_assiette() -> None:
    given(decider, *READY).when(accorder(montant=200_000_001, assiette_centimes=200_000_000)).then_refused(
        errors.MontantSuperieurAssiette, "montant_superieur_assiette"
    )


def test_an_aid_filling_the_envelope_exactly_is_granted() -> None:
    given(decider, *READY, accordee("a1", 200_000_000), accordee("a2", 200_000_000)).when(
        accorder("a3", 100_000_000)
    ).then(accordee("a3", 100_000_000))


def test_an_aid_the_envelope_cannot_hold_is_a_recorded_refusal() -> None:
    given(decider, *READY, accordee("a1", 200_000_000), accordee("a2", 200_000_000)).when(
        accorder("a3", 100_000_001)
    ).then(refusee("a3", 100_000_001))


def test_an_avance_remboursable_consumes_the_envelope_at_face_value() -> None:
    avance = accordee("a1", 200_000_000, forme=FormeAide.AVANCE_REMBOURSABLE)
    given(decider, *READY, avance, accordee("a2", 200_000_000)).when(accorder("a3", 100_000_001)).then(
        refusee("a3", 100_000_001)
    )


def test_the_same_grant_again_records_nothing() -> None:
    given(decider, *READY, accordee("a1")).when(accorder("a1")).then()


def test_the_same_grant_again_records_nothing_even_once_the_envelope_is_full() -> None:
    given(decider, *READY, accordee("a1", 200_000_000), accordee("a2", 200_000_000), accordee("a3", 100_000_000)).when(
        accorder("a1", 200_000_000)
    ).then()


def test_a_granted_aid_id_cannot_be_granted_again_on_other_terms() -> None:
    given(decider, *READY, accordee("a1")).when(accorder("a1", 20_000_000)).then_refused(
        errors.AideDejaAccordee, "aide_deja_accordee"
    )


def test_the_same_refusal_again_records_nothing() -> None:
    full = (accordee("a1", 200_000_000), accordee("a2", 200_000_000))
    given(decider, *READY, *full, refusee("a3", 100_000_001)).when(accorder("a3", 100_000_001)).then()


def test_a_refused_aid_can_be_granted_for_an_amount_that_fits() -> None:
    full = (accordee("a1", 200_000_000), accordee("a2", 200_000_000))
    given(decider, *READY, *full, refusee("a3", 100_000_001)).when(accorder("a3", 100_000_000)).then(
        accordee("a3", 100_000_000)
    )


# --- state and commands ------------------------------------------------------------------------------------------


def test_the_state_tracks_attributed_engaged_and_available_money() -> None:
    state = decider.fold(
        [
            *READY,
            accordee("a1", 120_000_000),
            refusee("a9", 900_000_000),
            accordee("a2", 30_000_000, forme=FormeAide.AVANCE_REMBOURSABLE),
        ]
    )
    assert (state.montant_centimes, state.engage_centimes, state.disponible_centimes) == (
        500_000_000,
        150_000_000,
        350_000_000,
    )
    assert list(state.aides) == ["a1", "a2"] and list(state.refus) == ["a9"]


@pytest.mark.parametrize(
    "field, value",
    [("montant_centimes", 0), ("montant_centimes", -5), ("assiette_centimes", 39_999_999), ("forme", "PRET")],
)
def test_an_impossible_aid_command_cannot_even_be_built(field: str, value: object) -> None:
    with pytest.raises(ValidationError, match=field):
        accorder(**{field: value})


def test_a_burst_of_fresh_ids_for_the_same_project_and_day_records_one_refusal() -> None:
    full = (accordee("a1", 200_000_000), accordee("a2", 200_000_000))
    given(decider, *READY, *full, refusee("a3", 100_000_001)).when(accorder("a4", 100_000_002)).then()
    other_day = accorder("a5", 100_000_001, date_decision=date(2023, 11, 3))
    [refusal] = decider.decide(other_day, decider.fold([*READY, *full, refusee("a3", 100_000_001)]))
    assert isinstance(refusal, AideRefusee) and refusal.aide_id == "a5"  # another day: recorded


def test_the_aids_of_one_project_together_cannot_exceed_its_assiette() -> None:
    """Two aids of 400 000 € on a base of 400 000 € were both granted (200 % of the base)."""
    base = {"assiette_centimes": 40_000_000}
    first = accordee("a1", 40_000_000, **base)
    given(decider, *READY).when(accorder("a1", 40_000_000, **base)).then(first)
    given(decider, *READY, first).when(accorder("a2", 40_000_000, **base)).then_refused(
        errors.CumulSuperieurAssiette, "cumul_superieur_assiette"
    )


def test_publication_is_due_from_500_000_euros_of_aid_per_project_whatever_the_forms() -> None:
    """A 300 k€ subvention then a 300 k€ avance on one project: the second crosses the threshold."""
    subvention = accordee("a1", 30_000_000)
    assert subvention.publication_obligatoire is False
    avance = accorder("a2", 30_000_000, forme=FormeAide.AVANCE_REMBOURSABLE)
    given(decider, *READY, subvention).when(avance).then(
        accordee("a2", 30_000_000, forme=FormeAide.AVANCE_REMBOURSABLE, publication_obligatoire=True)
    )


def test_no_envelope_exceeds_the_whole_fund() -> None:
    contributions = (Contribution(financeur="ETAT_F2030", montant_centimes=20_000_000_000),)
    given(decider, LAUREAT).when(attribuer(20_000_000_000, contributions)).then_refused(
        errors.EnveloppeSuperieureAuFonds, "enveloppe_superieure_au_fonds"
    )
