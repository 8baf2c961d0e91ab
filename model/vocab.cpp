#include "model/vocab.h"

#include "llama.h"
#include "model/llama_runtime.h"

#include <filesystem>

namespace agent::model {

Result<std::shared_ptr<Vocab>> Vocab::Load(const std::string & path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        return Status::NotFound("GGUF file not found: " + path);
    }
    llama_runtime_init();
    llama_model_params params = llama_model_default_params();
    params.vocab_only         = true;
    llama_model * model       = llama_model_load_from_file(path.c_str(), params);
    if (model == nullptr) {
        return Status::InvalidArgument("cannot load the vocabulary of " + path +
                                       " (not a GGUF file, or a model architecture this llama.cpp does not know)");
    }
    return std::shared_ptr<Vocab>(new Vocab(model));
}

Vocab::Vocab(llama_model * model) : model_(model), vocab_(llama_model_get_vocab(model)) {}

Vocab::~Vocab() { llama_model_free(model_); }

std::vector<int32_t> Vocab::tokenize(std::string_view text, bool add_special, bool parse_special) const {
    // A token is at least one byte, plus room for BOS/EOS.
    std::vector<llama_token> tokens(text.size() + 4);
    int32_t n = llama_tokenize(vocab_, text.data(), static_cast<int32_t>(text.size()), tokens.data(),
                               static_cast<int32_t>(tokens.size()), add_special, parse_special);
    if (n < 0) {
        tokens.resize(static_cast<size_t>(-n));
        n = llama_tokenize(vocab_, text.data(), static_cast<int32_t>(text.size()), tokens.data(),
                           static_cast<int32_t>(tokens.size()), add_special, parse_special);
    }
    tokens.resize(static_cast<size_t>(std::max(n, 0)));
    return tokens;
}

std::string Vocab::detokenize(const std::vector<int32_t> & tokens, bool render_special) const {
    std::string out(tokens.size() * 8 + 16, '\0');
    int32_t n = llama_detokenize(vocab_, tokens.data(), static_cast<int32_t>(tokens.size()), out.data(),
                                 static_cast<int32_t>(out.size()), false, render_special);
    if (n < 0) {
        out.resize(static_cast<size_t>(-n));
        n = llama_detokenize(vocab_, tokens.data(), static_cast<int32_t>(tokens.size()), out.data(),
                             static_cast<int32_t>(out.size()), false, render_special);
    }
    out.resize(static_cast<size_t>(std::max(n, 0)));
    return out;
}

int32_t Vocab::n_tokens() const { return llama_vocab_n_tokens(vocab_); }

}  // namespace agent::model
