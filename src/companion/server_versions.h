// The PostgreSQL servers each part is tested on, and what the companion does
// with a server outside them. test/versions/run.sh runs the agentless
// companion on every major listed here (the npm servers it pins and Debian's
// 15) and checks that --version lists exactly those; the extension builds
// against Debian 12's server headers, so it is tested on 15 alone.
#pragma once

#include <ostream>
#include <string>

namespace fitbot::companion {

inline constexpr int kOldestServerMajor = 14;
inline constexpr int kNewestTestedServerMajor = 18;
inline constexpr const char *kExtensionTestedServers = "15";

enum class ServerSupport {
    tested,          // kOldestServerMajor to kNewestTestedServerMajor
    too_old,         // always refused
    untested_newer,  // refused unless --allow-untested-server
};

// By libpq's PQserverVersion() (server_version_num: 180004 for 18.4).
ServerSupport server_support(int server_version_num);

// The refusal, naming the version found (SHOW server_version) and the fix;
// or, for an untested newer server that the user allowed, the warning.
std::string server_support_message(ServerSupport support, const std::string &server_version, bool allowed);

// --version's lines naming the servers tested, for the companion and for the
// extension.
void print_tested_servers(std::ostream &out);

}  // namespace fitbot::companion
