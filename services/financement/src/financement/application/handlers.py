"""Commands on a territory envelope: load its stream, decide, append with the expected version."""

from __future__ import annotations

from dataclasses import dataclass

from financement.domain.commands import AccorderAide, Command
from financement.domain.enveloppe import EnveloppeTerritoriale, decider, stream_id
from financement.domain.events import AideAccordee, AideRefusee
from kernel.command_handler import handle_command, load_state
from kernel.ports import CommandContext, EventStore, RecordedEvent


async def executer(store: EventStore, command: Command, context: CommandContext) -> list[RecordedEvent]:
    """Any envelope command; [] when it was already satisfied (idempotent)."""
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
    recorded = await executer(store, command, context)
    enveloppe, _ = await load_state(store, stream_id(command.territoire_id), decider)
    if recorded:
        decision = recorded[0].event
        assert isinstance(decision, AideAccordee | AideRefusee)
        return DecisionAide(decision, nouvelle=True, enveloppe=enveloppe)
    earlier = enveloppe.aides.get(command.aide_id) or enveloppe.refus[command.aide_id]
    return DecisionAide(earlier, nouvelle=False, enveloppe=enveloppe)
