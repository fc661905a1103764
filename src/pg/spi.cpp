// SpiSession (spi.h): SPI_connect, read-only SPI_execute and SPI_finish
// through pg_call(), and rows copied out while SPI's result is alive.
#include "spi.h"

#include <exception>

#include "convert.h"
#include "guard.h"

namespace fitbot::pg {

namespace {

void connect_spi() {
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
}

int run_read_only(const char *sql) {
    int status = SPI_execute(sql, true, 0);
    if (status < 0) elog(ERROR, "SPI_execute failed (%d): %s", status, sql);
    return static_cast<int>(SPI_processed);
}

void finish_spi() { SPI_finish(); }

}  // namespace

SpiSession::SpiSession() {
    pg_call(connect_spi);
    connected_ = true;
}

SpiSession::~SpiSession() {
    // When an error is unwinding, the transaction abort cleans up SPI.
    if (connected_ && std::uncaught_exceptions() == 0) SPI_finish();
}

void SpiSession::finish() {
    if (!connected_) return;
    connected_ = false;
    pg_call(finish_spi);
}

int SpiSession::execute(const std::string &sql) { return pg_call(run_read_only, sql.c_str()); }

SpiRow SpiSession::row(int index) const {
    SpiRow row;
    TupleDesc descriptor = SPI_tuptable->tupdesc;
    HeapTuple tuple = SPI_tuptable->vals[index];
    row.values.reserve(descriptor->natts);
    for (int column = 1; column <= descriptor->natts; column++) {
        bool isnull = true;
        Datum value = SPI_getbinval(tuple, descriptor, column, &isnull);
        row.values.push_back(isnull ? std::nullopt : std::optional<Datum>(value));
    }
    return row;
}

std::string spi_string(const std::optional<Datum> &value) { return value ? string_from_text(*value) : std::string(); }

std::optional<std::string> spi_optional_string(const std::optional<Datum> &value) {
    if (!value) return std::nullopt;
    return string_from_text(*value);
}

}  // namespace fitbot::pg
