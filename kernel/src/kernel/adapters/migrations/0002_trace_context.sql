-- The W3C trace context (traceparent) of the command that recorded each event, when tracing is on
-- (kernel.adapters.tracing): the relay publishes the event inside that trace. Operational metadata, not part of the
-- envelope: neither hashed nor signed, and a consumer sees it only as a Kafka header. NULL when tracing is off.
ALTER TABLE events ADD COLUMN trace_context text;

-- append_events with the trace context. The three-argument form stays, as a call of the new one, while instances of
-- the previous release still run beside the new ones (a rolling upgrade); a later migration drops it.
CREATE FUNCTION append_events(p_stream text, p_expected integer, p_envelopes jsonb, p_trace_context text)
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
    INSERT INTO events (stream_id, version, event_id, event_type, recorded_at, envelope, trace_context)
    SELECT p_stream, (e->>'stream_version')::integer, (e->>'event_id')::uuid, e->>'event_type',
           (e->>'recorded_at')::timestamptz, e, p_trace_context
      FROM jsonb_array_elements(p_envelopes) AS e;
    RETURN 'ok';
EXCEPTION WHEN unique_violation THEN
    GET STACKED DIAGNOSTICS violated = CONSTRAINT_NAME;
    RETURN CASE WHEN violated LIKE '%event_id%' THEN 'duplicate' ELSE 'conflict' END;
END $$;
-- SECURITY DEFINER: nobody but the roles the service grants it to (kernel.adapters.postgres.SERVICE_GRANTS)
REVOKE ALL ON FUNCTION append_events(text, integer, jsonb, text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION append_events(p_stream text, p_expected integer, p_envelopes jsonb)
RETURNS text LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT append_events(p_stream, p_expected, p_envelopes, NULL::text);
$$;
