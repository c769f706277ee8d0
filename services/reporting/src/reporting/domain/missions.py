"""A laureate's engineering mission as of a date (DOMAIN-REFERENCE §2.5 rows 10-15): its state, its COPIL
meetings and alerts, and its feuille de route's axes, which are public only once the mission is restituée.

Every milestone is a dated fact; the state is the furthest milestone reached by the date. A convention
is "en retard" while the deadline has passed (`ConventionEnRetard` recorded) and it is not signed; once
signed late it counts as signed, and `signee_en_retard` keeps the history visible."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any


class EtatMission(StrEnum):
    OUVERTE = "OUVERTE"
    CONVENTION_EN_RETARD = "CONVENTION_EN_RETARD"
    CONVENTION_SIGNEE = "CONVENTION_SIGNEE"
    LANCEE = "LANCEE"
    RESTITUEE = "RESTITUEE"
    CLOTUREE = "CLOTUREE"


@dataclass(frozen=True, slots=True)
class MissionFacts:
    """The mission's milestones reached by the date (None: not reached), COPIL facts and roadmap axes."""

    ouverte_le: date | None = None
    convention_signee_le: date | None = None
    signee_en_retard: bool = False  # the signature itself says it came after the deadline
    convention_en_retard_le: date | None = None
    lancee_le: date | None = None
    restituee_le: date | None = None
    cloturee_le: date | None = None
    nb_copil_tenus: int = 0
    mois_sans_copil: tuple[str, ...] = ()
    axes_feuille_de_route: tuple[str, ...] = ()
    operateur: str | None = None  # who carries the engineering: BDT_FRANCE_2030 or ANCT [002]

    @property
    def convention_en_retard(self) -> bool:
        return self.convention_en_retard_le is not None and self.convention_signee_le is None

    @property
    def convention_signee_en_retard(self) -> bool:
        return self.convention_signee_le is not None and (
            self.signee_en_retard or self.convention_en_retard_le is not None
        )

    @property
    def etat(self) -> EtatMission | None:
        """The furthest milestone reached (None: no mission event by the date)."""
        steps = (
            (self.cloturee_le, EtatMission.CLOTUREE),
            (self.restituee_le, EtatMission.RESTITUEE),
            (self.lancee_le, EtatMission.LANCEE),
            (self.convention_signee_le, EtatMission.CONVENTION_SIGNEE),
        )
        reached = next((etat for when, etat in steps if when is not None), None)
        if reached is not None:
            return reached
        if self.convention_en_retard:
            return EtatMission.CONVENTION_EN_RETARD
        return EtatMission.OUVERTE if self != MissionFacts() else None


def mission(facts: MissionFacts | None) -> dict[str, Any]:
    """The public view of a mission; the roadmap's axes only once it is restituée."""
    m = facts or MissionFacts()
    return {
        "etat": m.etat.value if m.etat else None,
        "ouverte_le": _iso(m.ouverte_le),
        "convention_signee_le": _iso(m.convention_signee_le),
        "convention_en_retard": m.convention_en_retard,
        "convention_signee_en_retard": m.convention_signee_en_retard,
        "lancee_le": _iso(m.lancee_le),
        "operateur": m.operateur,
        "restituee_le": _iso(m.restituee_le),
        "cloturee_le": _iso(m.cloturee_le),
        "nb_copil_tenus": m.nb_copil_tenus,
        "nb_alertes_copil": len(m.mois_sans_copil),
        "mois_sans_copil": list(m.mois_sans_copil),
        "axes_feuille_de_route": list(m.axes_feuille_de_route) if m.restituee_le is not None else None,
    }


def mission_totals(missions: Iterable[MissionFacts | None]) -> dict[str, int]:
    """The national (and regional) mission counts; milestones count once reached, alerts one per month."""
    known = [m for m in missions if m is not None]
    return {
        "nb_missions_ouvertes": sum(1 for m in known if m.etat is not None),
        "nb_conventions_signees": sum(1 for m in known if m.convention_signee_le is not None),
        "nb_conventions_en_retard": sum(1 for m in known if m.convention_en_retard),
        "nb_missions_lancees": sum(1 for m in known if m.lancee_le is not None),
        "nb_copil_tenus": sum(m.nb_copil_tenus for m in known),
        "nb_alertes_copil": sum(len(m.mois_sans_copil) for m in known),
        "nb_missions_restituees": sum(1 for m in known if m.restituee_le is not None),
        "nb_missions_cloturees": sum(1 for m in known if m.cloturee_le is not None),
    }


def missions_par_operateur_et_periode(missions: Iterable[MissionFacts | None], depuis: date | None) -> dict[str, Any]:
    """Missions launched by operator and by year of launch; with `depuis`, those launched since that day
    (« 15 missions … accompagnés depuis novembre 2023 » [002] is `depuis=2023-11-01`)."""
    lancees = [m for m in missions if m is not None and m.lancee_le is not None]
    par_operateur: dict[str, int] = {}
    par_annee: dict[str, int] = {}
    for m in lancees:
        assert m.lancee_le is not None
        operateur = m.operateur or "BDT_FRANCE_2030"
        par_operateur[operateur] = par_operateur.get(operateur, 0) + 1
        par_annee[str(m.lancee_le.year)] = par_annee.get(str(m.lancee_le.year), 0) + 1
    return {
        "missions_par_operateur": dict(sorted(par_operateur.items())),
        "missions_par_annee_de_lancement": dict(sorted(par_annee.items())),
        "missions_depuis": _iso(depuis),
        "nb_missions_lancees_depuis": None
        if depuis is None
        else sum(1 for m in lancees if m.lancee_le is not None and m.lancee_le >= depuis),
    }


def _iso(when: date | None) -> str | None:
    return when.isoformat() if when else None
