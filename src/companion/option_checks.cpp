#include "option_checks.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

namespace fitbot::companion {

namespace {

// "a number of seconds from 1 to 60", "a whole number from 1 to 65535".
std::string range_text(const char *kind, const std::string &unit, const std::string &min, const std::string &max) {
    return std::string(kind) + (unit.empty() ? "" : " of " + unit) + " from " + min + " to " + max;
}

}  // namespace

std::string decimal_problem(const std::string &text, double min, double max, const std::string &unit) {
    const std::string wanted = range_text("a number", unit, fmt::format("{}", min), fmt::format("{}", max));
    // strtod alone would take "nan", "inf", hexadecimal and leading blanks.
    const bool decimal_characters = !text.empty() && text.find_first_not_of("0123456789.eE+-") == std::string::npos &&
                                    text.find_first_of("0123456789") != std::string::npos;
    char *end = nullptr;
    errno = 0;
    const double value = decimal_characters ? std::strtod(text.c_str(), &end) : 0;
    if (!decimal_characters || *end != '\0' || errno == ERANGE || !std::isfinite(value))
        return "'" + text + "' is not " + wanted;
    if (value < min || value > max) return text + " is out of range: expected " + wanted;
    return "";
}

std::string whole_number_problem(std::string &text, long min, long max, const std::string &unit) {
    const std::string wanted = range_text("a whole number", unit, std::to_string(min), std::to_string(max));
    const std::size_t digits_from = !text.empty() && (text[0] == '-' || text[0] == '+') ? 1 : 0;
    if (text.size() == digits_from || text.find_first_not_of("0123456789", digits_from) != std::string::npos)
        return "'" + text + "' is not " + wanted;
    // Leading zeros: decimal all the same (CLI11 would read "010" as 8).
    std::size_t first = text.find_first_not_of('0', digits_from);
    std::string digits = first == std::string::npos ? "0" : text.substr(first);
    if (digits.size() > 18) return text + " is out of range: expected " + wanted;
    const long value = std::stol(digits) * (text[0] == '-' ? -1 : 1);
    if (value < min || value > max) return text + " is out of range: expected " + wanted;
    text = std::to_string(value);
    return "";
}

CLI::Validator decimal_between(double min, double max, const std::string &unit) {
    return CLI::Validator([=](std::string &text) { return decimal_problem(text, min, max, unit); },
                          fmt::format("NUMBER in [{} - {}]", min, max));
}

CLI::Validator whole_number_between(long min, long max, const std::string &unit) {
    return CLI::Validator([=](std::string &text) { return whole_number_problem(text, min, max, unit); },
                          fmt::format("INT in [{} - {}]", min, max));
}

}  // namespace fitbot::companion
