// DependencyInfo: what one linked library or host facility reports about itself.
// Each module exposes a function returning these; `agent doctor` prints them.
#pragma once

#include <string>
#include <vector>

namespace agent {

struct DependencyInfo {
    std::string name;     // e.g. "libgit2", "namespaces"
    std::string version;  // as linked at run time ("" for host facilities)
    std::string detail;   // extra facts: TLS backend, backends, grammar ABI, ...
    bool        ok = true;
    std::string problem;  // REQUIRES: non-empty when !ok; says what to do about it
};

using DependencyReport = std::vector<DependencyInfo>;

}  // namespace agent
