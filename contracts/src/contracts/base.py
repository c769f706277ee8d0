"""Base class of all events and the shared value types (money, identifiers, roles)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from stdnum.fr import siren as _siren
from stdnum.fr import siret as _siret


class DomainEvent(BaseModel):
    """A fact; `event_type` is its stable stored name, `schema_version` its shape."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1


@lru_cache(maxsize=65_536)
def _compact_if_valid(kind: str, value: str) -> str | None:
    """python-stdnum's check, remembered: every event read validates its SIRENs and SIRETs again, and the same
    companies come back in event after event (stdnum's check is ~80 µs; a hit, well under 1 µs)."""
    module = _siren if kind == "siren" else _siret
    compact = module.compact(value)
    return compact if module.is_valid(compact) else None


def _checked(kind: str, value: str, why: str) -> str:
    compact = _compact_if_valid(kind, value) if len(value) <= 32 else None  # no long text kept in the cache
    if compact is None:
        raise ValueError(f"{kind.upper()} invalide: {value!r} ({why})")
    return compact


def _valid_siren(value: str) -> str:
    return _checked("siren", value, "9 chiffres, clé de Luhn")


def _valid_siret(value: str) -> str:
    return _checked("siret", value, "14 chiffres, clé de Luhn")


Siren = Annotated[str, AfterValidator(_valid_siren)]
Siret = Annotated[str, AfterValidator(_valid_siret)]
Centimes = Annotated[int, Field(ge=0, description="Montant exact en centimes d'euro")]
NumeroVague = Annotated[int, Field(ge=1, le=13)]  # the AMI's 13 waves (relèves) [000]
Identifiant = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")]

# Bounds of what enters (commands): every value the log accepts must be one every consumer and projection can store,
# forever (PostgreSQL bigint and integer, JSON's exact integers up to 2^53). Strict: "100", 100.0 and true are not
# amounts. Released event schemas keep their own (looser) types: what they carry comes through these.
MAX_CENTIMES = 10**13  # 100 Md€: a thousand times the 90 M€ fund, far below bigint and 2^53
MAX_EMPLOIS = 1_000_000
MontantCentimes = Annotated[
    int, Field(strict=True, gt=0, le=MAX_CENTIMES, description="Montant exact en centimes d'euro (entier)")
]
NombreEmplois = Annotated[int, Field(strict=True, ge=0, le=MAX_EMPLOIS)]
# The programme's window: the AMI was announced in August 2022 [001]; repayments of advances run years after its
# close (01/10/2026 [000]). A decision is also never in the business future (kernel.business_time).
DEBUT_PROGRAMME = date(2022, 8, 1)
FIN_PROGRAMME = date(2040, 12, 31)


def _within_programme(value: date) -> date:
    if not DEBUT_PROGRAMME <= value <= FIN_PROGRAMME:
        raise ValueError(f"hors de la fenêtre du programme ({DEBUT_PROGRAMME} – {FIN_PROGRAMME}): {value}")
    return value


DateProgramme = Annotated[date, AfterValidator(_within_programme)]

# Codes of the 18 regions in the COG (Code officiel géographique), INSEE.
REGIONS_COG: dict[str, str] = {
    "01": "Guadeloupe",
    "02": "Martinique",
    "03": "Guyane",
    "04": "La Réunion",
    "06": "Mayotte",
    "11": "Île-de-France",
    "24": "Centre-Val de Loire",
    "27": "Bourgogne-Franche-Comté",
    "28": "Normandie",
    "32": "Hauts-de-France",
    "44": "Grand Est",
    "52": "Pays de la Loire",
    "53": "Bretagne",
    "75": "Nouvelle-Aquitaine",
    "76": "Occitanie",
    "84": "Auvergne-Rhône-Alpes",
    "93": "Provence-Alpes-Côte d'Azur",
    "94": "Corse",
}


def _valid_region(value: str) -> str:
    if value not in REGIONS_COG:
        raise ValueError(f"code région COG inconnu: {value!r}")
    return value


RegionCode = Annotated[str, AfterValidator(_valid_region)]


class Role(StrEnum):
    """Who acts (DOMAIN-REFERENCE §7 role sketch). EPCI_CANDIDAT, COPIL_MEMBRE, PRESTATAIRE and
    PORTEUR_PROJET act within a scope (their territory or project); the others are national."""

    EPCI_CANDIDAT = "EPCI_CANDIDAT"
    INSTRUCTEUR_CDC = "INSTRUCTEUR_CDC"
    DTI_ANCT = "DTI_ANCT"
    EXPERT_EXTERNE = "EXPERT_EXTERNE"
    COMITE_MINISTERIEL = "COMITE_MINISTERIEL"
    SGPI = "SGPI"
    PM_CABINET = "PM_CABINET"
    COPIL_MEMBRE = "COPIL_MEMBRE"
    PRESTATAIRE = "PRESTATAIRE"
    BPIFRANCE_CHARGE = "BPIFRANCE_CHARGE"
    PORTEUR_PROJET = "PORTEUR_PROJET"
    SYSTEME = "SYSTEME"


class FormeAide(StrEnum):
    SUBVENTION = "SUBVENTION"
    AVANCE_REMBOURSABLE = "AVANCE_REMBOURSABLE"


class RegimeAide(StrEnum):
    """State-aid regimes named in the cahier des charges [000]."""

    REPRISE_DURABLE_SA102077 = "REPRISE_DURABLE_SA102077"
    AFR = "AFR"
    PME = "PME"
    ENVIRONNEMENT = "ENVIRONNEMENT"
