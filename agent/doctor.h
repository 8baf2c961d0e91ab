// `agent doctor`: every dependency as linked, and what this host lets the sandbox do.
#pragma once

#include "agent/base/dependency_info.h"

#include <string>

namespace agent {

// Collects the reports of every module (model, repo_index, actions, sandbox), in that order.
DependencyReport doctor_collect();

// Human-readable table; problems are spelled out under the failing line.
std::string doctor_format_text(const DependencyReport & report);

// {"ok": bool, "checks": [{name, version, detail, ok, problem}]}
std::string doctor_format_json(const DependencyReport & report);

inline bool doctor_all_ok(const DependencyReport & report) {
    for (const auto & d : report) {
        if (!d.ok) {
            return false;
        }
    }
    return true;
}

}  // namespace agent
