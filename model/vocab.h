// Vocab: a model's tokenizer, loaded from a GGUF file without its weights.
//
// Used for exact token counting (prompt budgets) and by tests. Thread-compatible:
// concurrent const calls are safe, as llama.cpp's tokenizer is read-only once loaded.
#pragma once

#include "agent/base/status.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct llama_model;
struct llama_vocab;

namespace agent::model {

class Vocab {
  public:
    // Loads only the vocabulary of the GGUF at `path` (mmap, no tensors).
    // Errors: kNotFound when the file does not exist, kInvalidArgument when it is not a
    // loadable GGUF (the message names the file).
    static Result<std::shared_ptr<Vocab>> Load(const std::string & path);

    ~Vocab();
    Vocab(const Vocab &) = delete;
    Vocab & operator=(const Vocab &) = delete;

    // add_special: prepend BOS etc. as the model's metadata says.
    // parse_special: treat text like "<|EOT|>" as the special token it names.
    std::vector<int32_t> tokenize(std::string_view text, bool add_special, bool parse_special) const;
    std::string          detokenize(const std::vector<int32_t> & tokens, bool render_special) const;
    size_t               count_tokens(std::string_view text) const { return tokenize(text, false, true).size(); }
    int32_t              n_tokens() const;  // vocabulary size

  private:
    explicit Vocab(llama_model * model);
    llama_model *       model_;
    const llama_vocab * vocab_;
};

}  // namespace agent::model
