"""Criterion 7 [000]: « Les candidatures séparées d'intercommunalités contiguës ou relevant d'un même
périmètre de contractualisation sont de préférence à éviter ». A preference, so a deposit is accepted with
warnings: same perimeter (TI, CRTE…) as another candidature of its wave, or an EPCI already candidate in
another wave. True contiguity would need a geographic adjacency dataset of EPCIs, which Rebond lacks."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from contracts.candidature.v1 import Avertissement, MotifAvertissement


@dataclass(frozen=True, slots=True)
class Voisine:
    """Another deposited (not withdrawn) candidature that shares something with the one being deposited."""

    candidature_id: str
    vague: int
    meme_perimetre: bool
    sirens_communs: tuple[str, ...]


def cle_perimetre(perimetre: str) -> str:
    """Two spellings of one perimeter compare equal: case, accents, spaces and punctuation ignored."""
    sans_accents = unicodedata.normalize("NFKD", perimetre).encode("ascii", "ignore").decode()
    return " ".join("".join(c if c.isalnum() else " " for c in sans_accents.casefold()).split())


def avertissements(vague: int, voisines: Iterable[Voisine]) -> list[Avertissement]:
    """The warnings of a deposit in `vague`, given the candidatures it shares something with."""
    trouves: list[Avertissement] = []
    for v in sorted(voisines, key=lambda v: (v.vague, v.candidature_id)):
        if v.vague == vague and v.meme_perimetre:
            trouves.append(
                Avertissement(
                    motif=MotifAvertissement.MEME_PERIMETRE,
                    autre_candidature_id=v.candidature_id,
                    vague=v.vague,
                    detail=f"même périmètre que la candidature {v.candidature_id} de la même vague",
                )
            )
        if v.vague != vague and v.sirens_communs:
            trouves.append(
                Avertissement(
                    motif=MotifAvertissement.EPCI_AUTRE_VAGUE,
                    autre_candidature_id=v.candidature_id,
                    vague=v.vague,
                    detail=f"EPCI {', '.join(v.sirens_communs)} déjà candidat(s) avec {v.candidature_id} "
                    f"en vague {v.vague}",
                )
            )
    return trouves
