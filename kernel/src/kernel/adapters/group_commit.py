"""Group commit: the appends of concurrent commands share a transaction, each with its own outcome.

A commit is the costly part of an append: a round trip and a flush of the write-ahead log, which every other
writer queues behind. So appends made outside a caller's transaction do not each take one. While `in_flight`
groups are in the database, the appends that arrive wait; when a lane is free, it takes its share of those waiting
(split between the lanes, `group_max` at most) and sends them together, in one call of `append_groups` (migration
0003), one transaction. A lone writer waits for nobody: its append leaves at once, alone.

Each append keeps the guarantees of `append_events`, and its own answer. `append_groups` checks each one's expected
version and hash chain, and inserts it, in a subtransaction of its own. A stale version or a duplicate event refuses
that append alone. Two appends of one stream in a group are taken in the order they came: the second then expects a
head that has moved, and is refused as it would have been after the first had committed.

When the database refuses the group as a whole because of what one append holds (a data error: SQLSTATE classes 22
and 23), nothing of it was committed, and each append is sent again alone, so that each gets its own answer. Any
other refusal (a statement or lock timeout, a server shutting down) would refuse each of them alike: they all get
it at once rather than one timeout after the other. When the connection is lost, nobody knows whether the group
committed: each append gets that error, as it would have had alone, and a command that retries is told `duplicate`
by the events' ids if it had."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import asyncpg

if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

    Connection = PoolConnectionProxy[asyncpg.Record]  # a lane's connection, from the pool

# Each append is a subtransaction with its own transaction id; PostgreSQL keeps up to 64 of them per backend in
# shared memory before every snapshot must look them up on disk, so a group stays well below.
GROUP_MAX = 16

DATA_ERRORS = ("22", "23")  # SQLSTATE classes of an error one append's content causes: data, integrity

APPEND_GROUPS = "SELECT append_groups($1::text[], $2::integer[], $3::jsonb, $4::text[])"


@dataclass
class _Append:
    stream_id: str
    expected_version: int
    envelopes: list[dict[str, Any]]
    trace_context: str | None
    outcome: asyncio.Future[str] = field(repr=False)


class GroupCommit:
    """Sends the appends given to `append` in groups, at most `in_flight` groups at a time, each on a connection of
    its own (a lane; see the module).

    `on_commit` is called after each group that recorded something (the relays' wake-up call); `on_group`, if set,
    with the size of each group sent (the service's metrics)."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        on_commit: Callable[[], None],
        *,
        acquire_timeout: float,
        in_flight: int = 2,
        group_max: int = GROUP_MAX,
    ) -> None:
        if not 1 <= group_max <= GROUP_MAX:
            raise ValueError(f"group_max must be between 1 and {GROUP_MAX}, got {group_max}")
        self.pool = pool
        self.on_commit = on_commit
        self.acquire_timeout = acquire_timeout
        self.in_flight = in_flight
        self.group_max = group_max
        self.on_group: Callable[[int], None] | None = None
        self._waiting: list[_Append] = []
        self._lanes: set[asyncio.Task[None]] = set()

    async def append(
        self, stream_id: str, expected_version: int, envelopes: list[dict[str, Any]], trace_context: str | None
    ) -> str:
        """'ok', 'conflict' or 'duplicate', as `append_events` answers, once the append's group has committed.

        A caller cancelled before its group leaves is taken out of it; once it has left, it commits or not with
        the group, as a cancelled append of its own would."""
        outcome: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Append(stream_id, expected_version, envelopes, trace_context, outcome))
        self._send()
        return await outcome

    def _send(self) -> None:
        while len(self._lanes) < min(self.in_flight, len(self._waiting)):
            lane = asyncio.get_running_loop().create_task(self._lane())
            self._lanes.add(lane)
            lane.add_done_callback(self._lane_ended)

    def _lane_ended(self, lane: asyncio.Task[None]) -> None:
        self._lanes.discard(lane)
        self._send()  # appends that came while a lane was failing

    def _next_group(self) -> list[_Append]:
        while self._waiting:
            size = min(self.group_max, -(-len(self._waiting) // self.in_flight))
            group = [pending for pending in self._waiting[:size] if not pending.outcome.done()]
            del self._waiting[:size]
            if group:
                return group
        return []

    async def _lane(self) -> None:
        """One connection, held while appends wait, and given back when none does: under load, groups follow
        each other on it without going back to the pool between them."""
        group = self._next_group()
        try:
            async with self.pool.acquire(timeout=self.acquire_timeout) as conn:
                while group:
                    await self._commit(conn, group)
                    group = self._next_group()
        except BaseException as error:  # noqa: BLE001 - the group's callers get it (a lost connection, a cancel)
            for pending in group:
                _fail(pending, error)
            if isinstance(error, asyncio.CancelledError):
                raise

    async def _commit(self, conn: Connection, group: list[_Append]) -> None:
        try:
            outcomes = await self._append_together(conn, group)
        except asyncpg.PostgresError as error:
            if len(group) == 1 or str(error.sqlstate)[:2] not in DATA_ERRORS:
                raise  # every append of the group gets it (see the module)
            for pending in group:  # the group rolled back as a whole: each append alone gets its own answer
                try:
                    (outcome,) = await self._append_together(conn, [pending])
                except asyncpg.PostgresError as error:
                    _fail(pending, error)
                else:
                    _settle(pending, outcome)
            return
        for pending, outcome in zip(group, outcomes, strict=True):
            _settle(pending, outcome)

    async def _append_together(self, conn: Connection, group: Sequence[_Append]) -> list[str]:
        if self.on_group is not None:
            self.on_group(len(group))
        outcomes: list[str] = await conn.fetchval(
            APPEND_GROUPS,
            [pending.stream_id for pending in group],
            [pending.expected_version for pending in group],
            [pending.envelopes for pending in group],
            [pending.trace_context for pending in group],
        )
        if "ok" in outcomes:
            self.on_commit()
        return outcomes


def _settle(pending: _Append, outcome: str) -> None:
    if not pending.outcome.done():
        pending.outcome.set_result(outcome)


def _fail(pending: _Append, error: BaseException) -> None:
    if pending.outcome.done():
        return
    if isinstance(error, asyncio.CancelledError):
        pending.outcome.cancel()
    else:
        pending.outcome.set_exception(error)
