// Template definitions for database.h.
#pragma once

namespace fitbot::companion {

template <typename Work>
auto scrubbed(const std::string &dsn, Work work) -> decltype(work()) {
    try {
        return work();
    } catch (const DatabaseError &) {
        throw;
    } catch (const pqxx::failure &error) {
        throw DatabaseError(one_line_error(error, dsn));
    } catch (const pqxx::usage_error &error) {
        throw DatabaseError(one_line_error(error, dsn));
    }
}

}  // namespace fitbot::companion
