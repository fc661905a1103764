// The database label of serve --all-databases / --database-label.
#include <gtest/gtest.h>

#include "companion/exporter_labels.h"
#include "companion/exporter_refresh.h"
#include "companion/exporter_state.h"

using namespace fitbot::companion;

TEST(ExporterLabels, EverySampleGetsTheLabelFirst) {
    const std::string in =
        "# HELP fitbot_partman_status worst\n"
        "# TYPE fitbot_partman_status gauge\n"
        "fitbot_partman_status 2\n"
        "fitbot_partman_table_status{parent=\"public.a\"} 0\n"
        "fitbot_partman_runway_seconds{parent=\"public.{odd} \\\"x\\\"\"} +Inf\n"
        "fitbot_partman_empty{} 1\n";
    EXPECT_EQ(with_label(in, "database", "fit\"bot\\2\n"),
              "# HELP fitbot_partman_status worst\n"
              "# TYPE fitbot_partman_status gauge\n"
              "fitbot_partman_status{database=\"fit\\\"bot\\\\2\\n\"} 2\n"
              "fitbot_partman_table_status{database=\"fit\\\"bot\\\\2\\n\",parent=\"public.a\"} 0\n"
              "fitbot_partman_runway_seconds{database=\"fit\\\"bot\\\\2\\n\",parent=\"public.{odd} \\\"x\\\"\"} +Inf\n"
              "fitbot_partman_empty{database=\"fit\\\"bot\\\\2\\n\"} 1\n");
    EXPECT_EQ(with_label("", "database", "x"), "");
    EXPECT_EQ(with_label("a 1", "database", "x"), "a{database=\"x\"} 1\n");  // no final line feed
}

TEST(ExporterLabels, MergeDeclaresEachFamilyOnce) {
    const std::string one =
        "# HELP a A\n# TYPE a gauge\na{database=\"one\"} 1\n"
        "# HELP b B\n# TYPE b gauge\nb{database=\"one\",parent=\"p\"} 2\n";
    const std::string two =
        "# HELP a A\n# TYPE a gauge\na{database=\"two\"} 3\n"
        "# HELP c C\n# TYPE c counter\nc{database=\"two\"} 4\n"
        "# HELP b B\n# TYPE b gauge\n";  // declared, no sample
    EXPECT_EQ(merge_expositions({one, two}),
              "# HELP a A\n# TYPE a gauge\na{database=\"one\"} 1\na{database=\"two\"} 3\n"
              "# HELP b B\n# TYPE b gauge\nb{database=\"one\",parent=\"p\"} 2\n"
              "# HELP c C\n# TYPE c counter\nc{database=\"two\"} 4\n");
    EXPECT_EQ(merge_expositions({}), "");
}

TEST(ExporterLabels, StateLabelsEachDatabaseAndItsOwnSeries) {
    ExporterState state(true);
    std::string reason;
    EXPECT_FALSE(state.healthy(reason));
    const std::string exposition =
        "# HELP fitbot_partman_status x\n# TYPE fitbot_partman_status gauge\nfitbot_partman_status 0\n";
    state.refreshed("app1", exposition, 1000.0, 0.01);
    state.refresh_failed("app2", "connection refused");
    state.round_finished();
    EXPECT_TRUE(state.healthy(reason)) << reason;  // the list was read; app2 says so itself
    std::string out = state.scrape(1010.0);
    EXPECT_NE(out.find("fitbot_partman_status{database=\"app1\"} 0\n"), std::string::npos) << out;
    EXPECT_NE(out.find("fitbot_partman_up{database=\"app1\"} 1\n"), std::string::npos) << out;
    EXPECT_NE(out.find("fitbot_partman_up{database=\"app2\"} 0\n"), std::string::npos) << out;
    EXPECT_NE(out.find("fitbot_partman_data_age_seconds{database=\"app1\"} 10.000\n"), std::string::npos) << out;
    EXPECT_EQ(out.find("fitbot_partman_data_age_seconds{database=\"app2\"}"), std::string::npos) << out;
    EXPECT_NE(out.find("fitbot_partman_refresh_errors_total{database=\"app2\"} 1\n"), std::string::npos) << out;
    EXPECT_NE(out.find("fitbot_partman_scrapes_total 1\n"), std::string::npos) << out;  // the exporter's own
    // Each family once, whatever the number of databases.
    state.refreshed("app3", exposition, 1000.0, 0.01);
    out = state.scrape(1010.0);
    std::size_t declared = 0;
    for (std::size_t at = out.find("# TYPE fitbot_partman_status "); at != std::string::npos;
         at = out.find("# TYPE fitbot_partman_status ", at + 1))
        ++declared;
    EXPECT_EQ(declared, 1u) << out;
    EXPECT_NE(out.find("fitbot_partman_status{database=\"app3\"} 0\n"), std::string::npos) << out;

    state.forget("app1");  // dropped
    out = state.scrape(1020.0);
    EXPECT_EQ(out.find("database=\"app1\""), std::string::npos) << out;
    EXPECT_EQ(state.databases(), (std::vector<std::string>{"app2", "app3"}));

    state.round_finished("could not connect to server");
    EXPECT_FALSE(state.healthy(reason));
    EXPECT_EQ(reason, "could not connect to server");
}

TEST(ExporterLabels, UnlabelledStateIsUnchanged) {
    ExporterState state;
    state.refreshed("# HELP a A\n# TYPE a gauge\na 1\n", 1000.0, 0.5);
    std::string out = state.scrape(1001.0);
    EXPECT_NE(out.find("\na 1\n"), std::string::npos) << out;
    EXPECT_NE(out.find("\nfitbot_partman_up 1\n"), std::string::npos) << out;
    EXPECT_EQ(out.find("database="), std::string::npos) << out;
}

TEST(ExporterLabels, DatabaseNameOfADsn) {
    EXPECT_EQ(dsn_database_name("host=x dbname=fitbot user=u"), "fitbot");
    EXPECT_EQ(dsn_database_name("postgresql://u@x/app2"), "app2");
    ::setenv("PGDATABASE", "fromenv", 1);
    EXPECT_EQ(dsn_database_name("host=x user=u"), "fromenv");
    ::unsetenv("PGDATABASE");
    EXPECT_EQ(dsn_database_name("host=x user=someone"), "someone");  // libpq: dbname defaults to the user
}
