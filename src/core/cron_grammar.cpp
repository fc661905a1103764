// pg_cron's schedule grammar, per release (PgCronRules), as a port of its
// parser: src/entry.c (parse_cron_entry, get_list, get_range, get_number,
// set_range), src/misc.c (get_char: the in-memory "file" yields '\0' once at
// the end, then EOF; skip_comments) and src/job_metadata.c (ParseSchedule,
// TryParseInterval). The port reproduces what pg_cron makes of a schedule,
// junk included; the strict reading refuses that junk with a hint instead.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "cron.h"

namespace fitbot::core {

namespace {

constexpr int kEof = -1;
// pg_cron: MAX_FILE_BUFFER_LENGTH (the whole schedule) and MAX_TEMPSTR (one
// number or name).
constexpr std::size_t kPgCronMaxText = 1000;
constexpr int kPgCronMaxWord = 1000;

const char *const kFiveFieldsHint =
    "A schedule has five fields: minute hour day-of-month month day-of-week, for example \"0 2 20 * *\".";

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

bool at_least(PgCronRules rules, PgCronRules since) { return static_cast<int>(rules) >= static_cast<int>(since); }
bool is_1_6(PgCronRules rules) { return at_least(rules, PgCronRules::v1_6_0); }

bool is_blank(int ch) { return ch == ' ' || ch == '\t'; }
bool is_digit(int ch) { return ch >= '0' && ch <= '9'; }
bool is_alpha(int ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'); }
bool is_alnum(int ch) { return is_digit(ch) || is_alpha(ch); }  // C locale; bytes >= 0x80 are not
bool is_c_space(int ch) { return ch == ' ' || (ch >= '\t' && ch <= '\r'); }
char lower(char ch) { return (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch; }

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

enum class FieldKind { minute, hour, day_of_month, month, day_of_week };

struct FieldSpec {
    FieldKind kind;
    const char *name;  // as used in hints
    int low;
    int high;
    const char *range_hint;
    const char *const *names;  // pg_cron's MonthNames/DowNames; nullptr if none
    int name_count;
};

const char *const kMonthNames[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
// pg_cron's DowNames also lists "Sun" as 7, but the first match (0) wins.
const char *const kDayNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

const FieldSpec kFields[5] = {
    {FieldKind::minute, "minute", 0, 59, "Minutes must be between 0 and 59.", nullptr, 0},
    {FieldKind::hour, "hour", 0, 23, "Hours must be between 0 and 23.", nullptr, 0},
    {FieldKind::day_of_month, "day-of-month", 1, 31, "Days of the month must be between 1 and 31.", nullptr, 0},
    {FieldKind::month, "month", 1, 12, "Months must be between 1 and 12, or names jan to dec.", kMonthNames, 12},
    {FieldKind::day_of_week, "day-of-week", 0, 7,
     "Days of the week must be between 0 and 7 (0 and 7 both mean Sunday), or names sun to sat.", kDayNames, 7},
};

// glibc's atoi: strtol (saturating at LONG_MAX), then truncated to int, so
// "4294967296" is 0 and "99999999999999999999" is -1.
int pg_cron_atoi(std::string_view digits) {
    std::uint64_t value = 0;
    for (char digit : digits) {
        const std::uint64_t next = value * 10 + static_cast<std::uint64_t>(digit - '0');
        if (value > (static_cast<std::uint64_t>(INT64_MAX) - 9) / 10 || next > static_cast<std::uint64_t>(INT64_MAX)) {
            value = static_cast<std::uint64_t>(INT64_MAX);
            break;
        }
        value = next;
    }
    return static_cast<int>(static_cast<std::uint32_t>(value));
}

// One parse of one schedule under one set of rules.
class Reader {
public:
    Reader(std::string_view text, PgCronRules rules, bool strict) : text_(text), rules_(rules), strict_(strict) {}

    // parse_cron_entry: true and `schedule` filled when pg_cron accepts the
    // text as a cron entry; false (with failure_hint()) when it does not.
    bool parse_entry(CronSchedule &schedule);

    const std::string &failure_hint() const { return hint_; }

private:
    // misc.c get_char: the text, then '\0' once, then EOF.
    int get() {
        if (!pushed_back_.empty()) {
            const int ch = pushed_back_.back();
            pushed_back_.pop_back();
            return ch;
        }
        if (position_ < text_.size()) return static_cast<unsigned char>(text_[position_++]);
        if (position_ == text_.size()) {
            ++position_;
            return '\0';
        }
        return kEof;
    }
    void unget(int ch) { pushed_back_.push_back(ch); }

    // A failure pg_cron shares: the entry is refused.
    bool fail(std::string hint) {
        if (hint_.empty()) hint_ = std::move(hint);
        return false;
    }
    // Something pg_cron accepts but strict reading refuses.
    bool refuse_in_strict(std::string hint) {
        if (!strict_) return true;
        return fail(std::move(hint));
    }

    std::string field_text(const FieldSpec &spec) const {
        std::size_t end = field_start_;
        while (end < text_.size() && !is_blank(text_[end])) ++end;
        (void)spec;
        return std::string(text_.substr(field_start_, end - field_start_));
    }

    bool unexpected(int ch, const FieldSpec &spec) {
        if (ch == '\0' || ch == kEof) {
            if (field_started_at_end_) return fail(kFiveFieldsHint);
            return fail("The " + std::string(spec.name) + " field " + quoted(field_text(spec)) +
                        " ends too early: write a number, a name, * or a range after each \",\", \"-\" and \"/\".");
        }
        if (is_blank(ch)) {
            return fail("The " + std::string(spec.name) + " field " + quoted(field_text(spec)) +
                        " ends too early: write a number, a name, * or a range after each \",\", \"-\" and \"/\".");
        }
        const char shown[2] = {static_cast<char>(ch), '\0'};
        return fail(
            "The " + std::string(spec.name) + " field " + quoted(field_text(spec)) + " contains " + quoted(shown) +
            ", which is not allowed: a field is a list (a,b) of numbers, *, ranges a-b and steps */n or a-b/n.");
    }

    bool get_number(int &number, int low, bool is_step, int &ch, const FieldSpec &spec);
    bool get_range(std::bitset<64> &bits, const FieldSpec &spec, int &ch);
    bool get_list(std::bitset<64> &bits, const FieldSpec &spec, int &ch);
    bool set_range(std::bitset<64> &bits, const FieldSpec &spec, int start, int stop, int step);
    void skip_comments();

    std::string_view text_;
    PgCronRules rules_;
    bool strict_;
    std::size_t position_ = 0;
    std::vector<int> pushed_back_;
    std::string hint_;
    std::size_t field_start_ = 0;
    bool field_started_at_end_ = false;
};

// misc.c skip_comments: blank lines and lines starting with '#' are skipped.
void Reader::skip_comments() {
    int ch;
    while ((ch = get()) != kEof) {
        while (is_blank(ch)) ch = get();
        if (ch == kEof) break;
        if (ch != '\n' && ch != '#') break;
        while (ch != '\n' && ch != kEof) ch = get();
    }
    if (ch != kEof) unget(ch);
}

// entry.c get_number: an alphanumeric run that is one of the field's names
// (case-insensitive) or all digits (then atoi). `ch` is the current
// character on entry and the one after the run on success.
bool Reader::get_number(int &number, int low, bool is_step, int &ch, const FieldSpec &spec) {
    // Steps are read without the names (pg_cron passes PPC_NULL).
    const FieldSpec *names_of = is_step || spec.names == nullptr ? nullptr : &spec;
    std::string word;
    while (is_alnum(ch)) {
        if (static_cast<int>(word.size()) + 1 >= kPgCronMaxWord) return fail(spec.range_hint);
        word.push_back(static_cast<char>(ch));
        ch = get();
    }
    if (word.empty()) return unexpected(ch, spec);
    if (names_of != nullptr) {
        for (int i = 0; i < names_of->name_count; ++i) {
            if (equals_ignoring_case(word, names_of->names[i])) {
                number = i + low;
                return true;
            }
        }
    }
    if (!std::all_of(word.begin(), word.end(), [](char c) { return is_digit(c); })) {
        if (is_step) return fail("A step must be a whole number of at least 1, as in */15.");
        if (spec.names != nullptr) return fail(spec.range_hint);
        return fail("The " + std::string(spec.name) + " field " + quoted(field_text(spec)) + " contains " +
                    quoted(word) +
                    ": names are allowed only in the month (jan to dec) and day-of-week (sun to sat) fields.");
    }
    if (strict_ && word.size() > 7) return fail(spec.range_hint);
    number = pg_cron_atoi(word);
    return true;
}

// Setting values start..stop with a step, as each release does it.
bool Reader::set_range(std::bitset<64> &bits, const FieldSpec &spec, int start, int stop, int step) {
    if (!is_1_6(rules_)) {
        // 1.4/1.5: for (i = num1; i <= num2; i += num3) set_element(), which
        // refuses a value outside the field: only reachable when i + step
        // overflows int and wraps negative.
        for (std::int64_t i = start; i <= stop;) {
            if (i < spec.low || i > spec.high) return fail(spec.range_hint);
            bits.set(static_cast<std::size_t>(i - spec.low));
            i = static_cast<std::int32_t>(static_cast<std::uint32_t>(i) + static_cast<std::uint32_t>(step));
        }
        return true;
    }
    // 1.6: set_range(). A step of 1 uses bitstring.h's bit_nset(start, stop),
    // which works on bytes: with start > stop it sets start..the end of
    // start's byte and the beginning of stop's byte..stop, nothing when both
    // lie in one byte. So "22-2" in hours is 22,23,0,1,2, "20-9" is
    // 20..23,8,9, and "5-1" in day-of-week is nothing: a partial wrap-around.
    const int first = start - spec.low;
    const int last = stop - spec.low;
    if (step == 1) {
        const int first_byte = first / 8;
        const int last_byte = last / 8;
        if (first <= last) {
            for (int i = first; i <= last; ++i) bits.set(static_cast<std::size_t>(i));
        } else if (first_byte != last_byte) {
            for (int i = first; i < (first_byte + 1) * 8; ++i) bits.set(static_cast<std::size_t>(i));
            for (int i = last_byte * 8; i <= last; ++i) bits.set(static_cast<std::size_t>(i));
        }
        return true;
    }
    // for (i = start; i <= stop; i += step): i + step cannot wrap for the
    // steps 1.6.5 lets through; for larger ones (1.6.0-1.6.4) the loop is
    // taken to end there.
    for (std::int64_t i = first; i <= last; i += step) bits.set(static_cast<std::size_t>(i));
    return true;
}

// entry.c get_range: "*" ["/" step] | value ["-" value ["/" step]].
bool Reader::get_range(std::bitset<64> &bits, const FieldSpec &spec, int &ch) {
    const std::size_t range_start = position_ - 1;
    int first = spec.low;
    int last = spec.high;
    if (ch == '*') {
        ch = get();
    } else {
        if (!get_number(first, spec.low, false, ch, spec)) return false;
        if (ch != '-') {
            if (ch == '/') {
                std::size_t end = position_;
                while (end < text_.size() && is_digit(text_[end])) ++end;
                std::string step(text_.substr(position_, end - position_));
                if (step.empty()) step = "n";
                return fail("A step needs a range: write */" + step + " or " + std::to_string(first) + "-" +
                            std::to_string(spec.high) + "/" + step + " instead of " +
                            std::string(text_.substr(range_start, position_ - range_start)) + step +
                            " (pg_cron does not accept a/n).");
            }
            if (first < spec.low || first > spec.high) return fail(spec.range_hint);
            bits.set(static_cast<std::size_t>(first - spec.low));
            return true;
        }
        ch = get();
        if (!get_number(last, spec.low, false, ch, spec)) return false;
    }
    int step = 1;
    if (ch == '/') {
        ch = get();
        if (!get_number(step, 0, true, ch, spec)) return false;
        if (step <= 0) return fail("A step must be a whole number of at least 1, as in */15.");
    }
    if (first < spec.low || first > spec.high || last < spec.low || last > spec.high) return fail(spec.range_hint);
    if (step > spec.high) {
        const std::string hint = "The step /" + std::to_string(step) + " in the " + spec.name +
                                 " field is larger than the field's highest value (" + std::to_string(spec.high) +
                                 "): pg_cron up to 1.6.4 fires it once, at the range's start, and pg_cron 1.6.5 "
                                 "refuses it. Write the single value instead.";
        if (at_least(rules_, PgCronRules::v1_6_5)) return fail(hint);
        if (!refuse_in_strict(hint)) return false;
    }
    if (first > last) {
        const std::string range(text_.substr(range_start, position_ - range_start - (ch == kEof ? 0 : 1)));
        std::string hint = "The range " + range + " in the " + spec.name +
                           " field is reversed: pg_cron 1.4 and 1.5 select nothing for it and 1.6 wraps it around "
                           "only partly; write the low bound first or split it into two ranges, as in 22-23,0-2";
        if (spec.kind == FieldKind::day_of_week) hint += " (a range ending on Sunday ends with 7, as in 5-7)";
        if (!refuse_in_strict(hint + ".")) return false;
    }
    return set_range(bits, spec, first, last, step);
}

// entry.c get_list: ranges separated by ","; then pg_cron skips whatever
// non-blank text follows (Skip_Nonblanks) and the blanks after it.
bool Reader::get_list(std::bitset<64> &bits, const FieldSpec &spec, int &ch) {
    for (;;) {
        if (!get_range(bits, spec, ch)) return false;
        if (ch != ',') break;
        ch = get();
    }
    if (ch != ' ' && ch != '\t' && ch != '\n' && ch != kEof && ch != '\0') {
        const char shown[2] = {static_cast<char>(ch), '\0'};
        if (!refuse_in_strict("The " + std::string(spec.name) + " field " + quoted(field_text(spec)) + " contains " +
                              quoted(shown) +
                              " after its value, which pg_cron silently ignores; remove it (a field is a list "
                              "(a,b) of numbers, *, ranges a-b and steps */n or a-b/n).")) {
            return false;
        }
        while (ch != ' ' && ch != '\t' && ch != '\n' && ch != kEof && ch != '\0') ch = get();
    }
    while (is_blank(ch)) ch = get();
    return true;
}

template <std::size_t N>
void copy_bits(const std::bitset<64> &from, int low, int count, std::bitset<N> &to) {
    for (int offset = 0; offset < count; ++offset) {
        if (from.test(static_cast<std::size_t>(offset))) to.set(static_cast<std::size_t>(offset + low));
    }
}

template <std::size_t N>
void set_all(std::bitset<N> &bits, std::size_t first, std::size_t last) {
    for (std::size_t i = first; i <= last; ++i) bits.set(i);
}

// The @ shorthands with exactly the bits and flags each release gives them.
bool apply_shorthand(std::string_view keyword, PgCronRules rules, CronSchedule &schedule) {
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
        // 1.6: set_element(e->month, FIRST_MONTH, LAST_MONTH, FIRST_MINUTE)
        // asks for month 0, which set_element refuses: no month is set.
        if (!is_1_6(rules)) schedule.months.set(1);
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
        if (is_1_6(rules)) {
            schedule.day_of_week_star = true;
        } else {
            schedule.day_of_month_star = true;
        }
        schedule.days_of_week.reset();
        schedule.days_of_week.set(0);
    } else if (keyword == "daily" || keyword == "midnight") {
        // No star flag: day-of-month and day-of-week are both full, so their
        // OR matches every day.
        schedule.hours.reset();
        schedule.hours.set(0);
    } else if (keyword == "hourly") {
        schedule.hour_star = true;
    } else {
        return false;
    }
    return true;
}

bool Reader::parse_entry(CronSchedule &schedule) {
    if (text_.size() >= kPgCronMaxText) return fail("pg_cron refuses schedules of 1000 characters or more.");
    skip_comments();
    int ch = get();
    if (ch == kEof) return fail(kFiveFieldsHint);
    if (ch == '@') {
        // get_string(cmd, MAX_COMMAND, file, " \t\n"): the word up to a blank,
        // a newline or the end; whatever follows is ignored.
        std::string keyword;
        while ((ch = get()) != kEof && ch != ' ' && ch != '\t' && ch != '\n' && ch != '\0') {
            keyword.push_back(static_cast<char>(ch));
        }
        if (keyword == "reboot" || keyword == "restart") {
            schedule.kind = CronScheduleKind::at_server_start;
        } else if (!apply_shorthand(keyword, rules_, schedule)) {
            return fail(
                "Use one of @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly (in lower "
                "case), or five fields such as \"0 2 20 * *\".");
        }
        while (is_blank(ch)) ch = get();
        if (ch != '\0' && ch != kEof) {
            if (!refuse_in_strict("Remove the text after @" + keyword +
                                  ": pg_cron ignores it; a schedule holds only the schedule, the command is "
                                  "cron.schedule()'s next argument.")) {
                return false;
            }
        }
        return true;
    }

    for (int index = 0; index < 5; ++index) {
        const FieldSpec &spec = kFields[index];
        field_start_ = position_ == 0 ? 0 : position_ - 1;
        field_started_at_end_ = ch == '\0' || ch == kEof;
        const bool star = ch == '*';
        std::bitset<64> bits;
        if (spec.kind == FieldKind::day_of_month && ch == '$' && is_1_6(rules_)) {
            // "$" must be followed by a blank: the whole field, no list.
            ch = get();
            if (!is_blank(ch)) {
                return fail(
                    "\"$\" (the last day of the month) must be the whole day-of-month field, followed by "
                    "the month and day-of-week fields, as in \"0 2 $ * *\".");
            }
            while (is_blank(ch)) ch = get();
            schedule.last_day_of_month = true;
        } else {
            if (spec.kind == FieldKind::day_of_month && ch == '$') {
                return fail("\"$\" (the last day of the month) needs pg_cron 1.6 or later; " +
                            pg_cron_rules_name(rules_) + " refuses it.");
            }
            if (!get_list(bits, spec, ch)) return false;
        }
        switch (spec.kind) {
            case FieldKind::minute:
                copy_bits(bits, 0, 60, schedule.minutes);
                schedule.minute_star = star;
                break;
            case FieldKind::hour:
                copy_bits(bits, 0, 24, schedule.hours);
                schedule.hour_star = star;
                break;
            case FieldKind::day_of_month:
                copy_bits(bits, 1, 31, schedule.days_of_month);
                schedule.day_of_month_star = star;
                break;
            case FieldKind::month:
                copy_bits(bits, 1, 12, schedule.months);
                break;
            case FieldKind::day_of_week: {
                std::bitset<8> week;
                copy_bits(bits, 0, 8, week);
                for (std::size_t day = 0; day < 8; ++day) {
                    if (week.test(day)) schedule.days_of_week.set(day % 7);  // 7 is Sunday
                }
                schedule.day_of_week_star = star;
                break;
            }
        }
        if (ch == kEof) return fail(kFiveFieldsHint);
    }
    if (ch != '\0') {
        const std::string rest(text_.substr(position_ - 1));
        if (!refuse_in_strict("Remove " + quoted(rest) +
                              " after the fifth field: pg_cron ignores it; a schedule holds only the five fields, "
                              "the command is cron.schedule()'s next argument.")) {
            return false;
        }
    }
    return true;
}

// TryParseInterval: sscanf(lower(text), " %u secon%c%c %c") from 1.5.1,
// " %u second%c %c" in 1.5.0. A %u reads an optional sign and digits into an
// unsigned int (strtoul, truncated); sscanf returns how many conversions it
// made before the input or a literal stopped matching.
struct IntervalScan {
    int conversions = 0;
    std::uint32_t value = 0;
    char unit_last = '\0';  // 1.5.1+: the character after "secon"
    char plural = '\0';
};

IntervalScan scan_interval(std::string_view text, bool release_1_5_0) {
    std::string lowered(text);
    for (char &c : lowered) c = lower(c);
    IntervalScan scan;
    std::size_t i = 0;
    auto skip_space = [&] {
        while (i < lowered.size() && is_c_space(static_cast<unsigned char>(lowered[i]))) ++i;
    };
    skip_space();
    bool negative = false;
    if (i < lowered.size() && (lowered[i] == '+' || lowered[i] == '-')) negative = lowered[i++] == '-';
    if (i >= lowered.size() || !is_digit(lowered[i])) return scan;
    std::uint64_t value = 0;
    bool overflow = false;
    while (i < lowered.size() && is_digit(lowered[i])) {
        const std::uint64_t digit = static_cast<std::uint64_t>(lowered[i] - '0');
        if (value > (UINT64_MAX - digit) / 10) overflow = true;
        value = value * 10 + digit;
        ++i;
    }
    if (overflow) value = UINT64_MAX;
    if (negative && !overflow) value = 0 - value;
    scan.value = static_cast<std::uint32_t>(value);
    scan.conversions = 1;
    skip_space();
    const std::string_view literal = release_1_5_0 ? "second" : "secon";
    for (char expected : literal) {
        if (i >= lowered.size() || lowered[i] != expected) return scan;
        ++i;
    }
    if (!release_1_5_0) {
        if (i >= lowered.size()) return scan;
        scan.unit_last = lowered[i++];
        scan.conversions = 2;
    }
    if (i >= lowered.size()) return scan;
    scan.plural = lowered[i++];
    ++scan.conversions;
    skip_space();
    if (i < lowered.size()) ++scan.conversions;  // the trailing %c
    return scan;
}

// The interval TryParseInterval accepts, or 0.
int pg_cron_interval(std::string_view text, PgCronRules rules) {
    if (!at_least(rules, PgCronRules::v1_5_0)) return 0;
    const bool release_1_5_0 = rules == PgCronRules::v1_5_0;
    const IntervalScan scan = scan_interval(text, release_1_5_0);
    const bool in_range = scan.value > 0 && scan.value < 60;
    if (release_1_5_0) {
        if (scan.conversions == 1 || (scan.conversions == 2 && scan.plural == 's'))
            return in_range ? static_cast<int>(scan.value) : 0;
        return 0;
    }
    if (scan.unit_last != 'd') return 0;
    if (scan.conversions == 2 || (scan.conversions == 3 && scan.plural == 's'))
        return in_range ? static_cast<int>(scan.value) : 0;
    return 0;
}

// The strict form of an interval: digits, "second" or "seconds", blanks.
bool plain_interval(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size() && is_blank(text[i])) ++i;
    const std::size_t digits = i;
    while (i < text.size() && is_digit(text[i])) ++i;
    if (i == digits) return false;
    while (i < text.size() && is_blank(text[i])) ++i;
    std::size_t end = text.size();
    while (end > i && is_blank(text[end - 1])) --end;
    const std::string_view unit = text.substr(i, end - i);
    return equals_ignoring_case(unit, "seconds") || equals_ignoring_case(unit, "second");
}

// "5 seconds", "10seconds", "five seconds": one or two words ending in
// "second(s)", worth a hint about intervals rather than about five fields.
bool looks_like_interval(std::string_view text) {
    std::size_t words = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (!is_blank(text[i]) && (i == 0 || is_blank(text[i - 1]))) ++words;
    }
    if (words > 2) return false;
    std::size_t end = text.size();
    while (end > 0 && is_blank(text[end - 1])) --end;
    for (std::string_view unit : {std::string_view("seconds"), std::string_view("second")}) {
        if (end > unit.size() && equals_ignoring_case(text.substr(end - unit.size(), unit.size()), unit)) return true;
    }
    return false;
}

int max_days_in_month(int month) { return month == 2 ? 29 : days_in_month(2001, month); }

bool some_month_has_a_chosen_day(const CronSchedule &schedule) {
    for (int month = 1; month <= 12; ++month) {
        if (!schedule.months.test(static_cast<std::size_t>(month))) continue;
        if (schedule.last_day_of_month) return true;
        for (int day = 1; day <= max_days_in_month(month); ++day) {
            if (schedule.days_of_month.test(static_cast<std::size_t>(day))) return true;
        }
    }
    return false;
}

// Why a calendar schedule can never fire, or empty.
std::string why_never_fires(const CronSchedule &schedule) {
    auto empty_field = [](const char *name) { return "Its " + std::string(name) + " field selects no value."; };
    if (schedule.minutes.none()) return empty_field("minute");
    if (schedule.hours.none()) return empty_field("hour");
    if (schedule.months.none()) return empty_field("month");
    const bool dates_exist = some_month_has_a_chosen_day(schedule);
    const bool weekdays_chosen = schedule.days_of_week.any();
    if (schedule.day_of_month_star || schedule.day_of_week_star) {
        if (!weekdays_chosen) return empty_field("day-of-week");
        if (!dates_exist) {
            if (schedule.days_of_month.none() && !schedule.last_day_of_month) return empty_field("day-of-month");
            return "None of the chosen months has any of the chosen days of the month (February has at most 29 "
                   "days; April, June, September and November have 30); choose days that exist, for example "
                   "\"0 0 28 2 *\".";
        }
    } else if (!dates_exist && !weekdays_chosen) {
        return "Neither its day-of-month nor its day-of-week field selects a day that exists.";
    }
    return {};
}

[[noreturn]] void refuse(std::string_view text, PgCronRules rules, CronReading reading, std::string hint) {
    if (reading == CronReading::as_pg_cron_runs) {
        throw CronError(pg_cron_rules_name(rules) + " refuses the schedule " + quoted(text), std::move(hint));
    }
    throw CronError("invalid cron schedule " + quoted(text), std::move(hint));
}

std::string trimmed(std::string_view text) {
    std::size_t begin = 0;
    std::size_t end = text.size();
    while (begin < end && is_blank(text[begin])) ++begin;
    while (end > begin && is_blank(text[end - 1])) --end;
    return std::string(text.substr(begin, end - begin));
}

void strict_prechecks(std::string_view text) {
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
                            "* , - / @ $, for example \"0 2 20 * *\".");
        }
    }
    if (trimmed(text).empty()) throw CronError("cron schedule is empty", kFiveFieldsHint);
}

// What a strict reading refuses among schedules pg_cron takes.
void strict_postchecks(const CronSchedule &schedule) {
    switch (schedule.kind) {
        case CronScheduleKind::at_server_start:
            throw CronError("cron schedule " + quoted(schedule.text) + " has no next run",
                            "A job scheduled with " + schedule.text.substr(0, schedule.text.find_first_of(" \t")) +
                                " runs only when the database server starts, so it has no next run to report; "
                                "use five fields such as \"0 2 20 * *\".");
        case CronScheduleKind::never_fires:
            throw CronError("cron schedule " + quoted(schedule.text) + " never fires", schedule.never_reason);
        case CronScheduleKind::interval:
        case CronScheduleKind::calendar:
            break;
    }
}

}  // namespace

CronSchedule parse_cron(std::string_view text, PgCronRules rules, CronReading reading) {
    const bool strict = reading == CronReading::strict;
    if (strict) strict_prechecks(text);
    CronSchedule schedule;
    schedule.rules = rules;
    schedule.text = trimmed(text);

    // 1.5.0 tried the interval first, with a scan that stops at the number.
    if (rules == PgCronRules::v1_5_0) {
        if (const int seconds = pg_cron_interval(text, rules); seconds > 0) {
            if (strict && !plain_interval(text)) {
                refuse(schedule.text, rules, reading,
                       "pg_cron 1.5.0 reads a schedule that starts with a number from 1 to 59 as an interval "
                       "of that many seconds (this one as every " +
                           std::to_string(seconds) +
                           " seconds); upgrade pg_cron to 1.5.1 or later, or write the minute field as a list or "
                           "range such as 0,30.");
            }
            schedule.kind = CronScheduleKind::interval;
            schedule.interval_seconds = seconds;
            return schedule;
        }
    }

    Reader reader(text, rules, strict);
    CronSchedule entry = schedule;
    if (!reader.parse_entry(entry)) {
        // 1.5.1 and later try "N seconds" when the five fields fail.
        if (rules != PgCronRules::v1_5_0) {
            if (const int seconds = pg_cron_interval(text, rules); seconds > 0) {
                if (strict && !plain_interval(text)) {
                    refuse(schedule.text, rules, reading,
                           "Write an interval as a number from 1 to 59 followed by \"seconds\", as in '30 "
                           "seconds'.");
                }
                schedule.kind = CronScheduleKind::interval;
                schedule.interval_seconds = seconds;
                return schedule;
            }
        }
        if (looks_like_interval(text)) {
            if (!at_least(rules, PgCronRules::v1_5_0)) {
                refuse(schedule.text, rules, reading,
                       "Interval schedules such as '5 seconds' need pg_cron 1.5 or later; with pg_cron 1.4 write "
                       "five fields, for example \"* * * * *\" to run every minute.");
            }
            refuse(schedule.text, rules, reading,
                   "An interval is a number from 1 to 59 followed by \"seconds\", as in '30 seconds'; for "
                   "longer intervals write five fields, for example \"*/5 * * * *\".");
        }
        refuse(schedule.text, rules, reading, reader.failure_hint());
    }
    schedule = std::move(entry);

    if (schedule.kind == CronScheduleKind::calendar) {
        if (is_1_6(rules) && schedule.months.none() && schedule.text.rfind("@", 0) == 0) {
            schedule.kind = CronScheduleKind::never_fires;
            schedule.never_reason = pg_cron_rules_name(rules) +
                                    " never runs @yearly or @annually: it leaves their month unset "
                                    "(src/entry.c asks set_element for month 0); write \"0 0 1 1 *\" instead.";
        } else if (std::string why = why_never_fires(schedule); !why.empty()) {
            schedule.kind = CronScheduleKind::never_fires;
            schedule.never_reason = std::move(why);
        }
    }
    if (rules == PgCronRules::v1_6_0 && schedule.last_day_of_month) {
        // 1.6.0-1.6.1 read the "is tomorrow the 1st" test from the same
        // shifted instant as every other field: "$" matches when the
        // shifted date is the 1st, i.e. day 1 of the day-early schedule.
        schedule.last_day_of_month = false;
        schedule.days_of_month.set(1);
    }
    schedule.fires_a_day_early = rules == PgCronRules::v1_6_0;
    if (strict) strict_postchecks(schedule);
    return schedule;
}

CronSchedule parse_cron(std::string_view text) { return parse_cron(text, kNewestPgCronRules, CronReading::strict); }

}  // namespace fitbot::core
