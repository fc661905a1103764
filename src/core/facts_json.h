// DatabaseFacts <-> JSON. The extension's fitbot_partman.facts() returns the
// facts it read lock-free from the catalogs in this form, and the companion
// turns them back into DatabaseFacts, so both judge with the same core.
#pragma once

#include <string>

#include "facts.h"

namespace fitbot::core {

// Stable keys; instants as integer UTC microseconds; intervals as
// {"months","days","micros"}; absent optionals as null.
std::string facts_to_json(const DatabaseFacts &facts);
// Throws std::invalid_argument on malformed input.
DatabaseFacts facts_from_json(const std::string &json);

// What the companion read in pg_cron's database when that is not the
// application's (cron.database_name): whether pg_cron is there, the
// application's maintenance jobs and their runs, and whether every job was
// visible. The extension cannot look into another database, so the companion
// sends this in and the extension judges with it (fitbot_partman.check(json),
// metrics(json)): one verdict crosses the wire instead of every partition.
std::string cron_view_to_json(const MaintenanceFacts &maintenance);
// Replaces those facts in `maintenance`; throws std::invalid_argument on
// malformed input.
void apply_cron_view(MaintenanceFacts &maintenance, const std::string &json);

}  // namespace fitbot::core
