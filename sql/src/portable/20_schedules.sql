-- Schedules given to our functions: validated before anything changes.

-- validate_schedule() for arguments of ours: NULL is an error too. STABLE, as
-- validate_schedule() is: the rules are those of the pg_cron installed.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.checked_schedule(schedule text)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF schedule IS NULL THEN
        RAISE EXCEPTION 'schedule must not be null'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = format('Pass a cron schedule such as %L (02:00 on the 20th of every month), or omit it for that default.', @DEFAULT_SCHEDULE@);
    END IF;
    RETURN fitbot_partman.validate_schedule(schedule);
END
$$;
