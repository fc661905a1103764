// format_metrics: Prometheus text exposition of a HealthReport.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "core/exposition.h"
#include "core/health.h"
#include "test_health_fixtures.h"

namespace fitbot::core {
namespace {

using namespace testing;

const FixedOffsetZone kUtc(0, "UTC");

ExpositionInfo info() { return ExpositionInfo{"1.0", "4.7.4", "partman", "extension"}; }

std::string metrics_of(const DatabaseFacts &facts) { return format_metrics(judge(facts, kUtc, kUtc), info()); }

std::vector<std::string> lines_of(const std::string &text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

bool has_line(const std::string &text, const std::string &line) {
    for (const std::string &candidate : lines_of(text)) {
        if (candidate == line) return true;
    }
    return false;
}

// Sample lines (not comments) whose metric name is exactly `name`.
std::vector<std::string> samples(const std::string &text, const std::string &name) {
    std::vector<std::string> found;
    for (const std::string &line : lines_of(text)) {
        if (line.rfind(name, 0) == 0 && line.size() > name.size() &&
            (line[name.size()] == '{' || line[name.size()] == ' ')) {
            found.push_back(line);
        }
    }
    return found;
}

const std::string kP = "{parent=\"public.heart_rate_readings\"}";
const std::string kJ = "{jobid=\"3\",jobname=\"partman-maintenance\"}";

TEST(Exposition, EscapeLabelValue) {
    EXPECT_EQ(escape_label_value("plain"), "plain");
    EXPECT_EQ(escape_label_value("a\"b"), "a\\\"b");
    EXPECT_EQ(escape_label_value("a\\b"), "a\\\\b");
    EXPECT_EQ(escape_label_value("a\nb"), "a\\nb");
    EXPECT_EQ(escape_label_value("\\\"\n"), "\\\\\\\"\\n");
    EXPECT_EQ(escape_label_value("caf\xC3\xA9\ttab"), "caf\xC3\xA9\ttab");
    EXPECT_EQ(escape_label_value(""), "");
}

TEST(Exposition, HealthyValues) {
    const std::string text = metrics_of(healthy_database());
    const std::vector<std::string> expected = {
        "fitbot_partman_info{version=\"1.0\",partman_version=\"4.7.4\",partman_schema="
        "\"partman\",mode=\"extension\"} 1",
        "fitbot_partman_status 0",
        "fitbot_partman_table_status" + kP + " 0",
        "fitbot_partman_partitions" + kP + " 15",
        "fitbot_partman_future_partitions" + kP + " 3",
        "fitbot_partman_premake" + kP + " 3",
        "fitbot_partman_runway_until_timestamp_seconds" + kP + " 1782864000",
        "fitbot_partman_runway_seconds" + kP + " 8424000",
        "fitbot_partman_runway_after_next_run_seconds" + kP + " 6213600",
        "fitbot_partman_partition_interval_seconds" + kP + " 2592000",
        "fitbot_partman_oldest_partition_start_timestamp_seconds" + kP + " 1743465600",
        "fitbot_partman_expired_partitions" + kP + " 0",
        "fitbot_partman_overdue_expired_partitions" + kP + " 0",
        "fitbot_partman_detached_retention_tables" + kP + " 0",
        "fitbot_partman_gaps" + kP + " 0",
        "fitbot_partman_future_gaps" + kP + " 0",
        "fitbot_partman_default_rows" + kP + " 0",
        "fitbot_partman_default_locked" + kP + " 0",
        "fitbot_partman_total_bytes" + kP + " 1236992",
        "fitbot_partman_estimated_rows" + kP + " 15000",
        "fitbot_partman_maintenance_jobs 1",
        "fitbot_partman_maintenance_status 0",
        "fitbot_partman_maintenance_job_active" + kJ + " 1",
        "fitbot_partman_maintenance_next_run_timestamp_seconds" + kJ + " 1776650400",
        "fitbot_partman_maintenance_last_run_start_timestamp_seconds" + kJ + " 1773972000",
        "fitbot_partman_maintenance_last_run_success" + kJ + " 1",
        "fitbot_partman_maintenance_last_success_timestamp_seconds" + kJ + " 1773972003",
        "fitbot_partman_maintenance_consecutive_failures" + kJ + " 0",
        "fitbot_partman_maintenance_overdue" + kJ + " 0",
    };
    for (const std::string &line : expected) EXPECT_TRUE(has_line(text, line)) << line << "\n" << text;
    // Every sample line is one of these, in this order (families in METRICS.md order).
    std::vector<std::string> sample_lines;
    for (const std::string &line : lines_of(text)) {
        if (!line.empty() && line[0] != '#') sample_lines.push_back(line);
    }
    EXPECT_EQ(sample_lines, expected);
    EXPECT_EQ(text.back(), '\n');
}

TEST(Exposition, HelpAndTypeOncePerFamilyBeforeItsSamples) {
    DatabaseFacts facts = healthy_database();
    facts.parents.push_back(monthly_parent(2025, 6, 2026, 6, "public.step_counts"));
    facts.maintenance.jobs.push_back(maintenance_job(4, "0 3 * * *"));
    const std::string text = metrics_of(facts);
    std::map<std::string, int> help, type;
    std::set<std::string> declared;
    for (const std::string &line : lines_of(text)) {
        if (line.rfind("# HELP ", 0) == 0) {
            const std::string name = line.substr(7, line.find(' ', 7) - 7);
            ++help[name];
            EXPECT_GT(line.size(), 7 + name.size() + 1) << "empty help: " << line;
        } else if (line.rfind("# TYPE ", 0) == 0) {
            const std::string name = line.substr(7, line.find(' ', 7) - 7);
            ++type[name];
            EXPECT_EQ(line, "# TYPE " + name + " gauge");
            EXPECT_EQ(help[name], 1) << "HELP must precede TYPE for " << name;
            declared.insert(name);
        } else {
            const std::string name = line.substr(0, line.find_first_of("{ "));
            EXPECT_TRUE(declared.count(name)) << "sample before its TYPE: " << line;
        }
    }
    EXPECT_EQ(help.size(), 33u);
    for (const auto &[name, count] : help) EXPECT_EQ(count, 1) << name;
    for (const auto &[name, count] : type) EXPECT_EQ(count, 1) << name;
    EXPECT_EQ(samples(text, "fitbot_partman_partitions").size(), 2u);
    EXPECT_EQ(samples(text, "fitbot_partman_maintenance_job_active").size(), 2u);
}

TEST(Exposition, FamiliesMatchMetricsMd) {
    std::string source = __FILE__;
    const std::string suffix = "test/unit/test_exposition.cpp";
    if (source.size() < suffix.size() || source.compare(source.size() - suffix.size(), suffix.size(), suffix) != 0) {
        GTEST_SKIP() << "cannot locate monitoring/METRICS.md from " << source;
    }
    std::ifstream file(source.substr(0, source.size() - suffix.size()) + "monitoring/METRICS.md");
    if (!file) GTEST_SKIP() << "monitoring/METRICS.md not readable from the current directory";
    std::set<std::string> documented;
    for (std::string line; std::getline(file, line);) {
        if (line.find("exporter only") != std::string::npos) break;
        const std::string start = "| `fitbot_partman_";
        if (line.rfind(start, 0) != 0) continue;
        documented.insert(line.substr(3, line.find('`', 3) - 3));
    }
    std::set<std::string> emitted;
    for (const std::string &line : lines_of(metrics_of(healthy_database()))) {
        if (line.rfind("# TYPE ", 0) == 0) emitted.insert(line.substr(7, line.find(' ', 7) - 7));
    }
    EXPECT_EQ(emitted, documented);
}

TEST(Exposition, LabelValuesAreEscaped) {
    DatabaseFacts facts = healthy_database();
    facts.parents[0].parent = "public.\"we\\ird\nname\"";
    facts.maintenance.jobs[0].jobname = "say \"hi\"";
    ExpositionInfo odd = info();
    odd.partman_schema = "my\"schema";
    const std::string text = format_metrics(judge(facts, kUtc, kUtc), odd);
    EXPECT_TRUE(has_line(text, "fitbot_partman_partitions{parent=\"public.\\\"we\\\\ird\\nname\\\"\"} 15")) << text;
    EXPECT_TRUE(has_line(text, "fitbot_partman_maintenance_overdue{jobid=\"3\",jobname=\"say \\\"hi\\\"\"} 0")) << text;
    EXPECT_NE(text.find("partman_schema=\"my\\\"schema\""), std::string::npos);
    // No raw line feed from the name made it into the output: every line is
    // a comment or a complete sample.
    const std::regex sample_line(R"(^[a-z_]+(\{.*\})? [-+0-9.Inf]+$)");
    for (const std::string &line : lines_of(text)) {
        if (line.rfind("# ", 0) == 0) continue;
        EXPECT_TRUE(std::regex_match(line, sample_line)) << line;
    }
}

TEST(Exposition, LockedDefaultOmitsRowsAndSetsLocked) {
    DatabaseFacts facts = healthy_database();
    facts.parents[0].default_rows = std::nullopt;
    const std::string text = metrics_of(facts);
    EXPECT_TRUE(samples(text, "fitbot_partman_default_rows").empty()) << text;
    EXPECT_TRUE(has_line(text, "fitbot_partman_default_locked" + kP + " 1"));
    EXPECT_TRUE(has_line(text, "# TYPE fitbot_partman_default_rows gauge"));
}

TEST(Exposition, UnboundedRunwayIsInfinite) {
    DatabaseFacts facts = healthy_database();
    facts.parents[0].partitions[14].range_end = std::nullopt;  // June 2026 to MAXVALUE
    const std::string text = metrics_of(facts);
    EXPECT_TRUE(samples(text, "fitbot_partman_runway_until_timestamp_seconds").empty());
    EXPECT_TRUE(has_line(text, "fitbot_partman_runway_seconds" + kP + " +Inf"));
    EXPECT_TRUE(has_line(text, "fitbot_partman_runway_after_next_run_seconds" + kP + " +Inf"));
}

TEST(Exposition, RunwayInThePastIsNegative) {
    DatabaseFacts facts = healthy_database();
    facts.parents[0] = monthly_parent(2025, 6, 2026, 1);
    const std::string text = metrics_of(facts);
    // 2026-02-01 - 2026-03-25 12:00 = -52.5 days.
    EXPECT_TRUE(has_line(text, "fitbot_partman_runway_seconds" + kP + " -4536000")) << text;
    EXPECT_TRUE(has_line(text, "fitbot_partman_table_status" + kP + " 2"));
    EXPECT_TRUE(has_line(text, "fitbot_partman_status 2"));
}

TEST(Exposition, SubSecondInstantsKeepUpToSixDecimals) {
    DatabaseFacts facts = healthy_database();
    facts.maintenance.runs[0].start_time = utc(2026, 3, 20, 2) + 250000;
    facts.maintenance.runs[0].end_time = utc(2026, 3, 20, 2, 0, 3) + 123456;
    const std::string text = metrics_of(facts);
    EXPECT_TRUE(has_line(text, "fitbot_partman_maintenance_last_run_start_timestamp_seconds" + kJ + " 1773972000.25"))
        << text;
    EXPECT_TRUE(has_line(text, "fitbot_partman_maintenance_last_success_timestamp_seconds" + kJ + " 1773972003.123456"))
        << text;
}

TEST(Exposition, NoJobsStillDeclaresJobFamilies) {
    DatabaseFacts facts = healthy_database();
    facts.maintenance.jobs.clear();
    facts.maintenance.runs.clear();
    const std::string text = metrics_of(facts);
    EXPECT_TRUE(has_line(text, "fitbot_partman_maintenance_jobs 0"));
    EXPECT_TRUE(has_line(text, "fitbot_partman_maintenance_status 2"));
    EXPECT_TRUE(has_line(text, "# TYPE fitbot_partman_maintenance_overdue gauge"));
    EXPECT_TRUE(samples(text, "fitbot_partman_maintenance_overdue").empty());
    // No next run: the runway margin after it is unknown, not NaN.
    EXPECT_TRUE(samples(text, "fitbot_partman_runway_after_next_run_seconds").empty());
    EXPECT_EQ(text.find("NaN"), std::string::npos);
}

TEST(Exposition, FailedAndNeverRunJobs) {
    DatabaseFacts facts = healthy_database();
    facts.maintenance.runs = {run(3, "failed", utc(2026, 3, 20, 2), "ERROR: boom"),
                              run(3, "failed", utc(2026, 2, 20, 2), "ERROR: boom")};
    CronJobFact never = maintenance_job(9);
    never.jobname = "";
    never.active = false;
    facts.maintenance.jobs.push_back(never);
    const std::string text = metrics_of(facts);
    EXPECT_TRUE(has_line(text, "fitbot_partman_maintenance_last_run_success" + kJ + " 0"));
    EXPECT_TRUE(has_line(text, "fitbot_partman_maintenance_consecutive_failures" + kJ + " 2"));
    EXPECT_EQ(samples(text, "fitbot_partman_maintenance_last_success_timestamp_seconds").size(), 0u);
    const std::string never_labels = "{jobid=\"9\",jobname=\"\"}";
    EXPECT_TRUE(has_line(text, "fitbot_partman_maintenance_job_active" + never_labels + " 0"));
    EXPECT_EQ(samples(text, "fitbot_partman_maintenance_last_run_start_timestamp_seconds").size(), 1u);
    EXPECT_EQ(samples(text, "fitbot_partman_maintenance_next_run_timestamp_seconds").size(), 1u);
    EXPECT_TRUE(has_line(text, "fitbot_partman_maintenance_status 2"));
}

TEST(Exposition, ParentsKeepTheirGivenOrder) {
    DatabaseFacts facts = healthy_database();
    ParentFact zebra = healthy_parent();
    zebra.parent = "public.zebra";
    facts.parents.insert(facts.parents.begin(), zebra);
    const std::vector<std::string> lines = samples(metrics_of(facts), "fitbot_partman_gaps");
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0], "fitbot_partman_gaps{parent=\"public.zebra\"} 0");
    EXPECT_EQ(lines[1], "fitbot_partman_gaps" + kP + " 0");
}

TEST(Exposition, LargeAndUnknownRowEstimates) {
    DatabaseFacts facts = healthy_database();
    for (PartitionFact &partition : facts.parents[0].partitions) partition.estimated_rows = -1;
    facts.parents[0].partitions[0].estimated_rows = 1.5e10;
    facts.parents[0].partitions[1].estimated_rows = 0.5;
    const std::string text = metrics_of(facts);
    EXPECT_TRUE(has_line(text, "fitbot_partman_estimated_rows" + kP + " 15000000000.5")) << text;
    facts.parents[0].partitions[1].estimated_rows = 2;
    EXPECT_TRUE(has_line(metrics_of(facts), "fitbot_partman_estimated_rows" + kP + " 15000000002"));
}

}  // namespace
}  // namespace fitbot::core
