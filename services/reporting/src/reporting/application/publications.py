"""The publication workflow's use cases: request (the content computed now from the projection, as of a date and
as known at this moment, then frozen), clearance or refusal by each of the three, release once all three cleared
and the embargo passed (with its public copy, in one transaction), and the public reads.

A publication is verifiable: its content is recomputed from the facts as of its date and as known at its
recording time, and must give the same digest (`verifier`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from contracts.public.v1 import PublicationPublique, Validation
from contracts.reporting.v1 import Organisme
from kernel.business_time import not_in_the_future
from kernel.command_handler import Decision, handle_command, load_state
from kernel.ports import CommandContext, EventStore, StreamReader
from reporting.application.ports import FactsSource, UniteDeTravail
from reporting.domain import publication as p

DecisionPublication = Decision[p.Publication, Any]
PUBLIC_PREFIX = "public-"


async def demander(
    store: EventStore,
    facts: FactsSource,
    context: CommandContext,
    *,
    publication_id: str,
    titre: str,
    as_of: date,
    embargo_jusqu_au: datetime,
    known_at: datetime,
    positions: dict[str, int] | None = None,
) -> DecisionPublication:
    """Compute the content as of `as_of`, as the log was known at `known_at` (with `positions`, the events of each
    producer's log applied by then), and record the request."""
    not_in_the_future(as_of, context.occurred_at, "as_of")
    content = p.contenu(await facts.facts(None, as_of, known_at), as_of, await facts.aides(as_of, known_at))
    command = p.DemanderPublication(
        publication_id=publication_id,
        titre=titre,
        as_of=as_of,
        known_at=known_at,
        embargo_jusqu_au=embargo_jusqu_au,
        demandee_le=context.occurred_at,
        contenu=content,
        positions=positions or {},
    )
    return await handle_command(store, p.stream_id(publication_id), p.decider, command, context)


async def valider(
    store: EventStore, context: CommandContext, publication_id: str, organisme: Organisme, digest: str
) -> DecisionPublication:
    command = p.ValiderPublication(publication_id, organisme, digest, context.occurred_at)
    return await handle_command(store, p.stream_id(publication_id), p.decider, command, context)


async def refuser(
    store: EventStore, context: CommandContext, publication_id: str, organisme: Organisme, motif: str
) -> DecisionPublication:
    command = p.RefuserPublication(publication_id, organisme, motif, context.occurred_at)
    return await handle_command(store, p.stream_id(publication_id), p.decider, command, context)


async def etat(store: EventStore, publication_id: str) -> p.Publication:
    state, _ = await load_state(store, p.stream_id(publication_id), p.decider)
    if state.demande is None:
        raise p.PublicationInconnue(f"aucune publication {publication_id}")
    return state


async def toutes(store: StreamReader) -> list[p.Publication]:
    """Every publication, in the order of their ids."""
    streams = await store.read_streams("publication-")
    return [p.decider.fold(r.event for r in recorded) for _, recorded in sorted(streams.items())]


async def diffuser_echues(unite: UniteDeTravail, store: StreamReader, context: CommandContext) -> list[str]:
    """Release every publication cleared by all three whose embargo passed: PublicationDiffusee on its stream and
    PublicationPublique (the published language) on `public-<id>`, in one transaction. Returns the ids released."""
    released = []
    for state in await toutes(store):
        if state.demande is None or not state.diffusable(context.occurred_at):
            continue
        demande = state.demande
        async with unite() as bound:
            command = p.DiffuserPublication(demande.publication_id, context.occurred_at)
            decision = await handle_command(bound, p.stream_id(demande.publication_id), p.decider, command, context)
            if not decision.recorded:
                continue
            public = PublicationPublique(
                publication_id=demande.publication_id,
                titre=demande.titre,
                as_of=demande.as_of,
                known_at=demande.known_at,
                diffusee_le=context.occurred_at,
                validations=[Validation(organisme=o, validee_le=state.validations[o].validee_le) for o in p.ORGANISMES],
                contenu=demande.contenu,
                digest=demande.digest,
            )
            await bound.append(f"{PUBLIC_PREFIX}{demande.publication_id}", [public], 0, context)
        released.append(demande.publication_id)
    return released


async def publiques(store: StreamReader) -> list[PublicationPublique]:
    """What the public may read: the released publications, as frozen, by date of release."""
    streams = await store.read_streams(PUBLIC_PREFIX)
    found = [r.event for recorded in streams.values() for r in recorded if isinstance(r.event, PublicationPublique)]
    return sorted(found, key=lambda e: (e.diffusee_le, e.publication_id))


async def publique(store: EventStore, publication_id: str) -> PublicationPublique | None:
    recorded = await store.read(f"{PUBLIC_PREFIX}{publication_id}")
    return next((r.event for r in recorded if isinstance(r.event, PublicationPublique)), None)


@dataclass(frozen=True, slots=True)
class Verification:
    publication_id: str
    digest_publie: str
    digest_recalcule: str

    @property
    def identique(self) -> bool:
        return self.digest_publie == self.digest_recalcule


async def verifier(store: EventStore, facts: FactsSource, publication_id: str) -> Verification:
    """Recompute the content from the facts as of its date and as known at its recording time: the same digest
    means the figures are what the log said then."""
    demande = (await etat(store, publication_id)).demande
    assert demande is not None
    as_of, known_at = demande.as_of, demande.known_at
    again = p.contenu(await facts.facts(None, as_of, known_at), as_of, await facts.aides(as_of, known_at))
    return Verification(publication_id, demande.digest, p.digest(again))
