"""Projection of the relevant events into fact rows of a schema (the same code for live and rebuild).

Every write is idempotent on the fact's key (ON CONFLICT DO NOTHING): applying an event twice to a
schema changes nothing, which is what makes a swap to a rebuilt schema safe (see store.py)."""
from __future__ import annotations

import asyncpg

from contracts.candidature.v1 import CandidatureDeposee
from contracts.codec import ReceivedEvent
from contracts.financement.v1 import AideAccordee, AideRefusee, EnveloppeTerritorialeAttribuee
from contracts.instruction.v1 import ProjetQualifie, TerritoireLaureat

from reporting.adapters.schema import Schema

INSERT_CANDIDATURE = """
INSERT INTO {s}.candidatures (candidature_id, vague, region_code, nom_territoire, porteur, nb_epci, deposee_le,
                              date_depot)
VALUES ($1, $2, $3, $4, $5, $6, $7, ($7::timestamptz AT TIME ZONE 'Europe/Paris')::date)
ON CONFLICT (candidature_id) DO NOTHING"""

INSERT_LAUREAT = """
INSERT INTO {s}.laureats (territoire_id, candidature_id, region_code, nom_territoire, vague, date_decision,
                          date_notification)
VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (territoire_id) DO NOTHING"""

INSERT_PROJET = """
INSERT INTO {s}.projets_qualifies (projet_id, territoire_id, date_copil, assiette_estimee_centimes, emplois_prevus,
                                   forme_envisagee)
VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (projet_id) DO NOTHING"""

INSERT_ENVELOPPE = """
INSERT INTO {s}.enveloppes (stream_id, stream_version, territoire_id, montant_centimes, date_attribution)
VALUES ($1, $2, $3, $4, $5) ON CONFLICT (stream_id, stream_version) DO NOTHING"""

INSERT_CONTRIBUTION = """
INSERT INTO {s}.enveloppe_contributions (stream_id, stream_version, rang, financeur, montant_centimes)
VALUES ($1, $2, $3, $4, $5) ON CONFLICT (stream_id, stream_version, rang) DO NOTHING"""

INSERT_AIDE = """
INSERT INTO {s}.aides (aide_id, projet_id, territoire_id, forme, montant_centimes, regime, date_decision,
                       publication_obligatoire)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (aide_id) DO NOTHING"""

INSERT_REFUS = """
INSERT INTO {s}.aides_refusees (stream_id, stream_version, aide_id, projet_id, territoire_id, montant_centimes, motif,
                                date_decision)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (stream_id, stream_version) DO NOTHING"""


async def project(conn: asyncpg.Connection, schema: Schema, received: ReceivedEvent) -> bool:
    """Write the event's facts into `schema`; False for the event types reporting ignores."""
    stream, version = received.envelope.stream_id, received.envelope.stream_version
    match received.event:
        case CandidatureDeposee() as e:
            await conn.execute(schema.sql(INSERT_CANDIDATURE), e.candidature_id, e.vague, e.region_code,
                               e.nom_territoire, e.porteur.value, len(e.epci_sirens), e.deposee_le)
        case TerritoireLaureat() as e:
            await conn.execute(schema.sql(INSERT_LAUREAT), e.territoire_id, e.candidature_id, e.region_code,
                               e.nom_territoire, e.vague, e.date_decision, e.date_notification)
        case ProjetQualifie() as e:
            await conn.execute(schema.sql(INSERT_PROJET), e.projet_id, e.territoire_id, e.date_copil,
                               e.assiette_estimee_centimes, e.emplois_prevus, e.forme_envisagee.value)
        case EnveloppeTerritorialeAttribuee() as e:
            await conn.execute(schema.sql(INSERT_ENVELOPPE), stream, version, e.territoire_id, e.montant_centimes,
                               e.date_attribution)
            await conn.executemany(schema.sql(INSERT_CONTRIBUTION), [
                (stream, version, rang, c.financeur, c.montant_centimes) for rang, c in enumerate(e.contributions)])
        case AideAccordee() as e:
            await conn.execute(schema.sql(INSERT_AIDE), e.aide_id, e.projet_id, e.territoire_id, e.forme.value,
                               e.montant_centimes, e.regime.value, e.date_decision, e.publication_obligatoire)
        case AideRefusee() as e:
            await conn.execute(schema.sql(INSERT_REFUS), stream, version, e.aide_id, e.projet_id, e.territoire_id,
                               e.montant_centimes, e.motif, e.date_decision)
        case _:  # CandidatureRecue, LaureatEnregistre, ProjetQualifieEnregistre, … : not reported
            return False
    return True
