// Runs Prometheus' own linter over a realistic format_metrics output:
// `promtool check metrics` must accept it without a single complaint.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "core/exposition.h"
#include "core/health.h"
#include "test_health_fixtures.h"

namespace fitbot::core {
namespace {

using namespace testing;

const char *const kPromtool = "/usr/bin/promtool";

struct CommandResult {
    int exit_code = -1;
    std::string output;  // stdout and stderr
};

// Writes `text` to a temporary file and runs `promtool check metrics < file`.
CommandResult promtool_check(const std::string &text) {
    char path[] = "/tmp/fitbot_partman_metrics_XXXXXX";
    const int fd = mkstemp(path);
    if (fd < 0) return {};
    ::close(fd);
    {
        std::ofstream file(path, std::ios::binary);
        file << text;
    }
    CommandResult result;
    const std::string command = std::string(kPromtool) + " check metrics < " + path + " 2>&1";
    if (FILE *pipe = ::popen(command.c_str(), "r")) {
        char buffer[4096];
        std::size_t read;
        while ((read = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, read);
        const int status = ::pclose(pipe);
        result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::remove(path);
    return result;
}

// Two tables (one healthy, one in trouble with odd characters in its name),
// an active job with a failure history and an inactive leftover.
std::string realistic_metrics() {
    const FixedOffsetZone utc_zone(0, "UTC");
    DatabaseFacts facts = healthy_database();
    ParentFact troubled = monthly_parent(2024, 11, 2026, 4, "public.\"Step \\ \"Counts\"\n\"");
    troubled.default_rows = std::nullopt;
    troubled.detached_retention_tables = 2;
    troubled.partitions.erase(troubled.partitions.begin() + 5);
    troubled.partitions[0].estimated_rows = -1;
    facts.parents.push_back(troubled);
    facts.maintenance.runs.insert(facts.maintenance.runs.begin(),
                                  run(3, "failed", utc(2026, 3, 21, 2) + 500000, "ERROR: boom"));
    CronJobFact leftover = maintenance_job(1);
    leftover.jobname = "old \"nightly\" maintenance";
    leftover.active = false;
    facts.maintenance.jobs.push_back(leftover);
    facts.maintenance.runs.push_back(run(1, "succeeded", utc(2025, 1, 1, 3)));
    const HealthReport report = judge(facts, utc_zone, utc_zone);
    return format_metrics(report, ExpositionInfo{"1.0", "4.7.4", "partman", "agentless"});
}

TEST(PromtoolSample, RealisticOutputPassesPromtoolLint) {
    if (::access(kPromtool, X_OK) != 0) GTEST_SKIP() << kPromtool << " is not installed";
    const std::string text = realistic_metrics();
    // The sample really exercises the awkward paths.
    ASSERT_NE(text.find("\\\"Counts\\\"\\n"), std::string::npos) << text;
    ASSERT_NE(text.find("fitbot_partman_default_locked{parent=\"public.\\\"Step"), std::string::npos);
    ASSERT_NE(text.find(" 1774058400.5\n"), std::string::npos) << text;
    const CommandResult result = promtool_check(text);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    EXPECT_EQ(result.output, "") << text;
}

TEST(PromtoolSample, HarnessSeesLintComplaints) {
    // Guard against a harness that would pass anything: promtool must
    // complain about a counter without the _total suffix.
    if (::access(kPromtool, X_OK) != 0) GTEST_SKIP() << kPromtool << " is not installed";
    const CommandResult result = promtool_check(
        "# HELP fitbot_partman_things Things.\n# TYPE fitbot_partman_things counter\n"
        "fitbot_partman_things 1\n");
    EXPECT_NE(result.output, "");
    EXPECT_NE(result.output.find("_total"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace fitbot::core
