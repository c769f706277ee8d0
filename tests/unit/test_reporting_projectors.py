"""Which events reporting projects: the public steps only (§7), and every contract event is either projected or
deliberately ignored, so a new event type is a conscious choice, never a silent leak."""

from __future__ import annotations

from contracts.catalog import all_models
from reporting.adapters.projection import PROJECTORS

PROJECTED = {
    "CandidatureDeposee",
    "CandidatureRetiree",
    "VagueRelevee",
    "AMIClotureAnticipee",
    "DossierReleve",
    "CandidatureJugeeIneligible",
    "CandidatureJugeeRecevable",
    "ConclusionsInstructionTransmises",
    "TerritoireLaureat",
    "CandidatureNonRetenue",
    "MissionOuverte",
    "ConventionSignee",
    "ConventionEnRetard",
    "MissionIngenierieLancee",
    "ComitePilotageTenu",
    "ComitePilotageManquant",
    "FeuilleDeRouteRestituee",
    "MissionRestituee",
    "MissionCloturee",
    "ProjetQualifie",
    "EnveloppeTerritorialeAttribuee",
    "AideAccordee",
    "AideRefusee",
    "ConventionAideSignee",
    "EntrepriseRencontree",
    "ProjetRecense",
    "ProjetMisAJour",
    "ProjetOriente",
    "ProjetAbandonne",
    "EnveloppeTerritorialeAjustee",
    "VersementEffectue",
    "AideSoldee",
    "RemboursementRecu",
    "EcheanceImpayee",
    "AideAnnulee",
    "BonDeCommandeIngenierieEmis",
    "SeuilConsommationAtteint",
}
# The content of a dossier or of an instruction file, and who read or assessed it: never public.
CONFIDENTIAL = {
    "CandidatureInitiee",
    "DossierModifie",
    "AdhesionEpciDonnee",
    "DossierCandidatureConsulte",
    "DossierConsulte",
    "ExpertHabilite",
    "ExpertDesigne",
    "ComplementsDemandes",
    "ComplementsFournis",
    "AvisExpertRecu",
    "CritereEvalue",
    "AvisComiteRendu",
    "AvisSGPIRendu",
    "ProjetPriorise",
    "ProjetAccompagne",
    "DemandeAideDeposee",
    "AideInstruite",
    "AideInstructionDefavorable",
    "AvisSGPIClotureRendu",  # until the arrêté, which names its date
}
# Not reported, but not secret either: other services' internal copies and steps the figures do not show
# (DossierClos repeats CandidatureRetiree, which is the source of the withdrawal).
NOT_REPORTED = {
    "CandidatureRecue",
    "LaureatEnregistre",
    "ProjetQualifieEnregistre",
    "InstructionOuverte",
    "DossierClos",
    "InstructionAideEnregistree",
    "PartEtatReservee",
    "EcheancierFixe",
    "SeuilConsommationSignale",  # candidature's copy of financement's SeuilConsommationAtteint
    # reporting's own log: the publication workflow is not a fact of the figures, it publishes them
    "PublicationDemandee",
    "PublicationValidee",
    "PublicationRefusee",
    "PublicationDiffusee",
    "PublicationPublique",
}


def test_every_contract_event_is_projected_or_deliberately_ignored() -> None:
    undecided = set(all_models()) - PROJECTED - CONFIDENTIAL - NOT_REPORTED
    assert not undecided, f"decide whether reporting publishes anything of {sorted(undecided)} (§7)"


def test_reporting_projects_the_public_steps_and_nothing_confidential() -> None:
    projected = {model.event_type for model in PROJECTORS}
    assert projected == PROJECTED
    assert not projected & CONFIDENTIAL


def test_each_projector_is_registered_as_the_latest_model_of_its_type() -> None:
    """A projector keyed on an old version's class would never see an event (decode gives the latest)."""
    latest = all_models()
    assert all(latest[model.event_type] is model for model in PROJECTORS)
