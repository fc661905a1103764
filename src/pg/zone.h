// core::ZoneRules answered by PostgreSQL's own time zone code, so schedules
// and calendar arithmetic agree with the server to the second.
#pragma once

#include <string>

#include "core/zone.h"
#include "pg_headers.h"

namespace fitbot::pg {

class PostgresZone final : public core::ZoneRules {
public:
    explicit PostgresZone(pg_tz *zone) : zone_(zone) {}
    std::int64_t utc_offset_seconds(std::int64_t utc_seconds) const override;
    std::string name() const override;

private:
    pg_tz *zone_;
};

// A named zone (IANA name such as 'Asia/Seoul', or 'UTC'). Throws SqlError
// (invalid_parameter_value) with a hint when PostgreSQL does not know it.
PostgresZone zone_named(const std::string &name);

// The session's TimeZone setting.
PostgresZone session_zone();

}  // namespace fitbot::pg
