// Generated at build time (repo_index/CMakeLists.txt): each grammar's queries/tags.scm.
#pragma once

#include <span>
#include <string_view>

namespace agent::repo_index {

struct TagsQuerySource {
    std::string_view language;
    std::string_view version;  // npm package version of the grammar
    std::string_view text;
};

std::span<const TagsQuerySource> tags_queries();

}  // namespace agent::repo_index
