"""The Candidature aggregate (stream `candidature-<candidature_id>`): decide, with its state in `etat`.

Lifecycle (DOMAIN-REFERENCE §2.5 rows 1-3): NOUVELLE → BROUILLON (CandidatureInitiee, DossierModifie) →
DEPOSEE (CandidatureDeposee) → RETIREE (CandidatureRetiree). The relève freezes a deposited dossier: the
aggregate knows it from its own deposit (`releve_le` compared with the command's time), not from the
VagueRelevee event of another stream, so the freeze is exact at 12:00 even if the watcher runs late."""

from __future__ import annotations

from candidature.domain import acces, depot
from candidature.domain.commands import (
    AdhererCandidature,
    Command,
    ConsulterDossier,
    DeposerCandidature,
    HabiliterExpert,
    InitierCandidature,
    ModifierDossier,
    RetirerCandidature,
)
from candidature.domain.completude import canonique
from candidature.domain.depot import porteur_connu
from candidature.domain.errors import (
    CandidatureExistante,
    DejaDeposee,
    DejaRetiree,
    DossiersFiges,
    HorsPerimetre,
    PorteurIncoherent,
)
from candidature.domain.etat import Candidature as Candidature  # the aggregate's API, re-exported
from candidature.domain.etat import Statut as Statut
from candidature.domain.etat import evolve
from candidature.domain.etat import stream_id as stream_id
from contracts.base import DomainEvent
from contracts.candidature.v1 import CandidatureInitiee, Dossier, DossierModifie, Porteur
from kernel.decider import Decider


def decide(command: Command, state: Candidature) -> list[DomainEvent]:
    match command:
        case InitierCandidature():
            return _initier(command, state)
        case ModifierDossier():
            return _modifier(command, state)
        case DeposerCandidature():
            return depot.deposer(command, state)
        case RetirerCandidature():
            return depot.retirer(command, state)
        case AdhererCandidature():
            return depot.adherer(command, state)
        case ConsulterDossier():
            return acces.consulter(command, state)
        case HabiliterExpert():
            return acces.habiliter(command, state)
    raise TypeError(f"unknown command {type(command).__name__}")


def _initier(command: InitierCandidature, state: Candidature) -> list[DomainEvent]:
    dossier = canonique(command.dossier)
    if state.statut is not Statut.NOUVELLE:
        if state.porte_par(command.demandeur) and state.dossier == dossier:
            return []  # the same initiation again
        raise CandidatureExistante(command.candidature_id)
    _verifier_porteur(dossier, command.demandeur)
    return [CandidatureInitiee(candidature_id=command.candidature_id, initiee_le=command.initiee_le, dossier=dossier)]


def _modifier(command: ModifierDossier, state: Candidature) -> list[DomainEvent]:
    porteur_connu(state, command.candidature_id, command.demandeur)
    if state.statut is Statut.RETIREE:
        raise DejaRetiree(command.candidature_id)
    if state.depot is not None:
        if state.figee_a(command.modifie_le):
            raise DossiersFiges(state.depot.vague, state.depot.releve_le)
        raise DejaDeposee(command.candidature_id)
    dossier = canonique(command.dossier)
    _verifier_porteur(dossier, command.demandeur)
    if dossier == state.dossier:
        return []  # nothing changed
    return [DossierModifie(candidature_id=command.candidature_id, modifie_le=command.modifie_le, dossier=dossier)]


def _verifier_porteur(dossier: Dossier, demandeur: str | None) -> None:
    """Carried by an EPCI or a groupement d'EPCI [000], the acting EPCI among them."""
    sirens = dossier.epci_sirens
    if demandeur not in sirens:
        raise HorsPerimetre(demandeur)
    if len(set(sirens)) != len(sirens):
        raise PorteurIncoherent("un même SIREN figure plusieurs fois parmi les EPCI")
    if dossier.porteur is Porteur.EPCI and len(sirens) != 1:
        raise PorteurIncoherent(f"un porteur EPCI a exactement 1 SIREN, pas {len(sirens)}")
    if dossier.porteur is Porteur.GROUPEMENT_EPCI and len(sirens) < 2:
        raise PorteurIncoherent("un groupement d'EPCI réunit au moins 2 EPCI")


decider: Decider[Command, DomainEvent, Candidature] = Decider(decide=decide, evolve=evolve, initial_state=Candidature())
