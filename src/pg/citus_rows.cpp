// citus_installed() and distributed_row_estimate() (citus_rows.h): the
// statement core::citus_row_estimate_sql() builds, run through
// fitbot_partman_internal.citus_node_answers(), which turns any failure into
// an answer.
#include "citus_rows.h"

#include <vector>

#include "guard.h"
#include "spi.h"
#include "sql_text.h"

extern "C" {
#include "commands/extension.h"
}

namespace fitbot::pg {

namespace {

// C-style: may ereport, holds no C++ objects, called through pg_call() only.
void find_extension(const char *name, Oid *out) { *out = get_extension_oid(name, true); }

}  // namespace

bool citus_installed() {
    Oid citus = InvalidOid;
    pg_call(find_extension, "citus", &citus);
    return OidIsValid(citus);
}

std::optional<core::RowEstimate> distributed_row_estimate(Oid relation, const std::string &qualified_name) {
    SpiSession spi;
    auto distributed = spi.query<bool>(
        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition WHERE logicalrelid = " + std::to_string(relation) +
            "::oid)",
        [](const SpiRow &row) { return DatumGetBool(*row.values[0]); });
    if (distributed.empty() || !distributed.front()) return std::nullopt;
    std::vector<core::NodeAnswer> answers = spi.query<core::NodeAnswer>(
        "SELECT node, success, result FROM fitbot_partman_internal.citus_node_answers(" +
            quoted_literal(core::citus_row_estimate_sql(qualified_name)) + ")",
        [](const SpiRow &row) {
            return core::NodeAnswer{spi_string(row.values[0]), row.values[1] && DatumGetBool(*row.values[1]),
                                    spi_string(row.values[2])};
        });
    spi.finish();
    return core::sum_node_estimates(answers);
}

}  // namespace fitbot::pg
