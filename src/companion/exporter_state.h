// What `fitbot-partman serve` answers with: the last good exposition from the
// database plus the exporter's own series, rendered per scrape from a cache
// so that no scrape ever reaches the database. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace fitbot::companion {

class ExporterState {
public:
    // A refresh succeeded: `exposition` is format_metrics() output.
    void refreshed(std::string exposition, double unix_seconds, double duration_seconds);
    // A refresh failed; the last good data (if any) keeps being served.
    void refresh_failed(std::string error);

    // Blocks until the first refresh has finished (succeeded or failed), at
    // most `limit`; true when it has.
    bool wait_first_refresh(std::chrono::milliseconds limit) const;

    // The /metrics body at `unix_seconds` (counts the scrape). Until the first
    // refresh has finished, fitbot_partman_up has no sample: the data is not
    // read yet, which is not the same as a database that cannot be reached.
    std::string scrape(double unix_seconds);
    // /healthz: true when the last refresh succeeded; `reason` otherwise.
    bool healthy(std::string &reason) const;

private:
    mutable std::mutex mutex_;
    mutable std::condition_variable first_refresh_;
    std::string exposition_;
    std::optional<double> last_refresh_;
    double refresh_duration_ = 0;
    bool finished_one_ = false;
    bool up_ = false;
    std::string last_error_ = "the first refresh from the database has not finished yet";
    std::uint64_t refresh_errors_ = 0;
    std::uint64_t scrapes_ = 0;
};

}  // namespace fitbot::companion
