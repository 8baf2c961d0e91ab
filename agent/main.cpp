// The `agent` command line. Subcommands appear here only once they work.
#include "agent/doctor.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

namespace {

std::string version_string() {
    return std::string("agent ") + AGENT_VERSION + " (llama.cpp " + AGENT_LLAMA_TAG + " " + AGENT_LLAMA_COMMIT +
           ", tree-sitter " + AGENT_TREE_SITTER_VERSION + ")";
}

int cmd_doctor(bool json) {
    agent::DependencyReport report = agent::doctor_collect();
    std::cout << (json ? agent::doctor_format_json(report) : agent::doctor_format_text(report));
    return agent::doctor_all_ok(report) ? 0 : 1;
}

}  // namespace

int main(int argc, char ** argv) {
    CLI::App app{"agent: an autonomous coding agent runtime (LLM + structured actions + Linux sandbox)", "agent"};
    app.set_version_flag("--version", version_string());
    app.require_subcommand(1);

    bool doctor_json = false;
    auto doctor      = app.add_subcommand("doctor", "Report linked dependency versions and host sandbox support; "
                                                    "exits 1 when something needed is missing");
    doctor->add_flag("--json", doctor_json, "Print the report as JSON");

    // CLI11 reports a mistyped subcommand as "a subcommand is required"; name it instead.
    auto known = [&app](const std::string & name) {
        for (const CLI::App * sub : app.get_subcommands({})) {
            if (sub->check_name(name)) {
                return true;
            }
        }
        return false;
    };
    if (argc > 1 && argv[1][0] != '-' && !known(argv[1])) {
        std::cerr << "agent: unknown command '" << argv[1] << "' (see agent --help)\n";
        return 2;
    }
    CLI11_PARSE(app, argc, argv);

    if (*doctor) {
        return cmd_doctor(doctor_json);
    }
    return 2;
}
