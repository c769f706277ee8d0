"""Facts of the financement topic: territory envelopes (with their co-financers), aids granted and refused."""

from __future__ import annotations

from contracts.envelope import EventEnvelope
from contracts.financement.v1 import AideAccordee, AideRefusee, EnveloppeTerritorialeAttribuee
from kernel.adapters.postgres import Connection
from reporting.adapters.projectors.common import Projector
from reporting.adapters.schema import Schema

INSERT_ENVELOPPE = """
INSERT INTO {s}.enveloppes (stream_id, stream_version, territoire_id, montant_centimes, date_attribution)
VALUES ($1, $2, $3, $4, $5) ON CONFLICT (stream_id, stream_version) DO NOTHING"""

INSERT_CONTRIBUTION = """
INSERT INTO {s}.enveloppe_contributions (stream_id, stream_version, rang, financeur, montant_centimes)
VALUES ($1, $2, $3, $4, $5) ON CONFLICT (stream_id, stream_version, rang) DO NOTHING"""

INSERT_AIDE = """
INSERT INTO {s}.aides (aide_id, projet_id, territoire_id, forme, montant_centimes, regime, date_decision,
                       publication_obligatoire)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (territoire_id, aide_id) DO NOTHING"""

INSERT_REFUS = """
INSERT INTO {s}.aides_refusees (stream_id, stream_version, aide_id, projet_id, territoire_id, montant_centimes, motif,
                                date_decision)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (stream_id, stream_version) DO NOTHING"""


async def enveloppe(conn: Connection, s: Schema, env: EventEnvelope, e: EnveloppeTerritorialeAttribuee) -> None:
    stream, version = env.stream_id, env.stream_version
    await conn.execute(
        s.sql(INSERT_ENVELOPPE), stream, version, e.territoire_id, e.montant_centimes, e.date_attribution
    )
    await conn.executemany(
        s.sql(INSERT_CONTRIBUTION),
        [(stream, version, rang, c.financeur, c.montant_centimes) for rang, c in enumerate(e.contributions)],
    )


async def aide(conn: Connection, s: Schema, env: EventEnvelope, e: AideAccordee) -> None:
    await conn.execute(
        s.sql(INSERT_AIDE),
        e.aide_id,
        e.projet_id,
        e.territoire_id,
        e.forme.value,
        e.montant_centimes,
        e.regime.value,
        e.date_decision,
        e.publication_obligatoire,
    )


async def refus(conn: Connection, s: Schema, env: EventEnvelope, e: AideRefusee) -> None:
    await conn.execute(
        s.sql(INSERT_REFUS),
        env.stream_id,
        env.stream_version,
        e.aide_id,
        e.projet_id,
        e.territoire_id,
        e.montant_centimes,
        e.motif,
        e.date_decision,
    )


PROJECTORS: dict[type, Projector] = {
    EnveloppeTerritorialeAttribuee: enveloppe,
    AideAccordee: aide,
    AideRefusee: refus,
}
