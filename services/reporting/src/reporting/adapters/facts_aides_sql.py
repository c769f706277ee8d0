"""Reads the aids of the register (reporting.domain.scdl) as of a date: each grant by then with its beneficiary's name
and project title from the census, its convention if signed by then, its payments, and what was given back."""

from __future__ import annotations

from datetime import date

from kernel.adapters.postgres import Connection
from reporting.adapters.schema import Schema
from reporting.domain.scdl import AideAttribuee

AIDES = """
WITH a AS (SELECT * FROM {s}.aides WHERE ($1::date IS NULL OR date_decision <= $1)),
m AS (SELECT * FROM {s}.aides_mouvements WHERE ($1::date IS NULL OR date_effet <= $1)),
suivi AS (SELECT territoire_id, aide_id,
                 coalesce(array_agg(date_effet ORDER BY date_effet) FILTER (WHERE nature = 'VERSEMENT'), '{}')
                     AS versements,
                 coalesce(sum(montant_centimes) FILTER (WHERE nature IN ('REDUCTION', 'ANNULATION')), 0)::bigint
                     AS rendu,
                 bool_or(nature = 'SOLDE') AS soldee
            FROM m GROUP BY territoire_id, aide_id)
SELECT a.territoire_id, a.aide_id, a.projet_id, a.forme, a.regime, a.siret, a.date_decision, a.montant_centimes,
       a.publication_obligatoire, coalesce(p.raison_sociale, '') AS raison_sociale,
       coalesce(p.intitule, '') AS intitule, c.date_signature, coalesce(suivi.versements, '{}') AS versements,
       coalesce(suivi.rendu, 0) AS rendu, coalesce(suivi.soldee, false) AS soldee
  FROM a LEFT JOIN {s}.projets_recenses p USING (territoire_id, projet_id)
         LEFT JOIN {s}.conventions_aides c
                ON c.territoire_id = a.territoire_id AND c.aide_id = a.aide_id
               AND ($1::date IS NULL OR c.date_signature <= $1)
         LEFT JOIN suivi ON suivi.territoire_id = a.territoire_id AND suivi.aide_id = a.aide_id
 ORDER BY a.territoire_id, a.aide_id"""


async def read_aides(conn: Connection, schema: Schema, as_of: date | None) -> list[AideAttribuee]:
    return [
        AideAttribuee(
            territoire_id=r["territoire_id"],
            aide_id=r["aide_id"],
            projet_id=r["projet_id"],
            forme=r["forme"],
            regime=r["regime"],
            siret=r["siret"],
            beneficiaire=r["raison_sociale"],
            intitule=r["intitule"],
            date_decision=r["date_decision"],
            date_convention=r["date_signature"],
            montant_accorde_centimes=r["montant_centimes"],
            rendu_centimes=r["rendu"],
            versements=tuple(r["versements"]),
            soldee=r["soldee"],
            publication_obligatoire=r["publication_obligatoire"],
        )
        for r in await conn.fetch(schema.sql(AIDES), as_of)
    ]
