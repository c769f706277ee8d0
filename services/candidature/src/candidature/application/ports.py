"""What the use cases need besides the event store: the index of deposits (a derived, rebuildable table
written in the same transaction as the events) and a unit of work that opens such a transaction."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from candidature.domain.chevauchement import Voisine
from contracts.candidature.v1 import CandidatureDeposee, CandidatureRetiree
from kernel.ports import EventStore


@dataclass(frozen=True, slots=True)
class Conflit:
    """An EPCI already reserved in the wave by another deposited candidature."""

    siren: str
    candidature_id: str


@dataclass(frozen=True, slots=True)
class LigneDepot:
    """A deposited candidature as instructors list them."""

    candidature_id: str
    vague: int
    releve_le: datetime
    nom_territoire: str
    region_code: str
    porteur: str
    epci_sirens: list[str]
    perimetre: str
    deposee_le: datetime
    retiree_le: datetime | None


class IndexDepots(Protocol):
    async def verrouiller_vague(self, vague: int) -> None:
        """Serialise, until the transaction ends, the deposits, withdrawals and relève of one wave."""

    async def enregistrer_depot(self, depot: CandidatureDeposee) -> list[Conflit]:
        """Reserve the deposit's EPCIs in its wave; the conflicts found (then nothing may be committed)."""

    async def enregistrer_retrait(self, retrait: CandidatureRetiree) -> None:
        """Release the withdrawn candidature's EPCIs."""

    async def voisines(
        self, candidature_id: str, vague: int, perimetre: str | None, sirens: list[str]
    ) -> list[Voisine]: ...

    async def candidatures_de_la_vague(self, vague: int) -> list[str]:
        """Deposited in `vague` and not withdrawn."""

    async def lister(self, vague: int | None) -> list[LigneDepot]: ...


UniteDeTravail = Callable[[], AbstractAsyncContextManager[tuple[EventStore, IndexDepots]]]
