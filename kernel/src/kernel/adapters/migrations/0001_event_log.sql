-- One append-only events table per service: it is also the relay's outbox.
CREATE TABLE IF NOT EXISTS events (
    stream_id   text        NOT NULL,
    version     integer     NOT NULL CHECK (version >= 1),
    position    bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    event_id    uuid        NOT NULL UNIQUE,
    event_type  text        NOT NULL,
    recorded_at timestamptz NOT NULL,
    envelope    jsonb       NOT NULL,
    PRIMARY KEY (stream_id, version)
);
-- Commit order without a lock: the transaction that recorded each row. A reader takes only the rows whose
-- transaction is older than every transaction still running (pg_snapshot_xmin), in (transaction_id, position)
-- order: no row that commits later can ever sort before what it already read (kernel.adapters.postgres.LOG_AFTER).
ALTER TABLE events ADD COLUMN IF NOT EXISTS transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX IF NOT EXISTS events_in_commit_order ON events (transaction_id, position);

CREATE OR REPLACE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the % table is append-only (% refused)', TG_TABLE_NAME, TG_OP;
END $$;

CREATE OR REPLACE TRIGGER events_no_update_or_delete
    BEFORE UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION events_are_append_only();
CREATE OR REPLACE TRIGGER events_no_truncate
    BEFORE TRUNCATE ON events FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only();

-- How far each relay has published the log.
CREATE TABLE IF NOT EXISTS relay_checkpoints (
    relay      text PRIMARY KEY,
    position   bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Per consumer, the last version applied of each stream and its hash: a consumer applies exactly version + 1,
-- whose previous_hash must be this hash (dedup on (stream_id, version), not on offsets).
CREATE TABLE IF NOT EXISTS consumer_streams (
    consumer  text    NOT NULL,
    stream_id text    NOT NULL,
    version   integer NOT NULL,
    PRIMARY KEY (consumer, stream_id)
);
ALTER TABLE consumer_streams ADD COLUMN IF NOT EXISTS hash text;

-- Messages a consumer could not process, and the later messages of their stream that wait behind them.
CREATE TABLE IF NOT EXISTS parked_messages (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consumer       text        NOT NULL,
    stream_id      text        NOT NULL,
    stream_version integer,
    event_id       text,
    topic          text        NOT NULL,
    kafka_partition integer    NOT NULL,
    kafka_offset   bigint      NOT NULL,
    reason         text        NOT NULL,
    body           bytea       NOT NULL,
    parked_at      timestamptz NOT NULL DEFAULT now(),
    released_at    timestamptz,
    UNIQUE (consumer, topic, kafka_partition, kafka_offset)
);
CREATE INDEX IF NOT EXISTS parked_messages_blocking
    ON parked_messages (consumer, stream_id) WHERE released_at IS NULL;
-- kind: failed | unreadable | broken_chain (block their stream until an operator acts), gap | waiting (applied
-- by themselves once the versions before them are), forged | undecodable (not part of any stream: kept to inspect).
ALTER TABLE parked_messages ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'failed';
-- resolution: applied (its turn came) | released | skipped (by an operator) | duplicate (already applied)
ALTER TABLE parked_messages ADD COLUMN IF NOT EXISTS resolution text;
ALTER TABLE parked_messages ADD COLUMN IF NOT EXISTS resolved_by text;
ALTER TABLE parked_messages ADD COLUMN IF NOT EXISTS resolution_note text;

-- What operators did to mend the log (list, release, skip…): recorded, never changed.
CREATE TABLE IF NOT EXISTS operator_actions (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    actor      text        NOT NULL,
    action     text        NOT NULL,
    consumer   text,
    stream_id  text,
    note       text        NOT NULL,
    outcome    text        NOT NULL
);
CREATE OR REPLACE TRIGGER operator_actions_no_update_or_delete
    BEFORE UPDATE OR DELETE ON operator_actions FOR EACH ROW EXECUTE FUNCTION events_are_append_only();

-- Reads of confidential content (dossiers), apart from the domain streams: recorded, never changed.
CREATE TABLE IF NOT EXISTS access_log (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    read_at        timestamptz NOT NULL,  -- business time
    stream_id      text        NOT NULL,
    stream_version integer     NOT NULL,
    reader_id      text        NOT NULL,
    reader_role    text        NOT NULL,
    reader_scope   text,
    purpose        text        NOT NULL,
    correlation_id text        NOT NULL
);
CREATE INDEX IF NOT EXISTS access_log_by_reader ON access_log (reader_id, recorded_at);
CREATE INDEX IF NOT EXISTS access_log_by_stream ON access_log (stream_id, recorded_at);
CREATE OR REPLACE TRIGGER access_log_no_update_or_delete
    BEFORE UPDATE OR DELETE ON access_log FOR EACH ROW EXECUTE FUNCTION events_are_append_only();

-- Per relay, the last Kafka offset it got back for each partition: an offset that goes back means the broker
-- lost what it acknowledged, and the relay republishes its log.
CREATE TABLE IF NOT EXISTS relay_offsets (
    relay           text    NOT NULL,
    topic           text    NOT NULL,
    kafka_partition integer NOT NULL,
    last_offset     bigint  NOT NULL,
    PRIMARY KEY (relay, topic, kafka_partition)
);

-- A simulated business clock survives a restart of its service (it never goes back).
CREATE TABLE IF NOT EXISTS business_clock (
    service text        PRIMARY KEY,
    now     timestamptz NOT NULL
);

-- One round trip for an append: check the expected version and that the events chain to its hash, insert. No table lock and no NOTIFY inside: both
-- serialise commits. Two writers of one stream cannot both win: the second insert waits on the primary key
-- (stream_id, version) and fails when the first commits. Readers follow the commit order (transaction_id, above);
-- the writer notifies the relays after its commit (kernel.adapters.postgres.PostgresEventStore).
-- Returns 'ok', 'conflict' (stale expected version) or 'duplicate' (an event_id already recorded).
-- SECURITY DEFINER: it runs as the table's owner (the migration role), so a service's role appends only through
-- it and needs no right to change or delete rows of the log (kernel.adapters.postgres.SERVICE_GRANTS).
CREATE OR REPLACE FUNCTION append_events(p_stream text, p_expected integer, p_envelopes jsonb)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    current_version integer;
    current_hash text;
    violated text;
BEGIN
    SELECT version, envelope->>'hash' INTO current_version, current_hash FROM events
     WHERE stream_id = p_stream ORDER BY version DESC LIMIT 1;
    -- the expected head, and the hash the new events chain to (the writer may know it from its kept state)
    IF coalesce(current_version, 0) <> p_expected
       OR current_hash IS DISTINCT FROM p_envelopes->0->>'previous_hash' THEN
        RETURN 'conflict';
    END IF;
    INSERT INTO events (stream_id, version, event_id, event_type, recorded_at, envelope)
    SELECT p_stream, (e->>'stream_version')::integer, (e->>'event_id')::uuid, e->>'event_type',
           (e->>'recorded_at')::timestamptz, e
      FROM jsonb_array_elements(p_envelopes) AS e;
    RETURN 'ok';
EXCEPTION WHEN unique_violation THEN
    GET STACKED DIAGNOSTICS violated = CONSTRAINT_NAME;
    RETURN CASE WHEN violated LIKE '%event_id%' THEN 'duplicate' ELSE 'conflict' END;
END $$;

-- Signed checkpoints of the log (kernel.adapters.log_checkpoints): kept, never changed; also published on Kafka,
-- the copy an auditor compares them with (kernel.log_audit). `log_checkpoints_published`: how far that went.
CREATE TABLE IF NOT EXISTS log_checkpoints (
    service  text    NOT NULL,
    sequence integer NOT NULL CHECK (sequence >= 1),
    body     jsonb   NOT NULL,
    PRIMARY KEY (service, sequence)
);
CREATE OR REPLACE TRIGGER log_checkpoints_no_update_or_delete
    BEFORE UPDATE OR DELETE ON log_checkpoints FOR EACH ROW EXECUTE FUNCTION events_are_append_only();
CREATE TABLE IF NOT EXISTS log_checkpoints_published (
    service  text    PRIMARY KEY,
    sequence integer NOT NULL
);
