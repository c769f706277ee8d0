"""The deposit, withdrawal and relève use cases on the in-memory store with an in-memory index: the
cross-stream rules the decider cannot see (EPCI reserved in the wave, a relève recorded meanwhile)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

from candidature.application import handlers
from candidature.application.ports import Conflit, IndexDepots, LigneDepot
from candidature.application.releve import relever_les_vagues
from candidature.domain.chevauchement import Voisine
from candidature.domain.errors import EpciDejaCandidat
from contracts.base import Role
from contracts.candidature.v1 import CandidatureDeposee, CandidatureRetiree, VagueRelevee
from kernel.decider import DomainError
from kernel.memory import InMemoryEventStore
from kernel.ports import CommandContext, EventStore
from tests import fixtures
from tests.unit.candidature_exemples import CID, EPCI_1, EPCI_2, LE_29_AOUT_2023, PARIS, RELEVE_VAGUE_4, dossier


@dataclass
class IndexEnMemoire:
    """The index's contract without PostgreSQL (no transaction: enough for the rules, not for races)."""

    reservations: dict[tuple[int, str], str] = field(default_factory=dict)
    depots: dict[str, CandidatureDeposee] = field(default_factory=dict)
    verrous: list[int] = field(default_factory=list)

    async def verrouiller_vague(self, vague: int) -> None:
        self.verrous.append(vague)

    async def enregistrer_depot(self, depot: CandidatureDeposee) -> list[Conflit]:
        conflits = [
            Conflit(s, c)
            for s in depot.epci_sirens
            if (c := self.reservations.get((depot.vague, s), depot.candidature_id)) != depot.candidature_id
        ]
        if not conflits:
            self.reservations |= {(depot.vague, s): depot.candidature_id for s in depot.epci_sirens}
            self.depots[depot.candidature_id] = depot
        return conflits

    async def enregistrer_retrait(self, retrait: CandidatureRetiree) -> None:
        self.reservations = {k: c for k, c in self.reservations.items() if c != retrait.candidature_id}
        self.depots.pop(retrait.candidature_id)

    async def voisines(
        self, candidature_id: str, vague: int, perimetre: str | None, sirens: list[str]
    ) -> list[Voisine]:
        return []

    async def candidatures_de_la_vague(self, vague: int) -> list[str]:
        return sorted(c for c, d in self.depots.items() if d.vague == vague)

    async def lister(self, vague: int | None) -> list[LigneDepot]:
        return []


def context(scope: str = EPCI_1, le: datetime = LE_29_AOUT_2023) -> CommandContext:
    return fixtures.context(Role.EPCI_CANDIDAT, f"epci-{scope}", scope=scope, at=le)


async def brouillon(store: EventStore, candidature_id: str = CID, sirens: list[str] | None = None) -> None:
    contenu = dossier(
        **({"epci_sirens": sirens, "porteur": "EPCI" if len(sirens) == 1 else "GROUPEMENT_EPCI"} if sirens else {})
    )
    sirens = sirens or list(contenu.epci_sirens)
    await handlers.initier_candidature(store, candidature_id, contenu, context(sirens[0]))
    for other in sirens[1:]:  # the groupement's other EPCIs agree
        await handlers.adherer_candidature(store, candidature_id, context(other))


async def test_un_epci_deja_reserve_dans_la_vague_refuse_le_depot_en_nommant_l_autre() -> None:
    store, index = InMemoryEventStore(), IndexEnMemoire()
    await brouillon(store)
    await brouillon(store, "voisine", [EPCI_2])
    assert (await handlers.deposer_candidature(store, index, CID, context())).created
    with pytest.raises(EpciDejaCandidat) as refus:
        await handlers.deposer_candidature(store, index, "voisine", context(EPCI_2))
    assert refus.value.siren == EPCI_2 and refus.value.autre_candidature_id == CID
    assert index.verrous == [4, 4]


async def test_le_retrait_libere_les_epci_de_la_vague() -> None:
    store, index = InMemoryEventStore(), IndexEnMemoire()
    await brouillon(store)
    await handlers.deposer_candidature(store, index, CID, context())
    resultat = await handlers.retirer_candidature(store, index, CID, "regroupement", context())
    assert resultat.created and index.reservations == {}


async def test_un_depot_dont_la_releve_est_passee_pendant_la_demande_est_refuse() -> None:
    store, index = InMemoryEventStore(), IndexEnMemoire()
    await brouillon(store)
    relevee = VagueRelevee(vague=4, releve_le=RELEVE_VAGUE_4, candidatures=[])
    await store.append("vague-4", [relevee], 0, context())
    with pytest.raises(DomainError) as refus:
        await handlers.deposer_candidature(store, index, CID, context(le=RELEVE_VAGUE_4 - timedelta(seconds=1)))
    assert refus.value.reason == "vague_relevee"
    read = await store.read(f"candidature-{CID}")
    assert [r.envelope.event_type for r in read] == ["CandidatureInitiee", "AdhesionEpciDonnee"]


async def test_la_releve_enregistre_chaque_vague_passee_une_fois() -> None:
    store, index = InMemoryEventStore(), IndexEnMemoire()
    await brouillon(store)
    await handlers.deposer_candidature(store, index, CID, context())

    @asynccontextmanager
    async def unite() -> AsyncIterator[tuple[EventStore, IndexDepots]]:
        yield store, index

    apres = RELEVE_VAGUE_4 + timedelta(minutes=5)
    assert await relever_les_vagues(store, unite, apres) == [1, 2, 3, 4]
    assert await relever_les_vagues(store, unite, apres + timedelta(days=1)) == []
    [releve] = await store.read("vague-4")
    assert releve.event == VagueRelevee(vague=4, releve_le=RELEVE_VAGUE_4, candidatures=[CID])
    assert releve.envelope.actor.role is Role.SYSTEME and releve.envelope.occurred_at == apres
    assert await relever_les_vagues(store, unite, datetime(2023, 9, 1, tzinfo=PARIS)) == []
