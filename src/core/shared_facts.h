// The facts that the extension's SQL, its C++ glue and the companion must
// agree on, kept in one place.
//
// C++ code includes this header. SQL sources name the same facts as @TOKENS@
// (see src/tools/expand_sql.cpp), which the build replaces with these values
// when it concatenates sql/src/ into the install and upgrade scripts.
#pragma once

namespace fitbot::core::shared {

// The pg_cron job that setup() and schedule_maintenance() create.  @JOB_NAME@
inline constexpr const char *kJobName = "run_pg_partman_maintenance_monthly";

// 02:00 on the 20th of every month, the seed operator's schedule.  @DEFAULT_SCHEDULE@
inline constexpr const char *kDefaultSchedule = "0 2 20 * *";

// A pg_cron job maintains pg_partman tables when its command matches this
// (case-insensitive POSIX regular expression, PostgreSQL's ~*): it covers
// pg_partman's run_maintenance_proc() and run_maintenance().  @MAINTENANCE_COMMAND_PATTERN@
inline constexpr const char *kMaintenanceCommandPattern = "run_maintenance";

// The pg_cron job that setup() creates to keep cron.job_run_details bounded
// (pg_cron never purges it), and when it runs: daily at 03:17.
// @HISTORY_JOB_NAME@ @HISTORY_SCHEDULE@
inline constexpr const char *kHistoryJobName = "fitbot_partman_purge_cron_history";
inline constexpr const char *kHistorySchedule = "17 3 * * *";

// A maintenance job whose command contains this runs
// fitbot_partman.run_maintenance(), which records every run in its ledger:
// health reads such a job's runs there, at a cost that does not grow with
// cron.job_run_details (which pg_cron never purges).  @DRIVER_COMMAND_MARKER@
inline constexpr const char *kDriverCommandMarker = "fitbot_partman.run_maintenance(";

// pg_cron is loaded when shared_preload_libraries matches this (POSIX regular
// expression, PostgreSQL's ~); its scheduler is the background worker with
// this backend_type in pg_stat_activity.  @PG_CRON_PRELOAD_PATTERN@ @PG_CRON_LAUNCHER@
inline constexpr const char *kPgCronPreloadPattern = R"((^|[\s,"])pg_cron([\s,"]|$))";
inline constexpr const char *kPgCronLauncher = "pg_cron launcher";

// Advisory locks (pg_advisory_lock(int4, int4)): the configuration lock
// serializes whatever changes registrations or jobs (setup() in both modes);
// the maintenance lock is held by every transaction of a maintenance run,
// so runs never overlap.  @CONFIGURATION_LOCK@ @MAINTENANCE_LOCK@
inline constexpr int kLockClass = 4242;
inline constexpr int kConfigurationLock = 20;
inline constexpr int kMaintenanceLock = 21;
// adopt_table() holds (kAdoptionLockClass, the table's OID) at session level
// while it adopts a table, so a second adoption of it is refused at once.
// @ADOPTION_LOCK_CLASS@
inline constexpr int kAdoptionLockClass = 4243;

// The advisory lock pg_partman's own run_maintenance() takes (as
// hashtext() of this); the driver takes it too, to see pg_partman skip.
// @PARTMAN_MAINTENANCE_LOCK@
inline constexpr const char *kPartmanMaintenanceLock = "pg_partman run_maintenance";

// How many of each maintenance job's latest runs health reads, and how many
// of every job's runs the history purge keeps whatever their age.  @RUNS_PER_JOB@
inline constexpr int kRunsPerJob = 20;

// How far back in cron.job_run_details health looks for pg_cron's record of a
// driver job's firings: the newest this many runids of all jobs. The table's
// only index is its primary key (runid), so this bounds the read to one index
// range whatever the history's size (a scan of it took 0.3 s at 1M rows). A
// failure matters while it is recent, and the newest runids hold it; an older
// firing that the window misses is judged by the ledger and the overdue rule.
// @CRON_FIRINGS_WINDOW@
inline constexpr int kCronFiringsWindow = 10000;

// How long a Citus node may take to accept health's connection, in ms
// (citus.node_connection_timeout, 30 s by default): a node that is down makes
// a default partition's rows unknown this quickly instead of stalling health
// (core/citus_estimate.h).  @CITUS_CONNECT_TIMEOUT_MS@
inline constexpr int kCitusConnectTimeoutMs = 2000;

// Whether the routines named %2$L in schema %1$L may be called by the current
// role without running another role's code (issue 19): a format() template
// of a boolean SQL expression, true when each such routine and the schema
// belong to a superuser or to the current role (the schema may also be
// PostgreSQL 15's public, owned by pg_database_owner), false when one does
// not, NULL when there is none. Every routine of that name counts, so no
// overload can catch the call. The maintenance job's command checks its
// driver and pg_partman's procedure with it, and `fitbot-partman maintain`
// too.  @ROUTINE_TRUST_CHECK@
inline constexpr const char *kRoutineTrustCheck =
    "(SELECT pg_catalog.bool_and((o.rolsuper OR o.rolname = current_user)"
    " AND (s.rolsuper OR s.rolname IN (current_user, 'pg_database_owner')))"
    " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
    " JOIN pg_catalog.pg_roles o ON o.oid = p.proowner JOIN pg_catalog.pg_roles s ON s.oid = n.nspowner"
    " WHERE n.nspname = %1$L AND p.proname = %2$L)";

// The readings table setup() creates when it is missing, with its comments.  @READINGS_TABLE_DDL@
inline constexpr const char *kReadingsTableDdl = R"SQL(CREATE TABLE public.heart_rate_readings (
    user_id     bigint      NOT NULL,
    measured_at timestamptz NOT NULL,
    bpm         smallint    NOT NULL CONSTRAINT heart_rate_readings_bpm_range CHECK (bpm BETWEEN 20 AND 250),
    source      text        NOT NULL DEFAULT 'garmin',
    ingested_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT heart_rate_readings_pkey PRIMARY KEY (user_id, measured_at)
) PARTITION BY RANGE (measured_at);
COMMENT ON TABLE public.heart_rate_readings IS
    'Heart-rate samples synced from Garmin; partitioned by month on measured_at by pg_partman (fitbot_partman.setup)';
COMMENT ON COLUMN public.heart_rate_readings.user_id IS 'Chatbot user the sample belongs to';
COMMENT ON COLUMN public.heart_rate_readings.measured_at IS 'When the device measured the sample';
COMMENT ON COLUMN public.heart_rate_readings.bpm IS 'Beats per minute, 20..250; samples outside are sensor errors';
COMMENT ON COLUMN public.heart_rate_readings.source IS 'Device or API the sample came from';
COMMENT ON COLUMN public.heart_rate_readings.ingested_at IS 'When the chatbot stored the sample';)SQL";

}  // namespace fitbot::core::shared
