// The companion's pieces that need no database: DSN masking, the exporter's
// own series, the partition timeline, and the facts JSON round trip.
#include <gtest/gtest.h>

#include "companion/dsn.h"
#include "companion/exporter_state.h"
#include "companion/status_view.h"
#include "core/facts_json.h"

using namespace fitbot;
using namespace fitbot::companion;

TEST(CompanionDsn, PasswordsAreMasked) {
    EXPECT_EQ(masked_dsn("host=db user=mon password=SeCrEt dbname=fitbot"),
              "host=db user=mon password=******** dbname=fitbot");
    EXPECT_EQ(masked_dsn("host=db password='with space\\'s' user=x"), "host=db password=******** user=x");
    EXPECT_EQ(masked_dsn("postgresql://mon:SeCrEt@db:5432/fitbot"), "postgresql://mon:********@db:5432/fitbot");
    EXPECT_EQ(masked_dsn("postgres://db/fitbot?user=mon&password=SeCrEt&sslmode=require"),
              "postgres://db/fitbot?user=mon&password=********&sslmode=require");
    EXPECT_EQ(masked_dsn(""), "(PG* environment)");
    EXPECT_EQ(masked_dsn("host=db user=mon"), "host=db user=mon");
}

TEST(CompanionDsn, SecretsAreScrubbedFromMessages) {
    EXPECT_EQ(dsn_password("postgresql://mon:SeCrEt@db/fitbot"), "SeCrEt");
    EXPECT_EQ(dsn_password("host=db password='a b'"), "a b");
    EXPECT_EQ(without_secret("FATAL: password SeCrEt rejected, SeCrEt", "SeCrEt"),
              "FATAL: password ******** rejected, ********");
    EXPECT_EQ(without_secret("nothing to hide", ""), "nothing to hide");
}

TEST(CompanionExporter, ServesCachedDataAndItsAge) {
    ExporterState state;
    std::string reason;
    EXPECT_FALSE(state.healthy(reason));
    std::string empty = state.scrape(1000.0);
    EXPECT_NE(empty.find("fitbot_partman_up 0\n"), std::string::npos);
    EXPECT_EQ(empty.find("\nfitbot_partman_data_age_seconds "), std::string::npos);  // no data yet: no sample

    state.refreshed("# HELP fitbot_partman_status x\n# TYPE fitbot_partman_status gauge\nfitbot_partman_status 0\n",
                    1000.0, 0.25);
    std::string fresh = state.scrape(1012.5);
    EXPECT_NE(fresh.find("fitbot_partman_status 0\n"), std::string::npos);
    EXPECT_NE(fresh.find("fitbot_partman_up 1\n"), std::string::npos);
    EXPECT_NE(fresh.find("fitbot_partman_data_age_seconds 12.500\n"), std::string::npos);
    EXPECT_NE(fresh.find("fitbot_partman_scrapes_total 2\n"), std::string::npos);
    EXPECT_TRUE(state.healthy(reason));

    state.refresh_failed("connection refused");
    std::string stale = state.scrape(1100.0);
    EXPECT_NE(stale.find("fitbot_partman_status 0\n"), std::string::npos);  // last good data stays
    EXPECT_NE(stale.find("fitbot_partman_up 0\n"), std::string::npos);
    EXPECT_NE(stale.find("fitbot_partman_data_age_seconds 100.000\n"), std::string::npos);
    EXPECT_NE(stale.find("fitbot_partman_refresh_errors_total 1\n"), std::string::npos);
    EXPECT_FALSE(state.healthy(reason));
    EXPECT_EQ(reason, "connection refused");
}

TEST(CompanionStatus, TimelineShowsStatesGapsAndDefault) {
    core::ParentReport parent;
    auto add = [&](core::PartitionState state, std::optional<core::Micros> start, std::optional<core::Micros> end) {
        core::PartitionReport child;
        child.state = state;
        child.fact.range_start = start;
        child.fact.range_end = end;
        child.fact.is_default = state == core::PartitionState::default_partition;
        parent.children.push_back(child);
    };
    add(core::PartitionState::expired, 0, 10);
    add(core::PartitionState::past, 10, 20);
    add(core::PartitionState::past, 30, 40);  // gap 20..30
    add(core::PartitionState::current, 40, 50);
    add(core::PartitionState::future, 50, 60);
    add(core::PartitionState::default_partition, std::nullopt, std::nullopt);
    parent.default_rows = 0;
    EXPECT_EQ(partition_timeline(parent), "x._.#+ D");
    parent.default_rows = 12;
    EXPECT_EQ(partition_timeline(parent), "x._.#+ !");
    parent.default_rows = std::nullopt;
    EXPECT_EQ(partition_timeline(parent), "x._.#+ ?");
}

TEST(CompanionFactsJson, RoundTripKeepsEveryFact) {
    core::DatabaseFacts facts;
    facts.now = 1793491200000000;
    facts.session_timezone = "Asia/Seoul";
    facts.partman_schema = "part man";
    facts.partman_version = "4.7.2";
    core::ParentFact parent;
    parent.parent = "\"Fit Bot\".\"Heart \"\"Rate\"\" Log\"";
    parent.control = "Measured At";
    parent.partition_interval = {1, 0, 0};
    parent.premake = 3;
    parent.retention = core::Interval{12, 0, 0};
    parent.retention_keep_table = false;
    parent.infinite_time_partitions = true;
    parent.default_rows = std::nullopt;
    parent.detached_retention_tables = 2;
    core::PartitionFact partition;
    partition.name = "x\n\"y\"\\z";
    partition.range_start = -5;
    partition.estimated_rows = -1;
    partition.bytes = 8192;
    partition.locked = true;
    parent.partitions.push_back(partition);
    facts.parents.push_back(parent);
    facts.maintenance.cron_installed = true;
    facts.maintenance.jobs.push_back({7, "job", "0 2 20 * *", "CALL x()", "fitbot", "postgres", false, 42});
    facts.maintenance.runs.push_back({7, "failed", "ERROR:  boom", 100, std::nullopt});

    core::DatabaseFacts back = core::facts_from_json(core::facts_to_json(facts));
    EXPECT_EQ(core::facts_to_json(back), core::facts_to_json(facts));
    ASSERT_EQ(back.parents.size(), 1u);
    EXPECT_EQ(back.parents[0].parent, parent.parent);
    EXPECT_EQ(back.parents[0].retention, parent.retention);
    EXPECT_FALSE(back.parents[0].default_rows);
    EXPECT_EQ(back.parents[0].partitions[0].name, partition.name);
    EXPECT_EQ(back.parents[0].partitions[0].range_start, -5);
    EXPECT_FALSE(back.parents[0].partitions[0].range_end);
    EXPECT_EQ(back.maintenance.jobs[0].known_since, 42);
    EXPECT_FALSE(back.maintenance.runs[0].end_time);
    EXPECT_THROW(core::facts_from_json("{\"now\": 1}"), std::invalid_argument);
    EXPECT_THROW(core::facts_from_json("not json"), std::invalid_argument);
}
