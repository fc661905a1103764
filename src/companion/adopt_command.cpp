#include "adopt_command.h"

#include <pqxx/pqxx>

#include "agentless_install.h"
#include "database.h"

namespace fitbot::companion {

namespace {

// The server's notices (adopt_table() reports each step with one) as lines
// of output, without libpq's trailing newline.
class NoticePrinter : public pqxx::errorhandler {
public:
    NoticePrinter(pqxx::connection_base &connection, std::ostream &out) : pqxx::errorhandler(connection), out_(out) {}
    bool operator()(const char message[]) noexcept override {
        std::string line(message);
        while (!line.empty() && line.back() == '\n') line.pop_back();
        out_ << line << "\n";
        return true;
    }

private:
    std::ostream &out_;
};

}  // namespace

int adopt(const std::string &dsn, bool agentless, const AdoptOptions &options, std::ostream &out) {
    Connection connection = connect(dsn, agentless);
    return scrubbed(dsn, [&]() -> int {
        if (connection.mode == Mode::agentless) {
            // The procedure comes with the portable SQL setup installs. Where
            // it is there already (setup ran, maybe as another role), it is
            // used as it is: replacing another role's functions would fail.
            pqxx::work txn(*connection.connection);
            if (txn.exec("SELECT to_regprocedure('fitbot_partman.adopt_table(regclass,text,interval,integer,interval,"
                         "boolean)') IS NULL")[0][0]
                    .as<bool>()) {
                out << "driver: " << install_agentless_driver(txn)
                    << " (fitbot_partman.adopt_table() and the maintenance driver, as setup installs them)\n";
            }
            txn.commit();
        }
        NoticePrinter printer(*connection.connection, out);
        // Its steps commit one by one: no transaction block around it, and
        // no statement timeout (validating scans the whole table, blocking
        // no one); every lock it takes waits at most lock_timeout.
        pqxx::nontransaction txn(*connection.connection);
        txn.exec("SET statement_timeout = 0");
        txn.exec(adopt_statement(options, [&](const std::string &text) { return txn.quote(text); }));
        return 0;
    });
}

}  // namespace fitbot::companion
