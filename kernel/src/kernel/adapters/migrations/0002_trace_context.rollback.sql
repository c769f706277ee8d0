CREATE OR REPLACE FUNCTION append_events(p_stream text, p_expected integer, p_envelopes jsonb)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    current_version integer;
    current_hash text;
    violated text;
BEGIN
    SELECT version, envelope->>'hash' INTO current_version, current_hash FROM events
     WHERE stream_id = p_stream ORDER BY version DESC LIMIT 1;
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
DROP FUNCTION append_events(text, integer, jsonb, text);
ALTER TABLE events DROP COLUMN trace_context;
