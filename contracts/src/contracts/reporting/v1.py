"""The publication workflow (stream `publication-<id>`, topic reporting.publication.v1, internal and confidential):
« Toute opération de communication est concertée avec le SGPI, la Caisse des Dépôts … et la délégation aux
territoires d'industrie » [000]. A publication (figures and names as of a date) is requested with its frozen
content and its digest, cleared by each of the three in its role, and made public from its embargo on
(DOMAIN-REFERENCE §7)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import AwareDatetime, Field

from contracts.base import DateProgramme, DomainEvent, Identifiant
from contracts.registry import register, upcaster

Titre = Annotated[str, Field(min_length=1, max_length=200)]
Motif = Annotated[str, Field(min_length=1, max_length=2000)]
Digest = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="sha256 of the content's canonical JSON")]


class Organisme(StrEnum):
    """Who clears a public communication [000]."""

    SGPI = "SGPI"
    CDC = "CDC"
    DTI = "DTI"


@register
class PublicationDemandeeV1(DomainEvent):
    """Version 1 (released): a request that named its recording time but not its log positions."""

    event_type = "PublicationDemandee"
    publication_id: Identifiant
    titre: Titre
    as_of: DateProgramme
    known_at: AwareDatetime
    embargo_jusqu_au: AwareDatetime
    demandee_le: AwareDatetime
    contenu: dict[str, Any]
    digest: Digest


@register
class PublicationDemandee(DomainEvent):
    """A publication asked for: its content computed from the log as of `as_of` (business date) and as known at
    `known_at` (recording time), frozen here with its digest, to be public from `embargo_jusqu_au` once cleared
    (version 2). `positions`: how many events of each producer's log the projection had applied when it was
    computed (a place in each log an auditor checks: rebond-audit figures)."""

    event_type = "PublicationDemandee"
    schema_version = 2
    publication_id: Identifiant
    titre: Titre
    as_of: DateProgramme
    known_at: AwareDatetime
    embargo_jusqu_au: AwareDatetime
    demandee_le: AwareDatetime
    contenu: dict[str, Any]
    digest: Digest
    positions: dict[Identifiant, Annotated[int, Field(ge=0)]]


@upcaster("PublicationDemandee", 1)
def _demande_v1_vers_v2(data: dict[str, Any]) -> dict[str, Any]:
    """A v1 request recorded no log positions."""
    return {**data, "positions": {}}


@register
class PublicationValidee(DomainEvent):
    """One of the three cleared the publication, naming the digest it read (a clearance is of those very bytes)."""

    event_type = "PublicationValidee"
    publication_id: Identifiant
    organisme: Organisme
    digest: Digest
    validee_le: AwareDatetime


@register
class PublicationRefusee(DomainEvent):
    """One of the three refused: the publication will never be public."""

    event_type = "PublicationRefusee"
    publication_id: Identifiant
    organisme: Organisme
    motif: Motif
    refusee_le: AwareDatetime


@register
class PublicationDiffusee(DomainEvent):
    """Cleared by all three and its embargo passed: public from now on (PublicationPublique on the public topic)."""

    event_type = "PublicationDiffusee"
    publication_id: Identifiant
    diffusee_le: AwareDatetime
