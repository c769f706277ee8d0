"""The deciders of the census and of a project. A project's rules also weigh its territory's mission (launched,
closed, the COPIL a qualification names): the handler folds it from the mission's events and the decider is built
for that view, so `decide` stays a pure function of (command, state)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import partial

from contracts.base import DomainEvent
from contracts.instruction.projets import (
    AideInstructionDefavorable,
    AideInstruite,
    DemandeAideDeposee,
    EntrepriseRencontree,
    ProjetAbandonne,
    ProjetAccompagne,
    ProjetMisAJour,
    ProjetOriente,
    ProjetPriorise,
    ProjetRecense,
)
from contracts.instruction.v1 import ProjetQualifie
from instruction.projets.domain import aides_etat, errors
from instruction.projets.domain import projet as p
from instruction.projets.domain.commands import (
    AbandonnerProjet,
    AccompagnerProjet,
    CommandeProjet,
    DeposerDemandeAide,
    InstruireDemande,
    MettreAJourProjet,
    OrienterProjet,
    PrioriserProjet,
    QualifierProjet,
    RecenserProjet,
    RencontrerEntreprises,
)
from instruction.projets.domain.mission_vue import MissionVue
from instruction.projets.domain.recensement import Recensement
from instruction.projets.domain.recensement import evolve as evolve_recensement
from instruction.projets.domain.taille import categorie_de, taille_de
from kernel.decider import Decider, DomainError


def _en_cours(mission: MissionVue, jour: date) -> None:
    if mission.date_cloture is not None:
        raise errors.MissionCloturee(f"la mission est close depuis le {mission.date_cloture}")
    if mission.date_lancement is None:
        raise errors.MissionNonLancee("la mission d'ingénierie du territoire n'est pas lancée")
    if jour < mission.date_lancement:
        raise errors.DateAvantLancement(f"{jour} précède le lancement de la mission ({mission.date_lancement})")


def _repete(recorded: DomainEvent | None, asked: DomainEvent, error: type[DomainError]) -> list[DomainEvent]:
    """The same fact asked again appends nothing; a different one under the same id is refused."""
    if recorded == asked:
        return []
    raise error(f"déjà enregistré en d'autres termes: {type(asked).__name__}")


# ---- the census's interviews -------------------------------------------------------------------------------


def rencontrer(mission: MissionVue, command: RencontrerEntreprises, state: Recensement) -> list[DomainEvent]:
    """The interviews not yet recorded; one recorded under the same id in other terms refuses the whole sheet."""
    nouveaux: list[DomainEvent] = []
    for entretien in command.entretiens:
        event = EntrepriseRencontree(territoire_id=command.territoire_id, **entretien.model_dump())
        if (recorded := state.entretiens.get(entretien.entretien_id)) is not None:
            _repete(recorded, event, errors.EntretienDejaEnregistre)
            continue
        _en_cours(mission, entretien.date)
        nouveaux.append(event)
    ids = [e.entretien_id for e in command.entretiens]
    if len(set(ids)) != len(ids):
        raise errors.EntretienDejaEnregistre("la même feuille nomme deux fois un entretien")
    return nouveaux


def decider_recensement(mission: MissionVue) -> Decider[RencontrerEntreprises, DomainEvent, Recensement]:
    return Decider(decide=partial(rencontrer, mission), evolve=evolve_recensement, initial_state=Recensement())


# ---- one project ---------------------------------------------------------------------------------------------


def decide(mission: MissionVue, command: CommandeProjet, state: p.Projet) -> Sequence[DomainEvent]:
    """The events a command produces on this project; [] when it is already satisfied."""
    if isinstance(command, RecenserProjet):
        return _recenser(mission, command, state)
    recensement = state.recensement
    if recensement is None or recensement.territoire_id != command.territoire_id:
        raise errors.ProjetInconnu(f"aucun projet {command.projet_id} au recensement de ce territoire")
    match command:
        case MettreAJourProjet():
            return _ouvert(state, recensement.date, command.date, ProjetMisAJour(**command.model_dump()))
        case PrioriserProjet():
            return _ouvert(state, recensement.date, command.date, ProjetPriorise(**command.model_dump()))
        case AccompagnerProjet():
            return _ouvert(state, recensement.date, command.date, ProjetAccompagne(**command.model_dump()))
        case OrienterProjet():
            return _orienter(command, state, recensement)
        case AbandonnerProjet():
            return _abandonner(command, state, recensement)
        case QualifierProjet():
            return _qualifier(mission, command, state, recensement)
        case DeposerDemandeAide():
            return _deposer(command, state)
        case InstruireDemande():
            return _instruire(command, state, recensement)
    raise TypeError(f"commande inconnue du projet: {type(command).__name__}")


def _recenser(mission: MissionVue, command: RecenserProjet, state: p.Projet) -> list[DomainEvent]:
    montants = (command.effectif, command.chiffre_affaires_centimes, command.total_bilan_centimes)
    event = ProjetRecense(**command.model_dump(), taille=taille_de(*montants), categorie=categorie_de(*montants))
    if state.recensement is not None:
        return _repete(state.recensement, event, errors.ProjetDejaRecense)
    _en_cours(mission, command.date)
    return [event]


def _ouvert(state: p.Projet, recense_le: date, jour: date, event: DomainEvent) -> list[DomainEvent]:
    if state.etat in p.TERMINAUX:
        raise errors.ProjetClos(f"le projet est {state.etat.value.lower()}")
    if jour < recense_le:
        raise errors.DateAvantRecensement(f"{jour} précède le recensement du projet ({recense_le})")
    return [event]


def _orienter(command: OrienterProjet, state: p.Projet, recensement: ProjetRecense) -> list[DomainEvent]:
    event = ProjetOriente(**command.model_dump())
    if state.fin == event:
        return []
    if state.demande is not None and state.etat is not p.EtatProjet.QUALIFIE:
        raise errors.ProjetEngage("une demande d'aide est déposée auprès de Bpifrance")
    return _ouvert(state, recensement.date, command.date, event)


def _abandonner(command: AbandonnerProjet, state: p.Projet, recensement: ProjetRecense) -> list[DomainEvent]:
    event = ProjetAbandonne(**command.model_dump())
    if state.fin == event:
        return []
    return _ouvert(state, recensement.date, command.date, event)


def _qualifier(
    mission: MissionVue, command: QualifierProjet, state: p.Projet, recensement: ProjetRecense
) -> list[DomainEvent]:
    copil = mission.copils.get(command.copil_id)
    if copil is None:
        raise errors.CopilInconnu(f"aucun COPIL {command.copil_id} enregistré pour ce territoire")
    event = ProjetQualifie(
        projet_id=command.projet_id,
        territoire_id=command.territoire_id,
        siret=recensement.siret,
        raison_sociale=recensement.raison_sociale,
        intitule=recensement.intitule,
        date_copil=copil.date,
        assiette_estimee_centimes=command.assiette_estimee_centimes,
        forme_envisagee=command.forme_envisagee,
        emplois_prevus=command.emplois_prevus,
    )
    if state.qualification is not None:
        return _repete(state.qualification, event, errors.ProjetDejaQualifie)
    _en_cours(mission, copil.date)
    if copil.membres_absents:
        absents = sorted(m.value for m in copil.membres_absents)
        raise errors.CopilIncomplet(
            f"il manquait au COPIL du {copil.date}: {', '.join(absents)}", details={"membres_absents": absents}
        )
    return _ouvert(state, recensement.date, copil.date, event)


def _deposer(command: DeposerDemandeAide, state: p.Projet) -> list[DomainEvent]:
    event = DemandeAideDeposee(**command.model_dump())
    if state.demande is not None and state.demande.demande_id == command.demande_id:
        return _repete(state.demande, event, errors.DemandeEnCours)
    if state.qualification is None:
        raise errors.ProjetNonQualifie("le COPIL local n'a pas qualifié ce projet")
    if state.etat in (p.EtatProjet.DEMANDE_DEPOSEE, p.EtatProjet.INSTRUIT_FAVORABLE):
        raise errors.DemandeEnCours("une autre demande d'aide du projet est déposée ou instruite")
    return _ouvert(state, state.qualification.date_copil, command.date_depot, event)


def _instruire(command: InstruireDemande, state: p.Projet, recensement: ProjetRecense) -> list[DomainEvent]:
    demande = state.demande
    if demande is None or demande.demande_id != command.demande_id:
        raise errors.DemandeInconnue(f"aucune demande {command.demande_id} déposée pour ce projet")
    dossier = aides_etat.Dossier(
        forme=demande.forme,
        montant_demande_centimes=demande.montant_demande_centimes,
        date_depot=demande.date_depot,
        regime=command.regime,
        categorie=recensement.categorie,
        zone_afr=command.zone_afr,
        depenses=tuple(command.depenses),
        debut_depenses=command.debut_depenses,
        fin_depenses=command.fin_depenses,
        debut_travaux=command.debut_travaux,
        dnsh_atteste=command.dnsh_atteste,
        cofinancements=tuple(command.cofinancements),
    )
    conclusion = _conclusion(command, demande, recensement, dossier, state)
    if state.instruction is not None and state.instruction.demande_id == command.demande_id:
        return _repete(state.instruction, conclusion, errors.DemandeDejaInstruite)
    if state.etat in p.TERMINAUX:
        raise errors.ProjetClos(f"le projet est {state.etat.value.lower()}")
    if command.date_instruction < demande.date_depot:
        raise errors.InstructionAvantDepot(f"{command.date_instruction} précède le dépôt ({demande.date_depot})")
    return [conclusion]


def _conclusion(
    command: InstruireDemande,
    demande: DemandeAideDeposee,
    recensement: ProjetRecense,
    dossier: aides_etat.Dossier,
    state: p.Projet,
) -> AideInstruite | AideInstructionDefavorable:
    regles = aides_etat.regles_enfreintes(dossier)
    if regles:
        return AideInstructionDefavorable(
            projet_id=command.projet_id,
            territoire_id=command.territoire_id,
            demande_id=command.demande_id,
            regles=regles,
            date_instruction=command.date_instruction,
        )
    qualification = state.qualification
    return AideInstruite(
        projet_id=command.projet_id,
        territoire_id=command.territoire_id,
        demande_id=command.demande_id,
        siret=recensement.siret,
        forme=demande.forme,
        regime=command.regime,
        categorie=recensement.categorie,
        zone_afr=command.zone_afr,
        depenses=list(command.depenses),
        assiette_centimes=dossier.assiette_centimes,
        debut_depenses=command.debut_depenses,
        fin_depenses=command.fin_depenses,
        debut_travaux=command.debut_travaux,
        dnsh_atteste=command.dnsh_atteste,
        cofinancements=list(command.cofinancements),
        intensite_max_pour_mille=aides_etat.intensite_max(dossier) or 0,
        source_intensite=aides_etat.BAREMES[command.regime].source,
        plafond_aide_centimes=aides_etat.plafond_centimes(dossier),
        emplois_prevus=qualification.emplois_prevus if qualification else 0,
        date_instruction=command.date_instruction,
    )


def decider_projet(mission: MissionVue) -> Decider[CommandeProjet, DomainEvent, p.Projet]:
    return Decider(decide=partial(decide, mission), evolve=p.evolve, initial_state=p.Projet())
