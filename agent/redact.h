// Secret redaction for everything the agent writes (trajectories, summaries, logs).
//
// A Redactor knows a set of secret strings and replaces every occurrence of each, raw or
// JSON-escaped, with "[REDACTED:<name>]". from_environment() collects the values of
// environment variables whose names contain KEY, TOKEN, SECRET or PASSWORD (any case),
// ignoring values shorter than 8 bytes (too likely to be ordinary words).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agent {

class Redactor {
  public:
    Redactor() = default;

    static Redactor from_environment();

    // Adds one secret. Empty values are ignored.
    void add(std::string name, std::string value);

    std::string apply(std::string_view text) const;
    size_t      size() const { return secrets_.size(); }

    // True when the variable name looks like it holds a secret.
    static bool is_secret_name(std::string_view name);

  private:
    std::vector<std::pair<std::string, std::string>> secrets_;  // (name, value), longest value first
};

}  // namespace agent
