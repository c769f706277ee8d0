"""Business time is validated where it enters: no decision dated before the programme or after today.

"Today" is the business clock's day in Europe/Paris (the request's `occurred_at`: the system clock, or the simulated
one of a rehearsal), so a decision dated tomorrow is refused even when the simulated clock runs years behind."""

from __future__ import annotations

from datetime import date, datetime

from contracts.base import DEBUT_PROGRAMME, FIN_PROGRAMME
from kernel.clock import paris_date
from kernel.decider import Invalid


def not_in_the_future(day: date, occurred_at: datetime, field: str) -> date:
    """`day` if it lies between the programme's start and the business day of `occurred_at`, else Invalid."""
    today = paris_date(occurred_at)
    if day > today:
        raise Invalid(field, f"{field}: {day} est dans le futur (aujourd'hui: {today})")
    if not DEBUT_PROGRAMME <= day <= FIN_PROGRAMME:
        window = f"{DEBUT_PROGRAMME} – {FIN_PROGRAMME}"
        raise Invalid(field, f"{field}: {day} est hors de la fenêtre du programme ({window})")
    return day
