"""Reads the facts of a projection schema "as of" a date with SQL aggregates, in one consistent snapshot.

Business date of each fact: date_depot (deposee_le in Europe/Paris) for candidatures, date_decision
for laureates and aids, date_copil for projects, date_attribution for envelopes, date_effet for the
steps of the selection chain and of the missions. `$1` is the date or NULL (everything)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import asyncpg

from kernel.adapters.postgres import Connection
from reporting.adapters.facts_missions_sql import read_missions
from reporting.adapters.facts_projets_sql import read_argent, read_recensement
from reporting.adapters.facts_vagues_sql import read_vagues
from reporting.adapters.schema import Schema
from reporting.domain.figures import AidesForme, ArgentFacts, Facts, RecensementFacts, TerritoireFacts

SEUILS_FONDS = """
SELECT seuil_pourcent, date_atteinte FROM {s}.seuils_fonds WHERE ($1::date IS NULL OR date_atteinte <= $1)
 ORDER BY seuil_pourcent"""

CANDIDATURES = """
SELECT region_code, count(*) AS n FROM {s}.candidatures WHERE ($1::date IS NULL OR date_depot <= $1)
GROUP BY region_code"""

# The envelope of each territory as of $1 is its latest attribution by then.
ENVELOPPES = """
env AS (SELECT DISTINCT ON (territoire_id) territoire_id, stream_id, stream_version, montant_centimes
          FROM {s}.enveloppes WHERE ($1::date IS NULL OR date_attribution <= $1)
         ORDER BY territoire_id, date_attribution DESC, stream_version DESC)"""

# The territories with an aid, and with a census project, by the date: from the facts, or from the roll-ups
# (reporting.adapters.rollups: a territory counts an aid from its first one, a project from its census).
AIDES_ET_RECENSES = """
        UNION SELECT territoire_id FROM {s}.aides WHERE ($1::date IS NULL OR date_decision <= $1)
        UNION SELECT territoire_id FROM {s}.projets_recenses WHERE ($1::date IS NULL OR date_effet <= $1)"""
AIDES_ET_RECENSES_ROLLED_UP = """
        UNION SELECT territoire_id FROM {s}.r_argent_jour WHERE ($1::date IS NULL OR jour <= $1)
               GROUP BY territoire_id HAVING sum(projets) > 0
        UNION SELECT territoire_id FROM {s}.r_projets_jour WHERE ($1::date IS NULL OR jour <= $1)
               GROUP BY territoire_id HAVING sum(n) > 0"""

# A territory's name is read only once it is a laureate by the date (never a mere candidate's, §7).
TERRITOIRES = (
    """
WITH """
    + ENVELOPPES
    + """,
ids AS (SELECT territoire_id FROM {s}.laureats WHERE ($1::date IS NULL OR date_decision <= $1)
        UNION SELECT territoire_id FROM env
        UNION SELECT territoire_id FROM {s}.projets_qualifies WHERE ($1::date IS NULL OR date_copil <= $1)
        UNION SELECT territoire_id FROM {s}.aides_refusees WHERE ($1::date IS NULL OR date_decision <= $1)
        UNION SELECT territoire_id FROM {s}.mission_etapes WHERE ($1::date IS NULL OR date_effet <= $1)
        UNION SELECT territoire_id FROM {s}.bons_ingenierie WHERE ($1::date IS NULL OR date_effet <= $1)
        {aides_et_recenses}),
proj AS (SELECT territoire_id, count(*) AS n, sum(emplois_prevus)::bigint AS emplois,
                sum(assiette_estimee_centimes)::bigint AS investissement
           FROM {s}.projets_qualifies WHERE ($1::date IS NULL OR date_copil <= $1) GROUP BY territoire_id),
refus AS (SELECT territoire_id, count(*) AS n FROM {s}.aides_refusees
           WHERE ($1::date IS NULL OR date_decision <= $1) GROUP BY territoire_id)
SELECT ids.territoire_id, l.region_code,
       coalesce($1::date IS NULL OR l.date_decision <= $1, false) AS laureat,
       CASE WHEN $1::date IS NULL OR l.date_decision <= $1 THEN l.nom_territoire END AS nom_territoire,
       coalesce(env.montant_centimes, 0) AS enveloppe, coalesce(proj.n, 0) AS nb_projets,
       coalesce(proj.emplois, 0) AS emplois, coalesce(proj.investissement, 0) AS investissement,
       coalesce(refus.n, 0) AS nb_refus
  FROM ids LEFT JOIN {s}.laureats l USING (territoire_id) LEFT JOIN env USING (territoire_id)
       LEFT JOIN proj USING (territoire_id) LEFT JOIN refus USING (territoire_id)
 ORDER BY ids.territoire_id"""
)

AIDES = """
SELECT territoire_id, forme, count(*) AS nombre, sum(montant_centimes)::bigint AS montant,
       count(*) FILTER (WHERE publication_obligatoire) AS publication
  FROM {s}.aides WHERE ($1::date IS NULL OR date_decision <= $1) GROUP BY territoire_id, forme"""

CONTRIBUTIONS = (
    """
WITH """
    + ENVELOPPES
    + """
SELECT env.territoire_id, c.financeur, c.montant_centimes
  FROM env JOIN {s}.enveloppe_contributions c USING (stream_id, stream_version)
 ORDER BY env.territoire_id, c.rang"""
)


def territoires_sql(schema: Schema) -> str:
    """TERRITOIRES, its aided and census territories from the roll-ups unless the schema is read as known at a time
    (the roll-ups keep no recording time)."""
    return TERRITOIRES.replace(
        "{aides_et_recenses}", AIDES_ET_RECENSES if schema.known_at else AIDES_ET_RECENSES_ROLLED_UP
    )


async def read_facts(conn: Connection, schema: Schema, as_of: date | None) -> Facts:
    """All facts as of the date, read in one repeatable-read snapshot so the figures agree."""
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        candidatures = await conn.fetch(schema.sql(CANDIDATURES), as_of)
        rows = await conn.fetch(schema.sql(territoires_sql(schema)), as_of)
        aides = await conn.fetch(schema.sql(AIDES), as_of)
        contributions = await conn.fetch(schema.sql(CONTRIBUTIONS), as_of)
        missions = await read_missions(conn, schema, as_of)
        recensements = await read_recensement(conn, schema, as_of)
        argent = await read_argent(conn, schema, as_of)
        vagues, cloture = await read_vagues(conn, schema, as_of)
        seuils = await conn.fetch(schema.sql(SEUILS_FONDS), as_of)
    par_forme, publication, parts = _par_territoire(aides, contributions)
    territoires = tuple(
        TerritoireFacts(
            territoire_id=r["territoire_id"],
            nom=r["nom_territoire"],
            region_code=r["region_code"],
            laureat=r["laureat"],
            enveloppe_centimes=r["enveloppe"] + argent.get(r["territoire_id"], ArgentFacts()).ajustements_centimes,
            contributions=tuple(parts[r["territoire_id"]]),
            nb_projets_qualifies=r["nb_projets"],
            emplois_prevus=r["emplois"],
            investissement_estime_centimes=r["investissement"],
            aides=par_forme[r["territoire_id"]],
            nb_aides_publication_obligatoire=publication[r["territoire_id"]],
            nb_aides_refusees=r["nb_refus"],
            mission=missions.get(r["territoire_id"]),
            recensement=recensements.get(r["territoire_id"], RecensementFacts()),
            argent=argent.get(r["territoire_id"], ArgentFacts()),
        )
        for r in rows
    )
    return Facts(
        {r["region_code"]: r["n"] for r in candidatures},
        territoires,
        vagues,
        cloture,
        tuple((r["seuil_pourcent"], r["date_atteinte"]) for r in seuils),
    )


def _par_territoire(
    aides: list[asyncpg.Record], contributions: list[asyncpg.Record]
) -> tuple[dict[str, dict[str, AidesForme]], dict[str, int], dict[str, list[tuple[str, int]]]]:
    """Each territory's aids by form, its aids to publish, and its envelope's contributions in order."""
    par_forme: dict[str, dict[str, AidesForme]] = defaultdict(dict)
    publication: dict[str, int] = defaultdict(int)
    for a in aides:
        par_forme[a["territoire_id"]][a["forme"]] = AidesForme(a["nombre"], a["montant"])
        publication[a["territoire_id"]] += a["publication"]
    parts: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for c in contributions:
        parts[c["territoire_id"]].append((c["financeur"], c["montant_centimes"]))
    return par_forme, publication, parts
