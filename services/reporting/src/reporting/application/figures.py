"""Read the transparency figures of the live projection, bitemporally: as of a business date (None: everything
dated) and as known at a recording time (None: everything recorded)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from reporting.application.ports import FactsSource
from reporting.domain import figures
from reporting.domain import vagues as waves


async def national(
    source: FactsSource,
    as_of: date | None = None,
    missions_depuis: date | None = None,
    known_at: datetime | None = None,
) -> dict[str, Any]:
    return figures.national(await source.facts(None, as_of, known_at), as_of, missions_depuis)


async def regions(source: FactsSource, as_of: date | None = None, known_at: datetime | None = None) -> dict[str, Any]:
    return figures.regions(await source.facts(None, as_of, known_at), as_of)


async def territoires(
    source: FactsSource, as_of: date | None = None, known_at: datetime | None = None
) -> dict[str, Any]:
    return figures.territoires(await source.facts(None, as_of, known_at), as_of)


async def vagues(source: FactsSource, as_of: date | None = None, known_at: datetime | None = None) -> dict[str, Any]:
    facts = await source.facts(None, as_of, known_at)
    return waves.vagues(facts.vagues, facts.cloture, as_of)


async def territoire(
    source: FactsSource, territoire_id: str, as_of: date | None = None, known_at: datetime | None = None
) -> dict[str, Any] | None:
    """One territory's figures, or None when the log says nothing of it by that date."""
    facts = await source.facts(None, as_of, known_at)
    found = next((t for t in facts.territoires if t.territoire_id == territoire_id), None)
    return {"as_of": as_of.isoformat() if as_of else None, **figures.territoire(found)} if found else None


async def all_figures(source: FactsSource, schema: str | None) -> dict[str, Any]:
    """National, per wave, regional and territorial figures of one schema, from a single read of its facts."""
    facts = await source.facts(schema, None)
    return {
        "national": figures.national(facts, None),
        "vagues": waves.vagues(facts.vagues, facts.cloture, None),
        "regions": figures.regions(facts, None)["regions"],
        "territoires": figures.territoires(facts, None)["territoires"],
    }
