// The companion's pieces that need no database: DSN masking (through libpq's
// parser), listen addresses, the exporter's own series, the partition timeline, and the facts JSON round trip.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <chrono>
#include <cstdlib>
#include <thread>

#include <gtest/gtest.h>

#include "companion/dsn.h"
#include "companion/exporter.h"
#include "companion/exporter_state.h"
#include "companion/status_view.h"
#include "core/facts_json.h"

using namespace fitbot;
using namespace fitbot::companion;

// Masking goes through libpq's own parser (PQconninfoParse): what is masked is
// exactly what libpq takes for a password, in every form it accepts.
TEST(CompanionDsn, PasswordsAreMaskedInEveryForm) {
    EXPECT_EQ(masked_dsn("host=db user=mon password=SeCrEt dbname=fitbot"),
              "user=mon password=******** dbname=fitbot host=db");
    EXPECT_EQ(masked_dsn("host=db password='with space\\'s' user=x"), "user=x password=******** host=db");
    EXPECT_EQ(masked_dsn("dbname=x password=abc\\ defSECRET"), "password=******** dbname=x");
    EXPECT_EQ(masked_dsn("postgresql://mon:SeCrEt@db:5432/fitbot"),
              "user=mon password=******** dbname=fitbot host=db port=5432");
    EXPECT_EQ(masked_dsn("postgres://db/fitbot?user=mon&password=SeCrEt&sslmode=require"),
              "user=mon password=******** dbname=fitbot host=db sslmode=require");
    EXPECT_EQ(masked_dsn("postgresql://mon:p%40ss%20word@db/fitbot"),
              "user=mon password=******** dbname=fitbot host=db");
    EXPECT_EQ(masked_dsn("host=db sslpassword=KeYpAsS sslkey=/k"), "host=db sslkey=/k sslpassword=********");
    EXPECT_EQ(masked_dsn("application_name='my app' host=db"), "host=db application_name='my app'");
    EXPECT_EQ(masked_dsn(""), "(PG* environment)");
    EXPECT_EQ(masked_dsn("host=db user=mon"), "user=mon host=db");
    EXPECT_EQ(masked_dsn("password='unterminated SeCrEt"), "(a connection string that does not parse)");
}

TEST(CompanionDsn, PasswordAsLibpqReadsIt) {
    EXPECT_EQ(dsn_password("postgresql://mon:SeCrEt@db/fitbot"), "SeCrEt");
    EXPECT_EQ(dsn_password("postgresql://mon:p%40ss@db/fitbot"), "p@ss");
    EXPECT_EQ(dsn_password("host=db password='a b'"), "a b");
    EXPECT_EQ(dsn_password("dbname=x password=abc\\ defSECRET"), "abc defSECRET");
    EXPECT_EQ(dsn_password("host=db"), "");
    EXPECT_EQ(dsn_password(""), "");
}

TEST(CompanionDsn, EverySpellingOfTheSecretIsScrubbed) {
    auto scrub = [](const std::string &message, const std::string &dsn) {
        return without_secrets(message, dsn_secrets(dsn));
    };
    EXPECT_EQ(scrub("FATAL: password SeCrEt rejected, SeCrEt", "host=db password=SeCrEt"),
              "FATAL: password ******** rejected, ********");
    EXPECT_EQ(scrub("bad: p%40ss and p@ss", "postgresql://u:p%40ss@db/x"), "bad: ******** and ********");
    EXPECT_EQ(scrub("after \"defSECRET\" x", "dbname=x password=abc\\ defSECRET"), "after \"********\" x");
    EXPECT_EQ(without_secret("nothing to hide", ""), "nothing to hide");
    setenv("PGPASSWORD", "EnVsEcReT", 1);
    EXPECT_EQ(scrub("EnVsEcReT", ""), "********");
    unsetenv("PGPASSWORD");
}

// libpq's parse errors quote fragments of the string; those never reach a message.
TEST(CompanionDsn, ParseErrorsQuoteNoValue) {
    try {
        parse_dsn("dbname=x password=abc defSECRET");
        FAIL() << "parsed";
    } catch (const DsnError &error) {
        const std::string message = error.what();
        EXPECT_EQ(message.find("SECRET"), std::string::npos) << message;
        EXPECT_NE(message.find("does not parse"), std::string::npos) << message;
    }
    try {
        parse_dsn("postgresql://u:SeCrEt@[db/x");
        FAIL() << "parsed";
    } catch (const DsnError &error) {
        EXPECT_EQ(std::string(error.what()).find("SeCrEt"), std::string::npos) << error.what();
    }
    try {
        parse_dsn("hots=db");
        FAIL() << "parsed";
    } catch (const DsnError &error) {  // a key is no secret: it stays, so the typo shows
        EXPECT_NE(std::string(error.what()).find("\"hots\""), std::string::npos) << error.what();
    }
}

TEST(CompanionDsn, EffectiveConninfoAddsTimeoutUnlessSet) {
    unsetenv("PGCONNECT_TIMEOUT");
    EXPECT_EQ(effective_conninfo("", {5}), "connect_timeout=5 fallback_application_name=fitbot-partman");
    EXPECT_EQ(effective_conninfo("host=db connect_timeout=30", {5}),
              "connect_timeout='30' host='db' fallback_application_name=fitbot-partman");
    EXPECT_EQ(effective_conninfo("postgresql://u:it's@db/x", {7}),
              "user='u' password='it\\'s' dbname='x' host='db' connect_timeout=7 "
              "fallback_application_name=fitbot-partman");
    setenv("PGCONNECT_TIMEOUT", "12", 1);
    EXPECT_EQ(effective_conninfo("host=db", {5}), "host='db' fallback_application_name=fitbot-partman");
    unsetenv("PGCONNECT_TIMEOUT");
    EXPECT_THROW(effective_conninfo("host='db", {5}), DsnError);
}

// pg_cron's database is reached with the application's DSN, dbname replaced
// (as libpq parses it: a URI, quoting and a password survive intact).
TEST(CompanionDsn, SameConnectionInAnotherDatabase) {
    EXPECT_EQ(dsn_with_dbname("", "postgres"), "dbname='postgres'");
    EXPECT_EQ(dsn_with_dbname("host=db dbname=fitbot user=monitor", "postgres"),
              "user='monitor' host='db' dbname='postgres'");
    EXPECT_EQ(dsn_with_dbname("postgresql://monitor:it's%20me@db:5433/fitbot?sslmode=require", "postgres"),
              "user='monitor' password='it\\'s me' host='db' port='5433' sslmode='require' dbname='postgres'");
    EXPECT_EQ(dsn_with_dbname("host=db", "my db"), "host='db' dbname='my db'");
    EXPECT_THROW(dsn_with_dbname("host='db", "postgres"), DsnError);
}

TEST(CompanionServe, ListenAddressesAsNodeExporterReadsThem) {
    auto show = [](const std::string &spec) { return parse_listen_address(spec, 9817).display(); };
    EXPECT_EQ(show("127.0.0.1"), "127.0.0.1:9817");
    EXPECT_EQ(show("127.0.0.1:9100"), "127.0.0.1:9100");
    EXPECT_EQ(show(":9100"), ":9100");
    EXPECT_EQ(parse_listen_address(":9100", 1).host, "");
    EXPECT_EQ(show("[::1]:9100"), "[::1]:9100");
    EXPECT_EQ(show("[::]"), "[::]:9817");
    EXPECT_EQ(show("::1"), "[::1]:9817");
    EXPECT_EQ(show("localhost:80"), "localhost:80");
    for (const char *bad :
         {"", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:", "[::1", "[::1]x", "[]:80", "host:port", "h:-1"}) {
        EXPECT_THROW(parse_listen_address(bad, 9817), std::invalid_argument) << bad;
    }
}

TEST(CompanionServe, BindFailureReasonIsTheSystemsWords) {
    // Hold a port, then ask why binding it fails.
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)), 0);
    ASSERT_EQ(::listen(fd, 1), 0);
    socklen_t length = sizeof(address);
    ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length), 0);
    const int port = ntohs(address.sin_port);
    EXPECT_EQ(bind_failure_reason("127.0.0.1", port), "Address already in use");
    ::close(fd);
    EXPECT_EQ(bind_failure_reason("127.0.0.1", port), "");
    EXPECT_NE(bind_failure_reason("no-such-host.invalid", port).find("cannot resolve"), std::string::npos);
}

TEST(CompanionExporter, ServesCachedDataAndItsAge) {
    ExporterState state;
    std::string reason;
    EXPECT_FALSE(state.healthy(reason));
    EXPECT_FALSE(state.wait_first_refresh(std::chrono::milliseconds(1)));
    // Before the first refresh has finished: not read yet, which is not "down".
    std::string empty = state.scrape(1000.0);
    EXPECT_EQ(empty.find("\nfitbot_partman_up "), std::string::npos) << empty;
    EXPECT_NE(empty.find("# TYPE fitbot_partman_up gauge\n"), std::string::npos);
    EXPECT_EQ(empty.find("\nfitbot_partman_data_age_seconds "), std::string::npos);  // no data yet: no sample

    state.refreshed("# HELP fitbot_partman_status x\n# TYPE fitbot_partman_status gauge\nfitbot_partman_status 0\n",
                    1000.0, 0.25);
    EXPECT_TRUE(state.wait_first_refresh(std::chrono::milliseconds(0)));
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

TEST(CompanionExporter, AFailedFirstRefreshSaysDown) {
    ExporterState state;
    std::thread refresher([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        state.refresh_failed("timeout expired");
    });
    EXPECT_TRUE(state.wait_first_refresh(std::chrono::seconds(5)));  // woken, not timed out
    refresher.join();
    EXPECT_NE(state.scrape(1.0).find("\nfitbot_partman_up 0\n"), std::string::npos);
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

TEST(CompanionStatus, TimelineMarksTheAdoptedWidePartition) {
    core::ParentReport parent;
    for (auto [name, state, start, end] : {std::tuple{"public.r_adopted", core::PartitionState::past, 0, 30},
                                           std::tuple{"public.r_p2026_11", core::PartitionState::current, 30, 40},
                                           std::tuple{"public.r_p2026_12", core::PartitionState::future, 40, 50}}) {
        core::PartitionReport child;
        child.fact.name = name;
        child.state = state;
        child.fact.range_start = start;
        child.fact.range_end = end;
        parent.children.push_back(child);
    }
    EXPECT_EQ(partition_timeline(parent), ".#+");
    parent.wide_partition = core::WidePartitionReport{};
    parent.wide_partition->name = "public.r_adopted";
    EXPECT_EQ(partition_timeline(parent), "W#+");
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
    facts.maintenance.runs.push_back({7, "failed", "ERROR:  boom", 100, std::nullopt, false, 9, 4242, std::nullopt});
    facts.maintenance.database = "fit\"bot2";
    facts.maintenance.extension_installed = false;

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
    EXPECT_EQ(back.maintenance.database, "fit\"bot2");
    EXPECT_FALSE(back.maintenance.extension_installed);
    // Facts JSON of 1.0 lacks both: it is the extension's, here, whose name
    // the companion fills in from its connection (evaluate.cpp).
    const std::string without = core::facts_to_json(core::DatabaseFacts{});
    std::string older = without;
    for (const std::string key : {"\"database\":\"\",", "\"extension_installed\":true,"}) {
        const std::size_t at = older.find(key);
        ASSERT_NE(at, std::string::npos) << key << " in " << older;
        older.erase(at, key.size());
    }
    EXPECT_TRUE(core::facts_from_json(older).maintenance.extension_installed);
    EXPECT_THROW(core::facts_from_json("{\"now\": 1}"), std::invalid_argument);
    EXPECT_THROW(core::facts_from_json("not json"), std::invalid_argument);
    // The message is for a person: what is wrong, without nlohmann's tag.
    try {
        core::facts_from_json("{\"now\": 1}");
    } catch (const std::invalid_argument &error) {
        EXPECT_STREQ(error.what(), "malformed facts JSON: key 'session_timezone' not found");
    }
    core::MaintenanceFacts maintenance;
    try {
        core::apply_cron_view(maintenance, "{\"jobs\": 1}");
        ADD_FAILURE() << "apply_cron_view accepted {\"jobs\": 1}";
    } catch (const std::invalid_argument &error) {
        EXPECT_STREQ(error.what(), "malformed cron facts JSON: key 'cron_installed' not found");
    }
}
