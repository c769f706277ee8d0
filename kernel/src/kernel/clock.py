"""Business time. Production reads the system clock; a demo or a rehearsal replays history on a
simulated clock that operators move forward (never backward) through /ops/clock."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")  # the programme's dates are French civil dates (the relève is at 12:00 Paris)


def paris_date(moment: datetime) -> date:
    """The civil date of an instant in Paris (daylight saving included)."""
    return moment.astimezone(PARIS).date()


class SystemClock:
    simulated = False

    def __call__(self) -> datetime:
        return datetime.now(UTC)


class SimulatedClock:
    """A clock that stands still at `now` until moved; it refuses to go back in time."""

    simulated = True

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("the simulated clock needs a timezone-aware datetime")
        self._now = now

    def __call__(self) -> datetime:
        return self._now

    def move_to(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("the simulated clock needs a timezone-aware datetime")
        if moment < self._now:
            raise ValueError(f"time does not go back: {moment.isoformat()} < {self._now.isoformat()}")
        self._now = moment


Clock = SystemClock | SimulatedClock


def clock_from_env(value: str | None) -> Clock:
    """REBOND_SIMULATED_CLOCK=2022-09-15T10:00:00+02:00 starts a simulated clock there."""
    return SimulatedClock(datetime.fromisoformat(value)) if value else SystemClock()
