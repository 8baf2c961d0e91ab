#include "agent/doctor.h"

#include "actions/git_repo.h"
#include "model/llama_runtime.h"
#include "repo_index/languages.h"
#include "sandbox/host_probe.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>

namespace agent {

DependencyReport doctor_collect() {
    DependencyReport all;
    for (DependencyReport part : {model::model_dependencies(), repo_index::repo_index_dependencies(),
                                  actions::actions_dependencies(), sandbox::sandbox_dependencies()}) {
        all.insert(all.end(), part.begin(), part.end());
    }
    return all;
}

std::string doctor_format_text(const DependencyReport & report) {
    size_t name_w = 0, ver_w = 0;
    for (const auto & d : report) {
        name_w = std::max(name_w, d.name.size());
        ver_w  = std::max(ver_w, d.version.size());
    }
    std::ostringstream out;
    int                problems = 0;
    for (const auto & d : report) {
        out << (d.ok ? "  ok    " : "  FAIL  ") << d.name << std::string(name_w - d.name.size() + 2, ' ') << d.version
            << std::string(ver_w - d.version.size() + 2, ' ') << d.detail << "\n";
        if (!d.ok) {
            ++problems;
            out << "        -> " << d.problem << "\n";
        }
    }
    out << (problems == 0 ? "all checks passed\n" : std::to_string(problems) + " problem(s) found\n");
    return out.str();
}

std::string doctor_format_json(const DependencyReport & report) {
    nlohmann::json checks = nlohmann::json::array();
    for (const auto & d : report) {
        checks.push_back(
            {{"name", d.name}, {"version", d.version}, {"detail", d.detail}, {"ok", d.ok}, {"problem", d.problem}});
    }
    return nlohmann::json{{"ok", doctor_all_ok(report)}, {"checks", checks}}.dump(2) + "\n";
}

}  // namespace agent
