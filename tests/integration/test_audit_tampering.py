"""An insider with the database's owner role alters financement's log in each of the four ways (an event edited in
place, a stream rewritten with its hashes recomputed, a stream truncated, a stream deleted) and also deletes a
signed checkpoint; the auditor's command line, given only the database URL, the broker and the public keys, names
each, and says the log is intact again once it is put back.

The log is written by the real service (its store signs, its relay publishes, its checkpointer signs and publishes
the checkpoint); the auditor runs as a separate process, as an auditor would run it."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import pytest
from fastapi import FastAPI

from contracts.base import Role
from contracts.envelope import Actor, chain_hash
from contracts.financement.v1 import Contribution, EnveloppeTerritorialeAttribuee, LaureatEnregistre
from financement.app import create_app
from kernel.adapters.log_checkpoints import checkpoints_in
from kernel.ports import CommandContext
from tests.fixtures import TEST_TRUSTED_KEYS
from tests.support import eventually, isolated_settings, running

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

CONTEXT = CommandContext(
    actor=Actor(id="cdc-1", role=Role.INSTRUCTEUR_CDC), occurred_at=datetime(2023, 9, 1, tzinfo=UTC)
)


def laureat(territoire: str) -> LaureatEnregistre:
    return LaureatEnregistre(
        territoire_id=territoire,
        nom_territoire=f"Territoire {territoire}",
        region_code="32",
        date_decision=date(2023, 7, 1),
    )


def attribuee(territoire: str, montant: int) -> EnveloppeTerritorialeAttribuee:
    return EnveloppeTerritorialeAttribuee(
        territoire_id=territoire,
        montant_centimes=montant,
        contributions=[Contribution(financeur="Etat", montant_centimes=montant)],
        date_attribution=date(2023, 9, 1),
    )


@dataclasses.dataclass
class Log:
    app: FastAPI
    database_url: str
    broker: str
    prefix: str

    async def audit(self, *command: str) -> tuple[int, dict[str, Any]]:
        """Run the auditor's command line as a separate process; its exit code and its JSON report."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "rebond_audit",
            "--json",
            *command,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 120)
        assert process.returncode is not None
        assert out, err.decode()
        return process.returncode, json.loads(out)

    async def verify(self) -> tuple[int, dict[str, Any]]:
        return await self.audit(
            "verify",
            "--database",
            f"financement={self.database_url}",
            "--broker",
            self.broker,
            "--topic-prefix",
            self.prefix,
            "--trusted-keys",
            TEST_TRUSTED_KEYS,
        )


@pytest.fixture(scope="module")
async def log(infra) -> AsyncIterator[Log]:  # type: ignore[no-untyped-def]
    settings = dataclasses.replace(await isolated_settings(infra, "financement"), log_checkpoint_seconds=3600)
    app = create_app(settings)
    async with running(app):
        runtime = app.state.runtime
        async with runtime.unit_of_work() as store:  # one transaction: any checkpoint covers all of it or none
            for territoire, montant in (("T-A", 10_000_000), ("T-B", 20_000_000), ("T-C", 30_000_000)):
                await store.append(f"enveloppe-{territoire}", [laureat(territoire)], 0, CONTEXT)
                await store.append(f"enveloppe-{territoire}", [attribuee(territoire, montant)], 1, CONTEXT)
            await store.append("enveloppe-T-B", [attribuee("T-B", 25_000_000)], 2, CONTEXT)
        await eventually(lambda: _zero(runtime.relay.lag()), what="the relay published the log")
        await runtime.checkpointer.run_once(datetime.now(UTC))  # unless its watcher already took it
        async with runtime.pool.acquire() as conn:
            (checkpoint,) = await checkpoints_in(conn, "financement")
        assert (checkpoint.sequence, checkpoint.events, checkpoint.streams) == (1, 7, 3)
        yield Log(app, settings.database_url, infra.kafka_bootstrap, settings.topic_prefix)


async def _zero(lag: Any) -> bool | None:
    return True if await lag == 0 else None


@pytest.fixture
async def insider(log: Log) -> AsyncIterator[asyncpg.Connection]:
    """The owner role, the append-only triggers disabled: what an insider with the database could do."""
    conn = await asyncpg.connect(log.database_url)
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    await conn.execute("ALTER TABLE events DISABLE TRIGGER USER")
    await conn.execute("ALTER TABLE log_checkpoints DISABLE TRIGGER USER")
    try:
        yield conn
    finally:
        await conn.execute("ALTER TABLE events ENABLE TRIGGER USER")
        await conn.execute("ALTER TABLE log_checkpoints ENABLE TRIGGER USER")
        await conn.close()


async def rows(conn: asyncpg.Connection, where: str, *args: object) -> list[asyncpg.Record]:
    return await conn.fetch(f"SELECT * FROM events WHERE {where} ORDER BY version", *args)


async def put_back(conn: asyncpg.Connection, saved: list[asyncpg.Record]) -> None:
    """Restore rows as they were (their own position and transaction, so the commit order is the same)."""
    for row in saved:
        await conn.execute("DELETE FROM events WHERE stream_id = $1 AND version = $2", row["stream_id"], row["version"])
        await conn.execute(
            "INSERT INTO events (stream_id, version, position, event_id, event_type, recorded_at, envelope, "
            "transaction_id) OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            *(row[c] for c in ("stream_id", "version", "position", "event_id", "event_type", "recorded_at")),
            row["envelope"],
            row["transaction_id"],
        )


def kinds(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f["kind"], f["where"]) for service in report["services"] for f in service["findings"]}


async def test_an_untouched_log_is_intact_against_its_checkpoint_and_kafka(log: Log) -> None:
    code, report = await log.verify()
    assert code == 0, report
    (financement,) = report["services"]
    assert report["intact"] and report["signatures_checked"]
    assert (financement["events"], financement["streams"], financement["kafka_events"]) == (7, 3, 7)
    assert (financement["checkpoints"], financement["checkpoints_matched"]) == (1, 1)


async def test_an_event_edited_in_place_is_named(log: Log, insider: asyncpg.Connection) -> None:
    saved = await rows(insider, "stream_id = 'enveloppe-T-A' AND version = 1")
    await insider.execute(
        "UPDATE events SET envelope = jsonb_set(envelope, '{data,nom_territoire}', '\"Falsifié\"') "
        "WHERE stream_id = 'enveloppe-T-A' AND version = 1"
    )
    code, report = await log.verify()
    assert code == 1
    assert kinds(report) == {("altered", "enveloppe-T-A v1")}
    await put_back(insider, saved)
    assert (await log.verify())[0] == 0


async def test_a_rewritten_stream_with_recomputed_hashes_is_named(log: Log, insider: asyncpg.Connection) -> None:
    saved = await rows(insider, "stream_id = 'enveloppe-T-B'")
    previous = saved[0]["envelope"]["hash"]
    for row in saved[1:]:  # v2 gets a larger amount; every hash after it is recomputed, the chain is whole again
        envelope = dict(row["envelope"], previous_hash=previous)
        if row["version"] == 2:
            envelope["data"] = dict(envelope["data"], montant_centimes=90_000_000)
        envelope["hash"] = previous = chain_hash(envelope)
        await insider.execute("UPDATE events SET envelope = $2 WHERE position = $1", row["position"], envelope)
    code, report = await log.verify()
    assert code == 1
    assert kinds(report) == {
        ("rewritten", "enveloppe-T-B v2"),
        ("rewritten", "enveloppe-T-B v3"),
        ("log_rewritten", "checkpoint #1"),
        ("differs_from_kafka", "enveloppe-T-B v2"),
        ("differs_from_kafka", "enveloppe-T-B v3"),
    }
    await put_back(insider, saved)
    assert (await log.verify())[0] == 0


async def test_a_truncated_stream_is_named(log: Log, insider: asyncpg.Connection) -> None:
    saved = await rows(insider, "stream_id = 'enveloppe-T-B' AND version = 3")
    await insider.execute("DELETE FROM events WHERE stream_id = 'enveloppe-T-B' AND version = 3")
    code, report = await log.verify()
    assert code == 1
    assert kinds(report) == {("events_deleted", "checkpoint #1"), ("truncated", "enveloppe-T-B")}
    await put_back(insider, saved)
    assert (await log.verify())[0] == 0


async def test_a_deleted_stream_is_named(log: Log, insider: asyncpg.Connection) -> None:
    saved = await rows(insider, "stream_id = 'enveloppe-T-C'")
    await insider.execute("DELETE FROM events WHERE stream_id = 'enveloppe-T-C'")
    code, report = await log.verify()
    assert code == 1
    assert kinds(report) == {("stream_deleted", "checkpoint #1"), ("stream_deleted", "enveloppe-T-C")}
    await put_back(insider, saved)
    assert (await log.verify())[0] == 0


async def test_a_checkpoint_deleted_from_the_database_is_found_on_kafka(log: Log, insider: asyncpg.Connection) -> None:
    saved = await insider.fetchrow("SELECT * FROM log_checkpoints WHERE sequence = 1")
    await insider.execute("DELETE FROM log_checkpoints WHERE sequence = 1")
    code, report = await log.verify()
    assert code == 1
    assert kinds(report) == {("checkpoint_deleted", "checkpoint #1")}
    await insider.execute(
        "INSERT INTO log_checkpoints (service, sequence, body) VALUES ($1, $2, $3)",
        saved["service"],
        saved["sequence"],
        saved["body"],
    )
    assert (await log.verify())[0] == 0


async def test_the_history_of_a_stream_shows_the_state_after_each_event(log: Log) -> None:
    code, report = await log.audit("history", "--database", f"financement={log.database_url}", "enveloppe-T-B")
    assert code == 0
    steps = report["history"]
    assert [s["event_type"] for s in steps] == [
        "LaureatEnregistre",
        "EnveloppeTerritorialeAttribuee",
        "EnveloppeTerritorialeAttribuee",
    ]
    assert steps[0]["actor"]["id"] == "cdc-1"
    assert steps[-1]["state"] != steps[0]["state"]


async def test_the_auditor_s_usage_errors_and_unreachable_sources_have_their_exit_codes(log: Log) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "rebond_audit", "verify", "--database", "nowhere", stderr=asyncio.subprocess.PIPE
    )
    _, err = await process.communicate()
    assert process.returncode == 2 and b"SERVICE=URL" in err
    unreachable = "financement=postgresql://nobody@127.0.0.1:1/none"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "rebond_audit", "verify", "--database", unreachable, stderr=asyncio.subprocess.PIPE
    )
    _, err = await process.communicate()
    assert process.returncode == 3 and b"cannot read" in err
