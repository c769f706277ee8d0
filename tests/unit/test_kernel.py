"""The kernel's pure core and the contracts' catalog: reactions, their context, refusal kinds, the catalog."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
import uuid
from datetime import date

import pytest

import contracts
from contracts.base import DomainEvent, Role
from contracts.catalog import UnknownEventType, all_models, decode
from contracts.envelope import seal
from contracts.financement.v1 import AideRefusee
from financement.domain.commands import EnregistrerLaureat
from financement.domain.decider import decider
from kernel.adapters.http import STATUS_OF_REFUSAL
from kernel.command_handler import STATES, StateCache, handle_command, load_state
from kernel.decider import DomainError, Forbidden, NotFound, RefusalKind
from kernel.memory import InMemoryEventStore
from kernel.ports import RecordedEvent
from kernel.reactor import Reaction, reaction_context
from tests.fixtures import context, laureat


def enregistrer_laureat(territoire_id: str = "t") -> EnregistrerLaureat:
    return EnregistrerLaureat(
        territoire_id=territoire_id, nom_territoire="T", region_code="32", date_decision=date(2023, 7, 1)
    )


ENVELOPE = seal(
    {
        "event_id": str(uuid.uuid4()),
        "event_type": "LaureatEnregistre",
        "schema_version": 1,
        "stream_id": "enveloppe-a",
        "stream_version": 1,
        "occurred_at": "2023-08-28T10:00:00+00:00",
        "recorded_at": "2023-08-28T10:00:01+00:00",
        "correlation_id": "corr-1",
        "causation_id": None,
        "actor": {"id": "cdc-1", "role": "INSTRUCTEUR_CDC", "scope": None},
        "producer": "tests",
        "previous_hash": None,
        "data": laureat("a").model_dump(mode="json"),
    }
)


async def _execute(*_: object) -> None:
    return None


def test_a_reaction_asks_nothing_one_or_several_commands() -> None:
    assert Reaction[int](lambda _: None, _execute).commands(laureat("a")) == []
    assert Reaction[int](lambda _: 1, _execute).commands(laureat("a")) == [1]
    assert Reaction[int](lambda _: [1, 2], _execute).commands(laureat("a")) == [1, 2]


def test_a_reaction_context_comes_from_the_message_and_is_deterministic() -> None:
    first = reaction_context("financement", "financement.instruction-events", ENVELOPE)
    again = reaction_context("financement", "financement.instruction-events", ENVELOPE)
    second_command = reaction_context("financement", "financement.instruction-events", ENVELOPE, 1)
    assert (first.actor.id, first.actor.role) == ("financement", Role.SYSTEME)
    assert (first.occurred_at, first.correlation_id, first.causation_id) == (
        ENVELOPE.occurred_at,
        "corr-1",
        str(ENVELOPE.event_id),
    )
    assert first.event_id(0) == again.event_id(0)  # a redelivery appends nothing twice
    assert first.event_id(0) != second_command.event_id(0) != context().event_id(0)


def test_every_kind_of_refusal_has_one_http_status() -> None:
    assert set(STATUS_OF_REFUSAL) == set(RefusalKind)
    assert (DomainError("x").kind, NotFound("x").kind, Forbidden("x").kind) == (
        RefusalKind.REFUSED,
        RefusalKind.NOT_FOUND,
        RefusalKind.FORBIDDEN,
    )


def _every_event_model() -> dict[str, type[DomainEvent]]:
    """Every DomainEvent declared anywhere under contracts/, by importing every module of the package."""
    for module in pkgutil.walk_packages(contracts.__path__, "contracts."):
        importlib.import_module(module.name)
    found: dict[str, type[DomainEvent]] = {}
    pending = list(DomainEvent.__subclasses__())
    while pending:
        model = pending.pop()
        pending += model.__subclasses__()
        if "event_type" in vars(model):
            latest = found.get(model.event_type)
            if latest is None or latest.schema_version < model.schema_version:
                found[model.event_type] = model
    return found


def test_the_catalog_alone_knows_every_event_type_declared_in_the_contracts() -> None:
    """Importing only contracts.catalog (as a consumer does) must know every type: none is missed because no one
    imported its module first."""
    script = "import json, contracts.catalog as c; print(json.dumps(sorted(c.all_models())))"
    alone = json.loads(
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    )
    declared = _every_event_model()
    assert alone == sorted(declared)
    assert all(all_models()[name] is model for name, model in declared.items())


def test_an_unknown_event_type_is_an_error_to_handle_not_a_silent_skip() -> None:
    try:
        decode("EvenementFutur", 1, {})
    except UnknownEventType as error:
        assert str(error) == "EvenementFutur"
    else:
        raise AssertionError("an unknown event type must raise")


async def test_reads_go_to_the_access_log_within_a_rate_limit_per_reader() -> None:
    from kernel.access import READS_PER_MINUTE, TropDeLectures, record_read
    from kernel.memory import InMemoryAccessLog

    log, reader, other = InMemoryAccessLog(), context(), context(actor_id="autre")
    for _ in range(READS_PER_MINUTE):
        await record_read(log, "dossier-x", 3, reader, "COMPLETE")
    with pytest.raises(TropDeLectures) as refused:
        await record_read(log, "dossier-x", 3, reader, "COMPLETE")
    assert STATUS_OF_REFUSAL[refused.value.kind] == 429
    await record_read(log, "dossier-x", 3, other, "COMPLETE")  # the limit is per reader
    assert len(log.reads) == READS_PER_MINUTE + 1
    assert {(r.stream_id, r.version, r.purpose) for _, r in log.reads} == {("dossier-x", 3, "COMPLETE")}


# --- commands in constant time: the folded state is kept, only newer events are read ---------------------------


class CountingStore(InMemoryEventStore):
    """The in-memory store, counting how many stored events each command had to read (and so decode)."""

    def __init__(self) -> None:
        super().__init__("financement")
        self.events_read = 0

    async def read(self, stream_id: str) -> list[RecordedEvent]:
        events = await super().read(stream_id)
        self.events_read += len(events)
        return events

    async def read_after(self, stream_id: str, version: int) -> list[RecordedEvent]:
        events = await super().read_after(stream_id, version)
        self.events_read += len(events)
        return events


def _refus(i: int) -> AideRefusee:
    return AideRefusee(
        aide_id=f"a{i}",
        projet_id=f"p{i}",
        territoire_id="t",
        montant_centimes=1,
        motif="x",
        date_decision=date(2023, 9, 1),
    )


async def test_a_command_reads_only_the_events_recorded_since_the_state_it_keeps() -> None:
    store = CountingStore()
    ctx = context(Role.BPIFRANCE_CHARGE, "bpi-1")
    first = await handle_command(store, "enveloppe-t", decider, enregistrer_laureat(), ctx)
    assert first.version == 1
    for i in range(50):  # another process grows the stream: 50 events this process never decided on
        await store.append("enveloppe-t", [_refus(i)], 1 + i, ctx)
    before = store.events_read
    again = await handle_command(store, "enveloppe-t", decider, enregistrer_laureat(), ctx)
    assert (again.version, len(again.state.refus), store.events_read - before) == (51, 50, 50)
    before = store.events_read
    for _ in range(20):  # then commands of this process: nothing more to read, whatever the stream's length
        await handle_command(store, "enveloppe-t", decider, enregistrer_laureat(), ctx)
    assert store.events_read == before
    state, version = await load_state(store, "enveloppe-t", decider)
    assert (version, state) == (51, decider.fold(r.event for r in await store.read("enveloppe-t")))  # type: ignore[misc]


async def test_a_kept_state_that_the_store_no_longer_matches_is_folded_again() -> None:
    """A conflict (the kept version is not the store's head) drops the entry: the decision is taken on the truth."""
    store = CountingStore()
    ctx = context(Role.BPIFRANCE_CHARGE, "bpi-1")
    await handle_command(store, "enveloppe-u", decider, enregistrer_laureat(territoire_id="u"), ctx)
    key = StateCache.key(store, "enveloppe-u", decider)
    STATES.put(key, decider.initial_state, 7, None)  # as if an appended transaction had rolled back under it
    decided = await handle_command(store, "enveloppe-u", decider, enregistrer_laureat(territoire_id="u"), ctx)
    assert (decided.version, decided.events) == (1, ())  # the laureate is known: nothing appended
