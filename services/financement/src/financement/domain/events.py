"""The envelope's events. They are the published contract itself (contracts.financement.v1): every
recorded event is published by the outbox relay, so the contract IS the domain's event (documented decision)."""

from __future__ import annotations

from contracts.financement.v1 import (
    SEUIL_PUBLICATION_CENTIMES,
    AideAccordee,
    AideRefusee,
    Contribution,
    EnveloppeTerritorialeAttribuee,
    LaureatEnregistre,
    ProjetQualifieEnregistre,
)

Event = LaureatEnregistre | EnveloppeTerritorialeAttribuee | ProjetQualifieEnregistre | AideAccordee | AideRefusee

__all__ = [
    "SEUIL_PUBLICATION_CENTIMES",
    "AideAccordee",
    "AideRefusee",
    "Contribution",
    "EnveloppeTerritorialeAttribuee",
    "Event",
    "LaureatEnregistre",
    "ProjetQualifieEnregistre",
]
