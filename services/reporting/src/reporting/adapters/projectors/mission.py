"""Facts of a laureate's mission: its milestones, its COPIL meetings and alerts, its feuille de route's axes,
and the projects its COPIL qualified. Counts and public milestones only: no attendees, agendas, motifs,
consultant or amounts of consultant time."""

from __future__ import annotations

from datetime import date, timedelta

from contracts.envelope import EventEnvelope
from contracts.instruction.mission import (
    ComitePilotageManquant,
    ComitePilotageTenu,
    ConventionEnRetard,
    ConventionSignee,
    FeuilleDeRouteRestituee,
    MissionCloturee,
    MissionIngenierieLancee,
    MissionOuverte,
    MissionRestituee,
)
from contracts.instruction.v1 import ProjetQualifie
from reporting.adapters.projectors.common import Projector, Row, paris_date

INSERT_PROJET = """
INSERT INTO {s}.projets_qualifies (projet_id, territoire_id, date_copil, assiette_estimee_centimes, emplois_prevus,
                                   forme_envisagee, recorded_at)
VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (territoire_id, projet_id) DO NOTHING"""

INSERT_ETAPE = """
INSERT INTO {s}.mission_etapes (territoire_id, etape, detail, date_effet, recorded_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (territoire_id, etape, detail) DO NOTHING"""

INSERT_FEUILLE = """
INSERT INTO {s}.feuilles_de_route (stream_id, stream_version, territoire_id, date_effet, axes, recorded_at)
VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (stream_id, stream_version) DO NOTHING"""

SIGNEE_EN_RETARD = "EN_RETARD"  # detail of a CONVENTION_SIGNEE step signed after its deadline


def etape(env: EventEnvelope, territoire_id: str, name: str, when: date, detail: str = "") -> list[Row]:
    return [Row(INSERT_ETAPE, (territoire_id, name, detail, when, env.recorded_at))]


def projet(env: EventEnvelope, e: ProjetQualifie) -> list[Row]:
    return [
        Row(
            INSERT_PROJET,
            (
                e.projet_id,
                e.territoire_id,
                e.date_copil,
                e.assiette_estimee_centimes,
                e.emplois_prevus,
                e.forme_envisagee.value,
                env.recorded_at,
            ),
        )
    ]


def ouverte(env: EventEnvelope, e: MissionOuverte) -> list[Row]:
    return etape(env, e.territoire_id, "OUVERTE", e.date_notification)  # the convention clock starts


def signee(env: EventEnvelope, e: ConventionSignee) -> list[Row]:
    return etape(env, e.territoire_id, "CONVENTION_SIGNEE", e.date_signature, SIGNEE_EN_RETARD if e.en_retard else "")


def en_retard(env: EventEnvelope, e: ConventionEnRetard) -> list[Row]:
    """Late from the day after the echeance (the echeance day itself is still on time)."""
    return etape(env, e.territoire_id, "CONVENTION_EN_RETARD", e.echeance + timedelta(days=1))


def lancee(env: EventEnvelope, e: MissionIngenierieLancee) -> list[Row]:
    return etape(env, e.territoire_id, "LANCEE", e.date_lancement, e.operateur.value)


def copil(env: EventEnvelope, e: ComitePilotageTenu) -> list[Row]:
    return etape(env, e.territoire_id, "COPIL_TENU", e.date, e.copil_id)


def copil_manquant(env: EventEnvelope, e: ComitePilotageManquant) -> list[Row]:
    """Known once the month is over: dated the first day of the next month."""
    year, month = (int(part) for part in e.mois.split("-"))
    return etape(env, e.territoire_id, "COPIL_MANQUANT", date(year + month // 12, month % 12 + 1, 1), e.mois)


def feuille(env: EventEnvelope, e: FeuilleDeRouteRestituee) -> list[Row]:
    """The axes' titles (published once the mission is restituée), dated by the event's business time."""
    return [
        Row(
            INSERT_FEUILLE,
            (
                env.stream_id,
                env.stream_version,
                e.territoire_id,
                paris_date(env.occurred_at),
                [axe.intitule for axe in e.axes],
                env.recorded_at,
            ),
        )
    ]


def restituee(env: EventEnvelope, e: MissionRestituee) -> list[Row]:
    return etape(env, e.territoire_id, "RESTITUEE", e.date)


def cloturee(env: EventEnvelope, e: MissionCloturee) -> list[Row]:
    return etape(env, e.territoire_id, "CLOTUREE", e.date)  # the motif stays private


PROJECTORS: dict[type, Projector] = {
    ProjetQualifie: projet,
    MissionOuverte: ouverte,
    ConventionSignee: signee,
    ConventionEnRetard: en_retard,
    MissionIngenierieLancee: lancee,
    ComitePilotageTenu: copil,
    ComitePilotageManquant: copil_manquant,
    FeuilleDeRouteRestituee: feuille,
    MissionRestituee: restituee,
    MissionCloturee: cloturee,
}
