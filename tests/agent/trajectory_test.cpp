#include "agent/redact.h"
#include "agent/trajectory.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <sys/wait.h>
#include <unistd.h>

using agent::read_trajectory;
using agent::Redactor;
using agent::TrajectoryWriter;
using json = nlohmann::json;

TEST(Redactor, ReplacesRawAndJsonEscapedSecrets) {
    Redactor r;
    r.add("DEEPSEEK_API_KEY", "sk-abc123456789");
    r.add("WEIRD_TOKEN", "tok\"with\\quote99");
    std::string text = "key=sk-abc123456789 and " + json("tok\"with\\quote99").dump();
    std::string out  = r.apply(text);
    EXPECT_EQ(out.find("sk-abc"), std::string::npos) << out;
    EXPECT_EQ(out.find("with"), std::string::npos) << out;
    EXPECT_NE(out.find("[REDACTED:DEEPSEEK_API_KEY]"), std::string::npos);
    EXPECT_NE(out.find("[REDACTED:WEIRD_TOKEN]"), std::string::npos);
}

TEST(Redactor, CollectsSecretLookingVariablesFromTheEnvironment) {
    setenv("AGENT_TEST_SECRET", "hunter2hunter2", 1);
    setenv("AGENT_TEST_PLAIN", "hunter3hunter3", 1);
    setenv("AGENT_TEST_API_KEY", "short", 1);  // too short to redact safely
    Redactor r = Redactor::from_environment();
    EXPECT_EQ(r.apply("hunter2hunter2"), "[REDACTED:AGENT_TEST_SECRET]");
    EXPECT_EQ(r.apply("hunter3hunter3"), "hunter3hunter3");
    EXPECT_EQ(r.apply("short"), "short");
    EXPECT_TRUE(Redactor::is_secret_name("github_token"));
    EXPECT_FALSE(Redactor::is_secret_name("PATH"));
    unsetenv("AGENT_TEST_SECRET");
    unsetenv("AGENT_TEST_PLAIN");
    unsetenv("AGENT_TEST_API_KEY");
}

TEST(Trajectory, AppendsRedactedEventsAndReadsThemBack) {
    agent::testing::TempDir dir;
    Redactor                r;
    r.add("OPENAI_API_KEY", "sk-proj-0123456789");
    std::string path = dir.path() + "/run/traj.jsonl";
    {
        auto w = TrajectoryWriter::Open(path, r);
        ASSERT_TRUE(w.ok()) << w.status().ToString();
        ASSERT_TRUE(w->append({{"type", "header"}, {"model", "tiny"}}).ok());
        ASSERT_TRUE(w->append({{"type", "observation"}, {"output", "env: sk-proj-0123456789"}}).ok());
        EXPECT_FALSE(w->append({{"no_type", 1}}).ok());
    }
    EXPECT_EQ(dir.read("run/traj.jsonl").find("sk-proj"), std::string::npos);
    auto events = read_trajectory(path);
    ASSERT_TRUE(events.ok()) << events.status().ToString();
    ASSERT_EQ(events->size(), 2u);
    EXPECT_EQ((*events)[0]["type"], "header");
    EXPECT_TRUE((*events)[0]["ts"].is_number());
    EXPECT_EQ((*events)[1]["output"], "env: [REDACTED:OPENAI_API_KEY]");
}

// A writer killed with SIGKILL in the middle of a line: the reader drops the partial line
// and a reopened writer continues on a clean line boundary.
TEST(Trajectory, SurvivesSigkillMidLine) {
    agent::testing::TempDir dir;
    std::string             path = dir.path() + "/traj.jsonl";
    pid_t                   pid  = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        auto w = TrajectoryWriter::Open(path, Redactor());
        for (int i = 0; i < 3; ++i) {
            (void) w->append({{"type", "action"}, {"step", i}});
        }
        // Simulate dying inside a write: half an event, then SIGKILL.
        FILE * f = fopen(path.c_str(), "a");
        fputs("{\"type\":\"observ", f);
        fflush(f);
        raise(SIGKILL);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status));
    ASSERT_EQ(WTERMSIG(status), SIGKILL);

    auto events = read_trajectory(path);
    ASSERT_TRUE(events.ok());
    EXPECT_EQ(events->size(), 3u);

    auto w = TrajectoryWriter::Open(path, Redactor());
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->append({{"type", "final"}}).ok());
    events = read_trajectory(path);
    ASSERT_TRUE(events.ok()) << events.status().ToString();
    ASSERT_EQ(events->size(), 4u);
    EXPECT_EQ((*events)[3]["type"], "final");
}

TEST(Trajectory, MalformedCompleteLineIsAnErrorWithItsLine) {
    agent::testing::TempDir dir;
    std::string             path = dir.write("t.jsonl", "{\"type\":\"header\"}\nnot json\n");
    auto                    r    = read_trajectory(path);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find(path + ":2"), std::string::npos);
    EXPECT_EQ(read_trajectory(dir.path() + "/none.jsonl").status().code(), agent::StatusCode::kNotFound);
}
