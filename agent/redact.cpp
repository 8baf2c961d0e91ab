#include "agent/redact.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

extern char ** environ;

namespace agent {

bool Redactor::is_secret_name(std::string_view name) {
    std::string upper(name);
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
    for (const char * marker : {"KEY", "TOKEN", "SECRET", "PASSWORD"}) {
        if (upper.find(marker) != std::string::npos) {
            return true;
        }
    }
    return false;
}

Redactor Redactor::from_environment() {
    Redactor r;
    for (char ** e = environ; e != nullptr && *e != nullptr; ++e) {
        std::string_view entry(*e);
        size_t           eq = entry.find('=');
        if (eq == std::string_view::npos) {
            continue;
        }
        std::string_view name = entry.substr(0, eq), value = entry.substr(eq + 1);
        if (value.size() >= 8 && is_secret_name(name)) {
            r.add(std::string(name), std::string(value));
        }
    }
    return r;
}

void Redactor::add(std::string name, std::string value) {
    if (value.empty()) {
        return;
    }
    secrets_.emplace_back(std::move(name), std::move(value));
    // Longest first, so a secret that contains another is replaced whole.
    std::stable_sort(secrets_.begin(), secrets_.end(),
                     [](const auto & a, const auto & b) { return a.second.size() > b.second.size(); });
}

namespace {

void replace_all(std::string & text, std::string_view needle, std::string_view with) {
    if (needle.empty()) {
        return;
    }
    for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + with.size())) {
        text.replace(pos, needle.size(), with);
    }
}

}  // namespace

std::string Redactor::apply(std::string_view text) const {
    std::string out(text);
    for (const auto & [name, value] : secrets_) {
        std::string marker = "[REDACTED:" + name + "]";
        replace_all(out, value, marker);
        std::string escaped = nlohmann::json(value).dump();  // "..." with JSON escapes
        escaped             = escaped.substr(1, escaped.size() - 2);
        if (escaped != value) {
            replace_all(out, escaped, marker);
        }
    }
    return out;
}

}  // namespace agent
