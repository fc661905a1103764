#include "exporter_state.h"

#include <fmt/format.h>

#include "core/exposition.h"
#include "exporter_labels.h"

namespace fitbot::companion {

namespace {

void family(std::string &out, const char *name, const char *type, const char *help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

// The single unlabelled database's key.
const std::string kOnly;

}  // namespace

ExporterState::ExporterState(bool label_databases) : label_(label_databases) {
    if (!label_) databases_[kOnly];
}

void ExporterState::refreshed(std::string exposition, double unix_seconds, double duration_seconds) {
    refreshed(kOnly, std::move(exposition), unix_seconds, duration_seconds);
    round_finished();
}

void ExporterState::refresh_failed(std::string error) {
    refresh_failed(kOnly, std::move(error));
    round_finished();
}

void ExporterState::refreshed(const std::string &database, std::string exposition, double unix_seconds,
                              double duration_seconds) {
    std::lock_guard<std::mutex> lock(mutex_);
    Database &entry = databases_[database];
    entry.exposition = std::move(exposition);
    entry.last_refresh = unix_seconds;
    entry.refresh_duration = duration_seconds;
    entry.up = true;
    entry.finished_one = true;
    entry.last_error.clear();
}

void ExporterState::refresh_failed(const std::string &database, std::string error) {
    std::lock_guard<std::mutex> lock(mutex_);
    Database &entry = databases_[database];
    entry.up = false;
    entry.finished_one = true;
    entry.last_error = std::move(error);
    ++entry.refresh_errors;
}

void ExporterState::forget(const std::string &database) {
    std::lock_guard<std::mutex> lock(mutex_);
    databases_.erase(database);
}

void ExporterState::round_finished(std::string listing_error) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        finished_round_ = true;
        listing_error_ = std::move(listing_error);
    }
    first_refresh_.notify_all();
}

bool ExporterState::wait_first_refresh(std::chrono::milliseconds limit) const {
    std::unique_lock<std::mutex> lock(mutex_);
    return first_refresh_.wait_for(lock, limit, [this] { return finished_round_; });
}

std::string ExporterState::scrape(double unix_seconds) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++scrapes_;
    // name{database="x"} when labelled, name alone when not.
    auto labels = [this](const std::string &database) {
        return label_ ? "{database=\"" + core::escape_label_value(database) + "\"}" : std::string();
    };
    std::vector<std::string> parts;
    for (const auto &[database, entry] : databases_) {
        parts.push_back(label_ ? with_label(entry.exposition, "database", database) : entry.exposition);
    }
    std::string out = label_ ? merge_expositions(parts) : parts.empty() ? std::string() : parts.front();
    family(out, "fitbot_partman_up", "gauge",
           "1 when the exporter's last refresh from the database succeeded, 0 when it failed; no sample until the "
           "first refresh has finished.");
    for (const auto &[database, entry] : databases_)
        if (entry.finished_one) out += fmt::format("fitbot_partman_up{} {}\n", labels(database), entry.up ? 1 : 0);
    family(out, "fitbot_partman_data_age_seconds", "gauge", "Age of the partition data being served.");
    for (const auto &[database, entry] : databases_)
        if (entry.last_refresh)
            out += fmt::format("fitbot_partman_data_age_seconds{} {:.3f}\n", labels(database),
                               unix_seconds - *entry.last_refresh);
    family(out, "fitbot_partman_last_refresh_timestamp_seconds", "gauge",
           "When the served data was read from the database.");
    for (const auto &[database, entry] : databases_)
        if (entry.last_refresh)
            out += fmt::format("fitbot_partman_last_refresh_timestamp_seconds{} {:.3f}\n", labels(database),
                               *entry.last_refresh);
    family(out, "fitbot_partman_refresh_duration_seconds", "gauge", "How long the last successful refresh took.");
    for (const auto &[database, entry] : databases_)
        if (entry.last_refresh)
            out += fmt::format("fitbot_partman_refresh_duration_seconds{} {:.6f}\n", labels(database),
                               entry.refresh_duration);
    family(out, "fitbot_partman_refresh_errors_total", "counter", "Failed refreshes since the exporter started.");
    for (const auto &[database, entry] : databases_)
        out += fmt::format("fitbot_partman_refresh_errors_total{} {}\n", labels(database), entry.refresh_errors);
    family(out, "fitbot_partman_scrapes_total", "counter", "Scrapes answered since the exporter started.");
    out += fmt::format("fitbot_partman_scrapes_total {}\n", scrapes_);
    return out;
}

bool ExporterState::healthy(std::string &reason) const {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!label_) {
        const Database &only = databases_.at(kOnly);
        reason = only.last_error;
        return only.up;
    }
    reason = finished_round_ ? listing_error_ : "the first refresh from the database has not finished yet";
    return finished_round_ && listing_error_.empty();
}

std::vector<std::string> ExporterState::databases() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> names;
    for (const auto &entry : databases_) names.push_back(entry.first);
    return names;
}

}  // namespace fitbot::companion
