"""A decider is an aggregate as two pure functions: decide(command, state) and evolve(state, event)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any, Generic, TypeVar

C = TypeVar("C")
E = TypeVar("E")
S = TypeVar("S")


class DomainError(Exception):
    """A command that cannot be accepted; `reason` is a stable machine-readable code, `details` what a client
    needs to act on it (answered as fields beside the reason), `status_code` the HTTP answer (409 unless a
    refusal says otherwise, e.g. 404 for what the caller may not know exists)."""

    reason: str = "refused"
    status_code: int = 409

    def __init__(self, message: str, *, reason: str | None = None, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason
        self.details: dict[str, Any] = dict(details or {})


@dataclass(frozen=True, slots=True)
class Decider(Generic[C, E, S]):
    decide: Callable[[C, S], Sequence[E]]
    evolve: Callable[[S, E], S]
    initial_state: S

    def fold(self, events: Iterable[E]) -> S:
        return reduce(self.evolve, events, self.initial_state)
