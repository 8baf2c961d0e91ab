#include "evals/instance.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

using agent::StatusCode;
using agent::evals::instance_from_json;
using agent::evals::load_instances;
using json = nlohmann::json;

TEST(Instance, AcceptsListsAndJsonEncodedStrings) {
    json j = {{"instance_id", "calc__calc-1"},
              {"repo", "calc/calc"},
              {"base_commit", "abc"},
              {"problem_statement", "add() subtracts"},
              {"FAIL_TO_PASS", "[\"tests/test_calc.py::test_add\"]"},
              {"PASS_TO_PASS", json::array({"tests/test_calc.py::test_sub"})},
              {"version", 1.0},
              {"repo_path", "/srv/calc"}};
    auto inst = instance_from_json(j);
    ASSERT_TRUE(inst.ok()) << inst.status().ToString();
    EXPECT_EQ(inst->fail_to_pass, std::vector<std::string>{"tests/test_calc.py::test_add"});
    EXPECT_EQ(inst->pass_to_pass, std::vector<std::string>{"tests/test_calc.py::test_sub"});
    EXPECT_EQ(inst->eval_type, "pass_and_fail");
    EXPECT_EQ(inst->version, "1.0");
    EXPECT_EQ(inst->extra["repo_path"], "/srv/calc");
}

TEST(Instance, BadFieldsNameTheFieldAndInstance) {
    json j = {{"instance_id", "x-1"}, {"problem_statement", "p"}, {"FAIL_TO_PASS", "not json"}};
    auto r = instance_from_json(j);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("x-1"), std::string::npos);
    EXPECT_NE(r.status().message().find("FAIL_TO_PASS"), std::string::npos);

    EXPECT_FALSE(instance_from_json(json{{"problem_statement", "p"}}).ok());  // no id
    EXPECT_FALSE(instance_from_json(json{{"instance_id", "a"}, {"problem_statement", "p"}, {"eval_type", "x"}}).ok());
    EXPECT_FALSE(instance_from_json(json::array()).ok());
}

TEST(Instance, LoadsJsonlJsonListAndObject) {
    agent::testing::TempDir dir;
    std::string             a = R"({"instance_id":"a","problem_statement":"pa"})";
    std::string             b = R"({"instance_id":"b","problem_statement":"pb","eval_type":"fail_only"})";
    auto jl = load_instances(dir.write("i.jsonl", a + "\n\n" + b + "\n"));
    ASSERT_TRUE(jl.ok()) << jl.status().ToString();
    ASSERT_EQ(jl->size(), 2u);
    EXPECT_EQ((*jl)[1].eval_type, "fail_only");

    auto list = load_instances(dir.write("i.json", "[" + a + "," + b + "]"));
    ASSERT_TRUE(list.ok());
    EXPECT_EQ(list->size(), 2u);
    auto one = load_instances(dir.write("one.json", a));
    ASSERT_TRUE(one.ok());
    EXPECT_EQ((*one)[0].instance_id, "a");
}

TEST(Instance, FileErrorsPointAtTheLine) {
    agent::testing::TempDir dir;
    std::string             path = dir.write("bad.jsonl", "{\"instance_id\":\"a\",\"problem_statement\":\"p\"}\n{oops\n");
    auto                    r    = load_instances(path);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find(path + ":2"), std::string::npos) << r.status().ToString();

    std::string dup = dir.write("dup.jsonl", "{\"instance_id\":\"a\",\"problem_statement\":\"p\"}\n"
                                             "{\"instance_id\":\"a\",\"problem_statement\":\"q\"}\n");
    EXPECT_NE(load_instances(dup).status().message().find("duplicate"), std::string::npos);
    EXPECT_EQ(load_instances(dir.path() + "/missing.json").status().code(), StatusCode::kNotFound);
}
