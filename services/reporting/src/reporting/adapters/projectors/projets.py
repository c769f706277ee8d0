"""Facts of the census (instruction's `recensement-*` and `projet-*` streams): companies met, projects identified
and each estimate of them, their ends. Counts and sums only are ever read, except the company's name and the
project's title, which the open-data register of aids shows for an aided project (reporting.domain.scdl); no
interview, priority, support or motif is projected; the aid request and Bpifrance's instruction stay with
instruction."""

from __future__ import annotations

from contracts.envelope import EventEnvelope
from contracts.instruction.projets import (
    EntrepriseRencontree,
    ProjetAbandonne,
    ProjetMisAJour,
    ProjetOriente,
    ProjetRecense,
)
from reporting.adapters.projectors.common import Projector, Row

INSERT_ENTRETIEN = """
INSERT INTO {s}.entretiens (territoire_id, entretien_id, siren, date_effet, recorded_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (territoire_id, entretien_id) DO NOTHING"""

INSERT_PROJET = """
INSERT INTO {s}.projets_recenses (territoire_id, projet_id, siren, taille, secteur_naf, date_effet, raison_sociale,
                                  intitule, recorded_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (territoire_id, projet_id) DO NOTHING"""

INSERT_ESTIMATION = """
INSERT INTO {s}.projets_estimations (stream_id, stream_version, territoire_id, projet_id, investissement_centimes,
                                     emplois_potentiels, date_effet, recorded_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (stream_id, stream_version) DO NOTHING"""

INSERT_ISSUE = """
INSERT INTO {s}.projets_issues (territoire_id, projet_id, issue, date_effet, recorded_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (territoire_id, projet_id, issue) DO NOTHING"""


def entretien(env: EventEnvelope, e: EntrepriseRencontree) -> list[Row]:
    return [
        Row(
            INSERT_ENTRETIEN,
            (e.territoire_id, e.entretien_id, e.siren, e.date, env.recorded_at),
            touches=(("jour", (e.territoire_id, e.date)), ("siren", (e.territoire_id, e.siren))),
        )
    ]


def recense(env: EventEnvelope, e: ProjetRecense) -> list[Row]:
    return [
        Row(
            INSERT_PROJET,
            (
                e.territoire_id,
                e.projet_id,
                e.siren,
                e.taille.value,
                e.secteur_naf,
                e.date,
                e.raison_sociale,
                e.intitule,
                env.recorded_at,
            ),
            touches=(("projet", (e.territoire_id, e.projet_id)),),
        ),
        *_estimation(env, e.territoire_id, e.projet_id, e.investissement_centimes, e.emplois_potentiels, e),
    ]


def mis_a_jour(env: EventEnvelope, e: ProjetMisAJour) -> list[Row]:
    return _estimation(env, e.territoire_id, e.projet_id, e.investissement_centimes, e.emplois_potentiels, e)


def _estimation(
    env: EventEnvelope,
    territoire_id: str,
    projet_id: str,
    investissement: int,
    emplois: int,
    e: ProjetRecense | ProjetMisAJour,
) -> list[Row]:
    return [
        Row(
            INSERT_ESTIMATION,
            (
                env.stream_id,
                env.stream_version,
                territoire_id,
                projet_id,
                investissement,
                emplois,
                e.date,
                env.recorded_at,
            ),
            touches=(("projet", (territoire_id, projet_id)),),
        )
    ]


def oriente(env: EventEnvelope, e: ProjetOriente) -> list[Row]:
    return [Row(INSERT_ISSUE, (e.territoire_id, e.projet_id, "ORIENTE", e.date, env.recorded_at))]


def abandonne(env: EventEnvelope, e: ProjetAbandonne) -> list[Row]:
    return [Row(INSERT_ISSUE, (e.territoire_id, e.projet_id, "ABANDONNE", e.date, env.recorded_at))]


PROJECTORS: dict[type, Projector] = {
    EntrepriseRencontree: entretien,
    ProjetRecense: recense,
    ProjetMisAJour: mis_a_jour,
    ProjetOriente: oriente,
    ProjetAbandonne: abandonne,
}
