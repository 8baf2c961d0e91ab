#include "agent/commands.h"
#include "agent/doctor.h"

#include <iostream>
#include <memory>

namespace agent {

void add_doctor_command(CLI::App & app, CommandRunner & run) {
    auto   json = std::make_shared<bool>(false);
    auto * sub  = app.add_subcommand("doctor",
                                     "Report linked dependency versions and host sandbox support; "
                                      "exits 1 when something needed is missing");
    sub->add_flag("--json", *json, "Print the report as JSON");
    sub->callback([&run, json] {
        run = [json] {
            DependencyReport report = doctor_collect();
            std::cout << (*json ? doctor_format_json(report) : doctor_format_text(report));
            return doctor_all_ok(report) ? 0 : 1;
        };
    });
}

}  // namespace agent
