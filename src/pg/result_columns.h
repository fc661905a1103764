// The result columns of each C-implemented SQL function, by name: one enum
// per function, in the order of its OUT list, and the column count that each
// version of the SQL declares.
//
// Versioning follows pg_stat_statements (pg_stat_statements_1_x): SQL names
// the C symbol, so a new library keeps answering old SQL until ALTER
// EXTENSION UPDATE runs. When a version changes a function's OUT list:
//   1. append the new columns to its enum (never reorder or remove; a
//      version that must, gets a new enum);
//   2. add the new count here, e.g. kPartitionHealthColumns_1_2;
//   3. add an entry point with a new C symbol (fitbot_partition_health_1_2)
//      that passes the new count, and point the new version's SQL at it;
//   4. keep the old symbol and its count: it answers the old SQL, and skips
//      the columns its count stops before (result_set.h).
// Every entry point checks the function's tuple descriptor against its count
// before filling a row, so SQL and library that disagree fail loudly instead
// of returning NULL columns.
#pragma once

namespace fitbot::pg {

template <typename Column>
constexpr int column_index(Column column) {
    return static_cast<int>(column);
}

// partition_health(): one row per pg_partman parent.
enum class PartitionHealthColumn : int {
    parent,
    partition_interval,
    premake,
    retention,
    partitions,
    future_partitions,
    runway_until,
    oldest_start,
    expired_partitions,
    gaps,
    default_rows,
    total_bytes,
    estimated_rows,
    detached_tables,
    status,
    reasons,
};
inline constexpr int kPartitionHealthColumns_1_0 = 16;  // also 1.1
static_assert(kPartitionHealthColumns_1_0 == column_index(PartitionHealthColumn::reasons) + 1);

// partitions(parent): one row per partition of one parent.
enum class PartitionsColumn : int {
    partition_name,
    range_start,
    range_end,
    state,
    estimated_rows,
    bytes,
    locked,
};
inline constexpr int kPartitionsColumns_1_0 = 7;  // also 1.1
static_assert(kPartitionsColumns_1_0 == column_index(PartitionsColumn::locked) + 1);

// maintenance_status(): one row per maintenance job (or one saying none).
enum class MaintenanceStatusColumn : int {
    jobid,
    jobname,
    schedule,
    active,
    timezone,
    next_run,
    last_run_start,
    last_run_status,
    last_run_message,
    last_success,
    consecutive_failures,
    status,
    reasons,
};
inline constexpr int kMaintenanceStatusColumns_1_0 = 13;  // also 1.1
static_assert(kMaintenanceStatusColumns_1_0 == column_index(MaintenanceStatusColumn::reasons) + 1);

// check(): one composite row.
enum class CheckColumn : int {
    code,
    status,
    summary,
    performance_data,  // check(cron_facts json), 1.1
};
inline constexpr int kCheckColumns_1_0 = 3;  // also check() of 1.1
static_assert(kCheckColumns_1_0 == column_index(CheckColumn::summary) + 1);
inline constexpr int kCheckWithCronFactsColumns_1_1 = 4;
static_assert(kCheckWithCronFactsColumns_1_1 == column_index(CheckColumn::performance_data) + 1);

}  // namespace fitbot::pg
