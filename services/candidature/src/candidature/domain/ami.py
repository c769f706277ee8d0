"""The AMI itself (stream `ami-rebond`): its early closure « par arrêté de la Première ministre pris sur
avis du Secrétariat général pour l'investissement (SGPI) » « en cas d'épuisement des moyens financiers » [000].

The chain (DOMAIN-REFERENCE §4.5): financement signals that the fund reached a threshold of consumption
(SeuilConsommationSignale, learnt from its SeuilConsommationAtteint); the SGPI then gives its opinion
(AvisSGPIClotureRendu; the latest counts); the arrêté, taken on a favourable opinion and naming its date, closes
the AMI (AMIClotureAnticipee), effective when it is recorded: every later deposit is refused."""

from __future__ import annotations

from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from candidature.domain.calendrier import cloture
from candidature.domain.commands import CloturerAMI, RendreAvisSGPICloture, SignalerSeuilConsommation
from candidature.domain.errors import AMIClos, AMIDejaClos, AucunSeuilSignale, AvisSGPIManquant, ClotureIncoherente
from contracts.base import DomainEvent
from contracts.candidature.v1 import AMIClotureAnticipee, AvisSGPIClotureRendu, SeuilConsommationSignale
from kernel.decider import Decider

STREAM_ID = "ami-rebond"
PARIS = ZoneInfo("Europe/Paris")
CommandeAMI = SignalerSeuilConsommation | RendreAvisSGPICloture | CloturerAMI


@dataclass(frozen=True, slots=True)
class AMI:
    seuils: tuple[SeuilConsommationSignale, ...] = ()
    avis_sgpi: AvisSGPIClotureRendu | None = None  # the latest
    cloture: AMIClotureAnticipee | None = None


def evolve(state: AMI, event: DomainEvent) -> AMI:
    match event:
        case SeuilConsommationSignale():
            return replace(state, seuils=(*state.seuils, event))
        case AvisSGPIClotureRendu():
            return replace(state, avis_sgpi=event)
        case AMIClotureAnticipee():
            return replace(state, cloture=event)
        case _:
            return state


def decide(command: CommandeAMI, state: AMI) -> list[DomainEvent]:
    match command:
        case SignalerSeuilConsommation():
            if any(s.seuil_pourcent == command.seuil_pourcent for s in state.seuils):
                return []  # financement signals each threshold once; a redelivery records nothing
            return [SeuilConsommationSignale(**command.model_dump())]
        case RendreAvisSGPICloture():
            return _avis(command, state)
        case CloturerAMI():
            return _arrete(command, state)
    raise TypeError(f"unknown command {type(command).__name__}")


def _avis(command: RendreAvisSGPICloture, state: AMI) -> list[DomainEvent]:
    if state.cloture is not None:
        raise AMIDejaClos(state.cloture.reference_arrete)
    if not state.seuils:
        raise AucunSeuilSignale()
    premier = min(s.date_atteinte for s in state.seuils)
    if command.date_avis < premier:
        raise ClotureIncoherente(
            f"l'avis du {command.date_avis} précède le premier seuil de consommation signalé ({premier})"
        )
    if command.date_avis > command.rendu_le.astimezone(PARIS).date():
        raise ClotureIncoherente(f"l'avis du {command.date_avis} n'est pas encore rendu")
    avis = AvisSGPIClotureRendu(date_avis=command.date_avis, favorable=command.favorable, motif=command.motif)
    if state.avis_sgpi is not None and state.avis_sgpi.model_dump() == avis.model_dump():
        return []  # the same opinion again
    return [avis]


def _arrete(command: CloturerAMI, state: AMI) -> list[DomainEvent]:
    if state.cloture is not None:
        if _termes(state.cloture) == _termes(command):
            return []  # the same arrêté again
        raise AMIDejaClos(state.cloture.reference_arrete)
    if command.effective_le >= cloture():
        raise AMIClos(command.effective_le, cloture())
    avis = state.avis_sgpi
    if avis is None or not avis.favorable:
        raise AvisSGPIManquant(
            "l'arrêté de clôture anticipée est pris sur avis favorable du SGPI: "
            + ("aucun avis n'est rendu" if avis is None else f"son dernier avis, du {avis.date_avis}, est défavorable")
        )
    if command.date_avis_sgpi != avis.date_avis:
        raise ClotureIncoherente(
            f"l'arrêté vise un avis du SGPI du {command.date_avis_sgpi}: l'avis rendu est du {avis.date_avis}"
        )
    if command.date_avis_sgpi > command.date_arrete:
        raise ClotureIncoherente(
            f"l'arrêté du {command.date_arrete} est pris sur avis du SGPI: "
            f"l'avis ne peut être du {command.date_avis_sgpi}"
        )
    if command.date_arrete > command.effective_le.astimezone(PARIS).date():
        raise ClotureIncoherente(f"l'arrêté du {command.date_arrete} n'est pas encore pris")
    return [AMIClotureAnticipee(**command.model_dump())]


def _termes(fait: AMIClotureAnticipee | CloturerAMI) -> tuple[object, ...]:
    return fait.date_arrete, fait.reference_arrete, fait.date_avis_sgpi


decider: Decider[CommandeAMI, DomainEvent, AMI] = Decider(decide=decide, evolve=evolve, initial_state=AMI())
