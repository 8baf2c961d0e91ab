#include "model/vocab.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

using agent::StatusCode;
using agent::model::Vocab;

namespace {

std::string models_dir() { return AGENT_LLAMA_MODELS_DIR; }

std::string slurp(const std::string & path) {
    std::ifstream     in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// llama.cpp's tokenizer test vectors: inputs split by "\n__ggml_vocab_test__\n", one
// line of expected token ids per input (tokenized without special tokens).
std::vector<std::pair<std::string, std::vector<int32_t>>> load_vectors(const std::string & base) {
    std::string inp = slurp(base + ".inp"), outp = slurp(base + ".out");
    const std::string sep = "\n__ggml_vocab_test__\n";
    std::vector<std::string> inputs;
    for (size_t pos = 0;;) {
        size_t e = inp.find(sep, pos);
        if (e == std::string::npos) {
            break;
        }
        inputs.push_back(inp.substr(pos, e - pos));
        pos = e + sep.size();
    }
    std::vector<std::pair<std::string, std::vector<int32_t>>> out;
    std::istringstream lines(outp);
    std::string        line;
    for (size_t i = 0; i < inputs.size() && std::getline(lines, line); ++i) {
        std::istringstream ids(line);
        std::vector<int32_t> v;
        for (int32_t id; ids >> id;) {
            v.push_back(id);
        }
        out.emplace_back(inputs[i], v);
    }
    return out;
}

}  // namespace

class VocabVectors : public ::testing::TestWithParam<const char *> {};

TEST_P(VocabVectors, MatchesLlamaCppExpectedTokenIds) {
    std::string base  = models_dir() + "/" + GetParam();
    auto        vocab = Vocab::Load(base);
    ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
    auto vectors = load_vectors(base);
    ASSERT_GE(vectors.size(), 40u);
    for (const auto & [text, want] : vectors) {
        EXPECT_EQ((*vocab)->tokenize(text, false, false), want) << "input: '" << text << "'";
        EXPECT_EQ((*vocab)->detokenize(want, false), text) << "round trip of '" << text << "'";
    }
    EXPECT_GT((*vocab)->n_tokens(), 30000);
}

INSTANTIATE_TEST_SUITE_P(DeepSeek, VocabVectors,
                         ::testing::Values("ggml-vocab-deepseek-llm.gguf", "ggml-vocab-deepseek-coder.gguf"));

TEST(Vocab, CountsTokensOfCode) {
    auto vocab = Vocab::Load(models_dir() + "/ggml-vocab-deepseek-coder.gguf");
    ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
    std::string code = "int main() { return 0; }\n";
    EXPECT_EQ((*vocab)->count_tokens(code), (*vocab)->tokenize(code, false, true).size());
    EXPECT_GT((*vocab)->count_tokens(code), 5u);
    EXPECT_LT((*vocab)->count_tokens(code), code.size());
}

TEST(Vocab, MissingFileIsNotFound) {
    auto r = Vocab::Load("/nonexistent/model.gguf");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
    EXPECT_NE(r.status().message().find("/nonexistent/model.gguf"), std::string::npos);
}

TEST(Vocab, CorruptFileIsAClearError) {
    agent::testing::TempDir dir;
    std::string             good = slurp(models_dir() + "/ggml-vocab-deepseek-llm.gguf");
    std::string             path = dir.write("truncated.gguf", good.substr(0, good.size() / 3));
    auto                    r    = Vocab::Load(path);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(path), std::string::npos);

    std::string junk = dir.write("junk.gguf", "this is not a gguf file at all");
    EXPECT_EQ(Vocab::Load(junk).status().code(), StatusCode::kInvalidArgument);
}
