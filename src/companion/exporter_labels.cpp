#include "exporter_labels.h"

#include <map>

#include "core/exposition.h"

namespace fitbot::companion {

namespace {

// Calls `line` for every line of `text`, without its line feed.
template <typename Line>
void each_line(std::string_view text, Line line) {
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        line(text.substr(start, end - start));
        start = end + 1;
    }
}

// The metric name a sample line starts with.
std::string_view sample_name(std::string_view line) { return line.substr(0, std::min(line.find('{'), line.find(' '))); }

// "# HELP name ..." / "# TYPE name ...": the name, else "".
std::string_view declared_name(std::string_view line) {
    if (line.rfind("# HELP ", 0) != 0 && line.rfind("# TYPE ", 0) != 0) return {};
    std::string_view rest = line.substr(7);
    return rest.substr(0, rest.find(' '));
}

}  // namespace

std::string with_label(std::string_view exposition, std::string_view name, std::string_view value) {
    const std::string label = std::string(name) + "=\"" + core::escape_label_value(value) + "\"";
    std::string out;
    out.reserve(exposition.size() + exposition.size() / 8);
    each_line(exposition, [&](std::string_view line) {
        if (line.empty() || line.front() == '#') {
            out.append(line);
        } else {
            const std::string_view metric = sample_name(line);
            out.append(metric);
            std::string_view rest = line.substr(metric.size());
            if (!rest.empty() && rest.front() == '{') {
                out += '{';
                out += label;
                rest.remove_prefix(1);
                // An empty label set stays valid: {} becomes {database="x"}.
                if (!rest.empty() && rest.front() != '}') out += ',';
            } else {
                out += '{';
                out += label;
                out += '}';
            }
            out.append(rest);
        }
        out += '\n';
    });
    return out;
}

std::string merge_expositions(const std::vector<std::string> &parts) {
    struct Family {
        std::string help, type, samples;
    };
    std::vector<std::string> order;
    std::map<std::string, Family, std::less<>> families;
    auto family = [&](std::string_view name) -> Family & {
        auto found = families.find(name);
        if (found != families.end()) return found->second;
        order.emplace_back(name);
        return families[std::string(name)];
    };
    for (const std::string &part : parts) {
        // A sample belongs to the family declared last (a family's samples
        // follow its HELP and TYPE), or to its own name when undeclared.
        std::string current;
        each_line(part, [&](std::string_view line) {
            if (line.empty()) return;
            if (std::string_view declared = declared_name(line); !declared.empty()) {
                current = declared;
                std::string &slot = line[2] == 'H' ? family(declared).help : family(declared).type;
                if (slot.empty()) slot = std::string(line) + "\n";
                return;
            }
            if (line.front() == '#') return;
            const std::string_view metric = sample_name(line);
            std::string &samples = family(current == metric || current.empty() ? metric : current).samples;
            samples.append(line);
            samples += '\n';
        });
    }
    std::string out;
    for (const std::string &name : order) {
        const Family &f = families.find(name)->second;
        out += f.help;
        out += f.type;
        out += f.samples;
    }
    return out;
}

}  // namespace fitbot::companion
