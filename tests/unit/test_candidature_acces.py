"""Who reads a dossier (§7), each read recorded; experts habilitated from instruction's designations."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from candidature.domain.candidature import decider
from candidature.domain.commands import ConsulterDossier, HabiliterExpert
from candidature.domain.errors import CandidatureIntrouvable
from contracts.base import Role
from contracts.candidature.v1 import DossierCandidatureConsulte, ExpertHabilite, FinaliteConsultation
from contracts.envelope import Actor
from kernel.testing import given
from tests.unit.candidature_exemples import CID, EPCI_2, EPCI_3, PARIS, deposee, initiee

MAINTENANT = datetime(2023, 10, 20, 9, tzinfo=PARIS)


def lire(
    role: Role, actor_id: str = "lecteur-1", scope: str | None = None, le: datetime = MAINTENANT
) -> ConsulterDossier:
    return ConsulterDossier(candidature_id=CID, lecteur=Actor(id=actor_id, role=role, scope=scope), consulte_le=le)


def lu(
    role: Role, finalite: FinaliteConsultation, actor_id: str = "lecteur-1", le: datetime = MAINTENANT
) -> DossierCandidatureConsulte:
    return DossierCandidatureConsulte(
        candidature_id=CID, lecteur_id=actor_id, role=role, finalite=finalite, consulte_le=le
    )


def habiliter(
    expert_id: str = "expert-dire", jusqu_au: date = date(2023, 10, 31), acceptee_le: date = date(2023, 10, 15)
) -> HabiliterExpert:
    return HabiliterExpert(
        candidature_id=CID,
        expert_id=expert_id,
        domaine="DIRE",
        acces_jusqu_au=jusqu_au,
        confidentialite_acceptee_le=acceptee_le,
    )


def habilite(**kwargs: object) -> ExpertHabilite:
    return ExpertHabilite(**habiliter(**kwargs).model_dump())  # type: ignore[arg-type]


DEPOSEE = (initiee(), deposee())


def test_l_epci_porteur_lit_son_brouillon_et_sa_lecture_est_enregistree() -> None:
    given(decider, initiee()).when(lire(Role.EPCI_CANDIDAT, "epci-2", scope=EPCI_2)).then(
        lu(Role.EPCI_CANDIDAT, FinaliteConsultation.CANDIDAT, "epci-2")
    )


@pytest.mark.parametrize("role", [Role.INSTRUCTEUR_CDC, Role.DTI_ANCT])
def test_les_instructeurs_lisent_un_dossier_depose(role: Role) -> None:
    given(decider, *DEPOSEE).when(lire(role)).then(lu(role, FinaliteConsultation.INSTRUCTION))


@pytest.mark.parametrize("role", [Role.INSTRUCTEUR_CDC, Role.DTI_ANCT, Role.EXPERT_EXTERNE])
def test_un_brouillon_n_est_pas_transmis_aux_instructeurs_ni_aux_experts(role: Role) -> None:
    given(decider, initiee(), habilite()).when(lire(role, "expert-dire")).then_refused(CandidatureIntrouvable)


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.EPCI_CANDIDAT, EPCI_3),
        (Role.SGPI, None),
        (Role.COMITE_MINISTERIEL, None),
        (Role.PM_CABINET, None),
        (Role.BPIFRANCE_CHARGE, None),
        (Role.COPIL_MEMBRE, CID),
        (Role.EXPERT_EXTERNE, None),
    ],
)
def test_tout_autre_lecteur_est_repondu_comme_si_la_candidature_n_existait_pas(role: Role, scope: str | None) -> None:
    given(decider, *DEPOSEE).when(lire(role, scope=scope)).then_refused(
        CandidatureIntrouvable, "candidature_introuvable"
    )


def test_une_candidature_inconnue_est_introuvable() -> None:
    given(decider).when(lire(Role.INSTRUCTEUR_CDC)).then_refused(CandidatureIntrouvable)


@pytest.mark.parametrize(
    "instant", [datetime(2023, 10, 15, 0, 0, tzinfo=PARIS), datetime(2023, 10, 31, 23, 59, tzinfo=PARIS)]
)  # bounds, Paris dates
def test_l_expert_designe_lit_pendant_son_acces(instant: datetime) -> None:
    given(decider, *DEPOSEE, habilite()).when(lire(Role.EXPERT_EXTERNE, "expert-dire", le=instant)).then(
        lu(Role.EXPERT_EXTERNE, FinaliteConsultation.EXPERTISE, "expert-dire", le=instant)
    )


@pytest.mark.parametrize(
    "instant",
    [
        datetime(2023, 11, 1, 0, 0, tzinfo=PARIS),  # still 31/10 in UTC
        datetime(2023, 10, 14, 23, 59, tzinfo=PARIS),
    ],
)  # before acknowledging
def test_hors_de_son_acces_l_expert_ne_lit_rien(instant: datetime) -> None:
    given(decider, *DEPOSEE, habilite()).when(lire(Role.EXPERT_EXTERNE, "expert-dire", le=instant)).then_refused(
        CandidatureIntrouvable
    )


def test_un_autre_expert_ne_lit_pas_le_dossier() -> None:
    given(decider, *DEPOSEE, habilite()).when(lire(Role.EXPERT_EXTERNE, "expert-autre")).then_refused(
        CandidatureIntrouvable
    )


def test_une_nouvelle_designation_prolonge_l_acces() -> None:
    prolonge = habilite(jusqu_au=date(2023, 12, 31))
    state = decider.fold([*DEPOSEE, habilite(), prolonge])
    assert state.experts == (prolonge,)
    later = datetime(2023, 12, 1, tzinfo=PARIS)
    given(decider, *DEPOSEE, habilite(), prolonge).when(lire(Role.EXPERT_EXTERNE, "expert-dire", le=later)).then(
        lu(Role.EXPERT_EXTERNE, FinaliteConsultation.EXPERTISE, "expert-dire", le=later)
    )


def test_la_designation_est_enregistree_une_fois() -> None:
    given(decider, *DEPOSEE).when(habiliter()).then(habilite())
    given(decider, *DEPOSEE, habilite()).when(habiliter()).then()
    given(decider, *DEPOSEE, habilite()).when(habiliter(jusqu_au=date(2024, 1, 31))).then(
        habilite(jusqu_au=date(2024, 1, 31))
    )


def test_une_designation_sur_une_candidature_inconnue_n_ouvre_rien() -> None:
    given(decider).when(habiliter()).then()


def test_une_lecture_ne_change_pas_la_candidature() -> None:
    state = decider.fold(DEPOSEE)
    assert decider.fold([*DEPOSEE, lu(Role.DTI_ANCT, FinaliteConsultation.INSTRUCTION)]) == state
