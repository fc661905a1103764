// Which PostgreSQL servers the companion connects to (server_versions.h): the
// boundaries, and messages that name the version found and the way out.
#include <sstream>

#include <gtest/gtest.h>

#include "companion/server_versions.h"

using namespace fitbot::companion;

TEST(ServerVersions, TestedMajorsRunOlderAndNewerDoNot) {
    EXPECT_EQ(server_support(130023), ServerSupport::too_old);
    EXPECT_EQ(server_support(90624), ServerSupport::too_old);
    EXPECT_EQ(server_support(140000), ServerSupport::tested);
    EXPECT_EQ(server_support(150020), ServerSupport::tested);
    EXPECT_EQ(server_support(189999), ServerSupport::tested);
    EXPECT_EQ(server_support(190000), ServerSupport::untested_newer);  // 19beta1 as well
}

TEST(ServerVersions, RefusalsNameTheVersionFoundAndTheFix) {
    const std::string old = server_support_message(ServerSupport::too_old, "13.23", false);
    EXPECT_NE(old.find("PostgreSQL 13.23 is older"), std::string::npos) << old;
    EXPECT_NE(old.find("14 to 18"), std::string::npos) << old;
    EXPECT_NE(old.find("\nhint: upgrade"), std::string::npos) << old;
    // No way around it for an older server, even when asked.
    EXPECT_EQ(server_support_message(ServerSupport::too_old, "13.23", true), old);

    const std::string newer = server_support_message(ServerSupport::untested_newer, "19beta1", false);
    EXPECT_NE(newer.find("PostgreSQL 19beta1 is newer"), std::string::npos) << newer;
    EXPECT_NE(newer.find("--allow-untested-server"), std::string::npos) << newer;
    const std::string warning = server_support_message(ServerSupport::untested_newer, "19.1", true);
    EXPECT_EQ(warning.rfind("warning: PostgreSQL 19.1 is newer", 0), 0u) << warning;
    EXPECT_EQ(server_support_message(ServerSupport::tested, "18.4", false), "");
}

TEST(ServerVersions, VersionListsTheTestedServersOfBothParts) {
    std::ostringstream out;
    print_tested_servers(out);
    EXPECT_EQ(out.str(),
              "companion tested on PostgreSQL 14, 15, 16, 17, 18 (older servers are refused, newer ones need "
              "--allow-untested-server)\n"
              "fitbot_partman extension tested on PostgreSQL 15\n");
}
