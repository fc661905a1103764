// SPI, the C++ way: results are copied out into plain C++ values at once, so
// nothing outlives SPI's memory and every error arrives as an exception.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pg_headers.h"

namespace fitbot::pg {

// One result row: each column as its Datum of the result's type, or null.
struct SpiRow {
    std::vector<std::optional<Datum>> values;
};

class SpiSession {
public:
    SpiSession();
    ~SpiSession();
    SpiSession(const SpiSession &) = delete;
    SpiSession &operator=(const SpiSession &) = delete;

    // Runs a read-only query; converts each row with `convert` while the
    // result is still alive, and returns the converted rows.
    template <typename Row, typename Convert>
    std::vector<Row> query(const std::string &sql, Convert convert) {
        int rows = execute(sql);
        std::vector<Row> result;
        result.reserve(rows);
        for (int i = 0; i < rows; i++) result.push_back(convert(row(i)));
        return result;
    }

    void finish();

private:
    int execute(const std::string &sql);
    SpiRow row(int index) const;
    bool connected_ = false;
};

// Column helpers for converters (the Datum must be of the named type).
std::string spi_string(const std::optional<Datum> &value);  // text, or "" when null
std::optional<std::string> spi_optional_string(const std::optional<Datum> &value);

}  // namespace fitbot::pg
