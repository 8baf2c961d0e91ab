// TempDir: a fresh directory under $TMPDIR, removed with everything in it on destruction.
#pragma once

#include <string>

namespace agent::testing {

class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir &) = delete;
    TempDir & operator=(const TempDir &) = delete;

    const std::string & path() const { return path_; }
    // Writes `content` to path()/rel, creating parent directories.
    std::string write(const std::string & rel, const std::string & content) const;
    std::string read(const std::string & rel) const;

  private:
    std::string path_;
};

}  // namespace agent::testing
