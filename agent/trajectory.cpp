#include "agent/trajectory.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace agent {

namespace {

Status write_all(int fd, const std::string & data, const std::string & path) {
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return Status::IoError("cannot write " + path + ": " + std::strerror(errno));
        }
        done += static_cast<size_t>(n);
    }
    return Status::Ok();
}

}  // namespace

TrajectoryWriter::TrajectoryWriter(int fd, std::string path, Redactor redactor) :
    fd_(fd),
    path_(std::move(path)),
    redactor_(std::move(redactor)) {}

TrajectoryWriter::TrajectoryWriter(TrajectoryWriter && o) noexcept :
    fd_(o.fd_),
    path_(std::move(o.path_)),
    redactor_(std::move(o.redactor_)) {
    o.fd_ = -1;
}

TrajectoryWriter & TrajectoryWriter::operator=(TrajectoryWriter && o) noexcept {
    std::swap(fd_, o.fd_);
    std::swap(path_, o.path_);
    std::swap(redactor_, o.redactor_);
    return *this;
}

TrajectoryWriter::~TrajectoryWriter() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

Result<TrajectoryWriter> TrajectoryWriter::Open(const std::string & path, Redactor redactor) {
    std::error_code       ec;
    std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) {
        std::filesystem::create_directories(parent, ec);
    }
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        return Status::IoError("cannot open trajectory " + path + ": " + std::strerror(errno));
    }
    // Cut a partial last line (a run killed mid-write) so appends start on a line boundary.
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_size > 0) {
        off_t end = st.st_size;
        char  c   = 0;
        while (end > 0 && ::pread(fd, &c, 1, end - 1) == 1 && c != '\n') {
            --end;
        }
        if (end != st.st_size && ::ftruncate(fd, end) != 0) {
            ::close(fd);
            return Status::IoError("cannot repair trajectory " + path + ": " + std::strerror(errno));
        }
    }
    if (::lseek(fd, 0, SEEK_END) < 0) {
        ::close(fd);
        return Status::IoError("cannot seek trajectory " + path);
    }
    return TrajectoryWriter(fd, path, std::move(redactor));
}

Status TrajectoryWriter::append(nlohmann::json event) {
    if (!event.is_object() || !event.contains("type") || !event["type"].is_string()) {
        return Status::InvalidArgument("trajectory event without a string \"type\"");
    }
    if (!event.contains("ts")) {
        using namespace std::chrono;
        event["ts"] = duration<double>(system_clock::now().time_since_epoch()).count();
    }
    // One write() per event: another process tailing the file never sees half a line
    // unless we are killed inside the call.
    std::string line =
        redactor_.apply(event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) + "\n";
    return write_all(fd_, line, path_);
}

Result<std::vector<nlohmann::json>> read_trajectory(const std::string & path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return Status::NotFound("cannot open trajectory " + path);
    }
    std::stringstream ss;
    ss << in.rdbuf();
    std::string                 data = ss.str();
    std::vector<nlohmann::json> events;
    size_t                      line_no = 0;
    for (size_t pos = 0; pos < data.size();) {
        size_t nl = data.find('\n', pos);
        if (nl == std::string::npos) {
            break;  // partial last line of a killed run
        }
        ++line_no;
        std::string_view line(data.data() + pos, nl - pos);
        pos = nl + 1;
        if (line.empty()) {
            continue;
        }
        nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_discarded() || !j.is_object()) {
            return Status::InvalidArgument(path + ":" + std::to_string(line_no) + ": malformed trajectory event");
        }
        events.push_back(std::move(j));
    }
    return events;
}

}  // namespace agent
