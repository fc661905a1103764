// Quoting values into SQL text that the glue runs through SPI, with
// PostgreSQL's own quoting functions, so no hand-written escaping exists.
#pragma once

#include <string>

namespace fitbot::pg {

// An identifier, double-quoted only when it needs it (quote_identifier).
std::string quoted_identifier(const std::string &identifier);

// A string constant, 'single-quoted' with quotes and backslashes escaped
// (quote_literal_cstr; E'...' when it contains a backslash).
std::string quoted_literal(const std::string &value);

}  // namespace fitbot::pg
