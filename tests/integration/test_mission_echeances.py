"""The mission's watcher on the running service (real PostgreSQL and Kafka): moving the simulated clock
(PUT /ops/clock) past a deadline records it promptly, and exactly once.

One app for the module. Business time only moves forward, so each test starts where the previous one
left the clock (pytest runs a module's tests in file order); each one alone also works."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime

import pytest

from rebond_local.infra import Infra
from tests.integration.test_mission_flow import (
    AXES,
    CDC,
    CONVENTION,
    COPIL_MAI,
    PARIS,
    Service,
    copil,
    laureat,
    post,
    prestataire,
    start_service,
)
from tests.support import eventually

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

SETTLE = 1.0  # seconds for a woken watcher to finish its turn (it takes milliseconds)


@pytest.fixture(scope="module")
async def service(infra: Infra) -> AsyncIterator[Service]:
    async for started in start_service(infra, datetime(2023, 7, 6, 10, tzinfo=PARIS)):
        yield started


async def alertes(service: Service, tid: str) -> list[str]:
    """The months recorded without COPIL, in recording order (one entry per event)."""
    events = await service.app.state.runtime.store.read(f"mission-{tid}")
    return [r.event.mois for r in events if r.envelope.event_type == "ComitePilotageManquant"]


async def test_chaque_mois_sans_copil_est_signale_une_fois_jusqu_a_la_restitution(service: Service) -> None:
    tid = f"perigord-{uuid.uuid4().hex[:6]}"
    await service.publish(*laureat(tid, date(2023, 6, 1)))
    await service.mission(tid)
    await post(service, f"/missions/{tid}/convention", CDC, CONVENTION | {"date_signature": "2023-06-20"})
    await post(
        service,
        f"/missions/{tid}/ingenierie",
        CDC,
        {"date_lancement": "2023-06-26", "prestataire": "Cabinet", "jours_hommes": 45, "fin_prevue": "2023-10-10"},
    )
    await post(service, f"/missions/{tid}/copils", copil(tid), COPIL_MAI | {"copil_id": "c-07", "date": "2023-07-05"})

    await service.move_clock(datetime(2023, 9, 13, 9, tzinfo=PARIS))  # August went by without a COPIL
    assert await eventually(lambda: _equal(alertes(service, tid), ["2023-08"]), what="August to be signalled")
    await post(
        service, f"/missions/{tid}/copils", prestataire(tid), COPIL_MAI | {"copil_id": "c-09", "date": "2023-09-12"}
    )
    await service.move_clock(datetime(2023, 11, 21, 9, tzinfo=PARIS))  # October too (September had one)
    assert await eventually(lambda: _equal(alertes(service, tid), ["2023-08", "2023-10"]), what="October")

    await post(service, f"/missions/{tid}/feuille-de-route", prestataire(tid), AXES)
    await post(service, f"/missions/{tid}/restitution", prestataire(tid), {"date": "2023-11-20"})
    await service.move_clock(datetime(2024, 1, 5, 9, tzinfo=PARIS))  # November: the restitution's month
    await asyncio.sleep(SETTLE)
    assert await alertes(service, tid) == ["2023-08", "2023-10"]
    mission = (await service.client.get(f"/missions/{tid}", headers=CDC)).json()
    assert (mission["etat"], mission["mois_sans_copil"]) == ("RESTITUEE", ["2023-08", "2023-10"])


async def test_le_retard_de_convention_est_signale_une_fois_a_la_fin_du_jour_de_l_echeance(service: Service) -> None:
    tid = f"vosges-{uuid.uuid4().hex[:6]}"
    await service.publish(*laureat(tid, date(2023, 7, 15)))
    assert (await service.mission(tid))["ouverture"]["echeance_convention"] == "2024-01-15"

    await service.move_clock(datetime(2024, 1, 15, 23, 59, 59, tzinfo=PARIS))  # the echeance day is on time
    await asyncio.sleep(SETTLE)
    assert await service.types(tid) == ["MissionOuverte"]
    await service.move_clock(datetime(2024, 1, 16, 0, 0, 1, tzinfo=PARIS))
    await eventually(
        lambda: _equal(service.types(tid), ["MissionOuverte", "ConventionEnRetard"]),
        what="the missed deadline to be recorded",
    )
    await service.move_clock(datetime(2024, 2, 1, 9, tzinfo=PARIS))
    await asyncio.sleep(SETTLE)
    assert await service.types(tid) == ["MissionOuverte", "ConventionEnRetard"]

    late = await post(service, f"/missions/{tid}/convention", CDC, CONVENTION | {"date_signature": "2024-01-31"})
    assert [e["event_type"] for e in late["appended"]] == ["ConventionSignee"]
    assert (late["convention"]["en_retard"], late["retard_convention"]["echeance"]) == (True, "2024-01-15")
    listed = (await service.client.get("/missions", params={"etat": "CONVENTIONNEE"}, headers=CDC)).json()
    assert [m["convention_en_retard"] for m in listed if m["territoire_id"] == tid] == [True]


async def _equal(value: object, expected: object) -> bool:
    return await value == expected  # type: ignore[misc]
