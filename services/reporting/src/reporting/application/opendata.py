"""The open data: the register of aids in the SCDL « subventions » format (internally all of it, as of any date and
as known at any time; publicly the subsidies of the latest cleared publication), and the public tables of a cleared
publication. The public side reads only what was released, as frozen when it was cleared."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from contracts.public.v1 import PublicationPublique
from kernel.ports import EventStore, StreamReader
from reporting.application import publications
from reporting.application.ports import FactsSource
from reporting.domain import scdl, tables


async def registre(
    facts: FactsSource, attribuant: scdl.Attribuant, as_of: date | None, known_at: datetime | None
) -> list[dict[str, str]]:
    """Every subsidy granted by the date, as the log was known at `known_at`: the internal register."""
    return scdl.lignes(await facts.aides(as_of, known_at), attribuant)


class PublicLog(EventStore, StreamReader, Protocol):
    """Reporting's log, read one stream at a time (a named publication) or by stream type (all of them)."""


async def derniere_publique(store: PublicLog, publication_id: str | None = None) -> PublicationPublique | None:
    """The publication named, if public; else the latest released one (None when nothing is public yet)."""
    if publication_id is not None:
        return await publications.publique(store, publication_id)
    found = await publications.publiques(store)
    return found[-1] if found else None


def registre_public(publication: PublicationPublique, attribuant: scdl.Attribuant) -> list[dict[str, str]]:
    """The subsidies a cleared publication lists (500 000 € and more per project), in the SCDL format."""
    aides = [scdl.AideAttribuee.from_json(a) for a in publication.contenu.get("aides_publiees", [])]
    return scdl.lignes(aides, attribuant)


def table_publique(publication: PublicationPublique, name: str) -> tables.Table:
    return tables.BUILDERS[name](publication.contenu)
