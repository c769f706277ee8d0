"""Reads the census and the money that follows a grant "as of" a date, per territory, with SQL aggregates (called
inside the snapshot transaction of facts_sql.read_facts, so every figure agrees).

Business date of each fact: the interview's, the census's and each estimate's `date`, an end's date, each payment,
final statement, repayment, missed échéance and cancellation's date, an adjustment's and an order's date."""

from __future__ import annotations

from datetime import date

from kernel.adapters.postgres import Connection
from reporting.adapters import rollups
from reporting.adapters.schema import Schema
from reporting.domain.figures import ArgentFacts, RecensementFacts

RECENSEMENT = """
WITH ent AS (SELECT territoire_id, count(DISTINCT siren) AS entreprises, count(*) AS entretiens FROM {s}.entretiens
              WHERE ($1::date IS NULL OR date_effet <= $1) GROUP BY territoire_id),
est AS (SELECT DISTINCT ON (territoire_id, projet_id) territoire_id, projet_id, investissement_centimes,
               emplois_potentiels
          FROM {s}.projets_estimations WHERE ($1::date IS NULL OR date_effet <= $1)
         ORDER BY territoire_id, projet_id, date_effet DESC, stream_version DESC),
rec AS (SELECT p.territoire_id, count(*) AS projets, sum(est.investissement_centimes)::bigint AS investissement,
               sum(est.emplois_potentiels)::bigint AS emplois
          FROM {s}.projets_recenses p JOIN est USING (territoire_id, projet_id)
         WHERE ($1::date IS NULL OR p.date_effet <= $1) GROUP BY p.territoire_id),
iss AS (SELECT territoire_id, count(*) FILTER (WHERE issue = 'ORIENTE') AS orientes,
               count(*) FILTER (WHERE issue = 'ABANDONNE') AS abandonnes
          FROM {s}.projets_issues WHERE ($1::date IS NULL OR date_effet <= $1) GROUP BY territoire_id),
ids AS (SELECT territoire_id FROM ent UNION SELECT territoire_id FROM rec)
SELECT ids.territoire_id, coalesce(ent.entreprises, 0) AS entreprises, coalesce(ent.entretiens, 0) AS entretiens,
       coalesce(rec.projets, 0) AS projets, coalesce(rec.investissement, 0) AS investissement,
       coalesce(rec.emplois, 0) AS emplois, coalesce(iss.orientes, 0) AS orientes,
       coalesce(iss.abandonnes, 0) AS abandonnes
  FROM ids LEFT JOIN ent USING (territoire_id) LEFT JOIN rec USING (territoire_id)
       LEFT JOIN iss USING (territoire_id)"""

# Per territory, as of $1: aided projects and companies, the investment they carry (each project's base once),
# and what follows the grants: paid (a final statement's amount replaces its tranches), given back, repaid, unpaid.
# The part that follows each aid: defines `projets`, `entreprises` and `suivi` (also from the roll-ups: rollups.AIDES).
AIDES = """
a AS (SELECT * FROM {s}.aides WHERE ($1::date IS NULL OR date_decision <= $1)),
m AS (SELECT * FROM {s}.aides_mouvements WHERE ($1::date IS NULL OR date_effet <= $1)),
projets AS (SELECT territoire_id, count(*) AS projets, sum(assiette)::bigint AS investissement
              FROM (SELECT territoire_id, projet_id, max(assiette_centimes) AS assiette FROM a
                     GROUP BY territoire_id, projet_id) p GROUP BY territoire_id),
entreprises AS (SELECT territoire_id, count(DISTINCT siren) AS n FROM a WHERE siren <> '' GROUP BY territoire_id),
par_aide AS (SELECT a.territoire_id, a.aide_id,
                    coalesce(max(m.montant_centimes) FILTER (WHERE m.nature = 'SOLDE'),
                             sum(m.montant_centimes) FILTER (WHERE m.nature = 'VERSEMENT'), 0) AS verse,
                    coalesce(sum(m.montant_centimes) FILTER (WHERE m.nature IN ('REDUCTION', 'ANNULATION')), 0)
                        AS rendu,
                    coalesce(sum(m.montant_centimes) FILTER (WHERE m.nature = 'REMBOURSEMENT'), 0) AS rembourse,
                    count(*) FILTER (WHERE m.nature = 'IMPAYE') AS impayes
               FROM a LEFT JOIN m ON m.territoire_id = a.territoire_id AND m.aide_id = a.aide_id
              GROUP BY a.territoire_id, a.aide_id),
suivi AS (SELECT territoire_id, sum(verse)::bigint AS verse, sum(rendu)::bigint AS rendu,
                 sum(rembourse)::bigint AS rembourse, sum(impayes)::bigint AS impayes
            FROM par_aide GROUP BY territoire_id)"""
# The envelopes' ledgers, and the figures of each territory.
LEDGERS = """
aju AS (SELECT territoire_id, sum(delta_centimes)::bigint AS delta FROM {s}.enveloppe_ajustements
         WHERE ($1::date IS NULL OR date_effet <= $1) GROUP BY territoire_id),
aju_etat AS (SELECT territoire_id, sum(delta_centimes)::bigint AS delta FROM {s}.enveloppe_ajustements
              WHERE ($1::date IS NULL OR date_effet <= $1) AND financeur = 'ETAT_FRANCE_2030' GROUP BY territoire_id),
env AS (SELECT DISTINCT ON (territoire_id) territoire_id, stream_id, stream_version FROM {s}.enveloppes
         WHERE ($1::date IS NULL OR date_attribution <= $1)
         ORDER BY territoire_id, date_attribution DESC, stream_version DESC),
etat AS (SELECT env.territoire_id, sum(c.montant_centimes)::bigint AS part
           FROM env JOIN {s}.enveloppe_contributions c USING (stream_id, stream_version)
          WHERE c.financeur = 'ETAT_FRANCE_2030' GROUP BY env.territoire_id),
bons AS (SELECT territoire_id, sum(montant_centimes)::bigint AS montant, sum(jours_hommes)::bigint AS jours
           FROM {s}.bons_ingenierie WHERE ($1::date IS NULL OR date_effet <= $1) GROUP BY territoire_id),
ids AS (SELECT territoire_id FROM projets UNION SELECT territoire_id FROM aju UNION SELECT territoire_id FROM etat
        UNION SELECT territoire_id FROM bons)
SELECT ids.territoire_id, coalesce(projets.projets, 0) AS projets,
       coalesce(projets.investissement, 0) AS investissement, coalesce(entreprises.n, 0) AS entreprises,
       coalesce(suivi.verse, 0) AS verse, coalesce(suivi.rendu, 0) AS rendu,
       coalesce(suivi.rembourse, 0) AS rembourse, coalesce(suivi.impayes, 0) AS impayes,
       coalesce(aju.delta, 0) AS ajustements,
       coalesce(etat.part, 0) + coalesce(aju_etat.delta, 0) AS part_etat,
       coalesce(bons.montant, 0) AS ingenierie, coalesce(bons.jours, 0) AS jours_hommes
  FROM ids LEFT JOIN projets USING (territoire_id) LEFT JOIN entreprises USING (territoire_id)
       LEFT JOIN suivi USING (territoire_id) LEFT JOIN aju USING (territoire_id)
       LEFT JOIN aju_etat USING (territoire_id) LEFT JOIN etat USING (territoire_id)
       LEFT JOIN bons USING (territoire_id)"""
ARGENT = "WITH " + AIDES + "," + LEDGERS
ARGENT_ROLLED_UP = "WITH " + rollups.AIDES + "," + LEDGERS


async def read_recensement(conn: Connection, schema: Schema, as_of: date | None) -> dict[str, RecensementFacts]:
    return {
        r["territoire_id"]: RecensementFacts(
            nb_entreprises_rencontrees=r["entreprises"],
            nb_entretiens=r["entretiens"],
            nb_projets_recenses=r["projets"],
            investissement_recense_centimes=r["investissement"],
            emplois_potentiels=r["emplois"],
            nb_projets_orientes_autres_dispositifs=r["orientes"],
            nb_projets_abandonnes=r["abandonnes"],
        )
        for r in await conn.fetch(schema.sql(RECENSEMENT if schema.known_at else rollups.RECENSEMENT), as_of)
    }


async def read_argent(conn: Connection, schema: Schema, as_of: date | None) -> dict[str, ArgentFacts]:
    return {
        r["territoire_id"]: ArgentFacts(
            nb_projets_aides=r["projets"],
            nb_entreprises_aidees=r["entreprises"],
            investissement_soutenu_centimes=r["investissement"],
            verse_centimes=r["verse"],
            rendu_centimes=r["rendu"],
            rembourse_centimes=r["rembourse"],
            nb_echeances_impayees=r["impayes"],
            ajustements_centimes=r["ajustements"],
            part_etat_centimes=r["part_etat"],
            ingenierie_commandee_centimes=r["ingenierie"],
            jours_hommes_commandes=r["jours_hommes"],
        )
        for r in await conn.fetch(schema.sql(ARGENT if schema.known_at else ARGENT_ROLLED_UP), as_of)
    }
