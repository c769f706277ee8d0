"""The Dossier decider (instruction): every branch of decide, given/when/then, no infrastructure."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from contracts.base import FormeAide
from contracts.financement.v1 import LaureatEnregistre
from contracts.instruction.v1 import CandidatureNonRetenue, CandidatureRecue, ProjetQualifie, TerritoireLaureat
from contracts.registry import decode
from instruction.domain.commands import DeciderSelection, EnregistrerCandidature, QualifierProjet
from instruction.domain.decider import decider
from instruction.domain.dossier import Dossier, Phase
from kernel.decider import DomainError
from kernel.testing import given

CID = "cand-cambresis-v3"
SIRENS = ["200000016", "200000024"]
DECIDE_LE, NOTIFIE_LE = date(2023, 7, 10), date(2023, 7, 20)

RECUE = CandidatureRecue(candidature_id=CID, vague=3, nom_territoire="Cambrésis", region_code="32",
                         epci_sirens=SIRENS)
LAUREAT = TerritoireLaureat(territoire_id=CID, candidature_id=CID, vague=3, nom_territoire="Cambrésis",
                            region_code="32", epci_sirens=SIRENS, date_decision=DECIDE_LE,
                            date_notification=NOTIFIE_LE, enveloppe_cible_centimes=500_000_000)
NON_RETENUE = CandidatureNonRetenue(candidature_id=CID, vague=3, date_decision=DECIDE_LE,
                                    date_notification=NOTIFIE_LE, motif="exposition aux mutations insuffisante")


def enregistrer() -> EnregistrerCandidature:
    return EnregistrerCandidature(candidature_id=CID, vague=3, nom_territoire="Cambrésis", region_code="32",
                                  epci_sirens=SIRENS)


def decision(laureat: bool = True, **changes: Any) -> DeciderSelection:
    fields: dict[str, Any] = {"candidature_id": CID, "laureat": laureat, "date_decision": DECIDE_LE,
                              "date_notification": NOTIFIE_LE}
    fields |= {"enveloppe_cible_centimes": 500_000_000} if laureat else {"motif": NON_RETENUE.motif}
    return DeciderSelection(**(fields | changes))


def qualification(**changes: Any) -> QualifierProjet:
    fields: dict[str, Any] = {
        "territoire_id": CID, "projet_id": "projet-metalball", "siret": "73282932000017",
        "raison_sociale": "MetalBall", "intitule": "Ligne de billes céramiques", "date_copil": date(2023, 9, 5),
        "assiette_estimee_centimes": 120_000_000, "forme_envisagee": FormeAide.SUBVENTION, "emplois_prevus": 6}
    return QualifierProjet(**(fields | changes))


def qualifie(command: QualifierProjet) -> ProjetQualifie:
    return ProjetQualifie(**command.model_dump())


# --- reception of a deposited candidature -------------------------------------------------------------

def test_une_candidature_deposee_est_recue() -> None:
    given(decider).when(enregistrer()).then(RECUE)


def test_une_candidature_deja_recue_n_est_pas_recue_deux_fois() -> None:
    given(decider, RECUE).when(enregistrer()).then()


def test_un_depot_rejoue_apres_la_decision_ne_change_rien() -> None:
    given(decider, RECUE, LAUREAT).when(enregistrer()).then()


# --- the Prime Minister's decision ----------------------------------------------------------------------

def test_la_decision_positive_rend_le_territoire_laureat() -> None:
    given(decider, RECUE).when(decision()).then(LAUREAT)


def test_l_enveloppe_cible_est_facultative() -> None:
    expected = LAUREAT.model_copy(update={"enveloppe_cible_centimes": None})
    given(decider, RECUE).when(decision(enveloppe_cible_centimes=None)).then(expected)


def test_la_decision_negative_est_un_evenement_avec_son_motif() -> None:
    given(decider, RECUE).when(decision(laureat=False)).then(NON_RETENUE)


def test_une_decision_negative_sans_motif_est_refusee() -> None:
    given(decider, RECUE).when(decision(laureat=False, motif=None)).then_refused(DomainError, "motif_requis")


def test_une_notification_anterieure_a_la_decision_est_refusee() -> None:
    command = decision(date_notification=date(2023, 7, 9))
    given(decider, RECUE).when(command).then_refused(DomainError, "notification_avant_decision")


def test_notification_le_jour_de_la_decision_acceptee() -> None:
    expected = LAUREAT.model_copy(update={"date_notification": DECIDE_LE})
    given(decider, RECUE).when(decision(date_notification=DECIDE_LE)).then(expected)


def test_on_ne_decide_pas_d_une_candidature_jamais_recue() -> None:
    given(decider).when(decision()).then_refused(DomainError, "candidature_inconnue")


@pytest.mark.parametrize("recorded, repeated", [(LAUREAT, decision()), (NON_RETENUE, decision(laureat=False))])
def test_la_meme_decision_repetee_n_ajoute_rien(recorded: Any, repeated: DeciderSelection) -> None:
    given(decider, RECUE, recorded).when(repeated).then()


@pytest.mark.parametrize("recorded, other", [
    (LAUREAT, decision(laureat=False)),
    (LAUREAT, decision(enveloppe_cible_centimes=600_000_000)),
    (LAUREAT, decision(date_notification=date(2023, 7, 21))),
    (NON_RETENUE, decision()),
    (NON_RETENUE, decision(laureat=False, motif="autre motif")),
])
def test_une_autre_decision_apres_la_decision_est_refusee(recorded: Any, other: DeciderSelection) -> None:
    given(decider, RECUE, recorded).when(other).then_refused(DomainError, "deja_decidee")


# --- qualification of projects by the laureate's COPIL -----------------------------------------------------

def test_le_copil_d_un_laureat_qualifie_un_projet() -> None:
    given(decider, RECUE, LAUREAT).when(qualification()).then(qualifie(qualification()))


@pytest.mark.parametrize("history", [(), (RECUE,), (RECUE, NON_RETENUE)], ids=["inconnu", "recue", "non-retenue"])
def test_seul_un_territoire_laureat_qualifie_des_projets(history: tuple[Any, ...]) -> None:
    given(decider, *history).when(qualification()).then_refused(DomainError, "territoire_non_laureat")


def test_un_copil_anterieur_a_la_decision_est_refuse() -> None:
    command = qualification(date_copil=date(2023, 7, 9))
    given(decider, RECUE, LAUREAT).when(command).then_refused(DomainError, "copil_avant_decision")


def test_un_copil_le_jour_de_la_decision_est_accepte() -> None:
    command = qualification(date_copil=DECIDE_LE)
    given(decider, RECUE, LAUREAT).when(command).then(qualifie(command))


def test_la_meme_qualification_repetee_n_ajoute_rien() -> None:
    given(decider, RECUE, LAUREAT, qualifie(qualification())).when(qualification()).then()


def test_requalifier_un_projet_en_d_autres_termes_est_refuse() -> None:
    command = qualification(assiette_estimee_centimes=90_000_000)
    given(decider, RECUE, LAUREAT, qualifie(qualification())).when(command).then_refused(
        DomainError, "projet_deja_qualifie")


def test_un_second_projet_est_qualifie_a_cote_du_premier() -> None:
    second = qualification(projet_id="projet-2", forme_envisagee=FormeAide.AVANCE_REMBOURSABLE)
    given(decider, RECUE, LAUREAT, qualifie(qualification())).when(second).then(qualifie(second))


# --- bad input never reaches decide; the state machine's fold ----------------------------------------------

@pytest.mark.parametrize("field, value", [
    ("assiette_estimee_centimes", 39_999_999), ("siret", "73282932000018"), ("projet_id", "a b"),
    ("emplois_prevus", -1)])
def test_une_qualification_invalide_ne_devient_pas_une_commande(field: str, value: Any) -> None:
    with pytest.raises(ValidationError) as error:
        qualification(**{field: value})
    assert error.value.errors()[0]["loc"] == (field,)


def test_le_contrat_refuse_lui_aussi_une_assiette_sous_400_000_euros() -> None:
    payload = qualifie(qualification()).model_dump(mode="json") | {"assiette_estimee_centimes": 39_999_999}
    with pytest.raises(ValidationError):
        decode("ProjetQualifie", 1, payload)


def test_le_pli_suit_les_phases_et_garde_les_projets() -> None:
    state = decider.fold([RECUE, LAUREAT, qualifie(qualification())])
    assert (state.phase, state.laureat, list(state.projets)) == (Phase.LAUREAT, LAUREAT, ["projet-metalball"])
    assert decider.fold([RECUE, NON_RETENUE]).phase is Phase.NON_RETENUE
    assert decider.fold([]) == Dossier()


def test_un_evenement_que_le_dossier_ne_connait_pas_laisse_l_etat_intact() -> None:
    other = LaureatEnregistre(territoire_id=CID, nom_territoire="Cambrésis", region_code="32", date_decision=DECIDE_LE)
    assert decider.fold([RECUE, other]) == decider.fold([RECUE])
