#include "model/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

namespace agent::model {

namespace {

struct Transfer {
    const HttpRequest & req;
    HttpResponse &      resp;
    bool                cancelled = false;
};

size_t on_write(char * data, size_t size, size_t nmemb, void * user) {
    auto * t = static_cast<Transfer *>(user);
    size_t n = size * nmemb;
    if (t->req.on_body_chunk) {
        if (!t->req.on_body_chunk(std::string_view(data, n))) {
            t->cancelled = true;
            return 0;  // makes curl fail with CURLE_WRITE_ERROR
        }
    } else {
        t->resp.body.append(data, n);
    }
    return n;
}

size_t on_header(char * data, size_t size, size_t nitems, void * user) {
    auto *      t = static_cast<Transfer *>(user);
    size_t      n = size * nitems;
    std::string line(data, n);
    if (line.rfind("HTTP/", 0) == 0) {
        t->resp.headers.clear();  // a new response (after a redirect or 100-continue)
        return n;
    }
    size_t colon = line.find(':');
    if (colon == std::string::npos) {
        return n;
    }
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string value = line.substr(colon + 1);
    auto        not_space = [](unsigned char c) { return !std::isspace(c); };
    value.erase(value.begin(), std::find_if(value.begin(), value.end(), not_space));
    value.erase(std::find_if(value.rbegin(), value.rend(), not_space).base(), value.end());
    t->resp.headers.emplace_back(std::move(name), std::move(value));
    return n;
}

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
    for (const auto & [k, v] : headers) {
        if (k == name) {
            return v;
        }
    }
    return "";
}

Result<HttpResponse> http_request(const HttpRequest & request) {
    global_init();
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) {
        return Status::Internal("curl_easy_init failed");
    }
    HttpResponse resp;
    Transfer     t{request, resp};
    CURL *       h = curl.get();

    curl_slist * raw_headers = nullptr;
    for (const auto & [k, v] : request.headers) {
        raw_headers = curl_slist_append(raw_headers, (k + ": " + v).c_str());
    }
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(raw_headers, curl_slist_free_all);

    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.total_timeout.count()));
    if (request.idle_timeout.count() > 0) {
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, static_cast<long>(request.idle_timeout.count()));
    }
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");

    CURLcode rc = curl_easy_perform(h);
    if (t.cancelled) {
        return Status::Cancelled("request to " + request.url + " cancelled by the caller");
    }
    if (rc != CURLE_OK) {
        std::string what = std::string(curl_easy_strerror(rc));
        switch (rc) {
            case CURLE_URL_MALFORMAT:
            case CURLE_UNSUPPORTED_PROTOCOL:
                return Status::InvalidArgument("bad URL '" + request.url + "': " + what);
            case CURLE_OPERATION_TIMEDOUT:
                return Status::Timeout("request to " + request.url + " timed out: " + what);
            default:
                return Status::Unavailable("request to " + request.url + " failed: " + what);
        }
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
    return resp;
}

}  // namespace agent::model
