"""Projection of the reported events into fact rows of a schema (the same code for live and rebuild).

Every write is idempotent on the fact's key (ON CONFLICT DO NOTHING): applying an event twice to a
schema changes nothing, which is what makes a swap to a rebuilt schema safe (see store.py). Facts are
independent rows joined only when read, so the order in which topics interleave never changes a figure. Each fact
carries its event's recording time (`recorded_at`, the last parameter of every INSERT): the figures "as known at"
a time read only the facts recorded by then.

Set-based: the events of a batch become rows (pure projectors), and the rows are written with one pipelined
`executemany` per kind of fact, in the order the events came. Writing them one INSERT per event cost a round trip
each and held a projection to a few thousand events per second."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from contracts.codec import ReceivedEvent
from kernel.adapters.postgres import Connection
from reporting.adapters import rollups
from reporting.adapters.projectors import financement, mission, projets, selection
from reporting.adapters.projectors.common import Projector, Row
from reporting.adapters.schema import Schema

PROJECTORS: dict[type, Projector] = {
    **selection.PROJECTORS,
    **mission.PROJECTORS,
    **projets.PROJECTORS,
    **financement.PROJECTORS,
}


def facts_of(received: ReceivedEvent) -> Sequence[Row]:
    """The event's facts; none for the event types reporting ignores.

    Ignored on purpose (§7, nothing of a dossier or an instruction file is public): drafts and their
    edits, reads of a dossier, experts and their opinions, criteria assessments, complements, the
    committee's and the SGPI's opinions; and the other services' internal copies (CandidatureRecue, …)."""
    projector = PROJECTORS.get(type(received.event))
    return () if projector is None else projector(received.envelope, received.event)


async def write(conn: Connection, schema: Schema, rows: Sequence[Row]) -> None:
    """Insert the rows into `schema`, one statement per kind of fact (first seen, first written), then recompute
    the roll-ups they touched (reporting.adapters.rollups), in the same transaction."""
    by_statement: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        by_statement.setdefault(row.statement, []).append(row.values)
    for statement, values in by_statement.items():
        columns = await _as_columns(conn, schema, statement) if len(values) >= COLUMNS_FROM else None
        if columns is None:
            await conn.executemany(schema.sql(statement), values)
        else:
            await conn.execute(schema.sql(columns), *(list(column) for column in zip(*values, strict=True)))
    await rollups.refresh(conn, schema, rows)


# From this many rows of one kind, they go as columns (one array per column, `unnest`) in a single INSERT: its rows
# cost the database a quarter less than an `executemany`, which binds and executes each row apart. ON CONFLICT DO
# NOTHING keeps the first of two rows with one key, within one statement as across statements: the same facts.
COLUMNS_FROM = 8
_INSERT = re.compile(
    r"^\s*INSERT INTO \{s\}\.(?P<table>\w+)\s*\((?P<columns>[\w\s,]+)\)\s*"
    r"VALUES\s*\((?P<values>[$\d\s,]+)\)\s*(?P<conflict>ON CONFLICT [\w\s,()]+ DO NOTHING)\s*$"
)
_COLUMN_TYPES = """
SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute
 WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped"""
_AS_COLUMNS: dict[str, str | None] = {}  # statement → its `unnest` form (None: not one that has it)


async def _as_columns(conn: Connection, schema: Schema, statement: str) -> str | None:
    """The statement as an INSERT of columns (`unnest` of one array per column), or None when it is not a plain
    INSERT of its parameters in order, or a column is an array or a JSON document (not one array element each).
    The column types are read from the catalog once per statement (every projection schema has the same tables)."""
    if statement in _AS_COLUMNS:
        return _AS_COLUMNS[statement]
    found = _INSERT.match(statement)
    columns = [c.strip() for c in found["columns"].split(",")] if found else []
    if not found or [v.strip() for v in found["values"].split(",")] != [f"${i}" for i in range(1, len(columns) + 1)]:
        _AS_COLUMNS[statement] = None
        return None
    types = {r["attname"]: r["type"] for r in await conn.fetch(_COLUMN_TYPES, f'"{schema.name}".{found["table"]}')}
    if any(c not in types or types[c].endswith("[]") or types[c] in ("json", "jsonb") for c in columns):
        _AS_COLUMNS[statement] = None
        return None
    arrays = ", ".join(f"${i}::{types[c]}[]" for i, c in enumerate(columns, start=1))
    _AS_COLUMNS[statement] = (
        f"INSERT INTO {{s}}.{found['table']} ({', '.join(columns)}) SELECT * FROM unnest({arrays}) {found['conflict']}"
    )
    return _AS_COLUMNS[statement]


async def project(conn: Connection, schema: Schema, events: Iterable[ReceivedEvent]) -> None:
    """Write the events' facts into `schema`, set-based."""
    await write(conn, schema, [row for received in events for row in facts_of(received)])
