// The numeric command-line options, read strictly: CLI11's Range lets "nan"
// through (every comparison with NaN is false), and its conversions take
// "0x10" and "010" (octal) for numbers, so `--statement-timeout nan` reached a
// cast to int, which is undefined behaviour (issue 19).
#pragma once

#include <string>

namespace CLI {
class Validator;
}

namespace fitbot::companion {

// Why `text` is not a decimal number from `min` to `max` ("" when it is):
// finite, written with digits, an optional sign, point and exponent only.
// `unit` names what is counted ("seconds", or "" for none), for the message.
std::string decimal_problem(const std::string &text, double min, double max, const std::string &unit);

// Why `text` is not a whole number from `min` to `max` ("" when it is), in
// decimal digits only; leading zeros are read as decimal (and dropped from
// `text`, so that CLI11 does not read them as octal).
std::string whole_number_problem(std::string &text, long min, long max, const std::string &unit);

// The same as CLI11 validators, for ->check().
CLI::Validator decimal_between(double min, double max, const std::string &unit);
CLI::Validator whole_number_between(long min, long max, const std::string &unit);

}  // namespace fitbot::companion
