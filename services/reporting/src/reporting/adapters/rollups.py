"""Roll-ups of the census, per territory and day, so that a figure "as of" any date sums at most one row per
territory and day instead of scanning every fact (at a million events the census scan alone took over a second).

Exact by construction: they are never updated by arithmetic on an event's amounts, but recomputed from the facts
for whatever a batch touched (a day of interviews, a company, a project), in the batch's own transaction, and the
difference with what they held is added to the per-day sums. A project's estimates become the points where its
figure changes: at its first estimate (or its census, whichever is later) the project counts and its value is
added, and at each later estimate the difference with the one before (in (date, version) order, as the figures
pick the latest) is added; so the sum up to a day is each project's latest estimate by that day, the project
counted from its census. A company counts from its first interview.

They keep no recording time: the figures "as known at" a time still read the facts themselves (Schema.known_at).
A schema created before them is filled from its facts when they are created (`TABLES` in schema.py runs
`r_rafraichir_recensement` over everything once)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from kernel.adapters.postgres import Connection
from reporting.adapters.projectors.common import Row

TABLES = """
-- Census roll-ups (reporting.adapters.rollups): per territory and day, recomputed from the facts a batch touched.
CREATE TABLE IF NOT EXISTS {s}.r_entretiens_jour (
    territoire_id text NOT NULL, jour date NOT NULL, n bigint NOT NULL, PRIMARY KEY (territoire_id, jour)
);
CREATE TABLE IF NOT EXISTS {s}.r_entreprises (
    territoire_id text NOT NULL, siren text NOT NULL, premier date NOT NULL, PRIMARY KEY (territoire_id, siren)
);
CREATE TABLE IF NOT EXISTS {s}.r_entreprises_jour (
    territoire_id text NOT NULL, jour date NOT NULL, n bigint NOT NULL, PRIMARY KEY (territoire_id, jour)
);
CREATE TABLE IF NOT EXISTS {s}.r_projets_points (
    territoire_id text NOT NULL, projet_id text NOT NULL, jour date NOT NULL,
    n integer NOT NULL, investissement bigint NOT NULL, emplois bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS r_projets_points_projet ON {s}.r_projets_points (territoire_id, projet_id);
CREATE TABLE IF NOT EXISTS {s}.r_projets_jour (
    territoire_id text NOT NULL, jour date NOT NULL,
    n bigint NOT NULL, investissement bigint NOT NULL, emplois bigint NOT NULL, PRIMARY KEY (territoire_id, jour)
);
CREATE INDEX IF NOT EXISTS entretiens_par_jour ON {s}.entretiens (territoire_id, date_effet);
CREATE INDEX IF NOT EXISTS entretiens_par_siren ON {s}.entretiens (territoire_id, siren);
CREATE INDEX IF NOT EXISTS estimations_par_projet ON {s}.projets_estimations (territoire_id, projet_id);
CREATE TABLE IF NOT EXISTS {s}.r_etat (singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton));

-- Recompute what the given keys touch (NULL: everything): interviews per (territory, day), each company's first
-- interview, each project's points; the per-day sums move by the difference with what was there.
CREATE OR REPLACE FUNCTION {s}.r_rafraichir_recensement(
    jours_t text[], jours date[], sirens_t text[], sirens text[], projets_t text[], projets text[]
) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO {s}.r_entretiens_jour (territoire_id, jour, n)
    SELECT territoire_id, date_effet, count(*) FROM {s}.entretiens
     WHERE jours_t IS NULL OR (territoire_id, date_effet) IN (SELECT * FROM unnest(jours_t, jours))
     GROUP BY territoire_id, date_effet
    ON CONFLICT (territoire_id, jour) DO UPDATE SET n = EXCLUDED.n;

    WITH nouveau AS (
        SELECT territoire_id, siren, min(date_effet) AS premier FROM {s}.entretiens
         WHERE sirens_t IS NULL OR (territoire_id, siren) IN (SELECT * FROM unnest(sirens_t, sirens))
         GROUP BY territoire_id, siren),
    ancien AS (SELECT o.territoire_id, o.premier FROM {s}.r_entreprises o JOIN nouveau USING (territoire_id, siren)),
    ecrit AS (
        INSERT INTO {s}.r_entreprises (territoire_id, siren, premier) SELECT * FROM nouveau
        ON CONFLICT (territoire_id, siren) DO UPDATE SET premier = EXCLUDED.premier)
    INSERT INTO {s}.r_entreprises_jour (territoire_id, jour, n)
    SELECT territoire_id, jour, sum(d) FROM (
        SELECT territoire_id, premier AS jour, 1 AS d FROM nouveau
        UNION ALL SELECT territoire_id, premier, -1 FROM ancien) AS x
     GROUP BY territoire_id, jour HAVING sum(d) <> 0
    ON CONFLICT (territoire_id, jour) DO UPDATE SET n = {s}.r_entreprises_jour.n + EXCLUDED.n;

    WITH ancien AS (
        DELETE FROM {s}.r_projets_points p
         WHERE projets_t IS NULL OR (p.territoire_id, p.projet_id) IN (SELECT * FROM unnest(projets_t, projets))
        RETURNING p.territoire_id, p.jour, p.n, p.investissement, p.emplois),
    nouveau AS (
        SELECT e.territoire_id, e.projet_id, greatest(e.date_effet, r.date_effet) AS jour,
               (row_number() OVER w = 1)::integer AS n,
               e.investissement_centimes - coalesce(lag(e.investissement_centimes) OVER w, 0) AS investissement,
               e.emplois_potentiels - coalesce(lag(e.emplois_potentiels) OVER w, 0) AS emplois
          FROM {s}.projets_estimations e JOIN {s}.projets_recenses r USING (territoire_id, projet_id)
         WHERE projets_t IS NULL OR (e.territoire_id, e.projet_id) IN (SELECT * FROM unnest(projets_t, projets))
        WINDOW w AS (PARTITION BY e.territoire_id, e.projet_id ORDER BY e.date_effet, e.stream_version)),
    ecrit AS (INSERT INTO {s}.r_projets_points SELECT * FROM nouveau)
    INSERT INTO {s}.r_projets_jour (territoire_id, jour, n, investissement, emplois)
    SELECT territoire_id, jour, sum(n), sum(investissement), sum(emplois) FROM (
        SELECT territoire_id, jour, n, investissement, emplois FROM nouveau
        UNION ALL SELECT territoire_id, jour, -n, -investissement, -emplois FROM ancien) AS x
     GROUP BY territoire_id, jour
    ON CONFLICT (territoire_id, jour) DO UPDATE
       SET n = {s}.r_projets_jour.n + EXCLUDED.n,
           investissement = {s}.r_projets_jour.investissement + EXCLUDED.investissement,
           emplois = {s}.r_projets_jour.emplois + EXCLUDED.emplois;
END $fn$;

-- A schema whose facts came before the roll-ups: filled once from all of them.
DO $fill$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM {s}.r_etat) THEN
        PERFORM {s}.r_rafraichir_recensement(NULL, NULL, NULL, NULL, NULL, NULL);
        INSERT INTO {s}.r_etat DEFAULT VALUES;
    END IF;
END $fill$;
"""

# The census as of $1, from the roll-ups: the same columns as facts_projets_sql.RECENSEMENT.
RECENSEMENT = """
WITH ent AS (SELECT territoire_id, sum(n)::bigint AS entretiens FROM {s}.r_entretiens_jour
              WHERE ($1::date IS NULL OR jour <= $1) GROUP BY territoire_id),
entreprises AS (SELECT territoire_id, sum(n)::bigint AS n FROM {s}.r_entreprises_jour
                 WHERE ($1::date IS NULL OR jour <= $1) GROUP BY territoire_id),
rec AS (SELECT territoire_id, sum(n)::bigint AS projets, sum(investissement)::bigint AS investissement,
               sum(emplois)::bigint AS emplois
          FROM {s}.r_projets_jour WHERE ($1::date IS NULL OR jour <= $1) GROUP BY territoire_id HAVING sum(n) > 0),
iss AS (SELECT territoire_id, count(*) FILTER (WHERE issue = 'ORIENTE') AS orientes,
               count(*) FILTER (WHERE issue = 'ABANDONNE') AS abandonnes
          FROM {s}.projets_issues WHERE ($1::date IS NULL OR date_effet <= $1) GROUP BY territoire_id),
ids AS (SELECT territoire_id FROM ent UNION SELECT territoire_id FROM rec)
SELECT ids.territoire_id, coalesce(entreprises.n, 0) AS entreprises, coalesce(ent.entretiens, 0) AS entretiens,
       coalesce(rec.projets, 0) AS projets, coalesce(rec.investissement, 0) AS investissement,
       coalesce(rec.emplois, 0) AS emplois, coalesce(iss.orientes, 0) AS orientes,
       coalesce(iss.abandonnes, 0) AS abandonnes
  FROM ids LEFT JOIN ent USING (territoire_id) LEFT JOIN entreprises USING (territoire_id)
       LEFT JOIN rec USING (territoire_id) LEFT JOIN iss USING (territoire_id)"""

REFRESH = "SELECT {s}.r_rafraichir_recensement($1, $2, $3, $4, $5, $6)"


def touched(rows: Iterable[Row]) -> tuple[list[Any], ...] | None:
    """The keys the rows touch, as REFRESH's six arrays; None when they touch none."""
    jours: set[tuple[str, date]] = set()
    sirens: set[tuple[str, str]] = set()
    projets: set[tuple[str, str]] = set()
    for row in rows:
        for kind, key in row.touches:
            (jours if kind == "jour" else sirens if kind == "siren" else projets).add(key)
    if not (jours or sirens or projets):
        return None
    return tuple(list(column) for keys in (jours, sirens, projets) for column in (_column(keys, 0), _column(keys, 1)))


def _column(keys: set[Any], index: int) -> list[Any]:
    return [key[index] for key in sorted(keys)]


async def refresh(conn: Connection, sql: str, rows: Iterable[Row]) -> None:
    """Recompute the roll-ups for what the rows touched (`sql`: REFRESH rendered for the schema)."""
    arrays = touched(rows)
    if arrays is not None:
        await conn.execute(sql, *arrays)
