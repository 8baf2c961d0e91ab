// Context: the conversation the agent sends to the model, kept inside a token budget.
//
// Messages are only ever appended. When the rendered prompt no longer fits, the oldest
// tool observations outside the last `keep_last_turns` turns are elided, oldest first:
// their content is replaced by a short marker saying what was removed. Elision is
// permanent, so the prompt prefix stays stable between turns (the embedded backend reuses
// its KV cache for it). The system message and the task (first user message) are never
// elided. Deterministic for the same messages and token counts.
#pragma once

#include "agent/base/status.h"
#include "model/backend.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace agent {

struct ContextParams {
    int64_t max_prompt_tokens = 32768;  // budget for the whole rendered prompt
    int     keep_last_turns   = 3;      // assistant turns (with their observations) never elided
};

struct Elision {
    size_t  message_index = 0;
    int64_t tokens_before = 0;
    size_t  bytes_removed = 0;
};

// Exact token count of a rendered prompt (backend-specific: chat template + tokenizer).
using TokenCounter = std::function<Result<int64_t>(const std::vector<model::Message> &)>;

class Context {
  public:
    explicit Context(ContextParams params) : params_(params) {}

    void add(model::Message message) { messages_.push_back(std::move(message)); }

    const std::vector<model::Message> & messages() const { return messages_; }

    // Elides as needed so `count(messages())` <= max_prompt_tokens; returns what it elided
    // this time (also recorded by the caller in the trajectory).
    // Errors: kInvalidArgument ("context overflow ...") when even after eliding every
    // allowed observation the prompt is too large; the message says by how much.
    Result<std::vector<Elision>> fit(const TokenCounter & count);

    // Number of assistant turns so far.
    int turns() const;

  private:
    ContextParams               params_;
    std::vector<model::Message> messages_;
    std::vector<bool>           elided_;
};

}  // namespace agent
