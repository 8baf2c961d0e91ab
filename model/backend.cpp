#include "model/backend.h"

namespace agent::model {

const char * role_name(Role role) {
    switch (role) {
        case Role::kSystem:    return "system";
        case Role::kUser:      return "user";
        case Role::kAssistant: return "assistant";
        case Role::kTool:      return "tool";
    }
    return "user";
}

const char * finish_reason_name(FinishReason reason) {
    switch (reason) {
        case FinishReason::kStop:      return "stop";
        case FinishReason::kToolCalls: return "tool_calls";
        case FinishReason::kLength:    return "length";
        case FinishReason::kCancelled: return "cancelled";
    }
    return "stop";
}

}  // namespace agent::model
