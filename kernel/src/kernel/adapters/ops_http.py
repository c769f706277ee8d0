"""The operators' routes of every service, under /ops, for an operator's token only (kernel.adapters.http_access
.OPERATORS): the simulated clock (where it is on), and the parked messages of the service's consumers (list, inspect,
release, skip, and the record of what operators did)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from kernel.adapters.http_access import OPERATORS, require_role
from kernel.adapters.parking import Parking
from kernel.adapters.runtime import ServiceRuntime
from kernel.decider import DomainError
from kernel.ports import CommandContext

Operator = Annotated[CommandContext, Depends(require_role(*OPERATORS))]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")]


class HorlogeEnArriere(DomainError):
    reason = "horloge_en_arriere"


class ClockMove(BaseModel):
    model_config = ConfigDict(extra="forbid")
    now: AwareDatetime


class Mend(BaseModel):
    """Which stream of which consumer, and why (kept in the record of operators' actions)."""

    model_config = ConfigDict(extra="forbid")
    consumer: Name
    stream_id: Name
    note: Annotated[str, Field(min_length=1, max_length=1000)]


def operations_router(runtime: ServiceRuntime, simulated_clock: bool) -> APIRouter:
    router = APIRouter(prefix="/ops", tags=["ops"])

    def parking() -> Parking:
        return Parking(runtime.pool, runtime.consumers)

    if simulated_clock:

        @router.put("/clock", summary="Move the simulated business clock forward (operators)")
        async def move_clock(move: ClockMove, _: Operator) -> dict[str, str]:
            """Simulated clock only (demo, rehearsal): business time moves forward, never back, and survives a
            restart; watchers run at once, so deadlines that just passed are recorded."""
            try:
                await runtime.move_clock(move.now)
            except ValueError as error:  # it never goes back: a conflict with where it stands
                raise HorlogeEnArriere(str(error)) from error
            return {"now": runtime.clock().isoformat()}

    @router.get("/parked", summary="List parked messages (operators)")
    async def list_parked(
        _: Operator,
        consumer: Annotated[str | None, Query(max_length=200)] = None,
        stream_id: Annotated[str | None, Query(max_length=200)] = None,
        resolved: bool = False,
    ) -> list[dict[str, Any]]:
        """Unresolved by default, oldest first: kind (failed, unreadable, broken_chain block their stream; gap and
        waiting apply by themselves; forged and undecodable belong to no stream), reason, place in Kafka."""
        return await parking().parked(consumer, stream_id, resolved=resolved)

    @router.get("/parked/{parked_id}", summary="Inspect one parked message (operators)")
    async def inspect_parked(parked_id: Annotated[int, Path(ge=1, le=2**62)], _: Operator) -> dict[str, Any]:
        return await parking().inspect(parked_id)

    @router.post("/parked/release", summary="Release a blocked stream (operators)")
    async def release(mend: Mend, context: Operator) -> dict[str, Any]:
        """Retry the stream's first blocking message with today's code, then what waited behind it (recorded)."""
        outcome = await parking().release(mend.consumer, mend.stream_id, context.actor.id, mend.note)
        return outcome.as_json()

    @router.post("/parked/skip", summary="Skip a blocking message or a gap (operators)")
    async def skip(mend: Mend, context: Operator) -> dict[str, Any]:
        """The stream goes on after it; what is skipped is never applied (recorded, with the reason)."""
        outcome = await parking().skip(mend.consumer, mend.stream_id, context.actor.id, mend.note)
        return outcome.as_json()

    @router.get("/actions", summary="What operators did (operators)")
    async def actions(_: Operator, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[dict[str, Any]]:
        return await parking().actions(limit)

    return router
