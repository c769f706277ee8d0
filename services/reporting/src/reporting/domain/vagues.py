"""Per-wave figures of the selection chain (DOMAIN-REFERENCE §2.1, §2.5 rows 1-9), as of a date.

Public counts only: how many candidatures reached each step of each wave, never which ones nor what
their dossiers or instruction files say. Every count is cumulative ("reached by the date"): a
candidature deposited then withdrawn counts once among the deposited and once among the withdrawn."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

NB_VAGUES = 13


@dataclass(frozen=True, slots=True)
class VagueFacts:
    """What the log says of one wave as of the date (releve_le: None until its relève was recorded)."""

    vague: int
    releve_le: datetime | None = None
    nb_deposees: int = 0
    nb_retirees: int = 0
    nb_relevees: int = 0
    nb_ineligibles: int = 0
    ineligibles_par_regle: Mapping[str, int] = field(default_factory=dict)
    nb_recevables: int = 0
    nb_proposees: int = 0
    nb_laureats: int = 0
    nb_non_retenues: int = 0


@dataclass(frozen=True, slots=True)
class ClotureAMI:
    """The early closure of the AMI by arrêté (after the SGPI's opinion): public by nature."""

    date_arrete: date
    effective_le: datetime


def vague(facts: VagueFacts) -> dict[str, Any]:
    return {
        "vague": facts.vague,
        "releve_le": facts.releve_le.isoformat() if facts.releve_le else None,
        "nb_candidatures_deposees": facts.nb_deposees,
        "nb_candidatures_retirees": facts.nb_retirees,
        "nb_candidatures_relevees": facts.nb_relevees,
        "nb_ineligibles": facts.nb_ineligibles,
        "ineligibles_par_regle": dict(sorted(facts.ineligibles_par_regle.items())),
        "nb_recevables": facts.nb_recevables,
        "nb_proposees": facts.nb_proposees,
        "nb_laureats": facts.nb_laureats,
        "nb_non_retenues": facts.nb_non_retenues,
    }


def vagues(known: Iterable[VagueFacts], cloture: ClotureAMI | None, as_of: date | None) -> dict[str, Any]:
    """The 13 waves in order (a wave the log says nothing of shows zeros), and the early closure if any."""
    by_number = {v.vague: v for v in known}
    return {
        "as_of": as_of.isoformat() if as_of else None,
        "cloture_anticipee": {
            "date_arrete": cloture.date_arrete.isoformat(),
            "effective_le": cloture.effective_le.isoformat(),
        }
        if cloture
        else None,
        "vagues": [vague(by_number.get(n, VagueFacts(n))) for n in range(1, NB_VAGUES + 1)],
    }


def selection_totals(known: Iterable[VagueFacts]) -> dict[str, int]:
    """The national counts of the selection chain: sums over the waves."""
    waves = list(known)
    return {
        "nb_candidatures_retirees": sum(v.nb_retirees for v in waves),
        "nb_ineligibles": sum(v.nb_ineligibles for v in waves),
        "nb_non_retenues": sum(v.nb_non_retenues for v in waves),
    }
