-- pg_temp.try(statement): runs it and returns its SQLSTATE, message and hint
-- ('no error' when it succeeds), so a refusal shows as data, not an abort.
CREATE FUNCTION pg_temp.try(statement text, OUT state text, OUT message text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    state := 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
END
$$;
