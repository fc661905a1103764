#include "wide_partitions.h"

#include "convert.h"

namespace fitbot::pg {

std::map<std::string, core::WidePartitionFact> read_wide_partitions(SpiSession &spi) {
    struct Row {
        std::string parent;
        core::WidePartitionFact wide;
    };
    // parent is stored as part_config.parent_table (schema.table, unquoted),
    // split as the extension's SQL splits it: schema up to the first dot.
    auto rows = spi.query<Row>(
        "SELECT format('%I.%I', s.nspname, substr(w.parent, length(s.nspname) + 2)),"
        "       w.range_start, w.range_end, w.retention, w.retention_keep_table, w.rows_deleted"
        "  FROM fitbot_partman.wide_partitions w"
        "  CROSS JOIN LATERAL (SELECT split_part(w.parent, '.', 1) AS nspname) s",
        [](const SpiRow &row) {
            Row result;
            result.parent = spi_string(row.values[0]);
            result.wide.range_start = micros_from_timestamptz(DatumGetTimestampTz(*row.values[1]));
            result.wide.range_end = micros_from_timestamptz(DatumGetTimestampTz(*row.values[2]));
            if (row.values[3]) result.wide.retention = interval_from_pg(DatumGetIntervalP(*row.values[3]));
            result.wide.keep_table = DatumGetBool(*row.values[4]);
            result.wide.rows_expired = DatumGetInt64(*row.values[5]);
            return result;
        });
    std::map<std::string, core::WidePartitionFact> by_parent;
    for (Row &row : rows) by_parent.emplace(std::move(row.parent), row.wide);
    return by_parent;
}

}  // namespace fitbot::pg
