"""Load, decide, append with the expected version; retry on a concurrency conflict; answer with the decision.

As Emmett's handleCommand: the handler returns the new state, the stream's version and the events it just
appended, folded from what it decided, so no caller reads the stream a second time to answer."""

from __future__ import annotations

import asyncio
import random
import weakref
from collections.abc import Iterable
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from typing import Generic, TypeVar, cast

from contracts.base import DomainEvent
from kernel.decider import Decider
from kernel.ports import CommandContext, ConcurrencyError, DuplicateEvent, EventStore, RecordedEvent

C = TypeVar("C")
E = TypeVar("E", bound=DomainEvent)
S = TypeVar("S")


@dataclass(frozen=True, slots=True)
class Decision(Generic[S, E]):
    """What a command did to its stream: the state and version after it, and the events it appended
    (none when the command was already satisfied: a retry, a redelivery, an idempotent repeat)."""

    state: S
    version: int
    events: tuple[E, ...] = ()
    recorded: tuple[RecordedEvent, ...] = ()

    @property
    def created(self) -> bool:
        """True when this command recorded something (HTTP 201), False when it was already done (200)."""
        return bool(self.recorded)


_STREAM_LOCKS: weakref.WeakValueDictionary[tuple[int, str], asyncio.Lock] = weakref.WeakValueDictionary()


def stream_lock(store: EventStore, stream_id: str) -> AbstractAsyncContextManager[object]:
    """One lock per stream in this process: local writers queue instead of colliding; writers in other
    processes are still caught by optimistic concurrency.

    A store bound to a caller's transaction takes no lock: that transaction may already hold the events
    table's lock (after a first append), and waiting for a request that itself waits for that table lock
    would deadlock. Optimistic concurrency alone keeps it correct."""
    if getattr(store, "in_transaction", False):
        return nullcontext()
    key = (id(getattr(store, "pool", store)), stream_id)
    lock = _STREAM_LOCKS.get(key)
    if lock is None:
        lock = _STREAM_LOCKS[key] = asyncio.Lock()
    return lock


async def handle_command(
    store: EventStore,
    stream_id: str,
    decider: Decider[C, E, S],
    command: C,
    context: CommandContext,
    retries: int = 20,
) -> Decision[S, E]:
    """Decide on the current state and append; a decision with no events when the command is already
    satisfied.

    A conflict means another writer moved the stream: decide again on the new state, with a short
    jittered backoff so that many concurrent writers converge."""
    async with stream_lock(store, stream_id):
        for attempt in range(retries + 1):
            state, version = await load_state(store, stream_id, decider)
            new_events = decider.decide(command, state)
            if not new_events:
                return Decision(state, version)
            try:
                recorded = await store.append(stream_id, new_events, version, context)
            except DuplicateEvent:
                # this very command was already recorded (a redelivery): answer with the stream as it is
                state, version = await load_state(store, stream_id, decider)
                return Decision(state, version)
            except ConcurrencyError:
                if attempt == retries:
                    raise
                await asyncio.sleep(random.uniform(0, 0.002 * (attempt + 1)))
                continue
            return Decision(
                decider.fold(new_events, state), version + len(recorded), tuple(new_events), tuple(recorded)
            )
    raise AssertionError("unreachable")


async def load_state(store: EventStore, stream_id: str, decider: Decider[C, E, S]) -> tuple[S, int]:
    """The folded state of a stream and its version."""
    history = await store.read(stream_id)
    return fold_recorded(decider, history), len(history)


def fold_recorded(decider: Decider[C, E, S], history: Iterable[RecordedEvent]) -> S:
    """The state after a stream's recorded events.

    The store hands back whatever the stream holds as DomainEvents; the decider's evolve is total over its
    stream's event types (the cast states that contract, it does not check it)."""
    return decider.fold(cast(E, r.event) for r in history)
