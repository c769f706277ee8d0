"""What the mission's watcher records when time passes: the convention deadline (once, at the end of the
echeance day in Paris) and each whole month without COPIL (once each, exact even when it runs late)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from contracts.base import Role
from contracts.envelope import Actor
from contracts.instruction.mission import ComitePilotageManquant
from instruction.mission.application.handlers import executer
from instruction.mission.application.queries import constater_alertes, missions
from instruction.mission.domain import commands as c
from instruction.mission.domain.alertes import mois_sans_copil
from instruction.mission.domain.calendrier import PARIS
from instruction.mission.domain.decider import decider
from instruction.mission.domain.mission import EtatMission
from kernel.memory import InMemoryEventStore
from kernel.ports import CommandContext
from kernel.testing import given
from tests.unit.test_mission_decider import (
    COPIL_MAI,
    ECHEANCE,
    FEUILLE_RESTITUEE,
    LANCEE,
    OUVERTE,
    OUVRIR,
    RETARD,
    SIGNEE,
    SIGNER,
    TID,
    copil,
    tenu,
)

FIN_ECHEANCE = datetime(2023, 9, 21, 0, 0, tzinfo=PARIS)  # the echeance day (20/09) ends at midnight, Paris


def retard(maintenant: datetime) -> c.ConstaterRetardConvention:
    return c.ConstaterRetardConvention(territoire_id=TID, maintenant=maintenant)


def manquant(mois: str) -> ComitePilotageManquant:
    return ComitePilotageManquant(territoire_id=TID, mois=mois)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


# --- the convention deadline --------------------------------------------------------------------------------


def test_le_retard_est_constate_a_la_fin_du_jour_de_l_echeance_a_paris() -> None:
    assert ECHEANCE == date(2023, 9, 20)
    given(decider, OUVERTE).when(retard(paris(2023, 9, 20, 23, 59))).then()
    given(decider, OUVERTE).when(retard(FIN_ECHEANCE)).then(RETARD)
    given(decider, OUVERTE).when(retard(datetime(2023, 9, 20, 22, 0, tzinfo=UTC))).then(RETARD)  # same instant


def test_le_retard_n_est_constate_qu_une_fois() -> None:
    given(decider, OUVERTE, RETARD).when(retard(paris(2024, 1, 1))).then()


def test_pas_de_retard_pour_une_convention_signee_ni_sans_mission() -> None:
    given(decider, OUVERTE, SIGNEE).when(retard(paris(2024, 1, 1))).then()
    given(decider).when(retard(paris(2024, 1, 1))).then()


# --- months without COPIL (launch 11/04/2023) ---------------------------------------------------------------


def test_les_mois_sans_copil_vont_du_mois_suivant_le_lancement_au_dernier_mois_ecoule() -> None:
    mission = decider.fold([OUVERTE, SIGNEE, LANCEE])
    assert mois_sans_copil(mission, paris(2023, 5, 31, 23, 59)) == []  # April is the launch month
    assert mois_sans_copil(mission, paris(2023, 6, 1)) == ["2023-05"]
    assert mois_sans_copil(mission, paris(2023, 9, 1)) == ["2023-05", "2023-06", "2023-07", "2023-08"]


def test_un_mois_avec_un_copil_ou_deja_signale_n_est_plus_a_signaler() -> None:
    juillet = tenu(copil("copil-2023-07", date(2023, 7, 4)))
    mission = decider.fold([OUVERTE, SIGNEE, LANCEE, COPIL_MAI, juillet, manquant("2023-06")])
    assert mois_sans_copil(mission, paris(2023, 9, 1)) == ["2023-08"]


def test_on_ne_signale_plus_rien_a_partir_du_mois_de_la_restitution() -> None:
    from tests.unit.test_mission_decider import RESTITUEE  # restituted on 28/08/2023

    mission = decider.fold([OUVERTE, SIGNEE, LANCEE, COPIL_MAI, FEUILLE_RESTITUEE, RESTITUEE])
    assert mois_sans_copil(mission, paris(2024, 3, 1)) == ["2023-06", "2023-07"]


def test_rien_a_signaler_avant_le_lancement() -> None:
    assert mois_sans_copil(decider.fold([OUVERTE, SIGNEE]), paris(2024, 3, 1)) == []


def test_le_signalement_d_un_mois_est_idempotent_et_exact() -> None:
    history = (OUVERTE, SIGNEE, LANCEE)
    juin = c.SignalerComitePilotageManquant(territoire_id=TID, mois="2023-06", maintenant=paris(2023, 9, 1))
    given(decider, *history).when(juin).then(manquant("2023-06"))
    given(decider, *history, manquant("2023-06")).when(juin).then()  # already recorded
    given(decider, *history, tenu(copil("copil-juin", date(2023, 6, 6)))).when(juin).then()  # covered
    given(decider, *history).when(juin.model_copy(update={"maintenant": paris(2023, 6, 30)})).then()  # not over
    given(decider, *history).when(juin.model_copy(update={"mois": "2023-04"})).then()  # the launch month


# --- the watcher's use case, on an in-memory store ----------------------------------------------------------


def contexte_pour(now: datetime):  # type: ignore[no-untyped-def]
    return lambda key: CommandContext(
        actor=Actor(id="watcher", role=Role.SYSTEME), occurred_at=now, idempotency_key=f"watcher:{key}"
    )


CDC = CommandContext(actor=Actor(id="cdc", role=Role.INSTRUCTEUR_CDC), occurred_at=paris(2023, 4, 3))


async def test_le_guetteur_en_retard_de_plusieurs_mois_signale_chaque_mois_une_fois() -> None:
    store = InMemoryEventStore()
    historiques = store  # the in-memory store reads every mission stream (kernel StreamReader)
    for command in (OUVRIR, SIGNER, c.LancerIngenierie(**LANCEE.model_dump()), copil()):
        await executer(store, command, CDC)
    late = paris(2023, 9, 2)
    assert await constater_alertes(store, historiques, late, contexte_pour(late)) == 3
    assert await constater_alertes(store, historiques, late, contexte_pour(late)) == 0
    later = paris(2023, 10, 1)
    assert await constater_alertes(store, historiques, later, contexte_pour(later)) == 1
    types = [(r.envelope.event_type, getattr(r.event, "mois", None)) for r in store.log]
    assert types[4:] == [
        ("ComitePilotageManquant", "2023-06"),
        ("ComitePilotageManquant", "2023-07"),
        ("ComitePilotageManquant", "2023-08"),
        ("ComitePilotageManquant", "2023-09"),
    ]


async def test_le_guetteur_signale_le_retard_de_convention_une_fois_et_liste_les_missions() -> None:
    store = InMemoryEventStore()
    historiques = store  # the in-memory store reads every mission stream (kernel StreamReader)
    await executer(store, OUVRIR, CDC)
    await executer(store, OUVRIR.model_copy(update={"territoire_id": "lorient", "candidature_id": "lorient"}), CDC)
    await executer(store, SIGNER.model_copy(update={"territoire_id": "lorient"}), CDC)
    for _ in range(2):
        await constater_alertes(store, historiques, FIN_ECHEANCE, contexte_pour(FIN_ECHEANCE))
    assert [r.envelope.event_type for r in await store.read(f"mission-{TID}")] == [
        "MissionOuverte",
        "ConventionEnRetard",
    ]
    assert [r.envelope.event_type for r in await store.read("mission-lorient")] == [
        "MissionOuverte",
        "ConventionSignee",
    ]
    ouvertes = await missions(historiques, EtatMission.OUVERTE)
    assert [(m.territoire_id, m.version) for m in ouvertes] == [(TID, 2)]
    assert [m.territoire_id for m in await missions(historiques)] == [TID, "lorient"]
