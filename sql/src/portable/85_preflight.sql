-- preflight(): will the 20th actually work?

CREATE OR REPLACE FUNCTION fitbot_partman.preflight()
RETURNS TABLE(check_name text, ok boolean, detail text, hint text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    cron_where text := fitbot_partman_internal.cron_location();
    cron_database text := CASE WHEN fitbot_partman_internal.cron_preloaded()
                               THEN fitbot_partman_internal.cron_database() END;
    preload text := current_setting('shared_preload_libraries');
    job record;
    job_user text := current_user;
    cron_zone text := coalesce(fitbot_partman_internal.cron_setting('cron.timezone'), 'GMT');
    background_workers boolean := coalesce(fitbot_partman_internal.cron_setting('cron.use_background_workers'), 'off')::boolean;
    cron_host text := coalesce(fitbot_partman_internal.cron_setting('cron.host'), 'localhost');
    via_socket boolean;
    hba record;
    failures bigint;
    next_fire timestamptz;
    registered bigint;
BEGIN
    check_name := 'pg_cron preloaded';
    ok := fitbot_partman_internal.cron_preloaded();
    detail := format('shared_preload_libraries = %L', preload);
    hint := CASE WHEN ok THEN NULL ELSE format(
        'Run ALTER SYSTEM SET shared_preload_libraries = %L; ALTER SYSTEM SET cron.database_name = %L; then restart PostgreSQL. Until then pg_cron silently runs nothing.',
        concat_ws(', ', nullif(preload, ''), 'pg_cron'), current_database()) END;
    RETURN NEXT;

    check_name := 'pg_cron scheduler';
    IF pg_is_in_recovery() THEN
        ok := NULL;
        detail := 'this server is a standby: pg_cron starts its scheduler only after promotion, and maintenance runs on the primary';
        hint := 'After a failover, the new primary runs the jobs (cron.job is replicated) at their next firing; check this list there.';
    ELSIF NOT fitbot_partman_internal.cron_preloaded() THEN
        ok := false;
        detail := 'pg_cron is not loaded, so its scheduler cannot run';
        hint := 'Load pg_cron first (see "pg_cron preloaded").';
    ELSE
        ok := EXISTS (SELECT 1 FROM pg_stat_activity WHERE backend_type = @PG_CRON_LAUNCHER@);
        detail := CASE WHEN ok THEN 'pg_cron''s launcher is running'
                       ELSE 'no "pg_cron launcher" in pg_stat_activity: pg_cron''s scheduler has stopped, so no job runs' END;
        hint := CASE WHEN ok THEN NULL
                     ELSE 'Restart PostgreSQL (pg_cron starts its launcher at server start) and read the server log for why it stopped.' END;
    END IF;
    RETURN NEXT;

    -- pg_cron in another database is a layout of its own (L2, L3), not a
    -- failure: the job is scheduled there (issue 21).
    check_name := 'cron.database_name';
    ok := cron_database = current_database() OR cron_where = 'elsewhere';
    detail := CASE WHEN cron_database IS NULL THEN 'not set (pg_cron is not loaded)'
                   ELSE format('pg_cron runs jobs from database %I; this is %I', cron_database, current_database()) END;
    hint := CASE WHEN ok THEN NULL
                 WHEN cron_database IS NULL THEN 'Load pg_cron first (see "pg_cron preloaded").' END;
    RETURN NEXT;

    check_name := 'pg_cron extension';
    ok := CASE WHEN cron_where = 'elsewhere' THEN NULL ELSE cron_where = 'here' END;
    detail := CASE cron_where WHEN 'here' THEN format('pg_cron %s is installed in this database',
                                                      (SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'))
                              WHEN 'installable' THEN 'pg_cron is loaded but CREATE EXTENSION pg_cron has not run here'
                              WHEN 'elsewhere' THEN format('pg_cron lives in database %I, which SQL here cannot read: `fitbot-partman preflight` checks it there',
                                                           cron_database)
                              ELSE 'pg_cron is not installed in this database' END;
    hint := CASE WHEN ok THEN NULL WHEN cron_where = 'installable'
                 THEN 'Run SELECT * FROM fitbot_partman.setup(); it creates the extension and the job.' ELSE NULL END;
    RETURN NEXT;

    SELECT NULL::bigint AS jobid, NULL::text AS jobname, NULL::text AS schedule, NULL::boolean AS active,
           NULL::text AS username INTO job;
    IF cron_where = 'here' THEN
        SELECT j.jobid, j.jobname::text, j.schedule, j.active, j.username::text INTO job
        FROM cron.job j
        WHERE j.command ~* @MAINTENANCE_COMMAND_PATTERN@ AND j.database = current_database()
        ORDER BY j.active DESC, j.jobid LIMIT 1;
    END IF;
    check_name := 'maintenance job';
    ok := CASE WHEN cron_where = 'elsewhere' THEN NULL ELSE job.jobid IS NOT NULL AND job.active END;
    detail := CASE WHEN cron_where = 'elsewhere'
                   THEN format('job %s in database %I, which SQL here cannot read: `fitbot-partman preflight` checks it there',
                               fitbot_partman_internal.maintenance_job_name(), cron_database)
                   WHEN job.jobid IS NULL THEN 'no pg_cron job runs pg_partman maintenance for this database'
                   ELSE format('job %s %s runs %L as %I, %s', job.jobid, coalesce(job.jobname, '(unnamed)'), job.schedule,
                               job.username, CASE WHEN job.active THEN 'active' ELSE 'INACTIVE' END) END;
    hint := CASE WHEN ok IS NOT FALSE THEN NULL
                 WHEN cron_where = 'not loaded' THEN 'Load pg_cron first (see "pg_cron preloaded").'
                 ELSE 'Run SELECT fitbot_partman.schedule_maintenance(); it creates or re-activates the job.' END;
    RETURN NEXT;
    job_user := coalesce(job.username, current_user);

    check_name := 'job connections';
    via_socket := left(cron_host, 1) = '/';
    IF background_workers THEN
        ok := current_setting('max_worker_processes')::int >= 8;
        detail := format('cron.use_background_workers = on: jobs run in background workers (max_worker_processes = %s)',
                         current_setting('max_worker_processes'));
        hint := CASE WHEN ok THEN NULL ELSE 'Raise max_worker_processes so jobs find a free background worker.' END;
    ELSIF via_socket THEN
        ok := cron_host = ANY (string_to_array(replace(current_setting('unix_socket_directories'), ' ', ''), ','));
        detail := format('pg_cron connects through the Unix socket in %s (unix_socket_directories = %L)',
                         cron_host, current_setting('unix_socket_directories'));
        hint := CASE WHEN ok THEN NULL ELSE 'Set cron.host to one of unix_socket_directories, or to a host PostgreSQL listens on.' END;
    ELSE
        ok := current_setting('listen_addresses') <> ''
              AND (current_setting('listen_addresses') ~ '(^|,)\s*\*\s*(,|$)'
                   OR (cron_host IN ('localhost', '127.0.0.1', '::1')
                       AND current_setting('listen_addresses') ~ '(localhost|127\.0\.0\.1|::1)')
                   OR position(cron_host IN current_setting('listen_addresses')) > 0);
        detail := format('pg_cron connects to cron.host = %L port %s; listen_addresses = %L',
                         cron_host, current_setting('port'), current_setting('listen_addresses'));
        hint := CASE WHEN ok THEN NULL ELSE format(
            'PostgreSQL does not listen where pg_cron connects: add %s to listen_addresses, set cron.host to a socket directory such as %L, or set cron.use_background_workers = on; jobs otherwise fail with "connection failed".',
            cron_host, split_part(current_setting('unix_socket_directories'), ',', 1)) END;
    END IF;
    RETURN NEXT;

    IF NOT background_workers THEN
        check_name := 'pg_hba for job user';
        SELECT r.line_number, r.type, r.auth_method INTO hba
        FROM pg_hba_file_rules r
        WHERE r.error IS NULL
          AND (CASE WHEN via_socket THEN r.type = 'local' ELSE r.type LIKE 'host%' END)
          AND (r.database && ARRAY['all', current_database()::text] OR ('sameuser' = ANY (r.database) AND job_user = current_database()::text))
          AND (r.user_name && ARRAY['all', job_user]::text[])
          AND (via_socket OR r.address IS NULL OR r.address IN ('127.0.0.1', '::1', 'localhost', 'all', 'samehost')
               OR (r.address ~ '^127\.' OR r.address = '0.0.0.0'))
        ORDER BY r.line_number LIMIT 1;
        ok := hba.line_number IS NOT NULL AND hba.auth_method IN ('trust', 'peer', 'cert', 'ident')
              AND (hba.auth_method <> 'peer' OR job_user = 'postgres');
        detail := CASE WHEN hba.line_number IS NULL
                       THEN format('no pg_hba.conf line matches user %I connecting to %I over %s', job_user, current_database(),
                                   CASE WHEN via_socket THEN 'the Unix socket' ELSE 'TCP' END)
                       ELSE format('pg_hba.conf line %s (%s, %s) matches user %I', hba.line_number, hba.type, hba.auth_method, job_user) END;
        hint := CASE WHEN ok THEN NULL
                     WHEN hba.auth_method IN ('md5', 'scram-sha-256', 'password')
                     THEN 'pg_cron connects without a password: give the server''s OS user a ~/.pgpass entry for this user, or set cron.use_background_workers = on.'
                     ELSE format('Add a pg_hba.conf line that lets %I connect to %I from pg_cron (e.g. "local %s %s peer" when the job runs as the server''s OS user), then SELECT pg_reload_conf().',
                                 job_user, current_database(), current_database(), job_user) END;
        RETURN NEXT;
    END IF;

    check_name := 'recent job failures';
    IF cron_where = 'here' THEN
        SELECT count(*) INTO failures FROM cron.job_run_details d JOIN cron.job j USING (jobid)
        WHERE j.command ~* @MAINTENANCE_COMMAND_PATTERN@ AND d.status = 'failed' AND d.start_time > now() - interval '90 days';
        ok := failures = 0;
        detail := format('%s failed maintenance run(s) in the last 90 days%s', failures,
                         coalesce(': last said ' || (SELECT quote_literal(left(d.return_message, 200)) FROM cron.job_run_details d JOIN cron.job j USING (jobid)
                                                    WHERE j.command ~* @MAINTENANCE_COMMAND_PATTERN@ AND d.status = 'failed'
                                                    ORDER BY d.start_time DESC LIMIT 1), ''));
        hint := CASE WHEN ok THEN NULL ELSE 'See SELECT * FROM cron.job_run_details ORDER BY start_time DESC; "connection failed" means the checks above need fixing.' END;
    ELSE
        ok := NULL;
        detail := CASE WHEN cron_where = 'elsewhere'
                       THEN format('pg_cron keeps its run history in database %I, which SQL here cannot read', cron_database)
                       ELSE 'pg_cron is not installed in this database' END;
        hint := NULL;
    END IF;
    RETURN NEXT;

    check_name := 'schedule time zone';
    next_fire := fitbot_partman.next_run(coalesce(job.schedule, @DEFAULT_SCHEDULE@), now());  -- pg_cron's zone
    ok := to_char(next_fire, 'HH24:MI') = to_char(next_fire AT TIME ZONE 'UTC', 'HH24:MI')
          OR cron_zone NOT IN ('GMT', 'UTC');
    detail := format('pg_cron evaluates %L in %s: next run %s, which is %s in this database''s TimeZone (%s)',
                     coalesce(job.schedule, @DEFAULT_SCHEDULE@), cron_zone,
                     fitbot_partman_internal.cron_time_text(next_fire),
                     to_char(next_fire, 'YYYY-MM-DD HH24:MI'), current_setting('TimeZone'));
    hint := CASE WHEN ok THEN NULL ELSE
        'Write the schedule in UTC (pg_cron 1.4 has no cron.timezone): for 02:00 local time subtract the UTC offset, or upgrade to pg_cron 1.5+ and set cron.timezone.' END;
    RETURN NEXT;

    check_name := 'pg_partman';
    ok := true;
    detail := format('pg_partman %s in schema %I (%s API)', (SELECT extversion FROM pg_extension WHERE extname = 'pg_partman'),
                     fitbot_partman_internal.partman_schema(),
                     CASE WHEN fitbot_partman_internal.partman_major_version() >= 5 THEN '5.x' ELSE '4.x' END);
    hint := NULL;
    RETURN NEXT;

    check_name := 'registered tables';
    EXECUTE format('SELECT count(*) FROM %I.part_config', fitbot_partman_internal.partman_schema()) INTO registered;
    ok := registered > 0;
    detail := format('%s table(s) registered with pg_partman', registered);
    hint := CASE WHEN ok THEN NULL ELSE 'Run SELECT * FROM fitbot_partman.setup();' END;
    RETURN NEXT;
END
$fn$;

COMMENT ON FUNCTION fitbot_partman.preflight() IS
'Diagnoses the set-up before the 20th comes: pg_cron loaded, its database, job connections, pg_hba, time zone, pg_partman, the job';
