"""The whole system as a newcomer runs it: the four services as processes, the demo over HTTP, Kafka between
them, and the figures rebuilt by reporting from the topics."""
from __future__ import annotations

import httpx
import pytest

from rebond_local.__main__ import print_figures
from rebond_local.demo import DEMO_CLOCK_START, TERRITOIRES, play_demo
from rebond_local.supervisor import start_system

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

EXPECTED_AID_CENTS = sum(projects * aid_eur * 100 for *_, projects, aid_eur, _ in TERRITOIRES)


async def test_the_demo_flows_through_the_four_services(infra, tmp_path, unique) -> None:  # type: ignore[no-untyped-def]
    system = await start_system(infra, tmp_path, simulated_clock=DEMO_CLOCK_START, topic_prefix=f"e2e{unique}.",
                                database_prefix=f"e2e_{unique}_")
    try:
        urls = {name: service.url for name, service in system.services.items()}
        figures = await play_demo(urls)
        print_figures(figures)  # what `python3 dev.py run` shows
        national = figures["national"]
        assert national["nb_candidatures"] == 4
        assert national["nb_laureats"] == 3
        assert national["nb_regions_laureates"] == 3
        assert national["nb_projets_qualifies"] == 17 + 6 + 5
        assert national["montant_aides_centimes"] == EXPECTED_AID_CENTS
        assert national["enveloppes_attribuees_centimes"] == (5 + 1.5 + 2) * 100_000_000

        before = figures["national_au_2023-06-30"]  # Périgord Noir was selected in January 2024
        assert before["nb_laureats"] == 2
        assert before["montant_aides_centimes"] < EXPECTED_AID_CENTS

        cambrai = next(t for t in figures["territoires"]["territoires"] if t["territoire_id"] == "cambrai")
        assert cambrai["enveloppe_centimes"] == 500_000_000
        assert cambrai["nb_aides"] == 17
        assert cambrai["engage_centimes"] == 17 * 290_000 * 100 <= cambrai["enveloppe_centimes"]

        async with httpx.AsyncClient(timeout=60) as client:
            lorient = (await client.get(f"{urls['financement']}/enveloppes/lorient")).json()
            assert lorient["engage_centimes"] == lorient["montant_centimes"]  # full: the extra aid was refused
            rebuilt = (await client.post(f"{urls['reporting']}/ops/rebuild")).json()
            assert rebuilt["identical"] is True, rebuilt.get("differences")
            assert rebuilt["events_read"] >= 4 + 3 + 28 + 28
            for name, url in urls.items():
                health = (await client.get(f"{url}/health")).json()
                assert health["parked_messages"] == 0, name
                if name != "reporting":
                    assert health["relay_lag"] == 0, name
                    channels = (await client.get(f"{url}/asyncapi.json")).json()["channels"]
                    assert any(f"{name}." in channel for channel in channels), name
    finally:
        system.stop()
