"""The Dossier decider (instruction): reception, withdrawal, relève, reads, the Prime Minister's decision
and the fold; given/when/then, no infrastructure. The instruction steps are in test_instruction_etapes.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from contracts.base import Role
from contracts.financement.v1 import LaureatEnregistre
from contracts.instruction.v1 import CauseCloture, DossierClos, DossierConsulte, VueDossier
from instruction.selection.domain.commands import CloreDossier, ConsignerConsultation, DeciderSelection, ReleverDossier
from instruction.selection.domain.decider import decider
from instruction.selection.domain.dossier import Dossier, Phase
from kernel.decider import DomainError
from kernel.testing import given
from tests.unit.instruction_histoires import (
    A_AVIS_COMITE,
    A_AVIS_SGPI,
    A_RECEVABLE,
    A_RELEVEE,
    AVIS_SGPI,
    CID,
    DECIDE_LE,
    EN_INSTRUCTION,
    LAUREAT,
    NON_RETENUE,
    PARIS,
    PROPOSEE,
    RECUE,
    RELEVE,
    RELEVE_LE,
    decision,
    enregistrer,
)

CLOS_LE = datetime(2023, 5, 20, 10, tzinfo=PARIS)
CLOS = DossierClos(
    candidature_id=CID, vague=3, cause=CauseCloture.CANDIDATURE_RETIREE, motif="retrait", clos_le=CLOS_LE
)


def relever() -> ReleverDossier:
    return ReleverDossier(candidature_id=CID, vague=3, releve_le=RELEVE_LE)


def clore() -> CloreDossier:
    return CloreDossier(candidature_id=CID, vague=3, motif="retrait", clos_le=CLOS_LE)


# --- what the candidature service tells: deposit, withdrawal, relève --------------------------------------


def test_une_candidature_deposee_est_recue() -> None:
    given(decider).when(enregistrer()).then(RECUE)


@pytest.mark.parametrize("history", [(RECUE,), A_RELEVEE, (*A_AVIS_SGPI, LAUREAT)], ids=["recue", "relevee", "decidee"])
def test_un_depot_rejoue_n_ajoute_rien(history: tuple[Any, ...]) -> None:
    given(decider, *history).when(enregistrer()).then()


def test_la_releve_fige_un_dossier_recu() -> None:
    given(decider, RECUE).when(relever()).then(RELEVE)
    assert decider.fold(A_RELEVEE).phase is Phase.RELEVEE


def test_une_releve_arrivee_avant_le_depot_est_enregistree_et_le_depot_la_complete() -> None:
    """Deposit and relève travel on different streams: the relève may come first."""
    given(decider).when(relever()).then(RELEVE)
    assert decider.fold([RELEVE]).phase is Phase.RELEVEE_SANS_DEPOT
    given(decider, RELEVE).when(enregistrer()).then(RECUE)
    assert decider.fold([RELEVE, RECUE]).phase is Phase.RELEVEE


@pytest.mark.parametrize("history", [A_RELEVEE, (RECUE, CLOS), (RELEVE,)], ids=["deja-relevee", "close", "sans-depot"])
def test_une_releve_redelivree_ou_sur_un_dossier_clos_n_ajoute_rien(history: tuple[Any, ...]) -> None:
    given(decider, *history).when(relever()).then()


def test_un_retrait_clot_le_dossier_sans_instruction() -> None:
    given(decider, RECUE).when(clore()).then(CLOS)
    assert decider.fold([RECUE, CLOS]).phase is Phase.CLOS


def test_un_retrait_clot_aussi_un_dossier_en_cours_de_selection() -> None:
    """The candidature service refuses a withdrawal after the relève; should one come, it is honoured."""
    given(decider, *A_RECEVABLE).when(clore()).then(CLOS)


@pytest.mark.parametrize(
    "history",
    [(), (RECUE, CLOS), (*A_AVIS_SGPI, LAUREAT), (*A_AVIS_SGPI, NON_RETENUE)],
    ids=["inconnue", "deja-close", "laureat", "non-retenue"],
)
def test_un_retrait_ne_touche_ni_un_dossier_inconnu_ni_un_dossier_tranche(history: tuple[Any, ...]) -> None:
    given(decider, *history).when(clore()).then()


def test_un_dossier_clos_n_est_pas_instruit() -> None:
    error = given(decider, RECUE, CLOS).when(decision()).then_refused(DomainError, "etat_incompatible")
    assert "CLOS" in str(error)


# --- every read is recorded ----------------------------------------------------------------------------------


def lecture(role: Role = Role.SGPI) -> ConsignerConsultation:
    return ConsignerConsultation(
        candidature_id=CID,
        consulte_par="agent-1",
        role=role,
        vue=VueDossier.COMPLETE,
        consulte_le=datetime(2023, 6, 2, 9, tzinfo=PARIS),
    )


def test_chaque_lecture_est_un_fait_meme_repetee() -> None:
    read = DossierConsulte(
        candidature_id=CID,
        consulte_par="agent-1",
        role=Role.SGPI,
        vue=VueDossier.COMPLETE,
        consulte_le=datetime(2023, 6, 2, 9, tzinfo=PARIS),
    )
    given(decider, *A_RELEVEE, read).when(lecture()).then(read)
    assert decider.fold([*A_RELEVEE, read, read]).consultations == 2


def test_on_ne_consigne_pas_la_lecture_d_un_dossier_inexistant() -> None:
    given(decider).when(lecture()).then_refused(DomainError, "candidature_inconnue")


# --- the Prime Minister's decision, after the SGPI's opinion -------------------------------------------------


def test_la_decision_positive_rend_le_territoire_laureat() -> None:
    given(decider, *A_AVIS_SGPI).when(decision()).then(LAUREAT)


def test_l_enveloppe_cible_est_facultative() -> None:
    expected = LAUREAT.model_copy(update={"enveloppe_cible_centimes": None})
    given(decider, *A_AVIS_SGPI).when(decision(enveloppe_cible_centimes=None)).then(expected)


def test_la_decision_negative_est_un_evenement_avec_son_motif() -> None:
    given(decider, *A_AVIS_SGPI).when(decision(laureat=False)).then(NON_RETENUE)


def test_une_decision_negative_sans_motif_est_refusee() -> None:
    given(decider, *A_AVIS_SGPI).when(decision(laureat=False, motif=None)).then_refused(DomainError, "motif_requis")


def test_une_notification_anterieure_a_la_decision_est_refusee() -> None:
    command = decision(date_notification=date(2023, 7, 9))
    given(decider, *A_AVIS_SGPI).when(command).then_refused(DomainError, "notification_avant_decision")


def test_notification_le_jour_de_la_decision_acceptee() -> None:
    expected = LAUREAT.model_copy(update={"date_notification": DECIDE_LE})
    given(decider, *A_AVIS_SGPI).when(decision(date_notification=DECIDE_LE)).then(expected)


def test_une_decision_anterieure_a_l_avis_du_sgpi_est_refusee() -> None:
    before = decision(date_decision=date(2023, 7, 5), date_notification=date(2023, 7, 5))
    given(decider, *A_AVIS_SGPI).when(before).then_refused(DomainError, "decision_avant_avis_sgpi")
    same_day = decision(date_decision=AVIS_SGPI.rendu_le)
    given(decider, *A_AVIS_SGPI).when(same_day).then(LAUREAT.model_copy(update={"date_decision": AVIS_SGPI.rendu_le}))


@pytest.mark.parametrize(
    "history",
    [A_RELEVEE, EN_INSTRUCTION, PROPOSEE, A_AVIS_COMITE],
    ids=["relevee", "en-instruction", "proposee", "avis-comite"],
)
def test_le_premier_ministre_decide_apres_l_avis_du_sgpi(history: tuple[Any, ...]) -> None:
    given(decider, *history).when(decision()).then_refused(DomainError, "avis_sgpi_requis")


def test_on_ne_decide_pas_d_une_candidature_jamais_recue() -> None:
    given(decider).when(decision()).then_refused(DomainError, "candidature_inconnue")
    given(decider, RELEVE).when(decision()).then_refused(DomainError, "candidature_inconnue")


@pytest.mark.parametrize("recorded, repeated", [(LAUREAT, decision()), (NON_RETENUE, decision(laureat=False))])
def test_la_meme_decision_repetee_n_ajoute_rien(recorded: Any, repeated: DeciderSelection) -> None:
    given(decider, *A_AVIS_SGPI, recorded).when(repeated).then()


@pytest.mark.parametrize(
    "recorded, other",
    [
        (LAUREAT, decision(laureat=False)),
        (LAUREAT, decision(enveloppe_cible_centimes=600_000_000)),
        (LAUREAT, decision(date_notification=date(2023, 7, 21))),
        (NON_RETENUE, decision()),
        (NON_RETENUE, decision(laureat=False, motif="autre motif")),
    ],
)
def test_une_autre_decision_apres_la_decision_est_refusee(recorded: Any, other: DeciderSelection) -> None:
    given(decider, *A_AVIS_SGPI, recorded).when(other).then_refused(DomainError, "deja_decidee")


# --- the fold ---------------------------------------------------------------------------------------------------


def test_le_pli_suit_les_phases() -> None:
    phases = [decider.fold(A_AVIS_SGPI[:n]).phase for n in (1, 2, 3, 4)]
    assert phases == [Phase.RECUE, Phase.RELEVEE, Phase.RECEVABLE, Phase.EN_INSTRUCTION]
    assert [decider.fold(h).phase for h in (PROPOSEE, A_AVIS_COMITE, A_AVIS_SGPI)] == [
        Phase.PROPOSEE,
        Phase.AVIS_COMITE,
        Phase.AVIS_SGPI,
    ]
    state = decider.fold([*A_AVIS_SGPI, LAUREAT])
    assert (state.phase, state.laureat, len(state.criteres)) == (Phase.LAUREAT, LAUREAT, 7)
    assert decider.fold([*A_AVIS_SGPI, NON_RETENUE]).phase is Phase.NON_RETENUE
    assert decider.fold([]) == Dossier()


def test_un_evenement_que_le_dossier_ne_connait_pas_laisse_l_etat_intact() -> None:
    other = LaureatEnregistre(territoire_id=CID, nom_territoire="Cambrésis", region_code="32", date_decision=DECIDE_LE)
    assert decider.fold([RECUE, other]) == decider.fold([RECUE])
