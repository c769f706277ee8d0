"""The programme's two ledgers, in one stream `programme-rebond` (DOMAIN-REFERENCE §4.1): the 90 M€ investment
fund (the State's share of every territory envelope) and the 10 M€ of engineering (the CDC's orders of consultant
days). One stream, so optimistic concurrency on its version keeps both totals within their caps even when several
territories are attributed or ordered at once; an envelope's attribution and its reservation commit together.
The reservation that first brings the fund to a threshold of consumption records the alert with it
(SeuilConsommationAtteint), once: a later release below it does not withdraw an alert already given."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from pydantic import BaseModel, ConfigDict

from contracts.base import Identifiant
from contracts.financement.v1 import BonDeCommandeIngenierieEmis, PartEtatReservee, SeuilConsommationAtteint
from financement.domain import errors
from financement.domain.politique import (
    ENVELOPPE_INGENIERIE_CENTIMES,
    FONDS_INVESTISSEMENT_CENTIMES,
    SEUILS_CONSOMMATION_POURCENT,
)
from kernel.decider import Decider

STREAM_ID = "programme-rebond"
EvenementProgramme = PartEtatReservee | BonDeCommandeIngenierieEmis | SeuilConsommationAtteint


class ReserverPartEtat(BaseModel):
    """Reserve (or release, negative) the State's share of one decision on an envelope, named by `reference`."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    territoire_id: Identifiant
    reference: Identifiant
    montant_centimes: int
    date_reservation: date


class CommanderIngenierie(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    bon_id: Identifiant
    territoire_id: Identifiant
    jours_hommes: int
    montant_centimes: int
    date_commande: date


CommandeProgramme = ReserverPartEtat | CommanderIngenierie


@dataclass(frozen=True, slots=True)
class Programme:
    reservations: Mapping[tuple[str, str], PartEtatReservee] = field(default_factory=dict)
    reserve_centimes: int = 0
    bons: Mapping[str, BonDeCommandeIngenierieEmis] = field(default_factory=dict)
    commande_centimes: int = 0
    seuils_atteints: frozenset[int] = frozenset()

    @property
    def fonds_disponible_centimes(self) -> int:
        return FONDS_INVESTISSEMENT_CENTIMES - self.reserve_centimes


def evolve(state: Programme, event: EvenementProgramme) -> Programme:
    match event:
        case PartEtatReservee():
            key = (event.territoire_id, event.reference)
            return replace(
                state,
                reservations={**state.reservations, key: event},
                reserve_centimes=state.reserve_centimes + event.montant_centimes,
            )
        case BonDeCommandeIngenierieEmis():
            return replace(
                state,
                bons={**state.bons, event.bon_id: event},
                commande_centimes=state.commande_centimes + event.montant_centimes,
            )
        case SeuilConsommationAtteint():
            return replace(state, seuils_atteints=state.seuils_atteints | {event.seuil_pourcent})
    raise TypeError(f"no evolve for {type(event).__name__} on the programme stream")


def decide(command: CommandeProgramme, state: Programme) -> list[EvenementProgramme]:
    match command:
        case ReserverPartEtat():
            if (command.territoire_id, command.reference) in state.reservations:
                return []  # this decision's share is already reserved (a retry)
            total = state.reserve_centimes + command.montant_centimes
            if total > FONDS_INVESTISSEMENT_CENTIMES:
                raise errors.FondsInsuffisant(
                    f"la part de l'État porterait le fonds à {total} centimes, au-delà de ses "
                    f"{FONDS_INVESTISSEMENT_CENTIMES} centimes (disponible: {state.fonds_disponible_centimes})",
                    details={"fonds_disponible_centimes": state.fonds_disponible_centimes},
                )
            if command.montant_centimes == 0:
                return []
            return [
                PartEtatReservee(**command.model_dump(), total_reserve_centimes=total),
                *seuils_franchis(state.seuils_atteints, total, command.date_reservation),
            ]
        case CommanderIngenierie():
            bon = state.bons.get(command.bon_id)
            total = state.commande_centimes + command.montant_centimes
            asked = BonDeCommandeIngenierieEmis(**command.model_dump(), total_commande_centimes=total)
            if bon is not None:
                if (bon.territoire_id, bon.jours_hommes, bon.montant_centimes) == (
                    command.territoire_id,
                    command.jours_hommes,
                    command.montant_centimes,
                ):
                    return []
                raise errors.BonDejaEmis(f"le bon {command.bon_id} est déjà émis, en d'autres termes")
            if total > ENVELOPPE_INGENIERIE_CENTIMES:
                raise errors.IngenierieEpuisee(
                    f"les bons de commande totaliseraient {total} centimes, au-delà des "
                    f"{ENVELOPPE_INGENIERIE_CENTIMES} centimes d'ingénierie",
                    details={"disponible_centimes": ENVELOPPE_INGENIERIE_CENTIMES - state.commande_centimes},
                )
            return [asked]
    raise TypeError(f"unknown command {type(command).__name__}")


def seuils_franchis(deja: frozenset[int], reserve: int, le: date) -> list[SeuilConsommationAtteint]:
    """The alerts a reservation bringing the fund to `reserve` gives: each threshold reached and not yet signalled."""
    return [
        SeuilConsommationAtteint(
            seuil_pourcent=seuil,
            reserve_centimes=reserve,
            fonds_centimes=FONDS_INVESTISSEMENT_CENTIMES,
            date_atteinte=le,
        )
        for seuil in SEUILS_CONSOMMATION_POURCENT
        if seuil not in deja and reserve * 100 >= seuil * FONDS_INVESTISSEMENT_CENTIMES
    ]


decider: Decider[CommandeProgramme, EvenementProgramme, Programme] = Decider(
    decide=decide, evolve=evolve, initial_state=Programme()
)
