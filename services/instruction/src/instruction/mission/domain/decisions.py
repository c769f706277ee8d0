"""Decisions on the steps of a mission: opening, convention, launch, COPIL meetings, feuille de route,
restitution, close. Each command is idempotent: the same fact again is [], other terms are refused."""

from __future__ import annotations

from contracts.instruction.mission import (
    ComitePilotageTenu,
    ConventionEnRetard,
    ConventionSignee,
    FeuilleDeRouteRestituee,
    MissionCloturee,
    MissionIngenierieLancee,
    MissionOuverte,
    MissionRestituee,
)
from instruction.mission.domain import errors
from instruction.mission.domain.calendrier import ajouter_mois
from instruction.mission.domain.commands import (
    CloturerMission,
    LancerIngenierie,
    OuvrirMission,
    RestituerFeuilleDeRoute,
    RestituerMission,
    SignerConvention,
    TenirComitePilotage,
)
from instruction.mission.domain.mission import LANCEE, EtatMission, Evenement, Mission

DELAI_CONVENTION_MOIS = 6  # « dans un délai maximum de 6 mois après notification » [000]
DUREE_MISSION_MOIS = (3, 4)  # « Déploiement des ingénieries (3-4 mois) » [000]


def ouverture_de(state: Mission) -> MissionOuverte:
    """Every command but the opening needs an opened mission."""
    if state.ouverture is None:
        raise errors.MissionInconnue(
            "aucune mission ouverte pour ce territoire (non lauréat, ou décision pas encore reçue)"
        )
    return state.ouverture


def lancement_de(state: Mission) -> MissionIngenierieLancee:
    """COPIL meetings and qualifications: once the engineering is launched, until the close."""
    if state.etat is EtatMission.CLOTUREE:
        raise errors.MissionCloturee("la mission est clôturée")
    if state.etat not in LANCEE or state.lancement is None:
        raise errors.MissionNonLancee(f"la mission d'ingénierie n'est pas lancée (état {state.etat.value})")
    return state.lancement


def ouvrir(command: OuvrirMission, state: Mission) -> list[MissionOuverte]:
    """The convention term is notification + 6 months (mission_calendrier.ajouter_mois)."""
    ouverte = MissionOuverte(
        **command.model_dump(), echeance_convention=ajouter_mois(command.date_notification, DELAI_CONVENTION_MOIS)
    )
    if state.ouverture == ouverte:
        return []
    if state.ouverture is not None:
        raise errors.MissionDejaOuverte(f"mission déjà ouverte, notifiée le {state.ouverture.date_notification}")
    return [ouverte]


def signer_convention(command: SignerConvention, state: Mission) -> list[Evenement]:
    """A late convention is still recorded, flagged `en_retard`, and its missed deadline alerted if the
    watcher had not done it yet: the source sets a term but no sanction, and refusing it would leave
    the laureate without a mission."""
    ouverture = ouverture_de(state)
    en_retard = command.date_signature > ouverture.echeance_convention
    signee = ConventionSignee(**command.model_dump(), en_retard=en_retard)
    if state.convention == signee:
        return []
    if state.convention is not None:
        raise errors.ConventionDejaSignee(f"convention déjà signée le {state.convention.date_signature}")
    if command.date_signature < ouverture.date_notification:
        raise errors.SignatureAvantNotification(
            f"signature du {command.date_signature} avant la notification du {ouverture.date_notification}"
        )
    alerte = [ConventionEnRetard(territoire_id=command.territoire_id, echeance=ouverture.echeance_convention)]
    return [*(alerte if en_retard and state.retard_convention is None else []), signee]


def lancer_ingenierie(command: LancerIngenierie, state: Mission) -> list[MissionIngenierieLancee]:
    """Only under a signed convention. The source is silent on engineering before the convention
    (DOMAIN-REFERENCE §9 q4); we require it: the CDC orders the consultants on the programme's
    engineering envelope, and the convention is what binds the CDC and the territory to the mission
    (the territory's COPIL, its reporting obligations). A launch before it would commit money with no
    contract. The planned end must fall 3 to 4 calendar months after the launch, both bounds included."""
    ouverture_de(state)
    lancee = MissionIngenierieLancee(**command.model_dump())
    if state.lancement == lancee:
        return []
    if state.lancement is not None:
        raise errors.MissionDejaLancee(f"mission déjà lancée le {state.lancement.date_lancement}")
    if state.convention is None:
        raise errors.ConventionNonSignee("la convention avec la CDC n'est pas signée")
    if command.date_lancement < state.convention.date_signature:
        raise errors.LancementAvantConvention(
            f"lancement du {command.date_lancement} avant la convention du {state.convention.date_signature}"
        )
    au_plus_tot, au_plus_tard = (ajouter_mois(command.date_lancement, n) for n in DUREE_MISSION_MOIS)
    if not au_plus_tot <= command.fin_prevue <= au_plus_tard:
        raise errors.DureeMissionHorsBornes(
            f"fin prévue le {command.fin_prevue}: la mission dure 3 à 4 mois, fin entre le {au_plus_tot} "
            f"et le {au_plus_tard}"
        )
    return [lancee]


def tenir_comite(command: TenirComitePilotage, state: Mission) -> list[ComitePilotageTenu]:
    ouverture_de(state)
    tenu = ComitePilotageTenu(**command.model_dump())
    deja = state.copils.get(command.copil_id)
    if deja == tenu:
        return []
    if deja is not None:
        raise errors.CopilDejaTenu(f"le COPIL {command.copil_id} est déjà enregistré, en d'autres termes")
    lancement = lancement_de(state)
    if command.date < lancement.date_lancement:
        raise errors.CopilAvantLancement(
            f"COPIL du {command.date} avant le lancement de la mission le {lancement.date_lancement}"
        )
    return [tenu]


def restituer_feuille(command: RestituerFeuilleDeRoute, state: Mission) -> list[FeuilleDeRouteRestituee]:
    ouverture_de(state)
    feuille = FeuilleDeRouteRestituee(**command.model_dump())
    if state.feuille_de_route == feuille:
        return []
    if state.feuille_de_route is not None:
        raise errors.FeuilleDeRouteDejaRestituee("la feuille de route est déjà restituée, en d'autres termes")
    if state.etat is not EtatMission.INGENIERIE_EN_COURS:
        raise errors.MissionNonLancee(f"la mission d'ingénierie n'est pas en cours (état {state.etat.value})")
    return [feuille]


def restituer_mission(command: RestituerMission, state: Mission) -> list[MissionRestituee]:
    ouverture_de(state)
    restituee = MissionRestituee(**command.model_dump())
    if state.restitution == restituee:
        return []
    if state.restitution is not None:
        raise errors.MissionDejaRestituee(f"mission déjà restituée le {state.restitution.date}")
    lancement = lancement_de(state)
    if state.feuille_de_route is None:
        raise errors.FeuilleDeRouteManquante("la feuille de route n'a pas été restituée")
    if command.date < lancement.date_lancement:
        raise errors.RestitutionAvantLancement(
            f"restitution du {command.date} avant le lancement du {lancement.date_lancement}"
        )
    return [restituee]


def cloturer(command: CloturerMission, state: Mission) -> list[MissionCloturee]:
    ouverture_de(state)
    cloturee = MissionCloturee(**command.model_dump())
    if state.cloture == cloturee:
        return []
    if state.cloture is not None:
        raise errors.MissionDejaCloturee(f"mission déjà clôturée le {state.cloture.date}")
    if state.restitution is None:
        raise errors.MissionNonRestituee(f"la mission n'est pas restituée (état {state.etat.value})")
    if command.date < state.restitution.date:
        raise errors.ClotureAvantRestitution(
            f"clôture du {command.date} avant la restitution du {state.restitution.date}"
        )
    return [cloturee]
