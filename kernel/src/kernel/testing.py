"""given/when/then for deciders (pure: no store, no clock)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kernel.decider import Decider, DomainError


@dataclass(frozen=True)
class _When:
    decider: Decider[Any, Any, Any]
    history: Sequence[Any]
    command: Any

    def then(self, *expected: Any) -> None:
        state = self.decider.fold(self.history)
        assert list(self.decider.decide(self.command, state)) == list(expected)

    def then_refused(self, error: type[DomainError], reason: str | None = None) -> DomainError:
        state = self.decider.fold(self.history)
        try:
            self.decider.decide(self.command, state)
        except error as refused:
            if reason is not None:
                assert refused.reason == reason, f"refused for {refused.reason!r}, expected {reason!r}"
            return refused
        raise AssertionError(f"expected {error.__name__}, the command was accepted")


@dataclass(frozen=True)
class _Given:
    decider: Decider[Any, Any, Any]
    history: Sequence[Any]

    def when(self, command: Any) -> _When:
        return _When(self.decider, self.history, command)


def given(decider: Decider[Any, Any, Any], *history: Any) -> _Given:
    return _Given(decider, history)
