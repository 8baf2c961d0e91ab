#include "actions/git_repo.h"

#include <git2.h>

#include <mutex>

namespace agent::actions {

namespace {

void ensure_init() {
    static std::once_flag once;
    std::call_once(once, [] { git_libgit2_init(); });
}

Status git_status(const std::string & what, int code) {
    const ::git_error * e   = git_error_last();
    std::string       msg = what + ": " + (e && e->message ? std::string(e->message) : "libgit2 error " + std::to_string(code));
    return code == GIT_ENOTFOUND ? Status::NotFound(msg) : Status::IoError(msg);
}

template <typename T, void (*Free)(T *)> struct Deleter {
    void operator()(T * p) const { Free(p); }
};
using Index     = std::unique_ptr<git_index, Deleter<git_index, git_index_free>>;
using Tree      = std::unique_ptr<git_tree, Deleter<git_tree, git_tree_free>>;
using Object    = std::unique_ptr<git_object, Deleter<git_object, git_object_free>>;
using Commit    = std::unique_ptr<git_commit, Deleter<git_commit, git_commit_free>>;
using Signature = std::unique_ptr<git_signature, Deleter<git_signature, git_signature_free>>;
using Diff      = std::unique_ptr<git_diff, Deleter<git_diff, git_diff_free>>;

std::string oid_hex(const git_oid & oid) {
    char buf[GIT_OID_HEXSZ + 1];
    git_oid_tostr(buf, sizeof buf, &oid);
    return buf;
}

}  // namespace

GitRepo::GitRepo(git_repository * repo) : repo_(repo) {}
GitRepo::GitRepo(GitRepo && o) noexcept : repo_(o.repo_) { o.repo_ = nullptr; }
GitRepo & GitRepo::operator=(GitRepo && o) noexcept {
    std::swap(repo_, o.repo_);
    return *this;
}
GitRepo::~GitRepo() {
    if (repo_ != nullptr) {
        git_repository_free(repo_);
    }
}

Result<GitRepo> GitRepo::Open(const std::string & path) {
    ensure_init();
    git_repository * repo = nullptr;
    int              rc   = git_repository_open_ext(&repo, path.c_str(), 0, nullptr);
    if (rc != 0) {
        return rc == GIT_ENOTFOUND ? Status::NotFound("not a git repository: " + path)
                                   : git_status("cannot open git repository " + path, rc);
    }
    return GitRepo(repo);
}

Result<GitRepo> GitRepo::Init(const std::string & path) {
    ensure_init();
    git_repository * repo = nullptr;
    int              rc   = git_repository_init(&repo, path.c_str(), 0);
    if (rc != 0) {
        return git_status("cannot create git repository " + path, rc);
    }
    return GitRepo(repo);
}

std::string GitRepo::workdir() const {
    const char * w = git_repository_workdir(repo_);
    return w ? w : "";
}

Result<std::string> GitRepo::commit_all(const std::string & message) {
    git_index * raw_index = nullptr;
    if (int rc = git_repository_index(&raw_index, repo_); rc != 0) {
        return git_status("cannot read the index", rc);
    }
    Index        index(raw_index);
    char *       all[] = {const_cast<char *>("*")};
    git_strarray spec{all, 1};
    if (int rc = git_index_add_all(index.get(), &spec, GIT_INDEX_ADD_DEFAULT, nullptr, nullptr); rc != 0) {
        return git_status("cannot stage the work tree", rc);
    }
    if (int rc = git_index_update_all(index.get(), &spec, nullptr, nullptr); rc != 0) {
        return git_status("cannot stage deletions", rc);
    }
    if (int rc = git_index_write(index.get()); rc != 0) {
        return git_status("cannot write the index", rc);
    }
    git_oid tree_id;
    if (int rc = git_index_write_tree(&tree_id, index.get()); rc != 0) {
        return git_status("cannot write the tree", rc);
    }
    git_tree * raw_tree = nullptr;
    if (int rc = git_tree_lookup(&raw_tree, repo_, &tree_id); rc != 0) {
        return git_status("cannot look up the new tree", rc);
    }
    Tree            tree(raw_tree);
    git_signature * raw_sig = nullptr;
    if (int rc = git_signature_default(&raw_sig, repo_); rc != 0) {
        if (int rc2 = git_signature_now(&raw_sig, "agent", "agent@localhost"); rc2 != 0) {
            return git_status("cannot make a commit signature", rc2);
        }
    }
    Signature sig(raw_sig);

    Commit                     parent;
    git_oid                    head_id;
    if (git_reference_name_to_id(&head_id, repo_, "HEAD") == 0) {
        git_commit * raw_parent = nullptr;
        if (int rc = git_commit_lookup(&raw_parent, repo_, &head_id); rc != 0) {
            return git_status("cannot look up HEAD", rc);
        }
        parent.reset(raw_parent);
    }
    const git_commit * parents[] = {parent.get()};
    git_oid            commit_id;
    int rc = git_commit_create(&commit_id, repo_, "HEAD", sig.get(), sig.get(), nullptr, message.c_str(), tree.get(),
                               parent ? 1 : 0, parents);
    if (rc != 0) {
        return git_status("cannot create the commit", rc);
    }
    return oid_hex(commit_id);
}

Result<std::string> GitRepo::head_commit() const {
    git_oid id;
    if (int rc = git_reference_name_to_id(&id, repo_, "HEAD"); rc != 0) {
        return git_status("HEAD does not point at a commit", rc);
    }
    return oid_hex(id);
}

Result<std::string> GitRepo::diff_to_workdir(const std::string & commit) const {
    git_object * raw_obj = nullptr;
    if (int rc = git_revparse_single(&raw_obj, repo_, (commit + "^{tree}").c_str()); rc != 0) {
        return git_status("unknown commit '" + commit + "'", rc);
    }
    Object obj(raw_obj);

    git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
    opts.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS | GIT_DIFF_SHOW_UNTRACKED_CONTENT;
    git_diff * raw_diff = nullptr;
    if (int rc = git_diff_tree_to_workdir_with_index(&raw_diff, repo_, reinterpret_cast<git_tree *>(obj.get()), &opts);
        rc != 0) {
        return git_status("cannot diff against " + commit, rc);
    }
    Diff    diff(raw_diff);
    git_buf buf = GIT_BUF_INIT;
    if (int rc = git_diff_to_buf(&buf, diff.get(), GIT_DIFF_FORMAT_PATCH); rc != 0) {
        return git_status("cannot format the diff", rc);
    }
    std::string patch(buf.ptr ? buf.ptr : "", buf.size);
    git_buf_dispose(&buf);
    return patch;
}

DependencyReport actions_dependencies() {
    ensure_init();
    int major = 0, minor = 0, rev = 0;
    git_libgit2_version(&major, &minor, &rev);
    int         f = git_libgit2_features();
    std::string features;
    features += (f & GIT_FEATURE_THREADS) ? "threads" : "no-threads";
    features += (f & GIT_FEATURE_HTTPS) ? " https" : "";
    features += (f & GIT_FEATURE_SSH) ? " ssh" : "";
    return {{"libgit2", std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(rev), features, true,
             ""}};
}

}  // namespace agent::actions
