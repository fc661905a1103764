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
        throw DatabaseError(error_text(error, dsn));
    } catch (const pqxx::usage_error &error) {
        throw DatabaseError(error_text(error, dsn));
    } catch (const std::invalid_argument &error) {  // DsnError, bad facts JSON
        throw DatabaseError(error_text(error, dsn));
    }
}

}  // namespace fitbot::companion
