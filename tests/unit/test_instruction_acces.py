"""Who reads what of a dossier (§7), and the input rules checked before any command reaches decide."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from contracts.base import Role
from contracts.envelope import Actor
from contracts.instruction.v1 import AppreciationRegle, RegleEligibilite, VueDossier
from instruction.selection.domain.acces import vue_autorisee
from instruction.selection.domain.commands import AvisComite, EvaluationCritere, Recevabilite
from instruction.selection.domain.decider import decider
from instruction.selection.domain.errors import NonHabilite
from instruction.selection.entrypoints.views import rendre
from tests.unit.instruction_histoires import (
    A_AVIS_SGPI,
    AUTRE_SIREN,
    AVIS_EXPERT,
    CID,
    DEMANDE,
    EN_INSTRUCTION,
    EXPERT,
    LAUREAT,
    SIRENS,
    appreciations,
)

JOUR = date(2023, 6, 20)
AUTRE_EXPERT = EXPERT.model_copy(update={"expert_id": "prefecture-1"})
AVIS_AUTRE = AVIS_EXPERT.model_copy(update={"expert_id": "prefecture-1", "avis": "avis confidentiel de la préfecture"})
DOSSIER = decider.fold([*EN_INSTRUCTION, EXPERT, AVIS_EXPERT, AUTRE_EXPERT, AVIS_AUTRE, DEMANDE])


def actor(role: Role, actor_id: str = "agent-1", scope: str | None = None) -> Actor:
    return Actor(id=actor_id, role=role, scope=scope)


@pytest.mark.parametrize(
    "role", [Role.INSTRUCTEUR_CDC, Role.DTI_ANCT, Role.COMITE_MINISTERIEL, Role.SGPI, Role.PM_CABINET]
)
def test_les_roles_nationaux_voient_le_dossier_complet(role: Role) -> None:
    assert vue_autorisee(DOSSIER, actor(role), JOUR) is VueDossier.COMPLETE
    view = rendre(CID, DOSSIER, 12, VueDossier.COMPLETE, actor(role))
    assert set(view["experts"]) == {"dire-1", "prefecture-1"} and view["complements_en_attente"] == ["c-1"]


@pytest.mark.parametrize(
    "role", [Role.COPIL_MEMBRE, Role.PRESTATAIRE, Role.BPIFRANCE_CHARGE, Role.PORTEUR_PROJET, Role.SYSTEME]
)
def test_les_autres_roles_ne_lisent_pas_les_dossiers(role: Role) -> None:
    with pytest.raises(NonHabilite):
        vue_autorisee(DOSSIER, actor(role, scope=CID), JOUR)


def test_l_expert_designe_ne_voit_que_sa_designation_et_son_avis() -> None:
    expert = actor(Role.EXPERT_EXTERNE, "dire-1")
    assert vue_autorisee(DOSSIER, expert, JOUR) is VueDossier.EXPERT
    view = rendre(CID, DOSSIER, 12, VueDossier.EXPERT, expert)
    assert view["designation"]["expert_id"] == "dire-1" and view["avis"]["avis"] == AVIS_EXPERT.avis
    text = json.dumps(view, ensure_ascii=False)
    assert "prefecture-1" not in text and "avis confidentiel" not in text and "criteres" not in view


@pytest.mark.parametrize(
    "expert_id, jour, reason", [("inconnu", JOUR, "expert_non_designe"), ("dire-1", date(2023, 7, 1), "acces_expire")]
)
def test_un_expert_non_designe_ou_dont_l_acces_a_pris_fin_ne_lit_rien(expert_id: str, jour: date, reason: str) -> None:
    with pytest.raises(NonHabilite) as refused:
        vue_autorisee(DOSSIER, actor(Role.EXPERT_EXTERNE, expert_id), jour)
    assert refused.value.reason == reason


def test_le_territoire_voit_son_statut_ses_demandes_ouvertes_et_pas_les_avis() -> None:
    epci = actor(Role.EPCI_CANDIDAT, "epci-1", scope=SIRENS[1])
    assert vue_autorisee(DOSSIER, epci, JOUR) is VueDossier.TERRITOIRE
    view = rendre(CID, DOSSIER, 12, VueDossier.TERRITOIRE, epci)
    assert (view["statut"], [d["demande_id"] for d in view["complements_en_attente"]]) == ("EN_INSTRUCTION", ["c-1"])
    assert "experts" not in view and "avis" not in json.dumps(view)


def test_le_territoire_ne_voit_pas_la_proposition_mais_voit_la_decision() -> None:
    epci = actor(Role.EPCI_CANDIDAT, "epci-1", scope=SIRENS[0])
    before = rendre(CID, decider.fold(A_AVIS_SGPI), 20, VueDossier.TERRITOIRE, epci)
    assert before["statut"] == "EN_SELECTION" and "PROPOSEE" not in json.dumps(before)
    after = rendre(CID, decider.fold([*A_AVIS_SGPI, LAUREAT]), 21, VueDossier.TERRITOIRE, epci)
    assert (after["statut"], after["decision"]["date_notification"]) == ("LAUREAT", "2023-07-20")


def test_un_autre_epci_ne_lit_pas_le_dossier() -> None:
    with pytest.raises(NonHabilite) as refused:
        vue_autorisee(DOSSIER, actor(Role.EPCI_CANDIDAT, "epci-2", scope=AUTRE_SIREN), JOUR)
    assert refused.value.reason == "hors_perimetre"


# --- input rules (HTTP 422, nothing reaches decide) ------------------------------------------------------------


def test_la_recevabilite_apprecie_chacune_des_trois_regles_une_fois() -> None:
    ok = Recevabilite(appreciations=list(reversed(appreciations())))
    assert [a.regle for a in ok.appreciations] == list(RegleEligibilite)  # normalised order
    two = appreciations()[:2]
    twice = [*two, AppreciationRegle(regle=RegleEligibilite.DOSSIER_COMPLET, satisfaite=True, commentaire="bis")]
    for wrong in (two, twice):
        with pytest.raises(ValidationError) as error:
            Recevabilite(appreciations=wrong)
        assert error.value.errors()[0]["loc"] == ("appreciations",)


@pytest.mark.parametrize(
    "model, fields",
    [
        (EvaluationCritere, {"appreciation": "sans note ni niveau"}),
        (EvaluationCritere, {"appreciation": "note hors échelle", "note": 21}),
        (AvisComite, {"favorable": True, "avis": "ok", "cooperations_suggerees": ["douaisis"]}),
    ],
)
def test_une_entree_incomplete_est_refusee(model: Any, fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        model(**fields)
