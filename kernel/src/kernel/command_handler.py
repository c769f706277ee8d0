"""Load, decide, append with the expected version; retry on a concurrency conflict."""

from __future__ import annotations

import asyncio
import random
import weakref
from collections.abc import Sequence
from typing import TypeVar

from kernel.decider import Decider
from kernel.ports import CommandContext, ConcurrencyError, DuplicateEvent, EventStore, RecordedEvent

C = TypeVar("C")
S = TypeVar("S")


_STREAM_LOCKS: weakref.WeakValueDictionary[tuple[int, str], asyncio.Lock] = weakref.WeakValueDictionary()


def stream_lock(store: EventStore, stream_id: str) -> asyncio.Lock:
    """One lock per stream in this process: local writers queue instead of colliding; writers in other
    processes are still caught by optimistic concurrency."""
    key = (id(getattr(store, "pool", store)), stream_id)
    lock = _STREAM_LOCKS.get(key)
    if lock is None:
        lock = _STREAM_LOCKS[key] = asyncio.Lock()
    return lock


async def handle_command(
    store: EventStore,
    stream_id: str,
    decider: Decider[C, object, S],
    command: C,
    context: CommandContext,
    retries: int = 20,
) -> list[RecordedEvent]:
    """Decide on the current state and append; [] when the command is already satisfied.

    A conflict means another writer moved the stream: decide again on the new state, with a short
    jittered backoff so that many concurrent writers converge."""
    async with stream_lock(store, stream_id):
        return await _decide_and_append(store, stream_id, decider, command, context, retries)


async def _decide_and_append(
    store: EventStore,
    stream_id: str,
    decider: Decider[C, object, S],
    command: C,
    context: CommandContext,
    retries: int,
) -> list[RecordedEvent]:
    for attempt in range(retries + 1):
        history = await store.read(stream_id)
        state = decider.fold(r.event for r in history)
        new_events: Sequence[object] = decider.decide(command, state)
        if not new_events:
            return []
        try:
            return await store.append(stream_id, new_events, len(history), context)  # type: ignore[arg-type]
        except DuplicateEvent:
            return []  # this very command was already recorded (redelivery)
        except ConcurrencyError:
            if attempt == retries:
                raise
            await asyncio.sleep(random.uniform(0, 0.002 * (attempt + 1)))
    raise AssertionError("unreachable")


async def load_state(store: EventStore, stream_id: str, decider: Decider[C, object, S]) -> tuple[S, int]:
    """The folded state of a stream and its version (for queries)."""
    history = await store.read(stream_id)
    return decider.fold(r.event for r in history), len(history)
