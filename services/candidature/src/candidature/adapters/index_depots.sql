-- Index of deposits: DERIVED from the events (CandidatureDeposee, CandidatureRetiree), written in the same
-- transaction as them, and rebuildable at any time from the events table (index_depots.reconstruire).
CREATE TABLE IF NOT EXISTS candidature_depots (
    candidature_id text        PRIMARY KEY,
    vague          integer     NOT NULL,
    releve_le      timestamptz NOT NULL,
    nom_territoire text        NOT NULL,
    region_code    text        NOT NULL,
    porteur        text        NOT NULL,
    epci_sirens    text[]      NOT NULL,
    perimetre      text        NOT NULL,
    cle_perimetre  text        NOT NULL,
    deposee_le     timestamptz NOT NULL,
    retiree_le     timestamptz
);
CREATE INDEX IF NOT EXISTS candidature_depots_vague ON candidature_depots (vague, cle_perimetre);

-- One EPCI in at most one deposited (not withdrawn) candidature per wave: the primary key is the guard,
-- also under concurrency (a second insert waits for the first transaction, then finds its row).
CREATE TABLE IF NOT EXISTS candidature_reservations_epci (
    vague          integer NOT NULL,
    siren          text    NOT NULL,
    candidature_id text    NOT NULL,
    PRIMARY KEY (vague, siren)
);
CREATE INDEX IF NOT EXISTS candidature_reservations_epci_siren ON candidature_reservations_epci (siren);
