"""EnveloppeTerritoriale: every branch of decide, given recorded events, when a command, then events or a refusal."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from contracts.base import FormeAide, RegimeAide
from contracts.financement.v1 import (
    AideAccordee,
    AideAnnulee,
    AideRefusee,
    AideSoldee,
    Contribution,
    ConventionAideSignee,
    Echeance,
    EcheanceImpayee,
    EcheancierFixe,
    EnveloppeTerritorialeAjustee,
    EnveloppeTerritorialeAttribuee,
    InstructionAideEnregistree,
    LaureatEnregistre,
    PartEtatReservee,
    ProjetQualifieEnregistre,
    RemboursementRecu,
    SeuilConsommationAtteint,
    VersementEffectue,
)
from financement.domain import commands as c
from financement.domain import errors, programme
from financement.domain.commands import (
    AccorderAide,
    AttribuerEnveloppe,
    EnregistrerLaureat,
    EnregistrerProjetQualifie,
)
from financement.domain.decider import decider
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
INSTANCE = "Comité des financeurs, sur instruction de Bpifrance"


def instruction(projet_id: str = "p1", plafond: int = 1_000_000_000, **changes: object) -> InstructionAideEnregistree:
    fields = dict(
        projet_id=projet_id,
        territoire_id=T,
        demande_id=f"d-{projet_id}",
        siret=SIRET,
        forme=FormeAide.SUBVENTION,
        regime=RegimeAide.REPRISE_DURABLE_SA102077,
        assiette_centimes=1_000_000_000,  # 10 M€: the project's base holds every aid of these tests
        intensite_max_pour_mille=1000,
        plafond_aide_centimes=plafond,
        emplois_prevus=12,
        date_instruction=date(2023, 10, 20),
    )
    return InstructionAideEnregistree(**{**fields, **changes})


INSTRUIT = instruction()
READY = (LAUREAT, PROJET, ATTRIBUEE, INSTRUIT)


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
        instance_decision=INSTANCE,
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
        demande_id="d-p1",
        plafond_aide_centimes=1_000_000_000,
        instance_decision=INSTANCE,
        emplois_prevus=12,
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


def test_no_envelope_dated_before_the_laureate_decision() -> None:
    early = AttribuerEnveloppe(
        territoire_id=T, montant_centimes=500_000_000, contributions=CONTRIBUTIONS, date_attribution=date(2023, 6, 30)
    )
    given(decider, LAUREAT).when(early).then_refused(errors.DateAnterieure, "date_anterieure")


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
    given(decider, LAUREAT, PROJET, INSTRUIT).when(accorder()).then_refused(
        errors.EnveloppeNonAttribuee, "enveloppe_non_attribuee"
    )


def test_no_aid_to_a_project_not_qualified_for_the_territory() -> None:
    given(decider, *READY).when(accorder(projet_id="p2")).then_refused(errors.ProjetNonQualifie, "projet_non_qualifie")


def test_no_aid_without_a_favourable_instruction_by_bpifrance() -> None:
    given(decider, LAUREAT, PROJET, ATTRIBUEE).when(accorder()).then_refused(
        errors.ProjetNonInstruit, "projet_non_instruit"
    )


def test_no_aid_decided_before_the_instruction() -> None:
    given(decider, *READY).when(accorder(date_decision=date(2023, 10, 19))).then_refused(
        errors.DecisionAvantInstruction, "decision_avant_instruction"
    )


def test_the_aid_cannot_exceed_the_instruction_s_ceiling() -> None:
    capped = (LAUREAT, PROJET, ATTRIBUEE, instruction(plafond=20_000_000))
    given(decider, *capped).when(accorder(montant=20_000_001)).then_refused(
        errors.CumulSuperieurPlafond, "cumul_superieur_plafond"
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
    [("montant_centimes", 0), ("montant_centimes", -5), ("instance_decision", ""), ("forme", "PRET")],
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


def test_the_aids_of_one_project_together_cannot_exceed_its_ceiling() -> None:
    """Two aids of 400 000 € on a base of 400 000 € were both granted (200 % of the base); now all aids of a project
    stay within its base × the regime's intensity, less other public aid (the instruction's ceiling)."""
    base = {"assiette_centimes": 40_000_000, "plafond_aide_centimes": 40_000_000}
    ready = (LAUREAT, PROJET, ATTRIBUEE, instruction(plafond=40_000_000, assiette_centimes=40_000_000))
    first = accordee("a1", 40_000_000, **base)
    given(decider, *ready).when(accorder("a1", 40_000_000)).then(first)
    given(decider, *ready, first).when(accorder("a2", 40_000_000)).then_refused(
        errors.CumulSuperieurPlafond, "cumul_superieur_plafond"
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


# --- adjustments, payments, repayments, cancellation (what each does to the envelope: financement.politique) ------


def ajuster(delta: int, motif: str = "Projets de qualité plus nombreux", **changes: object) -> c.AjusterEnveloppe:
    fields = dict(
        territoire_id=T,
        delta_centimes=delta,
        financeur="ETAT_FRANCE_2030",
        motif=motif,
        date_ajustement=date(2023, 12, 1),
    )
    return c.AjusterEnveloppe(**{**fields, **changes})


def test_an_envelope_is_adjusted_with_its_reason_never_below_what_is_committed() -> None:
    granted = accordee("a1", 300_000_000)
    [event] = decider.decide(ajuster(-200_000_000), decider.fold([*READY, granted]))
    assert isinstance(event, EnveloppeTerritorialeAjustee) and event.montant_centimes == 300_000_000
    given(decider, *READY, granted).when(ajuster(-200_000_001)).then_refused(
        errors.AjustementSousEngagement, "ajustement_sous_engagement"
    )
    given(decider, *READY, granted, event).when(ajuster(-200_000_000)).then()  # the same adjustment again


def suivi(aide: AideAccordee, *events: object) -> tuple[object, ...]:
    return (*READY, aide, *events)


AIDE = accordee("a1", 100_000_000)  # 1 M€ on a base of 10 M€
CONVENTION = ConventionAideSignee(aide_id="a1", territoire_id=T, date_signature=date(2023, 11, 20))


def verser(versement_id: str, montant: int, justifiees: int) -> c.VerserTranche:
    return c.VerserTranche(
        territoire_id=T,
        aide_id="a1",
        versement_id=versement_id,
        montant_centimes=montant,
        depenses_justifiees_centimes=justifiees,
        date_versement=date(2024, 2, 1),
    )


def test_no_payment_before_the_convention() -> None:
    given(decider, *suivi(AIDE)).when(verser("v1", 10_000_000, 500_000_000)).then_refused(
        errors.ConventionNonSignee, "convention_non_signee"
    )


def test_payments_follow_the_expenses_justified_pro_rata() -> None:
    # 5 M€ justified of a 10 M€ base: at most half of the 1 M€ aid may be paid
    ok = verser("v1", 50_000_000, 500_000_000)
    given(decider, *suivi(AIDE, CONVENTION)).when(ok).then(VersementEffectue(**ok.model_dump()))
    given(decider, *suivi(AIDE, CONVENTION)).when(verser("v1", 50_000_001, 500_000_000)).then_refused(
        errors.VersementSuperieurAuxDepenses, "versement_superieur_aux_depenses"
    )
    given(decider, *suivi(AIDE, CONVENTION, VersementEffectue(**ok.model_dump()))).when(ok).then()


def test_a_lower_spend_reduces_the_balance_and_gives_the_difference_back_to_the_envelope() -> None:
    paid = VersementEffectue(**verser("v1", 40_000_000, 400_000_000).model_dump())
    solder = c.SolderAide(
        territoire_id=T, aide_id="a1", depenses_realisees_centimes=800_000_000, date_solde=date(2025, 3, 1)
    )
    [solde] = decider.decide(solder, decider.fold(suivi(AIDE, CONVENTION, paid)))
    assert isinstance(solde, AideSoldee)
    assert (solde.montant_final_centimes, solde.reduction_centimes) == (80_000_000, 20_000_000)
    state = decider.fold(suivi(AIDE, CONVENTION, paid, solde))
    assert (state.engage_centimes, state.verse_centimes) == (80_000_000, 80_000_000)


AVANCE = accordee("a1", 100_000_000, forme=FormeAide.AVANCE_REMBOURSABLE)
SOLDEE = AideSoldee(
    aide_id="a1",
    territoire_id=T,
    depenses_realisees_centimes=1_000_000_000,
    montant_final_centimes=100_000_000,
    reduction_centimes=0,
    date_solde=date(2025, 3, 1),
)
ECHEANCES = (
    Echeance(date=date(2026, 3, 1), montant_centimes=50_000_000),
    Echeance(date=date(2027, 3, 1), montant_centimes=50_000_000),
)
ECHEANCIER = EcheancierFixe(aide_id="a1", territoire_id=T, echeances=list(ECHEANCES))


def test_an_avance_is_repaid_on_its_schedule_and_repayments_do_not_refill_the_envelope() -> None:
    fixer = c.FixerEcheancier(territoire_id=T, aide_id="a1", echeances=ECHEANCES)
    given(decider, *suivi(AVANCE, CONVENTION, SOLDEE)).when(fixer).then(ECHEANCIER)
    given(decider, *suivi(AIDE, CONVENTION, SOLDEE)).when(fixer).then_refused(errors.PasUneAvance, "pas_une_avance")
    wrong = c.FixerEcheancier(territoire_id=T, aide_id="a1", echeances=ECHEANCES[:1])
    given(decider, *suivi(AVANCE, CONVENTION, SOLDEE)).when(wrong).then_refused(
        errors.EcheancierIncoherent, "echeancier_incoherent"
    )
    rembourser = c.EnregistrerRemboursement(
        territoire_id=T,
        aide_id="a1",
        remboursement_id="r1",
        montant_centimes=50_000_000,
        date_remboursement=date(2026, 2, 27),
    )
    recu = RemboursementRecu(**rembourser.model_dump())
    given(decider, *suivi(AVANCE, CONVENTION, SOLDEE, ECHEANCIER)).when(rembourser).then(recu)
    state = decider.fold(suivi(AVANCE, CONVENTION, SOLDEE, ECHEANCIER, recu))
    assert (state.engage_centimes, state.rembourse_centimes) == (100_000_000, 50_000_000)
    trop = rembourser.model_copy(update={"remboursement_id": "r2", "montant_centimes": 50_000_001})
    given(decider, *suivi(AVANCE, CONVENTION, SOLDEE, ECHEANCIER, recu)).when(trop).then_refused(
        errors.RemboursementSuperieurAuDu, "remboursement_superieur_au_du"
    )


def test_a_missed_echeance_is_recorded_once_and_only_once_it_is_past() -> None:
    constat = c.ConstaterImpaye(territoire_id=T, aide_id="a1", echeance=date(2026, 3, 1), date_constat=date(2026, 3, 9))
    [impaye] = decider.decide(constat, decider.fold(suivi(AVANCE, CONVENTION, SOLDEE, ECHEANCIER)))
    assert isinstance(impaye, EcheanceImpayee) and (impaye.du_centimes, impaye.rembourse_centimes) == (50_000_000, 0)
    given(decider, *suivi(AVANCE, CONVENTION, SOLDEE, ECHEANCIER, impaye)).when(constat).then()
    early = constat.model_copy(update={"date_constat": date(2026, 3, 1)})
    given(decider, *suivi(AVANCE, CONVENTION, SOLDEE, ECHEANCIER)).when(early).then_refused(
        errors.EcheanceNonEchue, "echeance_non_echue"
    )


def test_an_abandoned_project_gives_back_what_was_not_paid_out() -> None:
    paid = VersementEffectue(**verser("v1", 30_000_000, 300_000_000).model_dump())
    annuler = c.AnnulerAidesDuProjet(
        territoire_id=T, projet_id="p1", motif="Projet abandonné", date_annulation=date(2024, 4, 1)
    )
    [annulee] = decider.decide(annuler, decider.fold(suivi(AIDE, CONVENTION, paid)))
    assert isinstance(annulee, AideAnnulee) and annulee.montant_libere_centimes == 70_000_000
    state = decider.fold(suivi(AIDE, CONVENTION, paid, annulee))
    assert (state.engage_centimes, state.disponible_centimes) == (30_000_000, 470_000_000)
    given(decider, *suivi(AIDE, CONVENTION, paid, annulee)).when(annuler).then()
    given(decider, *READY).when(annuler).then()  # no aid: nothing to cancel


def test_a_refusal_consumes_nothing() -> None:
    state = decider.fold([*READY, refusee("a9", 900_000_000)])
    assert state.engage_centimes == 0


# --- the programme's ledgers ------------------------------------------------------------------------------------


def reserver(territoire: str, montant: int, reference: str = "enveloppe-v2") -> programme.ReserverPartEtat:
    return programme.ReserverPartEtat(
        territoire_id=territoire, reference=reference, montant_centimes=montant, date_reservation=date(2023, 9, 1)
    )


def test_the_state_s_shares_of_all_envelopes_stay_within_the_90_meur_fund() -> None:
    state = programme.decider.fold(programme.decide(reserver("a", 5_000_000_000), programme.Programme()))
    second, *_alerts = programme.decide(reserver("b", 4_000_000_000), state)
    assert isinstance(second, PartEtatReservee) and second.total_reserve_centimes == 9_000_000_000
    with pytest.raises(errors.FondsInsuffisant):
        programme.decide(reserver("b", 4_000_000_001), state)
    assert programme.decide(reserver("a", 5_000_000_000), state) == []  # the same reservation: a retry


def test_the_reservation_that_reaches_90_then_100_percent_of_the_fund_records_each_alert_once() -> None:
    def alertes(events: list[programme.EvenementProgramme]) -> list[tuple[int, int]]:
        return [(e.seuil_pourcent, e.reserve_centimes) for e in events if isinstance(e, SeuilConsommationAtteint)]

    below = programme.decide(reserver("a", 8_099_999_999), programme.Programme())
    assert alertes(below) == []  # 89,99 %
    state = programme.decider.fold(below)
    at_90 = programme.decide(reserver("b", 1), state)
    assert alertes(at_90) == [(90, 8_100_000_000)]
    state = programme.decider.fold([*below, *at_90])
    assert alertes(programme.decide(reserver("c", 100_000_000), state)) == []  # 91,1 %: 90 % already signalled
    released = [*below, *at_90, *programme.decide(reserver("a", -1_000_000_000, "ajustement-1"), state)]
    back_over = programme.decide(reserver("d", 1_900_000_000), programme.decider.fold(released))
    assert alertes(back_over) == [(100, 9_000_000_000)]  # back over 90 %: no second alert; 100 % reached at once
    assert next(e for e in back_over if isinstance(e, SeuilConsommationAtteint)).date_atteinte == date(2023, 9, 1)


def test_engineering_orders_stay_within_the_10_meur() -> None:
    def bon(bon_id: str, montant: int) -> programme.CommanderIngenierie:
        return programme.CommanderIngenierie(
            bon_id=bon_id, territoire_id="a", jours_hommes=80, montant_centimes=montant, date_commande=date(2023, 4, 1)
        )

    state = programme.decider.fold(programme.decide(bon("b1", 999_000_000), programme.Programme()))
    with pytest.raises(errors.IngenierieEpuisee):
        programme.decide(bon("b2", 1_000_001), state)
    assert programme.decide(bon("b1", 999_000_000), state) == []
