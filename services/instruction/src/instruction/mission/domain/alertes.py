"""What the mission's watchers record when business time passes: a missed convention deadline, and each
whole calendar month of the mission without a COPIL local (« au moins une fois par mois » [000]).

Both are pure functions of the state and of `maintenant`, so a watcher that runs late (or twice) records
exactly what it would have recorded on time, once."""

from __future__ import annotations

from datetime import datetime

from contracts.instruction.mission import ComitePilotageManquant, ConventionEnRetard
from instruction.mission.domain.calendrier import (
    ajouter_mois,
    dernier_mois_ecoule,
    fin_du_jour,
    mois_de,
    mois_entre,
    mois_suivant,
)
from instruction.mission.domain.commands import ConstaterRetardConvention, SignalerComitePilotageManquant
from instruction.mission.domain.mission import Mission


def convention_en_retard(state: Mission, maintenant: datetime) -> bool:
    """The echeance day has ended in Paris, no convention is signed, and no alert was recorded yet.

    The echeance day itself is on time (« dans un délai maximum de 6 mois »)."""
    ouverture = state.ouverture
    return (
        ouverture is not None
        and state.convention is None
        and state.retard_convention is None
        and maintenant >= fin_du_jour(ouverture.echeance_convention)
    )


def mois_sans_copil(state: Mission, maintenant: datetime) -> list[str]:
    """The whole calendar months, from the one after the launch to the one before the restitution (or
    to the last month wholly past in Paris), with no COPIL held and no alert recorded yet.

    A COPIL recorded after its month was alerted does not withdraw the alert: the alert says that
    when the month ended, none was on record."""
    lancement = state.lancement
    if lancement is None:
        return []
    dernier = dernier_mois_ecoule(maintenant)
    if state.restitution is not None:
        dernier = min(dernier, mois_de(ajouter_mois(state.restitution.date.replace(day=1), -1)))
    tenus = {mois_de(copil.date) for copil in state.copils.values()}
    deja = set(state.mois_sans_copil)
    return [
        mois
        for mois in mois_entre(mois_suivant(mois_de(lancement.date_lancement)), dernier)
        if mois not in tenus and mois not in deja
    ]


def constater_retard(command: ConstaterRetardConvention, state: Mission) -> list[ConventionEnRetard]:
    if not convention_en_retard(state, command.maintenant):
        return []
    assert state.ouverture is not None
    return [ConventionEnRetard(territoire_id=command.territoire_id, echeance=state.ouverture.echeance_convention)]


def signaler_copil_manquant(command: SignalerComitePilotageManquant, state: Mission) -> list[ComitePilotageManquant]:
    """[] when the month is not (or no longer) one to alert: already alerted, covered, or not over."""
    if command.mois not in mois_sans_copil(state, command.maintenant):
        return []
    return [ComitePilotageManquant(territoire_id=command.territoire_id, mois=command.mois)]
