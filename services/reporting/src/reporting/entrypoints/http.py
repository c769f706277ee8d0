"""HTTP API: the internal figures (for the roles entitled to them, as of a date and as known at a recording time)
and the operators' rebuild. The public reads only cleared publications (entrypoints.http_publications)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import AfterValidator, AwareDatetime

from contracts.base import Identifiant, Role
from kernel.adapters.http import require_role, runtime_of
from kernel.ports import CommandContext
from reporting.adapters.store import PostgresProjectionStore
from reporting.application import figures
from reporting.application.rebuild import rebuild
from reporting.entrypoints.projection import default_source, event_log, projection_store

# Who reads the internal figures: the bodies that steer and clear (DOMAIN-REFERENCE §7), and the operators.
INTERNAL_READERS = (
    Role.SGPI,
    Role.INSTRUCTEUR_CDC,
    Role.DTI_ANCT,
    Role.PM_CABINET,
    Role.COMITE_MINISTERIEL,
    Role.SYSTEME,
)
router = APIRouter(prefix="/figures", tags=["figures"], dependencies=[Depends(require_role(*INTERNAL_READERS))])
ops = APIRouter(prefix="/ops", tags=["ops"])

AsOf = Annotated[date | None, Query(description="Figures as they stood at the end of this day (YYYY-MM-DD)")]


def _in_utc(moment: datetime | None) -> datetime | None:
    """A recording time is compared in UTC: one that has no UTC instant (9999-12-31T23:00-10:00) is refused (422)."""
    if moment is None:
        return None
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("known_at has no UTC instant (out of the calendar's range)") from None


KnownAt = Annotated[
    AwareDatetime | None,
    AfterValidator(_in_utc),
    Query(description="As the log was known at this recording time (ISO 8601 with its offset): bitemporal reads"),
]


def _store(request: Request) -> PostgresProjectionStore:
    return projection_store(runtime_of(request).pool)


MissionsDepuis = Annotated[
    date | None, Query(description="Also count the missions launched on or after this day (e.g. 2023-11-01)")
]


@router.get("/national")
async def national(
    request: Request, as_of: AsOf = None, missions_depuis: MissionsDepuis = None, known_at: KnownAt = None
) -> dict[str, Any]:
    """Programme-wide figures (SGPI transparency, DOMAIN-REFERENCE §5.1): selection, missions, the census, money,
    the programme's fund and engineering."""
    return await figures.national(_store(request), as_of, missions_depuis, known_at)


@router.get("/vagues")
async def vagues(request: Request, as_of: AsOf = None, known_at: KnownAt = None) -> dict[str, Any]:
    """The 13 waves: relève, deposited, withdrawn, relevées, ineligible (by failed rule), recevables,
    proposed, laureates and not selected (counts only: no candidature is named)."""
    return await figures.vagues(_store(request), as_of, known_at)


@router.get("/regions")
async def regions(request: Request, as_of: AsOf = None, known_at: KnownAt = None) -> dict[str, Any]:
    """The same figures for each of the 18 COG regions."""
    return await figures.regions(_store(request), as_of, known_at)


@router.get("/territoires")
async def territoires(request: Request, as_of: AsOf = None, known_at: KnownAt = None) -> dict[str, Any]:
    """Every laureate territory the log knows of by that date: envelope, engaged, available, projects, aids,
    and its mission (state, COPIL meetings and alerts, the feuille de route's axes once restituée)."""
    return await figures.territoires(_store(request), as_of, known_at)


@router.get("/territoires/{territoire_id}")
async def territoire(
    request: Request, territoire_id: Identifiant, as_of: AsOf = None, known_at: KnownAt = None
) -> dict[str, Any]:
    found = await figures.territoire(_store(request), territoire_id, as_of, known_at)
    if found is None:
        by = f" by {as_of}" if as_of else ""
        raise HTTPException(404, detail=f"the log says nothing of territory {territoire_id!r}{by}")
    return found


Operator = Annotated[CommandContext, Depends(require_role(Role.SYSTEME, Role.SGPI))]


RebuildSource = Annotated[
    Literal["database", "topics"] | None,
    Query(description="What to replay: the producers' events tables (default when configured) or the topics"),
]


@ops.post("/rebuild", summary="Rebuild the figures from the log (operators: SYSTEME or SGPI)")
async def rebuild_projection(
    request: Request, _: Operator, swap: bool = False, source: RebuildSource = None
) -> dict[str, Any]:
    """Replay the producers' logs into a fresh schema and compare figures and facts; `swap=true` makes it live."""
    settings = runtime_of(request).settings
    chosen = source or default_source(settings)
    store = projection_store(runtime_of(request).pool, settings.verifier())
    return await rebuild(store, event_log(settings, chosen), swap=swap, source=chosen)
