-- Group commit (kernel.adapters.group_commit): the appends of concurrent commands share one transaction, hence one
-- commit and one round trip, and each keeps its own outcome. The i-th append is p_streams[i], expecting version
-- p_expected[i], with the envelopes p_envelopes->(i-1) (a JSON array of arrays) and the trace context
-- p_trace_contexts[i]. Each is checked and inserted exactly as append_events does it, in a subtransaction of its own:
-- a stale version or a duplicate refuses that append alone, and its rows are rolled back with its subtransaction.
-- Any other error aborts the whole group, which the caller then replays one append at a time. Returns one outcome
-- per append, in order: 'ok', 'conflict' or 'duplicate'.
CREATE FUNCTION append_groups(p_streams text[], p_expected integer[], p_envelopes jsonb, p_trace_contexts text[])
RETURNS text[] LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    outcomes text[] := '{}';
    current_version integer;
    current_hash text;
    violated text;
BEGIN
    IF cardinality(p_expected) <> cardinality(p_streams) OR cardinality(p_trace_contexts) <> cardinality(p_streams)
       OR jsonb_array_length(p_envelopes) <> cardinality(p_streams) THEN
        RAISE EXCEPTION 'append_groups: % streams, % versions, % envelope lists, % trace contexts',
            cardinality(p_streams), cardinality(p_expected), jsonb_array_length(p_envelopes),
            cardinality(p_trace_contexts);
    END IF;
    FOR i IN 1 .. cardinality(p_streams) LOOP
        BEGIN
            SELECT version, envelope->>'hash' INTO current_version, current_hash FROM events
             WHERE stream_id = p_streams[i] ORDER BY version DESC LIMIT 1;
            IF coalesce(current_version, 0) <> p_expected[i]
               OR current_hash IS DISTINCT FROM p_envelopes->(i - 1)->0->>'previous_hash' THEN
                outcomes := outcomes || 'conflict'::text;
                CONTINUE;
            END IF;
            INSERT INTO events (stream_id, version, event_id, event_type, recorded_at, envelope, trace_context)
            SELECT p_streams[i], (e->>'stream_version')::integer, (e->>'event_id')::uuid, e->>'event_type',
                   (e->>'recorded_at')::timestamptz, e, p_trace_contexts[i]
              FROM jsonb_array_elements(p_envelopes->(i - 1)) AS e;
            outcomes := outcomes || 'ok'::text;
        EXCEPTION WHEN unique_violation THEN
            GET STACKED DIAGNOSTICS violated = CONSTRAINT_NAME;
            outcomes := outcomes || CASE WHEN violated LIKE '%event_id%' THEN 'duplicate' ELSE 'conflict' END;
        END;
    END LOOP;
    RETURN outcomes;
END $$;
-- SECURITY DEFINER: nobody but the roles the service grants it to (kernel.adapters.postgres.SERVICE_GRANTS)
REVOKE ALL ON FUNCTION append_groups(text[], integer[], jsonb, text[]) FROM PUBLIC;
