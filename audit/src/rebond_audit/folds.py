"""Each stream type's fold (initial state, evolve), taken from the services' pure domains: the auditor shows an
aggregate's state after each of its events exactly as the service computes it."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from enum import Enum
from typing import Any

from pydantic import BaseModel

from candidature.domain import ami, etat, vague
from financement.domain import enveloppe, programme
from instruction.mission.domain import mission
from instruction.projets.domain import projet, recensement
from instruction.selection.domain import dossier

Fold = tuple[Any, Callable[[Any, Any], Any]]

FOLDS: dict[str, Fold] = {
    "candidature": (etat.Candidature(), etat.evolve),
    "vague": (vague.Vague(), vague.evolve),
    "ami": (ami.AMI(), ami.evolve),
    "dossier": (dossier.Dossier(), dossier.evolve),
    "mission": (mission.Mission(), mission.evolve),
    "recensement": (recensement.Recensement(), recensement.evolve),
    "projet": (projet.Projet(), projet.evolve),
    "enveloppe": (enveloppe.EnveloppeTerritoriale(), enveloppe.evolve),
    "programme": (programme.Programme(), programme.evolve),
}


def fold_for(stream_id: str) -> Fold:
    prefix = stream_id.split("-", 1)[0]
    try:
        return FOLDS[prefix]
    except KeyError:
        raise LookupError(f"no aggregate for stream type {prefix!r}") from None


def plain(value: Any) -> Any:
    """A state as JSON-ready data (dataclasses, pydantic models, enums, dates, sets)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(plain(k)): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((plain(v) for v in value), key=lambda v: json.dumps(v, default=str, sort_keys=True))
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
