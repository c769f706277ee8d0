"""Projection schema names: only safe identifiers reach the SQL, always quoted."""

from __future__ import annotations

import pytest

from reporting.adapters.schema import REBUILD_PREFIX, TABLES, Schema, migration


@pytest.mark.parametrize("name", ["", "Reporting", 'x"; DROP TABLE events; --', "1abc", "a-b", "a" * 64])
def test_unsafe_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError):
        Schema(name)


def test_sql_is_rendered_with_the_quoted_schema() -> None:
    assert Schema("reporting").sql("SELECT * FROM {s}.aides") == 'SELECT * FROM "reporting".aides'


def test_fresh_names_are_distinct_valid_rebuild_names() -> None:
    first, second = Schema.fresh(), Schema.fresh()
    assert first != second
    assert first.name.startswith(REBUILD_PREFIX) and len(first.name) <= 63


def test_the_migration_creates_every_table_in_the_live_schema() -> None:
    sql = migration()
    created = TABLES.count("CREATE TABLE IF NOT EXISTS {s}.")
    assert created == sql.count("CREATE TABLE IF NOT EXISTS %1$I.") == 22 + 10  # facts and bookkeeping, roll-ups
    assert "{s}" not in sql
