"""Read side: the instructors' list of deposited candidatures (from the index of deposits), with the status
each has at the service's business time (a deposit whose relève has passed is RELEVEE)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from candidature.application.ports import IndexDepots, LigneDepot


class StatutListe(StrEnum):
    DEPOSEE = "DEPOSEE"
    RETIREE = "RETIREE"
    RELEVEE = "RELEVEE"


def statut_de(ligne: LigneDepot, maintenant: datetime) -> StatutListe:
    if ligne.retiree_le is not None:
        return StatutListe.RETIREE
    return StatutListe.RELEVEE if maintenant >= ligne.releve_le else StatutListe.DEPOSEE


async def lister_candidatures(
    index: IndexDepots, maintenant: datetime, vague: int | None = None, statut: StatutListe | None = None
) -> list[tuple[LigneDepot, StatutListe]]:
    lignes = [(ligne, statut_de(ligne, maintenant)) for ligne in await index.lister(vague)]
    return [(ligne, s) for ligne, s in lignes if statut is None or s is statut]
