// Status and Result<T>: errors as values at every module edge (LevelDB style).
//
// A Status is either OK or carries a code and a message a user can act on. Result<T>
// holds a T or a non-OK Status. Neither throws; callers check ok() before value().
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace agent {

enum class StatusCode {
    kOk = 0,
    kInvalidArgument,   // the caller (or the model) sent something malformed
    kNotFound,          // a file, action, model or instance does not exist
    kPermissionDenied,  // refused by policy: path outside the workspace, host not allowlisted
    kIoError,           // the operating system failed a read, write or spawn
    kUnavailable,       // a dependency or endpoint is down or missing on this host
    kTimeout,           // a deadline passed
    kCancelled,         // the user or the caller stopped the operation
    kInternal,          // a bug or an invariant broke
};

const char * status_code_name(StatusCode code);

class Status {
  public:
    Status() = default;  // OK

    static Status Ok() { return Status(); }
    static Status Error(StatusCode code, std::string message) { return Status(code, std::move(message)); }
    static Status InvalidArgument(std::string m) { return Status(StatusCode::kInvalidArgument, std::move(m)); }
    static Status NotFound(std::string m) { return Status(StatusCode::kNotFound, std::move(m)); }
    static Status PermissionDenied(std::string m) { return Status(StatusCode::kPermissionDenied, std::move(m)); }
    static Status IoError(std::string m) { return Status(StatusCode::kIoError, std::move(m)); }
    static Status Unavailable(std::string m) { return Status(StatusCode::kUnavailable, std::move(m)); }
    static Status Timeout(std::string m) { return Status(StatusCode::kTimeout, std::move(m)); }
    static Status Cancelled(std::string m) { return Status(StatusCode::kCancelled, std::move(m)); }
    static Status Internal(std::string m) { return Status(StatusCode::kInternal, std::move(m)); }

    bool ok() const { return code_ == StatusCode::kOk; }
    StatusCode code() const { return code_; }
    const std::string & message() const { return message_; }

    // "OK" or "<code name>: <message>".
    std::string ToString() const {
        if (ok()) {
            return "OK";
        }
        return std::string(status_code_name(code_)) + ": " + message_;
    }

  private:
    Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

    StatusCode  code_ = StatusCode::kOk;
    std::string message_;
};

inline const char * status_code_name(StatusCode code) {
    switch (code) {
        case StatusCode::kOk:               return "OK";
        case StatusCode::kInvalidArgument:  return "invalid argument";
        case StatusCode::kNotFound:         return "not found";
        case StatusCode::kPermissionDenied: return "permission denied";
        case StatusCode::kIoError:          return "I/O error";
        case StatusCode::kUnavailable:      return "unavailable";
        case StatusCode::kTimeout:          return "timeout";
        case StatusCode::kCancelled:        return "cancelled";
        case StatusCode::kInternal:         return "internal error";
    }
    return "unknown";
}

// Result<T>: a value or a non-OK Status.
// REQUIRES: a Result built from a Status is built from a non-OK one.
template <typename T> class Result {
  public:
    Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)

    Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
        assert(!std::get<Status>(v_).ok());
    }

    bool ok() const { return std::holds_alternative<T>(v_); }

    // OK when a value is held.
    Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

    // REQUIRES: ok()
    T &       value() & { return std::get<T>(v_); }
    const T & value() const & { return std::get<T>(v_); }
    T &&      value() && { return std::get<T>(std::move(v_)); }

    T *       operator->() { return &value(); }
    const T * operator->() const { return &value(); }
    T &       operator*() & { return value(); }
    const T & operator*() const & { return value(); }

  private:
    std::variant<T, Status> v_;
};

}  // namespace agent
