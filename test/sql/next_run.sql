-- next_run(): pg_cron's schedule semantics, evaluated by the C++ core.
SET TimeZone = 'UTC';
SELECT schedule, after, fitbot_partman.next_run(schedule, after) AS next_run
FROM (VALUES
    ('0 2 20 * *',       '2026-11-24 19:00+00'::timestamptz),
    ('0 2 20 * *',       '2026-12-20 02:00+00'),      -- strictly after
    ('0 2 20 * *',       '2026-12-20 01:59:59.999999+00'),
    ('*/15 * * * *',     '2026-11-24 19:07:30+00'),
    ('0 0 29 2 *',       '2026-03-01 00:00+00'),      -- next leap day
    ('0 0 31 * *',       '2026-04-01 00:00+00'),      -- skips April and June
    ('30 4 1,15 * 5',    '2026-11-24 00:00+00'),      -- day of month OR Friday
    ('30 4 */2 * 5',     '2026-11-24 00:00+00'),      -- '*/2' counts as unrestricted: AND
    ('0 12 * jan-mar mon', '2026-11-24 00:00+00'),
    ('0 0 * * 7',        '2026-11-24 00:00+00'),      -- Sunday as 7
    ('0 0 * * sun',      '2026-11-24 00:00+00'),
    ('@monthly',         '2026-11-24 00:00+00'),
    ('5-10/2 23 * dec *', '2026-11-24 00:00+00')
) AS t(schedule, after);

-- Time zones: the fields are wall-clock time in tz.
SELECT fitbot_partman.next_run('0 2 20 * *', '2026-11-24 00:00+00', 'Asia/Seoul') AS seoul_0200_in_utc;
-- Across DST, as pg_cron's launcher (which walks UTC minutes): a wall time
-- skipped by spring-forward does not fire that day; a repeated one fires twice.
SELECT fitbot_partman.next_run('30 2 * * *', '2027-03-14 00:00+00', 'America/New_York') AS spring_forward_skipped;
SELECT fitbot_partman.next_run('30 1 * * *', '2026-11-01 05:00+00', 'America/New_York') AS fall_back_first,
       fitbot_partman.next_run('30 1 * * *', '2026-11-01 05:30+00', 'America/New_York') AS fall_back_second;

-- Each pg_cron release by its own rules (pg_cron_version; NULL is this
-- server's). tz NULL is pg_cron's zone: GMT for 1.4, cron.timezone from 1.5.
SELECT schedule, version, fitbot_partman.next_run(schedule, after, NULL, version) AS next_run
FROM (VALUES
    ('0 2 $ * *',          '1.6',   '2026-02-10 00:00+00'::timestamptz),  -- last day of the month
    ('0 2 $ * 1',          '1.6',   '2026-02-10 00:00+00'),  -- "$" is not '*': last day OR Monday
    ('0 2 20 * *',         '1.6.1', '2026-06-01 00:00+00'),  -- 1.6.0-1.6.1 fire a day early
    ('0 2 20 * *',         '1.6.2', '2026-06-01 00:00+00'),
    ('@yearly',            '1.4',   '2026-06-15 12:00+00'),
    ('@yearly',            '1.6',   '2026-06-15 12:00+00'),  -- never fires in 1.6.x: NULL
    ('30 seconds',         '1.5',   '2026-06-15 12:00+00'),  -- an interval: no clock-aligned run, NULL
    ('30 2 * * *',         '1.5.0', '2026-06-15 12:00+00'),  -- 1.5.0 read it as every 30 seconds
    ('30 2 * * *',         '1.5',   '2026-06-15 12:00+00'),
    ('*/100 * * * *',      '1.6.4', '2026-06-15 12:30+00'),  -- a step beyond the field: its start only
    ('0 22-2 * * *',       '1.4',   '2026-06-15 03:00+00'),  -- reversed: nothing, never fires, NULL
    ('0 22-2 * * *',       '1.6',   '2026-06-15 03:00+00'),  -- reversed: 22,23,0,1,2 in 1.6
    ('0 20-9 * * *',       '1.6',   '2026-06-15 10:00+00'),  -- reversed: 20..23,8,9 (bytes of bits)
    ('0 2 20 * * garbage', '1.4',   '2026-06-15 00:00+00'),  -- text after the fifth field is ignored
    ('*x 2 20 * *',        '1.6',   '2026-06-15 00:00+00'),  -- "*x" is "*"
    ('1-5/2/3 2 20 * *',   '1.6',   '2026-06-20 02:02+00'),  -- "1-5/2/3" is "1-5/2"
    ('@daily at night',    '1.6',   '2026-06-15 12:00+00')   -- text after a macro is ignored
) AS t(schedule, version, after);
RESET TimeZone;

-- validate_schedule returns the trimmed schedule.
SELECT fitbot_partman.validate_schedule('  0 2 20 * *  ');
