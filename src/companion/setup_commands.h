// `fitbot-partman setup` and `preflight`: the extension's functions, or
// their agentless equivalents in plain SQL where the extension is absent.
#pragma once

#include <ostream>
#include <string>

namespace fitbot::companion {

int setup(const std::string &dsn, bool agentless, const std::string &schedule, std::ostream &out, std::ostream &err);
int preflight(const std::string &dsn, bool agentless, std::ostream &out);

}  // namespace fitbot::companion
