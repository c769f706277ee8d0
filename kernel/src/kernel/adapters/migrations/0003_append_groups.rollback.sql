DROP FUNCTION append_groups(text[], integer[], jsonb, text[]);
