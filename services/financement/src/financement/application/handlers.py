"""Commands on a territory envelope and on the programme: load the stream, decide, append with the expected version
(the kernel's handler), answered from the decision itself. An attribution or an adjustment also reserves the
State's share on the programme's fund, in the same unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from contracts.financement.v1 import FINANCEUR_ETAT
from financement.application.ports import UniteDeTravail
from financement.domain import programme
from financement.domain.aides import refus_du_jour
from financement.domain.commands import AccorderAide, AjusterEnveloppe, AttribuerEnveloppe, Command
from financement.domain.decider import decider
from financement.domain.enveloppe import EnveloppeTerritoriale, stream_id
from financement.domain.events import AideAccordee, AideRefusee, Event
from kernel.business_time import not_in_the_future
from kernel.command_handler import Decision, handle_command, load_state
from kernel.ports import CommandContext, EventStore

DecisionEnveloppe = Decision[EnveloppeTerritoriale, Event]
DATES = (
    "date_attribution",
    "date_ajustement",
    "date_decision",
    "date_signature",
    "date_versement",
    "date_solde",
    "date_remboursement",
    "date_constat",
    "date_annulation",
)


def _dates_valides(command: object, context: CommandContext) -> None:
    """The dates CDC and Bpifrance give are business dates: never before the programme, never after today."""
    for name in DATES:
        if isinstance(day := getattr(command, name, None), date):
            not_in_the_future(day, context.occurred_at, name)


async def executer(store: EventStore, command: Command, context: CommandContext) -> DecisionEnveloppe:
    """Any envelope command; a decision without events when it was already satisfied (idempotent)."""
    _dates_valides(command, context)
    return await handle_command(store, stream_id(command.territoire_id), decider, command, context)


async def engager_enveloppe(
    unite: UniteDeTravail, command: AttribuerEnveloppe | AjusterEnveloppe, context: CommandContext
) -> DecisionEnveloppe:
    """The envelope's decision and the State's share on the fund, atomically (never beyond the 90 M€)."""
    _dates_valides(command, context)
    async with unite() as store:
        decision = await handle_command(store, stream_id(command.territoire_id), decider, command, context)
        if decision.recorded:
            if isinstance(command, AttribuerEnveloppe):
                share = sum(c.montant_centimes for c in command.contributions if c.financeur == FINANCEUR_ETAT)
                jour = command.date_attribution
            else:
                share = command.delta_centimes if command.financeur == FINANCEUR_ETAT else 0
                jour = command.date_ajustement
            reservation = programme.ReserverPartEtat(
                territoire_id=command.territoire_id,
                reference=f"enveloppe-v{decision.version}",
                montant_centimes=share,
                date_reservation=jour,
            )
            await handle_command(store, programme.STREAM_ID, programme.decider, reservation, context)
        return decision


async def commander_ingenierie(
    store: EventStore, command: programme.CommanderIngenierie, context: CommandContext
) -> Decision[programme.Programme, programme.EvenementProgramme]:
    not_in_the_future(command.date_commande, context.occurred_at, "date_commande")
    return await handle_command(store, programme.STREAM_ID, programme.decider, command, context)


async def consulter_programme(store: EventStore) -> programme.Programme:
    state, _ = await load_state(store, programme.STREAM_ID, programme.decider)
    return state


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
