// Prometheus text exposition (format 0.0.4) of a HealthReport.
#pragma once

#include <string>
#include <string_view>

#include "health.h"

namespace fitbot::core {

// Escapes a label value: backslash, double quote and line feed.
std::string escape_label_value(std::string_view value);

struct ExpositionInfo {
    std::string extension_version;  // "" when computed agentless
    std::string partman_version;
    std::string partman_schema;
    std::string mode;  // "extension" or "agentless"
};

// The whole picture, every family with HELP and TYPE, base units (seconds,
// bytes, Unix-second timestamps). Families and labels are listed in
// monitoring/METRICS.md.
std::string format_metrics(const HealthReport &report, const ExpositionInfo &info);

}  // namespace fitbot::core
