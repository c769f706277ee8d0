"""Facts of the selection chain: deposits, withdrawals, relèves, the AMI's early closure, eligibility, the CDC's
proposals and the Prime Minister's decisions. Only what the figures count: no dossier content, no motif."""

from __future__ import annotations

from datetime import date

from contracts.candidature.v1 import AMIClotureAnticipee, CandidatureDeposee, CandidatureRetiree, VagueRelevee
from contracts.envelope import EventEnvelope
from contracts.instruction.v1 import (
    CandidatureJugeeIneligible,
    CandidatureJugeeRecevable,
    CandidatureNonRetenue,
    ConclusionsInstructionTransmises,
    DossierReleve,
    Proposition,
    TerritoireLaureat,
)
from reporting.adapters.projectors.common import Projector, Row, paris_date

INSERT_CANDIDATURE = """
INSERT INTO {s}.candidatures (candidature_id, vague, region_code, nom_territoire, porteur, nb_epci, deposee_le,
                              date_depot, recorded_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, ($7::timestamptz AT TIME ZONE 'Europe/Paris')::date, $8)
ON CONFLICT (candidature_id) DO NOTHING"""

INSERT_LAUREAT = """
INSERT INTO {s}.laureats (territoire_id, candidature_id, region_code, nom_territoire, vague, date_decision,
                          date_notification, recorded_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (territoire_id) DO NOTHING"""

INSERT_ETAPE = """
INSERT INTO {s}.selection_etapes (candidature_id, etape, detail, vague, date_effet, recorded_at)
VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (candidature_id, etape, detail) DO NOTHING"""

INSERT_RELEVE = """
INSERT INTO {s}.releves (vague, releve_le, date_releve, recorded_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (vague) DO NOTHING"""

INSERT_CLOTURE = """
INSERT INTO {s}.clotures_ami (stream_id, stream_version, date_arrete, effective_le, recorded_at)
VALUES ($1, $2, $3, $4, $5) ON CONFLICT (stream_id, stream_version) DO NOTHING"""


def etape(
    env: EventEnvelope,
    candidature_id: str,
    name: str,
    vague: int | None,
    when: date,
    detail: str = "",
) -> list[Row]:
    """One step a candidature reached (vague None: the wave of its deposit, joined when reading)."""
    return [Row(INSERT_ETAPE, (candidature_id, name, detail, vague, when, env.recorded_at))]


def deposee(env: EventEnvelope, e: CandidatureDeposee) -> list[Row]:
    return [
        Row(
            INSERT_CANDIDATURE,
            (
                e.candidature_id,
                e.vague,
                e.region_code,
                e.nom_territoire,
                e.porteur.value,
                len(e.epci_sirens),
                e.deposee_le,
                env.recorded_at,
            ),
        )
    ]


def retiree(env: EventEnvelope, e: CandidatureRetiree) -> list[Row]:
    return etape(env, e.candidature_id, "RETIREE", e.vague, paris_date(e.retiree_le))


def relevee(env: EventEnvelope, e: VagueRelevee) -> list[Row]:
    when = paris_date(e.releve_le)
    return [
        Row(INSERT_RELEVE, (e.vague, e.releve_le, when, env.recorded_at)),
        *(Row(INSERT_ETAPE, (c, "RELEVEE", "", e.vague, when, env.recorded_at)) for c in e.candidatures),
    ]


def releve(env: EventEnvelope, e: DossierReleve) -> list[Row]:
    """Instruction's own record of the relève: the same step as the wave's (one row, whichever comes first)."""
    return etape(env, e.candidature_id, "RELEVEE", e.vague, paris_date(e.releve_le))


def recevable(env: EventEnvelope, e: CandidatureJugeeRecevable) -> list[Row]:
    return etape(env, e.candidature_id, "RECEVABLE", e.vague, e.jugee_le)  # not the assessments


def ineligible(env: EventEnvelope, e: CandidatureJugeeIneligible) -> list[Row]:
    """One row per failed rule (its code only: the motifs and assessments stay in the instruction file)."""
    return [
        Row(INSERT_ETAPE, (e.candidature_id, "INELIGIBLE", r.regle.value, e.vague, e.jugee_le, env.recorded_at))
        for r in e.regles_non_satisfaites
    ]


def conclusions(env: EventEnvelope, e: ConclusionsInstructionTransmises) -> list[Row]:
    """Whether the CDC proposed the candidature; never its recommendations nor the amount it proposed."""
    name = "PROPOSEE" if e.proposition is Proposition.PROPOSEE else "NON_PROPOSEE"
    return etape(env, e.candidature_id, name, e.vague, e.transmises_le)


def cloture(env: EventEnvelope, e: AMIClotureAnticipee) -> list[Row]:
    return [Row(INSERT_CLOTURE, (env.stream_id, env.stream_version, e.date_arrete, e.effective_le, env.recorded_at))]


def laureat(env: EventEnvelope, e: TerritoireLaureat) -> list[Row]:
    return [
        Row(
            INSERT_LAUREAT,
            (
                e.territoire_id,
                e.candidature_id,
                e.region_code,
                e.nom_territoire,
                e.vague,
                e.date_decision,
                e.date_notification,
                env.recorded_at,
            ),
        )
    ]


def non_retenue(env: EventEnvelope, e: CandidatureNonRetenue) -> list[Row]:
    return etape(env, e.candidature_id, "NON_RETENUE", e.vague, e.date_decision)  # the motif stays private


PROJECTORS: dict[type, Projector] = {
    CandidatureDeposee: deposee,
    CandidatureRetiree: retiree,
    VagueRelevee: relevee,
    AMIClotureAnticipee: cloture,
    DossierReleve: releve,
    CandidatureJugeeRecevable: recevable,
    CandidatureJugeeIneligible: ineligible,
    ConclusionsInstructionTransmises: conclusions,
    TerritoireLaureat: laureat,
    CandidatureNonRetenue: non_retenue,
}
