#include "exporter_state.h"

#include <fmt/format.h>

namespace fitbot::companion {

namespace {

void family(std::string &out, const char *name, const char *type, const char *help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

void ExporterState::refreshed(std::string exposition, double unix_seconds, double duration_seconds) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        exposition_ = std::move(exposition);
        last_refresh_ = unix_seconds;
        refresh_duration_ = duration_seconds;
        up_ = true;
        finished_one_ = true;
        last_error_.clear();
    }
    first_refresh_.notify_all();
}

void ExporterState::refresh_failed(std::string error) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        up_ = false;
        finished_one_ = true;
        last_error_ = std::move(error);
        ++refresh_errors_;
    }
    first_refresh_.notify_all();
}

bool ExporterState::wait_first_refresh(std::chrono::milliseconds limit) const {
    std::unique_lock<std::mutex> lock(mutex_);
    return first_refresh_.wait_for(lock, limit, [this] { return finished_one_; });
}

std::string ExporterState::scrape(double unix_seconds) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++scrapes_;
    std::string out = exposition_;
    family(out, "fitbot_partman_up", "gauge",
           "1 when the exporter's last refresh from the database succeeded, 0 when it failed; no sample until the "
           "first refresh has finished.");
    if (finished_one_) out += fmt::format("fitbot_partman_up {}\n", up_ ? 1 : 0);
    family(out, "fitbot_partman_data_age_seconds", "gauge", "Age of the partition data being served.");
    if (last_refresh_) out += fmt::format("fitbot_partman_data_age_seconds {:.3f}\n", unix_seconds - *last_refresh_);
    family(out, "fitbot_partman_last_refresh_timestamp_seconds", "gauge",
           "When the served data was read from the database.");
    if (last_refresh_) out += fmt::format("fitbot_partman_last_refresh_timestamp_seconds {:.3f}\n", *last_refresh_);
    family(out, "fitbot_partman_refresh_duration_seconds", "gauge", "How long the last successful refresh took.");
    if (last_refresh_) out += fmt::format("fitbot_partman_refresh_duration_seconds {:.6f}\n", refresh_duration_);
    family(out, "fitbot_partman_refresh_errors_total", "counter", "Failed refreshes since the exporter started.");
    out += fmt::format("fitbot_partman_refresh_errors_total {}\n", refresh_errors_);
    family(out, "fitbot_partman_scrapes_total", "counter", "Scrapes answered since the exporter started.");
    out += fmt::format("fitbot_partman_scrapes_total {}\n", scrapes_);
    return out;
}

bool ExporterState::healthy(std::string &reason) const {
    std::lock_guard<std::mutex> lock(mutex_);
    reason = last_error_;
    return up_;
}

}  // namespace fitbot::companion
