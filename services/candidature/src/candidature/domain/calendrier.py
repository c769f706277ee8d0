"""The AMI's waves and their relèves (DOMAIN-REFERENCE §2.1), as data, and the wave of a deposit instant.

Every relève is at 12:00 Europe/Paris (the cahier des charges states it for the final closing; we apply it
to each relève). A dossier belongs to the next relève strictly after its deposit: deposited at 12:00:00
sharp on a relève day, it is already too late for that relève and goes to the next wave."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
HEURE_RELEVE = time(12, 0)

# [000]: « ouvert jusqu'au 01/10/2026 à 12h00 (midi, heure de Paris), par vagues successives tous les 4 mois »
DATES_RELEVE: tuple[date, ...] = (
    date(2022, 10, 1),
    date(2023, 2, 1),
    date(2023, 6, 1),
    date(2023, 10, 1),
    date(2024, 2, 1),
    date(2024, 6, 1),
    date(2024, 10, 1),
    date(2025, 2, 1),
    date(2025, 6, 1),
    date(2025, 10, 1),
    date(2026, 2, 1),
    date(2026, 6, 1),
    date(2026, 10, 1),
)


@dataclass(frozen=True, slots=True)
class VagueDuCalendrier:
    """A wave of the AMI: its number (1-13) and the instant of its relève."""

    numero: int
    releve_le: datetime


def releve(jour: date) -> datetime:
    """The relève instant of a day: noon, Paris time (CEST or CET as the day falls)."""
    return datetime.combine(jour, HEURE_RELEVE, tzinfo=PARIS)


CALENDRIER: tuple[VagueDuCalendrier, ...] = tuple(
    VagueDuCalendrier(numero, releve(jour)) for numero, jour in enumerate(DATES_RELEVE, 1)
)


def vague_du_depot(instant: datetime, calendrier: Sequence[VagueDuCalendrier] = CALENDRIER) -> VagueDuCalendrier | None:
    """The wave a dossier deposited at `instant` belongs to, or None once the final relève has passed."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"a deposit instant must be timezone-aware: {instant!r}")
    index = bisect_right([v.releve_le for v in calendrier], instant)
    return calendrier[index] if index < len(calendrier) else None


def cloture(calendrier: Sequence[VagueDuCalendrier] = CALENDRIER) -> datetime:
    """When the AMI closes: the final relève."""
    return calendrier[-1].releve_le


def vague_numero(numero: int, calendrier: Sequence[VagueDuCalendrier] = CALENDRIER) -> VagueDuCalendrier:
    return calendrier[numero - 1]


def vagues_a_relever(
    maintenant: datetime,
    cloture_anticipee: datetime | None = None,
    calendrier: Sequence[VagueDuCalendrier] = CALENDRIER,
) -> list[VagueDuCalendrier]:
    """The waves whose relève has passed at `maintenant`, in order. After an early closure, the wave that
    was open when it took effect is still relevée (its dossiers were deposited in time); later ones never."""
    derniere = len(calendrier)
    if cloture_anticipee is not None:
        ouverte = vague_du_depot(cloture_anticipee, calendrier)
        derniere = ouverte.numero if ouverte else derniere
    return [v for v in calendrier if v.releve_le <= maintenant and v.numero <= derniere]
