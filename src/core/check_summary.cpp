// The Nagios check line (summarize): status, one summary line, performance data.
//
// Summary: "FITBOT_PARTMAN <STATUS> - " followed by
//   - when the status is ok: "N table(s) healthy, maintenance next runs <UTC>",
//     then any informational findings ("; public.x: default partition locked,
//     rows not counted");
//   - otherwise the non-ok findings, most severe first: one item per parent
//     with the briefs of its most severe findings and a count of the others
//     ("public.x: 12 rows in default partition (+1 warning)"), and one item
//     per maintenance or database finding, joined by "; ".
// The line holds no line break and no '|' (Nagios' performance data
// separator), and is cut to kMaxSummaryLength bytes, whole items only, ending
// with "; …and N more".
//
// Performance data follows the Nagios plugin guidelines: 'label'=value[UOM];
// warn;crit;min;max, labels single-quoted (a quote doubled, '=' replaced),
// units s and B, "U" for a value that is unknown. Thresholds are Nagios
// ranges ("1:" alerts below 1, "0" alerts above 0) and mirror the rules; the
// runway margin threshold uses the approximate interval length.
#include <algorithm>
#include <string>
#include <vector>

#include "calendar.h"
#include "health.h"
#include "health_text.h"

namespace fitbot::core {

namespace {

struct Item {
    Status status;
    std::string text;
};

std::string upper_status(Status status) {
    std::string name = status_name(status);
    for (char &c : name) c = static_cast<char>(c - ('a' <= c && c <= 'z' ? 'a' - 'A' : 0));
    return name;
}

std::string clean(std::string_view value) {
    std::string line = text::one_line(value, kMaxSummaryLength);
    std::replace(line.begin(), line.end(), '|', '/');
    return line;
}

// The item of one parent: the briefs of its most severe findings, and how
// many less severe ones there are ("public.x: 12 rows in default partition
// (+2 warnings)"), so that one table cannot crowd out another subject's
// critical finding. With `informational`, its ok findings instead.
std::optional<Item> parent_item(const ParentReport &parent, bool informational) {
    std::vector<Finding> chosen;
    for (const Finding &finding : parent.findings) {
        if ((finding.status == Status::ok) == informational) chosen.push_back(finding);
    }
    if (chosen.empty()) return std::nullopt;
    Status top = Status::ok;
    for (const Finding &finding : chosen) top = worst(top, finding.status);
    Item item{top, parent.parent + ": "};
    int lesser = 0;
    bool lesser_all_warnings = true;
    bool first = true;
    for (const Finding &finding : chosen) {
        if (finding.status != top) {
            ++lesser;
            lesser_all_warnings = lesser_all_warnings && finding.status == Status::warning;
            continue;
        }
        if (!first) item.text += ", ";
        first = false;
        item.text += finding.brief;
    }
    if (lesser > 0) {
        item.text += " (+" + text::count_of(lesser, lesser_all_warnings ? "warning" : "finding") + ")";
    }
    item.text = clean(item.text);
    return item;
}

std::string join_within(const std::string &head, const std::vector<Item> &items, std::size_t max_bytes) {
    std::string line = head;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string candidate = line + (i > 0 ? "; " : "") + items[i].text;
        const std::size_t remaining = items.size() - i - 1;
        const std::string tail = remaining > 0 ? "; \u2026and " + std::to_string(remaining) + " more" : "";
        if (candidate.size() + tail.size() <= max_bytes) {
            line = candidate;
            continue;
        }
        if (i > 0) {
            // This item does not fit: say how many are left out.
            line += "; \u2026and " + std::to_string(items.size() - i) + " more";
        } else {
            // Not even the first item fits: cut it, keeping room for the tail.
            const std::size_t used = line.size() + tail.size();
            line += text::one_line(items[0].text, max_bytes > used ? max_bytes - used : 0) + tail;
        }
        return text::cut_utf8(line, max_bytes);
    }
    return line;
}

std::string perf_label(const std::string &label) {
    std::string out = "'";
    for (char c : label) {
        if (c == '\'') {
            out += "''";
        } else if (c == '=' || c == '|') {
            out += '_';
        } else if (static_cast<unsigned char>(c) < 0x20) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out + "'";
}

void add_perf(std::string &out, const std::string &label, const std::string &value, const std::string &warn = "",
              const std::string &crit = "", const std::string &min = "", const std::string &max = "") {
    std::string fields[] = {warn, crit, min, max};
    std::size_t used = 4;
    while (used > 0 && fields[used - 1].empty()) --used;
    if (!out.empty()) out += ' ';
    out += perf_label(label) + "=" + value;
    for (std::size_t i = 0; i < used; ++i) out += ";" + fields[i];
}

std::string whole_seconds(Micros micros) { return std::to_string(floor_div(micros, kMicrosPerSecond)); }

std::string performance_data(const HealthReport &report) {
    std::string out;
    for (const ParentReport &parent : report.parents) {
        const std::string &p = parent.parent;
        add_perf(out, p + "_future_partitions", std::to_string(parent.future_partitions), "", "1:", "0");
        if (parent.runway_until) {
            add_perf(out, p + "_runway_seconds", whole_seconds(*parent.runway_until - report.now) + "s");
            if (report.maintenance.next_run) {
                add_perf(out, p + "_runway_after_next_run_seconds",
                         whole_seconds(*parent.runway_until - *report.maintenance.next_run) + "s",
                         whole_seconds(approximate_length(parent.partition_interval)) + ":", "1:");
            }
        }
        add_perf(out, p + "_default_rows", parent.default_rows ? std::to_string(*parent.default_rows) : "U", "", "0",
                 "0");
        add_perf(out, p + "_gaps", std::to_string(parent.gaps), "0", "", "0");
        add_perf(out, p + "_expired_partitions", std::to_string(parent.expired_partitions), "", "", "0");
        add_perf(out, p + "_total_bytes", std::to_string(parent.total_bytes) + "B", "", "", "0");
    }
    if (report.maintenance.next_run) {
        add_perf(out, "maintenance_next_run_seconds", whole_seconds(*report.maintenance.next_run - report.now) + "s");
    }
    for (const JobReport &job : report.maintenance.jobs) {
        add_perf(out, "maintenance_job_" + std::to_string(job.job.jobid) + "_consecutive_failures",
                 std::to_string(job.consecutive_failures), "0", "1", "0");
    }
    return out;
}

}  // namespace

CheckResult summarize(const HealthReport &report) {
    CheckResult result;
    result.status = report.status;
    const std::string head = "FITBOT_PARTMAN " + upper_status(report.status) + " - ";
    const bool informational = report.status == Status::ok;

    std::vector<Item> items;
    auto add_findings = [&](const std::vector<Finding> &findings) {
        for (const Finding &finding : findings) {
            if ((finding.status == Status::ok) == informational) {
                items.push_back(Item{finding.status, clean(finding.brief)});
            }
        }
    };
    add_findings(report.findings);
    for (const ParentReport &parent : report.parents) {
        if (auto item = parent_item(parent, informational)) items.push_back(*item);
    }
    add_findings(report.maintenance.findings);
    std::stable_sort(items.begin(), items.end(),
                     [](const Item &a, const Item &b) { return severity(a.status) > severity(b.status); });

    if (informational && report.parents.empty()) {
        // "nothing managed" (or a job with no table): the findings say it all.
        if (items.empty()) items.push_back(Item{Status::ok, "pg_partman manages no table"});
    } else if (informational) {
        std::string healthy = text::count_of(static_cast<std::int64_t>(report.parents.size()), "table") + " healthy";
        if (report.maintenance.next_run) {
            healthy += ", maintenance next runs " + report.maintenance.next_run_text;
        }
        items.insert(items.begin(), Item{Status::ok, healthy});
    } else if (items.empty()) {
        // A non-ok status always comes with a finding; this is a safety net.
        items.push_back(Item{report.status, "see the status report for details"});
    }
    result.summary = join_within(head, items, kMaxSummaryLength);
    result.performance_data = performance_data(report);
    return result;
}

}  // namespace fitbot::core
