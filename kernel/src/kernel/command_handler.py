"""Load, decide, append with the expected version; retry on a concurrency conflict; answer with the decision.

As Emmett's handleCommand: the handler returns the new state, the stream's version and the events it just
appended, folded from what it decided, so no caller reads the stream a second time to answer.

Commands cost the same whatever the stream's length: each process keeps the folded state and version of the streams
it decided on (`StateCache`), reads only the events recorded since (by any process), and so decodes and validates
each stored event once. A stale entry cannot mislead a decision: the append's expected version is checked by the
store, and a conflict drops the entry and folds the stream again."""

from __future__ import annotations

import asyncio
import random
import weakref
from collections import OrderedDict
from collections.abc import Iterable
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

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


CacheKey = tuple[str, str, int, str]


class StateCache:
    """The folded state, version and head hash of recently used streams, per decider's fold (evolve and initial
    state): the hash lets the next append chain to the head without reading it.

    States are immutable, so an entry is shared safely. Entries are written only from outside a caller's transaction
    (a transaction may still roll back what it appended) and dropped on a conflict; least recently used go first."""

    def __init__(self, capacity: int = 20_000) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[CacheKey, tuple[object, int, str | None]] = OrderedDict()

    @staticmethod
    def key(store: EventStore, stream_id: str, decider: Decider[Any, Any, Any]) -> CacheKey:
        """One entry per store (its `identity`, shared by the store bound to a transaction), stream and fold."""
        initial = type(decider.initial_state)
        return (str(getattr(store, "identity", id(store))), stream_id, id(decider.evolve), initial.__qualname__)

    def get(self, key: CacheKey) -> tuple[object, int, str | None] | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def put(self, key: CacheKey, state: object, version: int, head_hash: str | None) -> None:
        known = self._entries.get(key)
        if known is not None and known[1] > version:
            return  # a concurrent command of this process already folded further
        self._entries[key] = (state, version, head_hash)
        self._entries.move_to_end(key)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def drop(self, key: CacheKey) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()


STATES = StateCache()
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
            state, version, head_hash = await load_head(store, stream_id, decider)
            new_events = decider.decide(command, state)
            if not new_events:
                return Decision(state, version)
            try:
                recorded = await store.append(stream_id, new_events, version, context, head_hash)
            except DuplicateEvent:
                # this very command was already recorded (a redelivery): answer with the stream as it is
                STATES.drop(StateCache.key(store, stream_id, decider))
                state, version = await load_state(store, stream_id, decider)
                return Decision(state, version)
            except ConcurrencyError:
                STATES.drop(StateCache.key(store, stream_id, decider))
                if attempt == retries:
                    raise
                await asyncio.sleep(random.uniform(0, 0.002 * (attempt + 1)))
                continue
            after = decider.fold(new_events, state)
            if not getattr(store, "in_transaction", False):
                key = StateCache.key(store, stream_id, decider)
                STATES.put(key, after, version + len(recorded), recorded[-1].envelope.hash if recorded else head_hash)
            return Decision(after, version + len(recorded), tuple(new_events), tuple(recorded))
    raise AssertionError("unreachable")


async def load_state(store: EventStore, stream_id: str, decider: Decider[C, E, S]) -> tuple[S, int]:
    """The folded state of a stream and its version: the cached fold, advanced by the events recorded since.

    Inside a caller's transaction the cache is read but not written (the transaction may roll back)."""
    state, version, _ = await load_head(store, stream_id, decider)
    return state, version


async def load_head(store: EventStore, stream_id: str, decider: Decider[C, E, S]) -> tuple[S, int, str | None]:
    """`load_state`, with the hash of the stream's head (None for an empty stream)."""
    key = StateCache.key(store, stream_id, decider)
    cached = STATES.get(key)
    if cached is None:
        history = await store.read(stream_id)
        state, version = fold_recorded(decider, history), len(history)
        head_hash = history[-1].envelope.hash if history else None
    else:
        known, version, head_hash = cast(S, cached[0]), cached[1], cached[2]
        newer = await store.read_after(stream_id, version)
        if newer and newer[0].envelope.stream_version != version + 1:
            STATES.drop(key)  # the store does not hold what the entry assumed (it was rebuilt): fold it all again
            return await load_head(store, stream_id, decider)
        state, version = fold_recorded(decider, newer, known), version + len(newer)
        head_hash = newer[-1].envelope.hash if newer else head_hash
    if not getattr(store, "in_transaction", False):
        STATES.put(key, state, version, head_hash)
    return state, version, head_hash


def fold_recorded(decider: Decider[C, E, S], history: Iterable[RecordedEvent], state: S | None = None) -> S:
    """The state after a stream's recorded events (from `state`, the initial state by default).

    The store hands back whatever the stream holds as DomainEvents; the decider's evolve is total over its
    stream's event types (the cast states that contract, it does not check it)."""
    return decider.fold((cast(E, r.event) for r in history), state)
