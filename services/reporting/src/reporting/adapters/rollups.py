"""Roll-ups of the census and of the money that follows the aids, per territory and day, so that a figure "as of"
any date sums at most one row per territory and day instead of scanning every fact (at a million events the census
scan alone took over a second, the aids' a third of one).

Exact by construction: they are never updated by arithmetic on an event's amounts, but recomputed from the facts
for whatever a batch touched (a day of interviews, a company, a project), in the batch's own transaction, and the
difference with what they held is added to the per-day sums. A project's estimates become the points where its
figure changes: at its first estimate (or its census, whichever is later) the project counts and its value is
added, and at each later estimate the difference with the one before (in (date, version) order, as the figures
pick the latest) is added; so the sum up to a day is each project's latest estimate by that day, the project
counted from its census. A company counts from its first interview. An aid's payments become its points too: from its
decision on, what is paid so far (a final statement's amount, once there is one, replaces the tranches), what is
given back, repaid, left unpaid; an aided project counts from its first aid with the largest base so far, an aided
company from its first aid.

Several instances of reporting project at once (one consumer group, each its partitions), and a territory's day
gathers events of several streams, hence of several partitions: every upsert of a roll-up takes its rows in key
order, so two transactions that touch the same days wait for each other instead of deadlocking.

They keep no recording time: the figures "as known at" a time still read the facts themselves (Schema.known_at).
A schema created before them is filled from its facts when they are created (`TABLES` in schema.py runs each refresh
over everything once; `r_etat` records which)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from kernel.adapters.postgres import Connection
from reporting.adapters.projectors.common import Row


class SchemaSql(Protocol):
    """A projection schema as the refresh needs it (reporting.adapters.schema.Schema, which holds this module's
    TABLES among its own: named by what it does, so the two modules do not import each other)."""

    def sql(self, template: str) -> str: ...


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
DROP INDEX IF EXISTS {s}.entretiens_par_siren;  -- replaced by the one below, which also gives the first date
CREATE INDEX IF NOT EXISTS entretiens_par_siren_date ON {s}.entretiens (territoire_id, siren, date_effet);
CREATE INDEX IF NOT EXISTS estimations_par_projet ON {s}.projets_estimations (territoire_id, projet_id);
CREATE TABLE IF NOT EXISTS {s}.r_etat (singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton));

-- Recompute what the given keys touch (NULL: everything): interviews per (territory, day), each company's first
-- interview, each project's points; the per-day sums move by the difference with what was there.
CREATE OR REPLACE FUNCTION {s}.r_rafraichir_recensement(
    jours_t text[], jours date[], sirens_t text[], sirens text[], projets_t text[], projets text[]
) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    IF jours_t IS NULL THEN  -- everything: every key the facts and the roll-ups hold (the backfill)
        SELECT array_agg(territoire_id), array_agg(date_effet) INTO jours_t, jours
          FROM (SELECT DISTINCT territoire_id, date_effet FROM {s}.entretiens) AS k;
        SELECT array_agg(territoire_id), array_agg(siren) INTO sirens_t, sirens
          FROM (SELECT DISTINCT territoire_id, siren FROM {s}.entretiens) AS k;
        SELECT array_agg(territoire_id), array_agg(projet_id) INTO projets_t, projets
          FROM (SELECT territoire_id, projet_id FROM {s}.projets_estimations
                UNION SELECT territoire_id, projet_id FROM {s}.r_projets_points) AS k;
    END IF;
    INSERT INTO {s}.r_entretiens_jour (territoire_id, jour, n)
    SELECT territoire_id, date_effet, count(*) FROM {s}.entretiens
     WHERE (territoire_id, date_effet) IN (SELECT * FROM unnest(jours_t, jours))
     GROUP BY territoire_id, date_effet ORDER BY territoire_id, date_effet
    ON CONFLICT (territoire_id, jour) DO UPDATE SET n = EXCLUDED.n;

    WITH nouveau AS (  -- each company's first interview: one step down an index per company
        SELECT k.territoire_id, k.siren, m.premier
          FROM (SELECT DISTINCT * FROM unnest(sirens_t, sirens) AS u(territoire_id, siren)) AS k
          CROSS JOIN LATERAL (SELECT min(date_effet) AS premier FROM {s}.entretiens e
                               WHERE e.territoire_id = k.territoire_id AND e.siren = k.siren) AS m
         WHERE m.premier IS NOT NULL),
    ancien AS (SELECT o.territoire_id, o.premier FROM {s}.r_entreprises o JOIN nouveau USING (territoire_id, siren)),
    ecrit AS (
        INSERT INTO {s}.r_entreprises (territoire_id, siren, premier) SELECT * FROM nouveau ORDER BY 1, 2
        ON CONFLICT (territoire_id, siren) DO UPDATE SET premier = EXCLUDED.premier)
    INSERT INTO {s}.r_entreprises_jour (territoire_id, jour, n)
    SELECT territoire_id, jour, sum(d) FROM (
        SELECT territoire_id, premier AS jour, 1 AS d FROM nouveau
        UNION ALL SELECT territoire_id, premier, -1 FROM ancien) AS x
     GROUP BY territoire_id, jour HAVING sum(d) <> 0 ORDER BY territoire_id, jour
    ON CONFLICT (territoire_id, jour) DO UPDATE SET n = {s}.r_entreprises_jour.n + EXCLUDED.n;

    WITH ancien AS (
        DELETE FROM {s}.r_projets_points p
         WHERE (p.territoire_id, p.projet_id) IN (SELECT * FROM unnest(projets_t, projets))
        RETURNING p.territoire_id, p.jour, p.n, p.investissement, p.emplois),
    nouveau AS (
        SELECT e.territoire_id, e.projet_id, greatest(e.date_effet, r.date_effet) AS jour,
               (row_number() OVER w = 1)::integer AS n,
               e.investissement_centimes - coalesce(lag(e.investissement_centimes) OVER w, 0) AS investissement,
               e.emplois_potentiels - coalesce(lag(e.emplois_potentiels) OVER w, 0) AS emplois
          FROM {s}.projets_estimations e JOIN {s}.projets_recenses r USING (territoire_id, projet_id)
         WHERE (e.territoire_id, e.projet_id) IN (SELECT * FROM unnest(projets_t, projets))
        WINDOW w AS (PARTITION BY e.territoire_id, e.projet_id ORDER BY e.date_effet, e.stream_version)),
    ecrit AS (INSERT INTO {s}.r_projets_points SELECT * FROM nouveau)
    INSERT INTO {s}.r_projets_jour (territoire_id, jour, n, investissement, emplois)
    SELECT territoire_id, jour, sum(n), sum(investissement), sum(emplois) FROM (
        SELECT territoire_id, jour, n, investissement, emplois FROM nouveau
        UNION ALL SELECT territoire_id, jour, -n, -investissement, -emplois FROM ancien) AS x
     GROUP BY territoire_id, jour ORDER BY territoire_id, jour
    ON CONFLICT (territoire_id, jour) DO UPDATE
       SET n = {s}.r_projets_jour.n + EXCLUDED.n,
           investissement = {s}.r_projets_jour.investissement + EXCLUDED.investissement,
           emplois = {s}.r_projets_jour.emplois + EXCLUDED.emplois;
END $fn$;

-- Money roll-ups: each aid's points (paid: a final statement replaces the tranches; given back, repaid, unpaid),
-- each aided project's points (counted from its first aid, its largest base so far), each aided company's first
-- aid; their per-day sums in r_argent_jour.
CREATE TABLE IF NOT EXISTS {s}.r_aides_points (
    territoire_id text NOT NULL, aide_id text NOT NULL, jour date NOT NULL,
    verse bigint NOT NULL, rendu bigint NOT NULL, rembourse bigint NOT NULL, impayes bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS r_aides_points_aide ON {s}.r_aides_points (territoire_id, aide_id);
CREATE TABLE IF NOT EXISTS {s}.r_projets_aides_points (
    territoire_id text NOT NULL, projet_id text NOT NULL, jour date NOT NULL, n integer NOT NULL,
    investissement bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS r_projets_aides_points_projet ON {s}.r_projets_aides_points (territoire_id, projet_id);
CREATE TABLE IF NOT EXISTS {s}.r_entreprises_aidees (
    territoire_id text NOT NULL, siren text NOT NULL, premier date NOT NULL, PRIMARY KEY (territoire_id, siren)
);
CREATE TABLE IF NOT EXISTS {s}.r_argent_jour (
    territoire_id text NOT NULL, jour date NOT NULL,
    projets bigint NOT NULL DEFAULT 0, investissement bigint NOT NULL DEFAULT 0, entreprises bigint NOT NULL DEFAULT 0,
    verse bigint NOT NULL DEFAULT 0, rendu bigint NOT NULL DEFAULT 0, rembourse bigint NOT NULL DEFAULT 0,
    impayes bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (territoire_id, jour)
);
CREATE INDEX IF NOT EXISTS aides_par_projet ON {s}.aides (territoire_id, projet_id);
DROP INDEX IF EXISTS {s}.aides_par_siren;  -- replaced by the one below, which also gives the first date
CREATE INDEX IF NOT EXISTS aides_par_siren_date ON {s}.aides (territoire_id, siren, date_decision);
CREATE INDEX IF NOT EXISTS mouvements_par_aide ON {s}.aides_mouvements (territoire_id, aide_id);

CREATE OR REPLACE FUNCTION {s}.r_rafraichir_argent(
    aides_t text[], aides_k text[], projets_t text[], projets text[], sirens_t text[], sirens text[]
) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    IF aides_t IS NULL THEN  -- everything: every key the facts and the roll-ups hold (the backfill)
        SELECT array_agg(territoire_id), array_agg(aide_id) INTO aides_t, aides_k
          FROM (SELECT territoire_id, aide_id FROM {s}.aides
                UNION SELECT territoire_id, aide_id FROM {s}.r_aides_points) AS k;
        SELECT array_agg(territoire_id), array_agg(projet_id) INTO projets_t, projets
          FROM (SELECT territoire_id, projet_id FROM {s}.aides
                UNION SELECT territoire_id, projet_id FROM {s}.r_projets_aides_points) AS k;
        SELECT array_agg(territoire_id), array_agg(siren) INTO sirens_t, sirens
          FROM (SELECT DISTINCT territoire_id, siren FROM {s}.aides) AS k;
    END IF;
    WITH ancien AS (
        DELETE FROM {s}.r_aides_points p
         WHERE (p.territoire_id, p.aide_id) IN (SELECT * FROM unnest(aides_t, aides_k))
        RETURNING p.territoire_id, p.jour, p.verse, p.rendu, p.rembourse, p.impayes),
    a AS (SELECT territoire_id, aide_id, date_decision FROM {s}.aides
           WHERE (territoire_id, aide_id) IN (SELECT * FROM unnest(aides_t, aides_k))),
    par_jour AS (
        SELECT a.territoire_id, a.aide_id, greatest(m.date_effet, a.date_decision) AS jour,
               max(m.montant_centimes) FILTER (WHERE m.nature = 'SOLDE') AS solde,
               sum(m.montant_centimes) FILTER (WHERE m.nature = 'VERSEMENT') AS versements,
               coalesce(sum(m.montant_centimes) FILTER (WHERE m.nature IN ('REDUCTION', 'ANNULATION')), 0) AS rendu,
               coalesce(sum(m.montant_centimes) FILTER (WHERE m.nature = 'REMBOURSEMENT'), 0) AS rembourse,
               count(*) FILTER (WHERE m.nature = 'IMPAYE') AS impayes
          FROM a JOIN {s}.aides_mouvements m USING (territoire_id, aide_id)
         GROUP BY a.territoire_id, a.aide_id, greatest(m.date_effet, a.date_decision)),
    cumul AS (
        SELECT territoire_id, aide_id, jour, rendu, rembourse, impayes,
               coalesce(max(solde) OVER w, sum(versements) OVER w, 0) AS paye
          FROM par_jour WINDOW w AS (PARTITION BY territoire_id, aide_id ORDER BY jour)),
    nouveau AS (
        SELECT territoire_id, aide_id, jour,
               paye - coalesce(lag(paye) OVER (PARTITION BY territoire_id, aide_id ORDER BY jour), 0) AS verse,
               rendu, rembourse, impayes
          FROM cumul),
    ecrit AS (INSERT INTO {s}.r_aides_points SELECT * FROM nouveau)
    INSERT INTO {s}.r_argent_jour (territoire_id, jour, verse, rendu, rembourse, impayes)
    SELECT territoire_id, jour, sum(verse), sum(rendu), sum(rembourse), sum(impayes) FROM (
        SELECT territoire_id, jour, verse, rendu, rembourse, impayes FROM nouveau
        UNION ALL SELECT territoire_id, jour, -verse, -rendu, -rembourse, -impayes FROM ancien) AS x
     GROUP BY territoire_id, jour ORDER BY territoire_id, jour
    ON CONFLICT (territoire_id, jour) DO UPDATE
       SET verse = {s}.r_argent_jour.verse + EXCLUDED.verse, rendu = {s}.r_argent_jour.rendu + EXCLUDED.rendu,
           rembourse = {s}.r_argent_jour.rembourse + EXCLUDED.rembourse,
           impayes = {s}.r_argent_jour.impayes + EXCLUDED.impayes;

    WITH ancien AS (
        DELETE FROM {s}.r_projets_aides_points p
         WHERE (p.territoire_id, p.projet_id) IN (SELECT * FROM unnest(projets_t, projets))
        RETURNING p.territoire_id, p.jour, p.n, p.investissement),
    suite AS (
        SELECT territoire_id, projet_id, date_decision AS jour, row_number() OVER w AS rang,
               max(assiette_centimes) OVER w AS plus_grande
          FROM {s}.aides
         WHERE (territoire_id, projet_id) IN (SELECT * FROM unnest(projets_t, projets))
        WINDOW w AS (PARTITION BY territoire_id, projet_id ORDER BY date_decision, aide_id)),
    nouveau AS (
        SELECT territoire_id, projet_id, jour, (rang = 1)::integer AS n,
               plus_grande - coalesce(lag(plus_grande) OVER (PARTITION BY territoire_id, projet_id ORDER BY rang), 0)
                   AS investissement
          FROM suite),
    ecrit AS (INSERT INTO {s}.r_projets_aides_points SELECT * FROM nouveau)
    INSERT INTO {s}.r_argent_jour (territoire_id, jour, projets, investissement)
    SELECT territoire_id, jour, sum(n), sum(investissement) FROM (
        SELECT territoire_id, jour, n, investissement FROM nouveau
        UNION ALL SELECT territoire_id, jour, -n, -investissement FROM ancien) AS x
     GROUP BY territoire_id, jour ORDER BY territoire_id, jour
    ON CONFLICT (territoire_id, jour) DO UPDATE
       SET projets = {s}.r_argent_jour.projets + EXCLUDED.projets,
           investissement = {s}.r_argent_jour.investissement + EXCLUDED.investissement;

    WITH nouveau AS (  -- each company's first aid: one step down an index per company
        SELECT k.territoire_id, k.siren, m.premier
          FROM (SELECT DISTINCT * FROM unnest(sirens_t, sirens) AS u(territoire_id, siren)) AS k
          CROSS JOIN LATERAL (SELECT min(date_decision) AS premier FROM {s}.aides a
                               WHERE a.territoire_id = k.territoire_id AND a.siren = k.siren) AS m
         WHERE k.siren <> '' AND m.premier IS NOT NULL),
    ancien AS (
        SELECT o.territoire_id, o.premier FROM {s}.r_entreprises_aidees o JOIN nouveau USING (territoire_id, siren)),
    ecrit AS (
        INSERT INTO {s}.r_entreprises_aidees (territoire_id, siren, premier) SELECT * FROM nouveau ORDER BY 1, 2
        ON CONFLICT (territoire_id, siren) DO UPDATE SET premier = EXCLUDED.premier)
    INSERT INTO {s}.r_argent_jour (territoire_id, jour, entreprises)
    SELECT territoire_id, jour, sum(d) FROM (
        SELECT territoire_id, premier AS jour, 1 AS d FROM nouveau
        UNION ALL SELECT territoire_id, premier, -1 FROM ancien) AS x
     GROUP BY territoire_id, jour HAVING sum(d) <> 0 ORDER BY territoire_id, jour
    ON CONFLICT (territoire_id, jour) DO UPDATE SET entreprises = {s}.r_argent_jour.entreprises + EXCLUDED.entreprises;
END $fn$;

-- A schema whose facts came before the roll-ups: filled once from all of them (r_etat's version: which roll-ups).
ALTER TABLE {s}.r_etat ADD COLUMN IF NOT EXISTS version integer NOT NULL DEFAULT 1;
DO $fill$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM {s}.r_etat) THEN
        PERFORM {s}.r_rafraichir_recensement(NULL, NULL, NULL, NULL, NULL, NULL);
        INSERT INTO {s}.r_etat DEFAULT VALUES;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM {s}.r_etat WHERE version >= 2) THEN
        PERFORM {s}.r_rafraichir_argent(NULL, NULL, NULL, NULL, NULL, NULL);
        UPDATE {s}.r_etat SET version = 2;
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

# What follows the aids as of $1, from the roll-ups: the CTEs `projets`, `entreprises` and `suivi` of
# facts_projets_sql.AIDES.
AIDES = """
r AS (SELECT territoire_id, sum(projets)::bigint AS projets, sum(investissement)::bigint AS investissement,
             sum(entreprises)::bigint AS entreprises, sum(verse)::bigint AS verse, sum(rendu)::bigint AS rendu,
             sum(rembourse)::bigint AS rembourse, sum(impayes)::bigint AS impayes
        FROM {s}.r_argent_jour WHERE ($1::date IS NULL OR jour <= $1) GROUP BY territoire_id),
projets AS (SELECT territoire_id, projets, investissement FROM r WHERE projets > 0),
entreprises AS (SELECT territoire_id, entreprises AS n FROM r WHERE entreprises > 0),
suivi AS (SELECT territoire_id, verse, rendu, rembourse, impayes FROM r WHERE projets > 0)"""

# Each roll-up's refresh and the kinds of keys it takes, in its arguments' order.
REFRESHES = {
    "SELECT {s}.r_rafraichir_recensement($1, $2, $3, $4, $5, $6)": ("jour", "siren", "projet"),
    "SELECT {s}.r_rafraichir_argent($1, $2, $3, $4, $5, $6)": ("aide", "projet_aide", "siren_aide"),
}


def touched(rows: Iterable[Row], kinds: tuple[str, ...]) -> tuple[list[Any], ...] | None:
    """The keys of `kinds` the rows touch, as a refresh's arrays (two per kind); None when they touch none."""
    keys: dict[str, set[tuple[Any, ...]]] = {kind: set() for kind in kinds}
    for row in rows:
        for kind, key in row.touches:
            if kind in keys:
                keys[kind].add(key)
    if not any(keys.values()):
        return None
    return tuple(
        [key[index] for key in ordered] for ordered in (sorted(keys[kind]) for kind in kinds) for index in (0, 1)
    )


async def refresh(conn: Connection, schema: SchemaSql, rows: Sequence[Row]) -> None:
    """Recompute the roll-ups for what the rows touched, in the caller's transaction."""
    for sql, kinds in REFRESHES.items():
        arrays = touched(rows, kinds)
        if arrays is not None:
            await conn.execute(schema.sql(sql), *arrays)
