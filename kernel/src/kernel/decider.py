"""A decider is an aggregate as two pure functions: decide(command, state) and evolve(state, event)."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Generic, TypeVar

C = TypeVar("C")
E = TypeVar("E")
S = TypeVar("S")


class DomainError(Exception):
    """A command that cannot be accepted; `reason` is a stable machine-readable code."""

    reason: str = "refused"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason


@dataclass(frozen=True, slots=True)
class Decider(Generic[C, E, S]):
    decide: Callable[[C, S], Sequence[E]]
    evolve: Callable[[S, E], S]
    initial_state: S

    def fold(self, events: Iterable[E]) -> S:
        return reduce(self.evolve, events, self.initial_state)
