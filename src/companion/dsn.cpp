#include "dsn.h"

#include <regex>

namespace fitbot::companion {

namespace {

// key=value conninfo: password='...' (quoted, with \' and \\ escapes) or password=word
const std::regex kConninfoPassword(R"((\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s]*))", std::regex::icase);
// URI: scheme://user:password@host
const std::regex kUriPassword(R"(^(postgres(?:ql)?://[^:/@]*:)([^@]*)(@))", std::regex::icase);
// URI query parameter: ?password=... or &password=...
const std::regex kUriQueryPassword(R"(([?&]password=)([^&]*))", std::regex::icase);

}  // namespace

std::string masked_dsn(const std::string &dsn) {
    if (dsn.empty()) return "(PG* environment)";
    std::string masked = std::regex_replace(dsn, kUriPassword, "$1********$3");
    masked = std::regex_replace(masked, kUriQueryPassword, "$1********");
    if (masked.rfind("postgres", 0) != 0) masked = std::regex_replace(masked, kConninfoPassword, "$1********");
    return masked;
}

std::string dsn_password(const std::string &dsn) {
    std::smatch match;
    if (std::regex_search(dsn, match, kUriPassword)) return match[2];
    if (std::regex_search(dsn, match, kUriQueryPassword)) return match[2];
    if (std::regex_search(dsn, match, kConninfoPassword)) {
        std::string value = match[2];
        if (value.size() >= 2 && value.front() == '\'') value = value.substr(1, value.size() - 2);
        return value;
    }
    return {};
}

std::string without_secret(std::string message, const std::string &secret) {
    if (secret.empty()) return message;
    for (std::size_t at = message.find(secret); at != std::string::npos; at = message.find(secret, at)) {
        message.replace(at, secret.size(), "********");
    }
    return message;
}

}  // namespace fitbot::companion
