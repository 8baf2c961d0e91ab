// Host-side process supervision through Boost.Process v2.
//
// run_host_process() starts argv[0] (looked up in PATH when it has no '/'), feeds it
// stdin_data, captures stdout and stderr up to a byte cap each, and waits for it or for
// the timeout, whichever comes first. On timeout the process is killed (SIGKILL) and
// reaped. Output of descendants that outlive the child is read for at most 500 ms more.
// The first call sets SIGPIPE to SIG_IGN for the whole process (writes to a closed pipe
// then fail with EPIPE instead of killing us). Nothing here isolates the child: sandboxed
// execution is sandbox/session's job.
#pragma once

#include "agent/base/status.h"

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace agent::sandbox {

struct HostProcessParams {
    std::vector<std::string> argv;                    // REQUIRES: non-empty
    std::string              cwd;                     // "" = inherit
    std::optional<std::map<std::string, std::string>> env;  // nullopt = inherit the parent's
    std::string              stdin_data;              // written then closed
    std::chrono::milliseconds timeout{std::chrono::seconds(60)};
    size_t                   max_output_bytes = 8u << 20;  // per stream; the rest is drained and counted
};

struct HostProcessResult {
    int         exit_code = -1;  // -1 when killed by a signal
    int         term_signal = 0; // signal number when killed, else 0
    bool        timed_out = false;
    std::string out;
    std::string err;
    size_t      out_bytes_total = 0;  // bytes the child wrote, including any beyond the cap
    size_t      err_bytes_total = 0;
    std::chrono::milliseconds wall{0};
};

// Errors: kInvalidArgument for an empty argv, kNotFound when the program is not found,
// kIoError when the spawn itself fails. A non-zero exit is a successful Result.
Result<HostProcessResult> run_host_process(const HostProcessParams & params);

}  // namespace agent::sandbox
