// Civil calendar conversions (Howard Hinnant's public-domain algorithms,
// https://howardhinnant.github.io/date_algorithms.html).
#include "time_types.h"

namespace fitbot::core {

std::int64_t days_from_civil(CivilDate date) {
    const std::int64_t year = static_cast<std::int64_t>(date.year) - (date.month <= 2 ? 1 : 0);
    const std::int64_t era = floor_div(year, 400);
    const std::int64_t year_of_era = year - era * 400;                                       // [0, 399]
    const std::int64_t month_from_march = date.month > 2 ? date.month - 3 : date.month + 9;  // [0, 11]
    const std::int64_t day_of_year = (153 * month_from_march + 2) / 5 + date.day - 1;        // [0, 365]
    const std::int64_t day_of_era =
        year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;  // [0, 146096]
    return era * 146097 + day_of_era - 719468;
}

CivilDate civil_from_days(std::int64_t days) {
    const std::int64_t shifted = days + 719468;
    const std::int64_t era = floor_div(shifted, 146097);
    const std::int64_t day_of_era = shifted - era * 146097;  // [0, 146096]
    const std::int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;  // [0, 399]
    const std::int64_t day_of_year =
        day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);  // [0, 365]
    const std::int64_t month_from_march = (5 * day_of_year + 2) / 153;           // [0, 11]
    CivilDate date;
    date.day = static_cast<int>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
    date.month = static_cast<int>(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
    date.year = static_cast<int>(year_of_era + era * 400 + (date.month <= 2 ? 1 : 0));
    return date;
}

bool is_leap_year(int year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

int days_in_month(int year, int month) {
    static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12) return 0;
    if (month == 2 && is_leap_year(year)) return 29;
    return kDays[month - 1];
}

int weekday_from_days(std::int64_t days) {
    // 1970-01-01 was a Thursday (4).
    std::int64_t weekday = (days + 4) % 7;
    if (weekday < 0) weekday += 7;
    return static_cast<int>(weekday);
}

}  // namespace fitbot::core
