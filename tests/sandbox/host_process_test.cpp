#include "sandbox/host_process.h"

#include <gtest/gtest.h>

#include <csignal>

using agent::StatusCode;
using agent::sandbox::HostProcessParams;
using agent::sandbox::run_host_process;

TEST(HostProcess, CapturesStdoutStderrAndExitCode) {
    HostProcessParams p;
    p.argv = {"sh", "-c", "echo out; echo err >&2; exit 3"};
    auto r = run_host_process(p);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->exit_code, 3);
    EXPECT_EQ(r->term_signal, 0);
    EXPECT_FALSE(r->timed_out);
    EXPECT_EQ(r->out, "out\n");
    EXPECT_EQ(r->err, "err\n");
}

TEST(HostProcess, FeedsStdinAndUsesCwdAndEnv) {
    HostProcessParams p;
    p.argv       = {"sh", "-c", "cat; pwd; echo \"$GREETING\"; echo \"${HOME:-nohome}\""};
    p.stdin_data = "from stdin\n";
    p.cwd        = "/usr";
    p.env        = std::map<std::string, std::string>{{"GREETING", "hi"}, {"PATH", "/usr/bin:/bin"}};
    auto r       = run_host_process(p);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->out, "from stdin\n/usr\nhi\nnohome\n");
    EXPECT_EQ(r->exit_code, 0);
}

TEST(HostProcess, TimeoutKillsTheProcess) {
    HostProcessParams p;
    p.argv    = {"sleep", "30"};
    p.timeout = std::chrono::milliseconds(300);
    auto r    = run_host_process(p);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r->timed_out);
    EXPECT_EQ(r->term_signal, SIGKILL);
    EXPECT_LT(r->wall.count(), 5000);
}

TEST(HostProcess, CapsOutputButCountsEveryByte) {
    HostProcessParams p;
    p.argv             = {"head", "-c", "1000000", "/dev/zero"};
    p.max_output_bytes = 1000;
    auto r             = run_host_process(p);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->out.size(), 1000u);
    EXPECT_EQ(r->out_bytes_total, 1000000u);
}

TEST(HostProcess, ReportsDeathBySignal) {
    HostProcessParams p;
    p.argv = {"sh", "-c", "kill -TERM $$"};
    auto r = run_host_process(p);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->exit_code, -1);
    EXPECT_EQ(r->term_signal, SIGTERM);
}

TEST(HostProcess, DoesNotHangOnABackgroundedGrandchildHoldingThePipe) {
    HostProcessParams p;
    p.argv    = {"sh", "-c", "sleep 20 & echo started"};
    p.timeout = std::chrono::seconds(10);
    auto r    = run_host_process(p);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->out, "started\n");
    EXPECT_FALSE(r->timed_out);
    EXPECT_LT(r->wall.count(), 5000);
}

TEST(HostProcess, MissingProgramAndEmptyArgvAreErrors) {
    HostProcessParams p;
    p.argv = {"definitely-not-a-program-xyz"};
    auto r = run_host_process(p);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
    EXPECT_NE(r.status().message().find("definitely-not-a-program-xyz"), std::string::npos);

    p.argv.clear();
    EXPECT_EQ(run_host_process(p).status().code(), StatusCode::kInvalidArgument);
}

TEST(HostProcess, ChildIgnoringStdinDoesNotKillUs) {
    HostProcessParams p;
    p.argv       = {"true"};
    p.stdin_data = std::string(4 << 20, 'x');  // more than a pipe holds
    auto r       = run_host_process(p);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->exit_code, 0);
}
