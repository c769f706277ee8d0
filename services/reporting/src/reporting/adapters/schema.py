"""The projection's tables, created in a PostgreSQL schema whose name is a parameter.

The live projection and a rebuild use the same SQL on two schemas; `reporting_live_schema` (public)
says which one is live. Tables hold facts (one row per business fact, keyed by its natural id or by
its event's (stream_id, version)), never running totals, so every figure is an aggregate "as of" a date."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import uuid4

from reporting.adapters import rollups

DEFAULT_LIVE = "reporting"
REBUILD_PREFIX = "reporting_rebuild_"
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_FACT_TABLE = re.compile(r"\{s\}\.(\w+)")


@dataclass(frozen=True, slots=True)
class Schema:
    """A validated schema name; `sql()` renders a template's `{s}` as the quoted schema.

    With `known_at`, the schema as it was known at that recording time (the bitemporal axis beside "as of"): each
    fact table of a read is rendered as the subquery of its rows whose event was recorded by then, so every query
    of the figures reads the log as it stood, without a second version of any of them."""

    name: str
    known_at: datetime | None = None

    def __post_init__(self) -> None:
        if not _IDENTIFIER.fullmatch(self.name):
            raise ValueError(f"invalid schema name: {self.name!r}")
        if self.known_at is not None and self.known_at.tzinfo is None:
            raise ValueError("known_at must carry its time zone")

    def sql(self, template: str) -> str:
        quoted = f'"{self.name}"'
        if self.known_at is None:
            return template.replace("{s}", quoted)
        bound = self.known_at.astimezone(UTC).isoformat()  # a datetime's own rendering: nothing of a caller's text
        return _FACT_TABLE.sub(
            lambda m: f"(SELECT * FROM {quoted}.{m[1]} WHERE recorded_at <= '{bound}'::timestamptz)", template
        )

    @classmethod
    def fresh(cls) -> Schema:
        """A new, unused name for a rebuild."""
        return cls(f"{REBUILD_PREFIX}{datetime.now(UTC):%Y%m%d%H%M%S}_{uuid4().hex[:6]}")


# The tables of facts (one row per fact, each with its event's recorded_at); not the rebuild's bookkeeping.
FACT_TABLES = (
    "candidatures",
    "laureats",
    "projets_qualifies",
    "enveloppes",
    "enveloppe_contributions",
    "aides",
    "aides_refusees",
    "selection_etapes",
    "releves",
    "clotures_ami",
    "mission_etapes",
    "feuilles_de_route",
    "entretiens",
    "projets_recenses",
    "projets_estimations",
    "projets_issues",
    "aides_mouvements",
    "enveloppe_ajustements",
    "bons_ingenierie",
    "seuils_fonds",
    "conventions_aides",
)

TABLES = (
    """
CREATE SCHEMA IF NOT EXISTS {s};
CREATE TABLE IF NOT EXISTS {s}.candidatures (
    candidature_id text PRIMARY KEY,
    vague          integer     NOT NULL,
    region_code    text        NOT NULL,
    nom_territoire text        NOT NULL,
    porteur        text        NOT NULL,
    nb_epci        integer     NOT NULL,
    deposee_le     timestamptz NOT NULL,
    date_depot     date        NOT NULL  -- deposee_le's date in Europe/Paris: the "as of" key
);
CREATE TABLE IF NOT EXISTS {s}.laureats (
    territoire_id     text PRIMARY KEY,
    candidature_id    text    NOT NULL,
    region_code       text    NOT NULL,
    nom_territoire    text    NOT NULL,
    vague             integer NOT NULL,
    date_decision     date    NOT NULL,
    date_notification date    NOT NULL
);
-- Projects and aids are named by their territory and their id: ids are chosen per territory, so the same id in
-- two territories is two facts.
CREATE TABLE IF NOT EXISTS {s}.projets_qualifies (
    projet_id                 text    NOT NULL,
    territoire_id             text    NOT NULL,
    date_copil                date    NOT NULL,
    assiette_estimee_centimes bigint  NOT NULL,
    emplois_prevus            integer NOT NULL,
    forme_envisagee           text    NOT NULL,
    PRIMARY KEY (territoire_id, projet_id)
);
CREATE TABLE IF NOT EXISTS {s}.enveloppes (
    stream_id        text    NOT NULL,
    stream_version   integer NOT NULL,
    territoire_id    text    NOT NULL,
    montant_centimes bigint  NOT NULL,
    date_attribution date    NOT NULL,
    PRIMARY KEY (stream_id, stream_version)
);
CREATE TABLE IF NOT EXISTS {s}.enveloppe_contributions (
    stream_id        text    NOT NULL,
    stream_version   integer NOT NULL,
    rang             integer NOT NULL,
    financeur        text    NOT NULL,
    montant_centimes bigint  NOT NULL,
    PRIMARY KEY (stream_id, stream_version, rang)
);
CREATE TABLE IF NOT EXISTS {s}.aides (
    aide_id                 text    NOT NULL,
    projet_id               text    NOT NULL,
    territoire_id           text    NOT NULL,
    forme                   text    NOT NULL,
    montant_centimes        bigint  NOT NULL,
    regime                  text    NOT NULL,
    date_decision           date    NOT NULL,
    publication_obligatoire boolean NOT NULL,
    PRIMARY KEY (territoire_id, aide_id)
);
-- Schemas made before projects and aids were keyed by territory: re-key them (the facts are the same).
DO $$ BEGIN
    IF (SELECT array_length(conkey, 1) FROM pg_constraint WHERE conrelid = '{s}.aides'::regclass AND contype = 'p') = 1
    THEN
        ALTER TABLE {s}.aides DROP CONSTRAINT aides_pkey, ADD PRIMARY KEY (territoire_id, aide_id);
    END IF;
    IF (SELECT array_length(conkey, 1) FROM pg_constraint
         WHERE conrelid = '{s}.projets_qualifies'::regclass AND contype = 'p') = 1
    THEN
        ALTER TABLE {s}.projets_qualifies DROP CONSTRAINT projets_qualifies_pkey,
            ADD PRIMARY KEY (territoire_id, projet_id);
    END IF;
END $$;
CREATE TABLE IF NOT EXISTS {s}.aides_refusees (
    stream_id        text    NOT NULL,
    stream_version   integer NOT NULL,
    aide_id          text    NOT NULL,
    projet_id        text    NOT NULL,
    territoire_id    text    NOT NULL,
    montant_centimes bigint  NOT NULL,
    motif            text    NOT NULL,
    date_decision    date    NOT NULL,
    PRIMARY KEY (stream_id, stream_version)
);
-- The selection chain: one row per step a candidature reached (its date in Europe/Paris). detail: the
-- failed rule of an ineligibility, '' otherwise; vague NULL: the wave of the candidature's deposit.
CREATE TABLE IF NOT EXISTS {s}.selection_etapes (
    candidature_id text    NOT NULL,
    etape          text    NOT NULL,
    detail         text    NOT NULL DEFAULT '',
    vague          integer,
    date_effet     date    NOT NULL,
    PRIMARY KEY (candidature_id, etape, detail)
);
CREATE TABLE IF NOT EXISTS {s}.releves (
    vague       integer PRIMARY KEY,
    releve_le   timestamptz NOT NULL,
    date_releve date        NOT NULL
);
CREATE TABLE IF NOT EXISTS {s}.clotures_ami (
    stream_id      text        NOT NULL,
    stream_version integer     NOT NULL,
    date_arrete    date        NOT NULL,
    effective_le   timestamptz NOT NULL,
    PRIMARY KEY (stream_id, stream_version)
);
-- A laureate's mission: one row per milestone (detail: the month of a COPIL alert, the meeting of a
-- COPIL held, '' otherwise), and each restitution of its feuille de route with the axes.
CREATE TABLE IF NOT EXISTS {s}.mission_etapes (
    territoire_id text NOT NULL,
    etape         text NOT NULL,
    detail        text NOT NULL DEFAULT '',
    date_effet    date NOT NULL,
    PRIMARY KEY (territoire_id, etape, detail)
);
CREATE TABLE IF NOT EXISTS {s}.feuilles_de_route (
    stream_id      text    NOT NULL,
    stream_version integer NOT NULL,
    territoire_id  text    NOT NULL,
    date_effet     date    NOT NULL,
    axes           text[]  NOT NULL,
    PRIMARY KEY (stream_id, stream_version)
);
-- The census of each mission (DOMAIN-REFERENCE §3, §5.1): companies met, projects identified with each estimate
-- (the latest by a date is the one counted), and the projects' ends (oriented elsewhere, abandoned). No amount of
-- one company leaves these tables except as sums; a name only as an aided project's beneficiary (SCDL register).
CREATE TABLE IF NOT EXISTS {s}.entretiens (
    territoire_id text NOT NULL,
    entretien_id  text NOT NULL,
    siren         text NOT NULL,
    date_effet    date NOT NULL,
    PRIMARY KEY (territoire_id, entretien_id)
);
CREATE TABLE IF NOT EXISTS {s}.projets_recenses (
    territoire_id text NOT NULL,
    projet_id     text NOT NULL,
    siren         text NOT NULL,
    taille        text NOT NULL,
    secteur_naf   text NOT NULL,
    date_effet    date NOT NULL,
    PRIMARY KEY (territoire_id, projet_id)
);
CREATE TABLE IF NOT EXISTS {s}.projets_estimations (
    stream_id               text    NOT NULL,
    stream_version          integer NOT NULL,
    territoire_id           text    NOT NULL,
    projet_id               text    NOT NULL,
    investissement_centimes bigint  NOT NULL,
    emplois_potentiels      integer NOT NULL,
    date_effet              date    NOT NULL,
    PRIMARY KEY (stream_id, stream_version)
);
CREATE TABLE IF NOT EXISTS {s}.projets_issues (
    territoire_id text NOT NULL,
    projet_id     text NOT NULL,
    issue         text NOT NULL,  -- ORIENTE | ABANDONNE
    date_effet    date NOT NULL,
    PRIMARY KEY (territoire_id, projet_id, issue)
);
-- An aid's company (SIREN) and base, for « entreprises aidées » and « investissement soutenu »
ALTER TABLE {s}.aides ADD COLUMN IF NOT EXISTS siren text NOT NULL DEFAULT '';
ALTER TABLE {s}.aides ADD COLUMN IF NOT EXISTS assiette_centimes bigint NOT NULL DEFAULT 0;
-- What follows a grant, one row per fact: VERSEMENT (a tranche), SOLDE (the final amount, balance included),
-- REDUCTION and ANNULATION (given back to the envelope), REMBOURSEMENT, IMPAYE (the amount due and unpaid).
CREATE TABLE IF NOT EXISTS {s}.aides_mouvements (
    stream_id        text    NOT NULL,
    stream_version   integer NOT NULL,
    rang             integer NOT NULL DEFAULT 0,
    territoire_id    text    NOT NULL,
    aide_id          text    NOT NULL,
    nature           text    NOT NULL,
    montant_centimes bigint  NOT NULL,
    date_effet       date    NOT NULL,
    PRIMARY KEY (stream_id, stream_version, rang)
);
CREATE TABLE IF NOT EXISTS {s}.enveloppe_ajustements (
    stream_id        text    NOT NULL,
    stream_version   integer NOT NULL,
    territoire_id    text    NOT NULL,
    delta_centimes   bigint  NOT NULL,
    financeur        text    NOT NULL,
    date_effet       date    NOT NULL,
    PRIMARY KEY (stream_id, stream_version)
);
CREATE TABLE IF NOT EXISTS {s}.bons_ingenierie (
    bon_id           text PRIMARY KEY,
    territoire_id    text    NOT NULL,
    jours_hommes     integer NOT NULL,
    montant_centimes bigint  NOT NULL,
    date_effet       date    NOT NULL
);
-- The fund's consumption alerts (SeuilConsommationAtteint): each threshold once.
CREATE TABLE IF NOT EXISTS {s}.seuils_fonds (
    seuil_pourcent   integer PRIMARY KEY,
    reserve_centimes bigint  NOT NULL,
    date_atteinte    date    NOT NULL
);
-- The open-data register of aids (SCDL « subventions », reporting.domain.scdl): an aid's beneficiary establishment,
-- its company's name and its project's title from the census, the date its convention was signed. Names leave
-- reporting only in that register: all of it internally, publicly the aids the law requires to publish, once cleared.
ALTER TABLE {s}.aides ADD COLUMN IF NOT EXISTS siret text NOT NULL DEFAULT '';
ALTER TABLE {s}.projets_recenses ADD COLUMN IF NOT EXISTS raison_sociale text NOT NULL DEFAULT '';
ALTER TABLE {s}.projets_recenses ADD COLUMN IF NOT EXISTS intitule text NOT NULL DEFAULT '';
CREATE TABLE IF NOT EXISTS {s}.conventions_aides (
    territoire_id  text NOT NULL,
    aide_id        text NOT NULL,
    date_signature date NOT NULL,
    PRIMARY KEY (territoire_id, aide_id)
);
-- When each fact's event was recorded (its envelope's recorded_at, the last parameter of every projector's INSERT):
-- the figures "as known at" a time read only the facts recorded by then (Schema.known_at). Facts projected before
-- this column existed count as known from the start, until a rebuild records their time (the default below).
DO $$
DECLARE fact text;
BEGIN
    FOREACH fact IN ARRAY ARRAY[{fact_tables}] LOOP
        EXECUTE format('ALTER TABLE {s}.%I ADD COLUMN IF NOT EXISTS recorded_at timestamptz NOT NULL DEFAULT '
                       'coalesce(nullif(current_setting(%L, true), %L)::timestamptz, %L)',
                       fact, 'rebond.recorded_at', '', '-infinity');
    END LOOP;
END $$;
-- Dedup of a rebuild (the live consumer's is the kernel's consumer_streams): last version per stream.
CREATE TABLE IF NOT EXISTS {s}.applied_streams (
    stream_id text PRIMARY KEY,
    version   integer NOT NULL
);
-- the hash of that version: the next one must chain to it (previous_hash), as in the live consumer
ALTER TABLE {s}.applied_streams ADD COLUMN IF NOT EXISTS hash text;
-- who signed it, and its signature: the proof of the whole chain once a replay is over (a deferred proof)
ALTER TABLE {s}.applied_streams ADD COLUMN IF NOT EXISTS producer text;
ALTER TABLE {s}.applied_streams ADD COLUMN IF NOT EXISTS signature text;
""".replace("{fact_tables}", ", ".join(f"'{table}'" for table in FACT_TABLES))
    + rollups.TABLES
)

POINTER = """
CREATE TABLE IF NOT EXISTS reporting_live_schema (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    schema_name text        NOT NULL,
    since       timestamptz NOT NULL DEFAULT now()
);
"""


def migration() -> str:
    """Pointer table, then the live schema's tables (first start: `reporting`), created if missing."""
    template = TABLES.replace("%", "%%").replace("{s}", "%1$I")  # format() leaves the tables' own % as they are
    return (
        POINTER
        + f"""
DO $migrate$
DECLARE live text;
BEGIN
    INSERT INTO reporting_live_schema (schema_name) VALUES ('{DEFAULT_LIVE}') ON CONFLICT DO NOTHING;
    SELECT schema_name INTO live FROM reporting_live_schema;
    EXECUTE format($tables${template}$tables$, live);
END
$migrate$;
"""
    )
