#include "server_versions.h"

namespace fitbot::companion {

namespace {

std::string tested_range() {
    return std::to_string(kOldestServerMajor) + " to " + std::to_string(kNewestTestedServerMajor);
}

}  // namespace

ServerSupport server_support(int server_version_num) {
    const int major = server_version_num / 10000;
    if (major < kOldestServerMajor) return ServerSupport::too_old;
    if (major > kNewestTestedServerMajor) return ServerSupport::untested_newer;
    return ServerSupport::tested;
}

std::string server_support_message(ServerSupport support, const std::string &server_version, bool allowed) {
    const std::string found = "PostgreSQL " + server_version;
    switch (support) {
        case ServerSupport::tested:
            return "";
        case ServerSupport::too_old:
            // No override: below 14 the catalogs and pg_partman 5 differ in
            // ways nothing here has been run against.
            return found + " is older than fitbot-partman supports (PostgreSQL " + tested_range() +
                   ")\nhint: upgrade the server to PostgreSQL " + std::to_string(kOldestServerMajor) +
                   " or later; `fitbot-partman --version` lists the versions tested";
        case ServerSupport::untested_newer:
            if (allowed)
                return "warning: " + found + " is newer than fitbot-partman was tested on (PostgreSQL " +
                       tested_range() + "); running anyway (--allow-untested-server)";
            // A new major may change the catalogs the agentless readers use:
            // refusing is better than a verdict read from a changed catalog.
            return found + " is newer than fitbot-partman was tested on (PostgreSQL " + tested_range() +
                   ")\nhint: use a fitbot-partman release whose --version lists it, or pass "
                   "--allow-untested-server (FITBOT_PARTMAN_ALLOW_UNTESTED_SERVER=1) to run anyway and check "
                   "its verdicts by hand";
    }
    return "";
}

void print_tested_servers(std::ostream &out) {
    out << "companion tested on PostgreSQL " << kOldestServerMajor;
    for (int major = kOldestServerMajor + 1; major <= kNewestTestedServerMajor; ++major) out << ", " << major;
    out << " (older servers are refused, newer ones need --allow-untested-server)\n"
        << "fitbot_partman extension tested on PostgreSQL " << kExtensionTestedServers << "\n";
}

}  // namespace fitbot::companion
