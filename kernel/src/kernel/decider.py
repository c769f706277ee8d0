"""A decider is an aggregate as two pure functions: decide(command, state) and evolve(state, event).

A command the domain cannot accept raises a DomainError that names the refusal (a stable `reason` code and
the `details` a client needs to act on it). Its kind (refused, not found, forbidden) says what sort of
refusal it is; the HTTP adapter (kernel.adapters.http) turns kinds into status codes, the domain never does."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import reduce
from typing import Any, Generic, TypeVar

C = TypeVar("C")
E = TypeVar("E")
S = TypeVar("S")


class RefusalKind(StrEnum):
    REFUSED = "refused"  # the request contradicts the current state or a rule
    NOT_FOUND = "not_found"  # nothing the caller may know of exists (also what a hidden thing answers)
    FORBIDDEN = "forbidden"  # the caller's role is allowed, but not on this very thing
    INVALID = "invalid"  # a value of the request cannot be right whatever the state (a date in the future)
    RATE_LIMITED = "rate_limited"  # too many requests of this kind by this caller: later


class DomainError(Exception):
    """A command that cannot be accepted; `reason` is a stable machine-readable code, `details` what a client
    needs to act on it (answered as fields beside the reason)."""

    reason: str = "refused"
    kind: RefusalKind = RefusalKind.REFUSED

    def __init__(self, message: str, *, reason: str | None = None, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason
        self.details: dict[str, Any] = dict(details or {})


class NotFound(DomainError):
    """What the caller asks about does not exist for it (missing, or hidden from it: the same answer)."""

    reason = "not_found"
    kind = RefusalKind.NOT_FOUND


class Forbidden(DomainError):
    """The caller's role may do this in general, but not on this thing (another territory, an expert not
    designated)."""

    reason = "forbidden"
    kind = RefusalKind.FORBIDDEN


class Invalid(DomainError):
    """A value of the request is wrong in itself (answered like a validation error, naming the field)."""

    reason = "entree_invalide"
    kind = RefusalKind.INVALID

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, details={"field": field})


@dataclass(frozen=True, slots=True)
class Decider(Generic[C, E, S]):
    decide: Callable[[C, S], Sequence[E]]
    evolve: Callable[[S, E], S]
    initial_state: S

    def fold(self, events: Iterable[E], state: S | None = None) -> S:
        """The state after `events`, from `state` (the initial state by default)."""
        return reduce(self.evolve, events, self.initial_state if state is None else state)
