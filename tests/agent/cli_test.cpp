// Runs the real `agent` binary as a user would.
#include "sandbox/host_process.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using agent::sandbox::HostProcessParams;
using agent::sandbox::HostProcessResult;
using agent::sandbox::run_host_process;

namespace {

HostProcessResult run_agent(std::vector<std::string> args) {
    HostProcessParams p;
    p.argv = {AGENT_BIN};
    p.argv.insert(p.argv.end(), args.begin(), args.end());
    p.timeout = std::chrono::seconds(120);
    auto r    = run_host_process(p);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : HostProcessResult{};
}

}  // namespace

TEST(Cli, VersionNamesThePins) {
    auto r = run_agent({"--version"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("agent 0.1.0"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("llama.cpp v0.5.0"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("tree-sitter 0.25.1"), std::string::npos) << r.out;
}

TEST(Cli, HelpListsDoctor) {
    auto r = run_agent({"--help"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("doctor"), std::string::npos) << r.out;
}

TEST(Cli, UnknownOrMissingSubcommandFails) {
    auto r = run_agent({"frobnicate"});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("frobnicate"), std::string::npos) << r.err;
    EXPECT_NE(run_agent({}).exit_code, 0);
}

TEST(Cli, DoctorReportsEveryDependency) {
    auto r = run_agent({"doctor"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    for (const char * name : {"llama.cpp", "ggml backends", "libcurl", "tree-sitter", "grammar java", "libgit2",
                              "libseccomp", "Boost", "namespaces", "all checks passed"}) {
        EXPECT_NE(r.out.find(name), std::string::npos) << "missing " << name << " in:\n" << r.out;
    }
}

TEST(Cli, DoctorJsonAgreesWithExitCode) {
    auto r = run_agent({"doctor", "--json"});
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r.out;
    EXPECT_EQ(j["ok"].get<bool>(), r.exit_code == 0);
    std::map<std::string, nlohmann::json> by_name;
    for (const auto & c : j["checks"]) {
        by_name[c["name"]] = c;
    }
    EXPECT_EQ(by_name["llama.cpp"]["version"], "v0.5.0");
    EXPECT_EQ(by_name["tree-sitter"]["version"], "0.25.1");
    EXPECT_NE(by_name["libcurl"]["detail"].get<std::string>().find("OpenSSL"), std::string::npos);
    EXPECT_EQ(by_name.count("grammar typescript"), 1u);
}
