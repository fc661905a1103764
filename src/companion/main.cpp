// fitbot-partman: the maintenance companion of the fitbot_partman extension.
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <iostream>
#include <thread>

#include <postgresql/libpq-fe.h>  // Debian: /usr/include/postgresql
#include <CLI/CLI.hpp>

#include "adopt_command.h"
#include "core/exposition.h"
#include "core/shared_facts.h"
#include "database.h"
#include "dsn.h"
#include "evaluate.h"
#include "exporter.h"
#include "maintain.h"
#include "option_checks.h"
#include "server_versions.h"
#include "setup_commands.h"
#include "status_view.h"
#include "system_zone.h"
#include "teardown_command.h"
#include "time_format.h"
#include "verdicts.h"
#include "version.h"

using namespace fitbot;
using namespace fitbot::companion;

namespace {

// Exit codes: a Nagios plugin says UNKNOWN (3) for anything that is not a
// verdict, usage errors included; the other commands follow the Unix habit.
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr int kCheckUnknown = 3;

struct Global {
    std::string dsn;
    std::string cron_dsn;
    bool agentless = false;
    bool allow_untested_server = false;
    std::string tz;
    int connect_timeout = 5;
    double statement_timeout = 10;
};

Evaluation read_database(const Global &global) {
    Connection connection = connect(global.dsn, global.agentless);
    return scrubbed(global.dsn, [&] { return read_and_evaluate(*connection.connection, connection.mode, global.dsn); });
}

// check and metrics: read_check or read_metrics (verdicts.h) on a new connection.
template <typename Read>
auto read_verdict(const Global &global, Read read) {
    Connection connection = connect(global.dsn, global.agentless);
    return scrubbed(global.dsn, [&] { return read(*connection.connection, connection.mode, global.dsn); });
}

bool argv_names_check(int argc, char **argv) {
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "check") == 0) return true;
    }
    return false;
}

// Nagios shows the first line; the following lines are its long output.
void print_check_unknown(const std::string &text) {
    std::cout << "FITBOT_PARTMAN UNKNOWN - " << text << "\n" << std::flush;
}

// A password given in argv stays readable in /proc/PID/cmdline (ps) for as
// long as the process runs, unless the process overwrites it: once the
// options are read, the --dsn and --cron-dsn arguments are replaced by their
// masked form.
void hide_dsn_in_argv(int argc, char **argv) {
    for (int i = 1; i < argc; ++i) {
        char *value = nullptr;
        for (const char *option : {"--dsn", "--cron-dsn"}) {
            const std::size_t length = std::strlen(option);
            if (std::strncmp(argv[i], option, length) == 0 && argv[i][length] == '=') {
                value = argv[i] + length + 1;
            } else if (std::strcmp(argv[i], option) == 0 && i + 1 < argc) {
                value = argv[++i];
            }
            if (value) break;
        }
        if (!value) continue;
        const std::string dsn = value;
        bool secret = false;
        try {
            for (const ConninfoOption &option : parse_dsn(dsn)) secret = secret || option.secret;
        } catch (const DsnError &) {
            secret = true;  // cannot tell what it holds: hide it all
        }
        if (!secret) continue;
        const std::string masked = masked_dsn(dsn);
        const std::size_t length = std::strlen(value);
        for (std::size_t at = 0; at < length; ++at) value[at] = at < masked.size() ? masked[at] : ' ';
    }
}

const char *const kMainFooter = R"(
Examples:
  fitbot-partman status                       # libpq defaults: PGHOST, PGDATABASE, ~/.pgpass
  fitbot-partman check --dsn 'host=db.internal dbname=fitbot user=monitor passfile=/etc/fitbot-partman/pgpass'
  PGPASSFILE=/etc/fitbot-partman/pgpass fitbot-partman serve --dsn postgresql://monitor@db.internal/fitbot --listen :9817
  fitbot-partman --agentless status --json    # without the extension, plain catalog SQL
  fitbot-partman maintain --dry-run

Options go before or after the command. Passwords: keep them out of --dsn (the command line is
visible to every local user until the program has started); use a password file (PGPASSFILE, the
passfile= key, ~/.pgpass) or a service file (PGSERVICEFILE, service=). PGPASSWORD works too.

Exit codes: check 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also usage errors and timeouts);
the other commands 0 done, 1 failed, 2 usage error. Run `fitbot-partman COMMAND --help` for more.)";

const char *const kCheckFooter = R"(
Examples:
  fitbot-partman check --dsn 'host=db.internal dbname=fitbot user=monitor'
  fitbot-partman check --timeout 20 --dsn 'service=fitbot'      # a service in ~/.pg_service.conf
Nagios/Icinga: define the command as `fitbot-partman check --dsn '$ARG1$'` and put the password in
the monitoring user's ~/.pgpass. Prints one status line (then detail lines, if any) and exits
0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. It always ends within --timeout, with UNKNOWN if the
database has not answered by then; usage errors exit 3 as well.)";

const char *const kServeFooter = R"(
Examples:
  fitbot-partman serve                                   # 127.0.0.1:9817
  fitbot-partman serve --listen :9817                    # every interface, IPv6 and IPv4
  fitbot-partman serve --listen 127.0.0.1:9817 --listen '[::1]:9817'
  fitbot-partman serve --all-databases --dsn 'host=db.internal dbname=postgres user=monitor'
Settings may come from the environment instead (the systemd unit does this): FITBOT_PARTMAN_DSN,
FITBOT_PARTMAN_LISTEN (comma-separated), FITBOT_PARTMAN_INTERVAL, FITBOT_PARTMAN_ALL_DATABASES,
FITBOT_PARTMAN_DATABASE_LABEL, FITBOT_PARTMAN_REDISCOVER_INTERVAL. A port already in use is an error
(no SO_REUSEPORT). SIGTERM or SIGINT stops it within a second.)";

}  // namespace

int main(int argc, char **argv) {
    CLI::App app{
        "fitbot-partman: partition health, Prometheus exporter and maintenance for pg_partman-managed "
        "tables (with or without the fitbot_partman extension).\n"
        "Connects the libpq way: --dsn (conninfo or URI), else the PG* environment, a service file and "
        "~/.pgpass."};
    // Options of the program are accepted after the command too.
    app.fallthrough();
    app.require_subcommand(0, 1);
    app.footer(kMainFooter);
    bool show_version = false;
    app.add_flag("-V,--version", show_version, "print the companion's and the extension's versions and exit");
    Global global;
    app.add_option("--dsn", global.dsn,
                   "libpq connection string or URI, without a password (default: PG* environment, .pgpass)")
        ->envname("FITBOT_PARTMAN_DSN");
    app.add_option("--cron-dsn", global.cron_dsn,
                   "connection string of pg_cron's database (cron.database_name) when it is not the --dsn database "
                   "and is reached differently (default: --dsn with dbname replaced)")
        ->envname("FITBOT_PARTMAN_CRON_DSN");
    app.add_flag("--agentless", global.agentless,
                 "do not use the fitbot_partman extension even if installed: read the catalogs with plain SQL");
    app.add_flag("--allow-untested-server", global.allow_untested_server,
                 "connect to a PostgreSQL newer than the versions tested (see --version), with a warning, instead of "
                 "refusing it")
        ->envname("FITBOT_PARTMAN_ALLOW_UNTESTED_SERVER");
    app.add_option("--tz", global.tz, "time zone for local times in `status` (default: $TZ, /etc/localtime, UTC)");
    app.add_option("--connect-timeout", global.connect_timeout,
                   "seconds to wait for a connection, unless the DSN or PGCONNECT_TIMEOUT sets connect_timeout")
        ->capture_default_str()
        ->check(whole_number_between(2, 3600, "seconds"));
    app.add_option("--statement-timeout", global.statement_timeout,
                   "seconds any one query may run (statement_timeout; maintain has its own --timeout)")
        ->capture_default_str()
        ->check(decimal_between(0.001, 86400, "seconds"));

    auto *status =
        app.add_subcommand("status", "readable partition health: tables, partitions timeline, the maintenance job");
    status->footer("\nExamples:\n  fitbot-partman status --tz Asia/Seoul\n  fitbot-partman status --json | jq .status");
    bool json = false;
    status->add_flag(
        "--json", json,
        "the same facts and verdicts as JSON; keys: mode, now, status, reasons, tables[] (parent, status, "
        "reasons, partitions, future_partitions, runway_until, oldest_start, expired_partitions, gaps, "
        "default_rows, total_bytes, timeline), maintenance (status, reasons, next_run, jobs[] (jobid, "
        "jobname, schedule, active, timezone, next_run, last_run_status, last_run_by_hand, consecutive_failures, status, reasons))");
    auto *check = app.add_subcommand(
        "check",
        "Nagios/Icinga plugin: one status line with performance data; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN");
    check->footer(kCheckFooter);
    int check_timeout = 10;
    check->add_option("-t,--timeout", check_timeout, "seconds after which the check gives up with UNKNOWN")
        ->capture_default_str()
        ->check(whole_number_between(1, 3600, "seconds"));
    auto *metrics = app.add_subcommand(
        "metrics", "Prometheus text exposition once, to stdout (e.g. for node_exporter's textfile collector)");
    metrics->footer(
        "\nExample:\n  fitbot-partman metrics > /var/lib/prometheus/node-exporter/fitbot_partman.prom.$$ && mv ...");
    auto *serve = app.add_subcommand(
        "serve", "HTTP exporter: /metrics and /healthz, refreshed from the database at most once per interval");
    serve->footer(kServeFooter);
    ServeOptions serve_options;
    serve
        ->add_option("--listen,--web.listen-address", serve_options.listen,
                     "address to listen on, repeatable: HOST:PORT, [IPV6]:PORT, :PORT (every interface) or HOST "
                     "(with --port)")
        ->capture_default_str()
        ->envname("FITBOT_PARTMAN_LISTEN")
        ->delimiter(',');
    serve->add_option("--port", serve_options.port, "TCP port for addresses given without one")
        ->capture_default_str()
        ->check(whole_number_between(1, 65535, ""));
    serve->add_option("--interval", serve_options.interval_seconds, "seconds between refreshes from the database")
        ->capture_default_str()
        ->envname("FITBOT_PARTMAN_INTERVAL")
        ->check(whole_number_between(1, 86400, "seconds"));
    serve
        ->add_flag("--all-databases", serve_options.all_databases,
                   "every database of the cluster where pg_partman or fitbot_partman is installed, found through "
                   "the --dsn database (e.g. postgres) and followed as databases are created or dropped; every "
                   "series gets a database label")
        ->envname("FITBOT_PARTMAN_ALL_DATABASES");
    serve
        ->add_flag("--database-label", serve_options.database_label,
                   "label the one database's series database=\"NAME\" too (implied by --all-databases)")
        ->envname("FITBOT_PARTMAN_DATABASE_LABEL");
    serve
        ->add_option("--rediscover-interval", serve_options.rediscover_seconds,
                     "with --all-databases: seconds before a database without pg_partman is looked into again "
                     "(new and dropped databases are seen every refresh)")
        ->capture_default_str()
        ->envname("FITBOT_PARTMAN_REDISCOVER_INTERVAL")
        ->check(whole_number_between(1, 86400, "seconds"));
    auto *maintain_command =
        app.add_subcommand("maintain", "run pg_partman maintenance now, never overlapping a run in progress");
    maintain_command->footer(
        "\nExamples:\n  fitbot-partman maintain --dry-run\n  fitbot-partman maintain --timeout 600");
    bool dry_run = false;
    maintain_command->add_flag("--dry-run", dry_run, "print what maintenance would create and drop; change nothing");
    double maintain_timeout = 3600;
    maintain_command
        ->add_option("--timeout", maintain_timeout, "seconds pg_partman's maintenance may run (statement_timeout)")
        ->capture_default_str()
        ->check(decimal_between(1, 86400, "seconds"));
    auto *setup_command =
        app.add_subcommand("setup", "create, partition and schedule public.heart_rate_readings (idempotent)");
    std::optional<std::string> schedule;  // left out: the job's schedule is kept
    setup_command->add_option("--schedule", schedule,
                              std::string("pg_cron schedule of the maintenance job; left out, the job keeps its own (a "
                                          "new job gets '") +
                                  core::shared::kDefaultSchedule + "')");
    setup_command->footer(
        "\nExamples:\n  fitbot-partman setup\n  fitbot-partman --agentless setup --schedule '30 3 1,15 * *'");
    auto *teardown_command = app.add_subcommand(
        "teardown", "undo setup for this database: its maintenance job and readers (never drops a reading)");
    teardown_command->footer("\nExamples:\n  fitbot-partman teardown\n  fitbot-partman --agentless teardown");
    auto *preflight_command =
        app.add_subcommand("preflight", "check that pg_cron will run maintenance; exit 1 if a check fails");
    auto *adopt_command = app.add_subcommand(
        "adopt", "partition a populated plain table online, without copying rows, and register it with pg_partman");
    AdoptOptions adopt_options;
    std::string adopt_retention;
    int adopt_premake = 0;
    adopt_command->add_option("table", adopt_options.table, "the table, as schema.table")->required();
    adopt_command->add_option("--control", adopt_options.control, "its time column, the partition key")->required();
    auto *adopt_interval_option = adopt_command->add_option("--interval", adopt_options.partition_interval.emplace(),
                                                            "partition interval (default 1 month)");
    auto *adopt_premake_option =
        adopt_command->add_option("--premake", adopt_premake, "partitions made ahead (default 3)")
            ->check(whole_number_between(1, 1000, "partitions"));
    auto *adopt_retention_option = adopt_command->add_option(
        "--retention", adopt_retention,
        "drop partitions older than this; none keeps every one (default: the past the table holds is kept)");
    adopt_command->add_flag("--keep-table", adopt_options.keep_table,
                            "retention detaches old partitions and keeps them as tables instead of dropping them");
    adopt_command->footer(
        "\nIts steps commit one by one and every lock waits at most the driver's lock_timeout; interrupted, run it "
        "again to finish.\nExamples:\n  fitbot-partman adopt public.heart_rate_readings --control measured_at\n"
        "  fitbot-partman --agentless adopt public.readings --control measured_at --premake 4 --retention '1 year'");

    const bool check_context = argv_names_check(argc, argv);
    auto usage_error = [&](const std::string &message) {
        if (check_context) {
            print_check_unknown("usage: " + message + "\nRun `fitbot-partman check --help` for the options.");
            return kCheckUnknown;
        }
        std::cerr << "fitbot-partman: " << message << "\nRun `fitbot-partman --help` for usage.\n";
        return kExitUsage;
    };
    try {
        app.parse(argc, argv);
    } catch (const CLI::Success &success) {  // --help
        return app.exit(success);
    } catch (const CLI::ParseError &error) {
        return usage_error(error.what());
    }
    hide_dsn_in_argv(argc, argv);

    if (show_version) {
        std::cout << "fitbot-partman " << kCompanionVersion << "\n"
                  << "fitbot_partman extension " << kExtensionVersion
                  << " (the version this companion is built with; it reads the extension's facts() of that version)\n"
                  << "libpq " << PQlibVersion() / 10000 << "." << PQlibVersion() % 10000 << "\n";
        print_tested_servers(std::cout);
        if (!global.dsn.empty()) {
            try {
                set_connect_settings({std::min(global.connect_timeout, 5), 5000, {}});
                Connection connection = connect(global.dsn, true);
                std::string installed =
                    scrubbed(global.dsn, [&] { return installed_extension_version(*connection.connection); });
                std::cout << "installed in " << masked_dsn(global.dsn) << ": "
                          << (installed.empty() ? "not installed (the companion works agentless there)"
                                                : "fitbot_partman " + installed)
                          << "\n";
            } catch (const std::exception &error) {
                std::cout << "installed version unknown: " << one_line_error(error, global.dsn) << "\n";
            }
        }
        return 0;
    }
    if (app.get_subcommands().empty()) {
        return usage_error(
            "a command is required: status, check, metrics, serve, maintain, setup, teardown, preflight or adopt");
    }

    ConnectSettings settings;
    settings.connect_timeout_seconds = global.connect_timeout;
    // Finite and at most 86400 s (decimal_between), so the milliseconds fit an int.
    settings.statement_timeout_ms = static_cast<int>(std::lround(global.statement_timeout * 1000));
    settings.cron_dsn = global.cron_dsn;
    settings.allow_untested_server = global.allow_untested_server;
    if (*check) {
        settings.connect_timeout_seconds = std::max(2, std::min(settings.connect_timeout_seconds, check_timeout));
        settings.statement_timeout_ms = std::min(settings.statement_timeout_ms, check_timeout * 1000);
    }
    set_connect_settings(settings);

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
            // Whatever the database does (a server that accepts TCP but never
            // answers, a query stuck behind a lock), the check ends in time.
            static std::atomic<bool> answered{false};
            std::thread([check_timeout] {
                std::this_thread::sleep_for(std::chrono::seconds(check_timeout));
                if (answered.exchange(true)) return;
                const std::string line = "FITBOT_PARTMAN UNKNOWN - no answer from the database within " +
                                         std::to_string(check_timeout) +
                                         " s (--timeout)\nhint: is the server overloaded or unreachable? Try "
                                         "`fitbot-partman status` by hand, or raise --timeout.\n";
                std::cout.flush();
                [[maybe_unused]] ssize_t written = ::write(STDOUT_FILENO, line.data(), line.size());
                std::_Exit(kCheckUnknown);
            }).detach();
            auto finish = [](const std::string &output, int code) {
                if (answered.exchange(true)) {
                    for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));  // the watchdog exits
                }
                std::cout << output << std::flush;
                return code;
            };
            try {
                core::CheckResult result = read_verdict(global, read_check);
                std::string line = result.summary;
                if (!result.performance_data.empty()) line += " | " + result.performance_data;
                return finish(line + "\n", static_cast<int>(result.status));
            } catch (const std::exception &error) {
                return finish("FITBOT_PARTMAN UNKNOWN - " + error_text(error, global.dsn) + "\n", kCheckUnknown);
            }
        }
        if (*metrics) {
            std::cout << read_verdict(global, read_metrics);
            return 0;
        }
        if (*serve) {
            serve_options.dsn = global.dsn;
            serve_options.agentless = global.agentless;
            for (const std::string &spec : serve_options.listen) {
                try {
                    parse_listen_address(spec, serve_options.port);
                } catch (const std::invalid_argument &error) {
                    return usage_error(std::string("--listen: ") + error.what());
                }
            }
            return companion::serve(serve_options);
        }
        if (*maintain_command) {
            if (!dry_run) {
                settings.statement_timeout_ms = static_cast<int>(std::lround(maintain_timeout * 1000));
                set_connect_settings(settings);
            }
            return maintain(global.dsn, global.agentless, dry_run, std::cout, std::cerr);
        }
        if (*setup_command) return setup(global.dsn, global.agentless, schedule, std::cout, std::cerr);
        if (*teardown_command) return teardown(global.dsn, global.agentless, std::cout, std::cerr);
        if (*preflight_command) return preflight(global.dsn, global.agentless, std::cout);
        if (*adopt_command) {
            if (adopt_interval_option->count() == 0) adopt_options.partition_interval.reset();
            if (adopt_premake_option->count() > 0) adopt_options.premake = adopt_premake;
            if (adopt_retention_option->count() > 0) adopt_options.retention = adopt_retention;
            // Validating the adoption's check scans the whole table.
            settings.statement_timeout_ms = 0;
            set_connect_settings(settings);
            return adopt(global.dsn, global.agentless, adopt_options, std::cout);
        }
    } catch (const std::exception &error) {
        std::string command = app.get_subcommands().empty() ? "" : " " + app.get_subcommands().front()->get_name();
        std::cerr << "fitbot-partman" << command << ": " << error_text(error, global.dsn) << "\n";
        return kExitFailure;
    }
    return kExitFailure;
}
