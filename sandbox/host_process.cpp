#include "sandbox/host_process.h"

#include <boost/asio/connect_pipe.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/writable_pipe.hpp>
#include <boost/asio/write.hpp>
#include <boost/process/v2/environment.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/start_dir.hpp>
#include <boost/process/v2/stdio.hpp>

#include <array>
#include <functional>
#include <mutex>
#include <csignal>
#include <fcntl.h>
#include <sys/wait.h>

namespace agent::sandbox {

namespace asio = boost::asio;
namespace bp   = boost::process::v2;

namespace {

// Reads a pipe to EOF, keeping at most `cap` bytes in `sink` and counting all of them.
struct PipeReader {
    asio::readable_pipe &   pipe;
    std::string &           sink;
    size_t &                total;
    size_t                  cap;
    std::function<void()>   on_eof;
    std::array<char, 65536> buf{};

    void start() {
        pipe.async_read_some(asio::buffer(buf), [this](boost::system::error_code ec, size_t n) {
            if (n > 0) {
                total += n;
                if (sink.size() < cap) {
                    sink.append(buf.data(), std::min(n, cap - sink.size()));
                }
            }
            if (!ec) {
                start();
            } else {
                on_eof();
            }
        });
    }
};

}  // namespace

Result<HostProcessResult> run_host_process(const HostProcessParams & params) {
    if (params.argv.empty()) {
        return Status::InvalidArgument("run_host_process: empty argv");
    }
    // A child that exits without reading its stdin must not kill us with SIGPIPE.
    static std::once_flag ignore_sigpipe;
    std::call_once(ignore_sigpipe, [] { std::signal(SIGPIPE, SIG_IGN); });
    bp::filesystem::path exe = params.argv[0];
    if (params.argv[0].find('/') == std::string::npos) {
        exe = bp::environment::find_executable(params.argv[0]);
        if (exe.empty()) {
            return Status::NotFound("program not found in PATH: " + params.argv[0]);
        }
    }
    std::vector<std::string> args(params.argv.begin() + 1, params.argv.end());

    asio::io_context      ctx;
    // Pipes are made here and the child's ends passed as descriptors: Boost 1.81's
    // process_stdio picks its generic stream overload for asio pipes and never connects them.
    asio::readable_pipe   out_pipe(ctx), err_pipe(ctx), child_in(ctx);
    asio::writable_pipe   in_pipe(ctx), child_out(ctx), child_err(ctx);
    HostProcessResult     result;
    const auto            start = std::chrono::steady_clock::now();
    boost::system::error_code ec;

    std::vector<std::string> env_strings;
    if (params.env) {
        for (const auto & [k, v] : *params.env) {
            env_strings.push_back(k + "=" + v);
        }
    }
    std::optional<bp::process> proc;
    try {
        asio::connect_pipe(out_pipe, child_out);
        asio::connect_pipe(err_pipe, child_err);
        asio::connect_pipe(child_in, in_pipe);
        // Boost.Process does not close inherited descriptors: mark every pipe end
        // close-on-exec (dup2 onto 0/1/2 clears it for the child's own copies), so no
        // child keeps another pipe, or its own stdin's write end, open.
        for (int fd : {out_pipe.native_handle(), err_pipe.native_handle(), child_in.native_handle(),
                       in_pipe.native_handle(), child_out.native_handle(), child_err.native_handle()}) {
            fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
        // Initialisers must be non-const lvalues: Boost.Process silently skips the setup
        // hooks of const ones.
        bp::process_stdio stdio{child_in.native_handle(), child_out.native_handle(), child_err.native_handle()};
        bp::process_start_dir dir{params.cwd.empty() ? bp::filesystem::current_path() : bp::filesystem::path(params.cwd)};
        if (params.env) {
            proc.emplace(ctx, exe, args, stdio, dir, bp::process_environment{env_strings});
        } else {
            proc.emplace(ctx, exe, args, stdio, dir);
        }
    } catch (const boost::system::system_error & e) {
        return Status::IoError("failed to start " + params.argv[0] + ": " + e.what());
    }
    child_in.close(ec);  // the child holds its own copies now
    child_out.close(ec);
    child_err.close(ec);

    // One timer: first the deadline; once the child has exited, a short drain period after
    // which pipes still held open by its descendants are closed so we never hang on them.
    asio::steady_timer timer(ctx, params.timeout);
    bool               exited = false;
    int                open_readers = 2;
    auto               on_eof = [&] {
        if (--open_readers == 0 && exited) {
            timer.cancel();
        }
    };
    PipeReader out_reader{out_pipe, result.out, result.out_bytes_total, params.max_output_bytes, on_eof};
    PipeReader err_reader{err_pipe, result.err, result.err_bytes_total, params.max_output_bytes, on_eof};
    out_reader.start();
    err_reader.start();

    if (params.stdin_data.empty()) {
        in_pipe.close(ec);
    } else {
        asio::async_write(in_pipe, asio::buffer(params.stdin_data),
                          [&](boost::system::error_code, size_t) { in_pipe.close(ec); });
    }

    int native_status = 0;
    std::function<void(boost::system::error_code)> on_timer = [&](boost::system::error_code tec) {
        if (tec) {
            return;  // re-armed or cancelled
        }
        if (!exited) {
            result.timed_out = true;
            boost::system::error_code kec;
            proc->terminate(kec);  // SIGKILL on POSIX; async_wait below still reaps it
            return;
        }
        boost::system::error_code cec;
        out_pipe.close(cec);
        err_pipe.close(cec);
    };
    timer.async_wait(on_timer);
    proc->async_wait([&](boost::system::error_code, int) {
        exited = true;
        native_status = proc->native_exit_code();
        if (open_readers == 0) {
            timer.cancel();
            return;
        }
        timer.expires_after(std::chrono::milliseconds(500));
        timer.async_wait(on_timer);
    });
    ctx.run();

    if (WIFEXITED(native_status)) {
        result.exit_code = WEXITSTATUS(native_status);
    } else if (WIFSIGNALED(native_status)) {
        result.term_signal = WTERMSIG(native_status);
    }
    result.wall = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    return result;
}

}  // namespace agent::sandbox
