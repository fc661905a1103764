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

}  // namespace fitbot::core
