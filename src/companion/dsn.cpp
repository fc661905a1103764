#include "dsn.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>

#include <postgresql/libpq-fe.h>  // Debian: /usr/include/postgresql

namespace fitbot::companion {

namespace {

struct ConninfoFree {
    void operator()(PQconninfoOption *options) const { PQconninfoFree(options); }
};
using ConninfoPtr = std::unique_ptr<PQconninfoOption, ConninfoFree>;

bool is_keyword(const std::string &word) {
    ConninfoPtr defaults(PQconndefaults());
    if (!defaults) return false;
    for (PQconninfoOption *option = defaults.get(); option->keyword; ++option) {
        if (word == option->keyword) return true;
    }
    return false;
}

// libpq's parse errors quote fragments of the string, which may be part of a
// password ("missing "=" after "defSECRET""). Keep a quoted fragment only when
// it is a keyword of libpq or is written as a key ("fragment=") in the DSN.
std::string without_quoted_values(const std::string &message, const std::string &dsn) {
    std::string out;
    std::size_t at = 0;
    while (at < message.size()) {
        std::size_t open = message.find('"', at);
        if (open == std::string::npos) break;
        std::size_t close = message.find('"', open + 1);
        if (close == std::string::npos) break;
        const std::string fragment = message.substr(open + 1, close - open - 1);
        out += message.substr(at, open - at);
        bool keep = fragment.size() <= 1 || is_keyword(fragment) ||
                    (!fragment.empty() && dsn.find(fragment + "=") != std::string::npos &&
                     std::all_of(fragment.begin(), fragment.end(),
                                 [](unsigned char c) { return std::isalnum(c) || c == '_'; }));
        out += keep ? "\"" + fragment + "\"" : std::string("\"...\"");
        at = close + 1;
    }
    out += message.substr(at);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

ConninfoPtr parse(const std::string &dsn) {
    char *error = nullptr;
    ConninfoPtr options(PQconninfoParse(dsn.c_str(), &error));
    if (!options) {
        std::string message = error ? error : "out of memory";
        if (error) PQfreemem(error);
        throw DsnError("the connection string does not parse: " + without_quoted_values(message, dsn));
    }
    return options;
}

bool is_uri(const std::string &dsn) { return dsn.rfind("postgresql://", 0) == 0 || dsn.rfind("postgres://", 0) == 0; }

std::string percent_encoded(const std::string &text) {
    static const char *hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += char(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string lower_hex(std::string text) {
    for (std::size_t i = 0; i + 2 < text.size() + 1; ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            text[i + 1] = char(std::tolower(static_cast<unsigned char>(text[i + 1])));
            text[i + 2] = char(std::tolower(static_cast<unsigned char>(text[i + 2])));
        }
    }
    return text;
}

}  // namespace

std::vector<ConninfoOption> parse_dsn(const std::string &dsn) {
    std::vector<ConninfoOption> result;
    ConninfoPtr options = parse(dsn);
    for (PQconninfoOption *option = options.get(); option->keyword; ++option) {
        if (!option->val) continue;
        result.push_back({option->keyword, option->val, option->dispchar && option->dispchar[0] == '*'});
    }
    return result;
}

std::string conninfo_quote(const std::string &value) {
    std::string out = "'";
    for (char c : value) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

std::string masked_dsn(const std::string &dsn) {
    if (dsn.empty()) return "(PG* environment)";
    std::vector<ConninfoOption> options;
    try {
        options = parse_dsn(dsn);
    } catch (const DsnError &) {
        return "(a connection string that does not parse)";
    }
    std::string out;
    for (const ConninfoOption &option : options) {
        if (!out.empty()) out += ' ';
        out += option.keyword + "=";
        if (option.secret) {
            out += "********";
        } else {
            bool plain = !option.value.empty() &&
                         std::none_of(option.value.begin(), option.value.end(),
                                      [](unsigned char c) { return std::isspace(c) || c == '\'' || c == '\\'; });
            out += plain ? option.value : conninfo_quote(option.value);
        }
    }
    return out.empty() ? "(PG* environment)" : out;
}

std::string dsn_password(const std::string &dsn) {
    if (dsn.empty()) return {};
    try {
        for (const ConninfoOption &option : parse_dsn(dsn)) {
            if (option.keyword == "password") return option.value;
        }
    } catch (const DsnError &) {}
    return {};
}

std::vector<std::string> dsn_secrets(const std::string &dsn) {
    std::vector<std::string> secrets;
    auto add = [&](const std::string &secret) {
        if (!secret.empty() && std::find(secrets.begin(), secrets.end(), secret) == secrets.end())
            secrets.push_back(secret);
    };
    if (const char *env = std::getenv("PGPASSWORD")) add(env);
    if (dsn.empty()) return secrets;
    try {
        for (const ConninfoOption &option : parse_dsn(dsn)) {
            if (!option.secret) continue;
            add(option.value);
            add(conninfo_quote(option.value));
            add(percent_encoded(option.value));
            add(lower_hex(percent_encoded(option.value)));
        }
    } catch (const DsnError &) {}
    // The raw spelling in the string: in a URI the text between the user's
    // ':' and '@', and after "password="; in conninfo, the rest of the value
    // up to the next blank that is not escaped.
    std::string lowered = dsn;
    std::transform(lowered.begin(), lowered.end(), lowered.begin(), [](unsigned char c) { return std::tolower(c); });
    if (is_uri(dsn)) {
        std::size_t start = dsn.find("://") + 3;
        std::size_t at = dsn.find('@', start);
        std::size_t slash = dsn.find('/', start);
        if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
            std::size_t colon = dsn.find(':', start);
            if (colon != std::string::npos && colon < at) add(dsn.substr(colon + 1, at - colon - 1));
        }
    }
    for (std::size_t at = lowered.find("password"); at != std::string::npos; at = lowered.find("password", at + 1)) {
        std::size_t equals = at + 8;
        while (equals < dsn.size() && std::isspace(static_cast<unsigned char>(dsn[equals]))) ++equals;
        if (equals >= dsn.size() || dsn[equals] != '=') continue;
        std::size_t begin = equals + 1;
        while (begin < dsn.size() && std::isspace(static_cast<unsigned char>(dsn[begin]))) ++begin;
        std::size_t end = begin;
        if (end < dsn.size() && dsn[end] == '\'') {
            for (++end; end < dsn.size() && dsn[end] != '\''; ++end)
                if (dsn[end] == '\\') ++end;
            end = std::min(end + 1, dsn.size());
        } else {
            for (; end < dsn.size() && !std::isspace(static_cast<unsigned char>(dsn[end])) && dsn[end] != '&'; ++end)
                if (dsn[end] == '\\') ++end;
            end = std::min(end, dsn.size());
        }
        add(dsn.substr(begin, end - begin));
        // Each blank-separated piece of an escaped value, too.
        std::string value = dsn.substr(begin, end - begin);
        std::size_t piece_start = 0;
        for (std::size_t i = 0; i <= value.size(); ++i) {
            if (i == value.size() || value[i] == ' ' || value[i] == '\\' || value[i] == '\'') {
                if (i - piece_start >= 4) add(value.substr(piece_start, i - piece_start));
                piece_start = i + 1;
            }
        }
    }
    return secrets;
}

std::string without_secret(std::string message, const std::string &secret) {
    if (secret.empty()) return message;
    for (std::size_t at = message.find(secret); at != std::string::npos; at = message.find(secret, at)) {
        message.replace(at, secret.size(), "********");
        at += 8;
    }
    return message;
}

std::vector<std::string> dsn_visible_values(const std::string &dsn) {
    std::vector<std::string> values;
    auto add = [&](const std::string &value) {
        if (!value.empty() && std::find(values.begin(), values.end(), value) == values.end()) values.push_back(value);
    };
    std::vector<ConninfoOption> options;
    try {
        if (!dsn.empty()) options = parse_dsn(dsn);
    } catch (const DsnError &) {
        return values;  // nothing of it is shown: masked_dsn() says it does not parse
    }
    auto set_in_dsn = [&](const char *keyword) {
        return std::any_of(options.begin(), options.end(),
                           [&](const ConninfoOption &option) { return option.keyword == keyword; });
    };
    std::string user, dbname;
    for (const ConninfoOption &option : options) {
        if (option.secret) continue;
        add(option.value);
        if (option.keyword == "user") user = option.value;
        if (option.keyword == "dbname") dbname = option.value;
    }
    // What libpq fills in for the fields the DSN leaves out (the PG*
    // environment, the login name): messages name those too.
    ConninfoPtr defaults(PQconndefaults());
    for (PQconninfoOption *option = defaults.get(); option && option->keyword; ++option) {
        const std::string keyword = option->keyword;
        const bool shown = keyword == "user" || keyword == "dbname" || keyword == "host" || keyword == "hostaddr" ||
                           keyword == "port" || keyword == "service" || keyword == "application_name";
        if (!shown || !option->val || set_in_dsn(option->keyword)) continue;
        add(option->val);
        if (keyword == "user") user = option->val;
        if (keyword == "dbname") dbname = option->val;
    }
    if (dbname.empty()) add(user);  // libpq's default database is the user's name
    return values;
}

std::string without_secrets(const std::string &message, std::vector<std::string> secrets,
                            const std::vector<std::string> &visible) {
    std::sort(secrets.begin(), secrets.end(),
              [](const std::string &a, const std::string &b) { return a.size() > b.size(); });
    secrets.erase(std::remove(secrets.begin(), secrets.end(), std::string()), secrets.end());
    // Where the visible values stand in the message: [begin, end) ranges.
    std::vector<std::pair<std::size_t, std::size_t>> shown;
    for (const std::string &value : visible) {
        if (value.empty()) continue;
        for (std::size_t at = message.find(value); at != std::string::npos; at = message.find(value, at + 1))
            shown.emplace_back(at, at + value.size());
    }
    auto inside_shown = [&](std::size_t begin, std::size_t end) {
        return std::any_of(shown.begin(), shown.end(),
                           [&](const auto &range) { return range.first <= begin && end <= range.second; });
    };
    // One pass over the message, so that a mask never matches again.
    std::string out;
    std::size_t at = 0;
    while (at < message.size()) {
        const std::string *match = nullptr;
        for (const std::string &secret : secrets) {
            if (message.compare(at, secret.size(), secret) == 0 && !inside_shown(at, at + secret.size())) {
                match = &secret;
                break;
            }
        }
        if (match) {
            out += "********";
            at += match->size();
        } else {
            out += message[at++];
        }
    }
    return out;
}

std::string dsn_with_dbname(const std::string &dsn, const std::string &dbname) {
    std::string out;
    if (!dsn.empty()) {
        for (const ConninfoOption &option : parse_dsn(dsn)) {
            if (option.keyword == "dbname") continue;
            out += option.keyword + "=" + conninfo_quote(option.value) + " ";
        }
    }
    return out + "dbname=" + conninfo_quote(dbname);
}

std::string effective_conninfo(const std::string &dsn, const ConnectDefaults &defaults) {
    std::string out;
    bool has_timeout = false, has_application_name = false;
    if (!dsn.empty()) {
        for (const ConninfoOption &option : parse_dsn(dsn)) {
            if (option.keyword == "connect_timeout") has_timeout = true;
            if (option.keyword == "fallback_application_name") has_application_name = true;
            if (!out.empty()) out += ' ';
            out += option.keyword + "=" + conninfo_quote(option.value);
        }
    }
    const char *env_timeout = std::getenv("PGCONNECT_TIMEOUT");
    if (!has_timeout && !(env_timeout && *env_timeout) && defaults.connect_timeout_seconds > 0) {
        if (!out.empty()) out += ' ';
        out += "connect_timeout=" + std::to_string(defaults.connect_timeout_seconds);
    }
    if (!has_application_name) {
        if (!out.empty()) out += ' ';
        out += "fallback_application_name=fitbot-partman";
    }
    return out;
}

}  // namespace fitbot::companion
