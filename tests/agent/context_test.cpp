#include "agent/context.h"
#include "agent/limits.h"
#include "model/vocab.h"

#include <gtest/gtest.h>

using agent::Context;
using agent::ContextParams;
using agent::LimitTracker;
using agent::RunLimits;
using agent::model::Message;
using agent::model::Role;

namespace {

// Counts with the real DeepSeek tokenizer: every message's role and content, plus a few
// tokens of template overhead per message.
agent::TokenCounter deepseek_counter() {
    auto vocab = agent::model::Vocab::Load(std::string(AGENT_LLAMA_MODELS_DIR) + "/ggml-vocab-deepseek-coder.gguf");
    EXPECT_TRUE(vocab.ok()) << vocab.status().ToString();
    std::shared_ptr<agent::model::Vocab> v = vocab.ok() ? *vocab : nullptr;
    return [v](const std::vector<Message> & msgs) -> agent::Result<int64_t> {
        int64_t n = 0;
        for (const auto & m : msgs) {
            n += 4 + static_cast<int64_t>(v->count_tokens(m.content));
        }
        return n;
    };
}

Context conversation(int turns, size_t observation_bytes, ContextParams params) {
    Context c(params);
    c.add({Role::kSystem, "You are a coding agent.", {}, ""});
    c.add({Role::kUser, "Fix the off-by-one in range_sum().", {}, ""});
    for (int t = 0; t < turns; ++t) {
        c.add({Role::kAssistant, "", {{"call_" + std::to_string(t), "read_file", "{\"path\":\"a.py\"}"}}, ""});
        c.add({Role::kTool, std::string(observation_bytes, 'a' + t % 26) + " line\n", {}, "call_" + std::to_string(t)});
    }
    return c;
}

}  // namespace

TEST(Context, FitsWithoutElidingWhenUnderBudget) {
    Context c       = conversation(3, 100, {100000, 2});
    auto    elided  = c.fit(deepseek_counter());
    ASSERT_TRUE(elided.ok()) << elided.status().ToString();
    EXPECT_TRUE(elided->empty());
    EXPECT_EQ(c.turns(), 3);
}

TEST(Context, ElidesOldestObservationsFirstAndKeepsTaskAndTail) {
    auto    count  = deepseek_counter();
    Context c      = conversation(6, 4000, {6000, 2});
    auto    elided = c.fit(count);
    ASSERT_TRUE(elided.ok()) << elided.status().ToString();
    ASSERT_FALSE(elided->empty());
    EXPECT_LE(*count(c.messages()), 6000);
    // Elided in order, oldest first: message 3 is the first observation.
    EXPECT_EQ((*elided)[0].message_index, 3u);
    for (size_t i = 1; i < elided->size(); ++i) {
        EXPECT_EQ((*elided)[i].message_index, (*elided)[i - 1].message_index + 2);
    }
    const auto & m = c.messages();
    EXPECT_EQ(m[1].content, "Fix the off-by-one in range_sum().");
    EXPECT_NE(m[3].content.find("[elided: 4006 bytes"), std::string::npos) << m[3].content;
    // The last two turns' observations are intact.
    EXPECT_EQ(m[m.size() - 1].content.size(), 4006u);
    EXPECT_EQ(m[m.size() - 3].content.size(), 4006u);

    // Deterministic, and elision is permanent: fitting again elides nothing new.
    Context again = conversation(6, 4000, {6000, 2});
    auto    e2    = again.fit(count);
    ASSERT_TRUE(e2.ok());
    EXPECT_EQ(e2->size(), elided->size());
    EXPECT_TRUE(c.fit(count)->empty());
}

TEST(Context, OverflowWhenTheProtectedPartAloneIsTooBig) {
    Context c = conversation(2, 20000, {3000, 2});
    auto    r = c.fit(deepseek_counter());
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("context overflow"), std::string::npos);
    EXPECT_NE(r.status().message().find("3000"), std::string::npos);
}

TEST(Limits, EachLimitFiresWithItsReason) {
    LimitTracker steps(RunLimits{.max_steps = 2});
    steps.add_step();
    EXPECT_FALSE(steps.check());
    steps.add_step();
    EXPECT_NE(steps.check()->find("step limit"), std::string::npos);

    LimitTracker tokens(RunLimits{.max_total_tokens = 100});
    tokens.add_tokens(100);
    EXPECT_NE(tokens.check()->find("token limit"), std::string::npos);

    LimitTracker cost(RunLimits{.max_cost_usd = 0.5});
    cost.add_cost(0.6);
    EXPECT_NE(cost.check()->find("cost limit"), std::string::npos);

    LimitTracker wall(RunLimits{.max_wall_seconds = 10});
    wall.set_wall_seconds(11);
    EXPECT_NE(wall.check()->find("wall-time"), std::string::npos);

    LimitTracker invalid(RunLimits{.max_consecutive_invalid = 2});
    invalid.add_turn_validity(false);
    invalid.add_turn_validity(true);
    invalid.add_turn_validity(false);
    EXPECT_FALSE(invalid.check());
    invalid.add_turn_validity(false);
    EXPECT_NE(invalid.check()->find("2 consecutive turns"), std::string::npos);
}

TEST(Limits, StuckOnlyWhenActionArgsAndObservationAllRepeat) {
    LimitTracker t(RunLimits{.stuck_repeats = 3});
    t.add_action("run", "{\"cmd\":\"make\"}", "error 1");
    t.add_action("run", "{\"cmd\":\"make\"}", "error 1");
    EXPECT_FALSE(t.check());
    t.add_action("run", "{\"cmd\":\"make\"}", "error 2");  // a different observation resets
    t.add_action("run", "{\"cmd\":\"make\"}", "error 2");
    EXPECT_FALSE(t.check());
    t.add_action("run", "{\"cmd\":\"make\"}", "error 2");
    auto why = t.check();
    ASSERT_TRUE(why);
    EXPECT_NE(why->find("stuck"), std::string::npos);
    EXPECT_NE(why->find("run"), std::string::npos);
}
