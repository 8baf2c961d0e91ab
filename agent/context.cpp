#include "agent/context.h"

namespace agent {

int Context::turns() const {
    int n = 0;
    for (const auto & m : messages_) {
        n += m.role == model::Role::kAssistant ? 1 : 0;
    }
    return n;
}

Result<std::vector<Elision>> Context::fit(const TokenCounter & count) {
    elided_.resize(messages_.size(), false);
    std::vector<Elision> done;

    // Index of the first message of the protected tail (the last keep_last_turns turns).
    size_t tail_start = messages_.size();
    for (int seen = 0; tail_start > 0;) {
        --tail_start;
        if (messages_[tail_start].role == model::Role::kAssistant && ++seen == params_.keep_last_turns) {
            break;
        }
    }
    if (params_.keep_last_turns <= 0) {
        tail_start = messages_.size();
    }

    for (;;) {
        auto total = count(messages_);
        if (!total.ok()) {
            return total.status();
        }
        if (*total <= params_.max_prompt_tokens) {
            return done;
        }
        // Oldest observation that may go.
        size_t victim = messages_.size();
        for (size_t i = 0; i < tail_start; ++i) {
            if (messages_[i].role == model::Role::kTool && !elided_[i]) {
                victim = i;
                break;
            }
        }
        if (victim == messages_.size()) {
            return Status::InvalidArgument("context overflow: the prompt needs " + std::to_string(*total) +
                                           " tokens but the budget is " + std::to_string(params_.max_prompt_tokens) +
                                           " and nothing more can be elided (task, system prompt and the last " +
                                           std::to_string(params_.keep_last_turns) + " turns are kept)");
        }
        model::Message & m = messages_[victim];
        Elision          e{victim, *total, m.content.size()};
        m.content          = "[elided: " + std::to_string(m.content.size()) +
                    " bytes of an old observation, removed to fit the context window]";
        elided_[victim] = true;
        done.push_back(e);
    }
}

}  // namespace agent
