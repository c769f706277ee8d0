"""The publication workflow over HTTP on a real broker and PostgreSQL: the internal figures answer only the roles
entitled to them, bitemporally; a publication is requested by one of the three bodies, cleared by each in its role
(on the digest it read), and the public sees it only once all three cleared it and its embargo passed on the
business clock, frozen as requested and recomputable from the log; a refused one never; the public side answers
an unknown, an uncleared and an embargoed publication alike. Its history: the lifecycle of
tests/integration/test_reporting_lifecycle.py."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts.base import Role
from kernel.clock import SimulatedClock
from reporting.app import create_app
from tests.integration.test_reporting_lifecycle import Figures, _complete, history, publisher
from tests.support import as_actor, eventually, operator, running

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

SGPI, CDC, DTI = (
    as_actor(Role.SGPI, "sgpi-1"),
    as_actor(Role.INSTRUCTEUR_CDC, "cdc-1"),
    as_actor(Role.DTI_ANCT, "dti-1"),
)
EPCI = as_actor(Role.EPCI_CANDIDAT, "epci-1", "200068500")
BPI = as_actor(Role.BPIFRANCE_CHARGE, "bpi-1")
NOW = datetime(2024, 7, 1, 10, tzinfo=UTC)  # the business clock, after the whole history
ANNONCE = {"publication_id": "bilan-2024-06", "titre": "Bilan au 30 juin 2024", "as_of": "2024-06-30"}


async def test_a_publication_is_public_once_cleared_by_all_three_and_out_of_embargo(settings_for) -> None:  # type: ignore[no-untyped-def]
    settings = await settings_for("reporting")
    start = datetime.now(UTC)
    async with running(create_app(settings, clock=SimulatedClock(NOW))) as client, publisher(settings) as publish:
        for envelope in history():
            await publish(envelope)
        figures = await eventually(lambda: _complete(Figures(client, SGPI)), what="the whole history in the figures")

        # the internal figures: for the roles entitled to them, as of a date and as known at a recording time
        assert (await client.get("/figures/national")).status_code == 401
        for outsider in (EPCI, BPI):
            assert (await client.get("/figures/national", headers=outsider)).status_code == 403
        before = await client.get("/figures/national", headers=DTI, params={"known_at": start.isoformat()})
        assert before.json()["nb_candidatures"] == 0 and figures["nb_candidatures"] > 0
        naive = await client.get("/figures/national", headers=DTI, params={"known_at": "2024-01-01T00:00:00"})
        assert naive.status_code == 422
        for beyond in ("9999-12-31T23:00:00-10:00", "0001-01-01T01:00:00+10:00"):  # no UTC instant: refused, no 5xx
            for path in ("/figures/national", "/figures/territoires"):
                answer = await client.get(path, headers=DTI, params={"known_at": beyond})
                assert answer.status_code == 422, (path, beyond, answer.text)

        # a request, by one of the three bodies only, dated by the business clock
        body = {**ANNONCE, "embargo_jusqu_au": "2024-07-02T10:00:00+02:00"}
        assert (await client.post("/publications", headers=EPCI, json=body)).status_code == 403
        future = await client.post("/publications", headers=SGPI, json={**body, "as_of": "2024-07-02"})
        assert (future.status_code, future.json()["error"]) == (422, "entree_invalide")
        late = await client.post("/publications", headers=SGPI, json={**body, "embargo_jusqu_au": "2024-06-01T10:00Z"})
        assert (late.status_code, late.json()["error"]) == (409, "publication_incoherente")
        requested = await client.post("/publications", headers=SGPI, json=body)
        assert requested.status_code == 201, requested.text
        demande = requested.json()
        assert (demande["statut"], demande["contenu"]["national"]["nb_laureats"]) == (
            "DEMANDEE",
            figures["nb_laureats"],
        )
        positions = demande["positions"]  # the events of each producer's log it was computed from
        assert set(positions) <= {"candidature", "instruction", "financement"} and sum(positions.values()) > 0
        assert (await client.post("/publications", headers=SGPI, json=body)).status_code == 200  # the same again
        digest = demande["digest"]

        async def public_status() -> tuple[int, int]:
            listed = (await client.get("/public/publications")).json()["publications"]
            return len(listed), (await client.get(f"/public/publications/{ANNONCE['publication_id']}")).status_code

        unknown = await client.get("/public/publications/inconnue")
        assert await public_status() == (0, 404) and unknown.status_code == 404  # requested: answered as unknown
        assert (await client.get(f"/publications/{ANNONCE['publication_id']}")).status_code == 401

        # clearances: each body in its role, on the digest it read
        wrong = await client.post("/publications/bilan-2024-06/validation", headers=CDC, json={"digest": "0" * 64})
        assert (wrong.status_code, wrong.json()["error"], wrong.json()["digest"]) == (
            409,
            "empreinte_differente",
            digest,
        )
        for who in (CDC, SGPI):
            answer = await client.post("/publications/bilan-2024-06/validation", headers=who, json={"digest": digest})
            assert answer.status_code == 201, answer.text
        again = await client.post("/publications/bilan-2024-06/validation", headers=CDC, json={"digest": digest})
        assert again.status_code == 200
        assert (await client.get("/publications/bilan-2024-06", headers=SGPI)).json()["statut"] == "DEMANDEE"
        nobody = await client.post("/publications/inconnue/validation", headers=DTI, json={"digest": digest})
        assert (nobody.status_code, nobody.json()["error"]) == (404, "publication_inconnue")
        cleared = await client.post("/publications/bilan-2024-06/validation", headers=DTI, json={"digest": digest})
        assert cleared.json()["statut"] == "VALIDEE" and set(cleared.json()["validations"]) == {"SGPI", "CDC", "DTI"}
        assert await public_status() == (0, 404)  # cleared, under embargo

        # a second publication, refused by one: never public, nothing more to clear
        other = {"publication_id": "refusee", "titre": "Chiffres partiels", "as_of": "2024-06-30"}
        other_body = {**other, "embargo_jusqu_au": "2024-07-01T12:00:00+02:00"}
        other_digest = (await client.post("/publications", headers=CDC, json=other_body)).json()["digest"]
        refused = await client.post("/publications/refusee/refus", headers=DTI, json={"motif": "Non consolidés"})
        assert refused.json()["statut"] == "REFUSEE"
        closed = await client.post("/publications/refusee/validation", headers=SGPI, json={"digest": other_digest})
        assert (closed.status_code, closed.json()["error"]) == (409, "publication_close")

        # the embargo passes on the business clock: the diffusion watcher releases the cleared one only
        moved = await client.put("/ops/clock", headers=operator(), json={"now": "2024-07-02T10:00:00+02:00"})
        assert moved.status_code == 200
        await eventually(lambda: _public(client), what="the cleared publication to be released")
        assert await public_status() == (1, 200)
        public = (await client.get("/public/publications/bilan-2024-06")).json()
        assert (public["digest"], public["contenu"]) == (digest, demande["contenu"])  # frozen as requested
        assert [v["organisme"] for v in public["validations"]] == ["SGPI", "CDC", "DTI"]
        assert (await client.get("/public/publications/refusee")).status_code == 404
        listed = (await client.get("/publications", headers=CDC)).json()["publications"]
        assert {p["publication_id"]: p["statut"] for p in listed} == {"bilan-2024-06": "PUBLIQUE", "refusee": "REFUSEE"}

        # anyone with the log recomputes the same bytes: as of its date, as known at its recording time
        verified = (await client.get("/publications/bilan-2024-06/verification", headers=DTI)).json()
        assert verified == {
            "publication_id": "bilan-2024-06",
            "digest_publie": digest,
            "digest_recalcule": digest,
            "identique": True,
        }


async def _public(client) -> bool | None:  # type: ignore[no-untyped-def]
    return True if (await client.get("/public/publications/bilan-2024-06")).status_code == 200 else None
