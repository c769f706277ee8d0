"""The open-data register of aids in the SCDL « subventions » format, version 2.1.1 (schema.data.gouv.fr, the
Socle Commun des Données Locales; its Table Schema is `scdl_subventions_2.1.1.json` beside this module).

Pure: the aids come from the projection as of a date; this module decides what each column says, in a
deterministic order (date of the convention, then beneficiary, then reference), so the same facts always give the
same bytes. One row per aid and beneficiary: an aid of this programme has one beneficiary establishment (its
SIRET), so `pourcentageSubvention` is 1.00. Only subsidies are subventions: a repayable advance is a loan and is
published in the register of aids of 500 000 € and more (reporting.domain.publication), not here.

What each column says, and why:
- nomAttribuant, idAttribuant: the body that grants (settings `REBOND_SCDL_NOM_ATTRIBUANT`, `…_ID_ATTRIBUANT`).
- dateConvention: the convention's signature (ConventionAideSignee); before it is signed, the grant's decision.
- referenceDecision: the aid's id, the reference of the decision in the programme's log.
- nomBeneficiaire, idBeneficiaire: the company's name from the census (ProjetRecense) and the SIRET of the grant.
- objet: the project's title, at most 256 characters, prefixed with the programme's name.
- montant: what is granted, less what a final statement reduced and a cancellation freed, in euros (2 decimals).
- conditionsVersement: « unique » once closed with a single payment, « échelonné » otherwise (tranches against
  expenditure statements, financement.domain.politique).
- datesPeriodeVersement: the first payment's date, or the period from the first to the last; before any payment,
  the decision's date (from which payments may be made).
- notificationUE: « oui » for the scheme notified to the Commission (SA.102077), « non » for the exempted ones.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from stdnum.fr import siret as stdnum_siret

from contracts.base import FormeAide, RegimeAide

VERSION = "2.1.1"
FIELDS = (
    "nomAttribuant",
    "idAttribuant",
    "dateConvention",
    "referenceDecision",
    "nomBeneficiaire",
    "idBeneficiaire",
    "rnaBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
    "dispositifAide",
)
OBJET_MAX = 256
PROGRAMME = "AMI Rebond industriel (France 2030)"
REGIMES_NOTIFIES = frozenset({RegimeAide.REPRISE_DURABLE_SA102077.value})


@dataclass(frozen=True, slots=True)
class Attribuant:
    nom: str
    siret: str

    def __post_init__(self) -> None:
        if not self.nom.strip():
            raise ValueError("the attribuant needs a name")
        if not stdnum_siret.is_valid(self.siret):
            raise ValueError(f"the attribuant's SIRET {self.siret!r} is not a valid SIRET")


@dataclass(frozen=True, slots=True)
class AideAttribuee:
    """An aid as the register shows it, as of a date (reporting.adapters.facts_aides_sql reads it)."""

    territoire_id: str
    aide_id: str
    projet_id: str
    forme: str
    regime: str
    siret: str
    beneficiaire: str  # '' when the census did not name the company
    intitule: str
    date_decision: date
    date_convention: date | None
    montant_accorde_centimes: int
    rendu_centimes: int  # reductions and cancellations by the date
    versements: tuple[date, ...]  # the dates of the tranches paid by the date, in order
    soldee: bool
    publication_obligatoire: bool

    @property
    def montant_centimes(self) -> int:
        return self.montant_accorde_centimes - self.rendu_centimes

    def as_json(self) -> dict[str, Any]:
        """What a publication freezes of it (JSON: dates as ISO strings)."""
        return {
            "territoire_id": self.territoire_id,
            "aide_id": self.aide_id,
            "projet_id": self.projet_id,
            "forme": self.forme,
            "regime": self.regime,
            "siret": self.siret,
            "beneficiaire": self.beneficiaire,
            "intitule": self.intitule,
            "date_decision": self.date_decision.isoformat(),
            "date_convention": self.date_convention.isoformat() if self.date_convention else None,
            "montant_accorde_centimes": self.montant_accorde_centimes,
            "rendu_centimes": self.rendu_centimes,
            "versements": [day.isoformat() for day in self.versements],
            "soldee": self.soldee,
            "publication_obligatoire": self.publication_obligatoire,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AideAttribuee:
        convention = data.get("date_convention")
        return cls(
            territoire_id=str(data["territoire_id"]),
            aide_id=str(data["aide_id"]),
            projet_id=str(data["projet_id"]),
            forme=str(data["forme"]),
            regime=str(data["regime"]),
            siret=str(data["siret"]),
            beneficiaire=str(data["beneficiaire"]),
            intitule=str(data["intitule"]),
            date_decision=date.fromisoformat(data["date_decision"]),
            date_convention=date.fromisoformat(convention) if convention else None,
            montant_accorde_centimes=int(data["montant_accorde_centimes"]),
            rendu_centimes=int(data["rendu_centimes"]),
            versements=tuple(date.fromisoformat(day) for day in data["versements"]),
            soldee=bool(data["soldee"]),
            publication_obligatoire=bool(data["publication_obligatoire"]),
        )


def euros(centimes: int) -> str:
    """Centimes as euros with the point as decimal separator, exactly (SCDL: « 47800.20 »)."""
    return f"{Decimal(centimes) / 100:.2f}"


def objet(aide: AideAttribuee) -> str:
    text = f"{PROGRAMME} : {aide.intitule}" if aide.intitule else f"{PROGRAMME} : projet {aide.projet_id}"
    return text if len(text) <= OBJET_MAX else text[: OBJET_MAX - 1] + "…"


def periode(aide: AideAttribuee) -> str:
    if not aide.versements:
        return aide.date_decision.isoformat()
    first, last = aide.versements[0], aide.versements[-1]
    return first.isoformat() if first == last else f"{first.isoformat()}/{last.isoformat()}"


def ligne(aide: AideAttribuee, attribuant: Attribuant) -> dict[str, str]:
    """One row of the register, every column a string as the CSV carries it ('' for an empty optional field)."""
    unique = aide.soldee and len(aide.versements) == 1
    return {
        "nomAttribuant": attribuant.nom,
        "idAttribuant": attribuant.siret,
        "dateConvention": (aide.date_convention or aide.date_decision).isoformat(),
        "referenceDecision": aide.aide_id,
        "nomBeneficiaire": aide.beneficiaire or f"établissement {aide.siret}",
        "idBeneficiaire": aide.siret,
        "rnaBeneficiaire": "",
        "objet": objet(aide),
        "montant": euros(aide.montant_centimes),
        "nature": "aide en numéraire",
        "conditionsVersement": "unique" if unique else "échelonné",
        "datesPeriodeVersement": periode(aide),
        "idRAE": "",
        "notificationUE": "oui" if aide.regime in REGIMES_NOTIFIES else "non",
        "pourcentageSubvention": "1.00",
        "dispositifAide": "",
    }


def lignes(aides: Iterable[AideAttribuee], attribuant: Attribuant) -> list[dict[str, str]]:
    """The register's rows: the subsidies still worth something, in the register's deterministic order (a grant
    projected before its SIRET was, siret '', waits for a rebuild of the projection to be listed)."""
    kept = [a for a in aides if a.forme == FormeAide.SUBVENTION.value and a.montant_centimes > 0 and a.siret]
    rows = [ligne(a, attribuant) for a in kept]
    return sorted(rows, key=lambda r: (r["dateConvention"], r["idBeneficiaire"], r["referenceDecision"]))


def to_csv(rows: Sequence[dict[str, str]]) -> str:
    """The CSV of the register: UTF-8, comma-separated, a header of the SCDL's field names, CRLF line ends."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
