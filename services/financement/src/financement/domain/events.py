"""The envelope's events. They are the published contract itself (contracts.financement.v1): every
recorded event is published by the outbox relay, so the contract IS the domain's event (documented decision)."""

from __future__ import annotations

from contracts.financement.v1 import (
    SEUIL_PUBLICATION_CENTIMES,
    AideAccordee,
    AideAnnulee,
    AideRefusee,
    AideSoldee,
    Contribution,
    ConventionAideSignee,
    EcheanceImpayee,
    EcheancierFixe,
    EnveloppeTerritorialeAjustee,
    EnveloppeTerritorialeAttribuee,
    InstructionAideEnregistree,
    LaureatEnregistre,
    ProjetQualifieEnregistre,
    RemboursementRecu,
    VersementEffectue,
)

Event = (
    LaureatEnregistre
    | EnveloppeTerritorialeAttribuee
    | EnveloppeTerritorialeAjustee
    | ProjetQualifieEnregistre
    | InstructionAideEnregistree
    | AideAccordee
    | AideRefusee
    | ConventionAideSignee
    | VersementEffectue
    | AideSoldee
    | EcheancierFixe
    | RemboursementRecu
    | EcheanceImpayee
    | AideAnnulee
)

__all__ = [
    "SEUIL_PUBLICATION_CENTIMES",
    "AideAccordee",
    "AideAnnulee",
    "AideRefusee",
    "AideSoldee",
    "Contribution",
    "ConventionAideSignee",
    "EcheanceImpayee",
    "EcheancierFixe",
    "EnveloppeTerritorialeAjustee",
    "EnveloppeTerritorialeAttribuee",
    "Event",
    "InstructionAideEnregistree",
    "LaureatEnregistre",
    "ProjetQualifieEnregistre",
    "RemboursementRecu",
    "VersementEffectue",
]
