// Process-wide llama.cpp state: backend initialisation, logging and version facts.
#pragma once

#include "agent/base/dependency_info.h"

namespace agent::model {

// Initialises llama.cpp's backends once per process (thread-safe, idempotent) and routes
// llama.cpp's log to stderr at error level (everything when the environment
// variable AGENT_LLAMA_LOG=1).
void llama_runtime_init();

// llama.cpp tag, commit and build; ggml backends and devices; libcurl and its TLS backend.
DependencyReport model_dependencies();

}  // namespace agent::model
