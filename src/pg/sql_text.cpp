// quoted_identifier() and quoted_literal() (sql_text.h), through pg_call().
#include "sql_text.h"

#include "guard.h"
#include "pg_headers.h"

namespace fitbot::pg {

std::string quoted_identifier(const std::string &identifier) { return pg_call(quote_identifier, identifier.c_str()); }

std::string quoted_literal(const std::string &value) { return pg_call(quote_literal_cstr, value.c_str()); }

}  // namespace fitbot::pg
