"""Events of a laureate territory's engineering mission, schema version 1 (DOMAIN-REFERENCE §2.5 rows 10-15).

Stream `mission-<territoire_id>` (territoire_id == the winning candidature_id), published on
instruction.dossier.v1 with the dossier streams. `ProjetQualifie` (instruction v1) is recorded on it too."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import DomainEvent, Identifiant, RegionCode
from contracts.registry import register, upcaster

Libelle = Annotated[str, Field(min_length=1, max_length=300)]
Texte = Annotated[str, Field(min_length=1, max_length=4000)]
Mois = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="Mois civil AAAA-MM")]


class _Valeur(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Participant(_Valeur):
    """Who sat at a COPIL local: the body (préfecture, Région, CDC, Bpifrance, EPCI…) and its part in it."""

    organisme: Libelle
    role: Libelle


class MembreCopil(StrEnum):
    """The bodies a COPIL local holds « a minima » [000]: « les services déconcentrés de l'État, la Région, la
    Caisse des Dépôts, Bpifrance, le programme Territoires d'industrie, Business France et l'EPCI »."""

    SERVICES_ETAT = "SERVICES_ETAT"  # préfecture, sous-préfecture, services déconcentrés
    REGION = "REGION"
    CDC = "CDC"
    BPIFRANCE = "BPIFRANCE"
    PROGRAMME_TI = "PROGRAMME_TI"  # délégation / chef de projet Territoires d'industrie
    BUSINESS_FRANCE = "BUSINESS_FRANCE"
    EPCI = "EPCI"
    AUTRE = "AUTRE"  # « tout autre acteur jugé pertinent »


MEMBRES_A_MINIMA = frozenset(MembreCopil) - {MembreCopil.AUTRE}


class ParticipantCopil(_Valeur):
    """Who sat at a COPIL local, and which of the required bodies it represents."""

    organisme: Libelle
    role: Libelle
    membre: MembreCopil


class AxeFeuilleDeRoute(_Valeur):
    """One thematic axis of the feuille de route (e.g. « L'emploi et le développement des compétences »)."""

    intitule: Libelle
    description: Texte


@register
class MissionOuverte(DomainEvent):
    """The territory is a laureate: its mission opens and the convention clock starts.

    `echeance_convention` is the last day on which the convention is on time: notification + 6 calendar
    months, same day of the month, or the month's last day when it has no such day (31/08 → 28/02 or 29/02)."""

    event_type = "MissionOuverte"
    territoire_id: Identifiant
    candidature_id: Identifiant
    nom_territoire: str
    region_code: RegionCode
    date_notification: date
    echeance_convention: date


@register
class ConventionSignee(DomainEvent):
    """The convention between the CDC (Banque des Territoires) and the territory is signed.

    `en_retard` is true when it was signed after `echeance_convention`: a late convention is still recorded."""

    event_type = "ConventionSignee"
    territoire_id: Identifiant
    date_signature: date
    signataires: Annotated[list[Libelle], Field(min_length=2, description="La CDC et le ou les EPCI")]
    en_retard: bool = False


@register
class ConventionEnRetard(DomainEvent):
    """The end of the echeance day (Europe/Paris) passed with no signed convention (recorded once)."""

    event_type = "ConventionEnRetard"
    territoire_id: Identifiant
    echeance: date


@register
class MissionIngenierieLanceeV1(DomainEvent):
    """Version 1 (released): every mission was the Banque des Territoires' (France 2030)."""

    event_type = "MissionIngenierieLancee"
    territoire_id: Identifiant
    date_lancement: date
    prestataire: Libelle
    jours_hommes: Annotated[int, Field(ge=1, le=10_000, description="Temps de consultant, en jours-hommes")]
    fin_prevue: date


class OperateurIngenierie(StrEnum):
    """Who carries a Rebond engineering mission [002]: « la Banque des Territoires (France 2030) ou l'ANCT »."""

    BDT_FRANCE_2030 = "BDT_FRANCE_2030"
    ANCT = "ANCT"


@register
class MissionIngenierieLancee(DomainEvent):
    """The engineering mission was ordered from a consultant (bon de commande), for 3 to 4 months, by its
    operator (version 2)."""

    event_type = "MissionIngenierieLancee"
    schema_version = 2
    territoire_id: Identifiant
    date_lancement: date
    prestataire: Libelle
    jours_hommes: Annotated[int, Field(ge=1, le=10_000, description="Temps de consultant, en jours-hommes")]
    fin_prevue: date
    operateur: OperateurIngenierie


@upcaster("MissionIngenierieLancee", 1)
def _lancement_v1_vers_v2(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "operateur": OperateurIngenierie.BDT_FRANCE_2030.value}


@register
class ComitePilotageTenuV1(DomainEvent):
    """Version 1 (released): the participants named no required body."""

    event_type = "ComitePilotageTenu"
    territoire_id: Identifiant
    copil_id: Identifiant
    date: date
    participants: Annotated[list[Participant], Field(min_length=1)]
    ordre_du_jour: Texte


@register
class ComitePilotageTenu(DomainEvent):
    """The territory's COPIL local met (at least once a month during the mission), version 2: each participant
    says which required body it represents, so a qualification can check the attendance « a minima »."""

    event_type = "ComitePilotageTenu"
    schema_version = 2
    territoire_id: Identifiant
    copil_id: Identifiant
    date: date
    participants: Annotated[list[ParticipantCopil], Field(min_length=1, max_length=200)]
    ordre_du_jour: Texte

    @property
    def membres_absents(self) -> frozenset[MembreCopil]:
        return MEMBRES_A_MINIMA - {p.membre for p in self.participants}


@upcaster("ComitePilotageTenu", 1)
def _copil_v1_vers_v2(data: dict[str, Any]) -> dict[str, Any]:
    """A v1 COPIL did not say whom its participants represented: « autre » (it cannot qualify a project)."""
    participants = [{**p, "membre": MembreCopil.AUTRE.value} for p in data["participants"]]
    return {**data, "participants": participants}


@register
class ComitePilotageManquant(DomainEvent):
    """Alert: a whole calendar month of the mission passed without any COPIL local (recorded once per month)."""

    event_type = "ComitePilotageManquant"
    territoire_id: Identifiant
    mois: Mois


@register
class FeuilleDeRouteRestituee(DomainEvent):
    """The consultant delivered the territory's feuille de route and its thematic axes."""

    event_type = "FeuilleDeRouteRestituee"
    territoire_id: Identifiant
    axes: Annotated[list[AxeFeuilleDeRoute], Field(min_length=1)]


@register
class MissionRestituee(DomainEvent):
    """The mission was restituted to the territory (Cambrai: 28/08/2023)."""

    event_type = "MissionRestituee"
    territoire_id: Identifiant
    date: date


@register
class MissionCloturee(DomainEvent):
    """The CDC or the DTI closed the mission (after its restitution)."""

    event_type = "MissionCloturee"
    territoire_id: Identifiant
    date: date
    motif: Texte
