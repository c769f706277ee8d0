"""What can be asked of a territory envelope. Time arrives in the command (business dates)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import Centimes, FormeAide, Identifiant, RegimeAide, RegionCode, Siret
from financement.domain.events import Contribution

ASSIETTE_MINIMALE_CENTIMES = 40_000_000  # 400 000 € of eligible expenditure per project [000]


class _Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    territoire_id: Identifiant


class EnregistrerLaureat(_Command):
    """Take note that the Prime Minister selected the territory (from instruction)."""

    nom_territoire: str
    region_code: RegionCode
    date_decision: date


class EnregistrerProjetQualifie(_Command):
    """Take note that the territory's COPIL qualified a project (from instruction)."""

    projet_id: Identifiant
    siret: Siret
    assiette_estimee_centimes: Centimes


class AttribuerEnveloppe(_Command):
    """CDC sets the territory's envelope and who co-finances it."""

    montant_centimes: Annotated[int, Field(gt=0)]
    contributions: Annotated[tuple[Contribution, ...], Field(min_length=1)]
    date_attribution: date


class AccorderAide(_Command):
    """Bpifrance decides an aid to a qualified project, out of the territory's envelope."""

    aide_id: Identifiant
    projet_id: Identifiant
    forme: FormeAide
    montant_centimes: Annotated[int, Field(gt=0)]
    assiette_centimes: Annotated[int, Field(ge=ASSIETTE_MINIMALE_CENTIMES)]
    regime: RegimeAide
    date_decision: date


Command = EnregistrerLaureat | EnregistrerProjetQualifie | AttribuerEnveloppe | AccorderAide
