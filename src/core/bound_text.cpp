#include "bound_text.h"

#include <stdexcept>
#include <string>

namespace fitbot::core {

namespace {

[[noreturn]] void reject(std::string_view expression, const char *why) {
    std::string shown(expression.substr(0, 120));
    throw std::invalid_argument(std::string("cannot decode partition bound \"") + shown + "\": " + why);
}

// A cursor over the expression with the few token readers the grammar needs.
class Reader {
public:
    explicit Reader(std::string_view text) : text_(text) {}

    bool consume(std::string_view word) {
        if (text_.substr(position_, word.size()) != word) return false;
        position_ += word.size();
        return true;
    }
    bool at_end() const { return position_ == text_.size(); }
    bool peek(char c) const { return position_ < text_.size() && text_[position_] == c; }

    // Digits [min_digits, max_digits] as a number, or nullopt.
    std::optional<std::int64_t> number(std::size_t min_digits, std::size_t max_digits) {
        std::size_t start = position_;
        std::int64_t value = 0;
        while (position_ < text_.size() && position_ - start < max_digits && text_[position_] >= '0' &&
               text_[position_] <= '9') {
            value = value * 10 + (text_[position_] - '0');
            ++position_;
        }
        if (position_ - start < min_digits) {
            position_ = start;
            return std::nullopt;
        }
        return value;
    }

    // The contents of a single-quoted SQL literal ('' is a quote).
    std::optional<std::string> quoted() {
        if (!consume("'")) return std::nullopt;
        std::string value;
        while (position_ < text_.size()) {
            char c = text_[position_++];
            if (c != '\'') {
                value.push_back(c);
            } else if (peek('\'')) {
                value.push_back('\'');
                ++position_;
            } else {
                return value;
            }
        }
        return std::nullopt;  // unterminated
    }

private:
    std::string_view text_;
    std::size_t position_ = 0;
};

constexpr std::int64_t kMaxBoundYear = 100000;

struct Literal {
    bool infinite = false;
    bool negative_infinity = false;
    Micros value = 0;
};

// 'YYYY-MM-DD[ HH:MM:SS[.ffffff]][+HH[:MM[:SS]]]', 'infinity', '-infinity'.
std::optional<Literal> timestamp_literal(const std::string &text, const ZoneRules &zone) {
    if (text == "infinity") return Literal{true, false, 0};
    if (text == "-infinity") return Literal{true, true, 0};
    Reader reader(text);
    auto year = reader.number(4, 6);
    if (!year || !reader.consume("-")) return std::nullopt;
    auto month = reader.number(2, 2);
    if (!month || !reader.consume("-")) return std::nullopt;
    auto day = reader.number(2, 2);
    if (!day) return std::nullopt;
    if (*month < 1 || *month > 12 || *day < 1 || *day > days_in_month(int(*year), int(*month))) return std::nullopt;
    // PostgreSQL accepts years up to 294276, which no longer fits in
    // microseconds since 1970 everywhere; bounds that far out are nonsense.
    if (*year > kMaxBoundYear) return std::nullopt;

    std::int64_t seconds_of_day = 0;
    std::int64_t fraction_micros = 0;
    if (reader.consume(" ")) {
        auto hour = reader.number(2, 2);
        if (!hour || !reader.consume(":")) return std::nullopt;
        auto minute = reader.number(2, 2);
        if (!minute || !reader.consume(":")) return std::nullopt;
        auto second = reader.number(2, 2);
        if (!second || *hour > 24 || *minute > 59 || *second > 60) return std::nullopt;
        if (*hour == 24 && (*minute != 0 || *second != 0)) return std::nullopt;
        seconds_of_day = *hour * 3600 + *minute * 60 + *second;
        if (reader.consume(".")) {
            std::int64_t scale = 100000;
            auto digit = reader.number(1, 1);
            if (!digit) return std::nullopt;
            while (digit) {
                if (scale == 0) return std::nullopt;  // more than microseconds
                fraction_micros += *digit * scale;
                scale /= 10;
                digit = reader.number(1, 1);
            }
        }
    }

    std::optional<std::int64_t> offset_seconds;
    if (reader.peek('+') || reader.peek('-')) {
        int sign = reader.consume("-") ? -1 : (reader.consume("+"), 1);
        auto hours = reader.number(2, 2);
        if (!hours || *hours > 15) return std::nullopt;
        std::int64_t offset = *hours * 3600;
        if (reader.consume(":")) {
            auto minutes = reader.number(2, 2);
            if (!minutes || *minutes > 59) return std::nullopt;
            offset += *minutes * 60;
            if (reader.consume(":")) {
                auto seconds = reader.number(2, 2);
                if (!seconds || *seconds > 59) return std::nullopt;
                offset += *seconds;
            }
        }
        offset_seconds = sign * offset;
    }
    if (!reader.at_end()) return std::nullopt;

    std::int64_t local_seconds =
        days_from_civil(CivilDate{int(*year), int(*month), int(*day)}) * 86400 + seconds_of_day;
    std::int64_t utc_seconds = offset_seconds ? local_seconds - *offset_seconds
                                              : postgres_utc_from_local(zone, local_seconds);
    return Literal{false, false, utc_seconds * kMicrosPerSecond + fraction_micros};
}

// MINVALUE, MAXVALUE or a literal; returns the instant or nullopt (unbounded).
std::optional<Micros> bound_value(Reader &reader, std::string_view expression, const ZoneRules &zone,
                                  bool is_start) {
    if (reader.consume("MINVALUE")) {
        if (!is_start) reject(expression, "MINVALUE as an upper bound");
        return std::nullopt;
    }
    if (reader.consume("MAXVALUE")) {
        if (is_start) reject(expression, "MAXVALUE as a lower bound");
        return std::nullopt;
    }
    std::optional<std::string> text = reader.quoted();
    if (!text) reject(expression, "expected a quoted literal, MINVALUE or MAXVALUE");
    std::optional<Literal> literal = timestamp_literal(*text, zone);
    if (!literal) reject(expression, "not a date or timestamp in DateStyle ISO");
    if (literal->infinite) return std::nullopt;
    return literal->value;
}

}  // namespace

DecodedRangeBound decode_range_bound(std::string_view expression, const ZoneRules &zone) {
    DecodedRangeBound bound;
    if (expression == "DEFAULT") {
        bound.is_default = true;
        return bound;
    }
    Reader reader(expression);
    if (!reader.consume("FOR VALUES FROM (")) reject(expression, "not a range partition bound");
    bound.start = bound_value(reader, expression, zone, true);
    if (!reader.consume(") TO (")) reject(expression, "expected one column and \") TO (\"");
    bound.end = bound_value(reader, expression, zone, false);
    if (!reader.consume(")") || !reader.at_end()) reject(expression, "expected one column and the end");
    if (bound.start && bound.end && *bound.start >= *bound.end) reject(expression, "empty range");
    return bound;
}

}  // namespace fitbot::core
