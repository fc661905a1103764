// pg_cron's schedule language (vixie cron), parsed and evaluated in pure C++.
//
// The grammar follows pg_cron 1.4's src/entry.c (parse_cron_entry, get_list,
// get_range, get_number), the firing test its src/pg_cron.c (ShouldRunTask).
#include "cron.h"

#include <algorithm>
#include <array>
#include <limits>
#include <vector>

namespace fitbot::core {

namespace {

constexpr std::int64_t kSecondsPerDay = 86400;
// A full Gregorian cycle: every pattern of dates and weekdays repeats within it.
constexpr std::int64_t kHorizonDays = 146097;
// PostgreSQL's timestamptz ends in 294276 AD; nothing beyond is searched.
constexpr std::int64_t kLastSearchedDay = 106'751'991;  // ~ INT64_MAX µs in days
constexpr std::int64_t kFirstSearchedDay = -106'751'991;
// Instants a search may start from: 0001-01-01 up to about year 287,000, so
// that a search of kHorizonDays either way stays inside 64-bit microseconds.
// Outside (the ends of PostgreSQL's timestamptz range) there is no run to report.
constexpr std::int64_t kEarliestSearchSecond = -62'135'596'800;
constexpr std::int64_t kLatestSearchSecond = 9'000'000'000'000;

bool searchable(Micros instant) {
    const std::int64_t seconds = floor_div(instant, kMicrosPerSecond);
    return seconds >= kEarliestSearchSecond && seconds < kLatestSearchSecond;
}

const char *const kFiveFieldsHint =
    "A schedule has five fields: minute hour day-of-month month day-of-week, for example \"0 2 20 * *\".";

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

[[noreturn]] void reject(std::string_view text, std::string hint) {
    throw CronError("invalid cron schedule " + quoted(text), std::move(hint));
}

enum class FieldKind { minute, hour, day_of_month, month, day_of_week };

struct FieldSpec {
    FieldKind kind;
    const char *name;  // as used in hints
    int low;
    int high;
    const char *range_hint;
    const char *const *names;  // three-letter names, index = value - low; nullptr if none
    int name_count;
};

const char *const kMonthNames[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                   "jul", "aug", "sep", "oct", "nov", "dec"};
// pg_cron's DowNames also lists "Sun" as 7, but the first match (0) wins.
const char *const kDayNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

const FieldSpec kFields[5] = {
    {FieldKind::minute, "minute", 0, 59, "Minutes must be between 0 and 59.", nullptr, 0},
    {FieldKind::hour, "hour", 0, 23, "Hours must be between 0 and 23.", nullptr, 0},
    {FieldKind::day_of_month, "day-of-month", 1, 31, "Days of the month must be between 1 and 31.",
     nullptr, 0},
    {FieldKind::month, "month", 1, 12, "Months must be between 1 and 12, or names jan to dec.",
     kMonthNames, 12},
    {FieldKind::day_of_week, "day-of-week", 0, 7,
     "Days of the week must be between 0 and 7 (0 and 7 both mean Sunday), or names sun to sat.",
     kDayNames, 7},
};

bool is_blank(char ch) { return ch == ' ' || ch == '\t'; }
bool is_digit(char ch) { return ch >= '0' && ch <= '9'; }
bool is_alpha(char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'); }
bool is_alnum(char ch) { return is_digit(ch) || is_alpha(ch); }
char lower(char ch) { return (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch; }

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

// One field's text, parsed into a set of values low..high.
class FieldParser {
public:
    FieldParser(std::string_view schedule, std::string_view field, const FieldSpec &spec)
        : schedule_(schedule), field_(field), spec_(spec) {}

    // Bit (value - low) set for each chosen value.
    std::vector<bool> parse() {
        values_.assign(static_cast<std::size_t>(spec_.high - spec_.low + 1), false);
        // list = range {"," range}
        for (;;) {
            parse_range();
            if (position_ == field_.size()) break;
            if (field_[position_] != ',') unexpected();
            ++position_;
        }
        return values_;
    }

    // The first reversed range seen ("5-1"), which pg_cron accepts but which
    // selects nothing.
    const std::string &reversed_range() const { return reversed_range_; }

private:
    bool at_end() const { return position_ >= field_.size(); }

    [[noreturn]] void unexpected() const {
        if (at_end()) {
            reject(schedule_, "The " + std::string(spec_.name) + " field " + quoted(field_) +
                                  " ends too early: write a number, a name, * or a range after each \",\", \"-\" and \"/\".");
        }
        reject(schedule_, "The " + std::string(spec_.name) + " field " + quoted(field_) + " contains " +
                              quoted(std::string_view(&field_[position_], 1)) +
                              ", which is not allowed: a field is a list (a,b) of numbers, *, ranges a-b and steps */n or a-b/n.");
    }

    // number | name, as vixie's get_number: an alphanumeric run that is a
    // name of this field or all digits.
    int parse_value() {
        const std::size_t start = position_;
        while (!at_end() && is_alnum(field_[position_])) ++position_;
        const std::string_view word = field_.substr(start, position_ - start);
        if (word.empty()) {
            position_ = start;
            unexpected();
        }
        for (int i = 0; i < spec_.name_count; ++i) {
            if (equals_ignoring_case(word, spec_.names[i])) return spec_.low + i;
        }
        if (!std::all_of(word.begin(), word.end(), is_digit)) {
            if (spec_.names != nullptr) reject(schedule_, spec_.range_hint);
            reject(schedule_, "The " + std::string(spec_.name) + " field " + quoted(field_) + " contains " +
                                  quoted(word) +
                                  ": names are allowed only in the month (jan to dec) and day-of-week (sun to sat) fields.");
        }
        return saturated_number(word);
    }

    static int saturated_number(std::string_view digits) {
        long long value = 0;
        for (char digit : digits) {
            value = value * 10 + (digit - '0');
            if (value > 1'000'000) return 1'000'000;
        }
        return static_cast<int>(value);
    }

    void check_in_range(int value) const {
        if (value < spec_.low || value > spec_.high) reject(schedule_, spec_.range_hint);
    }

    // range = "*" ["/" step] | value ["-" value ["/" step]]
    void parse_range() {
        const std::size_t range_start = position_;
        int first = spec_.low;
        int last = spec_.high;
        if (!at_end() && field_[position_] == '*') {
            ++position_;
        } else {
            first = parse_value();
            if (at_end() || field_[position_] != '-') {
                if (!at_end() && field_[position_] == '/') {
                    reject(schedule_, "A step needs a range: write */" + std::string(step_text()) + " or " +
                                          std::to_string(first) + "-" + std::to_string(spec_.high) + "/" +
                                          std::string(step_text()) + " instead of " +
                                          std::string(field_.substr(range_start, position_ - range_start)) + "/" +
                                          std::string(step_text()) + " (pg_cron does not accept a/n).");
                }
                check_in_range(first);
                values_[static_cast<std::size_t>(first - spec_.low)] = true;
                return;
            }
            ++position_;  // the dash
            last = parse_value();
        }
        int step = 1;
        if (!at_end() && field_[position_] == '/') {
            ++position_;
            const std::size_t start = position_;
            while (!at_end() && is_digit(field_[position_])) ++position_;
            if (position_ == start) {
                if (!at_end() && is_alpha(field_[position_])) {
                    reject(schedule_, "A step must be a whole number of at least 1, as in */15.");
                }
                unexpected();
            }
            step = saturated_number(field_.substr(start, position_ - start));
            if (step <= 0) reject(schedule_, "A step must be a whole number of at least 1, as in */15.");
        }
        check_in_range(first);
        check_in_range(last);
        if (first > last && reversed_range_.empty()) {
            reversed_range_ = std::string(field_.substr(range_start, position_ - range_start));
        }
        for (int value = first; value <= last; value += step) {
            values_[static_cast<std::size_t>(value - spec_.low)] = true;
        }
    }

    // The digits after the '/' at position_, for the "a/n" hint.
    std::string_view step_text() const {
        std::size_t start = position_ + 1;
        std::size_t end = start;
        while (end < field_.size() && is_digit(field_[end])) ++end;
        if (end == start) return "n";
        return field_.substr(start, end - start);
    }

    std::string_view schedule_;
    std::string_view field_;
    const FieldSpec &spec_;
    std::size_t position_ = 0;
    std::vector<bool> values_;
    std::string reversed_range_;
};

template <std::size_t N>
void set_all(std::bitset<N> &bits, std::size_t first, std::size_t last) {
    for (std::size_t i = first; i <= last; ++i) bits.set(i);
}

// The @ shorthands, with exactly the bits and flags pg_cron 1.4 gives them
// (parse_cron_entry in src/entry.c).
bool apply_shorthand(std::string_view keyword, CronSchedule &schedule) {
    set_all(schedule.months, 1, 12);
    set_all(schedule.days_of_month, 1, 31);
    set_all(schedule.hours, 0, 23);
    schedule.days_of_week.set();
    schedule.minutes.set(0);
    if (keyword == "yearly" || keyword == "annually") {
        schedule.hours.reset();
        schedule.hours.set(0);
        schedule.days_of_month.reset();
        schedule.days_of_month.set(1);
        schedule.months.reset();
        schedule.months.set(1);
        schedule.day_of_week_star = true;
    } else if (keyword == "monthly") {
        schedule.hours.reset();
        schedule.hours.set(0);
        schedule.days_of_month.reset();
        schedule.days_of_month.set(1);
        schedule.day_of_week_star = true;
    } else if (keyword == "weekly") {
        schedule.hours.reset();
        schedule.hours.set(0);
        schedule.day_of_month_star = true;
        schedule.days_of_week.reset();
        schedule.days_of_week.set(0);
    } else if (keyword == "daily" || keyword == "midnight") {
        // No star flag at all: day-of-month and day-of-week are both full,
        // so their OR matches every day.
        schedule.hours.reset();
        schedule.hours.set(0);
    } else if (keyword == "hourly") {
        schedule.hour_star = true;
    } else {
        return false;
    }
    return true;
}

// pg_cron >= 1.5 also takes "N seconds" (TryParseInterval in
// src/job_metadata.c: sscanf(" %u secon%c%c %c") on the lower-cased text).
// Anything that reads like that ("5 seconds", "10seconds", "five seconds")
// gets a hint about the version instead of the five-field one.
bool looks_like_interval(std::string_view text, std::size_t word_count) {
    if (word_count > 2) return false;
    for (std::string_view unit : {std::string_view("seconds"), std::string_view("second")}) {
        if (text.size() > unit.size() && equals_ignoring_case(text.substr(text.size() - unit.size()), unit)) {
            return true;
        }
    }
    return false;
}

int max_days_in_month(int month) { return month == 2 ? 29 : days_in_month(2001, month); }

bool some_month_has_a_chosen_day(const CronSchedule &schedule) {
    for (int month = 1; month <= 12; ++month) {
        if (!schedule.months.test(static_cast<std::size_t>(month))) continue;
        for (int day = 1; day <= max_days_in_month(month); ++day) {
            if (schedule.days_of_month.test(static_cast<std::size_t>(day))) return true;
        }
    }
    return false;
}

[[noreturn]] void never_fires(std::string_view text, const std::string &why) {
    throw CronError("cron schedule " + quoted(text) + " never fires", why);
}

void check_can_fire(const CronSchedule &schedule, const std::string reversed[5]) {
    auto empty_field = [&](int index) {
        std::string hint = "Its " + std::string(kFields[index].name) + " field selects no value";
        if (!reversed[index].empty()) {
            hint += ": the range " + reversed[index] +
                    " is reversed, and pg_cron ranges do not wrap around; write the low bound first or split it into two ranges";
            if (kFields[index].kind == FieldKind::day_of_week) {
                hint += " (sun means 0 there, so a range ending on Sunday ends with 7, as in 5-7)";
            }
        }
        never_fires(schedule.text, hint + ".");
    };
    if (schedule.minutes.none()) empty_field(0);
    if (schedule.hours.none()) empty_field(1);
    if (schedule.months.none()) empty_field(3);
    const bool dates_exist = some_month_has_a_chosen_day(schedule);
    const bool weekdays_chosen = schedule.days_of_week.any();
    if (schedule.day_of_month_star || schedule.day_of_week_star) {
        // Both day fields must match.
        if (!weekdays_chosen) empty_field(4);
        if (!dates_exist) {
            if (schedule.days_of_month.none()) empty_field(2);
            never_fires(schedule.text,
                        "None of the chosen months has any of the chosen days of the month (February has at "
                        "most 29 days; April, June, September and November have 30); choose days that exist, "
                        "for example \"0 0 28 2 *\".");
        }
    } else if (!dates_exist && !weekdays_chosen) {
        // Either day field may match, and neither can.
        if (!reversed[4].empty()) empty_field(4);
        if (!reversed[2].empty()) empty_field(2);
        never_fires(schedule.text, "Neither its day-of-month nor its day-of-week field selects a day that exists.");
    }
}

}  // namespace

bool CronSchedule::fires_on(const CivilDate &date) const {
    if (date.month < 1 || date.month > 12 || date.day < 1 || date.day > 31) return false;
    if (!months.test(static_cast<std::size_t>(date.month))) return false;
    const bool day_of_month_matches = days_of_month.test(static_cast<std::size_t>(date.day));
    const bool day_of_week_matches =
        days_of_week.test(static_cast<std::size_t>(weekday_from_days(days_from_civil(date))));
    // ShouldRunTask: both must match when either field began with '*'.
    if (day_of_month_star || day_of_week_star) return day_of_month_matches && day_of_week_matches;
    return day_of_month_matches || day_of_week_matches;
}

CronSchedule parse_cron(std::string_view text) {
    if (text.size() > kMaxCronTextLength) {
        throw CronError("cron schedule is too long",
                        "A schedule has at most " + std::to_string(kMaxCronTextLength) +
                            " characters; write it as five fields such as \"0 2 20 * *\".");
    }
    for (char ch : text) {
        const auto byte = static_cast<unsigned char>(ch);
        if ((byte < 0x20 && ch != '\t') || byte == 0x7f) {
            throw CronError("cron schedule contains a control character",
                            "Write the schedule on one line, its five fields separated by spaces, for example "
                            "\"0 2 20 * *\".");
        }
        if (byte >= 0x80) {
            throw CronError("cron schedule contains a non-ASCII character",
                            "A schedule uses only digits, the names jan to dec and sun to sat, and the characters "
                            "* , - / @, for example \"0 2 20 * *\".");
        }
    }
    std::size_t begin = 0;
    std::size_t end = text.size();
    while (begin < end && is_blank(text[begin])) ++begin;
    while (end > begin && is_blank(text[end - 1])) --end;
    const std::string_view trimmed = text.substr(begin, end - begin);

    CronSchedule schedule;
    schedule.text = std::string(trimmed);
    if (trimmed.empty()) throw CronError("cron schedule is empty", kFiveFieldsHint);

    // Split into words on blanks, as vixie's Skip_Blanks/Skip_Nonblanks do.
    std::vector<std::string_view> words;
    for (std::size_t i = 0; i < trimmed.size();) {
        if (is_blank(trimmed[i])) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < trimmed.size() && !is_blank(trimmed[j])) ++j;
        words.push_back(trimmed.substr(i, j - i));
        i = j;
    }

    if (trimmed.front() == '@') {
        const std::string_view keyword = words.front().substr(1);
        if (keyword == "reboot" || keyword == "restart") {
            throw CronError("cron schedule " + quoted(words.front()) + " has no next run",
                            "A job scheduled with " + std::string(words.front()) +
                                " runs only when the database server starts, so it has no next run to report; use "
                                "five fields such as \"0 2 20 * *\".");
        }
        if (!apply_shorthand(keyword, schedule)) {
            reject(trimmed,
                   "Use one of @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly (in lower "
                   "case), or five fields such as \"0 2 20 * *\".");
        }
        if (words.size() > 1) {
            reject(trimmed, "Remove the text after " + std::string(words.front()) +
                                ": a pg_cron schedule holds only the schedule, the command is cron.schedule()'s "
                                "next argument.");
        }
        return schedule;
    }

    if (looks_like_interval(trimmed, words.size())) {
        reject(trimmed,
               "Interval schedules such as '5 seconds' need pg_cron 1.5 or later; with pg_cron 1.4 write five "
               "fields, for example \"* * * * *\" to run every minute.");
    }
    if (words.size() < 5) reject(trimmed, kFiveFieldsHint);

    std::string reversed[5];
    for (int index = 0; index < 5; ++index) {
        const std::string_view word = words[static_cast<std::size_t>(index)];
        FieldParser parser(trimmed, word, kFields[index]);
        const std::vector<bool> values = parser.parse();
        reversed[index] = parser.reversed_range();
        const bool star = word.front() == '*';
        const int low = kFields[index].low;
        for (std::size_t offset = 0; offset < values.size(); ++offset) {
            if (!values[offset]) continue;
            const std::size_t value = offset + static_cast<std::size_t>(low);
            switch (kFields[index].kind) {
                case FieldKind::minute: schedule.minutes.set(value); break;
                case FieldKind::hour: schedule.hours.set(value); break;
                case FieldKind::day_of_month: schedule.days_of_month.set(value); break;
                case FieldKind::month: schedule.months.set(value); break;
                case FieldKind::day_of_week: schedule.days_of_week.set(value % 7); break;  // 7 is Sunday
            }
        }
        switch (kFields[index].kind) {
            case FieldKind::minute: schedule.minute_star = star; break;
            case FieldKind::hour: schedule.hour_star = star; break;
            case FieldKind::day_of_month: schedule.day_of_month_star = star; break;
            case FieldKind::month: break;  // vixie cron keeps no flag for months
            case FieldKind::day_of_week: schedule.day_of_week_star = star; break;
        }
    }
    if (words.size() > 5) {
        std::string rest(trimmed.substr(static_cast<std::size_t>(words[5].data() - trimmed.data())));
        reject(trimmed, "Remove " + quoted(rest) +
                            " after the fifth field: a pg_cron schedule holds only the five fields (pg_cron 1.4 "
                            "would silently ignore the rest), the command is cron.schedule()'s next argument.");
    }
    check_can_fire(schedule, reversed);
    return schedule;
}

namespace {

// Instants (UTC seconds) at which the schedule fires for one wall-clock time.
// At most two.
struct Firings {
    std::array<std::int64_t, 2> at{};
    int count = 0;
};

Firings firings_at(std::int64_t local_seconds, const ZoneRules &zone, bool fires_at_every_existing_time) {
    const LocalTimeResolution resolution = resolve_local_time(zone, local_seconds);
    Firings firings;
    switch (resolution.kind) {
        case LocalTimeResolution::Kind::unique:
            firings.at[firings.count++] = resolution.earliest_utc_seconds;
            break;
        case LocalTimeResolution::Kind::ambiguous:
            // Fixed-time jobs run at the first occurrence only (vixie cron
            // holds its virtual time while the clock repeats); wildcard jobs
            // run at both.
            firings.at[firings.count++] = resolution.earliest_utc_seconds;
            if (fires_at_every_existing_time) firings.at[firings.count++] = resolution.latest_utc_seconds;
            break;
        case LocalTimeResolution::Kind::skipped:
            // Fixed-time jobs whose minute was jumped over run when the clock
            // lands (vixie cron's "medium" jump); wildcard jobs do not.
            if (!fires_at_every_existing_time) firings.at[firings.count++] = resolution.gap_end_utc_seconds;
            break;
    }
    return firings;
}

// The smallest and largest UTC offset that instants showing a wall-clock time
// of this local day can carry (probing a day either side).
std::pair<std::int64_t, std::int64_t> offset_bounds(std::int64_t day, const ZoneRules &zone) {
    const std::int64_t start = day * kSecondsPerDay;
    std::int64_t low = std::numeric_limits<std::int64_t>::max();
    std::int64_t high = std::numeric_limits<std::int64_t>::min();
    for (std::int64_t probe : {start - kSecondsPerDay, start, start + kSecondsPerDay, start + 2 * kSecondsPerDay}) {
        const std::int64_t offset = zone.utc_offset_seconds(probe);
        low = std::min(low, offset);
        high = std::max(high, offset);
    }
    return {low, high};
}

std::vector<int> set_bits(const CronSchedule &schedule, bool hours) {
    std::vector<int> values;
    if (hours) {
        for (int hour = 0; hour < 24; ++hour) {
            if (schedule.hours.test(static_cast<std::size_t>(hour))) values.push_back(hour);
        }
    } else {
        for (int minute = 0; minute < 60; ++minute) {
            if (schedule.minutes.test(static_cast<std::size_t>(minute))) values.push_back(minute);
        }
    }
    return values;
}

bool wildcard_rule(const CronSchedule &schedule, CronClockRule rule) {
    return rule == CronClockRule::every_utc_minute || schedule.minute_star || schedule.hour_star;
}

std::optional<Micros> to_micros(std::int64_t seconds) {
    Micros result = 0;
    if (__builtin_mul_overflow(seconds, kMicrosPerSecond, &result)) return std::nullopt;
    return result;
}

// First day of the month after `date`'s month.
std::int64_t first_day_of_next_month(const CivilDate &date) {
    CivilDate next{date.year, date.month + 1, 1};
    if (next.month > 12) {
        next.month = 1;
        ++next.year;
    }
    return days_from_civil(next);
}

}  // namespace

std::optional<Micros> next_run(const CronSchedule &schedule, Micros after, const ZoneRules &zone) {
    return next_run(schedule, after, zone, CronClockRule::vixie);
}

std::optional<Micros> previous_run(const CronSchedule &schedule, Micros at, const ZoneRules &zone) {
    return previous_run(schedule, at, zone, CronClockRule::vixie);
}

std::optional<Micros> next_run(const CronSchedule &schedule, Micros after, const ZoneRules &zone,
                               CronClockRule rule) {
    if (!searchable(after)) return std::nullopt;
    const bool wildcard = wildcard_rule(schedule, rule);
    const std::vector<int> hours = set_bits(schedule, true);
    const std::vector<int> minutes = set_bits(schedule, false);
    // A firing u (whole seconds) is strictly after `after` iff u > after_seconds.
    const std::int64_t after_seconds = floor_div(after, kMicrosPerSecond);
    const std::int64_t first_day = floor_div(local_seconds_at(zone, after_seconds), kSecondsPerDay) - 2;
    const std::int64_t last_day = std::min(first_day + kHorizonDays + 4, kLastSearchedDay);

    std::optional<std::int64_t> best;
    for (std::int64_t day = first_day; day <= last_day;) {
        const CivilDate date = civil_from_days(day);
        if (!schedule.months.test(static_cast<std::size_t>(date.month))) {
            day = first_day_of_next_month(date);
            continue;
        }
        if (!schedule.fires_on(date)) {
            ++day;
            continue;
        }
        const auto [low_offset, high_offset] = offset_bounds(day, zone);
        const std::int64_t day_start = day * kSecondsPerDay;
        // Every instant of a wall time L lies in [L - high_offset, L - low_offset],
        // and the earliest instant of a wall time never decreases as L grows,
        // so once L - high_offset reaches the best firing nothing later beats it.
        if (best && day_start - high_offset >= *best) break;
        bool done = false;
        for (int hour : hours) {
            for (int minute : minutes) {
                const std::int64_t local = day_start + hour * 3600 + minute * 60;
                if (local - low_offset <= after_seconds) continue;
                if (best && local - high_offset >= *best) {
                    done = true;
                    break;
                }
                const Firings firings = firings_at(local, zone, wildcard);
                for (int i = 0; i < firings.count; ++i) {
                    const std::int64_t instant = firings.at[static_cast<std::size_t>(i)];
                    if (instant > after_seconds && (!best || instant < *best)) best = instant;
                }
            }
            if (done) break;
        }
        if (done) break;
        ++day;
    }
    if (!best) return std::nullopt;
    return to_micros(*best);
}

std::optional<Micros> previous_run(const CronSchedule &schedule, Micros at, const ZoneRules &zone,
                                   CronClockRule rule) {
    if (!searchable(at)) return std::nullopt;
    const bool wildcard = wildcard_rule(schedule, rule);
    std::vector<int> hours = set_bits(schedule, true);
    std::vector<int> minutes = set_bits(schedule, false);
    std::reverse(hours.begin(), hours.end());
    std::reverse(minutes.begin(), minutes.end());
    // A firing u (whole seconds) is at or before `at` iff u <= at_seconds.
    const std::int64_t at_seconds = floor_div(at, kMicrosPerSecond);
    const std::int64_t first_day = floor_div(local_seconds_at(zone, at_seconds), kSecondsPerDay) + 2;
    const std::int64_t last_day = std::max(first_day - kHorizonDays - 4, kFirstSearchedDay);

    std::optional<std::int64_t> best;
    for (std::int64_t day = first_day; day >= last_day;) {
        const CivilDate date = civil_from_days(day);
        if (!schedule.months.test(static_cast<std::size_t>(date.month))) {
            day = days_from_civil(CivilDate{date.year, date.month, 1}) - 1;
            continue;
        }
        if (!schedule.fires_on(date)) {
            --day;
            continue;
        }
        const auto [low_offset, high_offset] = offset_bounds(day, zone);
        const std::int64_t day_start = day * kSecondsPerDay;
        // Mirror of next_run: the latest instant of a wall time L is at most
        // L - low_offset and never decreases as L grows.
        if (best && day_start + kSecondsPerDay - 1 - low_offset <= *best) break;
        bool done = false;
        for (int hour : hours) {
            for (int minute : minutes) {
                const std::int64_t local = day_start + hour * 3600 + minute * 60;
                if (local - high_offset > at_seconds) continue;
                if (best && local - low_offset <= *best) {
                    done = true;
                    break;
                }
                const Firings firings = firings_at(local, zone, wildcard);
                for (int i = 0; i < firings.count; ++i) {
                    const std::int64_t instant = firings.at[static_cast<std::size_t>(i)];
                    if (instant <= at_seconds && (!best || instant > *best)) best = instant;
                }
            }
            if (done) break;
        }
        if (done) break;
        --day;
    }
    if (!best) return std::nullopt;
    return to_micros(*best);
}

}  // namespace fitbot::core
