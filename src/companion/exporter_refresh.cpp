#include "exporter_refresh.h"

#include <pwd.h>
#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>

#include "cron_database.h"
#include "database.h"
#include "dsn.h"
#include "verdicts.h"

namespace fitbot::companion {

const char *const kListDatabasesQuery =
    "SELECT datname FROM pg_catalog.pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname";
const char *const kProbeDatabaseQuery =
    "SELECT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname IN ('pg_partman', 'fitbot_partman')) "
    "OR to_regnamespace('fitbot_partman') IS NOT NULL";

namespace {

using Clock = std::chrono::steady_clock;

double unix_now() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// A connection kept across refreshes, with its own backoff: 1 s doubling up
// to the interval after each failure.
struct Kept {
    std::optional<Connection> connection;
    Clock::time_point retry_at{};
    std::chrono::seconds backoff{1};
    CronPlaceCache place;  // of this connection's database (verdicts.h)

    void failed(std::chrono::seconds interval) {
        connection.reset();
        place = CronPlaceCache{};
        retry_at = Clock::now() + std::min(backoff, interval);
        backoff = std::min(backoff * 2, interval);
    }
    void succeeded() { backoff = std::chrono::seconds(1); }
    bool may_try() const { return Clock::now() >= retry_at; }
};

}  // namespace

std::string dsn_database_name(const std::string &dsn) {
    std::string user;
    try {
        for (const ConninfoOption &option : parse_dsn(dsn)) {
            if (option.keyword == "dbname" && !option.value.empty()) return option.value;
            if (option.keyword == "user") user = option.value;
        }
    } catch (const DsnError &) {}
    if (const char *database = std::getenv("PGDATABASE"); database && *database) return database;
    if (user.empty()) {
        if (const char *env = std::getenv("PGUSER"); env && *env) return env;
        if (const passwd *entry = getpwuid(getuid())) return entry->pw_name;
    }
    return user;
}

Refresher::Refresher(const ServeOptions &options, ExporterState &state, LogLine log)
    : options_(options), state_(state), log_(std::move(log)) {}

void Refresher::stop() {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    wake_.notify_all();
}

bool Refresher::pause(std::chrono::milliseconds wait) {
    std::unique_lock<std::mutex> lock(mutex_);
    return !wake_.wait_for(lock, wait, [this] { return stop_; });
}

void Refresher::run() {
    keep_cron_connections(true);
    if (options_.all_databases) {
        run_all_databases();
    } else {
        run_one_database();
    }
    keep_cron_connections(false);
}

// One database on one connection. Unlabelled, exactly as before; with
// --database-label its series carry the name the server reports.
void Refresher::run_one_database() {
    const std::chrono::seconds interval(options_.interval_seconds);
    Kept kept;
    std::string name = dsn_database_name(options_.dsn);
    std::chrono::milliseconds wait;
    do {
        auto started = Clock::now();
        wait = interval;
        new_cron_round();
        try {
            if (!kept.connection) {
                kept.connection = connect(options_.dsn, options_.agentless);
                log_("connected to " + masked_dsn(options_.dsn) + " (" + mode_name(kept.connection->mode) + " mode)");
                if (options_.database_label && kept.connection->connection->dbname() != name) {
                    state_.forget(name);
                    name = kept.connection->connection->dbname();
                }
            }
            std::string metrics = scrubbed(options_.dsn, [&] {
                return read_metrics_kept(*kept.connection->connection, kept.connection->mode, options_.dsn, kept.place);
            });
            if (options_.database_label) {
                state_.refreshed(name, std::move(metrics), unix_now(), seconds_since(started));
                state_.round_finished();
            } else {
                state_.refreshed(std::move(metrics), unix_now(), seconds_since(started));
            }
            kept.succeeded();
        } catch (const std::exception &error) {
            std::string message = error_text(error, options_.dsn);
            if (options_.database_label) {
                state_.refresh_failed(name, message);
                state_.round_finished(message);
            } else {
                state_.refresh_failed(message);
            }
            log_("refresh failed: " + message);
            kept.failed(interval);
            wait = std::chrono::duration_cast<std::chrono::milliseconds>(kept.retry_at - Clock::now());
        }
    } while (pause(wait));
}

// Every database of the cluster. Each round: the list from pg_database (one
// query on a kept connection to the --dsn database), one probe per database
// not seen before (or not followed, once per --rediscover-interval), then a
// refresh of each followed database on its own kept connection. A database
// that fails reports fitbot_partman_up 0 and is retried with its own backoff;
// the others go on.
void Refresher::run_all_databases() {
    const std::chrono::seconds interval(options_.interval_seconds);
    const std::chrono::seconds rediscover(options_.rediscover_seconds);
    Kept listing;
    std::map<std::string, Kept> followed;
    std::map<std::string, Clock::time_point> passed_over;  // no pg_partman: probe again then
    std::set<std::string> logged_probe_failures;
    std::string last_listing_error;
    do {
        const auto round_started = Clock::now();
        new_cron_round();
        std::vector<std::string> names;
        std::string listing_error;
        if (!listing.connection && !listing.may_try()) {
            listing_error = last_listing_error;  // still waiting to reconnect
        } else
            try {
                if (!listing.connection) {
                    listing.connection = connect(options_.dsn, true);
                    log_("connected to " + masked_dsn(options_.dsn) + " to list the databases");
                }
                scrubbed(options_.dsn, [&] {
                    pqxx::read_transaction txn(*listing.connection->connection);
                    for (const pqxx::row &row : txn.exec(kListDatabasesQuery))
                        names.push_back(row[0].as<std::string>());
                    return 0;
                });
                listing.succeeded();
            } catch (const std::exception &error) {
                listing_error = error_text(error, options_.dsn);
                last_listing_error = listing_error;
                log_("listing the databases failed: " + listing_error);
                listing.failed(interval);
            }
        if (listing_error.empty()) {
            const std::set<std::string> present(names.begin(), names.end());
            for (auto it = followed.begin(); it != followed.end();) {
                if (present.count(it->first)) {
                    ++it;
                    continue;
                }
                log_("database \"" + it->first + "\" is gone: no longer followed");
                state_.forget(it->first);
                it = followed.erase(it);
            }
            for (auto it = passed_over.begin(); it != passed_over.end();)
                it = present.count(it->first) ? std::next(it) : passed_over.erase(it);
            for (const std::string &name : names) {
                if (followed.count(name)) continue;
                auto over = passed_over.find(name);
                if (over != passed_over.end() && Clock::now() < over->second) continue;
                const std::string dsn = dsn_with_dbname(options_.dsn, name);
                try {
                    Connection connection = connect(dsn, options_.agentless);
                    bool ours = scrubbed(dsn, [&] {
                        pqxx::read_transaction txn(*connection.connection);
                        return txn.exec(kProbeDatabaseQuery)[0][0].as<bool>();
                    });
                    logged_probe_failures.erase(name);
                    if (!ours) {
                        passed_over[name] = Clock::now() + rediscover;
                        continue;
                    }
                    log_("following database \"" + name + "\" (" + mode_name(connection.mode) + " mode)");
                    followed[name].connection = std::move(connection);
                    passed_over.erase(name);
                } catch (const std::exception &error) {
                    // Not known to be ours: no series, a log line (once), a
                    // new probe after --rediscover-interval.
                    if (logged_probe_failures.insert(name).second)
                        log_("cannot look into database \"" + name + "\": " + one_line_error(error, dsn));
                    passed_over[name] = Clock::now() + rediscover;
                }
            }
        }
        for (auto &[name, kept] : followed) {
            const std::string dsn = dsn_with_dbname(options_.dsn, name);
            const auto started = Clock::now();
            try {
                if (!kept.connection) {
                    if (!kept.may_try()) continue;  // its up stays 0 until the retry
                    kept.connection = connect(dsn, options_.agentless);
                    log_("reconnected to database \"" + name + "\"");
                }
                std::string metrics = scrubbed(dsn, [&] {
                    return read_metrics_kept(*kept.connection->connection, kept.connection->mode, dsn, kept.place);
                });
                state_.refreshed(name, std::move(metrics), unix_now(), seconds_since(started));
                kept.succeeded();
            } catch (const std::exception &error) {
                std::string message = error_text(error, dsn);
                state_.refresh_failed(name, message);
                log_("refresh of database \"" + name + "\" failed: " + one_line_error(error, dsn));
                kept.failed(interval);
            }
        }
        state_.round_finished(listing_error);
        // The next round: after the interval, or sooner when a connection
        // waits to be retried.
        auto next = round_started + interval;
        if (!listing.connection) next = std::min(next, listing.retry_at);
        for (const auto &entry : followed)
            if (!entry.second.connection) next = std::min(next, entry.second.retry_at);
        auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now());
        if (!pause(std::max(wait, std::chrono::milliseconds(100)))) break;
    } while (true);
}

}  // namespace fitbot::companion
