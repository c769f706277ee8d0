"""Reads the selection chain's facts per wave "as of" a date: SQL counts of distinct candidatures per step.

Business dates: date_depot for deposits, date_effet of each step (withdrawal, relève, eligibility,
proposal, non-selection), date_decision for laureates, date_arrete for the AMI's early closure."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from kernel.adapters.postgres import Connection
from reporting.adapters.projectors.common import PARIS
from reporting.adapters.schema import Schema
from reporting.domain.vagues import ClotureAMI, VagueFacts

DEPOTS = """
SELECT vague, 'DEPOSEE' AS etape, NULL AS detail, true AS total, count(*) AS n FROM {s}.candidatures
 WHERE ($1::date IS NULL OR date_depot <= $1) GROUP BY vague
UNION ALL
SELECT vague, 'LAUREAT', NULL, true, count(*) FROM {s}.laureats
 WHERE ($1::date IS NULL OR date_decision <= $1) GROUP BY vague"""

# A step without its own wave takes its deposit's; totals count distinct candidatures, then per detail.
ETAPES = """
WITH e AS (SELECT s.candidature_id, coalesce(s.vague, c.vague) AS vague, s.etape, s.detail
             FROM {s}.selection_etapes s LEFT JOIN {s}.candidatures c USING (candidature_id)
            WHERE ($1::date IS NULL OR s.date_effet <= $1))
SELECT vague, etape, detail, GROUPING(detail) = 1 AS total, count(DISTINCT candidature_id) AS n
  FROM e WHERE vague IS NOT NULL
 GROUP BY GROUPING SETS ((vague, etape), (vague, etape, detail))"""

RELEVES = "SELECT vague, releve_le FROM {s}.releves WHERE ($1::date IS NULL OR date_releve <= $1)"

CLOTURE = """
SELECT date_arrete, effective_le FROM {s}.clotures_ami WHERE ($1::date IS NULL OR date_arrete <= $1)
 ORDER BY date_arrete, stream_id, stream_version LIMIT 1"""

# step → VagueFacts field holding its total
TOTALS = {
    "DEPOSEE": "nb_deposees",
    "RETIREE": "nb_retirees",
    "RELEVEE": "nb_relevees",
    "INELIGIBLE": "nb_ineligibles",
    "RECEVABLE": "nb_recevables",
    "PROPOSEE": "nb_proposees",
    "LAUREAT": "nb_laureats",
    "NON_RETENUE": "nb_non_retenues",
}


async def read_vagues(
    conn: Connection, schema: Schema, as_of: date | None
) -> tuple[tuple[VagueFacts, ...], ClotureAMI | None]:
    """Call inside the caller's snapshot transaction (see facts_sql.read_facts)."""
    counts: dict[int, dict[str, Any]] = defaultdict(lambda: {"ineligibles_par_regle": {}})
    for row in [*await conn.fetch(schema.sql(DEPOTS), as_of), *await conn.fetch(schema.sql(ETAPES), as_of)]:
        field = TOTALS.get(row["etape"])
        if field is None:
            continue  # a step the figures do not show
        if row["total"]:
            counts[row["vague"]][field] = row["n"]
        elif row["etape"] == "INELIGIBLE":
            counts[row["vague"]]["ineligibles_par_regle"][row["detail"]] = row["n"]
    for row in await conn.fetch(schema.sql(RELEVES), as_of):
        counts[row["vague"]]["releve_le"] = row["releve_le"].astimezone(PARIS)
    vagues = tuple(VagueFacts(vague=n, **values) for n, values in sorted(counts.items()))
    found = await conn.fetchrow(schema.sql(CLOTURE), as_of)
    cloture = ClotureAMI(found["date_arrete"], found["effective_le"].astimezone(PARIS)) if found else None
    return vagues, cloture
