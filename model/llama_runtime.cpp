#include "model/llama_runtime.h"

#include "build-info.h"
#include "ggml-backend.h"
#include "llama.h"

#include <curl/curl.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

namespace agent::model {

namespace {

void log_callback(ggml_log_level level, const char * text, void * /*user*/) {
    static const bool verbose = [] {
        const char * v = std::getenv("AGENT_LLAMA_LOG");
        return v != nullptr && std::strcmp(v, "1") == 0;
    }();
    if (verbose || level == GGML_LOG_LEVEL_ERROR) {
        std::fputs(text, stderr);
    }
}

}  // namespace

void llama_runtime_init() {
    static std::once_flag once;
    std::call_once(once, [] {
        llama_log_set(log_callback, nullptr);
        llama_backend_init();
        ggml_backend_load_all();
    });
}

DependencyReport model_dependencies() {
    llama_runtime_init();
    DependencyReport report;

    report.push_back({"llama.cpp", AGENT_LLAMA_TAG,
                      std::string("commit ") + AGENT_LLAMA_COMMIT + ", build " + llama_build_info() + ", " +
                          llama_compiler() + " for " + llama_build_target(),
                      true, ""});

    std::string devices;
    for (size_t i = 0; i < ggml_backend_dev_count(); ++i) {
        ggml_backend_dev_t dev = ggml_backend_dev_get(i);
        devices += std::string(devices.empty() ? "" : "; ") + ggml_backend_dev_name(dev) + " (" +
                   ggml_backend_dev_description(dev) + ")";
    }
    std::string regs;
    for (size_t i = 0; i < ggml_backend_reg_count(); ++i) {
        regs += std::string(regs.empty() ? "" : ",") + ggml_backend_reg_name(ggml_backend_reg_get(i));
    }
    DependencyInfo ggml{"ggml backends", regs, devices, ggml_backend_dev_count() > 0, ""};
    if (!ggml.ok) {
        ggml.problem = "no ggml compute device is registered; the embedded backend cannot run";
    }
    report.push_back(ggml);
    report.push_back({"ggml CPU features", "", llama_print_system_info(), true, ""});

    const curl_version_info_data * cv = curl_version_info(CURLVERSION_NOW);
    DependencyInfo curl{"libcurl", cv->version, std::string("TLS ") + (cv->ssl_version ? cv->ssl_version : "none"),
                        true, ""};
    if (cv->ssl_version == nullptr) {
        curl.ok      = false;
        curl.problem = "libcurl has no TLS backend; https model endpoints (DeepSeek, OpenAI) cannot be reached";
    }
    report.push_back(curl);
    return report;
}

}  // namespace agent::model
