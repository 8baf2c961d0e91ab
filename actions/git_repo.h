// GitRepo: the few libgit2 operations the actions and the harness need.
//
// Checkpoints and diffs go through libgit2 in-process (no `git` subprocess). A GitRepo is
// movable, not copyable, and not thread-safe; open one per thread.
#pragma once

#include "agent/base/dependency_info.h"
#include "agent/base/status.h"

#include <memory>
#include <string>

struct git_repository;

namespace agent::actions {

class GitRepo {
  public:
    // Errors: kNotFound when `path` is not inside a git work tree.
    static Result<GitRepo> Open(const std::string & path);
    // Creates a repository (work tree + .git) at `path`; reopens it when it already exists.
    static Result<GitRepo> Init(const std::string & path);

    GitRepo(GitRepo &&) noexcept;
    GitRepo & operator=(GitRepo &&) noexcept;
    ~GitRepo();

    std::string workdir() const;

    // Stages everything in the work tree that .gitignore does not exclude (additions,
    // changes and deletions) and commits it on HEAD. Returns the new commit's hex id.
    Result<std::string> commit_all(const std::string & message);

    // Hex id of the commit HEAD points at. Errors: kNotFound on an unborn branch.
    Result<std::string> head_commit() const;

    // Unified diff (git's patch format) from the tree of `commit` (hex id or a revspec
    // such as "HEAD") to the work tree, untracked non-ignored files included.
    Result<std::string> diff_to_workdir(const std::string & commit) const;

  private:
    explicit GitRepo(git_repository * repo);
    git_repository * repo_ = nullptr;
};

// libgit2's version and compiled-in features.
DependencyReport actions_dependencies();

}  // namespace agent::actions
