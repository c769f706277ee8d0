"""The event store contract: one suite every adapter must pass (pyeventsourcing's abstract recorder suites).

A test module subclasses EventStoreContract and gives it a `store` fixture: the in-memory store runs it with the
unit tests, without any server; the PostgreSQL store with the integration tests."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from contracts.codec import hash_is_intact
from kernel.command_handler import handle_command
from kernel.decider import Decider
from kernel.ports import ConcurrencyError, DuplicateEvent
from tests.fixtures import context, laureat


class EventStoreContract:
    async def test_appends_and_reads_back_in_version_order(self, store: Any) -> None:
        await store.append("enveloppe-a", [laureat("a")], 0, context())
        await store.append("enveloppe-a", [laureat("a"), laureat("a")], 1, context())
        history = await store.read("enveloppe-a")
        assert [r.envelope.stream_version for r in history] == [1, 2, 3]
        assert history[0].event == laureat("a")
        assert await store.read("enveloppe-unknown") == []

    async def test_stale_expected_version_is_a_typed_conflict(self, store: Any) -> None:
        await store.append("enveloppe-b", [laureat("b")], 0, context())
        with pytest.raises(ConcurrencyError):
            await store.append("enveloppe-b", [laureat("b")], 0, context())
        assert len(await store.read("enveloppe-b")) == 1

    async def test_same_event_id_twice_is_a_duplicate_not_a_second_event(self, store: Any) -> None:
        await store.append("enveloppe-c", [laureat("c")], 0, context(key="msg-1"))
        with pytest.raises(DuplicateEvent):
            await store.append("enveloppe-c", [laureat("c")], 1, context(key="msg-1"))
        assert len(await store.read("enveloppe-c")) == 1

    async def test_each_event_is_chained_to_its_predecessor(self, store: Any) -> None:
        await store.append("enveloppe-d", [laureat("d"), laureat("d")], 0, context())
        await store.append("enveloppe-d", [laureat("d")], 2, context())
        history = [r.envelope for r in await store.read("enveloppe-d")]
        assert history[0].previous_hash is None
        assert [e.previous_hash for e in history[1:]] == [e.hash for e in history[:-1]]
        assert all(hash_is_intact(e) for e in history)

    async def test_a_head_hash_the_caller_knows_chains_without_a_read_and_a_wrong_one_is_a_conflict(
        self, store: Any
    ) -> None:
        [first] = await store.append("enveloppe-h", [laureat("h")], 0, context())
        with pytest.raises(ConcurrencyError):
            await store.append("enveloppe-h", [laureat("h")], 1, context(), "0" * 64)
        [second] = await store.append("enveloppe-h", [laureat("h")], 1, context(), first.envelope.hash)
        assert second.envelope.previous_hash == first.envelope.hash
        assert [r.envelope.stream_version for r in await store.read("enveloppe-h")] == [1, 2]

    async def test_concurrent_appends_at_one_version_let_exactly_one_win(self, store: Any) -> None:
        async def attempt() -> bool:
            try:
                await store.append("enveloppe-e", [laureat("e")], 0, context())
                return True
            except ConcurrencyError:
                return False

        outcomes = await asyncio.gather(*(attempt() for _ in range(20)))
        assert outcomes.count(True) == 1
        assert len(await store.read("enveloppe-e")) == 1

    async def test_every_stream_of_a_type_is_read_at_once_in_stream_order(self, store: Any) -> None:
        await store.append("mission-b", [laureat("b")], 0, context())
        await store.append("mission-a", [laureat("a"), laureat("a")], 0, context())
        await store.append("enveloppe-a", [laureat("a")], 0, context())
        streams = await store.read_streams("mission-")
        assert list(streams) == ["mission-a", "mission-b"]
        assert [r.envelope.stream_version for r in streams["mission-a"]] == [1, 2]

    async def test_the_handler_answers_from_its_decision_and_is_idempotent(self, store: Any) -> None:
        """The decision carries the new state and version, folded from what was decided (no second read)."""
        counter: Decider[str, Any, int] = Decider(
            decide=lambda command, state: [] if state >= 2 else [laureat(command)],
            evolve=lambda state, _: state + 1,
            initial_state=0,
        )
        first = await handle_command(store, "enveloppe-h", counter, "h", context(key="cmd-1"))
        assert (first.state, first.version, first.created, first.events) == (1, 1, True, (laureat("h"),))
        assert [r.envelope.stream_version for r in first.recorded] == [1]
        repeated = await handle_command(store, "enveloppe-h", counter, "h", context(key="cmd-1"))
        assert (repeated.state, repeated.version, repeated.created) == (1, 1, False)  # the same command id
        await handle_command(store, "enveloppe-h", counter, "h", context(key="cmd-2"))
        satisfied = await handle_command(store, "enveloppe-h", counter, "h", context(key="cmd-3"))
        assert (satisfied.state, satisfied.version, satisfied.created) == (2, 2, False)  # nothing more to do
