// Trajectories: one JSON event per line, each line on disk before append() returns.
//
// Every event is an object with at least "type" (header, model_request, model_response,
// action, observation, checkpoint, context_elision, final, ...) and "ts" (Unix time in
// seconds, added by append()). Secrets are redacted before a byte is written. A process
// killed mid-write leaves at most one partial last line; read_trajectory() drops it, so a
// resumed run sees only complete events.
#pragma once

#include "agent/base/status.h"
#include "agent/redact.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace agent {

class TrajectoryWriter {
  public:
    // Opens (creating parent directories) for appending; an existing file is continued,
    // after cutting off a partial last line.
    static Result<TrajectoryWriter> Open(const std::string & path, Redactor redactor);

    TrajectoryWriter(TrajectoryWriter &&) noexcept;
    TrajectoryWriter & operator=(TrajectoryWriter &&) noexcept;
    ~TrajectoryWriter();

    // REQUIRES: event is an object with a string "type".
    Status append(nlohmann::json event);

    const std::string & path() const { return path_; }

  private:
    TrajectoryWriter(int fd, std::string path, Redactor redactor);
    int         fd_ = -1;
    std::string path_;
    Redactor    redactor_;
};

// All complete events of a trajectory file, in order. Errors: kNotFound, or
// kInvalidArgument naming the line of a complete but malformed event.
Result<std::vector<nlohmann::json>> read_trajectory(const std::string & path);

}  // namespace agent
