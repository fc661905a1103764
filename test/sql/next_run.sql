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
RESET TimeZone;

-- validate_schedule returns the trimmed schedule.
SELECT fitbot_partman.validate_schedule('  0 2 20 * *  ');
