// DatabaseFacts, read by the extension (fitbot_partman.facts()) or, where it
// cannot be installed, agentless with plain catalog SQL that never waits on a
// lock. Both give the core the same facts (test/companion/run.sh compares).
#pragma once

#include <pqxx/pqxx>

#include "core/facts.h"
#include "database.h"

namespace fitbot::companion {

core::DatabaseFacts read_facts(pqxx::connection &connection, Mode mode);

// The two ways, for tests and for callers that know which they want.
core::DatabaseFacts read_facts_from_extension(pqxx::connection &connection);
core::DatabaseFacts read_facts_agentless(pqxx::connection &connection);

}  // namespace fitbot::companion
