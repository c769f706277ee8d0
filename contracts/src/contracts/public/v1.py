"""The public topic (public.publications.v1): the published language for downstream systems. Each event is one
publication the SGPI, the CDC and the DTI cleared, as it was frozen when requested (its digest lets anyone check
the bytes), from its embargo on. Nothing else of the programme's topics reaches it: no dossier, no opinion, no
company-level amount but those the law requires to publish (aids of 500 000 € and more per project)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict

from contracts.base import DomainEvent, Identifiant
from contracts.envelope import EventEnvelope
from contracts.registry import register
from contracts.reporting.v1 import Digest, Organisme, Titre


class Validation(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    organisme: Organisme
    validee_le: AwareDatetime


@register
class PublicationPublique(DomainEvent):
    """A cleared publication, public from `diffusee_le`: its content (figures in integer cents, laureates' names,
    the aids the law requires to publish), the dates it was computed for, its digest and who cleared it."""

    event_type = "PublicationPublique"
    publication_id: Identifiant
    titre: Titre
    as_of: date
    known_at: AwareDatetime
    diffusee_le: AwareDatetime
    validations: list[Validation]
    contenu: dict[str, Any]
    digest: Digest


class MessagePublic(EventEnvelope):
    """A message of public.publications.v1 as a subscriber receives it: the envelope (keyed by its stream,
    `public-<publication_id>`; headers content-type, event_type, schema_version, correlation_id) whose payload is a
    PublicationPublique; `signature` is reporting's Ed25519 signature of `hash` (check it with reporting's public
    key: a message that does not prove it came from reporting is not a publication)."""

    data: PublicationPublique  # type: ignore[assignment]
