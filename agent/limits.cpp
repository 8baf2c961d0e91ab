#include "agent/limits.h"

#include <sstream>

namespace agent {

void LimitTracker::add_action(const std::string & name, const std::string & args, const std::string & observation) {
    recent_.push_back(name + '\x1f' + args + '\x1f' + observation);
    while (static_cast<int>(recent_.size()) > limits_.stuck_repeats) {
        recent_.pop_front();
    }
}

std::optional<std::string> LimitTracker::check() const {
    std::ostringstream why;
    if (limits_.max_steps > 0 && steps_ >= limits_.max_steps) {
        why << "step limit reached (" << steps_ << " of " << limits_.max_steps << ")";
    } else if (limits_.max_total_tokens > 0 && tokens_ >= limits_.max_total_tokens) {
        why << "token limit reached (" << tokens_ << " of " << limits_.max_total_tokens << ")";
    } else if (limits_.max_cost_usd > 0 && cost_ >= limits_.max_cost_usd) {
        why << "cost limit reached ($" << cost_ << " of $" << limits_.max_cost_usd << ")";
    } else if (limits_.max_wall_seconds > 0 && wall_ >= limits_.max_wall_seconds) {
        why << "wall-time limit reached (" << wall_ << " s of " << limits_.max_wall_seconds << " s)";
    } else if (limits_.max_consecutive_invalid > 0 && invalid_run_ >= limits_.max_consecutive_invalid) {
        why << invalid_run_ << " consecutive turns without a valid action";
    } else if (limits_.stuck_repeats > 1 && static_cast<int>(recent_.size()) == limits_.stuck_repeats) {
        bool same = true;
        for (const auto & r : recent_) {
            same = same && r == recent_.front();
        }
        if (same) {
            why << "stuck: the same action with the same arguments and observation " << limits_.stuck_repeats
                << " times in a row (" << recent_.front().substr(0, recent_.front().find('\x1f')) << ")";
        }
    }
    std::string s = why.str();
    return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

}  // namespace agent
