// What `fitbot-partman serve` answers with: the last good exposition of each
// database plus the exporter's own series, rendered per scrape from a cache
// so that no scrape ever reaches the database. Thread-safe.
//
// One database (the default) renders as before, without a `database` label.
// Labelled (--all-databases, --database-label), every series of a database,
// the exporter's per-database ones included, carries database="<name>", and
// a database that fails reports fitbot_partman_up{database=...} 0 while the
// others are unaffected.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace fitbot::companion {

class ExporterState {
public:
    explicit ExporterState(bool label_databases = false);

    // One database, unlabelled: a refresh succeeded (`exposition` is
    // format_metrics() output) or failed (the last good data, if any, keeps
    // being served). Each also finishes a round.
    void refreshed(std::string exposition, double unix_seconds, double duration_seconds);
    void refresh_failed(std::string error);

    // Labelled: the same for `database`; the caller ends each pass over the
    // databases with round_finished().
    void refreshed(const std::string &database, std::string exposition, double unix_seconds, double duration_seconds);
    void refresh_failed(const std::string &database, std::string error);
    // A database that was dropped (or no longer followed): its series go.
    void forget(const std::string &database);
    // The list of databases could (ok) or could not be read; "" error = ok.
    void round_finished(std::string listing_error = "");

    // Blocks until the first round has finished (succeeded or failed), at
    // most `limit`; true when it has.
    bool wait_first_refresh(std::chrono::milliseconds limit) const;

    // The /metrics body at `unix_seconds` (counts the scrape). Until a
    // database's first refresh has finished, its fitbot_partman_up has no
    // sample: not read yet is not the same as cannot be reached.
    std::string scrape(double unix_seconds);
    // /healthz. One database: its last refresh succeeded. Labelled: the list
    // of databases could be read (a database that fails says so in its own
    // fitbot_partman_up, not by failing the whole exporter). `reason` otherwise.
    bool healthy(std::string &reason) const;

    // The databases with series (tests, logs).
    std::vector<std::string> databases() const;

private:
    struct Database {
        std::string exposition;
        std::optional<double> last_refresh;
        double refresh_duration = 0;
        bool finished_one = false;
        bool up = false;
        std::string last_error = "the first refresh from the database has not finished yet";
        std::uint64_t refresh_errors = 0;
    };

    const bool label_;
    mutable std::mutex mutex_;
    mutable std::condition_variable first_refresh_;
    std::map<std::string, Database> databases_;
    bool finished_round_ = false;
    std::string listing_error_ = "the first refresh from the database has not finished yet";
    std::uint64_t scrapes_ = 0;
};

}  // namespace fitbot::companion
