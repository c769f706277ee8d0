"""The Mission decider (instruction): every transition, its idempotence and its refusals, given/when/then."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from contracts.instruction.mission import (
    AxeFeuilleDeRoute,
    ComitePilotageManquant,
    ComitePilotageTenu,
    ConventionEnRetard,
    ConventionSignee,
    FeuilleDeRouteRestituee,
    MissionCloturee,
    MissionIngenierieLancee,
    MissionOuverte,
    MissionRestituee,
    ParticipantCopil,
)
from instruction.mission.domain import commands as c
from instruction.mission.domain.decider import decider
from instruction.mission.domain.mission import EtatMission
from kernel.decider import DomainError
from kernel.testing import given
from tests.fixtures import COPIL_A_MINIMA

TID = "cambrai-v2"
NOTIFIE_LE, ECHEANCE = date(2023, 3, 20), date(2023, 9, 20)
SIGNATAIRES = ["Caisse des Dépôts (Banque des Territoires)", "CA de Cambrai", "CA du Caudrésis-Catésis"]
PARTICIPANTS = [ParticipantCopil(**p) for p in COPIL_A_MINIMA]
AXES = [
    AxeFeuilleDeRoute(intitule="L'emploi et le développement des compétences", description="Commun"),
    AxeFeuilleDeRoute(intitule="L'anticipation des évolutions de la filière agroalimentaire", description="Cambrésis"),
    AxeFeuilleDeRoute(
        intitule="L'accélération de la transition numérique et de l'innovation", description="Caudrésis-Catésis"
    ),
]

OUVRIR = c.OuvrirMission(
    territoire_id=TID, candidature_id=TID, nom_territoire="Cambrésis", region_code="32", date_notification=NOTIFIE_LE
)
OUVERTE = MissionOuverte(
    territoire_id=TID,
    candidature_id=TID,
    nom_territoire="Cambrésis",
    region_code="32",
    date_notification=NOTIFIE_LE,
    echeance_convention=ECHEANCE,
)
SIGNER = c.SignerConvention(territoire_id=TID, date_signature=date(2023, 4, 3), signataires=SIGNATAIRES)
SIGNEE = ConventionSignee(territoire_id=TID, date_signature=date(2023, 4, 3), signataires=SIGNATAIRES)
RETARD = ConventionEnRetard(territoire_id=TID, echeance=ECHEANCE)
LANCER = c.LancerIngenierie(
    territoire_id=TID,
    date_lancement=date(2023, 4, 11),
    prestataire="Cabinet Territoires",
    jours_hommes=60,
    fin_prevue=date(2023, 8, 11),
)
LANCEE = MissionIngenierieLancee(**LANCER.model_dump())
FEUILLE = c.RestituerFeuilleDeRoute(territoire_id=TID, axes=AXES)
FEUILLE_RESTITUEE = FeuilleDeRouteRestituee(territoire_id=TID, axes=AXES)
RESTITUER = c.RestituerMission(territoire_id=TID, date=date(2023, 8, 28))
RESTITUEE = MissionRestituee(territoire_id=TID, date=date(2023, 8, 28))
CLOTURER = c.CloturerMission(territoire_id=TID, date=date(2023, 12, 15), motif="Relais pris par le suivi")
CLOTUREE = MissionCloturee(**CLOTURER.model_dump())


def copil(copil_id: str = "copil-2023-05", jour: date = date(2023, 5, 2), **changes: Any) -> c.TenirComitePilotage:
    return c.TenirComitePilotage(
        **(
            {
                "territoire_id": TID,
                "copil_id": copil_id,
                "date": jour,
                "participants": PARTICIPANTS,
                "ordre_du_jour": "Recensement",
            }
            | changes
        )
    )


def tenu(command: c.TenirComitePilotage) -> ComitePilotageTenu:
    return ComitePilotageTenu(**command.model_dump())


COPIL_MAI = tenu(copil())
LANCEE_AVEC_COPIL = (OUVERTE, SIGNEE, LANCEE, COPIL_MAI)


# --- opening ------------------------------------------------------------------------------------------


def test_un_laureat_ouvre_sa_mission_avec_l_echeance_de_sa_convention() -> None:
    given(decider).when(OUVRIR).then(OUVERTE)


def test_notifie_un_31_aout_la_convention_est_due_le_dernier_jour_de_fevrier() -> None:
    [ouverte] = decider.decide(OUVRIR.model_copy(update={"date_notification": date(2023, 8, 31)}), decider.fold([]))
    assert ouverte.echeance_convention == date(2024, 2, 29)


def test_la_meme_decision_redelivree_n_ouvre_rien_de_plus() -> None:
    given(decider, OUVERTE).when(OUVRIR).then()


def test_une_autre_notification_ne_rouvre_pas_la_mission() -> None:
    given(decider, OUVERTE).when(OUVRIR.model_copy(update={"date_notification": date(2023, 3, 21)})).then_refused(
        DomainError, "mission_deja_ouverte"
    )


# --- convention -----------------------------------------------------------------------------------------


def test_la_cdc_signe_la_convention_a_temps() -> None:
    given(decider, OUVERTE).when(SIGNER).then(SIGNEE)


def test_signee_le_jour_de_l_echeance_elle_est_a_temps() -> None:
    given(decider, OUVERTE).when(SIGNER.model_copy(update={"date_signature": ECHEANCE})).then(
        SIGNEE.model_copy(update={"date_signature": ECHEANCE})
    )


def test_signee_en_retard_elle_est_enregistree_et_le_retard_signale_s_il_ne_l_etait_pas() -> None:
    tard = SIGNER.model_copy(update={"date_signature": date(2023, 9, 21)})
    signee_tard = SIGNEE.model_copy(update={"date_signature": date(2023, 9, 21), "en_retard": True})
    given(decider, OUVERTE).when(tard).then(RETARD, signee_tard)
    given(decider, OUVERTE, RETARD).when(tard).then(signee_tard)


def test_pas_de_signature_avant_la_notification() -> None:
    given(decider, OUVERTE).when(SIGNER.model_copy(update={"date_signature": date(2023, 3, 19)})).then_refused(
        DomainError, "signature_avant_notification"
    )


def test_pas_de_convention_sans_mission() -> None:
    given(decider).when(SIGNER).then_refused(DomainError, "mission_inconnue")


def test_la_meme_convention_deux_fois_est_idempotente_une_autre_refusee() -> None:
    given(decider, OUVERTE, SIGNEE).when(SIGNER).then()
    given(decider, OUVERTE, SIGNEE, LANCEE).when(SIGNER).then()
    given(decider, OUVERTE, SIGNEE).when(SIGNER.model_copy(update={"date_signature": date(2023, 4, 4)})).then_refused(
        DomainError, "convention_deja_signee"
    )


def test_une_convention_a_au_moins_deux_signataires() -> None:
    with pytest.raises(ValidationError, match="signataires"):
        c.SignerConvention(territoire_id=TID, date_signature=date(2023, 4, 3), signataires=["CDC"])


# --- launch of the engineering mission ------------------------------------------------------------------


def test_la_cdc_lance_l_ingenierie_sous_convention() -> None:
    given(decider, OUVERTE, SIGNEE).when(LANCER).then(LANCEE)


@pytest.mark.parametrize("fin", [date(2023, 7, 11), date(2023, 8, 11)])
def test_la_mission_dure_de_3_a_4_mois_bornes_comprises(fin: date) -> None:
    command = LANCER.model_copy(update={"fin_prevue": fin})
    given(decider, OUVERTE, SIGNEE).when(command).then(MissionIngenierieLancee(**command.model_dump()))


@pytest.mark.parametrize("fin", [date(2023, 7, 10), date(2023, 8, 12), date(2023, 4, 11)])
def test_une_fin_prevue_hors_de_3_a_4_mois_est_refusee(fin: date) -> None:
    refused = (
        given(decider, OUVERTE, SIGNEE)
        .when(LANCER.model_copy(update={"fin_prevue": fin}))
        .then_refused(DomainError, "duree_mission_hors_bornes")
    )
    assert "2023-07-11" in str(refused) and "2023-08-11" in str(refused)


def test_pas_d_ingenierie_avant_la_convention() -> None:
    given(decider, OUVERTE).when(LANCER).then_refused(DomainError, "convention_non_signee")
    given(decider, OUVERTE, RETARD).when(LANCER).then_refused(DomainError, "convention_non_signee")
    given(decider, OUVERTE, SIGNEE).when(LANCER.model_copy(update={"date_lancement": date(2023, 4, 2)})).then_refused(
        DomainError, "lancement_avant_convention"
    )


def test_le_meme_lancement_est_idempotent_un_autre_refuse() -> None:
    given(decider, OUVERTE, SIGNEE, LANCEE).when(LANCER).then()
    given(decider, OUVERTE, SIGNEE, LANCEE).when(LANCER.model_copy(update={"jours_hommes": 80})).then_refused(
        DomainError, "mission_deja_lancee"
    )


# --- COPIL local --------------------------------------------------------------------------------------------


def test_un_copil_se_tient_une_fois_la_mission_lancee() -> None:
    given(decider, OUVERTE, SIGNEE, LANCEE).when(copil()).then(COPIL_MAI)


def test_pas_de_copil_avant_le_lancement() -> None:
    given(decider, OUVERTE, SIGNEE).when(copil()).then_refused(DomainError, "mission_non_lancee")
    given(decider, OUVERTE, SIGNEE, LANCEE).when(copil(jour=date(2023, 4, 10))).then_refused(
        DomainError, "copil_avant_lancement"
    )
    given(decider).when(copil()).then_refused(DomainError, "mission_inconnue")


def test_le_meme_copil_est_idempotent_un_autre_sous_le_meme_id_refuse() -> None:
    given(decider, *LANCEE_AVEC_COPIL).when(copil()).then()
    given(decider, *LANCEE_AVEC_COPIL).when(copil(ordre_du_jour="Autre chose")).then_refused(
        DomainError, "copil_deja_tenu"
    )


def test_le_copil_continue_apres_la_restitution_mais_pas_apres_la_cloture() -> None:
    restituee = (*LANCEE_AVEC_COPIL, FEUILLE_RESTITUEE, RESTITUEE)
    septembre = copil("copil-2023-09", date(2023, 9, 5))
    given(decider, *restituee).when(septembre).then(tenu(septembre))
    given(decider, *restituee, CLOTUREE).when(septembre).then_refused(DomainError, "mission_cloturee")


# --- feuille de route, restitution, close -------------------------------------------------------------------


def test_le_prestataire_restitue_la_feuille_de_route_de_la_mission_en_cours() -> None:
    given(decider, OUVERTE, SIGNEE, LANCEE).when(FEUILLE).then(FEUILLE_RESTITUEE)
    given(decider, OUVERTE, SIGNEE).when(FEUILLE).then_refused(DomainError, "mission_non_lancee")
    given(decider, OUVERTE, SIGNEE, LANCEE, FEUILLE_RESTITUEE).when(FEUILLE).then()
    given(decider, OUVERTE, SIGNEE, LANCEE, FEUILLE_RESTITUEE).when(
        c.RestituerFeuilleDeRoute(territoire_id=TID, axes=AXES[:1])
    ).then_refused(DomainError, "feuille_de_route_deja_restituee")


def test_une_feuille_de_route_a_au_moins_un_axe() -> None:
    with pytest.raises(ValidationError, match="axes"):
        c.RestituerFeuilleDeRoute(territoire_id=TID, axes=[])


def test_la_restitution_presente_la_feuille_de_route() -> None:
    given(decider, OUVERTE, SIGNEE, LANCEE, FEUILLE_RESTITUEE).when(RESTITUER).then(RESTITUEE)
    given(decider, OUVERTE, SIGNEE, LANCEE).when(RESTITUER).then_refused(DomainError, "feuille_de_route_manquante")
    given(decider, OUVERTE, SIGNEE).when(RESTITUER).then_refused(DomainError, "mission_non_lancee")
    given(decider, OUVERTE, SIGNEE, LANCEE, FEUILLE_RESTITUEE).when(
        RESTITUER.model_copy(update={"date": date(2023, 4, 10)})
    ).then_refused(DomainError, "restitution_avant_lancement")


def test_la_meme_restitution_est_idempotente_une_autre_refusee() -> None:
    restituee = (OUVERTE, SIGNEE, LANCEE, FEUILLE_RESTITUEE, RESTITUEE)
    given(decider, *restituee).when(RESTITUER).then()
    given(decider, *restituee).when(RESTITUER.model_copy(update={"date": date(2023, 8, 29)})).then_refused(
        DomainError, "mission_deja_restituee"
    )


def test_la_cloture_suit_la_restitution() -> None:
    restituee = (OUVERTE, SIGNEE, LANCEE, FEUILLE_RESTITUEE, RESTITUEE)
    given(decider, *restituee).when(CLOTURER).then(CLOTUREE)
    given(decider, OUVERTE, SIGNEE, LANCEE, FEUILLE_RESTITUEE).when(CLOTURER).then_refused(
        DomainError, "mission_non_restituee"
    )
    given(decider, *restituee).when(CLOTURER.model_copy(update={"date": date(2023, 8, 27)})).then_refused(
        DomainError, "cloture_avant_restitution"
    )
    given(decider, *restituee, CLOTUREE).when(CLOTURER).then()
    given(decider, *restituee, CLOTUREE).when(CLOTURER.model_copy(update={"motif": "Autre"})).then_refused(
        DomainError, "mission_deja_cloturee"
    )
    given(decider).when(CLOTURER).then_refused(DomainError, "mission_inconnue")


# --- the folded state ---------------------------------------------------------------------------------------


def test_l_etat_suit_les_etapes_et_garde_les_faits() -> None:
    manquant = ComitePilotageManquant(territoire_id=TID, mois="2023-06")
    history = [
        OUVERTE,
        SIGNEE,
        LANCEE,
        COPIL_MAI,
        manquant,
        FEUILLE_RESTITUEE,
        RESTITUEE,
        CLOTUREE,
    ]
    states = [decider.fold(history[:n]).etat for n in range(len(history) + 1)]
    assert states == [
        EtatMission.AUCUNE,
        EtatMission.OUVERTE,
        EtatMission.CONVENTIONNEE,
        *[EtatMission.INGENIERIE_EN_COURS] * 4,
        EtatMission.RESTITUEE,
        EtatMission.CLOTUREE,
    ]
    final = decider.fold(history)
    assert (final.mois_sans_copil, list(final.copils)) == (["2023-06"], ["copil-2023-05"])


def test_evolve_ignore_un_evenement_qu_il_ne_connait_pas() -> None:
    from contracts.instruction.v1 import CandidatureNonRetenue

    other = CandidatureNonRetenue(
        candidature_id=TID, vague=3, date_decision=NOTIFIE_LE, date_notification=NOTIFIE_LE, motif="x"
    )
    assert decider.fold([OUVERTE, other]) == decider.fold([OUVERTE])


def test_une_commande_inconnue_est_une_erreur_de_programmation() -> None:
    with pytest.raises(TypeError, match="commande inconnue"):
        decider.decide(object(), decider.fold([]))  # type: ignore[arg-type]
