"""Commands on a territory envelope: load its stream, decide, append with the expected version (the kernel's
handler), answered from the decision itself."""

from __future__ import annotations

from dataclasses import dataclass

from financement.domain.commands import AccorderAide, AttribuerEnveloppe, Command
from financement.domain.enveloppe import EnveloppeTerritoriale, decider, refus_du_jour, stream_id
from financement.domain.events import AideAccordee, AideRefusee, Event
from kernel.business_time import not_in_the_future
from kernel.command_handler import Decision, handle_command
from kernel.ports import CommandContext, EventStore

DecisionEnveloppe = Decision[EnveloppeTerritoriale, Event]


async def executer(store: EventStore, command: Command, context: CommandContext) -> DecisionEnveloppe:
    """Any envelope command; a decision without events when it was already satisfied (idempotent).

    The dates CDC and Bpifrance give are business dates: never before the programme, never after today."""
    match command:
        case AttribuerEnveloppe():
            not_in_the_future(command.date_attribution, context.occurred_at, "date_attribution")
        case AccorderAide():
            not_in_the_future(command.date_decision, context.occurred_at, "date_decision")
    return await handle_command(store, stream_id(command.territoire_id), decider, command, context)


@dataclass(frozen=True, slots=True)
class DecisionAide:
    """The outcome of AccorderAide: granted or refused, now or by an earlier identical request."""

    decision: AideAccordee | AideRefusee
    nouvelle: bool  # False: the same decision was already recorded (a retry)
    enveloppe: EnveloppeTerritoriale

    @property
    def accordee(self) -> bool:
        return isinstance(self.decision, AideAccordee)


async def accorder_aide(store: EventStore, command: AccorderAide, context: CommandContext) -> DecisionAide:
    """Grant the aid, or record why the envelope cannot hold it; the answer says which."""
    decided = await executer(store, command, context)
    enveloppe = decided.state
    if decided.events:
        decision = decided.events[0]
        assert isinstance(decision, AideAccordee | AideRefusee)
        return DecisionAide(decision, nouvelle=True, enveloppe=enveloppe)
    earlier = enveloppe.aides.get(command.aide_id) or refus_du_jour(enveloppe, command)
    assert earlier is not None  # nothing recorded: the aid was granted or refused before
    return DecisionAide(earlier, nouvelle=False, enveloppe=enveloppe)
