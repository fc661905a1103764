// fitbot-partman: the maintenance companion of the fitbot_partman extension.
#include <iostream>

#include <CLI/CLI.hpp>

#include "core/exposition.h"
#include "database.h"
#include "evaluate.h"
#include "exporter.h"
#include "maintain.h"
#include "setup_commands.h"
#include "status_view.h"
#include "system_zone.h"
#include "time_format.h"

using namespace fitbot;
using namespace fitbot::companion;

namespace {

constexpr const char *kVersion = "fitbot-partman 1.0.0";

struct Global {
    std::string dsn;
    bool agentless = false;
    std::string tz;
};

Evaluation read_database(const Global &global) {
    Connection connection = connect(global.dsn, global.agentless);
    return scrubbed(global.dsn, [&] { return read_and_evaluate(*connection.connection, connection.mode); });
}

}  // namespace

int main(int argc, char **argv) {
    CLI::App app{"fitbot-partman: partition health, Prometheus exporter and maintenance for pg_partman-managed "
                 "tables (with or without the fitbot_partman extension).\n"
                 "Connects the libpq way: --dsn (conninfo or URI), else the PG* environment and ~/.pgpass."};
    app.set_version_flag("--version", kVersion);
    app.require_subcommand(1);
    Global global;
    app.add_option("--dsn", global.dsn, "libpq connection string or URI (default: PG* environment, .pgpass)");
    app.add_flag("--agentless", global.agentless,
                 "do not use the fitbot_partman extension even if installed: read the catalogs with plain SQL");
    app.add_option("--tz", global.tz, "time zone for local times in `status` (default: $TZ, /etc/localtime, UTC)");

    auto *status = app.add_subcommand("status", "readable partition health: tables, partitions timeline, the maintenance job");
    bool json = false;
    status->add_flag("--json", json,
                     "the same facts and verdicts as JSON; keys: mode, now, status, reasons, tables[] (parent, status, "
                     "reasons, partitions, future_partitions, runway_until, oldest_start, expired_partitions, gaps, "
                     "default_rows, total_bytes, timeline), maintenance (status, reasons, next_run, jobs[] (jobid, "
                     "jobname, schedule, active, timezone, next_run, last_run_status, consecutive_failures, status, reasons))");
    auto *check = app.add_subcommand("check", "Nagios/Icinga plugin: one status line with performance data; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN");
    auto *metrics = app.add_subcommand("metrics", "Prometheus text exposition once, to stdout (e.g. for node_exporter's textfile collector)");
    auto *serve = app.add_subcommand("serve", "HTTP exporter: /metrics and /healthz, refreshed from the database at most once per interval");
    ServeOptions serve_options;
    serve->add_option("--listen", serve_options.listen, "address to listen on")->capture_default_str();
    serve->add_option("--port", serve_options.port, "TCP port")->capture_default_str()->check(CLI::Range(1, 65535));
    serve->add_option("--interval", serve_options.interval_seconds, "seconds between refreshes from the database")
        ->capture_default_str()
        ->check(CLI::Range(1, 86400));
    auto *maintain_command = app.add_subcommand("maintain", "run pg_partman maintenance now, never overlapping a run in progress");
    bool dry_run = false;
    maintain_command->add_flag("--dry-run", dry_run, "print what maintenance would create and drop; change nothing");
    auto *setup_command = app.add_subcommand("setup", "create, partition and schedule public.heart_rate_readings (idempotent)");
    std::string schedule = "0 2 20 * *";
    setup_command->add_option("--schedule", schedule, "pg_cron schedule of the maintenance job")->capture_default_str();
    auto *preflight_command = app.add_subcommand("preflight", "check that pg_cron will run maintenance; exit 1 if a check fails");

    CLI11_PARSE(app, argc, argv);

    try {
        if (*status) {
            Evaluation evaluation = read_database(global);
            if (json) {
                std::cout << render_status_json(evaluation);
            } else {
                auto local_zone = load_system_zone(local_zone_name(global.tz));
                std::cout << render_status_text(evaluation, *local_zone);
            }
            return 0;
        }
        if (*check) {
            try {
                Evaluation evaluation = read_database(global);
                core::CheckResult result = core::summarize(evaluation.report);
                std::cout << result.summary;
                if (!result.performance_data.empty()) std::cout << " | " << result.performance_data;
                std::cout << "\n";
                return static_cast<int>(result.status);
            } catch (const std::exception &error) {
                std::cout << "FITBOT_PARTMAN UNKNOWN - " << one_line_error(error, global.dsn) << "\n";
                return 3;
            }
        }
        if (*metrics) {
            Evaluation evaluation = read_database(global);
            std::cout << core::format_metrics(evaluation.report, evaluation.info);
            return 0;
        }
        if (*serve) {
            serve_options.dsn = global.dsn;
            serve_options.agentless = global.agentless;
            return companion::serve(serve_options);
        }
        if (*maintain_command) return maintain(global.dsn, global.agentless, dry_run, std::cout, std::cerr);
        if (*setup_command) return setup(global.dsn, global.agentless, schedule, std::cout, std::cerr);
        if (*preflight_command) return preflight(global.dsn, global.agentless, std::cout);
    } catch (const std::exception &error) {
        std::cerr << "fitbot-partman: " << one_line_error(error, global.dsn) << "\n";
        return 1;
    }
    return 1;
}
