"""A reactor is a pure function from another service's event to the command(s) it asks of this service.

The kernel hands the reactor's commands their context: the service's system actor, the business time,
correlation and causation of the message, and a deterministic idempotency key, so that a redelivered message
appends nothing twice. A reactor never builds any of these itself."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from contracts.base import DomainEvent, Role
from contracts.envelope import Actor, EventEnvelope
from kernel.ports import CommandContext, EventStore

C = TypeVar("C")

# event -> the command it asks for, or nothing; or several commands (a wave's relève freezes each of its dossiers)
Reactor = Callable[[DomainEvent], C | Sequence[C] | None]
# how the service executes one of its commands (its application layer's handler)
Execute = Callable[[EventStore, C, CommandContext], Awaitable[Any]]


@dataclass(frozen=True)  # no slots: Reaction[C](…) sets __orig_class__ on the instance
class Reaction(Generic[C]):
    """A reactor and the handler that executes its commands, for one command type: write `Reaction[Commande](…)`
    (mypy cannot infer a union of command types from both functions at once)."""

    reactor: Reactor[C]
    execute: Execute[C]

    def commands(self, event: DomainEvent) -> list[C]:
        """What the event asks, as a list (a command model is never itself a sequence)."""
        asked = self.reactor(event)
        if asked is None:
            return []
        if isinstance(asked, Sequence):
            return list(asked)
        return [asked]


def system_actor(service: str) -> Actor:
    """The actor of what a service records on its own initiative (reactions, watchers)."""
    return Actor(id=service, role=Role.SYSTEME)


def reaction_context(service: str, consumer: str, envelope: EventEnvelope, index: int = 0) -> CommandContext:
    """Business time, correlation and causation come from the message; the consumer, the message's id and the
    command's rank in the reaction make the appended events' ids deterministic."""
    return CommandContext(
        actor=system_actor(service),
        occurred_at=envelope.occurred_at,
        correlation_id=envelope.correlation_id,
        causation_id=str(envelope.event_id),
        idempotency_key=f"{consumer}:{envelope.event_id}:{index}",
    )
