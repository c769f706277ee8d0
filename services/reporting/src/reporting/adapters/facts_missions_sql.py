"""Reads the laureates' missions "as of" a date: milestones reached (first date of each), COPIL meetings and
alerts, and the axes of the latest feuille de route restituée by then."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from kernel.adapters.postgres import Connection
from reporting.adapters.projectors.mission import SIGNEE_EN_RETARD
from reporting.adapters.schema import Schema
from reporting.domain.missions import MissionFacts

ETAPES = """
SELECT territoire_id, etape, detail, date_effet FROM {s}.mission_etapes
 WHERE ($1::date IS NULL OR date_effet <= $1) ORDER BY territoire_id, etape, detail"""

FEUILLES = """
SELECT DISTINCT ON (territoire_id) territoire_id, axes FROM {s}.feuilles_de_route
 WHERE ($1::date IS NULL OR date_effet <= $1) ORDER BY territoire_id, date_effet DESC, stream_version DESC"""

# milestone → MissionFacts field holding the date it was reached
JALONS = {
    "OUVERTE": "ouverte_le",
    "CONVENTION_SIGNEE": "convention_signee_le",
    "CONVENTION_EN_RETARD": "convention_en_retard_le",
    "LANCEE": "lancee_le",
    "RESTITUEE": "restituee_le",
    "CLOTUREE": "cloturee_le",
}
COPIL_TENU, COPIL_MANQUANT = "COPIL_TENU", "COPIL_MANQUANT"


async def read_missions(conn: Connection, schema: Schema, as_of: date | None) -> dict[str, MissionFacts]:
    """Call inside the caller's snapshot transaction (see facts_sql.read_facts)."""
    values: dict[str, dict[str, Any]] = defaultdict(lambda: {"nb_copil_tenus": 0, "mois_sans_copil": ()})
    for row in await conn.fetch(schema.sql(ETAPES), as_of):
        known, etape = values[row["territoire_id"]], row["etape"]
        if etape in JALONS:
            field = JALONS[etape]
            known[field] = min(known.get(field) or row["date_effet"], row["date_effet"])
            if etape == "LANCEE":
                known["operateur"] = row["detail"] or "BDT_FRANCE_2030"  # a v1 launch was the BdT's
            known["signee_en_retard"] = known.get("signee_en_retard", False) or row["detail"] == SIGNEE_EN_RETARD
        elif etape == COPIL_TENU:
            known["nb_copil_tenus"] += 1
        elif etape == COPIL_MANQUANT:
            known["mois_sans_copil"] += (row["detail"],)
    for row in await conn.fetch(schema.sql(FEUILLES), as_of):
        values[row["territoire_id"]]["axes_feuille_de_route"] = tuple(row["axes"])
    return {territoire: MissionFacts(**known) for territoire, known in values.items()}
